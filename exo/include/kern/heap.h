// SPDX-License-Identifier: MIT
// Kernel heap: power-of-two slab caches for small objects, whole frames for large ones.
#pragma once

#include <kern/types.h>

struct heap_stats {
	uint64_t allocs;       // successful kmalloc calls
	uint64_t frees;        // kfree calls
	uint64_t bytes_in_use; // requested bytes currently allocated
	uint64_t slab_pages;   // frames held by slab caches
	uint64_t large_pages;  // frames held by large allocations
};

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);
void heap_get_stats(struct heap_stats *st);
// The bytes a kmalloc(size) really occupies (its slab slot, or its whole frames): what quotas
// are charged for kernel objects.
size_t kmalloc_footprint(size_t size);
// Checks every live object's guard bytes (debug builds); panics on corruption.
void heap_check(void);
