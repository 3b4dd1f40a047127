// SPDX-License-Identifier: MIT
// Isolation between processes, as init: children spawned from this same program (module 0) in
// roles chosen by their argument. A child sees only its own address space and capabilities; a
// crash or a forbidden I/O port kills only the child, with a reason; a busy loop is preempted;
// rights on a shared frame hold; a CPU budget holds a higher-priority busy loop to its share. Parent and
// children meet in a mailbox page mapped in both.
#include "testlib.h"

#define MAILBOX ((volatile struct mailbox *)0x500000000ull)
#define SECRET  ((volatile uint64_t *)0x600000000ull)
#define PRIO    16

enum role { PARENT, CRASH = 1, PORT, SNOOP, SPIN, SHARED, HOG };

struct mailbox {
	uint64_t proc;    // the child's own PROCESS capability (SHARED)
	uint64_t frame;   // a read-only FRAME capability (SHARED)
	uint64_t result;  // set by the child
	uint64_t counter; // incremented by SPIN
};

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static int child(enum role role)
{
	switch (role) {
	case CRASH:
		return (int)*(volatile uint64_t *)0; // killed: page fault at 0x0
	case PORT:
		return inb(0x70); // killed: general protection (no port enabled)
	case SNOOP:
		return (int)*SECRET; // the parent's page is not in this address space
	case SPIN:
	case HOG:
		for (;;)
			MAILBOX->counter++;
	case SHARED: {
		while (!MAILBOX->proc) // the parent writes the handles once we exist
			exo_thread_yield();
		struct exo_map_op rw = { MAILBOX->frame, 0x700000000ull, EXO_R_READ | EXO_R_WRITE };
		struct exo_map_op ro = { MAILBOX->frame, 0x700000000ull, EXO_R_READ };

		long r = exo_vspace_map(MAILBOX->proc, &rw, 1);

		if (r != -EXO_EPERM) {
			exo_printf("isolation: writable map in the child gave %ld\n", r);
			return 1;
		}
		r = exo_vspace_map(MAILBOX->proc, &ro, 1);

		if (r != 1) {
			exo_printf("isolation: read-only map in the child gave %ld\n", r);
			return 2;
		}
		MAILBOX->result = *(volatile uint64_t *)0x700000000ull;
		return 0;
	}
	default:
		return 99;
	}
}

static const struct exo_bootinfo *bi;

static void map_new(uint64_t process, uint64_t va, uint64_t *frame)
{
	struct exo_map_op op = { 0, va, EXO_R_READ | EXO_R_WRITE };

	CHECK(exo_frame_alloc(bi->quota, 1, &op.frame) == 1);
	CHECK(exo_vspace_map(process, &op, 1) == 1);
	*frame = op.frame;
}

// Spawns a child in role with the mailbox page shared; returns its process handle. The child
// starts at the lowest priority, so it cannot run before the mailbox is mapped, then gets the
// parent's (but HOG, which is raised above it once its CPU budget is bound).
static uint64_t spawn(enum role role, uint64_t mailbox_frame, uint64_t *thread)
{
	uint64_t p = 0, t = 0;
	struct exo_map_op op = { mailbox_frame, (uint64_t)MAILBOX, EXO_R_READ | EXO_R_WRITE };

	CHECK(exo_spawn(bi->self, bi->quota, &bi->modules[0], "child", 1, role, &p, &t) == 0);
	CHECK(exo_vspace_map(p, &op, 1) == 1);
	if (role != HOG)
		CHECK(exo_thread_set_prio(t, PRIO) == 0);
	*thread = t;
	return p;
}

static void reap(uint64_t p, uint64_t t)
{
	exo_cap_delete(t);
	exo_cap_delete(p);
}

int main(uint64_t arg)
{
	uint64_t mbox, secret, p, t, spin, spin_t, ro;

	if (arg < 4096)
		return child((enum role)arg);
	bi = test_begin("isolation", arg);
	if (!bi)
		return test_end();
	map_new(bi->self, (uint64_t)MAILBOX, &mbox);
	map_new(bi->self, (uint64_t)SECRET, &secret);
	*SECRET = 0x5ec12e7;

	// A busy loop at the parent's priority does not keep the parent from running.
	spin = spawn(SPIN, mbox, &spin_t);
	exo_thread_sleep((uint64_t)exo_clock_ns() + 20000000);
	CHECK(MAILBOX->counter > 0);

	// Crashes and forbidden ports kill only the child, with its reason; the spinner goes on.
	p = spawn(CRASH, mbox, &t);
	CHECK_EQ(test_wait_status(p, 3000), EXO_STATUS_FAULT(14));
	reap(p, t);
	p = spawn(PORT, mbox, &t);
	CHECK_EQ(test_wait_status(p, 3000), EXO_STATUS_FAULT(13));
	reap(p, t);
	p = spawn(SNOOP, mbox, &t);
	CHECK_EQ(test_wait_status(p, 3000), EXO_STATUS_FAULT(14));
	reap(p, t);
	uint64_t before = MAILBOX->counter;
	exo_thread_sleep((uint64_t)exo_clock_ns() + 20000000);
	CHECK(MAILBOX->counter > before);
	CHECK(exo_process_kill(spin, 9) == 0);
	CHECK_EQ(test_wait_status(spin, 3000), 9);
	reap(spin, spin_t);

	// A busy loop above the parent's priority, bound to a fifth of the CPU, leaves it the rest.
	struct exo_cap_info info;
	uint64_t ts = (uint64_t)exo_timeslice_split(bi->timeslice, 20);

	CHECK((long)ts > 0);
	spin = spawn(HOG, mbox, &spin_t); // raised above the parent only once it is bound
	CHECK(exo_process_set_timeslice(spin, ts) == 0);
	CHECK(exo_process_set_timeslice(spin, ts) == -EXO_EBUSY);
	CHECK(exo_thread_set_prio(spin_t, PRIO + 4) == 0);
	before = MAILBOX->counter;
	for (int i = 0; i < 30; i++) // 300 ms: runs only while the hog is throttled
		exo_thread_sleep((uint64_t)exo_clock_ns() + 10000000);
	CHECK(MAILBOX->counter > before);
	CHECK(exo_cap_info(ts, &info) == 0 && info.type == EXO_OBJ_TIMESLICE && info.a == 20 && info.b >= 2);
	CHECK(exo_timeslice_split(bi->timeslice, 81) == -EXO_ENOMEM); // 20 of 100 are taken
	CHECK(exo_process_kill(spin, 9) == 0);
	CHECK_EQ(test_wait_status(spin, 3000), 9);
	reap(spin, spin_t);
	CHECK(exo_cap_delete(ts) == 0);

	// With the port range enabled, the parent may use it.
	CHECK(exo_ioport_enable(bi->ioports, 0x70, 2) == 0);
	(void)inb(0x71);

	// A read-only copy of a frame capability maps read-only, never writable.
	p = spawn(SHARED, mbox, &t);
	ro = exo_cap_copy(secret, p, EXO_R_READ);
	CHECK((long)ro > 0);
	MAILBOX->frame = ro;
	MAILBOX->proc = exo_cap_copy(p, p, EXO_R_CONTROL);
	CHECK((long)MAILBOX->proc > 0);
	long st = test_wait_status(p, 3000);

	if (st)
		exo_printf("isolation: the SHARED child ended with %ld\n", st);
	CHECK(st == 0);
	CHECK(MAILBOX->result == 0x5ec12e7);
	reap(p, t);

	exo_cap_delete(mbox);
	exo_cap_delete(secret);
	return test_end();
}
