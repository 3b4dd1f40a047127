// SPDX-License-Identifier: MIT
// Clocks and sleeps. Every clock derives from the kernel's monotonic nanosecond clock, which
// libos reads itself from the TSC with the kernel's calibration (clock_params: no kernel call
// per read, like Linux's vDSO); the realtime clock adds the offset the boot information gives
// (exo_bootinfo.realtime_ns: exorun's launcher reads the RTC; without it, REALTIME counts from
// boot like MONOTONIC).
#include <libos/signal.h>
#include <libos/thread.h>
#include <libos/time.h>

#define NS 1000000000L

static uint64_t realtime_offset_ns;
static struct exo_clock_params tsc; // mult 0: ask the kernel each time

static uint64_t monotonic_ns(void)
{
	uint32_t lo, hi;

	if (!tsc.mult)
		return (uint64_t)exo_clock_ns();
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)((unsigned __int128)(((uint64_t)hi << 32 | lo) - tsc.tsc0) * tsc.mult >> 32);
}

void libos_time_init(void)
{
	if (exo_clock_params(&tsc) != 0)
		tsc.mult = 0;
	realtime_offset_ns = libos_boot->realtime_ns;
}

long libos_clock_ns(long clock, uint64_t *ns)
{
	uint64_t now = monotonic_ns();

	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = now + realtime_offset_ns;
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_PROCESS_CPUTIME_ID: // no per-process CPU accounting yet: wall time since boot
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = now;
		return 0;
	default:
		return -EINVAL;
	}
}

long libos_clock_gettime(long clock, struct linux_timespec *ts)
{
	uint64_t ns;
	long err = libos_clock_ns(clock, &ns);

	struct linux_timespec t = { (long)(ns / NS), (long)(ns % NS) };

	return err ? err : libos_copy(ts, &t, sizeof(t));
}

long libos_clock_getres(long clock, struct linux_timespec *ts)
{
	static const struct linux_timespec nanosecond = { 0, 1 };
	uint64_t ns;
	long err = libos_clock_ns(clock, &ns);

	return err || !ts ? err : libos_copy(ts, &nanosecond, sizeof(nanosecond));
}

long libos_gettimeofday(struct linux_timeval *tv, void *tz)
{
	struct linux_timeval t;
	uint64_t ns;

	(void)tz; // obsolete; Linux fills it with zeros
	libos_clock_ns(CLOCK_REALTIME, &ns);
	t = (struct linux_timeval){ (long)(ns / NS), (long)(ns % NS / 1000) };
	return tv ? libos_copy(tv, &t, sizeof(t)) : 0;
}

// Sleeps on the thread's notification, so that a signal cuts the sleep short: -EINTR, with
// the time left in rem (relative sleeps).
static long sleep_until(uint64_t deadline, struct linux_timespec *rem)
{
	uint64_t now = monotonic_ns();
	struct linux_timespec left;

	while (now < deadline) {
		if (libos_signal_interrupts()) {
			left = (struct linux_timespec){ (long)((deadline - now) / NS),
				                        (long)((deadline - now) % NS) };
			if (rem && libos_copy(rem, &left, sizeof(left)))
				return -EFAULT;
			return -EINTR;
		}
		libos_thread_wait(deadline);
		now = monotonic_ns();
	}
	return 0;
}

long libos_clock_nanosleep(long clock, long flags, const struct linux_timespec *req,
                           struct linux_timespec *rem)
{
	struct linux_timespec t;
	uint64_t now, deadline;
	long err = libos_clock_ns(clock, &now);

	if (err)
		return err;
	if (clock == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	if (libos_copy(&t, req, sizeof(t)))
		return -EFAULT;
	if (t.tv_sec < 0 || t.tv_nsec < 0 || t.tv_nsec >= NS)
		return -EINVAL;
	deadline = (uint64_t)t.tv_sec * NS + (uint64_t)t.tv_nsec;
	if (!(flags & TIMER_ABSTIME))
		deadline += now;
	if (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)
		deadline -= realtime_offset_ns; // the kernel sleeps on the monotonic clock
	return sleep_until(deadline, flags & TIMER_ABSTIME ? NULL : rem);
}

long libos_nanosleep(const struct linux_timespec *req, struct linux_timespec *rem)
{
	return libos_clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);
}
