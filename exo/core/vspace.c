// SPDX-License-Identifier: MIT
// User address spaces on top of the portable page-table code: only the user half
// [USER_BASE, USER_TOP) is ever touched here, one 4 KiB page per operation; mappings of RAM
// keep their uframe alive.
#include <arch/paging.h>
#include <arch/usercopy.h>
#include <common/string.h>
#include <kern/errno.h>
#include <kern/physmap.h>
#include <kern/quota.h>
#include <kern/vspace.h>

#define USER_PML4_ENTRIES 256

paddr_t vspace_create(void)
{
	paddr_t root = pt_create();

	if (root) // the kernel half: entries 256..511 exist from boot, so sharing them is enough
		memcpy((uint64_t *)phys_to_virt(root) + USER_PML4_ENTRIES,
		       (uint64_t *)phys_to_virt(kernel_root) + USER_PML4_ENTRIES, USER_PML4_ENTRIES * 8);
	return root;
}

static void drop_mapping(paddr_t pa)
{
	struct uframe *f = uframe_of(pa);

	if (f)
		kobj_put(&f->obj);
}

static void unmap_level(paddr_t table, int level)
{
	uint64_t *e = phys_to_virt(table);

	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		if (!(e[i] & PTE_P))
			continue;
		if (level == 0)
			drop_mapping(e[i] & PTE_ADDR);
		else
			unmap_level(e[i] & PTE_ADDR, level - 1);
	}
}

void vspace_destroy(paddr_t root)
{
	uint64_t *e = phys_to_virt(root);

	paging_leave(root);
	for (unsigned i = 0; i < USER_PML4_ENTRIES; i++)
		if (e[i] & PTE_P)
			unmap_level(e[i] & PTE_ADDR, 2);
	pt_destroy(root, 0, USER_PML4_ENTRIES - 1);
}

static int check(vaddr_t va, unsigned prot)
{
	if ((va & PAGE_MASK) || !user_range_ok(va, PAGE_SIZE))
		return -EXO_EINVAL;
	if (prot & ~(VM_READ | VM_WRITE | VM_EXEC | VM_MAYWRITE | VM_MAYEXEC | VM_NOACCESS))
		return -EXO_EINVAL;
	return 0;
}

int vspace_map(paddr_t root, vaddr_t va, struct uframe *f, unsigned prot)
{
	int err = check(va, prot);

	if (!err)
		err = pt_map(root, va, f->pa, PAGE_SIZE, prot | VM_USER);
	if (!err)
		kobj_get(&f->obj);
	return err;
}

int vspace_map_device(paddr_t root, vaddr_t va, paddr_t pa, unsigned prot)
{
	int err = check(va, prot);

	return err ? err : pt_map(root, va, pa, PAGE_SIZE, prot | VM_USER | VM_UNCACHED);
}

int vspace_unmap(paddr_t root, vaddr_t va)
{
	paddr_t pa;
	int err = check(va, 0);

	if (err)
		return err;
	if (!pt_translate(root, va, &pa, NULL))
		return -EXO_ENOENT;
	pt_unmap(root, va, PAGE_SIZE);
	drop_mapping(pa);
	return 0;
}

int vspace_protect(paddr_t root, vaddr_t va, unsigned prot)
{
	int err = check(va, prot);

	return err ? err : pt_protect(root, va, PAGE_SIZE, prot | VM_USER);
}

int vspace_reprotect(paddr_t root, vaddr_t va, unsigned prot)
{
	unsigned now, may;
	int err = check(va, prot);

	if (err)
		return err;
	if (!pt_translate(root, va, NULL, &now))
		return 0;
	if (!(now & (VM_USER | VM_NOACCESS)))
		return -EXO_EPERM; // not a user mapping
	may = now & (VM_MAYWRITE | VM_MAYEXEC);
	if (((prot & VM_WRITE) && !(may & VM_MAYWRITE)) || ((prot & VM_EXEC) && !(may & VM_MAYEXEC)))
		return -EXO_EPERM;
	err = pt_protect(root, va, PAGE_SIZE, prot | may | VM_USER);
	return err ? err : 1;
}
