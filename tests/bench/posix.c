// SPDX-License-Identifier: MIT
// POSIX micro-benchmarks, one plain C source: built with x86_64-exo-gcc for exo (run as init
// through the exorun path) and with musl-gcc for Linux (as /init, with linux-init.c). Each result
// line is "BENCH posix_<name> <guest instructions per operation>" (measure.h): the best of ROUNDS
// rounds after a warm-up round, the cost of an empty loop subtracted. An operation that fails
// prints "posix: <name> failed: ..." instead of a value; the program then exits 1.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"

#define ROUNDS      5
#define ITERATIONS  20000
#define FAULT_PAGES 4096 // 16 MiB, fresh each round
#define MMAPS       2000
#define THREADS     200
#define PAGE        4096

// What the operation being measured found wrong (the first failure), and the error number.
static const char *failure;
static int failure_errno;

static void fail(const char *what, int err)
{
	if (!failure) {
		failure = what;
		failure_errno = err;
	}
}

static void null_call(void)
{
	pid_t r = getppid();

	if (r < 0) // cannot fail on Linux; a libos without it returns -ENOSYS
		fail("getppid", (int)-r);
}

static void clock_monotonic(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		fail("clock_gettime", errno);
}

static volatile char *region;
static int touched;

static void touch_page(void) // first touch of a fresh anonymous page
{
	region[(size_t)touched++ * PAGE] = 1;
}

static int fault_region(int start)
{
	if (!start)
		return munmap((void *)region, FAULT_PAGES * PAGE);
	region = mmap(NULL, FAULT_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return -1;
	// Small pages only: a kernel with transparent huge pages on could fault 2 MiB at once.
	madvise((void *)region, FAULT_PAGES * PAGE, MADV_NOHUGEPAGE);
	touched = 0;
	return 0;
}

static void mmap_munmap(void)
{
	volatile char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fail("mmap", errno);
		return;
	}
	*p = 1;
	if (munmap((void *)p, PAGE))
		fail("munmap", errno);
}

static void yield(void)
{
	if (sched_yield())
		fail("sched_yield", errno);
}

static void *nothing(void *arg)
{
	return arg;
}

static void thread_create_join(void)
{
	pthread_t t;
	int err = pthread_create(&t, NULL, nothing, NULL);

	if (err)
		fail("pthread_create", err);
	else if ((err = pthread_join(t, NULL)))
		fail("pthread_join", err);
}

static volatile int signals;

static void on_signal(int sig)
{
	(void)sig;
	signals++;
}

static void signal_self(void) // kill to the process itself, and its handler
{
	int before = signals;

	if (kill(getpid(), SIGUSR1))
		fail("kill", errno);
	else if (signals != before + 1)
		fail("the handler did not run before kill returned", 0);
}

static int install_handler(int start)
{
	return signal(SIGUSR1, start ? on_signal : SIG_DFL) == SIG_ERR ? -1 : 0;
}

static const struct op {
	const char *name;
	void (*fn)(void);        // one operation
	int n;                   // operations per round
	int (*round)(int start); // if set: before (start 1) and after (start 0) each round
} ops[] = {
	{ "null_call", null_call, ITERATIONS, NULL },
	{ "clock_gettime", clock_monotonic, ITERATIONS, NULL },
	{ "page_fault", touch_page, FAULT_PAGES, fault_region },
	{ "mmap_munmap", mmap_munmap, MMAPS, NULL },
	{ "sched_yield", yield, ITERATIONS, NULL },
	{ "thread_create_join", thread_create_join, THREADS, NULL },
	{ "signal_self", signal_self, ITERATIONS, install_handler },
};

// Round 0 warms up; the result is the best of the others. Returns 0, or -1 if the operation failed.
static int bench(const struct op *op, uint64_t loop)
{
	uint64_t best = UINT64_MAX;

	failure = NULL;
	for (int r = 0; r <= ROUNDS && !failure; r++) {
		uint64_t v;

		if (op->round && op->round(1)) {
			fail("mmap of the region", errno);
			break;
		}
		v = measure(op->fn, op->n);
		if (op->round && op->round(0))
			fail("munmap of the region", errno);
		if (r > 0 && v < best)
			best = v;
	}
	if (failure)
		printf("posix: %s failed: %s: %s\n", op->name, failure, strerror(failure_errno));
	else
		printf("BENCH posix_%s %lu\n", op->name, (unsigned long)(best > loop ? best - loop : 0));
	fflush(stdout); // before the next operation, which may crash
	return failure ? -1 : 0;
}

int main(void)
{
	uint64_t loop;
	int failed = 0;

	measure(empty, 100);
	loop = measure(empty, ITERATIONS);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		failed |= bench(&ops[i], loop);
	printf("BENCH done\n");
	return failed ? 1 : 0;
}
