# SPDX-License-Identifier: MIT
# The kernel: every C and assembly file of exo/ plus the in-kernel tests, linked twice so the
# image can carry its own symbol table (pass 1 with an empty table, pass 2 with the real one;
# the table sits after all text, so text addresses do not move between passes).

KERNEL_SRCS := $(wildcard exo/core/*.c exo/lib/*.c exo/arch/x86_64/*.c exo/arch/x86_64/*.S) \
	$(wildcard tests/qemu/ktests/*.c)
KERNEL_OBJS := $(patsubst %,$(BUILD)/kernel/%.o,$(KERNEL_SRCS)) $(BUILD)/kernel/syscall_table.c.o
KERNEL_ELF := $(BUILD)/exo.elf

$(BUILD)/kernel/%.c.o: %.c | $(ABI_HEADER) $(ABI_HANDLERS)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/kernel/%.S.o: %.S | $(ABI_HEADER)
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(CC) $(KERNEL_ASFLAGS) -c $< -o $@

$(BUILD)/kernel/ksyms-empty.S: toolchain/scripts/gen-ksyms
	@mkdir -p $(@D)
	$(Q)toolchain/scripts/gen-ksyms --empty > $@

$(BUILD)/kernel/exo.pass1.elf: $(KERNEL_OBJS) $(BUILD)/kernel/ksyms-empty.S.o toolchain/ld/kernel.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel/ksyms-empty.S.o

$(BUILD)/kernel/ksyms.S: $(BUILD)/kernel/exo.pass1.elf toolchain/scripts/gen-ksyms
	$(Q)toolchain/scripts/gen-ksyms $< > $@

$(KERNEL_ELF): $(KERNEL_OBJS) $(BUILD)/kernel/ksyms.S.o toolchain/ld/kernel.ld toolchain/scripts/check-kernel
	@echo "  LD      $@"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel/ksyms.S.o
	$(Q)toolchain/scripts/check-kernel $(BUILD)/kernel/exo.pass1.elf $@

$(BUILD)/kernel/%.S.o: $(BUILD)/kernel/%.S
	$(Q)$(CC) $(KERNEL_ASFLAGS) -c $< -o $@

$(BUILD)/kernel/syscall_table.c.o: $(ABI_KERNEL) $(ABI_HEADER) $(ABI_HANDLERS)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

-include $(KERNEL_OBJS:.o=.d)
