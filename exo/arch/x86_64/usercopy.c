// SPDX-License-Identifier: MIT
// copyin/copyout: validate the user range, open SMAP for the copy, and let a fault return
// -EXO_EFAULT instead of panicking (see usercopy.S).
#include <arch/cpu.h>
#include <arch/trap.h>
#include <arch/usercopy.h>
#include <kern/errno.h>

long usercopy_raw(void *dst, const void *src, size_t n);
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

int copyin(void *dst, uaddr_t src, size_t len)
{
	long r;

	if (!user_range_ok(src, len))
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

bool usercopy_fixup_fault(struct trap_frame *tf)
{
	if (tf->rip < (uint64_t)usercopy_start || tf->rip >= (uint64_t)usercopy_end)
		return false;
	tf->rip = (uint64_t)usercopy_fixup;
	return true;
}
