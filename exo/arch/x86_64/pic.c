// SPDX-License-Identifier: MIT
// The legacy 8259 PICs: remapped away from the exception vectors, then fully masked. The local
// APIC and IOAPIC deliver all interrupts; a spurious 8259 interrupt lands on vectors 32..47.
#include <arch/cpu.h>
#include <arch/serial.h>
#include <arch/trap.h>

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1

void pic_disable(void)
{
	outb(PIC1_CMD, 0x11); // ICW1: init, expect ICW4
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, VEC_IRQ_BASE); // ICW2: vector offset
	outb(PIC2_DATA, VEC_IRQ_BASE + 8);
	outb(PIC1_DATA, 0x04); // ICW3: slave on IRQ2
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01); // ICW4: 8086 mode
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xff); // mask everything
	outb(PIC2_DATA, 0xff);
}
