// SPDX-License-Identifier: MIT
// The one place the kernel touches user memory. A fault between usercopy_start and usercopy_end
// (no routine there pushes anything) is not a kernel bug: the page-fault handler resumes at
// usercopy_fixup, which returns -EXO_EFAULT. Range checks and SMAP (stac/clac) are done by the C
// wrappers in usercopy.c.
#include <arch/asm-defs.h>
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
	xor %eax, %eax
	ret

// long usercopy_fault_raw(struct exo_fault *dst, const struct trap_frame *tf, uint64_t addr):
// 0 or -EXO_EFAULT. Writes the record of exo/upcall.h straight from the frame, one register at
// a time (what building it on the kernel stack and copying it would do twice).
.macro PUT from, to
	mov \from(%rsi), %rax
	mov %rax, \to(%rdi)
.endm
	.globl usercopy_fault_raw
usercopy_fault_raw:
	PUT TF_VECTOR, 0
	PUT TF_ERROR, 8
	mov %rdx, 16(%rdi)
	PUT TF_RAX, 24+0*8
	PUT TF_RBX, 24+1*8
	PUT TF_RCX, 24+2*8
	PUT TF_RDX, 24+3*8
	PUT TF_RSI, 24+4*8
	PUT TF_RDI, 24+5*8
	PUT TF_RBP, 24+6*8
	PUT TF_RSP, 24+7*8
	PUT TF_R8, 24+8*8
	PUT TF_R9, 24+9*8
	PUT TF_R10, 24+10*8
	PUT TF_R11, 24+11*8
	PUT TF_R12, 24+12*8
	PUT TF_R13, 24+13*8
	PUT TF_R14, 24+14*8
	PUT TF_R15, 24+15*8
	PUT TF_RIP, 24+16*8
	PUT TF_RFLAGS, 24+17*8
	xor %eax, %eax
	ret

// long usercopy_frame_raw(struct trap_frame *tf, const struct exo_fault *src): the registers of a
// fault record (exo_upcall_return's) into the frame; 0, -EXO_EINVAL if its rip is not a user
// address (the frame untouched), -EXO_EFAULT. rip and rflags are read once, checked and written
// last; cs and ss are the user's selectors, rflags keeps only what user code may change. The
// reads go rip, rflags, then up from rax: with the record's pages mapped as they were when the
// copy began, a fault comes before the first write to the frame.
.macro GET from, to
	mov \from(%rsi), %rax
	mov %rax, \to(%rdi)
.endm
	.globl usercopy_frame_raw
usercopy_frame_raw:
	mov 24+16*8(%rsi), %rcx // rip
	mov 24+17*8(%rsi), %rdx // rflags
	cmp $USER_BASE, %rcx
	jb 1f
	cmp usercopy_user_top(%rip), %rcx
	jae 1f
	and $RFLAGS_USER, %edx
	or $RFLAGS_FIXED, %edx
	GET 24+0*8, TF_RAX
	GET 24+1*8, TF_RBX
	GET 24+2*8, TF_RCX
	GET 24+3*8, TF_RDX
	GET 24+4*8, TF_RSI
	GET 24+5*8, TF_RDI
	GET 24+6*8, TF_RBP
	GET 24+7*8, TF_RSP
	GET 24+8*8, TF_R8
	GET 24+9*8, TF_R9
	GET 24+10*8, TF_R10
	GET 24+11*8, TF_R11
	GET 24+12*8, TF_R12
	GET 24+13*8, TF_R13
	GET 24+14*8, TF_R14
	GET 24+15*8, TF_R15
	mov %rcx, TF_RIP(%rdi)
	mov %rdx, TF_RFLAGS(%rdi)
	movq $SEL_UCODE, TF_CS(%rdi)
	movq $SEL_UDATA, TF_SS(%rdi)
usercopy_end:
	xor %eax, %eax
	ret
1:	mov $-EXO_EINVAL, %rax
	ret
usercopy_fixup:
	mov $-EXO_EFAULT, %rax
	ret
