// SPDX-License-Identifier: MIT
// Runner for the in-kernel tests (tests/qemu/ktests/*.c, linked into section .ktests of the test
// kernel only: the kernel that `make run` and RELEASE=1 build has none and says so).
#include <arch/cpu.h>
#include <common/string.h>
#include <kern/ktest.h>
#include <kern/printf.h>
#include <kern/sched.h>

#define EXIT_PASS 0x10

extern const struct ktest _ktests_start[], _ktests_end[];

void ktest_run(const char *name)
{
	for (const struct ktest *t = _ktests_start; t < _ktests_end; t++) {
		if (strcmp(t->name, name))
			continue;
		kprintf("ktest: running '%s'\n", name);
		sched_balance_check = true; // the test kernel checks the balancer's invariant
		t->fn();
		kprintf("ktest: '%s' passed\n", name);
		qemu_exit(EXIT_PASS);
	}
	if (_ktests_end - _ktests_start == 0)
		panic("test=%s: this kernel has no in-kernel tests; they are linked into the test kernel "
		      "(build/exo-test.elf, built by make test)",
		      name);
	kprintf("ktest: no test named '%s'; the tests are:", name);
	for (const struct ktest *t = _ktests_start; t < _ktests_end; t++)
		kprintf(" %s", t->name);
	kprintf("\n");
	panic("unknown test '%s'", name);
}
