// SPDX-License-Identifier: MIT
// Timer and interrupt routing: the APIC tick and the nanosecond clock agree; an IOAPIC-routed
// device interrupt (PIT channel 0 on ISA IRQ 0, through the MADT's override) arrives.
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/pit.h>
#include <arch/trap.h>
#include <kern/clock.h>
#include <kern/ktest.h>
#include <kern/printf.h>

KTEST(timer)
{
	uint64_t ns0, ns1, prev;

	ktest_wait_ticks(1);
	ns0 = clock_ns();
	ktest_wait_ticks(100);
	ns1 = clock_ns();
	// 100 ticks at 1 kHz are 100 ms of the calibrated clock; under emulation the host can stall
	// us, so only the order of magnitude is checked (this is not a performance assertion).
	KCHECK(ns1 - ns0 > 25 * 1000 * 1000 && ns1 - ns0 < 4000ull * 1000 * 1000);
	prev = clock_ns();
	for (int i = 0; i < 10000; i++) {
		uint64_t now = clock_ns();

		KCHECK(now >= prev);
		prev = now;
	}
	kprintf("timer: 100 ticks took %lu us of the TSC clock\n", (ns1 - ns0) / 1000);
}

static volatile uint64_t pit_irqs;

static void pit_irq(struct trap_frame *tf)
{
	(void)tf;
	pit_irqs++;
	lapic_eoi();
}

KTEST(ioapic)
{
	const unsigned vec = VEC_IOAPIC_BASE;
	uint64_t t0 = clock_ticks();

	KCHECK_EQ(trap_set_handler(vec, pit_irq), 0);
	KCHECK_EQ(trap_set_handler(vec, pit_irq), -EXO_EEXIST);
	KCHECK_EQ(ioapic_route_isa(0, vec), 0);
	KCHECK_EQ(ioapic_route_isa(16, vec), -EXO_EINVAL);
	pit_start_periodic(1000);
	while (pit_irqs < 20 && clock_ticks() - t0 < 5000)
		irq_enable_and_halt();
	pit_stop();
	KCHECK_EQ(ioapic_mask_gsi(0, true) == 0 || ioapic_mask_gsi(2, true) == 0, 1);
	KCHECK(pit_irqs >= 20);
	trap_clear_handler(vec);
	kprintf("ioapic: %lu PIT interrupts through the IOAPIC\n", pit_irqs);
}
