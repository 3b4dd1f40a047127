# SPDX-License-Identifier: MIT
# Booting exo in QEMU (TCG: KVM is not usable on our machines). Every run is under timeout and
# has the isa-debug-exit device, through which the kernel ends the run (33 = test passed).
# `make run` also gives the VM a second serial port on $(BUILD)/exoctl.sock: the module manager's
# control channel, which toolchain/bin/exoctl uses from the host.

QEMU := qemu-system-x86_64
MEM ?= 256M
SMP ?= 1
RUN_TIMEOUT ?= 3600
OVMF := /usr/share/ovmf/OVMF.fd
QEMU_BASE := -accel tcg -cpu max -smp $(SMP) -m $(MEM) -no-reboot -display none \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
ifeq ($(UEFI),1)
QEMU_FIRMWARE := -bios $(OVMF)
endif

.PHONY: run debug
run: $(KERNEL_ISO)
	@echo "exo: booting $(KERNEL_ISO) in QEMU$(if $(UEFI), with UEFI firmware,) on this terminal (serial console)."
	@echo "exo: the kernel starts init (a greeting until the shell lands), which exits; then the VM powers off. Ctrl-A X quits at any time."
	timeout --foreground $(RUN_TIMEOUT) $(QEMU) $(QEMU_BASE) $(QEMU_FIRMWARE) -serial mon:stdio \
		-serial unix:$(BUILD)/exoctl.sock,server=on,wait=off -cdrom $(KERNEL_ISO) || test $$? -eq 33

debug: $(KERNEL_ISO)
	@echo "exo: QEMU waits for gdb on :1234; in another terminal run: gdb -x toolchain/gdb/exo.gdb"
	timeout --foreground $(RUN_TIMEOUT) $(QEMU) $(QEMU_BASE) $(QEMU_FIRMWARE) -serial mon:stdio \
		-cdrom $(KERNEL_ISO) -s -S || test $$? -eq 33
