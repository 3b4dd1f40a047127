// SPDX-License-Identifier: MIT
// tlb_invalidate() fake for host unit tests: counts and records the calls.
#pragma once

#include <kern/types.h>

#define TLB_LOG_MAX 4096

struct tlb_call {
	paddr_t root;
	vaddr_t va;
};

extern unsigned tlb_calls;                   // calls since tlb_reset()
extern struct tlb_call tlb_log[TLB_LOG_MAX]; // the first TLB_LOG_MAX of them

void tlb_reset(void);
// Number of recorded calls for (root, va).
unsigned tlb_calls_for(paddr_t root, vaddr_t va);
