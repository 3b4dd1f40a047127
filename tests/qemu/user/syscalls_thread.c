// SPDX-License-Identifier: MIT
// Kernel calls on threads (create, start, suspend, resume, priorities, clock, sleep, FS base) and
// timeslices. Each success case with its effect verified and each error path of the handler, as
// init; the fixture is tests/qemu/lib/syscalls.h.
#include "syscalls.h"

static void test_threads(void)
{
	static struct worker w1, w2;
	struct exo_cap_info ci;
	uint64_t fsa, fsb, t, tr;
	long h, cnt;

	// thread_create errors.
	CHECK_EQ(exo_thread_create(bi->self, 32), E(EPERM)); // above the process's limit
	CHECK_EQ(exo_thread_create(bi->self, ~0ul), E(EPERM));
	CHECK_EQ(exo_thread_create(0, 1), E(EBADCAP));
	CHECK_EQ(exo_thread_create(tq, 1), E(ETYPE));
	tr = (uint64_t)exo_cap_copy(bi->self, 0, EXO_R_READ);
	CHECK_EQ(exo_thread_create(tr, 1), E(EPERM));
	CHECK_EQ(exo_cap_delete(tr), 0);

	// A thread at the same priority runs when the main thread yields.
	h = exo_thread_create(bi->self, 31);
	CHECK(h > 0);
	ci = info_of((uint64_t)h);
	CHECK_EQ(ci.type, EXO_OBJ_THREAD);
	CHECK_EQ(ci.rights, EXO_R_ALL);
	CHECK_EQ(ci.b, TS_INACTIVE);
	CHECK(ci.a != info_of(bi->thread).a); // thread ids differ
	// An inactive thread cannot be suspended or resumed.
	CHECK_EQ(exo_thread_suspend((uint64_t)h), E(EBUSY));
	CHECK_EQ(exo_thread_resume((uint64_t)h), E(EBUSY));
	CHECK_EQ(exo_thread_set_prio((uint64_t)h, 16), 0);
	// thread_start errors.
	CHECK_EQ(exo_thread_start((uint64_t)h, 0, STACK_TOP(0) - 8, 0), E(EINVAL));
	CHECK_EQ(exo_thread_start((uint64_t)h, KADDR, STACK_TOP(0) - 8, 0), E(EINVAL));
	CHECK_EQ(exo_thread_start((uint64_t)h, NONCANON, STACK_TOP(0) - 8, 0), E(EINVAL));
	CHECK_EQ(exo_thread_start((uint64_t)h, USER_TOP, STACK_TOP(0) - 8, 0), E(EINVAL));
	CHECK_EQ(exo_thread_start((uint64_t)h, (uint64_t)worker_entry, KADDR, 0), E(EINVAL));
	CHECK_EQ(exo_thread_start((uint64_t)h, (uint64_t)worker_entry, NONCANON, 0), E(EINVAL));
	CHECK_EQ(exo_thread_start((uint64_t)h, (uint64_t)worker_entry, 0, 0), E(EINVAL));
	CHECK_EQ(exo_thread_start(0, (uint64_t)worker_entry, STACK_TOP(0) - 8, 0), E(EBADCAP));
	CHECK_EQ(exo_thread_start(tq, (uint64_t)worker_entry, STACK_TOP(0) - 8, 0), E(ETYPE));
	tr = (uint64_t)exo_cap_copy((uint64_t)h, 0, EXO_R_READ | EXO_R_WRITE);
	CHECK_EQ(exo_thread_start(tr, (uint64_t)worker_entry, STACK_TOP(0) - 8, 0), E(EPERM));
	CHECK_EQ(exo_thread_suspend(tr), E(EPERM));
	CHECK_EQ(exo_thread_resume(tr), E(EPERM));
	CHECK_EQ(exo_thread_set_prio(tr, 1), E(EPERM));
	CHECK_EQ(exo_thread_destroy(tr), E(EPERM));
	CHECK_EQ(exo_cap_delete(tr), 0);
	w1.self = (uint64_t)h;
	w1.role = W_SET;
	w1.flag = 0;
	CHECK_EQ(exo_thread_start(w1.self, (uint64_t)worker_entry, STACK_TOP(0) - 8, (uint64_t)&w1), 0);
	CHECK_EQ(exo_thread_start(w1.self, (uint64_t)worker_entry, STACK_TOP(0) - 8, (uint64_t)&w1),
	         E(EBUSY));
	CHECK_EQ(info_of(w1.self).b, TS_RUNNABLE);
	CHECK_EQ(w1.flag, 0); // same priority: not run yet
	CHECK_EQ(exo_thread_yield(), 0);
	CHECK_EQ(w1.flag, 1);
	// It destroyed itself: its capability is stale but can be deleted.
	CHECK_EQ(exo_cap_info(w1.self, &ci), E(EBADCAP));
	CHECK_EQ(exo_thread_suspend(w1.self), E(EBADCAP));
	CHECK_EQ(exo_thread_resume(w1.self), E(EBADCAP));
	CHECK_EQ(exo_thread_destroy(w1.self), E(EBADCAP));
	CHECK_EQ(exo_thread_set_prio(w1.self, 3), E(EBADCAP));
	CHECK_EQ(exo_thread_start(w1.self, (uint64_t)worker_entry, STACK_TOP(0) - 8, 0), E(EBADCAP));
	CHECK_EQ(exo_cap_copy(w1.self, 0, 0), E(EBADCAP));
	CHECK_EQ(exo_cap_delete(w1.self), 0);

	// thread_set_prio: a higher priority thread runs at once.
	h = exo_thread_create(bi->self, 16);
	CHECK(h > 0);
	w1.self = (uint64_t)h;
	w1.role = W_SET;
	w1.flag = 0;
	CHECK_EQ(exo_thread_set_prio(w1.self, 32), E(EPERM));
	CHECK_EQ(exo_thread_set_prio(w1.self, ~0ul), E(EPERM));
	CHECK_EQ(exo_thread_set_prio(0, 1), E(EBADCAP));
	CHECK_EQ(exo_thread_set_prio(tq, 1), E(ETYPE));
	CHECK_EQ(exo_thread_set_prio(w1.self, 20), 0);
	CHECK_EQ(exo_thread_start(w1.self, (uint64_t)worker_entry, STACK_TOP(0) - 8, (uint64_t)&w1), 0);
	CHECK_EQ(w1.flag, 1); // ran before thread_start returned
	CHECK_EQ(exo_cap_delete(w1.self), 0);
	// A started thread can be raised while runnable.
	h = exo_thread_create(bi->self, 16);
	w1.self = (uint64_t)h;
	w1.flag = 0;
	CHECK_EQ(exo_thread_start(w1.self, (uint64_t)worker_entry, STACK_TOP(0) - 8, (uint64_t)&w1), 0);
	CHECK_EQ(w1.flag, 0);
	CHECK_EQ(exo_thread_set_prio(w1.self, 1), 0);  // lowered below us: we go on
	CHECK_EQ(exo_thread_set_prio(w1.self, 16), 0); // back to ours: it waits its turn
	CHECK_EQ(w1.flag, 0);
	CHECK_EQ(exo_thread_set_prio(w1.self, 17), 0); // above us: it runs at once
	CHECK_EQ(w1.flag, 1);
	CHECK_EQ(exo_cap_delete(w1.self), 0);

	// thread_suspend / thread_resume of a spinning thread.
	start_worker(&w1, W_SPIN, 16, 0);
	exo_thread_yield();
	exo_thread_yield();
	CHECK(w1.counter > 0);
	CHECK_EQ(exo_thread_suspend(w1.self), 0);
	CHECK_EQ(info_of(w1.self).b, TS_SUSPENDED);
	CHECK_EQ(exo_thread_suspend(w1.self), E(EBUSY));
	cnt = w1.counter;
	for (int i = 0; i < 5; i++)
		exo_thread_yield();
	test_sleep_ms(2);
	CHECK_EQ(w1.counter, cnt); // does not run
	CHECK_EQ(exo_thread_resume(w1.self), 0);
	CHECK_EQ(exo_thread_resume(w1.self), E(EBUSY));
	exo_thread_yield();
	exo_thread_yield();
	CHECK(w1.counter > cnt);
	w1.stop = 1;
	CHECK(wait_flag(&w1.flag, 1));
	CHECK_EQ(exo_cap_delete(w1.self), 0);
	// thread_destroy of another thread, while suspended.
	start_worker(&w1, W_SPIN, 16, 0);
	exo_thread_yield();
	CHECK_EQ(exo_thread_suspend(w1.self), 0);
	CHECK_EQ(exo_thread_destroy(w1.self), 0);
	CHECK_EQ(exo_thread_destroy(w1.self), E(EBADCAP));
	CHECK_EQ(exo_cap_info(w1.self, &ci), E(EBADCAP));
	CHECK_EQ(exo_cap_delete(w1.self), 0);
	CHECK_EQ(exo_thread_destroy(0), E(EBADCAP));
	CHECK_EQ(exo_thread_destroy(tq), E(ETYPE));
	// ... and while runnable.
	start_worker(&w1, W_SPIN, 16, 0);
	exo_thread_yield();
	cnt = w1.counter;
	CHECK_EQ(exo_thread_destroy(w1.self), 0);
	exo_thread_yield();
	CHECK_EQ(w1.counter, cnt);
	CHECK_EQ(exo_cap_delete(w1.self), 0);

	// A thread suspends itself; resume lets it go on.
	start_worker(&w1, W_SUSPEND_SELF, 20, 0);
	CHECK_EQ(w1.flag, 1);
	CHECK_EQ(info_of(w1.self).b, TS_SUSPENDED);
	CHECK_EQ(exo_thread_resume(w1.self), 0);
	CHECK_EQ(w1.flag, 2); // higher priority: ran to its end before resume returned
	CHECK_EQ(w1.result, 0);
	CHECK_EQ(exo_cap_delete(w1.self), 0);
	// The main thread suspends itself; a lower priority thread resumes it.
	w1.target = bi->thread;
	start_worker(&w1, W_RESUME, 10, 0);
	CHECK_EQ(w1.flag, 0);
	CHECK_EQ(exo_thread_suspend(bi->thread), 0);
	CHECK_EQ(w1.flag, 1); // resumed by the worker, which has not gone on yet (lower priority)
	CHECK(wait_flag(&w1.flag, 2));
	CHECK_EQ(w1.result, 0);
	CHECK_EQ(exo_cap_delete(w1.self), 0);
	CHECK_EQ(exo_thread_resume(bi->thread), E(EBUSY)); // running, not suspended

	// A sleep is cut short by suspend + resume.
	start_worker(&w1, W_SLEEP, 20, 0);
	CHECK_EQ(w1.flag, 1);
	CHECK_EQ(info_of(w1.self).b, TS_BLOCKED);
	CHECK_EQ(exo_thread_suspend(w1.self), 0);
	CHECK_EQ(info_of(w1.self).b, TS_SUSPENDED);
	CHECK_EQ(exo_thread_resume(w1.self), 0);
	CHECK_EQ(w1.flag, 2);
	CHECK_EQ(w1.result, 0);
	CHECK(w1.result2 >= 0 && w1.result2 < 1000000000);
	CHECK_EQ(exo_cap_delete(w1.self), 0);

	// clock_ns, thread_sleep, thread_yield.
	{
		long c0 = exo_clock_ns(), c1;

		CHECK(c0 > 0);
		CHECK_EQ(exo_thread_sleep(0), 0); // in the past: returns at once
		CHECK_EQ(exo_thread_sleep((uint64_t)c0), 0);
		CHECK_EQ(exo_thread_sleep((uint64_t)c0 + 3000000), 0);
		c1 = exo_clock_ns();
		CHECK(c1 >= c0 + 3000000);
		CHECK(c1 < c0 + 2000000000l);
		CHECK_EQ(exo_thread_yield(), 0);
		CHECK(exo_clock_ns() >= c1);
	}
	// clock_params: the clock computed from the TSC lies between two kernel reads.
	{
		struct exo_clock_params cp;
		uint64_t before, mine, after;
		uint32_t lo, hi;

		CHECK_EQ(exo_clock_params(&cp), 0);
		CHECK(cp.mult != 0); // QEMU's TSC rate is known
		before = (uint64_t)exo_clock_ns();
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		mine = (uint64_t)((unsigned __int128)(((uint64_t)hi << 32 | lo) - cp.tsc0) * cp.mult >> 32);
		after = (uint64_t)exo_clock_ns();
		CHECK(before <= mine && mine <= after);
		CHECK_EQ(exo_clock_params(NULL), E(EFAULT));
		CHECK_EQ(exo_clock_params((void *)KADDR), E(EFAULT));
		CHECK_EQ(exo_clock_params((void *)NONCANON), E(EFAULT));
		CHECK_EQ(exo_clock_params((void *)UNMAPPED), E(EFAULT));
		CHECK_EQ(exo_clock_params((void *)EXO_BOOTINFO_ADDR), E(EFAULT)); // read-only
	}

	// set_fs_base: per thread, kept across switches.
	fsa = map_fresh(VA(300));
	fsb = map_fresh(VA(301));
	*(volatile uint64_t *)VA(300) = 0xaaaa;
	*(volatile uint64_t *)VA(301) = 0xbbbb;
	CHECK_EQ(exo_set_fs_base(VA(300)), 0);
	CHECK_EQ(read_fs0(), 0xaaaa);
	w2.target = VA(301);
	start_worker(&w2, W_FS, 16, 1);
	exo_thread_yield();
	CHECK_EQ(w2.flag, 1);
	CHECK_EQ(w2.result, 0);
	CHECK_EQ(w2.counter, 0xbbbb);
	CHECK_EQ(read_fs0(), 0xaaaa);
	CHECK(wait_flag(&w2.flag, 2));
	CHECK_EQ(w2.result2, 0xbbbb);
	CHECK_EQ(read_fs0(), 0xaaaa);
	CHECK_EQ(exo_cap_delete(w2.self), 0);
	CHECK_EQ(exo_set_fs_base(KADDR), E(EINVAL));
	CHECK_EQ(exo_set_fs_base(KADDR2), E(EINVAL));
	CHECK_EQ(exo_set_fs_base(NONCANON), E(EINVAL));
	CHECK_EQ(exo_set_fs_base(NONCANON2), E(EINVAL));
	CHECK_EQ(exo_set_fs_base(USER_TOP + 1), E(EINVAL));
	CHECK_EQ(exo_set_fs_base(~0ul), E(EINVAL));
	CHECK_EQ(read_fs0(), 0xaaaa); // unchanged by the failures
	CHECK_EQ(exo_set_fs_base(VA(301) + 8), 0);
	CHECK_EQ(read_fs0(), 0);
	CHECK_EQ(exo_set_fs_base(0), 0);
	unmap_free(VA(300), fsa);
	unmap_free(VA(301), fsb);

	// The main thread's own priority.
	CHECK_EQ(exo_thread_set_prio(bi->thread, 31), 0);
	CHECK_EQ(exo_thread_set_prio(bi->thread, 16), 0);
	// A thread capability copied without CONTROL may only be looked at.
	t = (uint64_t)exo_cap_copy(bi->thread, 0, EXO_R_READ);
	CHECK_EQ(info_of(t).b, TS_RUNNING);
	CHECK_EQ(exo_thread_set_prio(t, 16), E(EPERM));
	CHECK_EQ(exo_cap_delete(t), 0);
}

static void test_timeslice(void)
{
	uint64_t root = bi->timeslice, t60, t40, t, ts5, r, p, th;
	struct exo_cap_info ci;
	int seen = 0;
	long h, st;

	CHECK_EQ(exo_timeslice_split(root, PERIOD + 1), E(EINVAL));
	CHECK_EQ(exo_timeslice_split(root, ~0ul), E(EINVAL));
	CHECK_EQ(exo_timeslice_split(root, 0), E(ENOMEM));
	CHECK_EQ(exo_timeslice_split(0, 1), E(EBADCAP));
	CHECK_EQ(exo_timeslice_split(tq, 1), E(ETYPE));
	r = (uint64_t)exo_cap_copy(root, 0, EXO_R_READ | EXO_R_CONTROL | EXO_R_GRANT);
	CHECK_EQ(exo_timeslice_split(r, 1), E(EPERM)); // needs WRITE
	// Splitting moves budget: what is left of the parent bounds the next split.
	h = exo_timeslice_split(root, 60);
	CHECK(h > 0);
	t60 = (uint64_t)h;
	ci = info_of(t60);
	CHECK_EQ(ci.type, EXO_OBJ_TIMESLICE);
	CHECK_EQ(ci.rights, EXO_R_ALL);
	CHECK_EQ(ci.a, 60);
	CHECK_EQ(ci.b, 0);
	CHECK_EQ(exo_timeslice_split(root, PERIOD - 60 + 1), E(ENOMEM));
	h = exo_timeslice_split(root, PERIOD - 60);
	CHECK(h > 0);
	t40 = (uint64_t)h;
	CHECK_EQ(exo_timeslice_split(root, 1), E(ENOMEM));
	h = exo_timeslice_split(t60, 60); // all of it
	CHECK(h > 0);
	t = (uint64_t)h;
	CHECK_EQ(exo_timeslice_split(t60, 1), E(ENOMEM));
	CHECK_EQ(exo_cap_delete(t), 0); // gives its budget back
	h = exo_timeslice_split(t60, 1);
	CHECK(h > 0);
	CHECK_EQ(exo_cap_delete((uint64_t)h), 0);
	CHECK_EQ(exo_cap_delete(t40), 0);
	h = exo_timeslice_split(root, PERIOD - 60);
	CHECK(h > 0);
	CHECK_EQ(exo_cap_delete((uint64_t)h), 0);

	// A busy child bound to 5 ticks per period is throttled.
	h = exo_timeslice_split(t60, 5);
	CHECK(h > 0);
	ts5 = (uint64_t)h;
	CHECK_EQ(spawn(CHILD_SPIN, &p, &th), 0);
	CHECK_EQ(exo_process_set_timeslice(0, ts5), E(EBADCAP));
	CHECK_EQ(exo_process_set_timeslice(tq, ts5), E(ETYPE));
	CHECK_EQ(exo_process_set_timeslice(p, tq), E(ETYPE));
	CHECK_EQ(exo_process_set_timeslice(p, 0), E(EBADCAP));
	CHECK_EQ(exo_process_set_timeslice(p, r), E(EPERM)); // needs WRITE on the timeslice
	t = (uint64_t)exo_cap_copy(p, 0, EXO_R_READ | EXO_R_WRITE | EXO_R_GRANT);
	CHECK_EQ(exo_process_set_timeslice(t, ts5), E(EPERM)); // needs CONTROL on the process
	CHECK_EQ(exo_cap_delete(t), 0);
	CHECK_EQ(exo_process_set_timeslice(p, ts5), 0);
	CHECK_EQ(exo_process_set_timeslice(p, ts5), E(EBUSY)); // bound once
	CHECK_EQ(exo_process_set_timeslice(p, t60), E(EBUSY));
	for (int i = 0; i < 100 && !seen; i++) {
		test_sleep_ms(10);
		seen = info_of(th).b == TS_THROTTLED;
	}
	CHECK(seen);
	if (seen) { // suspend and resume work on a throttled thread too
		CHECK_EQ(exo_thread_suspend(th), 0);
		CHECK_EQ(info_of(th).b, TS_SUSPENDED);
		CHECK_EQ(exo_thread_resume(th), 0);
	}
	test_sleep_ms(250);
	CHECK(info_of(ts5).b >= 2); // periods in which it ran out
	CHECK_EQ(exo_process_status(p, &st), E(EAGAIN));
	CHECK_EQ(exo_process_kill(p, 9), 0);
	CHECK_EQ(exo_process_status(p, &st), 0);
	CHECK_EQ(st, 9);
	CHECK_EQ(exo_cap_delete(th), 0);
	CHECK_EQ(exo_cap_delete(p), 0);
	CHECK_EQ(test_used(cq), 0);
	CHECK_EQ(exo_cap_delete(ts5), 0);
	CHECK_EQ(exo_cap_delete(t60), 0);
	CHECK_EQ(exo_cap_delete(r), 0);
	h = exo_timeslice_split(root, PERIOD); // everything came back
	CHECK(h > 0);
	CHECK_EQ(exo_cap_delete((uint64_t)h), 0);
	CHECK_EQ(exo_cap_info(ts5, &ci), E(EBADCAP));
}

int main(uint64_t arg)
{
	static const struct test_case cases[] = { SYSCALLS_UP, TEST_CASE(test_threads),
		                                  TEST_CASE(test_timeslice), SYSCALLS_DOWN };

	return syscalls_main(arg, "syscalls_thread", cases, TEST_NELEM(cases));
}
