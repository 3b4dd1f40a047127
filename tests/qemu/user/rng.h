// SPDX-License-Identifier: MIT
// rng.h - the random numbers of the QEMU user tests that fuzz the kernel (hostile, fuzz): a
// xorshift64* generator whose state the program seeds, and helpers to draw from it.
#ifndef TESTS_QEMU_USER_RNG_H
#define TESTS_QEMU_USER_RNG_H

#include <stdint.h>

static uint64_t rng_state; // never 0 once seeded

static inline uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

// Uniform enough in [0, n); 0 for n = 0.
static inline uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static inline int chance(unsigned percent)
{
	return below(100) < percent;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(a)  ((a)[below(NELEM(a))])

#endif
