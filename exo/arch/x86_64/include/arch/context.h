// SPDX-License-Identifier: MIT
// The machine side of a thread switch, inline in the scheduler (it is on the IPC fast path):
// kernel stack and TSS rsp0, address space, FS base, I/O bitmap, FPU state, then the stacks.
#pragma once

#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/pagetable.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <kern/ioport.h>
#include <kern/thread.h>

#define MSR_FS_BASE 0xc0000100

void context_switch(uint64_t *save_rsp, uint64_t new_rsp);
void __attribute__((noreturn))
syscall_switch_frame(uint64_t *prev_ksp, uint64_t prev_kstack_top, uint64_t next_kstack_top, long result);
// Builds a new thread's first user frame (rip, rsp, rdi = arg) and kernel stack.
void arch_thread_setup(struct thread *t, uint64_t rip, uint64_t rsp, uint64_t arg);

// A thread's user registers, saved at the top of its kernel stack (inline: IPC writes them).
static inline struct trap_frame *thread_frame(struct thread *t)
{
	return (struct trap_frame *)(t->kstack_top - sizeof(struct trap_frame));
}

// Everything of a switch but the stacks; users: prev and next are live user threads.
static inline __attribute__((always_inline)) void arch_switch_state(struct percpu *cpu, struct thread *prev,
                                                                    struct thread *next, bool users)
{
	struct process *p = next->proc;

	cpu->current = next;
	if (users || (prev->proc && prev->state != T_DEAD))
		fpu_save(prev->fpu);
	if (users || p) {
		cpu->kstack_top = next->kstack_top; // percpu_set_kstack without another percpu()
		*cpu->tss_rsp0 = next->kstack_top;
		if (cpu->cr3 != p->vs.root) {
			write_cr3(p->vs.root);
			cpu->cr3 = p->vs.root;
		}
		if (next->fs_base != cpu->fs_base) {
			wrmsr(MSR_FS_BASE, next->fs_base);
			cpu->fs_base = next->fs_base;
		}
		if (p->iobitmap != cpu->iomap_live)
			ioport_switch(p);
		fpu_restore(next->fpu);
	}
}

static inline void arch_switch(struct percpu *cpu, struct thread *prev, struct thread *next)
{
	arch_switch_state(cpu, prev, next, false);
	context_switch(&prev->ksp, next->ksp);
}

// The switch in frame mode (kern/sched.h): prev blocks so that it resumes in syscall_resume, next
// returns to user mode from its frame with result.
static inline __attribute__((always_inline, noreturn)) void
arch_switch_frame(struct percpu *cpu, struct thread *prev, struct thread *next, long result)
{
	arch_switch_state(cpu, prev, next, true);
	syscall_switch_frame(&prev->ksp, prev->kstack_top, next->kstack_top, result);
}
