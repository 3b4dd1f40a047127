// SPDX-License-Identifier: MIT
// crt1.o of the sysroot: the entry point of a libos program - an aligned stack, then
// _start_c(rdi) (libos/core/start.c, in libos-core.a).
	.text
	.globl _start
_start:
	xor %ebp, %ebp
	and $-16, %rsp
	call _start_c
	ud2
	.section .note.GNU-stack, "", @progbits
