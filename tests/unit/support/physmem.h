// SPDX-License-Identifier: MIT
// Simulated physical memory for host unit tests: phys_to_virt/virt_to_phys over a host buffer.
#pragma once

#include <kern/types.h>

// Size of the simulated physical address space that is backed by host memory. Physical
// addresses at or above it may still be handed out (e.g. as page-table leaf targets) but
// must never be dereferenced through phys_to_virt.
#define PHYSMEM_SIZE (64 * MiB)

// Host address of physical address 0 (the buffer is 2 MiB aligned).
uint8_t *physmem_base(void);

// Fills all simulated memory with byte c (to catch code that relies on zeroed frames).
void physmem_fill(uint8_t c);

// Re-initialises the frame allocator with one usable range [base, base + len) and nothing
// excluded; fails the running test if frame_init does.
void physmem_frames_init(paddr_t base, uint64_t len);
// The frame allocator's count of free frames.
uint64_t physmem_frames_free(void);
