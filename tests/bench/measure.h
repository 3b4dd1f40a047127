// SPDX-License-Identifier: MIT
// The measuring method of the benchmarks (bench.c, posix.c): under QEMU -icount shift=0,sleep=off
// the TSC advances one tick per guest instruction, so an rdtsc delta counts guest instructions.
#ifndef BENCH_MEASURE_H
#define BENCH_MEASURE_H
#include <stdint.h>

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

// The loop measured to subtract the cost of the measuring itself (a call through a pointer).
static inline void empty(void)
{
	__asm__ volatile("" ::: "memory");
}

// Instructions per call of fn, over n calls.
static inline uint64_t measure(void (*fn)(void), int n)
{
	uint64_t t0 = rdtsc();

	for (int i = 0; i < n; i++)
		fn();
	return (rdtsc() - t0) / (uint64_t)n;
}
#endif
