// SPDX-License-Identifier: MIT
// Application processor start-up: smp.c copies trampoline_start..trampoline_end to TRAMP_BASE
// (below 1 MiB) and sends INIT-SIPI-SIPI. The AP starts there in real mode, enters protected mode
// and long mode on boot.S's tables (identity and -2 GiB), jumps to ap_entry in the higher half,
// which switches to the kernel's page tables and the stack smp.c prepared, and calls ap_main.
#include <arch/asm-defs.h>
#include <arch/layout.h>

#define TRAMP_BASE 0x8000
#define TRAMP(sym) (TRAMP_BASE + (sym) - trampoline_start)
#define PHYS(sym)  ((sym) - KERNEL_VMA)

	.section .rodata.trampoline, "a"
	.code16
	.globl trampoline_start, trampoline_end, trampoline_efer
trampoline_start:
	cli
	cld
	xor %ax, %ax
	mov %ax, %ds
	lgdtl TRAMP(tramp_gdt_ptr)
	mov %cr0, %eax
	or $1, %eax // PE
	mov %eax, %cr0
	ljmpl $0x08, $TRAMP(tramp32)

	.code32
tramp32:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %cr4, %eax
	or $(1 << 5), %eax // PAE
	mov %eax, %cr4
	mov $PHYS(boot_pml4), %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx // EFER: LME, and NXE where the boot CPU has it
	rdmsr
	or TRAMP(trampoline_efer), %eax
	wrmsr
	mov %cr0, %eax
	or $((1 << 31) | (1 << 16)), %eax // PG, WP
	mov %eax, %cr0
	ljmp $0x18, $TRAMP(tramp64)

	.code64
tramp64:
	movabs $ap_entry, %rax
	jmp *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff // 0x08: 32-bit code
	.quad 0x00cf92000000ffff // 0x10: data
	.quad 0x00af9a000000ffff // 0x18: 64-bit code
tramp_gdt_ptr:
	.short tramp_gdt_ptr - tramp_gdt - 1
	.long TRAMP(tramp_gdt)
trampoline_efer:
	.long 0 // set by smp.c
trampoline_end:

	.text
	.globl ap_entry
ap_entry:
	mov kernel_root(%rip), %rax
	mov %rax, %cr3
	mov ap_stack_top(%rip), %rsp
	xor %ebp, %ebp
	call ap_main
1:	cli
	hlt
	jmp 1b
