// SPDX-License-Identifier: MIT
// The one place the kernel touches user memory. A fault between usercopy_start and usercopy_end
// is not a kernel bug: the page-fault handler resumes at usercopy_fixup, which returns
// -EXO_EFAULT. Range checks and SMAP (stac/clac) are done by the C wrappers in usercopy.c.
#include <exo/exo.h>

	.text
// long usercopy_raw(void *dst, const void *src, size_t n): 0 or -EXO_EFAULT
	.globl usercopy_raw, usercopy_start, usercopy_end, usercopy_fixup
// Whole words first (rep movsb is one instruction per byte under -icount, and no faster on
// most CPUs for small copies), then the remaining bytes.
usercopy_raw:
	mov %rdx, %rcx
	shr $3, %rcx
usercopy_start:
	rep movsq
	mov %edx, %ecx
	and $7, %ecx
	rep movsb
usercopy_end:
	xor %eax, %eax
	ret
usercopy_fixup:
	mov $-EXO_EFAULT, %rax
	ret
