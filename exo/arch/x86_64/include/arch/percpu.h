// SPDX-License-Identifier: MIT
// Per-CPU data, reached through GS in the kernel (swapgs on every entry from user mode); cpus[i]
// is CPU i's, indexed by the kernel's CPU number (0 = the boot CPU, then the MADT's order).
#pragma once

#include <arch/asm-defs.h>
#include <kern/types.h>

#define MAX_CPUS 8

struct thread;
struct runq;

typedef uint64_t __attribute__((aligned(1))) unaligned_u64;

// Fields another CPU touches (need_resched, tlb_pending) are written under the kernel lock or
// atomically; the rest belong to their CPU.
struct percpu {
	struct percpu *self; // 0: for percpu()
	uint64_t kstack_top; // syscall_entry switches to it (entry.S)
	uint64_t user_rsp;   // scratch for syscall_entry
	struct thread *current;
	struct thread *idle;
	bool need_resched;
	bool frame_replaced; // the kernel call rewrote the caller's frame: return with iretq
	uint32_t cpu_id;
	uint64_t fs_base; // the value in MSR_FS_BASE
	uint32_t apic_id;
	paddr_t cr3;               // the root in CR3 (TLB shootdowns skip CPUs on other roots)
	unaligned_u64 *tss_rsp0;   // this CPU's TSS rsp0: the stack for entries from user mode
	const void *iomap_live;    // the I/O bitmap in force in this CPU's TSS (NULL: none)
	volatile bool tlb_pending; // a shootdown request waits for this CPU (arch/paging.c)
	struct runq *rq;           // its run queues (core/sched.c)
	uint32_t spins_held;       // bit r: it holds a spin lock of rank r (debug checks, kern/spinlock.h)
};
_Static_assert(offsetof(struct percpu, self) == 0 && offsetof(struct percpu, kstack_top) == PERCPU_KSTACK &&
                   offsetof(struct percpu, user_rsp) == PERCPU_URSP &&
                   offsetof(struct percpu, need_resched) == PERCPU_RESCHED &&
                   offsetof(struct percpu, frame_replaced) == PERCPU_RESCHED + 1 &&
                   offsetof(struct percpu, cpu_id) == PERCPU_CPU_ID,
               "entry.S reaches struct percpu by these offsets (arch/asm-defs.h)");

extern struct percpu cpus[MAX_CPUS];
extern unsigned ncpus; // CPUs online (cpus[0 .. ncpus - 1])

static inline struct percpu *percpu(void)
{
	struct percpu *p;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

static inline unsigned cpu_self(void)
{
	unsigned id;

	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(id) : "i"(PERCPU_CPU_ID));
	return id;
}

// Points GS at cpus[id] and sets up SYSCALL on this CPU.
void percpu_init(unsigned id);
// This CPU's SYSCALL entry from now on takes the kernel lock (smp_init, once bkl_on is set).
void percpu_lock_syscalls(void);

// Sets the stack used for entries from user mode (TSS rsp0 and syscall_entry).
static inline void percpu_set_kstack(uint64_t top)
{
	struct percpu *cpu = percpu();

	cpu->kstack_top = top;
	*cpu->tss_rsp0 = top;
}
