// SPDX-License-Identifier: MIT
// Waiting for timer ticks, for the in-kernel tests that need time to pass (kern/ktest.h).
#include <arch/cpu.h>
#include <kern/clock.h>
#include <kern/ktest.h>

void ktest_wait_ticks(uint64_t n)
{
	uint64_t end = clock_ticks() + n;

	while (clock_ticks() < end)
		irq_enable_and_halt();
}
