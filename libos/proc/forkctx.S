// SPDX-License-Identifier: MIT
// fork's register context (fork.c): libos_fork_save records where libos_fork stands - its return
// address, stack pointer, the callee-saved registers and the floating-point control words - and
// returns 0; in the child, libos_fork_entry (its thread's first instruction, on its own fault stack,
// rdi the context) calls libos_fork_child_start, which installs the fault handler and TLS and then
// libos_fork_resume returns 1 from the same libos_fork_save, on the child's copy of the stack.

// struct libos_fork_ctx offsets
#define RIP   0
#define RSP   8
#define RBX   16
#define RBP   24
#define R12   32
#define R13   40
#define R14   48
#define R15   56
#define MXCSR 64
#define FCW   68

	.text
	.globl libos_fork_save
	.type libos_fork_save, @function
libos_fork_save:
	mov (%rsp), %rax
	mov %rax, RIP(%rdi)
	lea 8(%rsp), %rax
	mov %rax, RSP(%rdi)
	mov %rbx, RBX(%rdi)
	mov %rbp, RBP(%rdi)
	mov %r12, R12(%rdi)
	mov %r13, R13(%rdi)
	mov %r14, R14(%rdi)
	mov %r15, R15(%rdi)
	stmxcsr MXCSR(%rdi)
	fnstcw FCW(%rdi)
	xor %eax, %eax
	ret
	.size libos_fork_save, . - libos_fork_save

	.globl libos_fork_resume
	.type libos_fork_resume, @function
libos_fork_resume:
	ldmxcsr MXCSR(%rdi)
	fldcw FCW(%rdi)
	mov RBX(%rdi), %rbx
	mov RBP(%rdi), %rbp
	mov R12(%rdi), %r12
	mov R13(%rdi), %r13
	mov R14(%rdi), %r14
	mov R15(%rdi), %r15
	mov RSP(%rdi), %rsp
	mov $1, %eax
	jmp *RIP(%rdi)
	.size libos_fork_resume, . - libos_fork_resume

	.globl libos_fork_entry
	.type libos_fork_entry, @function
libos_fork_entry:
	and $-16, %rsp
	call libos_fork_child_start
	ud2
	.size libos_fork_entry, . - libos_fork_entry

	.section .note.GNU-stack, "", @progbits
