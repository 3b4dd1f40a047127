// SPDX-License-Identifier: MIT
// clock: CLOCK_MONOTONIC never goes back and advances, nanosleep(50 ms) lasts at least 50 ms of
// it (and well under 2 s), clock_nanosleep with TIMER_ABSTIME wakes no earlier than its deadline,
// and CLOCK_REALTIME / gettimeofday give the real date and agree with each other.
#include "check.h"
#include <errno.h>
#include <sys/time.h>
#include <time.h>

#define MS    1000000ll
#define Y2020 1577836800 // 2020-01-01T00:00:00Z

static long long now_ns(clockid_t clock)
{
	struct timespec ts;

	CHECK(clock_gettime(clock, &ts) == 0);
	CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void report(const char *what, long long ns)
{
	fprintf(stderr, "clock: %s took %lld.%06lld ms\n", what, ns / MS, ns % MS);
}

static void monotonic(void)
{
	long long first = now_ns(CLOCK_MONOTONIC), prev = first;
	struct timespec res;

	for (int i = 0; i < 100000 && prev == first; i++) {
		long long t = now_ns(CLOCK_MONOTONIC);
		CHECK(t >= prev);
		prev = t;
	}
	CHECK(prev > first);
	CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0);
	CHECK(res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 10 * MS);
	printf("monotonic ok\n");
}

static void sleeping(void)
{
	struct timespec req = { 0, 50 * MS }, rem = { 9, 9 };
	long long t0 = now_ns(CLOCK_MONOTONIC);

	CHECK(nanosleep(&req, &rem) == 0);
	long long slept = now_ns(CLOCK_MONOTONIC) - t0;
	if (slept < 50 * MS || slept > 2000 * MS)
		report("nanosleep(50 ms)", slept);
	CHECK(slept >= 50 * MS);
	CHECK(slept < 2000 * MS);
	req.tv_nsec = 1000000000;
	errno = 0;
	CHECK(nanosleep(&req, NULL) == -1 && errno == EINVAL);
	printf("nanosleep ok\n");
}

static void absolute(void)
{
	long long deadline = now_ns(CLOCK_MONOTONIC) + 30 * MS;
	struct timespec ts = { deadline / 1000000000, deadline % 1000000000 };

	CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == 0);
	long long late = now_ns(CLOCK_MONOTONIC) - deadline;
	if (late < 0 || late > 2000 * MS)
		report("clock_nanosleep past its deadline", late);
	CHECK(late >= 0);
	CHECK(late < 2000 * MS);
	long long t0 = now_ns(CLOCK_MONOTONIC); // the deadline has passed: return at once
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == 0);
	CHECK(now_ns(CLOCK_MONOTONIC) - t0 < 1000 * MS);
	printf("clock_nanosleep TIMER_ABSTIME ok\n");
}

static void wall_clock(void)
{
	struct timeval tv;

	CHECK(gettimeofday(&tv, NULL) == 0);
	CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	long long real = now_ns(CLOCK_REALTIME) / 1000000000;
	if (tv.tv_sec < Y2020)
		fprintf(stderr, "clock: gettimeofday says %lld s since 1970\n", (long long)tv.tv_sec);
	CHECK(tv.tv_sec >= Y2020);
	CHECK(real >= tv.tv_sec && real - tv.tv_sec <= 2);
	CHECK(time(NULL) >= real);
	printf("gettimeofday ok\n");
}

int main(void)
{
	monotonic();
	sleeping();
	absolute();
	wall_clock();
	return 0;
}
