// SPDX-License-Identifier: MIT
// 16550 UART on COM1 as the kernel console (115200 8N1, polled output, CR before LF).
#include <arch/cpu.h>
#include <arch/serial.h>
#include <kern/printf.h>
#include <kern/spinlock.h>

#define COM1 0x3f8

enum { DATA = 0, IER = 1, FCR = 2, LCR = 3, MCR = 4, LSR = 5 };
#define LSR_THRE 0x20

static spinlock_t console_lock = SPINLOCK_INIT_RANK(LOCK_RANK_CONSOLE);
static bool console_unlocked; // set by panic: print even if the lock holder is stuck

void console_force_unlocked(void)
{
	console_unlocked = true;
}

void serial_init(void)
{
	outb(COM1 + IER, 0x00);  // no interrupts
	outb(COM1 + LCR, 0x80);  // DLAB on
	outb(COM1 + DATA, 0x01); // divisor 1: 115200 baud
	outb(COM1 + IER, 0x00);
	outb(COM1 + LCR, 0x03); // 8N1, DLAB off
	outb(COM1 + FCR, 0xc7); // FIFO on, cleared, 14-byte threshold
	outb(COM1 + MCR, 0x03); // DTR, RTS
}

static void serial_putc(char c)
{
	for (int spins = 0; !(inb(COM1 + LSR) & LSR_THRE) && spins < 100000; spins++)
		__builtin_ia32_pause();
	outb(COM1 + DATA, (uint8_t)c);
}

void console_write(const char *s, size_t n)
{
	bool locked = !console_unlocked;

	if (locked)
		spin_lock(&console_lock);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
	if (locked)
		spin_unlock(&console_lock);
}
