// SPDX-License-Identifier: MIT
// FPU/SSE/AVX state of user threads, saved and restored eagerly on every thread switch
// (the kernel itself never touches these registers: it is built with -mgeneral-regs-only).
#pragma once

#include <kern/types.h>

void fpu_init(void);
void fpu_init_cpu(void); // the control registers of this CPU (fpu_init does it on the boot CPU)
// A frame-sized, 64-byte aligned area in the initial state, or NULL (no memory).
void *fpu_state_alloc(void);
void fpu_state_free(void *area);

extern bool fpu_use_xsave, fpu_use_xsaveopt;
extern uint64_t fpu_xcr0;

// The XSAVE mask is all ones: the instructions take XCR0's components (every one the kernel
// enabled, the area's size counts them all), and no load of fpu_xcr0 on the switch path.
// XSAVEOPT, where the CPU has it, writes only the components changed since the XRSTOR from the
// same area: a thread's area is restored every time it runs and nothing else writes it meanwhile,
// so what it skips is in the area already (the state of a thread that did not touch the FPU or
// AVX since its last switch costs almost nothing to save).
static inline void fpu_save(void *area)
{
	if (fpu_use_xsaveopt)
		__asm__ volatile("xsaveopt64 (%0)" : : "r"(area), "a"(~0u), "d"(~0u) : "memory");
	else if (fpu_use_xsave)
		__asm__ volatile("xsave64 (%0)" : : "r"(area), "a"(~0u), "d"(~0u) : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

static inline void fpu_restore(const void *area)
{
	if (fpu_use_xsave)
		__asm__ volatile("xrstor64 (%0)" : : "r"(area), "a"(~0u), "d"(~0u) : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}
