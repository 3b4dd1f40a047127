// SPDX-License-Identifier: MIT
// The big kernel lock: one ticket lock (FIFO: no CPU starves) around all kernel state
// (docs/decisions.md, "SMP locking").
// Taken on every entry from user mode (inline in syscall_entry, in trap_dispatch otherwise) and
// by the idle loop; dropped on the way back to user mode and while the idle loop halts.
#pragma once

#include <arch/percpu.h>
#include <kern/panic.h>
#include <kern/spinlock.h>

struct big_lock {
	volatile uint32_t next;    // the next ticket to hand out (entry.S: one lock xadd)
	volatile uint32_t serving; // the ticket that holds the lock; the holder advances it
	volatile uint32_t owner;   // the holder's cpu_id, BKL_NO_OWNER (arch/asm-defs.h) while free
};
_Static_assert(offsetof(struct big_lock, next) == BKL_NEXT &&
                   offsetof(struct big_lock, serving) == BKL_SERVING &&
                   offsetof(struct big_lock, owner) == BKL_OWNER,
               "entry.S reaches the kernel lock by these offsets (arch/asm-defs.h)");

extern struct big_lock bkl;
// Whether the lock is taken at all: set by smp_init before it starts a second CPU. A machine where
// one CPU runs needs none (the kernel runs with interrupts off) and skips it everywhere: its
// SYSCALL entry is syscall_entry_up, and the calls below do nothing.
extern bool bkl_on;

void kernel_lock_wait(uint32_t ticket);          // spins until ticket is served, then owns the lock
void __noreturn kernel_lock_bad(bool recursion); // the debug checks' panics
#ifdef SPIN_ORDER_CHECKS
void __noreturn kernel_lock_under_spin(void);
#endif

static inline bool kernel_lock_held(void)
{
	return !bkl_on || bkl.owner == cpu_self();
}

// Spins until this CPU holds the lock, serving TLB shootdowns meanwhile (the holder may wait for
// them). Panics if this CPU holds it already.
static inline void kernel_lock(void)
{
	uint32_t ticket;

	if (!bkl_on)
		return;
	if (kernel_lock_held())
		kernel_lock_bad(true);
#ifdef SPIN_ORDER_CHECKS
	if (percpu()->spins_held) // the order is the kernel lock, then spin locks by rank
		kernel_lock_under_spin();
#endif
	ticket = __atomic_fetch_add(&bkl.next, 1, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&bkl.serving, __ATOMIC_ACQUIRE) == ticket)
		bkl.owner = cpu_self();
	else
		kernel_lock_wait(ticket);
}

// Panics unless this CPU holds the lock.
static inline void kernel_unlock(void)
{
	if (!bkl_on)
		return;
	if (!kernel_lock_held())
		kernel_lock_bad(false);
	bkl.owner = BKL_NO_OWNER;
	__atomic_store_n(&bkl.serving, bkl.serving + 1, __ATOMIC_RELEASE);
}

// For functions that touch shared kernel state: their caller holds the kernel lock.
#define KASSERT_LOCKED() KASSERT(kernel_lock_held())
