// SPDX-License-Identifier: MIT
// Monotonic clock. Nanoseconds come from the TSC scaled by a 32.32 fixed-point factor measured
// at boot (no division on the read path); the tick counter advances in the timer interrupt.
#include <arch/cpu.h>
#include <kern/clock.h>

static uint64_t tsc0, tsc_hz, mult; // ns = (tsc - tsc0) * mult >> 32
static unsigned tick_hz;
static volatile uint64_t ticks;

void clock_init(uint64_t hz, unsigned tick_rate)
{
	tsc_hz = hz;
	tick_hz = tick_rate;
	mult = hz ? (1000000000ull << 32) / hz : 0;
	tsc0 = rdtsc();
}

void clock_tick(void)
{
	ticks++;
}

uint64_t clock_ns(void)
{
	if (!mult) // no TSC rate: tick resolution
		return tick_hz ? ticks * (1000000000ull / tick_hz) : 0;
	return (uint64_t)(((unsigned __int128)(rdtsc() - tsc0) * mult) >> 32);
}

void clock_params(uint64_t *tsc0_out, uint64_t *mult_out)
{
	*tsc0_out = tsc0;
	*mult_out = mult;
}

uint64_t clock_ticks(void)
{
	return ticks;
}

unsigned clock_tick_hz(void)
{
	return tick_hz;
}

uint64_t clock_tsc_hz(void)
{
	return tsc_hz;
}
