// SPDX-License-Identifier: MIT
// floats: printf of known float and double values, then 4 threads at once, each repeatedly
// computing a series with its own parameter in SSE registers while the scheduler preempts them:
// every round must give the exact bits (and the same %.6f/%g/%e text) as the single-threaded run.
// The threads go on (up to MAX_ROUNDS) until one of them has seen another make progress in the
// middle of its own computation, so some round really was interrupted (on one CPU: preempted).
#include "check.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#define THREADS    4
#define ROUNDS     12
#define MAX_ROUNDS 2000
#define TERMS      100000

struct result {
	double sum;
	float fsum;
	char text[96];
};

static void series(int id, struct result *r)
{
	double sum = 0, shift = id + 1.0;
	float fsum = 0;

	for (int k = 1; k <= TERMS; k++) {
		double x = k + shift;
		sum += 1.0 / (x * x) - 0.5 / (x * x * x);
		fsum += 1.0f / ((float)k + (float)id);
	}
	r->sum = sum;
	r->fsum = fsum;
	snprintf(r->text, sizeof(r->text), "%.6f %g %e %.9g", sum * 1000, sum, sum, (double)fsum);
}

static struct result reference[THREADS];
static atomic_long rounds_done;
static atomic_int overlap_seen;

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;

	for (int round = 0; round < ROUNDS || (!overlap_seen && round < MAX_ROUNDS); round++) {
		struct result r;
		long before = rounds_done;
		series(id, &r);
		if (rounds_done != before)
			overlap_seen = 1;
		rounds_done++;
		if (memcmp(&r.sum, &reference[id].sum, sizeof(double)) != 0 ||
		    memcmp(&r.fsum, &reference[id].fsum, sizeof(float)) != 0 ||
		    strcmp(r.text, reference[id].text) != 0)
			return (void *)(intptr_t)(round + 1);
	}
	return NULL;
}

static void check_format(const char *fmt, double v, const char *want)
{
	char buf[64];

	snprintf(buf, sizeof(buf), fmt, v);
	if (strcmp(buf, want) != 0)
		fprintf(stderr, "floats: \"%s\" gave \"%s\", want \"%s\"\n", fmt, buf, want);
	CHECK(strcmp(buf, want) == 0);
	printf("%s\n", buf);
}

int main(void)
{
	check_format("%.6f", 3.14159265358979, "3.141593");
	check_format("%g", 0.0001, "0.0001");
	check_format("%g", 1e-5, "1e-05");
	check_format("%e", 12345.678, "1.234568e+04");
	check_format("%.10f", 0.1f, "0.1000000015");
	check_format("%.3e", -2.5e-300, "-2.500e-300");
	check_format("%g", 1.0 / 3, "0.333333");

	for (int id = 0; id < THREADS; id++) {
		series(id, &reference[id]);
		printf("series %d: %s\n", id, reference[id].text);
	}
	pthread_t t[THREADS];
	for (int id = 0; id < THREADS; id++)
		CHECK(pthread_create(&t[id], NULL, worker, (void *)(intptr_t)id) == 0);
	for (int id = 0; id < THREADS; id++) {
		void *ret;
		CHECK(pthread_join(t[id], &ret) == 0);
		if (ret)
			fprintf(stderr, "floats: thread %d wrong in round %ld\n", id, (long)(intptr_t)ret);
		CHECK(ret == NULL);
	}
	CHECK(overlap_seen);
	printf("%d threads, interrupted rounds: exact\n", THREADS);
	return 0;
}
