// SPDX-License-Identifier: MIT
// libexo's IPC stubs (hand-written: a message comes back in several registers). Each takes a
// struct exo_msg { tag, badge, w[4] } (exo/ipc.h): in registers rsi = tag, rdx r10 r8 r9 = w[0..3];
// on a delivered message the kernel returns rax = 0, rsi = tag, rdi = badge, rdx..r9 = words,
// which the stub stores back into the struct.
#include <exo/exo.h>

#define TAG   0
#define BADGE 8
#define W0    16

.macro LOAD_MSG reg // from the struct at \reg: tag into rsi, words into rdx r10 r8 r9
	mov W0(\reg), %rdx
	mov W0+8(\reg), %r10
	mov W0+16(\reg), %r8
	mov W0+24(\reg), %r9
	mov TAG(\reg), %rsi
.endm

.macro CALL_AND_STORE nr // syscall, then store the message into the struct saved on the stack
	mov $\nr, %eax
	syscall
	pop %rcx
	test %rax, %rax
	jnz 1f
	mov %rsi, TAG(%rcx)
	mov %rdi, BADGE(%rcx)
	mov %rdx, W0(%rcx)
	mov %r10, W0+8(%rcx)
	mov %r8, W0+16(%rcx)
	mov %r9, W0+24(%rcx)
1:	ret
.endm

	.text
// long exo_send(uint64_t ep, const struct exo_msg *m)
	.globl exo_send
exo_send:
	LOAD_MSG %rsi
	mov $EXO_SYS_ipc_send, %eax
	syscall
	ret

// long exo_call(uint64_t ep, struct exo_msg *m): m is the request, then the reply
	.globl exo_call
exo_call:
	push %rsi
	LOAD_MSG %rsi
	CALL_AND_STORE EXO_SYS_ipc_call

// long exo_recv(uint64_t ep, struct exo_msg *m): m->tag holds the flags (NONBLOCK, TIMEOUT)
	.globl exo_recv
exo_recv:
	push %rsi
	mov TAG(%rsi), %rsi
	CALL_AND_STORE EXO_SYS_ipc_recv

// long exo_reply(const struct exo_msg *m)
	.globl exo_reply
exo_reply:
	mov %rdi, %rax
	mov TAG(%rax), %rdi
	mov W0(%rax), %rsi
	mov W0+8(%rax), %rdx
	mov W0+16(%rax), %r10
	mov W0+24(%rax), %r8
	mov $EXO_SYS_ipc_reply, %eax
	syscall
	ret

// long exo_reply_recv(uint64_t ep, struct exo_msg *m): m is the reply, then the next message
	.globl exo_reply_recv
exo_reply_recv:
	push %rsi
	LOAD_MSG %rsi
	CALL_AND_STORE EXO_SYS_ipc_reply_recv

	.section .note.GNU-stack, "", @progbits
