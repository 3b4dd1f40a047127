// SPDX-License-Identifier: MIT
// Kernel calls on notifications (signal, wait, poll, timers); after the tear-down, a periodic timer
// that wraps (a buggy kernel panics). Each success case with its effect verified and each error
// path of the handler, as init; the fixture is tests/qemu/lib/syscalls.h.
#include "syscalls.h"

static void test_notify(void)
{
	static struct worker w;
	struct exo_cap_info ci;
	uint64_t n, nr, nw;
	long h, t0;

	h = exo_notify_create();
	CHECK(h > 0);
	n = (uint64_t)h;
	ci = info_of(n);
	CHECK_EQ(ci.type, EXO_OBJ_NOTIFICATION);
	CHECK_EQ(ci.rights, EXO_R_ALL);
	CHECK_EQ(exo_notify_poll(n), 0);
	CHECK_EQ(exo_notify_signal(n, 5), 0);
	CHECK_EQ(exo_notify_signal(n, 0x40), 0);
	CHECK_EQ(exo_notify_signal(n, 0), 0);
	CHECK_EQ(exo_notify_poll(n), 0x45); // ORed, then cleared
	CHECK_EQ(exo_notify_poll(n), 0);
	CHECK_EQ(exo_notify_signal(n, 1ull << 63), E(EINVAL)); // reserved: results stay non-negative
	CHECK_EQ(exo_notify_signal(n, ~0ull), E(EINVAL));
	CHECK_EQ(exo_notify_signal(n, 1ull << 62), 0);
	CHECK_EQ(exo_notify_wait(n), 1l << 62); // a set word: no waiting
	CHECK_EQ(exo_notify_poll(0), E(EBADCAP));
	CHECK_EQ(exo_notify_wait(0), E(EBADCAP));
	CHECK_EQ(exo_notify_signal(0, 1), E(EBADCAP));
	CHECK_EQ(exo_notify_timer(0, 1, 1, 0), E(EBADCAP));
	CHECK_EQ(exo_notify_poll(tq), E(ETYPE));
	CHECK_EQ(exo_notify_wait(tq), E(ETYPE));
	CHECK_EQ(exo_notify_signal(tq, 1), E(ETYPE));
	nr = (uint64_t)exo_cap_copy(n, 0, EXO_R_READ);
	nw = (uint64_t)exo_cap_copy(n, 0, EXO_R_WRITE);
	CHECK_EQ(exo_notify_signal(nr, 1), E(EPERM));
	CHECK_EQ(exo_notify_timer(nr, 1, 1, 0), E(EPERM));
	CHECK_EQ(exo_notify_poll(nw), E(EPERM));
	CHECK_EQ(exo_notify_wait(nw), E(EPERM));
	// A waiter is woken by a signal through another capability.
	w.target = nr;
	start_worker(&w, W_NTFN_WAIT, 20, 0);
	CHECK_EQ(w.flag, 1);
	CHECK_EQ(info_of(w.self).b, TS_NTFN_WAIT);
	CHECK_EQ(exo_notify_signal(nw, 0x30), 0);
	CHECK_EQ(w.flag, 2); // higher priority: ran at once
	CHECK_EQ(w.result, 0x30);
	CHECK_EQ(exo_notify_poll(n), 0); // the waiter took the word
	CHECK_EQ(exo_cap_delete(w.self), 0);
	// A waiter that is destroyed leaves the notification usable.
	start_worker(&w, W_NTFN_WAIT, 20, 0);
	CHECK_EQ(exo_thread_destroy(w.self), 0);
	CHECK_EQ(exo_cap_delete(w.self), 0);
	CHECK_EQ(exo_notify_signal(n, 2), 0);
	CHECK_EQ(exo_notify_poll(n), 2);

	// Timers: one-shot, cancelled, periodic, replaced.
	CHECK_EQ(exo_notify_timer(n, 63, 1, 0), E(EINVAL));
	CHECK_EQ(exo_notify_timer(n, ~0ull, 1, 0), E(EINVAL));
	CHECK_EQ(exo_notify_timer(n, 1, 1, 99999), E(EINVAL)); // faster than 10 kHz
	CHECK_EQ(exo_notify_timer(n, 1, 1, 1), E(EINVAL));
	t0 = exo_clock_ns();
	CHECK_EQ(exo_notify_timer(n, 3, (uint64_t)t0 + 2000000, 0), 0);
	w.target = n;
	start_worker(&w, W_NTFN_WAIT, 20, 0);
	CHECK(wait_flag(&w.flag, 2));
	CHECK_EQ(w.result, 8);
	CHECK(exo_clock_ns() >= t0 + 2000000);
	CHECK_EQ(exo_cap_delete(w.self), 0);
	test_sleep_ms(3);
	CHECK_EQ(exo_notify_poll(n), 0); // one-shot: fired once
	CHECK_EQ(exo_notify_timer(n, 2, (uint64_t)exo_clock_ns() + 2000000, 0), 0);
	CHECK_EQ(exo_notify_timer(n, 2, 0, 0), 0); // cancels
	test_sleep_ms(4);
	CHECK_EQ(exo_notify_poll(n), 0);
	CHECK_EQ(exo_notify_timer(n, 4, (uint64_t)exo_clock_ns() + 1000000, 1000000), 0);
	test_sleep_ms(5);
	CHECK_EQ(exo_notify_poll(n), 16);
	test_sleep_ms(3);
	CHECK_EQ(exo_notify_poll(n), 16); // again: periodic
	CHECK_EQ(exo_notify_timer(n, 4, 0, 0), 0);
	exo_notify_poll(n);
	test_sleep_ms(3);
	CHECK_EQ(exo_notify_poll(n), 0);
	CHECK_EQ(exo_notify_timer(n, 5, (uint64_t)exo_clock_ns() + 3600000000000ull, 0), 0);
	CHECK_EQ(exo_notify_timer(n, 6, (uint64_t)exo_clock_ns() + 1000000, 0), 0); // replaces it
	test_sleep_ms(3);
	CHECK_EQ(exo_notify_poll(n), 1 << 6);
	// Deleting a notification with an armed timer disarms it.
	CHECK_EQ(exo_notify_timer(n, 1, (uint64_t)exo_clock_ns() + 2000000, 1000000), 0);
	CHECK_EQ(exo_cap_delete(nr), 0);
	CHECK_EQ(exo_cap_delete(nw), 0);
	CHECK_EQ(exo_cap_delete(n), 0);
	test_sleep_ms(4);
	CHECK_EQ(exo_notify_poll(n), E(EBADCAP));
}

// A periodic timer whose next deadline wraps to 0 - the value that means "disarmed" - stays on
// the kernel's timer list; deleting the notification then frees it while it is still listed and
// the next tick uses freed memory (a kernel panic with the debug heap's poison).
static void test_notify_timer_wrap(void)
{
	static struct worker w;
	uint64_t anchors[4], n, stack = alloc1(bi->quota), t;

	// Other notifications keep the freed one's slab (and its poison) in place: the use after
	// free then always faults instead of reading a recycled page.
	for (int i = 0; i < 4; i++)
		anchors[i] = (uint64_t)exo_notify_create();
	n = (uint64_t)exo_notify_create();
	CHECK_EQ(map1(bi->self, stack, STACK_TOP(0) - EXO_PAGE_SIZE, EXO_R_READ | EXO_R_WRITE), 1);
	t = (uint64_t)exo_clock_ns() + 3000000;
	CHECK_EQ(exo_notify_timer(n, 0, t, -t), 0); // fires at t, then t + (2^64 - t) = 0
	w.target = n;
	start_worker(&w, W_NTFN_WAIT_DELETE, 20, 0); // deletes n in the tick that fired (and wrapped)
	CHECK(wait_flag(&w.flag, 2));
	CHECK_EQ(w.result, 1);
	CHECK_EQ(w.result2, 0);
	CHECK_EQ(exo_cap_delete(w.self), 0);
	test_sleep_ms(3); // a buggy kernel does not come back from this
	for (int i = 0; i < 4; i++)
		CHECK_EQ(exo_cap_delete(anchors[i]), 0);
	CHECK_EQ(unmap1(bi->self, STACK_TOP(0) - EXO_PAGE_SIZE), 1);
	CHECK_EQ(exo_cap_delete(stack), 0);
}

int main(uint64_t arg)
{
	static const struct test_case cases[] = { SYSCALLS_UP, TEST_CASE(test_notify), SYSCALLS_DOWN,
		                                  TEST_CASE(test_notify_timer_wrap) };

	return syscalls_main(arg, "syscalls_notify", cases, TEST_NELEM(cases));
}
