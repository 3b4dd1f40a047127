// SPDX-License-Identifier: MIT
// raw_syscall.h - a kernel call by number with six arguments, for the QEMU user tests that make
// up call numbers and arguments (hostile, fuzz) rather than going through libexo's stubs.
#ifndef TESTS_QEMU_USER_RAW_SYSCALL_H
#define TESTS_QEMU_USER_RAW_SYSCALL_H

#include <stdint.h>

// The argument registers are in/out: a call that delivers an IPC message returns it in them.
static inline long raw_syscall(uint64_t nr, const uint64_t a[6])
{
	register uint64_t rdi __asm__("rdi") = a[0];
	register uint64_t rsi __asm__("rsi") = a[1];
	register uint64_t rdx __asm__("rdx") = a[2];
	register uint64_t r10 __asm__("r10") = a[3];
	register uint64_t r8 __asm__("r8") = a[4];
	register uint64_t r9 __asm__("r9") = a[5];
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
	                 : "a"(nr)
	                 : "rcx", "r11", "memory");
	return ret;
}

#endif
