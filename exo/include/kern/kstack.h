// SPDX-License-Identifier: MIT
// Kernel stacks for threads, in their own region with an unmapped guard page below each.
#pragma once

#include <kern/types.h>

// Returns the top of a new KSTACK_SIZE stack, or 0 when out of memory or slots.
uint64_t kstack_alloc(void);
void kstack_free(uint64_t top);
