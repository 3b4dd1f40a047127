// SPDX-License-Identifier: MIT
// The big kernel lock (kern/bkl.h). The owner field doubles as the debug check: only the holder
// ever finds its own cpu_id there, so recursion and a release by another CPU are caught exactly.
#include <arch/paging.h>
#include <kern/bkl.h>
#include <kern/sched.h>
#include <kern/thread.h>

struct big_lock bkl = { 0, 0, BKL_NO_OWNER };

static void wait_turn(uint32_t ticket)
{
	while (__atomic_load_n(&bkl.serving, __ATOMIC_ACQUIRE) != ticket) {
		tlb_shootdown_serve();
		__builtin_ia32_pause();
	}
	bkl.owner = cpu_self();
}

void kernel_lock(void)
{
	unsigned me = cpu_self();

	if (bkl.owner == me)
		panic("bkl: cpu %u takes the kernel lock it already holds", me);
	wait_turn(__atomic_fetch_add(&bkl.next, 1, __ATOMIC_RELAXED));
}

void kernel_unlock(void)
{
	unsigned me = cpu_self();

	if (bkl.owner != me)
		panic("bkl: cpu %u releases the kernel lock held by cpu %d", me, (int)bkl.owner);
	bkl.owner = BKL_NO_OWNER;
	__atomic_store_n(&bkl.serving, bkl.serving + 1, __ATOMIC_RELEASE);
}

// syscall_entry's slow way in: its ticket was not served yet (have = 0), or the lock was taken
// (have = 1) while a reschedule was pending, which may mean another CPU killed, suspended or moved
// the calling thread while it ran in user mode: it leaves the CPU before its call runs.
void kernel_enter_slow(uint32_t ticket, int have);
void kernel_enter_slow(uint32_t ticket, int have)
{
	if (!have)
		wait_turn(ticket);
	sched_entry_check();
}
