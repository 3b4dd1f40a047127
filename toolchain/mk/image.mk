# SPDX-License-Identifier: MIT
# Bootable hybrid ISO (BIOS + UEFI GRUB) with exo.elf; a second ISO boots straight into the
# in-kernel boot test (for the ISO/UEFI QEMU tests).

KERNEL_ISO := $(BUILD)/exo.iso
TEST_ISO := $(BUILD)/exo-test.iso

# $(1): iso, $(2): kernel command line
define make_iso
	@echo "  ISO     $(1)"
	$(Q)rm -rf $(1).dir && mkdir -p $(1).dir/boot/grub
	$(Q)cp $(KERNEL_ELF) $(1).dir/boot/exo.elf
	$(Q)sed 's|@CMDLINE@|$(2)|' toolchain/grub/grub.cfg.in > $(1).dir/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $(1) $(1).dir > $(1).log 2>&1 || { cat $(1).log >&2; exit 1; }
endef

$(KERNEL_ISO): $(KERNEL_ELF) toolchain/grub/grub.cfg.in | $(DEPS_STAMP)
	$(call make_iso,$@,)

$(TEST_ISO): $(KERNEL_ELF) toolchain/grub/grub.cfg.in | $(DEPS_STAMP)
	$(call make_iso,$@,test=boot)
