// SPDX-License-Identifier: MIT
// Futexes. Within one process: a waiter checks the word and queues itself under one lock, then
// blocks on its thread's notification; a waker dequeues waiters and signals them. Timeouts are
// a one-shot kernel timer on the same notification. Wake-ups may be spurious, as on Linux; a
// signal for the thread ends a wait with -ERESTARTSYS (EINTR, or restarted with SA_RESTART).
// Across processes (a futex without FUTEX_PRIVATE on MAP_SHARED memory: process-shared mutexes,
// condition variables, semaphores): the region's notification, which every process sharing it
// holds, forwards to the waiter's own notification while it waits; a wake signals the region's
// notification and so wakes every such waiter, which looks at its word again.
#include <libos/mem.h>
#include <libos/signal.h>
#include <libos/thread.h>
#include <libos/time.h>

struct waiter {
	int *addr;
	uint64_t ntfn;
	int woken;
	struct waiter *next;
};

static struct waiter *waiters; // FIFO
static volatile int futex_lock;

static void enqueue(struct waiter *w)
{
	struct waiter **p = &waiters;

	while (*p)
		p = &(*p)->next;
	*p = w;
}

static void dequeue(struct waiter *w)
{
	for (struct waiter **p = &waiters; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			return;
		}
}

uint64_t libos_thread_wait(uint64_t deadline)
{
	uint64_t ntfn = libos_thread_ntfn(), bits;

	if (deadline)
		exo_notify_timer(ntfn, LIBOS_TIMER_INDEX, deadline, 0);
	bits = (uint64_t)exo_notify_wait(ntfn);
	if (deadline)
		exo_notify_timer(ntfn, LIBOS_TIMER_INDEX, 0, 0);
	if (bits & LIBOS_NTFN_REMOTE)
		libos_signal_remote();
	return bits;
}

void libos_futex_fork_child(void)
{
	waiters = NULL; // the other threads' waits
	futex_lock = 0;
}

// deadline: monotonic nanoseconds, 0 for none.
static long wait(int *uaddr, int val, uint64_t deadline)
{
	struct waiter w = { uaddr, libos_thread_ntfn(), 0, NULL };
	uint64_t bits = 0;

	libos_lock(&futex_lock);
	if (__atomic_load_n(uaddr, __ATOMIC_ACQUIRE) != val) {
		libos_unlock(&futex_lock);
		return -EAGAIN;
	}
	enqueue(&w);
	libos_unlock(&futex_lock);
	if (!libos_signal_interrupts())
		bits = libos_thread_wait(deadline);
	libos_lock(&futex_lock);
	if (!w.woken)
		dequeue(&w);
	libos_unlock(&futex_lock);
	if (w.woken)
		return 0;
	if (deadline && (bits & LIBOS_NTFN_TIMER))
		return -ETIMEDOUT;
	return libos_signal_interrupts() ? -ERESTARTSYS : 0;
}

long libos_futex_wake(int *uaddr, long n)
{
	long woken = 0;

	libos_lock(&futex_lock);
	for (struct waiter **p = &waiters; *p && woken < n;) {
		struct waiter *w = *p;

		if (w->addr != uaddr) {
			p = &w->next;
			continue;
		}
		*p = w->next;
		w->woken = 1;
		exo_notify_signal(w->ntfn, LIBOS_NTFN_WAKE);
		woken++;
	}
	libos_unlock(&futex_lock);
	return woken;
}

// Wakes n waiters of uaddr and moves up to max others to uaddr2.
static long requeue(int *uaddr, long n, long max, int *uaddr2)
{
	long woken = libos_futex_wake(uaddr, n), moved = 0;

	libos_lock(&futex_lock);
	for (struct waiter *w = waiters; w && moved < max; w = w->next)
		if (w->addr == uaddr)
			w->addr = uaddr2, moved++;
	libos_unlock(&futex_lock);
	return woken + moved;
}

static long deadline_of(long op, long clock_flag, const struct linux_timespec *ts, uint64_t *deadline)
{
	uint64_t now;

	*deadline = 0;
	if (!ts)
		return 0;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
		return -EINVAL;
	*deadline = (uint64_t)ts->tv_sec * 1000000000ull + (uint64_t)ts->tv_nsec;
	if (op == FUTEX_WAIT) { // relative
		libos_clock_ns(CLOCK_MONOTONIC, &now);
		*deadline += now;
	} else if (clock_flag) { // absolute on the realtime clock
		uint64_t real;

		libos_clock_ns(CLOCK_REALTIME, &real);
		libos_clock_ns(CLOCK_MONOTONIC, &now);
		*deadline = *deadline + now - real;
	}
	if (!*deadline)
		*deadline = 1; // already passed
	return 0;
}

#define RETRY_NS 1000000ull // a shared wait no forward slot was left for looks again after this

// A wait on a futex of shared memory with the region's notification ntfn.
static long wait_shared(int *uaddr, int val, uint64_t deadline, uint64_t ntfn)
{
	uint64_t me = libos_thread_ntfn(), bits = 0, until = deadline;
	long forwarded = exo_notify_forward(ntfn, me, LIBOS_NTFN_WAKE);

	if (forwarded) { // no slot free: look again in a while
		libos_clock_ns(CLOCK_MONOTONIC, &until);
		until += RETRY_NS;
		until = deadline && deadline < until ? deadline : until;
	}
	if (__atomic_load_n(uaddr, __ATOMIC_ACQUIRE) != val) {
		if (!forwarded)
			exo_notify_forward(ntfn, me, 0);
		return -EAGAIN;
	}
	if (!libos_signal_interrupts())
		bits = libos_thread_wait(until);
	if (!forwarded)
		exo_notify_forward(ntfn, me, 0);
	if (bits & LIBOS_NTFN_WAKE)
		return 0;
	if (deadline && (bits & LIBOS_NTFN_TIMER) && until == deadline)
		return -ETIMEDOUT;
	return libos_signal_interrupts() ? -ERESTARTSYS : 0;
}

long libos_futex(int *uaddr, long op, long val, const struct linux_timespec *timeout, int *uaddr2, long val3)
{
	long cmd = op & ~(long)(FUTEX_PRIVATE | FUTEX_CLOCK_REALTIME), err;
	uint64_t deadline;

	struct linux_timespec t;
	uint64_t shared = 0;
	int word;

	(void)val3;
	if ((uint64_t)uaddr & 3)
		return -EINVAL;
	if (!(op & FUTEX_PRIVATE))
		shared = libos_mem_shared_ntfn((uint64_t)uaddr);
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET: // waits read the word (a wake only names it, as on Linux)
		if (libos_copy(&word, uaddr, sizeof(word)) || (timeout && libos_copy(&t, timeout, sizeof(t))))
			return -EFAULT;
		err = deadline_of(cmd, op & FUTEX_CLOCK_REALTIME, timeout ? &t : NULL, &deadline);
		if (!err && shared)
			return word != (int)val ? -EAGAIN : wait_shared(uaddr, (int)val, deadline, shared);
		return err ? err : wait(uaddr, (int)val, deadline);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (shared) // every waiter of the region looks again; how many were woken is not known
			return exo_notify_signal(shared, LIBOS_NTFN_WAKE) ? 0 : (val > 0 ? 1 : 0);
		return libos_futex_wake(uaddr, val);
	case FUTEX_REQUEUE:
		if (shared) // the waiters look again, and wait again on whichever word they now want
			return exo_notify_signal(shared, LIBOS_NTFN_WAKE) ? 0 : (val > 0 ? 1 : 0);
		return requeue(uaddr, val, (long)timeout, uaddr2);
	default:
		return -ENOSYS;
	}
}
