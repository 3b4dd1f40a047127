// SPDX-License-Identifier: MIT
// The big kernel lock's slow paths (kern/bkl.h has the rest): waiting for a ticket, the panics of
// the debug checks, and syscall_entry's way in when the inline acquire did not settle it.
#include <arch/paging.h>
#include <kern/bkl.h>
#include <kern/sched.h>

struct big_lock bkl = { 0, 0, BKL_NO_OWNER };
bool bkl_on;

void kernel_lock_wait(uint32_t ticket)
{
	while (__atomic_load_n(&bkl.serving, __ATOMIC_ACQUIRE) != ticket) {
		tlb_shootdown_serve();
		__builtin_ia32_pause();
	}
	bkl.owner = cpu_self();
}

#ifdef SPIN_ORDER_CHECKS
bool spin_order_on;

void spin_order_bad(const void *lock, unsigned rank, uint32_t held)
{
	panic("lock order: cpu %u takes spin lock %p of rank %u while it holds ranks %#x (kern/spinlock.h)",
	      cpu_self(), lock, rank, held);
}

void kernel_lock_under_spin(void)
{
	panic("lock order: cpu %u takes the kernel lock while it holds a spin lock (the kernel lock "
	      "comes first)",
	      cpu_self());
}
#endif

void kernel_lock_bad(bool recursion)
{
	if (recursion)
		panic("bkl: cpu %u takes the kernel lock it already holds", cpu_self());
	panic("bkl: cpu %u releases the kernel lock held by cpu %d", cpu_self(), (int)bkl.owner);
}

// syscall_entry's slow way in: its ticket was not served yet (have = 0), or the lock was taken
// (have = 1) while a reschedule was pending, which may mean another CPU killed, suspended or moved
// the calling thread while it ran in user mode: it leaves the CPU before its call runs.
void kernel_enter_slow(uint32_t ticket, int have);
void kernel_enter_slow(uint32_t ticket, int have)
{
	if (!have)
		kernel_lock_wait(ticket);
	sched_entry_check();
}
