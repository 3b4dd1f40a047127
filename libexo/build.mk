# SPDX-License-Identifier: MIT
# libexo.a (generated stubs, start-up, console printf, spawning from an ELF in frames; the
# formatter, string functions and ELF validator are the kernel's own sources) and the libexo programs of the tree:
# tests/qemu/user/NAME.c -> $(BUILD)/user/NAME, loaded by the kernel as init in QEMU tests.

USER_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fno-builtin -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables \
	-Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes -MMD -MP -I$(BUILD)/gen -Iexo/abi/include -Ilibexo/include \
	-Iexo/include
USER_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack --build-id=none \
	-T toolchain/ld/user.ld

LIBEXO := $(BUILD)/libexo.a
LIBEXO_OBJS := $(addprefix $(BUILD)/user-obj/,libexo/crt0.S.o libexo/ipc.S.o libexo/print.c.o libexo/spawn.c.o \
	exo/lib/printf.c.o exo/lib/string.c.o exo/lib/elf64.c.o exo/core/elf.c.o libexo_stubs.S.o)
LIBEXO_OBJS += $(addprefix $(BUILD)/user-obj/,libexo/mqueue.c.o libexo/names.c.o libexo/modelf.c.o \
	libexo/modload.c.o libexo/modswap.c.o libexo/modmgr_client.c.o)
USER_PROGS := $(patsubst tests/qemu/user/%.c,$(BUILD)/user/%,$(wildcard tests/qemu/user/*.c))

$(BUILD)/user-obj/%.c.o: %.c | $(ABI_HEADER)
	@mkdir -p $(@D)
	@echo "  UCC     $<"
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@
$(BUILD)/user-obj/%.S.o: %.S | $(ABI_HEADER)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@
$(BUILD)/user-obj/libexo_stubs.S.o: $(ABI_STUBS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(LIBEXO): $(LIBEXO_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# Every test program links the test library tests/qemu/lib/*.c (an archive: what it uses).
TESTLIB := $(BUILD)/testlib.a
TESTLIB_OBJS := $(patsubst %.c,$(BUILD)/user-obj/%.c.o,$(wildcard tests/qemu/lib/*.c))
$(BUILD)/user-obj/tests/qemu/%.c.o: USER_CFLAGS += -Itests/qemu/lib
$(TESTLIB): $(TESTLIB_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/user/%: $(BUILD)/user-obj/tests/qemu/user/%.c.o $(TESTLIB) $(LIBEXO) toolchain/ld/user.ld
	@mkdir -p $(@D)
	@echo "  ULD     $@"
	$(Q)$(LD) $(USER_LDFLAGS) -o $@ $(BUILD)/user-obj/libexo/crt0.S.o $< $(TESTLIB) $(LIBEXO)

-include $(LIBEXO_OBJS:.o=.d) $(TESTLIB_OBJS:.o=.d) \
	$(USER_PROGS:$(BUILD)/user/%=$(BUILD)/user-obj/tests/qemu/user/%.c.d)

# Services: modules/NAME/NAME.c -> $(BUILD)/user/NAME, started from a boot module (tests give
# them as extra modules: tests/qemu/run's PROG+MOD).
MODULE_PROGS := $(BUILD)/user/names $(BUILD)/user/modmgr
USER_PROGS += $(MODULE_PROGS) $(BUILD)/user/modctl

# Programs of the image: apps/NAME/NAME.c -> $(BUILD)/user/NAME.
$(BUILD)/user/modctl: $(BUILD)/user-obj/apps/modctl/modctl.c.o $(LIBEXO) toolchain/ld/user.ld
	@mkdir -p $(@D)
	@echo "  ULD     $@"
	$(Q)$(LD) $(USER_LDFLAGS) -o $@ $(BUILD)/user-obj/libexo/crt0.S.o $< $(LIBEXO)
-include $(BUILD)/user-obj/apps/modctl/modctl.c.d

$(BUILD)/user/names: $(BUILD)/user-obj/modules/names/names.c.o $(LIBEXO) toolchain/ld/user.ld
	@mkdir -p $(@D)
	@echo "  ULD     $@"
	$(Q)$(LD) $(USER_LDFLAGS) -o $@ $(BUILD)/user-obj/libexo/crt0.S.o $< $(LIBEXO)

-include $(BUILD)/user-obj/modules/names/names.c.d

$(BUILD)/user/modmgr: $(BUILD)/user-obj/modules/modmgr/modmgr.c.o $(BUILD)/user-obj/modules/modmgr/ctl.c.o \
		$(BUILD)/user-obj/modules/modmgr/publish.c.o $(LIBEXO) toolchain/ld/user.ld
	@mkdir -p $(@D)
	@echo "  ULD     $@"
	$(Q)$(LD) $(USER_LDFLAGS) -o $@ $(BUILD)/user-obj/libexo/crt0.S.o $(filter %.c.o,$^) $(LIBEXO)

-include $(BUILD)/user-obj/modules/modmgr/modmgr.c.d $(BUILD)/user-obj/modules/modmgr/ctl.c.d \
	$(BUILD)/user-obj/modules/modmgr/publish.c.d

# libexo.so and loadable modules (ET_DYN). libexo.so carries the kernel-call stubs, console output,
# string functions and exo_module_entry; every module is linked against it (DT_NEEDED) and the
# loader maps it into the module's address space. Modules: modules/NAME/NAME.c -> $(BUILD)/user/NAME.so.
PIC_CFLAGS := $(filter-out -fno-pic -fno-pie,$(USER_CFLAGS)) -fPIC
SO_LDFLAGS := -shared -nostdlib -z max-page-size=0x1000 -z noexecstack -z relro --hash-style=both \
	--build-id=none
LIBEXO_SO := $(BUILD)/user/libexo.so
LIBEXO_SO_OBJS := $(addprefix $(BUILD)/pic-obj/,libexo/ipc.S.o libexo/print.c.o libexo/module_entry.c.o \
	exo/lib/printf.c.o exo/lib/string.c.o libexo_stubs.S.o)
SO_MODULES := counter counter2 counter_bad counter_crash console kv kv2
# A module is modules/NAME/NAME.c unless NAME_SRC says otherwise; NAME_CFLAGS are added.
counter2_SRC := modules/counter/counter.c
counter2_CFLAGS := -DCOUNTER_VERSION=2
counter_bad_SRC := modules/counter/counter.c
counter_bad_CFLAGS := -DCOUNTER_VERSION=3 -DCOUNTER_FAIL_INIT
counter_crash_SRC := modules/counter/counter.c
counter_crash_CFLAGS := -DCOUNTER_VERSION=4 -DCOUNTER_CRASH_OP -DCOUNTER_CAPS=1
kv2_SRC := modules/kv/kv.c
kv2_CFLAGS := -DKV_VERSION=2
SO_MODULE_FILES := $(patsubst %,$(BUILD)/user/%.so,$(SO_MODULES))

$(BUILD)/pic-obj/%.c.o: %.c | $(ABI_HEADER)
	@mkdir -p $(@D)
	@echo "  PICCC   $<"
	$(Q)$(CC) $(PIC_CFLAGS) -c $< -o $@
$(BUILD)/pic-obj/%.S.o: %.S | $(ABI_HEADER)
	@mkdir -p $(@D)
	$(Q)$(CC) $(PIC_CFLAGS) -c $< -o $@
$(BUILD)/pic-obj/libexo_stubs.S.o: $(ABI_STUBS)
	@mkdir -p $(@D)
	$(Q)$(CC) $(PIC_CFLAGS) -c $< -o $@

$(LIBEXO_SO): $(LIBEXO_SO_OBJS)
	@mkdir -p $(@D)
	@echo "  SO      $@"
	$(Q)$(LD) $(SO_LDFLAGS) -soname libexo.so -o $@ $^

define so_module_rules
$(BUILD)/so-obj/$(1).o: $(or $($(1)_SRC),modules/$(1)/$(1).c) | $(ABI_HEADER)
	@mkdir -p $$(@D)
	@echo "  PICCC   $$< ($(1))"
	$(Q)$(CC) $(PIC_CFLAGS) $($(1)_CFLAGS) -c $$< -o $$@
$(BUILD)/user/$(1).so: $(BUILD)/so-obj/$(1).o $(LIBEXO_SO)
	@mkdir -p $$(@D)
	@echo "  MODULE  $$@"
	$(Q)$(LD) $(SO_LDFLAGS) -soname $(1).so -o $$@ $$< $(LIBEXO_SO)
endef
$(foreach m,$(SO_MODULES),$(eval $(call so_module_rules,$(m))))

USER_PROGS += $(LIBEXO_SO) $(SO_MODULE_FILES)
-include $(LIBEXO_SO_OBJS:.o=.d) $(SO_MODULES:%=$(BUILD)/so-obj/%.d)
