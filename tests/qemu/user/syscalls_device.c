// SPDX-License-Identifier: MIT
// Kernel calls on devices: I/O ports, device memory and IRQs. Each success case with its effect
// verified and each error path of the handler, as init; the fixture is tests/qemu/lib/syscalls.h.
#include "syscalls.h"

static void test_ioport_mmio(void)
{
	struct exo_cap_info ci;
	uint64_t io, io2, iog, m, m2, mr;
	long h;

	// I/O ports: nothing is enabled until ioport_enable.
	CHECK(faults_inb(0x61));
	CHECK_EQ(probe.vector, 13);
	h = exo_ioport_restrict(bi->ioports, 0x60, 8);
	CHECK(h > 0);
	io = (uint64_t)h;
	ci = info_of(io);
	CHECK_EQ(ci.type, EXO_OBJ_IOPORT);
	CHECK_EQ(ci.a, 0x60);
	CHECK_EQ(ci.b, 8);
	CHECK_EQ(exo_ioport_restrict(io, 0x5f, 1), E(EINVAL));
	CHECK_EQ(exo_ioport_restrict(io, 0x68, 1), E(EINVAL));
	CHECK_EQ(exo_ioport_restrict(io, 0x60, 9), E(EINVAL));
	CHECK_EQ(exo_ioport_restrict(io, 0x60, 0), E(EINVAL));
	CHECK_EQ(exo_ioport_restrict(io, 0x67, ~0ul), E(EINVAL));
	CHECK_EQ(exo_ioport_restrict(io, ~0ul, 2), E(EINVAL)); // wraps
	CHECK_EQ(exo_ioport_restrict(bi->ioports, 0xffff, 2), E(EINVAL));
	CHECK_EQ(exo_ioport_restrict(bi->ioports, 0x10000, 1), E(EINVAL));
	CHECK_EQ(exo_ioport_restrict(bi->ioports, 0, 0x10001), E(EINVAL));
	CHECK_EQ(exo_ioport_restrict(0, 0x60, 1), E(EBADCAP));
	CHECK_EQ(exo_ioport_restrict(tq, 0x60, 1), E(ETYPE));
	h = exo_ioport_restrict(io, 0x61, 1);
	CHECK(h > 0);
	io2 = (uint64_t)h;
	CHECK_EQ(info_of(io2).a, 0x61);
	CHECK_EQ(info_of(io2).b, 1);
	CHECK_EQ(exo_ioport_enable(io2, 0x60, 1), E(EINVAL)); // outside its range
	CHECK_EQ(exo_ioport_enable(io2, 0x61, 2), E(EINVAL));
	CHECK_EQ(exo_ioport_enable(io2, 0x61, 0), E(EINVAL));
	CHECK_EQ(exo_ioport_enable(0, 0x61, 1), E(EBADCAP));
	CHECK_EQ(exo_ioport_enable(tq, 0x61, 1), E(ETYPE));
	iog = (uint64_t)exo_cap_copy(io2, 0, EXO_R_READ | EXO_R_WRITE);
	CHECK_EQ(exo_ioport_restrict(iog, 0x61, 1), E(EPERM)); // needs GRANT
	CHECK_EQ(exo_cap_delete(iog), 0);
	iog = (uint64_t)exo_cap_copy(io2, 0, EXO_R_READ | EXO_R_GRANT);
	CHECK_EQ(exo_ioport_enable(iog, 0x61, 1), E(EPERM)); // needs WRITE
	// A capability without WRITE must not yield one with WRITE by restricting it.
	h = exo_ioport_restrict(iog, 0x61, 1);
	CHECK(h > 0);
	CHECK_BUG((info_of((uint64_t)h).rights & ~(uint64_t)(EXO_R_READ | EXO_R_GRANT)) == 0,
	          "ioport_restrict gives more rights than its source capability has");
	exo_cap_delete((uint64_t)h);
	// Sub-ranges are derived from their source: revoking the source must remove them.
	h = exo_ioport_restrict(iog, 0x61, 1);
	CHECK(h > 0);
	CHECK_EQ(exo_cap_revoke(io2), 0);
	CHECK_EQ(exo_cap_info(iog, &ci), E(EBADCAP));
	CHECK_BUG(exo_cap_info((uint64_t)h, &ci) == E(EBADCAP),
	          "a capability made by ioport_restrict survives cap_revoke of its source");
	exo_cap_delete((uint64_t)h);
	CHECK(faults_inb(0x61));
	CHECK_EQ(exo_ioport_enable(io2, 0x61, 1), 0);
	CHECK(!faults_inb(0x61));
	CHECK(faults_inb(0x60)); // only what was enabled
	CHECK(faults_inb(0x62));
	CHECK_EQ(exo_cap_delete(io2), 0);
	CHECK_EQ(exo_cap_delete(io), 0);

	// Device memory: the VGA text buffer (not RAM) maps uncached; RAM and the kernel's interrupt
	// controllers never do.
	h = exo_mmio_restrict(bi->mmio, 0xb8000, 0x2000);
	CHECK(h > 0);
	m = (uint64_t)h;
	ci = info_of(m);
	CHECK_EQ(ci.type, EXO_OBJ_MMIO);
	CHECK_EQ(ci.a, 0xb8000);
	CHECK_EQ(ci.b, 0x2000);
	CHECK_EQ(exo_mmio_map(m, bi->self, VA(500), 0xb8000, 2), 0);
	{
		volatile uint16_t *vga = (volatile uint16_t *)VA(500);

		vga[0] = 0x0741;
		vga[2048 + 5] = 0x0742; // second page
		CHECK_EQ(vga[0], 0x0741);
		CHECK_EQ(vga[2048 + 5], 0x0742);
		vga[0] = 0x0720;
		vga[2048 + 5] = 0x0720;
	}
	CHECK_EQ(exo_mmio_map(m, bi->self, VA(500), 0xb8000, 1), E(EEXIST));
	CHECK_EQ(unmap1(bi->self, VA(501)), 1);
	CHECK_EQ(unmap1(bi->self, VA(500)), 1);
	CHECK(faults_read(VA(500)));
	// A multi-page map that runs into a mapped page is undone.
	mr = map_fresh(VA(511));
	CHECK_EQ(exo_mmio_map(m, bi->self, VA(510), 0xb8000, 2), E(EEXIST));
	CHECK_EQ(unmap1(bi->self, VA(510)), E(ENOENT));
	unmap_free(VA(511), mr);
	CHECK_EQ(exo_mmio_map(m, bi->self, VA(500), 0xb9000, 2), E(EINVAL)); // beyond the capability
	CHECK_EQ(exo_mmio_map(m, bi->self, VA(500), 0xb7000, 1), E(EINVAL));
	CHECK_EQ(exo_mmio_map(m, bi->self, VA(500), 0xb8800, 1), E(EINVAL)); // unaligned
	CHECK_EQ(exo_mmio_map(m, bi->self, VA(500) + 8, 0xb8000, 1), E(EINVAL));
	CHECK_EQ(exo_mmio_map(m, bi->self, VA(500), 0xb8000, 0), E(EINVAL));
	CHECK_EQ(exo_mmio_map(bi->mmio, bi->self, VA(500), 0xb8000, 513), E(EINVAL));
	CHECK_EQ(exo_mmio_map(bi->mmio, bi->self, VA(500), 0xb8000, ~0ul), E(EINVAL));
	CHECK_EQ(exo_mmio_map(m, bi->self, 0, 0xb8000, 1), E(EINVAL));
	CHECK_EQ(exo_mmio_map(m, bi->self, KADDR, 0xb8000, 1), E(EINVAL));
	CHECK_EQ(exo_mmio_map(m, bi->self, NONCANON, 0xb8000, 1), E(EINVAL));
	CHECK_EQ(exo_mmio_map(m, bi->self, USER_TOP, 0xb8000, 1), E(EINVAL));
	CHECK_EQ(exo_mmio_map(bi->mmio, bi->self, VA(500), 0, 1), E(EINVAL));          // RAM
	CHECK_EQ(exo_mmio_map(bi->mmio, bi->self, VA(500), 0x100000, 1), E(EINVAL));   // the kernel
	CHECK_EQ(exo_mmio_map(bi->mmio, bi->self, VA(500), 0x1000000, 16), E(EINVAL)); // RAM
	CHECK_EQ(exo_mmio_map(bi->mmio, bi->self, VA(500), 0x9f000, 2), E(EINVAL));    // starts in RAM
	CHECK_EQ(exo_mmio_map(bi->mmio, bi->self, VA(500), 0xfee00000, 1), E(EINVAL)); // local APIC
	CHECK_EQ(exo_mmio_map(bi->mmio, bi->self, VA(500), 0xfec00000, 1), E(EINVAL)); // IOAPIC
	CHECK_EQ(exo_mmio_map(bi->mmio, bi->self, VA(500), 1ull << 52, 1), E(EINVAL)); // beyond
	CHECK_EQ(exo_mmio_map(0, bi->self, VA(500), 0xb8000, 1), E(EBADCAP));
	CHECK_EQ(exo_mmio_map(tq, bi->self, VA(500), 0xb8000, 1), E(ETYPE));
	CHECK_EQ(exo_mmio_map(m, tq, VA(500), 0xb8000, 1), E(ETYPE));
	CHECK_EQ(exo_mmio_map(m, 0, VA(500), 0xb8000, 1), E(EBADCAP));
	mr = (uint64_t)exo_cap_copy(bi->self, 0, EXO_R_READ);
	CHECK_EQ(exo_mmio_map(m, mr, VA(500), 0xb8000, 1), E(EPERM)); // process without CONTROL
	CHECK_EQ(exo_cap_delete(mr), 0);
	mr = (uint64_t)exo_cap_copy(m, 0, EXO_R_READ | EXO_R_GRANT);
	CHECK_EQ(exo_mmio_map(mr, bi->self, VA(500), 0xb8000, 1), E(EPERM)); // needs READ and WRITE
	h = exo_mmio_restrict(mr, 0xb8000, 0x1000);
	CHECK(h > 0);
	CHECK_BUG((info_of((uint64_t)h).rights & ~(uint64_t)(EXO_R_READ | EXO_R_GRANT)) == 0,
	          "mmio_restrict gives more rights than its source capability has");
	CHECK_EQ(exo_cap_delete((uint64_t)h), 0);
	CHECK_EQ(exo_cap_delete(mr), 0);
	mr = (uint64_t)exo_cap_copy(m, 0, EXO_R_READ | EXO_R_WRITE);
	CHECK_EQ(exo_mmio_restrict(mr, 0xb8000, 0x1000), E(EPERM)); // needs GRANT
	CHECK_EQ(exo_cap_delete(mr), 0);
	// mmio_restrict: page-aligned sub-ranges only.
	h = exo_mmio_restrict(m, 0xb9000, 0x1000);
	CHECK(h > 0);
	m2 = (uint64_t)h;
	CHECK_EQ(info_of(m2).a, 0xb9000);
	CHECK_EQ(exo_mmio_map(m2, bi->self, VA(500), 0xb8000, 1), E(EINVAL));
	CHECK_EQ(exo_mmio_map(m2, bi->self, VA(500), 0xb9000, 1), 0);
	CHECK_EQ(unmap1(bi->self, VA(500)), 1);
	CHECK_EQ(exo_cap_delete(m2), 0);
	CHECK_EQ(exo_mmio_restrict(m, 0xb8000, 0x3000), E(EINVAL));
	CHECK_EQ(exo_mmio_restrict(m, 0xb7000, 0x1000), E(EINVAL));
	CHECK_EQ(exo_mmio_restrict(m, 0xb8000, 0x800), E(EINVAL));  // unaligned size
	CHECK_EQ(exo_mmio_restrict(m, 0xb8800, 0x1000), E(EINVAL)); // unaligned address
	CHECK_EQ(exo_mmio_restrict(m, 0xb8000, 0), E(EINVAL));
	CHECK_EQ(exo_mmio_restrict(m, ~0xfffull, 0x2000), E(EINVAL)); // wraps
	CHECK_EQ(exo_mmio_restrict(bi->mmio, 0, 1ull << 53), E(EINVAL));
	CHECK_EQ(exo_mmio_restrict(0, 0xb8000, 0x1000), E(EBADCAP));
	CHECK_EQ(exo_mmio_restrict(tq, 0xb8000, 0x1000), E(ETYPE));
	CHECK_EQ(exo_cap_delete(m), 0);
}

static void test_irq(void)
{
	static struct worker w;
	uint64_t irq2 = bi->irq_first + 2, irq5 = bi->irq_first + 5, last = bi->irq_first + bi->nirqs - 1;
	uint64_t ir, n;
	uint16_t div = 1193; // ~1 kHz

	CHECK_EQ(exo_irq_wait(0), E(EBADCAP));
	CHECK_EQ(exo_irq_wait(tq), E(ETYPE));
	CHECK_EQ(exo_irq_ack(0), E(EBADCAP));
	CHECK_EQ(exo_irq_ack(tq), E(ETYPE));
	CHECK_EQ(exo_irq_ack(last), E(EINVAL)); // never routed
	ir = (uint64_t)exo_cap_copy(irq2, 0, EXO_R_WRITE);
	CHECK_EQ(exo_irq_wait(ir), E(EPERM)); // needs READ
	CHECK_EQ(exo_cap_delete(ir), 0);
	ir = (uint64_t)exo_cap_copy(irq2, 0, EXO_R_READ);
	CHECK_EQ(exo_irq_ack(ir), E(EPERM)); // needs WRITE
	CHECK_EQ(exo_cap_delete(ir), 0);

	// One waiter per line: a thread waits on GSI 5 (no device), a second wait is refused.
	w.target = irq5;
	start_worker(&w, W_IRQ_WAIT, 20, 2);
	CHECK_EQ(w.flag, 1);
	CHECK_EQ(info_of(w.self).b, TS_WAIT_IRQ);
	CHECK_EQ(exo_irq_wait(irq5), E(EBUSY));
	CHECK_EQ(exo_thread_suspend(w.self), E(EBUSY));
	CHECK_EQ(exo_thread_resume(w.self), E(EBUSY));
	CHECK_EQ(exo_thread_set_prio(w.self, 21), 0);
	CHECK_EQ(exo_thread_destroy(w.self), 0); // ends the wait
	CHECK_EQ(w.flag, 1);
	CHECK_EQ(exo_cap_delete(w.self), 0);
	CHECK_EQ(exo_irq_ack(irq5), 0); // routed by the wait

	// The PIT (ISA IRQ 0, GSI 2 through the MADT override) at ~1 kHz. The wait happens in a thread
	// so that a missing interrupt is a failed check instead of a hang.
	CHECK_EQ(exo_ioport_enable(bi->ioports, 0x40, 4), 0);
	CHECK(!faults_inb(0x40));
	CHECK(faults_inb(0x44));
	outb(0x43, 0x34); // channel 0, lo/hi byte, rate generator
	outb(0x40, div & 0xff);
	outb(0x40, div >> 8);
	for (int round = 0; round < 3; round++) {
		w.target = irq2;
		start_worker(&w, W_IRQ_WAIT, 20, 2);
		if (!wait_flag(&w.flag, 2)) {
			TEST_FAIL("no PIT interrupt on GSI 2");
			exo_thread_destroy(w.self);
		}
		CHECK(w.result >= 1);
		CHECK_EQ(exo_cap_delete(w.self), 0);
		CHECK_EQ(exo_irq_ack(irq2), 0);
	}
	// Directly from the main thread as well, now that it is known to fire.
	CHECK(exo_irq_wait(irq2) >= 1);
	CHECK_EQ(exo_irq_ack(irq2), 0);

	// irq_bind: the line signals a notification bit instead.
	n = (uint64_t)exo_notify_create();
	CHECK_EQ(exo_irq_bind(irq2, n, 63), E(EINVAL));
	CHECK_EQ(exo_irq_bind(irq2, n, ~0ull), E(EINVAL));
	CHECK_EQ(exo_irq_bind(irq2, tq, 1), E(ETYPE));
	CHECK_EQ(exo_irq_bind(irq2, 12345, 1), E(EBADCAP));
	CHECK_EQ(exo_irq_bind(tq, n, 1), E(ETYPE));
	CHECK_EQ(exo_irq_bind(0, n, 1), E(EBADCAP));
	ir = (uint64_t)exo_cap_copy(irq2, 0, EXO_R_READ);
	CHECK_EQ(exo_irq_bind(ir, n, 1), E(EPERM)); // needs WRITE on the IRQ
	CHECK_EQ(exo_cap_delete(ir), 0);
	ir = (uint64_t)exo_cap_copy(n, 0, EXO_R_READ);
	CHECK_EQ(exo_irq_bind(irq2, ir, 1), E(EPERM)); // and on the notification
	CHECK_EQ(exo_cap_delete(ir), 0);
	CHECK_EQ(exo_irq_bind(irq2, n, 1), 0);
	CHECK_EQ(exo_irq_wait(irq2), E(EBUSY)); // bound: nobody waits
	w.target = n;
	start_worker(&w, W_NTFN_WAIT, 20, 2);
	if (!wait_flag(&w.flag, 2)) {
		TEST_FAIL("no PIT interrupt through the notification");
		exo_thread_destroy(w.self);
	}
	CHECK_EQ(w.result, 2);
	CHECK_EQ(exo_cap_delete(w.self), 0);
	CHECK_EQ(exo_irq_ack(irq2), 0);
	CHECK_EQ(exo_irq_bind(irq2, 0, 0), 0); // unbinds
	CHECK_EQ(exo_irq_bind(irq2, 0, 0), 0);
	CHECK_EQ(exo_irq_ack(irq2), 0); // (a tick while bound may have masked the line again)
	w.target = irq2;
	start_worker(&w, W_IRQ_WAIT, 20, 2); // waiting works again
	if (!wait_flag(&w.flag, 2)) {
		TEST_FAIL("no PIT interrupt after irq_bind(0)");
		exo_thread_destroy(w.self);
	}
	CHECK(w.result >= 1);
	CHECK_EQ(exo_cap_delete(w.self), 0);
	CHECK_EQ(exo_irq_ack(irq2), 0);
	outb(0x43, 0x30); // channel 0, mode 0, no count: stops
	// No binding while a thread waits.
	w.target = irq5;
	start_worker(&w, W_IRQ_WAIT, 20, 2);
	CHECK_EQ(exo_irq_bind(irq5, n, 1), E(EBUSY));
	CHECK_EQ(exo_thread_destroy(w.self), 0);
	CHECK_EQ(exo_cap_delete(w.self), 0);
	CHECK_EQ(exo_cap_delete(n), 0);
	// A binding whose notification and IRQ capabilities are all deleted must not live on (it
	// would keep the notification, and the line busy, for good - across processes).
	ir = (uint64_t)exo_cap_copy(irq5, 0, EXO_R_ALL);
	n = (uint64_t)exo_notify_create();
	CHECK_EQ(exo_irq_bind(ir, n, 3), 0);
	CHECK_EQ(exo_cap_delete(n), 0);
	CHECK_EQ(exo_cap_delete(ir), 0);
	w.target = irq5;
	start_worker(&w, W_IRQ_WAIT, 20, 2);
	CHECK_BUG(w.flag == 1 && info_of(w.self).b == TS_WAIT_IRQ,
	          "irq_bind: the binding outlives every capability to its notification (irq_wait: EBUSY)");
	exo_thread_destroy(w.self);
	CHECK_EQ(exo_cap_delete(w.self), 0);
	CHECK_EQ(exo_irq_bind(irq5, 0, 0), 0); // (frees the orphaned notification)
}

int main(uint64_t arg)
{
	static const struct test_case cases[] = { SYSCALLS_UP, TEST_CASE(test_ioport_mmio),
		                                  TEST_CASE(test_irq), SYSCALLS_DOWN };

	return syscalls_main(arg, "syscalls_device", cases, TEST_NELEM(cases));
}
