// SPDX-License-Identifier: MIT
// In-kernel tests, selected at boot with "test=NAME" on the kernel command line. A test passes
// by returning (the kernel then exits QEMU with status 33); a failed check panics (status 35).
#pragma once

#include <kern/errno.h>
#include <kern/panic.h>
#include <kern/types.h>

// Entries are packed back to back in .ktests: exactly 16 bytes each, 16-byte aligned.
struct ktest {
	const char *name;
	void (*fn)(void);
} __aligned(16);

#define KTEST(tname)                                                 \
	static void ktest_fn_##tname(void);                          \
	static const struct ktest ktest_##tname __section(".ktests") \
	    __attribute__((used)) = { #tname, ktest_fn_##tname };    \
	static void ktest_fn_##tname(void)

#define KCHECK(cond)                                                                           \
	do {                                                                                   \
		if (!(cond))                                                                   \
			panic("ktest: check '%s' failed at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)

#define KCHECK_EQ(a, b)                                                                                  \
	do {                                                                                             \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                                         \
		if (a_ != b_)                                                                            \
			panic("ktest: check '%s == %s' failed at %s:%d: %#lx != %#lx", #a, #b, __FILE__, \
			      __LINE__, (unsigned long)a_, (unsigned long)b_);                           \
	} while (0)

// Runs the named test and ends the machine; never returns.
void ktest_run(const char *name) __noreturn;
// Waits (interrupts enabled while halted) until the tick count advances by n; defined with the
// tests (tests/qemu/ktests/wait.c). Tests run with interrupts disabled otherwise, like all kernel
// code outside the idle loop.
void ktest_wait_ticks(uint64_t n);
