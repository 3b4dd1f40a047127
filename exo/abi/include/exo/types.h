// SPDX-License-Identifier: MIT
// Part of the exo ABI: records passed to kernel calls by pointer.
#pragma once

#include <exo/exo.h>
#include <stddef.h>
#include <stdint.h>

// One operation of vspace_map / vspace_protect.
struct exo_map_op {
	exo_frame_t frame;
	uint64_t vaddr; // page-aligned user address
	uint64_t prot;  // EXO_R_READ | EXO_R_WRITE | EXO_R_EXEC (not W and X together)
};

// In a vspace_map op's prot: the frame capability is deleted once the page is mapped (the
// mapping keeps the frame), saving a cap_delete per page.
#define EXO_MAP_MOVE (1ull << 63)

// In vspace_protect_range's prot, with EXO_R_WRITE: only the pages whose frame nobody else holds
// (no other mapping, no capability) are made writable - even if they were mapped without write
// (a copy-on-write page once its last sharer is gone); the others are left as they are.
#define EXO_PROT_IF_PRIVATE (1ull << 62)

// vspace_share_range modes.
#define EXO_SHARE_SAME 0 // the destination gets each page as the source has it (MAP_SHARED)
#define EXO_SHARE_COW  1 // both read-only; the destination's copy may become writable only once private

#define EXO_MAP_BATCH_MAX 512 // ops, handles or addresses per call

// clock_params: the monotonic clock as a function of the TSC (see the call).
struct exo_clock_params {
	uint64_t tsc0; // the TSC at clock 0
	uint64_t mult; // nanoseconds per TSC tick, 32.32 fixed point
};

// Filled by cap_info.
struct exo_cap_info {
	uint64_t type;   // EXO_OBJ_*
	uint64_t rights; // EXO_R_*
	uint64_t badge;
	uint64_t a, b; // QUOTA: limit, used; FRAME: 0, 0; IOPORT: first, count; MMIO: paddr, size;
	               // IRQ: gsi, 0; PROCESS: pid, exited; THREAD: tid, state;
	               // TIMESLICE: budget, periods throttled
};

// Filled by kernel_stats: the whole machine's memory, to check that torn-down work gave back
// every frame and every heap byte it took.
struct exo_kernel_stats {
	uint64_t total_frames; // usable frames managed by the frame allocator
	uint64_t free_frames;  // of those, free now
	uint64_t heap_bytes;   // bytes of live kernel heap objects
	uint64_t heap_objects; // live kernel heap objects
	uint64_t heap_pages;   // frames the kernel heap holds (slabs and large objects)
};

// The layouts are ABI: pinned here so a change cannot slip through.
_Static_assert(sizeof(struct exo_map_op) == 24 && offsetof(struct exo_map_op, vaddr) == 8 &&
                   offsetof(struct exo_map_op, prot) == 16,
               "exo_map_op");
_Static_assert(sizeof(struct exo_clock_params) == 16 && offsetof(struct exo_clock_params, mult) == 8,
               "exo_clock_params");
_Static_assert(sizeof(struct exo_cap_info) == 40 && offsetof(struct exo_cap_info, badge) == 16 &&
                   offsetof(struct exo_cap_info, a) == 24 && offsetof(struct exo_cap_info, b) == 32,
               "exo_cap_info");
_Static_assert(sizeof(struct exo_kernel_stats) == 40 && offsetof(struct exo_kernel_stats, heap_pages) == 32,
               "exo_kernel_stats");
