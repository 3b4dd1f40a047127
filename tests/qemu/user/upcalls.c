// SPDX-License-Identifier: MIT
// Faults reflected to user space, as init: a page-fault handler that maps the missing page
// (demand paging) and resumes; divide errors and invalid opcodes skipped by editing the saved
// registers; FPU/SSE state kept per thread across switches; and a handler that faults itself, or
// an upcall stack the kernel cannot write the fault record on (unmapped, read-only), which kills
// its process (checked in children).
#include "testlib.h"

#define DEMAND               0x800000000ull // nothing mapped here until the handler does it
#define STACK                0x900000000ull // upcall stack (one page) and thread stacks above it
#define CHILD_FAULTY_HANDLER 1
#define CHILD_UNMAPPED_STACK 2
#define CHILD_RO_STACK       3
#define UNMAPPED             0x600000000ull

static const struct exo_bootinfo *bi;
static int faults;

static void map_fresh(uint64_t va)
{
	struct exo_map_op op = { 0, va, EXO_R_READ | EXO_R_WRITE | EXO_MAP_MOVE };

	CHECK(exo_frame_alloc(bi->quota, 1, &op.frame) == 1);
	CHECK(exo_vspace_map(bi->self, &op, 1) == 1); // the mapping takes the frame until unmapped
}

static void handler(struct exo_fault *f)
{
	faults++;
	switch (f->vector) {
	case 14: // page fault: map the page and retry the access
		map_fresh(f->addr & ~0xfffull);
		break;
	case 0: // divide error: skip "div %rcx" (3 bytes) with a result of -1
	case 6: // invalid opcode: skip "ud2" (2 bytes)
		f->regs.rax = (uint64_t)-1;
		f->regs.rip += f->vector == 0 ? 3 : 2;
		break;
	default:
		exo_exit(100 + (int)f->vector);
	}
	exo_upcall_return(f);
}

static void faulty_handler(struct exo_fault *f)
{
	(void)f;
	*(volatile int *)0 = 1; // a fault inside the handler: the process must die
}

static uint64_t divide(uint64_t a, uint64_t b)
{
	uint64_t q;

	__asm__ volatile("xor %%edx, %%edx\n\tdiv %%rcx" : "=a"(q) : "a"(a), "c"(b) : "rdx");
	return q;
}

// FPU: two threads keep different values in xmm0 across many switches.
static volatile int done_threads;

static void fpu_worker(uint64_t seed)
{
	uint64_t out[2];

	for (int i = 0; i < 200; i++) {
		__asm__ volatile("movq %0, %%xmm0" : : "r"(seed + (uint64_t)i) : "xmm0");
		exo_thread_yield();
		__asm__ volatile("movq %%xmm0, %0" : "=r"(out[0]) : : "xmm0");
		CHECK_EQ(out[0], seed + (uint64_t)i); // xmm0 kept
	}
	done_threads++;
	for (;;)
		exo_thread_yield(); // the parent destroys us
}

static void test_fpu(void)
{
	uint64_t t[2];

	for (int i = 0; i < 2; i++) {
		uint64_t top = STACK + 0x10000 * (uint64_t)(i + 1);

		map_fresh(top - 0x1000);
		t[i] = (uint64_t)exo_thread_create(bi->self, 16);
		CHECK((long)t[i] > 0);
		CHECK_EQ(test_thread_start(t[i], fpu_worker, top - 0x1000, top, 0x1000000 * (uint64_t)(i + 1),
		                           "fpu"),
		         0);
	}
	while (done_threads < 2)
		exo_thread_yield();
	for (int i = 0; i < 2; i++) {
		CHECK(exo_thread_destroy(t[i]) == 0);
		exo_cap_delete(t[i]);
	}
}

int main(uint64_t arg)
{
	uint64_t p, t;

	if (arg == CHILD_FAULTY_HANDLER) {
		exo_upcall_set((void *)faulty_handler, (void *)(0x7ffffff00000ull - 0x8000));
		return (int)*(volatile uint64_t *)DEMAND;
	}
	if (arg == CHILD_UNMAPPED_STACK || arg == CHILD_RO_STACK) { // the record cannot be written
		uint64_t top =
		    arg == CHILD_RO_STACK ? ((uint64_t)main & ~0xfffull) + 0x1000 : UNMAPPED + 0x1000;

		exo_upcall_set((void *)handler, (void *)top);
		return (int)*(volatile uint64_t *)DEMAND;
	}
	bi = test_begin("upcalls", arg);
	if (!bi)
		return test_end();
	map_fresh(STACK);
	CHECK(exo_upcall_set((void *)handler, (void *)(STACK + 0x1000)) == 0);

	// Demand paging: 8 pages appear as they are touched.
	for (int i = 0; i < 8; i++)
		((volatile uint64_t *)(DEMAND + 0x1000 * (uint64_t)i))[1] = (uint64_t)i;
	for (int i = 0; i < 8; i++)
		CHECK(((volatile uint64_t *)(DEMAND + 0x1000 * (uint64_t)i))[1] == (uint64_t)i);
	CHECK(faults == 8);
	CHECK(divide(10, 0) == (uint64_t)-1 && faults == 9);
	CHECK(divide(10, 2) == 5);
	__asm__ volatile("ud2");
	CHECK(faults == 10);
	CHECK(exo_upcall_return((void *)STACK) == -EXO_EINVAL); // not in a handler

	test_fpu();

	CHECK(exo_spawn(bi->self, bi->quota, &bi->modules[0], "faulty", 16, CHILD_FAULTY_HANDLER, &p, &t) ==
	      0);
	CHECK_EQ(test_wait_status(p, 3000), EXO_STATUS_FAULT(14));
	exo_cap_delete(t);
	exo_cap_delete(p);
	for (uint64_t role = CHILD_UNMAPPED_STACK; role <= CHILD_RO_STACK; role++) {
		CHECK(exo_spawn(bi->self, bi->quota, &bi->modules[0], "badstack", 16, role, &p, &t) == 0);
		CHECK_EQ(test_wait_status(p, 3000), EXO_STATUS_FAULT(14));
		exo_cap_delete(t);
		exo_cap_delete(p);
	}

	uint64_t vas[9];
	for (int i = 0; i < 8; i++)
		vas[i] = DEMAND + 0x1000 * (uint64_t)i;
	vas[8] = STACK;
	CHECK(exo_upcall_set(0, 0) == 0);
	CHECK(exo_vspace_unmap(bi->self, vas, 9) == 9);
	exo_printf("upcalls: %d faults handled\n", faults);
	return test_end();
}
