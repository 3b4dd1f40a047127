// SPDX-License-Identifier: MIT
// The big kernel lock: one ticket lock (FIFO: no CPU starves) around all kernel state
// (docs/decisions.md, "SMP locking").
// Taken on every entry from user mode (inline in syscall_entry, in trap_dispatch otherwise) and
// by the idle loop; dropped on the way back to user mode and while the idle loop halts.
#pragma once

#include <arch/percpu.h>
#include <kern/panic.h>

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

// Spins until this CPU holds the lock, serving TLB shootdowns meanwhile (the holder may wait for
// them). Panics if this CPU holds it already.
void kernel_lock(void);
// Panics unless this CPU holds the lock.
void kernel_unlock(void);

static inline bool kernel_lock_held(void)
{
	return bkl.owner == cpu_self();
}

// For functions that touch shared kernel state: their caller holds the kernel lock.
#define KASSERT_LOCKED() KASSERT(kernel_lock_held())
