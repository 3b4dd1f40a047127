// SPDX-License-Identifier: MIT
// Runner for the in-kernel tests (tests/qemu/ktests/*.c, linked into section .ktests).
#include <arch/cpu.h>
#include <common/string.h>
#include <kern/clock.h>
#include <kern/ktest.h>
#include <kern/printf.h>

#define EXIT_PASS 0x10

extern const struct ktest _ktests_start[], _ktests_end[];

void ktest_wait_ticks(uint64_t n)
{
	uint64_t end = clock_ticks() + n;

	while (clock_ticks() < end)
		irq_enable_and_halt();
}

void ktest_run(const char *name)
{
	for (const struct ktest *t = _ktests_start; t < _ktests_end; t++) {
		if (strcmp(t->name, name))
			continue;
		kprintf("ktest: running '%s'\n", name);
		t->fn();
		kprintf("ktest: '%s' passed\n", name);
		qemu_exit(EXIT_PASS);
	}
	kprintf("ktest: no test named '%s'; the tests are:", name);
	for (const struct ktest *t = _ktests_start; t < _ktests_end; t++)
		kprintf(" %s", t->name);
	kprintf("\n");
	panic("unknown test '%s'", name);
}
