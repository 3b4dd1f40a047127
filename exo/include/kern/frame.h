// SPDX-License-Identifier: MIT
// Physical frame allocator: a bitmap over all RAM the boot memory map reports as usable.
#pragma once

#include <kern/types.h>

// A range of physical memory [base, base + len).
struct mem_range {
	paddr_t base;
	uint64_t len;
};

struct frame_stats {
	uint64_t total;    // usable frames managed by the allocator
	uint64_t free;     // of those, currently free
	uint64_t reserved; // bytes the memory map reports as not usable, plus excluded ranges
};

// Builds the allocator from the usable RAM ranges minus the excluded ranges (kernel image,
// boot modules, ...). The bitmap itself is placed in usable memory (reached via phys_to_virt)
// and excluded too. Returns 0, or -1 if there is no room for the bitmap.
int frame_init(const struct mem_range *usable, size_t nusable, const struct mem_range *excluded,
               size_t nexcluded, uint64_t reported_reserved);

// Allocates one frame / n physically contiguous frames aligned to align (a power of two >= 4 KiB).
// Returns the physical address, or 0 when memory is exhausted (frame 0 is never handed out).
paddr_t frame_alloc(void);
paddr_t frame_alloc_contig(size_t n, size_t align);

// Frees frames; freeing a frame that is not allocated (double free, or not RAM) panics.
void frame_free(paddr_t pa);
void frame_free_contig(paddr_t pa, size_t n);

bool frame_is_allocated(paddr_t pa);
void frame_get_stats(struct frame_stats *st);
