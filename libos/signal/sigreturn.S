// SPDX-License-Identifier: MIT
// The assembly half of signal delivery: calling a handler on another stack, and rt_sigreturn -
// restoring every register of the ucontext a handler returns through (deliver.c).

// ucontext offsets (struct linux_ucontext): gregs, then the fxsave area's pointer.
#define G(reg) (40 + 8 * (reg))
#define FPREGS 224

	.text
// void libos_signal_call_on(uint64_t sp, handler, long sig, siginfo *info, ucontext *uc)
	.globl libos_signal_call_on
	.type libos_signal_call_on, @function
libos_signal_call_on:
	push %rbp
	mov %rsp, %rbp
	mov %rdi, %rsp
	mov %rsi, %rax
	mov %rdx, %rdi
	mov %rcx, %rsi
	mov %r8, %rdx
	call *%rax
	mov %rbp, %rsp
	pop %rbp
	ret
	.size libos_signal_call_on, . - libos_signal_call_on

// musl's __restore_rt jumps here when a handler returns, with rsp at the frame's ucontext.
// The interrupted rip and rflags go just below the red zone under the interrupted rsp, so that
// popfq and "ret $128" resume with every register as the ucontext says.
	.globl __libos_rt_sigreturn
	.type __libos_rt_sigreturn, @function
__libos_rt_sigreturn:
	mov %rsp, %rdi
	and $-16, %rsp
	call libos_signal_return
	mov %rax, %rdi
	mov FPREGS(%rdi), %rax
	test %rax, %rax
	jz 1f
	fxrstor64 (%rax)
1:	mov G(15)(%rdi), %rax // REG_RSP
	sub $144, %rax
	mov G(16)(%rdi), %rcx // REG_RIP
	mov %rcx, 8(%rax)
	mov G(17)(%rdi), %rcx // REG_EFL
	mov %rcx, (%rax)
	mov %rax, %rsp
	mov G(0)(%rdi), %r8
	mov G(1)(%rdi), %r9
	mov G(2)(%rdi), %r10
	mov G(3)(%rdi), %r11
	mov G(4)(%rdi), %r12
	mov G(5)(%rdi), %r13
	mov G(6)(%rdi), %r14
	mov G(7)(%rdi), %r15
	mov G(9)(%rdi), %rsi
	mov G(10)(%rdi), %rbp
	mov G(11)(%rdi), %rbx
	mov G(12)(%rdi), %rdx
	mov G(13)(%rdi), %rax
	mov G(14)(%rdi), %rcx
	mov G(8)(%rdi), %rdi
	popfq
	ret $128
	.size __libos_rt_sigreturn, . - __libos_rt_sigreturn
