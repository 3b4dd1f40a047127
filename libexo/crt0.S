// SPDX-License-Identifier: MIT
// Program start for programs linked with libexo: rdi holds the boot information (init) or an
// argument from the creator; call main(rdi) on an aligned stack, then exit with its result.
	.text
	.globl _start
_start:
	xor %ebp, %ebp
	and $-16, %rsp
	call main
	mov %rax, %rdi
	call exo_exit
1:	ud2
	jmp 1b
	.section .note.GNU-stack, "", @progbits
