// SPDX-License-Identifier: MIT
// kid.h - for QEMU user tests that run their own functions in child processes: a kid is a spawned
// copy of the program (so the program's code sits at the same addresses in it), idle until
// kid_run starts one of the program's functions there as a new thread with a stack page of its
// own. The program's main must call kid_main first: a kid's main gets KID_IDLE.
#ifndef TESTS_QEMU_USER_KID_H
#define TESTS_QEMU_USER_KID_H

#include <exo/libexo.h>

#define KID_IDLE   1
#define KID_STACKS 0x0000000700000000ull // the threads' stacks in a kid, one page in every two
#define KID_PAGE   4096ull

// Sleeps until the process is killed.
__attribute__((noreturn)) static inline void kid_sleep(void)
{
	for (;;)
		exo_thread_sleep((uint64_t)exo_clock_ns() + 1000000000ull);
}

// A kid's main: sleeps until it is killed. Returns for anything else (init's bootinfo).
static inline void kid_main(uint64_t arg)
{
	if (arg == KID_IDLE)
		kid_sleep();
}

// Spawns a kid charged to quota: *proc is its process capability (all rights).
static inline long kid_spawn(const struct exo_bootinfo *bi, uint64_t quota, const char *name, uint64_t prio,
                             uint64_t *proc)
{
	uint64_t thread;
	long r = exo_spawn(bi->self, quota, &bi->modules[0], name, prio, KID_IDLE, proc, &thread);

	if (!r)
		exo_cap_delete(thread);
	return r;
}

// Starts fn(arg) as a thread of kid proc at priority prio, on a fresh stack page charged to
// quota at stack slot `slot`. Returns the thread's handle or an error. fn must never return.
static inline long kid_run(uint64_t proc, uint64_t quota, uint64_t slot, void (*fn)(uint64_t), uint64_t arg,
                           uint64_t prio)
{
	struct exo_map_op op = { 0, KID_STACKS + slot * 2 * KID_PAGE,
		                 EXO_R_READ | EXO_R_WRITE | EXO_MAP_MOVE };
	long r = exo_frame_alloc(quota, 1, &op.frame), t;

	if (r < 0)
		return r;
	r = exo_vspace_map(proc, &op, 1);
	if (r != 1) {
		exo_cap_delete(op.frame);
		return r < 0 ? r : -EXO_EINVAL;
	}
	t = exo_thread_create(proc, prio);
	if (t < 0)
		return t;
	// As if called: rsp + 8 is 16-byte aligned at the function's first instruction.
	r = exo_thread_start((uint64_t)t, (uint64_t)fn, op.vaddr + KID_PAGE - 8, arg);
	if (r) {
		exo_cap_delete((uint64_t)t);
		return r;
	}
	return t;
}

// Whole-machine memory use (needs init's root quota).
static inline int kid_stats_equal(const struct exo_kernel_stats *a, const struct exo_kernel_stats *b)
{
	return a->free_frames == b->free_frames && a->heap_bytes == b->heap_bytes &&
	       a->heap_objects == b->heap_objects && a->heap_pages == b->heap_pages;
}

#endif
