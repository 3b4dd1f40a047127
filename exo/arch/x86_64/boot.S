// SPDX-License-Identifier: MIT
// Boot entry for Multiboot2 (GRUB) and Multiboot1 (qemu -kernel, a.out kludge: the file is
// ELF64). Both enter here in 32-bit protected mode without paging. We map the first 4 GiB
// identically and at the direct map base, and the kernel at -2 GiB, with 2 MiB pages; enter long mode and call
// kmain(magic, info) on the boot stack in the higher half. The C code replaces these tables.
#include <arch/asm-defs.h>
#include <arch/layout.h>

#define MB1_MAGIC 0x1badb002
#define MB1_FLAGS ((1 << 0) | (1 << 1) | (1 << 16)) // page-align modules, memory map, a.out kludge
#define MB2_MAGIC 0xe85250d6
#define PHYS(sym) ((sym) - KERNEL_VMA)

	.section .multiboot, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long 0 // i386 protected mode
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + 0 + (mb2_header_end - mb2_header))
	.balign 8 // entry address tag
	.short 3, 0
	.long 12
	.long boot_entry
	.balign 8 // end tag
	.short 0, 0
	.long 8
mb2_header_end:

	.balign 4
mb1_header:
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long -(MB1_MAGIC + MB1_FLAGS)
	.long mb1_header        // header_addr
	.long _boot_start       // load_addr
	.long PHYS(_data_end)   // load_end_addr
	.long PHYS(_kernel_end) // bss_end_addr
	.long boot_entry        // entry_addr

	.section .boot.text, "ax"
	.code32
	.globl boot_entry
boot_entry:
	cli
	cld
	mov %eax, %edi // magic, first argument of kmain
	mov %ebx, %esi // boot information, second argument
	mov $PHYS(boot_stack_top), %esp

	// Long mode needs CPUID 0x80000001 EDX bit 29.
	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb no_long_mode
	mov $0x80000001, %eax
	cpuid
	bt $29, %edx
	jnc no_long_mode
	mov %edx, %ebp // bit 20: NX

	// PD entries: 2048 x 2 MiB pages covering 0..4 GiB.
	mov $PHYS(boot_pd), %ebx
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $21, %eax
	or $0x83, %eax // present, writable, 2 MiB
	mov %eax, (%ebx, %ecx, 8)
	movl $0, 4(%ebx, %ecx, 8)
	inc %ecx
	cmp $2048, %ecx
	jne 1b
	// PDPT (low): four PDs. PDPT (high): entry 510 (-2 GiB) -> the first PD.
	mov $PHYS(boot_pdpt_low), %ebx
	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $12, %eax
	add $PHYS(boot_pd) + 3, %eax
	mov %eax, (%ebx, %ecx, 8)
	inc %ecx
	cmp $4, %ecx
	jne 2b
	movl $PHYS(boot_pd) + 3, PHYS(boot_pdpt_high) + 510 * 8
	movl $PHYS(boot_pdpt_low) + 3, PHYS(boot_pml4)
	movl $PHYS(boot_pdpt_high) + 3, PHYS(boot_pml4) + 511 * 8
	movl $PHYS(boot_pdpt_low) + 3, PHYS(boot_pml4) + 256 * 8 // direct map of 0..4 GiB

	mov %cr4, %eax
	or $(1 << 5), %eax // PAE
	mov %eax, %cr4
	mov $PHYS(boot_pml4), %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx // EFER
	rdmsr
	or $(1 << 8), %eax // LME
	bt $20, %ebp
	jnc 3f
	or $(1 << 11), %eax // NXE
3:	wrmsr
	mov %cr0, %eax
	or $((1 << 31) | (1 << 16) | 1), %eax // PG, WP, PE
	mov %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $SEL_KCODE, $boot_long_mode

no_long_mode:
	mov $no_long_mode_msg, %esi
	mov $0x3f8, %dx
4:	lodsb
	test %al, %al
	jz 5f
	out %al, %dx
	jmp 4b
5:	mov $0x11, %al // isa-debug-exit: failure
	mov $0xf4, %dx
	out %al, %dx
6:	hlt
	jmp 6b

	.code64
boot_long_mode:
	mov $SEL_KDATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	movabs $boot_high, %rax
	jmp *%rax

	.section .boot.data, "aw"
no_long_mode_msg:
	.asciz "exo: this CPU has no 64-bit long mode; exo needs an x86_64 CPU\r\n"
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff // SEL_KCODE: 64-bit code
	.quad 0x00cf92000000ffff // SEL_KDATA: data
boot_gdt_ptr:
	.short boot_gdt_ptr - boot_gdt - 1
	.long boot_gdt

	.text
boot_high:
	movabs $boot_stack_top, %rsp
	xor %ebp, %ebp
	mov %edi, %edi
	mov %esi, %esi
	call kmain
7:	cli
	hlt
	jmp 7b

	.section .bss.boot_tables, "aw", @nobits
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.skip 4096
boot_pdpt_low:
	.skip 4096
boot_pdpt_high:
	.skip 4096
boot_pd:
	.skip 4 * 4096

	// The boot stack, with an unmapped guard page below it (see paging_init).
	.section .bss.boot_stack, "aw", @nobits
	.balign 4096
	.globl boot_stack_guard, boot_stack_top
boot_stack_guard:
	.skip 4096
	.skip KSTACK_SIZE
boot_stack_top:
