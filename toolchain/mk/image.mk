# SPDX-License-Identifier: MIT
# Bootable hybrid ISO (BIOS + UEFI GRUB) with exo.elf and init (for now the hello program); a
# second ISO has the test kernel and runs init as the in-kernel init test (the ISO/UEFI QEMU tests).

KERNEL_ISO := $(BUILD)/exo.iso
TEST_ISO := $(BUILD)/exo-test.iso

# $(1): iso, $(2): kernel ELF, $(3): kernel command line
define make_iso
	@echo "  ISO     $(1)"
	$(Q)rm -rf $(1).dir && mkdir -p $(1).dir/boot/grub
	$(Q)cp $(2) $(1).dir/boot/exo.elf
	$(Q)cp $(ISO_INIT) $(1).dir/boot/init
	$(Q)sed 's|@CMDLINE@|$(3)|' toolchain/grub/grub.cfg.in > $(1).dir/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $(1) $(1).dir > $(1).log 2>&1 || { cat $(1).log >&2; exit 1; }
endef

ISO_INIT := $(BUILD)/user/hello

$(KERNEL_ISO): $(KERNEL_ELF) $(ISO_INIT) toolchain/grub/grub.cfg.in
	$(call make_iso,$@,$(KERNEL_ELF),)

$(TEST_ISO): $(KERNEL_TEST_ELF) $(ISO_INIT) toolchain/grub/grub.cfg.in
	$(call make_iso,$@,$(KERNEL_TEST_ELF),test=init)
