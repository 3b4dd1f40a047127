# SPDX-License-Identifier: MIT
# What the QEMU tests boot (tests/qemu/run, tests/qemu/tests.list): the test kernel
# $(KERNEL_TEST_ELF), which is the kernel plus the in-kernel tests (tests/qemu/ktests/*.c, run by
# test=NAME; `make run` and RELEASE=1 ship $(KERNEL_ELF) without them), the libexo programs
# tests/qemu/user/NAME.c -> $(BUILD)/user/NAME with the test library tests/qemu/lib, and the POSIX
# programs tests/qemu/posix/NAME.c -> $(BUILD)/user/posix_NAME.

KERNEL_TEST_ELF := $(BUILD)/exo-test.elf
$(eval $(call kernel_image,$(KERNEL_TEST_ELF),$(wildcard tests/qemu/ktests/*.c)))

# Every test program links the test library (an archive: what it uses).
TESTLIB := $(BUILD)/testlib.a
TESTLIB_OBJS := $(call user_objs,$(wildcard tests/qemu/lib/*.c))
$(BUILD)/user-obj/tests/qemu/%: OBJ_CFLAGS := -Itests/qemu/lib
$(TESTLIB): $(TESTLIB_OBJS)
	$(archive)
-include $(TESTLIB_OBJS:.o=.d)

QEMU_USER_PROGS := $(patsubst tests/qemu/user/%.c,%,$(wildcard tests/qemu/user/*.c))
$(foreach p,$(QEMU_USER_PROGS),$(eval $(call libexo_program,$(p),tests/qemu/user/$(p).c,$(TESTLIB))))
USER_PROGS += $(QEMU_USER_PROGS:%=$(BUILD)/user/%)

QEMU_POSIX_PROGS := $(patsubst tests/qemu/posix/%.c,%,$(wildcard tests/qemu/posix/*.c))
$(foreach p,$(QEMU_POSIX_PROGS),$(eval $(call exo_gcc_program,$(BUILD)/user/posix_$(p),tests/qemu/posix/$(p).c)))
POSIX_PROGS += $(QEMU_POSIX_PROGS:%=$(BUILD)/user/posix_%)
