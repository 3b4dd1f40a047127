// SPDX-License-Identifier: MIT
// Test-and-test-and-set spin lock. Holders must not sleep; interrupt handlers must not take locks
// that normal code holds with interrupts enabled. Lock order (docs/decisions.md, "Lock order"):
// the big kernel lock first, then spin locks by rising rank - the heap's, the frame allocator's,
// the device ones (IOAPIC, MMIO window), the console's last - never the kernel lock under a spin
// lock. Debug kernels check it, lockdep-style: each CPU keeps the ranks it holds.
#pragma once

#include <kern/types.h>

// Ranks, lowest first; 0 (a zeroed lock) is LOCK_RANK_DEVICE.
enum { LOCK_RANK_HEAP = 1, LOCK_RANK_FRAME = 2, LOCK_RANK_DEVICE = 3, LOCK_RANK_CONSOLE = 4 };

typedef struct {
	volatile int locked;
	uint8_t rank; // LOCK_RANK_*
} spinlock_t;

#define SPINLOCK_INIT SPINLOCK_INIT_RANK(LOCK_RANK_DEVICE)
#define SPINLOCK_INIT_RANK(lock_rank)            \
	{                                        \
		.locked = 0, .rank = (lock_rank) \
	}

#if !defined(EXO_NDEBUG) && !defined(EXO_HOSTED_TEST)
#define SPIN_ORDER_CHECKS 1
#include <arch/percpu.h>

// Set once the boot CPU's per-CPU data is in place (percpu_init); each CPU sets up its own before
// its first lock.
extern bool spin_order_on;
void __attribute__((noreturn)) spin_order_bad(const void *lock, unsigned rank, uint32_t held);
#endif

static inline unsigned spin_rank(const spinlock_t *l)
{
	return l->rank ? l->rank : LOCK_RANK_DEVICE;
}

static inline void spin_lock(spinlock_t *l)
{
#ifdef SPIN_ORDER_CHECKS
	if (spin_order_on) { // no lock of this rank or above held
		uint32_t *held = &percpu()->spins_held;

		if (*held >> spin_rank(l))
			spin_order_bad(l, spin_rank(l), *held);
		*held |= 1u << spin_rank(l);
	}
#endif
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
#ifdef SPIN_ORDER_CHECKS
	if (spin_order_on)
		percpu()->spins_held &= ~(1u << spin_rank(l));
#endif
}
