# SPDX-License-Identifier: MIT
# libos and the sysroot. libos.a: program start (musl's initial stack and auxv) and the system
# call entry musl calls. `make sysroot` fills sysroot/ with musl's headers, libc.a, libos.a,
# libexo.a and the link script; toolchain/bin/x86_64-exo-gcc compiles and links against it.
# POSIX test programs: tests/qemu/posix/NAME.c -> $(BUILD)/user/posix_NAME.

LIBOS := $(BUILD)/libos.a
LIBOS_OBJS := $(addprefix $(BUILD)/user-obj/,libos/core/start.S.o libos/core/start.c.o libos/core/syscall.c.o)
SYSROOT := sysroot
SYSROOT_FILES := $(SYSROOT)/include/stdio.h $(SYSROOT)/lib/libc.a $(SYSROOT)/lib/libos.a \
	$(SYSROOT)/lib/libexo.a $(SYSROOT)/lib/exo.ld
POSIX_PROGS := $(patsubst tests/qemu/posix/%.c,$(BUILD)/user/posix_%,$(wildcard tests/qemu/posix/*.c))
EXO_GCC := toolchain/bin/x86_64-exo-gcc

$(BUILD)/user-obj/libos/%.c.o: libos/%.c | $(DEPS_STAMP) $(ABI_HEADER)
	@mkdir -p $(@D)
	@echo "  UCC     $<"
	$(Q)$(CC) $(USER_CFLAGS) -Ilibos/include -c $< -o $@

$(LIBOS): $(LIBOS_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(SYSROOT)/include/stdio.h: $(MUSL_LIBC)
	$(Q)$(MAKE) -s -C $(BUILD)/musl/obj install-headers prefix=$(CURDIR)/$(SYSROOT) > /dev/null
	$(Q)touch $@
$(SYSROOT)/lib/libc.a: $(MUSL_LIBC)
	@mkdir -p $(@D)
	$(Q)cp $< $@
$(SYSROOT)/lib/libos.a: $(LIBOS)
	@mkdir -p $(@D)
	$(Q)cp $< $@
$(SYSROOT)/lib/libexo.a: $(LIBEXO)
	@mkdir -p $(@D)
	$(Q)cp $< $@
$(SYSROOT)/lib/exo.ld: toolchain/ld/user.ld
	@mkdir -p $(@D)
	$(Q)cp $< $@

.PHONY: sysroot
sysroot: $(SYSROOT_FILES)

$(BUILD)/user/posix_%: tests/qemu/posix/%.c $(SYSROOT_FILES) $(EXO_GCC)
	@mkdir -p $(@D)
	@echo "  EXOGCC  $@"
	$(Q)$(EXO_GCC) -O2 -Wall -Wextra -Werror -o $@ $<
