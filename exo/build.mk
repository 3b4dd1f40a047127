# SPDX-License-Identifier: MIT
# The kernel: every C and assembly file of exo/. $(call kernel_image,ELF,EXTRA_SOURCES) links one
# kernel: $(KERNEL_ELF) here (what `make run`, the ISO and RELEASE=1 ship) and, with the in-kernel
# tests, $(KERNEL_TEST_ELF) in tests/qemu/build.mk. Each is linked twice so the image can carry its
# own symbol table (pass 1 with an empty table, pass 2 with the real one; the table sits after all
# text, so text addresses do not move between passes).

KERNEL_SRCS := $(wildcard exo/core/*.c exo/lib/*.c exo/common/*.c exo/arch/x86_64/*.c exo/arch/x86_64/*.S)
KERNEL_OBJS := $(patsubst %,$(BUILD)/kernel/%.o,$(KERNEL_SRCS)) $(BUILD)/kernel/syscall_table.c.o
KERNEL_ELF := $(BUILD)/exo.elf

# The kernel objects depend on the flags they were built with (RELEASE=1 changes them), through a
# file that changes only when the flags do: switching between a release and a debug build
# rebuilds the kernel instead of mixing objects of both.
KERNEL_FLAGS := $(BUILD)/kernel/flags
$(KERNEL_FLAGS): FORCE
	@mkdir -p $(@D)
	$(Q)echo '$(KERNEL_CFLAGS) $(KERNEL_ASFLAGS)' | cmp -s - $@ || echo '$(KERNEL_CFLAGS) $(KERNEL_ASFLAGS)' > $@
.PHONY: FORCE
FORCE:

$(BUILD)/kernel/%.c.o: %.c $(KERNEL_FLAGS) | $(ABI_HEADER) $(ABI_HANDLERS)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/kernel/%.S.o: %.S $(KERNEL_FLAGS) | $(ABI_HEADER)
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(CC) $(KERNEL_ASFLAGS) -c $< -o $@

$(BUILD)/kernel/ksyms-empty.S: toolchain/scripts/gen-ksyms
	@mkdir -p $(@D)
	$(Q)toolchain/scripts/gen-ksyms --empty > $@

$(BUILD)/kernel/%.S.o: $(BUILD)/kernel/%.S
	$(Q)$(CC) $(KERNEL_ASFLAGS) -c $< -o $@

$(BUILD)/kernel/syscall_table.c.o: $(ABI_KERNEL) $(ABI_HEADER) $(ABI_HANDLERS) $(KERNEL_FLAGS)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

# $(1): the ELF, $(2): sources linked in addition to exo/'s; work files in $(BUILD)/kernel/NAME.*.
define kernel_image
$(call kernel_work,$(1)).objs := $(KERNEL_OBJS) $(patsubst %,$(BUILD)/kernel/%.o,$(2))
$(call kernel_work,$(1)).pass1.elf: $$($(call kernel_work,$(1)).objs) $(BUILD)/kernel/ksyms-empty.S.o \
		toolchain/ld/kernel.ld
	@echo "  LD      $$@"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $$@ $$($(call kernel_work,$(1)).objs) $(BUILD)/kernel/ksyms-empty.S.o
$(call kernel_work,$(1)).ksyms.S: $(call kernel_work,$(1)).pass1.elf toolchain/scripts/gen-ksyms
	$(Q)toolchain/scripts/gen-ksyms $$< > $$@
$(1): $$($(call kernel_work,$(1)).objs) $(call kernel_work,$(1)).ksyms.S.o toolchain/ld/kernel.ld \
		toolchain/scripts/check-kernel
	@echo "  LD      $$@"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $$@ $$($(call kernel_work,$(1)).objs) $(call kernel_work,$(1)).ksyms.S.o
	$(Q)toolchain/scripts/check-kernel $(call kernel_work,$(1)).pass1.elf $$@
-include $(patsubst %,$(BUILD)/kernel/%.d,$(2))
endef
kernel_work = $(BUILD)/kernel/$(notdir $(basename $(1)))
$(eval $(call kernel_image,$(KERNEL_ELF)))
-include $(KERNEL_OBJS:.o=.d)
