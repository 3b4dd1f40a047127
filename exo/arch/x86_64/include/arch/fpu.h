// SPDX-License-Identifier: MIT
// FPU/SSE/AVX state of user threads, saved and restored eagerly on every thread switch
// (the kernel itself never touches these registers: it is built with -mgeneral-regs-only).
#pragma once

#include <kern/types.h>

void fpu_init(void);
// A frame-sized, 64-byte aligned area in the initial state, or NULL (no memory).
void *fpu_state_alloc(void);
void fpu_state_free(void *area);
void fpu_save(void *area);
void fpu_restore(const void *area);
