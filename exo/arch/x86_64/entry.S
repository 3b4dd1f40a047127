// SPDX-License-Identifier: MIT
// Interrupt and exception entry stubs for all 256 vectors. Each (16 bytes) pushes a dummy error code when
// the CPU does not, then its vector, and joins trap_common, which saves the general registers as
// a struct trap_frame and calls trap_dispatch(frame).

	.text
	.globl trap_common
trap_common:
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
	cld
	mov %rsp, %rdi
	// Frame-pointer chain for backtraces: a fake frame [rbp, rip] of the interrupted code.
	push 17*8(%rsp) // rip
	push 8*8+8(%rsp) // rbp (index 8, one push ago)
	mov %rsp, %rbp
	call trap_dispatch
	add $16, %rsp
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
	add $16, %rsp // vector, error code
	iretq

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
