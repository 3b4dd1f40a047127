// SPDX-License-Identifier: MIT
// Interrupt and exception entry stubs for all 256 vectors. Each (16 bytes) pushes a dummy error code when
// the CPU does not, then its vector, and joins trap_common, which saves the general registers as
// a struct trap_frame and calls user_exception(frame) for an exception of user code,
// trap_dispatch(frame) for everything else. Also: the SYSCALL entry, the common
// return path and the kernel context switch. Every way back to user mode drops the big kernel
// lock (kern/bkl.h); the SYSCALL entry takes it inline, user_exception and trap_dispatch for
// the other entries.

#include <arch/asm-defs.h>
#include <exo/exo.h>

.macro SAVE_REGS
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
.endm

.macro RESTORE_REGS
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
.endm

// Calls \handler(frame) with a fake frame [rbp, rip] of the interrupted code on top, so that
// backtraces continue into it.
.macro CALL_WITH_FRAME handler
	cld
	mov %rsp, %rdi
	push TF_RIP(%rsp)
	push TF_RBP+8(%rsp) // one push ago
	mov %rsp, %rbp
	call \handler
	add $16, %rsp
.endm

	.text
	.globl trap_common, trap_return
trap_common:
	testb $3, TF_CS-TF_VECTOR(%rsp) // did we come from user mode?
	jz 2f
	swapgs
	SAVE_REGS
	cmpq $32, TF_VECTOR(%rsp) // an exception of user code: straight to its handling
	jae 1f
	CALL_WITH_FRAME user_exception
	jmp trap_return
2:	SAVE_REGS
1:	CALL_WITH_FRAME trap_dispatch
// Returns to the context in the trap frame at rsp (also how new threads first enter user mode).
trap_return:
	testb $3, TF_CS(%rsp)
	jz 1f
	cmpb $0, bkl_on(%rip)
	je 1f
	// The kernel lock's release (kern/bkl.h's kernel_unlock, with its check that we hold it).
	mov %gs:PERCPU_CPU_ID, %eax
	cmp %eax, bkl+BKL_OWNER(%rip)
	jne 3f
	movl $BKL_NO_OWNER, bkl+BKL_OWNER(%rip)
	incl bkl+BKL_SERVING(%rip) // only the holder writes it: no lock prefix needed
1:	RESTORE_REGS
	add $TF_RIP-TF_VECTOR, %rsp // vector, error code
	testb $3, TF_CS-TF_RIP(%rsp)
	jz 2f
	swapgs
2:	iretq
3:	xor %edi, %edi
	call kernel_lock_bad // "releases the kernel lock held by cpu N"

// SYSCALL: rip in rcx, rflags in r11, interrupts masked (SFMASK). Builds the same trap frame
// as an interrupt on the thread's kernel stack, so every path out can use it, and calls
// syscall_table[rax] with the arguments still in registers (arg 4 moves from r10 to rcx).
// The SYSCALL entry, in two builds: syscall_entry takes the kernel lock (kern/bkl.h) inline and
// drops it on the way out; syscall_entry_up, for a machine where only one CPU runs, has no lock
// at all (nothing runs beside the kernel there). smp_init puts the locked one in every CPU's
// LSTAR when it starts a second CPU.
// The way out with SYSRET reloads only what the call may have changed: rax (the result), the
// message registers IPC writes into a frame (rdi rsi rdx r10 r8 r9), rcx and r11 (rip and
// rflags), rsp. The callee-saved registers (rbx rbp r12-r15) still hold the user's values: the
// C code preserves them, and context_switch too for a thread that waited. Whatever rewrites more
// of a frame (sys_upcall_return) sets percpu's frame_replaced, which sends the way out through
// syscall_exit_slow and iretq (trap_return), restoring every register.
.macro SYSCALL_ENTRY name, locked
	.globl \name
\name:
	swapgs
	mov %rsp, %gs:PERCPU_URSP
	mov %gs:PERCPU_KSTACK, %rsp
	push $SEL_UDATA
	push %gs:PERCPU_URSP
	push %r11 // rflags
	push $SEL_UCODE
	push %rcx // rip
	push $0
	push $VEC_SYSCALL
	SAVE_REGS
	.if \locked
	// The kernel lock, uncontended: a ticket that is served at once, and the owner; anything else
	// (contention, a pending reschedule) goes the slow way, which reloads the arguments.
	mov $1, %ecx
	lock xadd %ecx, bkl+BKL_NEXT(%rip)
	cmp %ecx, bkl+BKL_SERVING(%rip)
	jne 8f
	mov %gs:PERCPU_CPU_ID, %ecx
	mov %ecx, bkl+BKL_OWNER(%rip)
	cmpb $0, %gs:PERCPU_RESCHED
	jne 9f
	.endif
7:	cmp $EXO_NSYSCALLS, %rax // unsigned: any rax beyond the table too
	jae 11f
	mov %r10, %rcx // no cld (SFMASK cleared DF) and no fake frame: this is the hot path
	call *syscall_table(,%rax,8)
	// Out: the slow way if a reschedule is pending or the frame was replaced (one 16-bit test of
	// both flags), or if rip is not a user address (the SYSRET hazard; only a replaced frame can
	// hold one, but the check is two instructions). syscall_switch_frame comes in here too, with
	// another thread's frame at rsp and its callee-saved registers loaded.
	.globl \name\()_exit
\name\()_exit:
5:	cmpw $0, %gs:PERCPU_RESCHED
	jne 12f
	mov TF_RIP(%rsp), %rcx
	cmp usercopy_user_top(%rip), %rcx
	jae 12f
	.if \locked
	movl $BKL_NO_OWNER, bkl+BKL_OWNER(%rip)
	incl bkl+BKL_SERVING(%rip) // only the holder writes it: no lock prefix needed
	.endif
	mov TF_RDI(%rsp), %rdi
	mov TF_RSI(%rsp), %rsi
	mov TF_RDX(%rsp), %rdx
	mov TF_R10(%rsp), %r10
	mov TF_R8(%rsp), %r8
	mov TF_R9(%rsp), %r9
	mov TF_RFLAGS(%rsp), %r11
	mov TF_RSP(%rsp), %rsp
	swapgs
	sysretq
11:	mov $-EXO_ENOSYS, %rax
	jmp 5b
12:	cmpw $0x100, %gs:PERCPU_RESCHED // only frame_replaced (sys_upcall_return): iretq at once
	jne 14f
	movb $0, %gs:PERCPU_RESCHED+1
	jmp trap_return
14:	mov %rsp, %rdi
	mov %rax, %rsi
	call syscall_exit_slow // stores the result in the frame unless the frame was replaced
	test %eax, %eax // non-zero: the frame must go back through iretq
	jnz trap_return
	mov TF_RAX(%rsp), %rax
	jmp 5b
	.if \locked
8:	mov %ecx, %edi // our ticket
	xor %esi, %esi
	jmp 10f
9:	mov $1, %esi // the lock is ours
10:	call kernel_enter_slow
	mov TF_RAX(%rsp), %rax
	mov TF_RDI(%rsp), %rdi
	mov TF_RSI(%rsp), %rsi
	mov TF_RDX(%rsp), %rdx
	mov TF_R10(%rsp), %r10
	mov TF_R8(%rsp), %r8
	mov TF_R9(%rsp), %r9
	jmp 7b
	.endif
.endm

SYSCALL_ENTRY syscall_entry, 1
SYSCALL_ENTRY syscall_entry_up, 0

// Frame mode (kern/sched.h): an IPC fast path blocks the calling thread and returns to user mode
// through the next thread's frame, which blocked the same way, instead of switching kernel stacks
// and unwinding the next thread's C calls: nothing is left in them but returning its ipc_result.
// void syscall_switch_frame(uint64_t *prev_ksp, uint64_t prev_kstack_top,
//                           uint64_t next_kstack_top, long result):
// prev's ksp gets a context_switch frame at the top of its stack that resumes in syscall_resume
// (six callee-saved slots, never read, and the return address just below its trap frame: the
// slot of the kernel call's own return address, which is not needed any more); then next's
// frame goes out through syscall_entry's exit with result in rax.
	.globl syscall_switch_frame
syscall_switch_frame:
	lea syscall_resume(%rip), %rax
	mov %rax, -TF_SIZE-8(%rsi)
	lea -TF_SIZE-56(%rsi), %rax
	mov %rax, (%rdi)
	lea -TF_SIZE(%rdx), %rsp
	mov %rcx, %rax
1:	mov TF_RBX(%rsp), %rbx // the user's, as saved at entry: the C code that had them is gone
	mov TF_RBP(%rsp), %rbp
	mov TF_R12(%rsp), %r12
	mov TF_R13(%rsp), %r13
	mov TF_R14(%rsp), %r14
	mov TF_R15(%rsp), %r15
	jmp *syscall_exit_path(%rip)
// context_switch resumes a thread blocked in frame mode here, at its trap frame.
syscall_resume:
	call sched_frame_resumed // its ipc_result
	jmp 1b

// The exit of the SYSCALL entry in use (percpu_lock_syscalls changes it with LSTAR, before any
// user thread runs): the one that drops the kernel lock once it is on.
	.section .data
	.balign 8
	.globl syscall_exit_path
syscall_exit_path:
	.quad syscall_entry_up_exit
	.text

// Entry of a new thread: context_switch "returns" here with rsp at its initial trap frame.
	.globl thread_first_entry
thread_first_entry:
	jmp trap_return

// void context_switch(uint64_t *save_rsp, uint64_t new_rsp): saves the callee-saved registers
// on the current kernel stack, stores rsp, and resumes the other stack the same way.
	.globl context_switch
context_switch:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, (%rdi)
	mov %rsi, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret

// Stub for vector N starts at trap_stubs + 16 * N (idt.c relies on it): each stub is at most
// 12 bytes (push imm8, push imm32, jmp rel32) and starts 16-byte aligned.
	.balign 16
	.globl trap_stubs
trap_stubs:
.set vec, 0
.rept 256
	.balign 16
	.if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	push $0
	.endif
	push $vec
	jmp trap_common
	.set vec, vec + 1
.endr
