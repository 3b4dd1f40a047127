// SPDX-License-Identifier: MIT
// copyin/copyout: validate the user range and the page protections, open SMAP for the copy, and
// let a fault return -EXO_EFAULT instead of panicking (see usercopy.S).
#include <arch/cpu.h>
#include <arch/pagetable.h>
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

// The hardware alone does not refuse every access user mode could not make: a page parked with
// VM_NOACCESS (PROT_NONE) is a supervisor page, which the kernel may read and write. So each
// mapped page of the range is checked for user access (and write access for copyout); an
// unmapped page is left to the copy, whose fault gives -EXO_EFAULT.
static bool user_access_ok(uaddr_t va, size_t len, bool write)
{
	paddr_t root = read_cr3() & PTE_ADDR;
	unsigned prot;

	if (len == 0)
		return true;
	for (uaddr_t p = va & ~(uaddr_t)PAGE_MASK; p <= va + (len - 1); p += PAGE_SIZE) {
		if (!pt_translate(root, p, NULL, &prot))
			continue;
		if (!(prot & VM_USER) || (prot & VM_NOACCESS) || (write && !(prot & VM_WRITE)))
			return false;
	}
	return true;
}

int copyin(void *dst, uaddr_t src, size_t len)
{
	long r;

	if (!user_range_ok(src, len) || !user_access_ok(src, len, false))
		return -EXO_EFAULT;
	smap_open();
	r = usercopy_raw(dst, (const void *)src, len);
	smap_close();
	return (int)r;
}

int copyout(uaddr_t dst, const void *src, size_t len)
{
	long r;

	if (!user_range_ok(dst, len) || !user_access_ok(dst, len, true))
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
