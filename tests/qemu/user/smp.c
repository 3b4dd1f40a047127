// SPDX-License-Identifier: MIT
// SMP, as init on four CPUs: threads pinned to CPUs 1..3 (one of them moved there by migrate) see
// their own CPU number and run at the same time as the main thread on CPU 0, which plays ping-pong
// with each through memory (on one CPU every exchange would wait for a time slice to end); a page
// CPU 0 unmaps faults on CPU 1 right after the unmap returns (TLB shootdown); affinity and migrate
// errors.
#include "syscalls.h"

#define NCPUS     4
#define EXCHANGES 1000  // ping-pong round trips with each spinner
#define LIMIT_MS  20000 // for all 3000: one CPU needs two time slices (10 ms) for each, 60 s

struct spinner {
	uint64_t self;
	volatile unsigned cpu; // what cpu_info said last
	volatile uint64_t count;
	volatile uint64_t ball; // odd: the main thread served, the spinner returns it
	volatile int stop;
};

static struct spinner sp[NCPUS];

static unsigned cpu_now(void)
{
	return (unsigned)(exo_cpu_info() & 0xffffffff);
}

static void spinner_entry(uint64_t arg)
{
	struct spinner *s = (struct spinner *)arg;

	while (!s->stop) { // no kernel calls on the way: they would serialise on the kernel lock
		if (s->ball & 1)
			s->ball++;
		if (s->count % 4096 == 0)
			s->cpu = cpu_now();
		s->count++;
	}
	exo_thread_destroy(s->self);
}

static uint64_t new_thread(void)
{
	long t = exo_thread_create(bi->self, 16);

	CHECK(t > 0);
	return (uint64_t)t;
}

// Round trips with spinner i through memory; false if one takes too long.
static int ping_pong(int i)
{
	for (int k = 0; k < EXCHANGES; k++) {
		uint64_t spins = 0;

		sp[i].ball++;
		while ((sp[i].ball & 1) && ++spins < 1000000000)
			;
		if (sp[i].ball & 1)
			return 0;
	}
	return 1;
}

static void test_parallel(void)
{
	uint64_t start, ms;

	CHECK_EQ(exo_cpu_info() >> 32, NCPUS);
	CHECK_EQ(exo_thread_set_affinity(bi->thread, 1), 0); // the main thread on CPU 0
	CHECK_EQ(cpu_now(), 0);
	for (int i = 1; i < NCPUS; i++) {
		sp[i].self = new_thread();
		if (i < NCPUS - 1)
			CHECK_EQ(exo_thread_set_affinity(sp[i].self, 1ul << i), 0);
		CHECK_EQ(test_thread_start(sp[i].self, spinner_entry,
		                           STACK_TOP(i) - STACK_PAGES * EXO_PAGE_SIZE, STACK_TOP(i),
		                           (uint64_t)&sp[i], "spinner"),
		         0);
	}
	CHECK_EQ(exo_thread_migrate(sp[NCPUS - 1].self, NCPUS - 1), 0);
	for (int i = 1; i < NCPUS; i++) {
		for (int n = 0; n < 2000 && (sp[i].count < 4096 || sp[i].cpu != (unsigned)i); n++)
			test_sleep_ms(1);
		CHECK_EQ(sp[i].cpu, i);
	}
	start = test_now();
	for (int i = 1; i < NCPUS; i++)
		CHECK(ping_pong(i));
	ms = (test_now() - start) / TEST_MS;
	exo_printf("smp: 4 threads on CPUs 0..3; %d round trips with each of 3 in %lu ms\n", EXCHANGES,
	           (unsigned long)ms);
	CHECK(ms < LIMIT_MS);
	for (int i = 1; i < NCPUS; i++)
		sp[i].stop = 1;
	for (int i = 1; i < NCPUS; i++) {
		for (int n = 0; n < 2000 && info_of(sp[i].self).type == EXO_OBJ_THREAD; n++)
			test_sleep_ms(1);
		CHECK_EQ(exo_cap_delete(sp[i].self), 0); // its handle turned stale when it ended
	}
	CHECK_EQ(exo_thread_set_affinity(bi->thread, ~0ul), 0);
}

// ---- TLB shootdown ----
static struct {
	uint64_t self;
	volatile long reads, unmapped;
	volatile long result; // 1: faulted after the unmap; -1: read the page after the unmap returned
} rd;

static void reader_entry(uint64_t arg)
{
	(void)arg;
	CHECK_EQ(exo_upcall_set((void *)upcall_handler, upcall_stack + sizeof(upcall_stack)), 0);
	for (;;) {
		long unmapped = rd.unmapped;

		if (faults_read(VA(1))) {
			rd.result = 1;
			break;
		}
		if (unmapped) {
			rd.result = -1;
			break;
		}
		rd.reads++;
	}
	exo_thread_destroy(rd.self);
}

static void test_shootdown(void)
{
	uint64_t f = map_fresh(VA(1));

	*(volatile uint64_t *)VA(1) = 0x5ca1ab1e;
	CHECK_EQ(exo_thread_set_affinity(bi->thread, 1), 0); // the unmap on CPU 0
	CHECK_EQ(cpu_now(), 0);
	rd.self = new_thread();
	CHECK_EQ(exo_thread_set_affinity(rd.self, 2), 0);
	CHECK_EQ(test_thread_start(rd.self, reader_entry, STACK_TOP(1) - STACK_PAGES * EXO_PAGE_SIZE,
	                           STACK_TOP(1), 0, "reader"),
	         0);
	for (int n = 0; n < 2000 && rd.reads < 10000; n++)
		test_sleep_ms(1);
	CHECK(rd.reads >= 10000); // it runs on CPU 1 with the page in its TLB
	CHECK_EQ(unmap1(bi->self, VA(1)), 1);
	rd.unmapped = 1;
	for (int n = 0; n < 2000 && !rd.result; n++)
		test_sleep_ms(1);
	CHECK_EQ(rd.result, 1);
	CHECK_EQ(probe.addr, VA(1));
	CHECK_EQ(exo_thread_set_affinity(bi->thread, ~0ul), 0);
	CHECK_EQ(exo_cap_delete(rd.self), 0);
	CHECK_EQ(exo_cap_delete(f), 0);
}

static void test_errors(void)
{
	uint64_t t = new_thread();

	CHECK_EQ(exo_thread_set_affinity(t, 0), E(EINVAL));
	CHECK_EQ(exo_thread_set_affinity(t, 1ul << 40), E(EINVAL)); // no such CPU online
	CHECK_EQ(exo_thread_set_affinity(0, 1), E(EBADCAP));
	CHECK_EQ(exo_thread_set_affinity(tq, 1), E(ETYPE));
	CHECK_EQ(exo_thread_migrate(t, NCPUS), E(EINVAL));
	CHECK_EQ(exo_thread_migrate(t, ~0ul), E(EINVAL));
	CHECK_EQ(exo_thread_set_affinity(t, 0x6), 0);
	CHECK_EQ(exo_thread_migrate(t, 0), E(EINVAL)); // outside its affinity
	CHECK_EQ(exo_thread_migrate(t, 2), 0);
	CHECK_EQ(exo_thread_migrate(0, 0), E(EBADCAP));
	CHECK_EQ(exo_thread_destroy(t), 0);
	CHECK_EQ(exo_cap_delete(t), 0);
}

int main(uint64_t arg)
{
	static const struct test_case cases[] = { SYSCALLS_UP, TEST_CASE(test_parallel),
		                                  TEST_CASE(test_shootdown), TEST_CASE(test_errors),
		                                  SYSCALLS_DOWN };

	return syscalls_main(arg, "smp", cases, TEST_NELEM(cases));
}
