// SPDX-License-Identifier: MIT
// Checked access to user memory: the only way the kernel reads or writes user addresses.
#pragma once

#include <kern/types.h>

// User addresses are [USER_BASE, USER_TOP): page 0 is never mapped and the top page below the
// canonical hole stays empty (a SYSRET to a non-canonical address must never be possible).
#define USER_BASE 0x1000ull
#define USER_TOP  0x00007ffffffff000ull

typedef uint64_t uaddr_t;

static inline bool user_range_ok(uaddr_t addr, size_t len)
{
	return addr >= USER_BASE && addr <= USER_TOP && len <= USER_TOP - addr;
}

// 0, or -EXO_EFAULT if the range is not user memory, or any page of it is not mapped with the
// access user mode would need (a PROT_NONE page, a read-only page for copyout).
int copyin(void *dst, uaddr_t src, size_t len);
int copyout(uaddr_t dst, const void *src, size_t len);
// copyout of the struct exo_fault (exo/upcall.h) of frame tf and address addr.
struct trap_frame;
int copyout_fault(uaddr_t dst, const struct trap_frame *tf, uint64_t addr);
// Called by the page-fault handler: true (and the frame redirected) if rip is in usercopy.
bool usercopy_fixup_fault(struct trap_frame *tf);
