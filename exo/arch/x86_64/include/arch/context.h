// SPDX-License-Identifier: MIT
// The machine side of a thread switch, inline in the scheduler (it is on the IPC fast path):
// kernel stack and TSS rsp0, address space, FS base, I/O bitmap, FPU state, then the stacks.
#pragma once

#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/pagetable.h>
#include <arch/percpu.h>
#include <kern/ioport.h>
#include <kern/thread.h>

#define MSR_FS_BASE 0xc0000100

void context_switch(uint64_t *save_rsp, uint64_t new_rsp);

static inline void arch_switch(struct percpu *cpu, struct thread *prev, struct thread *next)
{
	cpu->current = next;
	if (next->proc) {
		percpu_set_kstack(next->kstack_top);
		if ((read_cr3() & PTE_ADDR) != next->proc->vs.root)
			write_cr3(next->proc->vs.root);
		if (next->fs_base != cpu->fs_base) {
			wrmsr(MSR_FS_BASE, next->fs_base);
			cpu->fs_base = next->fs_base;
		}
		if (next->proc->iobitmap != ioport_live)
			ioport_switch(next->proc);
	}
	if (prev->proc && prev->state != T_DEAD)
		fpu_save(prev->fpu);
	if (next->proc)
		fpu_restore(next->fpu);
	context_switch(&prev->ksp, next->ksp);
}
