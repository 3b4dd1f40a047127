// SPDX-License-Identifier: MIT
// Kernel call plumbing shared by the generated dispatch and the handlers (exo/core/sys_*.c and
// the object files): every handler is compiled against its generated prototype.
#pragma once

#include <arch/usercopy.h>
#include <kern/errno.h>
#include <kern/syscall_handlers.h>
#include <kern/thread.h>

struct trap_frame;

long syscall_dispatch(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                      uint64_t a5);
extern const char *const syscall_names[EXO_NSYSCALLS];
// Entered from entry.S for every kernel call but the IPC fast paths; non-zero: return with iretq.
int syscall_handler(struct trap_frame *tf);

// The caller's process (never NULL inside a kernel call).
static inline struct process *current_process(void)
{
	return current_thread()->proc;
}

// Looks a handle up in the caller's table (type 0 = any; rights that must all be present).
static inline int lookup(uint64_t h, uint16_t type, uint32_t rights, struct cap **out)
{
	return cap_lookup(&current_process()->cs, h, type, rights, out);
}
