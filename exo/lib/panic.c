// SPDX-License-Identifier: MIT
// panic(): report and stop. Under QEMU the machine exits through isa-debug-exit with status 35
// (0x11), which the test harness reads as a failure; a nested panic exits at once.
#include <arch/cpu.h>
#include <arch/serial.h>
#include <common/list.h>
#include <kern/backtrace.h>
#include <kern/panic.h>
#include <kern/printf.h>

#define EXIT_PANIC 0x11

void panic(const char *fmt, ...)
{
	static bool in_panic;
	uint64_t rip;
	va_list ap;

	irq_disable();
	console_force_unlocked();
	if (in_panic)
		qemu_exit(EXIT_PANIC);
	in_panic = true;
	kprintf("\nexo: panic: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	__asm__ volatile("lea (%%rip), %0" : "=r"(rip));
	backtrace_print(rip, (uint64_t)__builtin_frame_address(0));
	kprintf("exo: system halted\n");
	qemu_exit(EXIT_PANIC);
}

// The checks of <common/list.h> end here.
void list_check_failed(const char *what, const char *file, int line)
{
	panic("list check '%s' failed at %s:%d", what, file, line);
}
