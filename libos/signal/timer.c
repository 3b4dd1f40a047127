// SPDX-License-Identifier: MIT
// Timers that send signals: ITIMER_REAL (setitimer, getitimer, musl's alarm) and POSIX timers
// (timer_create with SIGEV_SIGNAL, SIGEV_NONE or SIGEV_THREAD_ID; musl's SIGEV_THREAD timers use
// the last). One kernel notification timer is armed for the earliest expiry; a libos thread,
// started with the first timer and invisible to the program, waits on it, sends the signals of
// the timers that expired and arms it again. The thread runs libos code only, on a static stack;
// it borrows the main thread's TLS pointer (libos finds the calling thread through %fs:0).
#include "internal.h"
#include <libos/mem.h>
#include <libos/time.h>

#define SIGALRM         14
#define ITIMER_REAL     0
#define SIGEV_SIGNAL    0
#define SIGEV_NONE      1
#define SIGEV_THREAD_ID 4
#define SI_TIMER        -2
#define TIMER_ABSTIME   1
#define TIMERS          32 // [0]: ITIMER_REAL; timer_create's id i is [i + 1]
#define TIMER_STACK     16384
#define TIMER_PRIO      16
#define NS              1000000000ull
#define US              1000ull

struct timer {
	int used, sig, notify;
	int slot;                  // the thread to signal, -1: the process
	int clock;                 // timer_create's (TIMER_ABSTIME values are on it)
	uint64_t value;            // si_value
	uint64_t deadline, period; // monotonic ns (0: disarmed), ns (0: one-shot)
	int overrun;               // expiries lost before the last signal
};

static struct timer timers[TIMERS] = { [0] = { .used = 1, .sig = SIGALRM, .slot = -1 } };
static uint64_t ntfn;     // 0 until the first timer
static volatile int lock; // guards timers and ntfn
static uint8_t stack[TIMER_STACK] LIBOS_WIRED __attribute__((aligned(16)));
static uint8_t fault_stack[TIMER_STACK / 2] LIBOS_WIRED __attribute__((aligned(16)));

static uint64_t now_ns(void)
{
	uint64_t now;

	libos_clock_ns(CLOCK_MONOTONIC, &now);
	return now;
}

// Arms the kernel timer for the earliest expiry; called with the lock held.
static void arm(void)
{
	uint64_t first = 0;

	for (int i = 0; i < TIMERS; i++)
		if (timers[i].used && timers[i].deadline && (!first || timers[i].deadline < first))
			first = timers[i].deadline;
	exo_notify_timer(ntfn, 0, first, 0);
}

// Takes timer i's expiry into info (the siginfo to send); called with the lock held.
static void expire(int i, uint64_t now, struct linux_siginfo *info)
{
	struct timer *t = &timers[i];
	uint64_t late = t->period ? (now - t->deadline) / t->period : 0;

	t->overrun = (int)late;
	t->deadline = t->period ? t->deadline + (late + 1) * t->period : 0;
	*info = i ? (struct linux_siginfo){ .si_code = SI_TIMER,
		                            .pid = i - 1,
		                            .uid = (uint32_t)late,
		                            .value = t->value }
	          : (struct linux_siginfo){ .si_code = SI_KERNEL };
}

static _Noreturn void timer_thread(uint64_t tls)
{
	struct linux_siginfo info[TIMERS];
	int sig[TIMERS], slot[TIMERS], n;
	uint64_t now;

	exo_set_fs_base(tls);
	libos_mem_thread_init(fault_stack + sizeof(fault_stack)); // copy-on-write pages after a fork
	for (;;) {
		exo_notify_wait(ntfn);
		libos_lock(&lock);
		now = now_ns();
		n = 0;
		for (int i = 0; i < TIMERS; i++) {
			struct timer *t = &timers[i];

			if (!t->used || !t->deadline || t->deadline > now)
				continue;
			expire(i, now, &info[n]);
			if (t->notify != SIGEV_NONE)
				sig[n] = t->sig, slot[n++] = t->slot;
		}
		arm();
		libos_unlock(&lock);
		for (int i = 0; i < n; i++)
			libos_sig_post(slot[i], -1, sig[i], &info[i]);
	}
}

// Starts the timer thread; called with the lock held.
static long start(void)
{
	long n, cap;
	uint64_t tls;

	if (ntfn)
		return 0;
	if ((n = exo_notify_create()) < 0)
		return -EAGAIN;
	memset(stack, 0, TIMER_STACK); // paged in now, as the fault stack: they are the handler's
	memset(fault_stack, 0, sizeof(fault_stack));
	cap = exo_thread_create(libos_boot->self, TIMER_PRIO);
	if (cap < 0) {
		exo_cap_delete((uint64_t)n);
		return -EAGAIN;
	}
	ntfn = (uint64_t)n;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(tls));
	if (exo_thread_start((uint64_t)cap, (uint64_t)timer_thread, (uint64_t)stack + TIMER_STACK - 8, tls))
		libos_die(127, "timers: the kernel refused to start the timer thread");
	return 0;
}

// Sets timer i to expire after value ns (0: disarm), then every period ns; called with the lock held.
static void set(int i, uint64_t value, uint64_t period)
{
	timers[i].deadline = value ? now_ns() + value : 0;
	timers[i].period = value ? period : 0;
	arm();
}

// What is left of timer i and its period, in ns; called with the lock held.
static void left(int i, uint64_t *value, uint64_t *period)
{
	uint64_t now = now_ns(), d = timers[i].deadline;

	*value = d > now ? d - now : d ? 1 : 0;
	*period = timers[i].period;
}

static uint64_t tv_ns(const struct linux_timeval *tv)
{
	return (uint64_t)tv->tv_sec * NS + (uint64_t)tv->tv_usec * US;
}

static struct linux_timeval ns_tv(uint64_t ns)
{
	return (struct linux_timeval){ (long)(ns / NS), (long)(ns % NS / US) };
}

static uint64_t ts_ns(const struct linux_timespec *ts)
{
	return (uint64_t)ts->tv_sec * NS + (uint64_t)ts->tv_nsec;
}

static struct linux_timespec ns_ts(uint64_t ns)
{
	return (struct linux_timespec){ (long)(ns / NS), (long)(ns % NS) };
}

static int bad_tv(const struct linux_timeval *tv)
{
	return tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000;
}

static int bad_ts(const struct linux_timespec *ts)
{
	return ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= (long)NS;
}

long libos_getitimer(long which, struct linux_itimerval *val)
{
	uint64_t value, period;
	struct linux_itimerval v;

	if (which != ITIMER_REAL)
		return -EINVAL; // ITIMER_VIRTUAL, ITIMER_PROF: no CPU accounting yet
	libos_lock(&lock);
	left(0, &value, &period);
	libos_unlock(&lock);
	v = (struct linux_itimerval){ ns_tv(period), ns_tv(value) };
	return libos_copy(val, &v, sizeof(v));
}

long libos_setitimer(long which, const struct linux_itimerval *val, struct linux_itimerval *old)
{
	struct linux_itimerval v, prev;
	uint64_t value, period;
	long err;

	if (which != ITIMER_REAL)
		return -EINVAL;
	if (libos_copy(&v, val, sizeof(v)))
		return -EFAULT;
	if (bad_tv(&v.it_value) || bad_tv(&v.it_interval))
		return -EINVAL;
	libos_lock(&lock);
	if ((err = start())) {
		libos_unlock(&lock);
		return err;
	}
	left(0, &value, &period);
	prev = (struct linux_itimerval){ ns_tv(period), ns_tv(value) };
	set(0, tv_ns(&v.it_value), tv_ns(&v.it_interval));
	libos_unlock(&lock);
	return old ? libos_copy(old, &prev, sizeof(prev)) : 0;
}

long libos_timer_create(long clock, const struct linux_sigevent *uev, int *id)
{
	struct linux_sigevent ev = { .signo = SIGALRM, .notify = SIGEV_SIGNAL };
	struct timer *t = NULL;
	uint64_t ns;
	int slot = -1, i;
	long err;

	if (libos_clock_ns(clock, &ns))
		return -EINVAL;
	if (uev && libos_copy(&ev, uev, sizeof(ev)))
		return -EFAULT;
	if (ev.notify == SIGEV_THREAD_ID && (slot = libos_thread_slot_of(ev.tid)) < 0)
		return -EINVAL;
	if ((ev.notify != SIGEV_NONE && (ev.signo < 1 || ev.signo > LINUX_NSIG)) ||
	    (ev.notify != SIGEV_SIGNAL && ev.notify != SIGEV_NONE && ev.notify != SIGEV_THREAD_ID))
		return -EINVAL;
	libos_lock(&lock);
	for (i = 1; i < TIMERS && timers[i].used; i++)
		;
	err = i < TIMERS ? start() : -EAGAIN;
	if (!err && !(err = libos_copy(id, &(int){ i - 1 }, sizeof(int)))) {
		t = &timers[i];
		*t = (struct timer){ 1, ev.signo, ev.notify, slot, (int)clock, 0, 0, 0, 0 };
		t->value = uev ? ev.value : (uint64_t)(i - 1); // without sigevent: si_value is the id
	}
	libos_unlock(&lock);
	return err;
}

// The index of timer_create's timer id (0: none); called with the lock held.
static int index_of(long id)
{
	return id >= 0 && id < TIMERS - 1 && timers[id + 1].used ? (int)id + 1 : 0;
}

// Timer i's state as timer_gettime reports it; called with the lock held.
static struct linux_itimerspec now_spec(int i)
{
	uint64_t value, period;

	left(i, &value, &period);
	return (struct linux_itimerspec){ ns_ts(period), ns_ts(value) };
}

long libos_timer_settime(long id, long flags, const struct linux_itimerspec *val,
                         struct linux_itimerspec *old)
{
	struct linux_itimerspec v, prev;
	uint64_t value, now;
	int i;

	if (libos_copy(&v, val, sizeof(v)))
		return -EFAULT;
	if (bad_ts(&v.it_value) || bad_ts(&v.it_interval))
		return -EINVAL;
	value = ts_ns(&v.it_value);
	libos_lock(&lock);
	if (!(i = index_of(id))) {
		libos_unlock(&lock);
		return -EINVAL;
	}
	if ((flags & TIMER_ABSTIME) && value) { // absolute on the timer's clock
		libos_clock_ns(timers[i].clock, &now);
		value = value > now ? value - now : 1;
	}
	prev = now_spec(i);
	set(i, value, ts_ns(&v.it_interval));
	libos_unlock(&lock);
	return old ? libos_copy(old, &prev, sizeof(prev)) : 0;
}

long libos_timer_gettime(long id, struct linux_itimerspec *val)
{
	struct linux_itimerspec v;
	int i;

	libos_lock(&lock);
	i = index_of(id);
	if (i)
		v = now_spec(i);
	libos_unlock(&lock);
	return i ? libos_copy(val, &v, sizeof(v)) : -EINVAL;
}

long libos_timer_getoverrun(long id)
{
	long n;
	int i;

	libos_lock(&lock);
	i = index_of(id);
	n = i ? timers[i].overrun : -EINVAL;
	libos_unlock(&lock);
	return n;
}

long libos_timer_delete(long id)
{
	int i;

	libos_lock(&lock);
	i = index_of(id);
	if (i) {
		timers[i].used = 0;
		arm();
	}
	libos_unlock(&lock);
	return i ? 0 : -EINVAL;
}

void libos_timer_fork_child(void)
{
	memset(timers, 0, sizeof(timers)); // alarms and timers are not inherited
	timers[0] = (struct timer){ .used = 1, .sig = SIGALRM, .slot = -1 };
	ntfn = 0;
	lock = 0;
}
