// SPDX-License-Identifier: MIT
// The entry point of a libos program: an aligned stack, then _start_c(rdi) (libos/core/start.c).
	.text
	.globl _start
_start:
	xor %ebp, %ebp
	and $-16, %rsp
	call _start_c
	ud2
	.section .note.GNU-stack, "", @progbits
