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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"

#define ROUNDS      5
#define ITERATIONS  20000
#define FAULT_PAGES 4096 // 16 MiB, fresh each round
#define MMAPS       2000
#define THREADS     200
#define FORKS       100
#define ROUNDTRIPS  2000
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

static void fork_exit_wait(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid < 0)
		fail("fork", errno);
	else if (waitpid(pid, &status, 0) != pid || status != 0)
		fail("waitpid", errno);
}

static const char *self; // this program's path, for exec

static void fork_exec_wait(void) // the program itself, which exits at once (main's "exit")
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { (char *)self, "exit", NULL };

		execv(self, argv);
		_exit(127);
	}
	if (pid < 0)
		fail("fork", errno);
	else if (waitpid(pid, &status, 0) != pid || status != 0)
		fail("exec or waitpid", status ? 0 : errno);
}

static int to_echo[2], from_echo[2];
static pid_t echo;

static void pipe_roundtrip(void) // a byte to another process and back
{
	char c = 'x';

	if (write(to_echo[1], &c, 1) != 1 || read(from_echo[0], &c, 1) != 1)
		fail("pipe read or write", errno);
}

static int echo_process(int start)
{
	int status;
	char c;

	if (!start) {
		close(to_echo[1]);
		close(from_echo[0]);
		return waitpid(echo, &status, 0) == echo ? 0 : -1;
	}
	if (pipe(to_echo) || pipe(from_echo) || (echo = fork()) < 0)
		return -1;
	if (echo == 0) {
		close(to_echo[1]);
		close(from_echo[0]);
		while (read(to_echo[0], &c, 1) == 1)
			if (write(from_echo[1], &c, 1) != 1)
				break;
		_exit(0);
	}
	close(to_echo[0]);
	close(from_echo[1]);
	return 0;
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
	{ "fork_exit_wait", fork_exit_wait, FORKS, NULL },
	{ "fork_exec_wait", fork_exec_wait, FORKS, NULL },
	{ "pipe_roundtrip", pipe_roundtrip, ROUNDTRIPS, echo_process },
};

// Round 0 warms up; the result is the best of the others. Returns 0, or -1 if the operation failed.
static int bench(const struct op *op, uint64_t loop)
{
	uint64_t best = UINT64_MAX;

	failure = NULL;
	for (int r = 0; r <= ROUNDS && !failure; r++) {
		uint64_t v;

		if (op->round && op->round(1)) {
			fail("the round's set-up", errno);
			break;
		}
		v = measure(op->fn, op->n);
		if (op->round && op->round(0))
			fail("the round's tear-down", errno);
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

int main(int argc, char **argv)
{
	uint64_t loop;
	int failed = 0;

	if (argc > 1 && !strcmp(argv[1], "exit"))
		_exit(0); // fork_exec_wait's child
	self =
	    access("/init", X_OK) == 0 ? "/init" : "/boot/posix-exo"; // Linux's initramfs, exo's boot files
	measure(empty, 100);
	loop = measure(empty, ITERATIONS);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		failed |= bench(&ops[i], loop);
	printf("BENCH done\n");
	return failed ? 1 : 0;
}
