// SPDX-License-Identifier: MIT
// Kernel call plumbing shared by the generated dispatch and the handlers (exo/core/sys_*.c and
// the object files): every handler is compiled against its generated prototype.
#pragma once

#include <arch/usercopy.h>
#include <kern/errno.h>
#include <kern/syscall_handlers.h>
#include <kern/thread.h>

struct trap_frame;

// The dispatch table (generated): entry.S calls syscall_table[nr] directly. Every handler is
// `long sys_NAME(up to six 64-bit arguments)` (gen-abi makes them so), which the SysV calling
// convention passes in the registers SYSCALL brought them in; the entries are cast to one type
// only to sit in one array and are never called from C.
typedef void (*syscall_fn)(void);
extern const syscall_fn syscall_table[EXO_NSYSCALLS];
extern const char *const syscall_names[EXO_NSYSCALLS];
// A number without a call.
long sys_enosys(void);
// syscall_entry's way out when the fast one will not do (a reschedule is pending, the call
// replaced the frame, rip is not a user address): non-zero means return with iretq.
int syscall_exit_slow(struct trap_frame *tf, long result);

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
