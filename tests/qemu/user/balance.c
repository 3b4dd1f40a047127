// SPDX-License-Identifier: MIT
// The load balancer, as init on four CPUs under -icount (tests.list): 8 CPU-bound threads must
// finish in about twice the time one takes alone, threads pinned by affinity must never run
// anywhere else while the free ones spread around them, and the threads of a process out of CPU
// budget wait for their period; the balancer's invariant (core/sched.c) must hold throughout
// (sched_stats; the test kernel checks it on every tick).
//
// Time is the kernel's shared TSC (sched_stats): under -icount QEMU runs the CPUs in turn and the
// TSC counts the instructions of all of them, so 8 threads take 8 times as long as one on the TSC
// whatever the balancer does; the TSC divided among the CPUs that were busy is the time CPUs that
// ran in parallel would have taken. QEMU's turns are not fair: pinned one to a CPU, equal threads
// finish at 44, 44, 64 and 94 million (CPUs 1, 2, 3, 0), so the threads of slow CPUs finish last,
// alone, and the ratio is above 2 (2.3 here). The work each CPU did (iterations, attributed by
// cpu_info every chunk) is shown beside it and depends as much on those turns.
#include "testlib.h"

#define NCPUS    4
#define NWORKERS 8
#define WORK     40000000ull // loop iterations of one worker in test_spread
#define CHUNK    200000ull   // iterations between two looks at the CPU
#define STACK    16384

struct worker {
	uint64_t self;
	uint64_t iterations;
	uint64_t allowed;         // CPUs it may be seen on (its affinity)
	volatile uint64_t end;    // shared TSC when it finished
	volatile uint64_t strays; // chunks it ran on a CPU outside allowed
	volatile int done;
};

static const struct exo_bootinfo *bi;
static struct worker workers[NWORKERS];
static volatile uint64_t cpu_work[NCPUS]; // iterations done on each CPU
static uint8_t stacks[NWORKERS][STACK] __attribute__((aligned(4096)));

static uint64_t shared_tsc(void)
{
	struct exo_sched_stats st;

	CHECK_EQ(exo_sched_stats(&st), 0);
	return st.shared_tsc;
}

static struct exo_sched_stats stats(void)
{
	struct exo_sched_stats st = { 0 };

	CHECK_EQ(exo_sched_stats(&st), 0);
	return st;
}

static uint64_t info_type(uint64_t h)
{
	struct exo_cap_info info = { 0 };

	return exo_cap_info(h, &info) ? EXO_OBJ_NONE : info.type;
}

static void worker_entry(uint64_t arg)
{
	struct worker *w = (struct worker *)arg;
	volatile uint64_t x = 0;

	for (uint64_t done = 0; done < w->iterations; done += CHUNK) {
		unsigned cpu;

		for (uint64_t i = 0; i < CHUNK; i++)
			x += i;
		cpu = (unsigned)(exo_cpu_info() & 0xffffffff);
		if (cpu < NCPUS)
			__atomic_add_fetch(&cpu_work[cpu], CHUNK, __ATOMIC_RELAXED);
		if (cpu >= 64 || !(w->allowed & (1ull << cpu)))
			w->strays++;
	}
	w->end = shared_tsc();
	w->done = 1;
	exo_thread_destroy(w->self);
}

// Starts n workers, worker i with affinity masks[i] (0: any CPU), of iterations each; waits for
// them and returns the span from their start to the last end on the shared TSC.
static uint64_t run_workers(unsigned n, uint64_t iterations, const uint64_t *masks)
{
	uint64_t start, end = 0;

	for (unsigned c = 0; c < NCPUS; c++)
		cpu_work[c] = 0;
	for (unsigned i = 0; i < n; i++) {
		long t = exo_thread_create(bi->self, 16);

		CHECK(t > 0);
		workers[i] = (struct worker){ .self = (uint64_t)t,
			                      .iterations = iterations,
			                      .allowed = masks && masks[i] ? masks[i] : ~0ull };
		if (masks && masks[i])
			CHECK_EQ(exo_thread_set_affinity(workers[i].self, masks[i]), 0);
	}
	start = shared_tsc();
	for (unsigned i = 0; i < n; i++)
		CHECK_EQ(test_thread_start(workers[i].self, worker_entry, (uint64_t)stacks[i],
		                           (uint64_t)stacks[i] + STACK, (uint64_t)&workers[i], "worker"),
		         0);
	for (unsigned i = 0; i < n; i++) {
		for (int k = 0; k < 6000 && !workers[i].done; k++)
			test_sleep_ms(10); // seldom: the main thread's wake-ups take time from a worker
		CHECK(workers[i].done);
		if (workers[i].end > end)
			end = workers[i].end;
	}
	for (unsigned i = 0; i < n; i++) {
		for (int k = 0; k < 2000 && info_type(workers[i].self) == EXO_OBJ_THREAD; k++)
			test_sleep_ms(1);
		CHECK_EQ(exo_cap_delete(workers[i].self), 0);
	}
	return end - start;
}

// "a.bc" of x / y.
static void ratio_str(char *buf, size_t size, uint64_t x, uint64_t y)
{
	uint64_t r = x * 100 / (y ? y : 1);

	exo_snprintf(buf, size, "%lu.%02lu", (unsigned long)(r / 100), (unsigned long)(r % 100));
}

static void print_work(const char *what, uint64_t unit)
{
	char s[NCPUS][16];

	for (unsigned c = 0; c < NCPUS; c++)
		ratio_str(s[c], sizeof(s[c]), cpu_work[c], unit);
	exo_printf("balance: %s: work per CPU (in threads' worth) %s %s %s %s\n", what, s[0], s[1], s[2],
	           s[3]);
}

static void test_spread(void)
{
	uint64_t one, eight, least = ~0ull;
	struct exo_sched_stats before = stats(), after;
	char r[16];

	CHECK_EQ(exo_cpu_info() >> 32, NCPUS);
	CHECK_EQ(before.checking, 1);
	one = run_workers(1, WORK, NULL);
	eight = run_workers(NWORKERS, WORK, NULL);
	after = stats();
	for (unsigned c = 0; c < NCPUS; c++)
		least = cpu_work[c] < least ? cpu_work[c] : least;
	print_work("8 threads", WORK);
	ratio_str(r, sizeof(r), eight, one);
	exo_printf("balance: 1 thread %lu, 8 threads on 4 CPUs %lu shared TSC ticks: ratio %s "
	           "(%lu idle pulls, %lu periodic moves)\n",
	           (unsigned long)one, (unsigned long)eight, r,
	           (unsigned long)(after.idle_pulls - before.idle_pulls),
	           (unsigned long)(after.periodic_moves - before.periodic_moves));
	CHECK(eight * 100 >= one * 160 && eight * 100 <= one * 260);
	CHECK(least * 10 >= WORK * 8); // every CPU did most of a thread's worth
	CHECK_EQ(after.violations, 0);
}

// Four threads pinned to CPU 1 and two to CPU 2 stay there; the two free ones run beside them
// on CPUs 0 and 3, which the pinned ones leave idle without breaking the invariant.
static void test_pinned(void)
{
	static const uint64_t masks[NWORKERS] = { 2, 2, 2, 2, 4, 4, 0, 0 };
	uint64_t quarter = WORK / 4;

	run_workers(NWORKERS, quarter, masks);
	print_work("4 pinned to CPU 1, 2 to CPU 2, 2 free", quarter);
	for (unsigned i = 0; i < NWORKERS; i++)
		CHECK_EQ(workers[i].strays, 0);
	CHECK(cpu_work[1] >= 4 * quarter);
	CHECK(cpu_work[2] >= 2 * quarter);
	CHECK(cpu_work[0] + cpu_work[3] > 0); // the free threads used the CPUs the pinned ones left
	CHECK_EQ(stats().violations, 0);
}

// The process bound to 10 ticks of each 100-tick period: its four CPU-bound threads run out of
// budget within a few ticks on four CPUs and wait parked for the next period; the CPUs they leave
// idle meanwhile do not break the invariant (the balancer neither pulls nor counts the threads of
// a throttled process). Last: a process is bound once, for good.
static void test_throttled(void)
{
	long ts = exo_timeslice_split(bi->timeslice, 10);
	struct exo_cap_info info = { 0 };
	uint64_t before = stats().violations;

	CHECK(ts > 0);
	CHECK_EQ(exo_process_set_timeslice(bi->self, (uint64_t)ts), 0);
	run_workers(NCPUS, WORK / 16, NULL);
	CHECK_EQ(exo_cap_info((uint64_t)ts, &info), 0);
	exo_printf("balance: 4 threads bound to 10 ticks per period: throttled in %lu periods\n",
	           (unsigned long)info.b);
	CHECK(info.b >= 3); // WORK / 16 each: about 60 ticks of one CPU in all
	CHECK_EQ(stats().violations, before);
}

int main(uint64_t arg)
{
	static const struct test_case cases[] = { TEST_CASE(test_spread), TEST_CASE(test_pinned),
		                                  TEST_CASE(test_throttled) };

	bi = test_begin("balance", arg);
	if (!bi)
		return 1;
	TEST_RUN(cases);
	return test_end();
}
