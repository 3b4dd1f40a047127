// SPDX-License-Identifier: MIT
// Checked access to user memory: the only way the kernel reads or writes user addresses.
#pragma once

#include <arch/asm-defs.h>
#include <kern/types.h>

// User addresses are [USER_BASE, USER_TOP): page 0 is never mapped and the top page below the
// canonical hole stays empty (a SYSRET to a non-canonical address must never be possible).
// USER_BASE is in arch/asm-defs.h; assembly compares with usercopy_user_top.
#define USER_TOP 0x00007ffffffff000ull
extern const uint64_t usercopy_user_top; // USER_TOP

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
// The registers of the struct exo_fault at src into frame tf, for an upcall return: 0,
// -EXO_EFAULT (a fault reading it: nothing written unless another thread unmapped part of it
// meanwhile, and never rip or rflags), or -EXO_EINVAL (its rip is not a user address: nothing
// written). rflags keeps only the bits user code may change; cs and ss are the user's.
int copyin_fault_regs(struct trap_frame *tf, uaddr_t src);
// Called by the page-fault handler: true (and the frame redirected) if rip is in usercopy.
bool usercopy_fixup_fault(struct trap_frame *tf);
