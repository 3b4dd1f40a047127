// SPDX-License-Identifier: MIT
// Per-CPU data, reached through GS in the kernel (swapgs on every entry from user mode).
#pragma once

#include <arch/asm-defs.h>
#include <kern/types.h>

struct thread;

struct percpu {
	struct percpu *self; // 0: for percpu()
	uint64_t kstack_top; // syscall_entry switches to it (entry.S)
	uint64_t user_rsp;   // scratch for syscall_entry
	struct thread *current;
	struct thread *idle;
	bool need_resched;
	uint64_t fs_base; // the value in MSR_FS_BASE
	uint32_t cpu_id;
};
_Static_assert(offsetof(struct percpu, self) == 0 && offsetof(struct percpu, kstack_top) == PERCPU_KSTACK &&
                   offsetof(struct percpu, user_rsp) == PERCPU_URSP &&
                   offsetof(struct percpu, need_resched) == PERCPU_RESCHED,
               "entry.S reaches struct percpu by these offsets (arch/asm-defs.h)");

static inline struct percpu *percpu(void)
{
	struct percpu *p;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

void percpu_init(void);

typedef uint64_t __attribute__((aligned(1))) unaligned_u64;
extern unaligned_u64 *tss_rsp0;

// Sets the stack used for entries from user mode (TSS rsp0 and syscall_entry).
static inline void percpu_set_kstack(uint64_t top)
{
	percpu()->kstack_top = top;
	*tss_rsp0 = top;
}
