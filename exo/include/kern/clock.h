// SPDX-License-Identifier: MIT
// Monotonic time: nanoseconds since boot (from the calibrated TSC) and the timer tick count.
#pragma once

#include <kern/types.h>

void clock_init(uint64_t tsc_hz, unsigned tick_hz);
void clock_tick(void);   // called by the timer interrupt
uint64_t clock_ns(void); // monotonic, nanoseconds since clock_init
// clock_ns() == (rdtsc() - tsc0) * mult >> 32 when mult != 0.
void clock_params(uint64_t *tsc0, uint64_t *mult);
uint64_t clock_ticks(void);
unsigned clock_tick_hz(void);
uint64_t clock_tsc_hz(void);
