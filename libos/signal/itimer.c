// SPDX-License-Identifier: MIT
// ITIMER_REAL (setitimer, getitimer and musl's alarm): a kernel notification timer, and a
// libos thread - started with the first timer, invisible to the program - that waits on it and
// sends SIGALRM to the process. The timer thread runs libos code only; it borrows the main
// thread's TLS pointer (libos finds the calling thread through %fs:0).
#include "internal.h"
#include <libos/time.h>

#define SIGALRM     14
#define ITIMER_REAL 0
#define TIMER_STACK 16384
#define TIMER_PRIO  16
#define NS          1000000000ull
#define US          1000ull

static uint64_t ntfn;     // 0 until the first setitimer
static uint64_t deadline; // the next expiry (monotonic ns), 0: disarmed
static uint64_t period;   // ns, 0: one-shot
static volatile int lock; // guards the three above
static uint8_t stack[TIMER_STACK] __attribute__((aligned(16)));

static _Noreturn void timer_thread(uint64_t tls)
{
	struct linux_siginfo info = { .si_code = SI_KERNEL };

	exo_set_fs_base(tls);
	for (;;) {
		exo_notify_wait(ntfn);
		libos_lock(&lock);
		deadline = period ? deadline + period : 0;
		libos_unlock(&lock);
		libos_sig_post(-1, -1, SIGALRM, &info);
	}
}

static long start(void)
{
	long n = exo_notify_create(), cap;
	uint64_t tls;

	if (n < 0)
		return -EAGAIN;
	memset(stack, 0, TIMER_STACK); // paged in now: the timer thread has no fault handler
	cap = exo_thread_create(libos_boot->self, TIMER_PRIO);
	if (cap < 0)
		return -EAGAIN;
	ntfn = (uint64_t)n;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(tls));
	if (exo_thread_start((uint64_t)cap, (uint64_t)timer_thread, (uint64_t)stack + TIMER_STACK - 8, tls))
		return -EAGAIN;
	return 0;
}

static uint64_t ns_of(const struct linux_timeval *tv)
{
	return (uint64_t)tv->tv_sec * NS + (uint64_t)tv->tv_usec * US;
}

static struct linux_timeval tv_of(uint64_t ns)
{
	return (struct linux_timeval){ (long)(ns / NS), (long)(ns % NS / US) };
}

// The timer as getitimer reports it; called with the lock held.
static struct linux_itimerval now_value(void)
{
	uint64_t now;

	libos_clock_ns(CLOCK_MONOTONIC, &now);
	return (struct linux_itimerval){ tv_of(period), tv_of(deadline > now ? deadline - now
		                                              : deadline     ? 1000
		                                                             : 0) };
}

long libos_getitimer(long which, struct linux_itimerval *val)
{
	struct linux_itimerval v;

	if (which != ITIMER_REAL)
		return -EINVAL; // ITIMER_VIRTUAL, ITIMER_PROF: no CPU accounting yet
	libos_lock(&lock);
	v = now_value();
	libos_unlock(&lock);
	return libos_copy(val, &v, sizeof(v));
}

long libos_setitimer(long which, const struct linux_itimerval *val, struct linux_itimerval *old)
{
	struct linux_itimerval v, prev;
	uint64_t now;
	long err;

	if (which != ITIMER_REAL)
		return -EINVAL;
	if (libos_copy(&v, val, sizeof(v)))
		return -EFAULT;
	if (v.it_value.tv_usec < 0 || v.it_value.tv_usec >= 1000000 || v.it_interval.tv_usec < 0 ||
	    v.it_interval.tv_usec >= 1000000 || v.it_value.tv_sec < 0 || v.it_interval.tv_sec < 0)
		return -EINVAL;
	libos_lock(&lock);
	if (!ntfn && (err = start())) {
		libos_unlock(&lock);
		return err;
	}
	prev = now_value();
	libos_clock_ns(CLOCK_MONOTONIC, &now);
	deadline = ns_of(&v.it_value) ? now + ns_of(&v.it_value) : 0;
	period = deadline ? ns_of(&v.it_interval) : 0;
	exo_notify_timer(ntfn, 0, deadline, period);
	libos_unlock(&lock);
	return old ? libos_copy(old, &prev, sizeof(prev)) : 0;
}
