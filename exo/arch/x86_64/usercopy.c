// SPDX-License-Identifier: MIT
// copyin/copyout: validate the user range and the page protections, open SMAP for the copy, and
// let a fault return -EXO_EFAULT instead of panicking (see usercopy.S).
#include <arch/cpu.h>
#include <arch/pagetable.h>
#include <arch/trap.h>
#include <arch/usercopy.h>
#include <exo/upcall.h>
#include <kern/errno.h>
#include <kern/thread.h>

const uint64_t usercopy_user_top = USER_TOP;

long usercopy_raw(void *dst, const void *src, size_t n);
long usercopy_fault_raw(uaddr_t dst, const struct trap_frame *tf, uint64_t addr);
long usercopy_frame_raw(struct trap_frame *tf, uaddr_t src);
extern const char usercopy_start[], usercopy_end[], usercopy_fixup[];

static inline void smap_open(void)
{
	if (cpu.smap)
		__asm__ volatile("stac" ::: "memory");
}

static inline void smap_close(void)
{
	if (cpu.smap)
		__asm__ volatile("clac" ::: "memory");
}

// The hardware refuses the kernel's writes to read-only user pages (CR0.WP) and every access to
// unmapped ones (the copy's fault gives -EXO_EFAULT), but not its reads of a page parked with
// VM_NOACCESS (PROT_NONE): that is a read-only supervisor page. So a read walks the range's
// page tables - only in an address space that has parked pages at all (most have none), and out
// of line, so that copyin itself stays a leaf without saved registers.
static __attribute__((noinline)) bool none_parked(const struct vspace *vs, uaddr_t va, size_t len)
{
	unsigned prot;

	for (uaddr_t p = va & ~(uaddr_t)PAGE_MASK; p <= va + (len - 1); p += PAGE_SIZE)
		if (pt_translate(vs->root, p, NULL, &prot) && (prot & VM_NOACCESS))
			return false;
	return true;
}

static inline bool readable(uaddr_t va, size_t len)
{
	const struct vspace *vs = &current_thread()->proc->vs;

	return __builtin_expect(!vs->parked, 1) || len == 0 || none_parked(vs, va, len);
}

int copyin(void *dst, uaddr_t src, size_t len)
{
	long r;

	if (!user_range_ok(src, len) || !readable(src, len))
		return -EXO_EFAULT;
	smap_open();
	r = usercopy_raw(dst, (const void *)src, len);
	smap_close();
	return (int)r;
}

int copyout(uaddr_t dst, const void *src, size_t len)
{
	long r;

	if (!user_range_ok(dst, len))
		return -EXO_EFAULT;
	smap_open();
	r = usercopy_raw((void *)dst, src, len);
	smap_close();
	return (int)r;
}

int copyout_fault(uaddr_t dst, const struct trap_frame *tf, uint64_t addr)
{
	long r;

	if (!user_range_ok(dst, sizeof(struct exo_fault)))
		return -EXO_EFAULT;
	smap_open();
	r = usercopy_fault_raw(dst, tf, addr);
	smap_close();
	return (int)r;
}

int copyin_fault_regs(struct trap_frame *tf, uaddr_t src)
{
	long r;

	if (!user_range_ok(src, sizeof(struct exo_fault)) || !readable(src, sizeof(struct exo_fault)))
		return -EXO_EFAULT;
	smap_open();
	r = usercopy_frame_raw(tf, src);
	smap_close();
	return (int)r;
}

bool usercopy_fixup_fault(struct trap_frame *tf)
{
	if (tf->rip < (uint64_t)usercopy_start || tf->rip >= (uint64_t)usercopy_end)
		return false;
	tf->rip = (uint64_t)usercopy_fixup;
	return true;
}
