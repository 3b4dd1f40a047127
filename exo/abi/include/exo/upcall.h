// SPDX-License-Identifier: MIT
// Part of the exo ABI: the record the kernel writes on a thread's upcall stack when the thread
// faults (page fault, general protection, divide error, invalid opcode, ...). The handler runs
// with rdi pointing at it; it may fix the cause, edit regs, and resume with
// exo_upcall_return(record), or exit. A fault inside the handler kills the process.
#pragma once

#include <stddef.h>
#include <stdint.h>

struct exo_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
};

struct exo_fault {
	uint64_t vector; // x86 exception vector (14 = page fault, 13 = GP, 0 = divide error, ...)
	uint64_t error;  // CPU error code (page fault: bit 0 present, 1 write, 2 user, 4 fetch)
	uint64_t addr;   // faulting address (page fault), else 0
	struct exo_regs regs;
};

// Exit status of a process killed by an unhandled fault.
#define EXO_STATUS_FAULT(vector) (0x100 + (vector))
// Exit status of a process ended because the quota paying for it was destroyed (quota_destroy).
#define EXO_STATUS_QUOTA         0x200
// Exit status of a libos process ended by signal sig (its default action, or SIGKILL): the
// process manager reports it to wait as Linux does.
#define EXO_STATUS_SIGNAL(sig)   (0x400 + (sig))

// The layouts are ABI (exo_upcall_return reads the record back): pinned here.
_Static_assert(sizeof(struct exo_regs) == 18 * 8 && offsetof(struct exo_regs, r8) == 64 &&
                   offsetof(struct exo_regs, rip) == 128 && offsetof(struct exo_regs, rflags) == 136,
               "exo_regs");
_Static_assert(sizeof(struct exo_fault) == 3 * 8 + sizeof(struct exo_regs) &&
                   offsetof(struct exo_fault, addr) == 16 && offsetof(struct exo_fault, regs) == 24,
               "exo_fault");
