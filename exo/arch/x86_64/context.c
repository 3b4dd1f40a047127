// SPDX-License-Identifier: MIT
// Machine side of threads: the initial kernel stack of a new thread (a user trap frame under a
// context_switch frame that returns into thread_first_entry), and the switch between threads
// (kernel stack, TSS rsp0, address space, FPU state, FS base).
#include <arch/context.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/paging.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <common/string.h>
#include <kern/ioport.h>
#include <kern/thread.h>

#define MSR_FS_BASE 0xc0000100
#define RFLAGS_IF   (1ull << 9)
#define RFLAGS_RES1 (1ull << 1)

void context_switch(uint64_t *save_rsp, uint64_t new_rsp);
void thread_first_entry(void);

void arch_thread_setup(struct thread *t, uint64_t rip, uint64_t rsp, uint64_t arg)
{
	struct trap_frame *tf = thread_frame(t);
	uint64_t *sp = (uint64_t *)tf;

	memset(tf, 0, sizeof(*tf));
	tf->rip = rip;
	tf->rsp = rsp;
	tf->rdi = arg;
	tf->cs = SEL_UCODE;
	tf->ss = SEL_UDATA;
	tf->rflags = RFLAGS_IF | RFLAGS_RES1;
	tf->vector = VEC_SYSCALL;
	*--sp = (uint64_t)thread_first_entry; // context_switch's ret
	for (int i = 0; i < 6; i++)           // rbp rbx r12 r13 r14 r15
		*--sp = 0;
	t->ksp = (uint64_t)sp;
}
