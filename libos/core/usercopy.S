// SPDX-License-Identifier: MIT
// libos_copy(dst, src, n): a memcpy for the buffers programs pass to system calls. It returns 0,
// or -EFAULT (-14) when it touched memory the program may not use: the fault handler
// (libos/mem/fault.c) resumes a fault between libos_copy_begin and libos_copy_end at
// libos_copy_fault, once demand paging has had its chance. Linux's calls say EFAULT there too.
	.text
	.globl libos_copy, libos_copy_begin, libos_copy_end, libos_copy_fault
	.type libos_copy, @function
libos_copy:
	mov %rdx, %rcx
	test $7, %dl
	jnz 1f
	shr $3, %rcx			// whole words: a word at a time
libos_copy_begin:
	rep movsq
	xor %eax, %eax
	ret
1:	rep movsb
libos_copy_end:
	xor %eax, %eax
	ret
libos_copy_fault:
	mov $-14, %rax
	ret
	.size libos_copy, . - libos_copy
	.section .note.GNU-stack, "", @progbits
