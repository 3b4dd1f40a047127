// SPDX-License-Identifier: MIT
// panic() for unrecoverable kernel states and KASSERT for internal invariants.
#pragma once

#include <kern/types.h>

// Prints the message and a backtrace, then stops the machine (under QEMU: exits with a failure code).
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;

#ifndef EXO_NDEBUG
#define KASSERT(cond)                                                                       \
	do {                                                                                \
		if (__builtin_expect(!(cond), 0))                                           \
			panic("assertion '%s' failed at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)
#else
#define KASSERT(cond) ((void)0)
#endif
