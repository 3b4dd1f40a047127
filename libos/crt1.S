// SPDX-License-Identifier: MIT
// crt1.o of the sysroot: the entry point of a libos program - an aligned stack, then
// _start_c(boot information, main) (libos/core/start.c, in libos-core.a). Naming main here makes
// the linker pull it from an archive too. Started on Linux by mistake, it says so and exits 126.
	.text
	.globl _start
_start:
	xor %ebp, %ebp
	// exo enters with the boot information's address in rdi; Linux's exec clears every register.
	test %rdi, %rdi
	jz not_on_exo
	and $-16, %rsp
	lea main(%rip), %rsi
	call _start_c
	ud2

// Linux's system calls, used only here: libos and its state are exo's.
not_on_exo:
	mov $1, %eax // write(2, message, length)
	mov $2, %edi
	lea message(%rip), %rsi
	mov $message_end - message, %edx
	syscall
	mov $231, %eax // exit_group(126)
	mov $126, %edi
	syscall
	ud2

	.section .rodata
message:
	.ascii "this program is built for exo; run it with exorun\n"
message_end:
	.section .note.GNU-stack, "", @progbits
