// SPDX-License-Identifier: MIT
// Interrupt and exception entry: the saved register frame, vector numbers and handler registry.
#pragma once

#include <arch/asm-defs.h>
#include <kern/types.h>

// Pushed by entry.S (general registers) and the CPU (error code .. ss). Order matters.
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(offsetof(struct trap_frame, r15) == 0 && offsetof(struct trap_frame, rbp) == TF_RBP &&
                   offsetof(struct trap_frame, rax) == TF_RAX && offsetof(struct trap_frame, rbx) == TF_RBX &&
                   offsetof(struct trap_frame, r12) == TF_R12 && offsetof(struct trap_frame, r13) == TF_R13 &&
                   offsetof(struct trap_frame, r14) == TF_R14 && offsetof(struct trap_frame, r10) == TF_R10 &&
                   offsetof(struct trap_frame, r8) == TF_R8 && offsetof(struct trap_frame, r9) == TF_R9 &&
                   offsetof(struct trap_frame, rdi) == TF_RDI && offsetof(struct trap_frame, rsi) == TF_RSI &&
                   offsetof(struct trap_frame, rdx) == TF_RDX && offsetof(struct trap_frame, r15) == TF_R15 &&
                   offsetof(struct trap_frame, r11) == TF_R11 && offsetof(struct trap_frame, rcx) == TF_RCX &&
                   offsetof(struct trap_frame, error) == TF_ERROR &&
                   offsetof(struct trap_frame, vector) == TF_VECTOR &&
                   offsetof(struct trap_frame, rip) == TF_RIP && offsetof(struct trap_frame, cs) == TF_CS &&
                   offsetof(struct trap_frame, rflags) == TF_RFLAGS &&
                   offsetof(struct trap_frame, rsp) == TF_RSP && offsetof(struct trap_frame, ss) == TF_SS &&
                   sizeof(struct trap_frame) == TF_SIZE,
               "entry.S builds struct trap_frame by these offsets (arch/asm-defs.h)");

enum {
	VEC_DE = 0,
	VEC_DB,
	VEC_NMI,
	VEC_BP,
	VEC_OF,
	VEC_BR,
	VEC_UD,
	VEC_NM,
	VEC_DF,
	VEC_CSO,
	VEC_TS,
	VEC_NP,
	VEC_SS,
	VEC_GP,
	VEC_PF,
	VEC_RES15,
	VEC_MF,
	VEC_AC,
	VEC_MC,
	VEC_XM,
	VEC_VE,
	VEC_CP,
	VEC_IRQ_BASE = 32,    // legacy PIC IRQs are remapped here (and masked)
	VEC_TIMER = 48,       // local APIC timer
	VEC_IOAPIC_BASE = 64, // IOAPIC-routed device interrupts
	VEC_SHOOTDOWN = 252,  // IPI: TLB shootdown (served without the kernel lock)
	VEC_RESCHED = 253,    // IPI: this CPU's run queue changed
	VEC_SPURIOUS = 255,
};

// IST stack numbers (TSS) for exceptions that must not use the current stack.
enum { IST_DF = 1, IST_NMI = 2, IST_MC = 3 };

typedef void (*irq_handler_t)(struct trap_frame *tf);

// Builds and loads CPU id's GDT and TSS (and sets cpus[id].tss_rsp0).
void gdt_init(unsigned id);
// Makes the 8 KiB I/O permission bitmap map (NULL: deny every port) the one in force on this
// CPU; a map is copied only when it differs from the last one loaded there. tss_forget_iomap
// before freeing or changing a map: no CPU keeps it in force or cached.
void tss_load_iomap(const void *map);
void tss_forget_iomap(const void *map);
void tss_update_iomap(const void *map); // map changed: every CPU that holds a copy copies it again
void idt_init(void);
void idt_load(void); // an application processor loads the IDT idt_init built
// Entered from entry.S with the frame of every interrupt and exception.
void trap_dispatch(struct trap_frame *tf);
void user_exception(struct trap_frame *tf); // trap_common's way for exceptions of user code
// A fault in user mode: to the thread's upcall handler, or the process dies (core/upcall.c).
void user_fault(struct trap_frame *tf);
// Installs the handler for a vector >= 32; returns -EXO_EEXIST if one is set already.
int trap_set_handler(unsigned vector, irq_handler_t h);
void trap_clear_handler(unsigned vector);
// Prints the exception report for tf (used by the fault path and by tests).
void trap_report(const struct trap_frame *tf);
const char *trap_name(unsigned vector);
