// SPDX-License-Identifier: MIT
// 8254 PIT: channel 2 one-shot countdown (gated through port 0x61) for calibration; channel 0
// periodic mode as a known interrupt source for IOAPIC routing tests.
#include <arch/cpu.h>
#include <arch/pit.h>

#define PIT_CH0 0x40
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PORT_B  0x61

void pit_wait_ms(unsigned ms, void (*sample)(int phase))
{
	uint32_t count = PIT_HZ * (ms > 50 ? 50 : ms) / 1000;
	uint8_t b = inb(PORT_B);

	outb(PORT_B, (b & ~0x02) | 0x01); // speaker off, gate on
	outb(PIT_CMD, 0xb0);              // channel 2, lo/hi byte, mode 0 (interrupt on terminal count)
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	b = inb(PORT_B);
	outb(PORT_B, b & ~0x01); // restart the count with a gate edge
	outb(PORT_B, b | 0x01);
	sample(0);
	while (!(inb(PORT_B) & 0x20)) // OUT2 goes high at terminal count
		__builtin_ia32_pause();
	sample(1);
}

void pit_start_periodic(unsigned hz)
{
	uint32_t div = PIT_HZ / hz;

	outb(PIT_CMD, 0x34); // channel 0, lo/hi byte, mode 2 (rate generator)
	outb(PIT_CH0, div & 0xff);
	outb(PIT_CH0, (div >> 8) & 0xff);
}

void pit_stop(void)
{
	outb(PIT_CMD, 0x30); // channel 0, mode 0 with no count written: output stays low
}
