// SPDX-License-Identifier: MIT
// Portable logic for x86-64 4-level page tables (PML4 -> PDPT -> PD -> PT). Everything goes
// through phys_to_virt and frame_alloc so the host unit tests can run it on simulated memory;
// the only hardware access is tlb_invalidate(). Intermediate tables are created with the most
// permissive flags (P|W, plus U for user ranges); the leaf decides the real protection.
#include <arch/pagetable.h>
#include <common/string.h>
#include <kern/errno.h>
#include <kern/frame.h>
#include <kern/physmap.h>

uint64_t pte_nx = PTE_NX;

static inline uint64_t *table(paddr_t pa)
{
	return phys_to_virt(pa);
}

static inline unsigned idx(vaddr_t va, int level)
{
	return (va >> (12 + 9 * level)) & 0x1ff;
}

static bool canonical(vaddr_t va)
{
	return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

static uint64_t leaf_flags(unsigned prot)
{
	uint64_t f = PTE_P;

	if (prot & VM_NOACCESS) // no write, no execute: only the frame stays
		prot &= ~(unsigned)(VM_WRITE | VM_EXEC);
	if (prot & VM_WRITE)
		f |= PTE_W;
	if (prot & VM_USER)
		f |= PTE_U;
	if (prot & VM_UNCACHED)
		f |= PTE_PCD | PTE_PWT;
	if (prot & VM_GLOBAL)
		f |= PTE_G;
	if (!(prot & VM_EXEC))
		f |= pte_nx;
	if (prot & VM_MAYWRITE)
		f |= PTE_MAYW;
	if (prot & VM_MAYEXEC)
		f |= PTE_MAYX;
	return f;
}

static unsigned prot_of(uint64_t pte)
{
	unsigned prot = VM_READ;

	if (pte & PTE_W)
		prot |= VM_WRITE;
	if (pte & PTE_U)
		prot |= VM_USER;
	if (pte & PTE_PCD)
		prot |= VM_UNCACHED;
	if (pte & PTE_G)
		prot |= VM_GLOBAL;
	if (!(pte & pte_nx))
		prot |= VM_EXEC;
	if (pte & PTE_MAYW)
		prot |= VM_MAYWRITE;
	if (pte & PTE_MAYX)
		prot |= VM_MAYEXEC;
	if (pte & PTE_NOUSER)
		prot |= VM_NOACCESS;
	return prot;
}

paddr_t pt_create(void)
{
	paddr_t pa = frame_alloc();

	if (pa)
		memset(table(pa), 0, PAGE_SIZE);
	return pa;
}

// Returns the entry for va at level `level` (0 = PT, 1 = PD), creating tables on the way when
// create is set (each charged through b, if given). NULL if a table is missing (and !create), if
// a large page sits above that level, or if a table cannot be had (*nomem then set).
static uint64_t *walk(paddr_t root, vaddr_t va, int level, bool create, bool user, bool *nomem,
                      struct pt_budget *b)
{
	uint64_t *t = table(root);

	for (int l = 3; l > level; l--) {
		uint64_t *e = &t[idx(va, l)];

		if (!(*e & PTE_P)) {
			paddr_t nt;

			if (!create)
				return NULL;
			if (b && b->take(b)) {
				*nomem = true;
				return NULL;
			}
			nt = pt_create();
			if (!nt) {
				if (b)
					b->give(b);
				*nomem = true;
				return NULL;
			}
			*e = nt | PTE_P | PTE_W | (user ? PTE_U : 0);
		} else if (*e & PTE_PS) {
			return NULL;
		} else if (user) {
			*e |= PTE_U;
		}
		t = table(*e & PTE_ADDR);
	}
	return &t[idx(va, level)];
}

// Turns the 2 MiB page mapping va into 512 4 KiB pages with the same protection.
static int split_large(paddr_t root, vaddr_t va)
{
	bool nomem = false;
	uint64_t *pde = walk(root, va, 1, false, false, &nomem, NULL);
	uint64_t *pt, flags;
	paddr_t nt, base;

	if (!pde || !(*pde & PTE_P) || !(*pde & PTE_PS))
		return 0;
	nt = pt_create();
	if (!nt)
		return -EXO_ENOMEM;
	pt = table(nt);
	base = *pde & PTE_ADDR & ~(LARGE_PAGE - 1);
	flags = *pde & ~PTE_ADDR & ~PTE_PS; // keeps NX, G, U, W, cache bits
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		pt[i] = (base + i * PAGE_SIZE) | flags;
	*pde = nt | PTE_P | PTE_W | (*pde & PTE_U);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		tlb_invalidate(root, ALIGN_DOWN(va, LARGE_PAGE) + i * PAGE_SIZE);
	return 0;
}

// Returns the leaf entry mapping va (a PTE or a large PDE) and its size, or NULL if unmapped.
static uint64_t *leaf(paddr_t root, vaddr_t va, size_t *size)
{
	uint64_t *t = table(root);

	for (int l = 3; l >= 0; l--) {
		uint64_t *e = &t[idx(va, l)];

		if (!(*e & PTE_P))
			return NULL;
		if (l == 0 || (l == 1 && (*e & PTE_PS))) {
			*size = l ? LARGE_PAGE : PAGE_SIZE;
			return e;
		}
		if (*e & PTE_PS) // 1 GiB pages are never created
			return NULL;
		t = table(*e & PTE_ADDR);
	}
	return NULL;
}

static int check_range(vaddr_t va, size_t len)
{
	if ((va & PAGE_MASK) || (len & PAGE_MASK) || len == 0)
		return -EXO_EINVAL;
	// The last byte must not wrap, and the range must stay in one canonical half.
	if (va + (len - 1) < va || !canonical(va) || !canonical(va + (len - 1)) ||
	    ((int64_t)va < 0) != ((int64_t)(va + (len - 1)) < 0))
		return -EXO_EINVAL;
	return 0;
}

int pt_map(paddr_t root, vaddr_t va, paddr_t pa, size_t len, unsigned prot)
{
	uint64_t flags = leaf_flags(prot);
	bool user = prot & VM_USER;
	size_t done = 0;
	int err = check_range(va, len);

	if (err)
		return err;
	if ((pa & PAGE_MASK) || pa + len - 1 < pa || pa + len - 1 > (PTE_ADDR | PAGE_MASK))
		return -EXO_EINVAL;
	if ((prot & VM_WRITE) && (prot & VM_EXEC))
		return -EXO_EINVAL;

	while (done < len) {
		vaddr_t v = va + done;
		paddr_t p = pa + done;
		bool nomem = false;
		bool large =
		    !user && !(v & (LARGE_PAGE - 1)) && !(p & (LARGE_PAGE - 1)) && len - done >= LARGE_PAGE;
		uint64_t *e = walk(root, v, large ? 1 : 0, true, user, &nomem, NULL);

		if (!e || (*e & PTE_P)) {
			err = nomem ? -EXO_ENOMEM : -EXO_EEXIST;
			if (large && !nomem && e && !(*e & PTE_PS)) {
				// A page table already exists here: fall back to 4 KiB pages.
				e = walk(root, v, 0, true, user, &nomem, NULL);
				if (e && !(*e & PTE_P)) {
					*e = p | flags;
					done += PAGE_SIZE;
					continue;
				}
				err = nomem ? -EXO_ENOMEM : -EXO_EEXIST;
			}
			if (done)
				pt_unmap(root, va, done);
			return err;
		}
		*e = p | flags | (large ? PTE_PS : 0);
		done += large ? LARGE_PAGE : PAGE_SIZE;
	}
	return 0;
}

static bool table_empty(const uint64_t *t)
{
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		if (t[i])
			return false;
	return true;
}

// Frees, bottom up, the tables on va's path that are empty (never the root), giving each back
// to b. The scan of a table stops at its first entry in use, usually near its start.
static void prune(paddr_t root, vaddr_t va, struct pt_budget *b)
{
	uint64_t *path[4]; // path[l]: the entry for va in the table of level l
	uint64_t *t = table(root);
	int l, deepest = 3;

	for (l = 3; l >= 0; l--) {
		path[l] = &t[idx(va, l)];
		deepest = l;
		if (l == 0 || !(*path[l] & PTE_P) || (*path[l] & PTE_PS))
			break;
		t = table(*path[l] & PTE_ADDR);
	}
	for (l = deepest; l < 3; l++) {
		paddr_t tbl = *path[l + 1] & PTE_ADDR;

		if (!table_empty(table(tbl)))
			break;
		*path[l + 1] = 0;
		frame_free(tbl);
		b->give(b);
	}
}

int pt_map_user(paddr_t root, vaddr_t va, paddr_t pa, unsigned prot, struct pt_budget *b)
{
	bool nomem = false;
	uint64_t *e;
	int err = check_range(va, PAGE_SIZE);

	if (err)
		return err;
	if ((pa & PAGE_MASK) || pa > PTE_ADDR)
		return -EXO_EINVAL;
	if ((prot & VM_WRITE) && (prot & VM_EXEC))
		return -EXO_EINVAL;
	e = walk(root, va, 0, true, true, &nomem, b);
	if (!e) {
		if (nomem)
			prune(root, va, b); // the tables made before the one that could not be had
		return nomem ? -EXO_ENOMEM : -EXO_EEXIST;
	}
	if (*e & PTE_P)
		return -EXO_EEXIST;
	*e = pa | leaf_flags(prot | VM_USER);
	return 0;
}

bool pt_unmap_user(paddr_t root, vaddr_t va, struct pt_budget *b)
{
	size_t size;
	uint64_t *e;

	if (check_range(va, PAGE_SIZE) || !(e = leaf(root, va, &size)) || size != PAGE_SIZE)
		return false; // user trees have no large pages
	*e = 0;
	tlb_invalidate(root, va);
	prune(root, va, b);
	return true;
}

int pt_unmap(paddr_t root, vaddr_t va, size_t len)
{
	int err = check_range(va, len);

	if (err)
		return err;
	// Offsets, not end addresses: a range may end at the very top of the address space.
	for (size_t off = 0; off < len;) {
		vaddr_t v = va + off;
		size_t size;
		uint64_t *e = leaf(root, v, &size);

		if (!e) {
			off += PAGE_SIZE;
			continue;
		}
		if (size == LARGE_PAGE && (v & (LARGE_PAGE - 1) || len - off < LARGE_PAGE)) {
			err = split_large(root, v);
			if (err)
				return err;
			continue;
		}
		*e = 0;
		tlb_invalidate(root, v);
		off += size;
	}
	return 0;
}

int pt_protect(paddr_t root, vaddr_t va, size_t len, unsigned prot)
{
	uint64_t flags = leaf_flags(prot);
	int err = check_range(va, len);

	if (err)
		return err;
	if ((prot & VM_WRITE) && (prot & VM_EXEC))
		return -EXO_EINVAL;
	for (size_t off = 0; off < len; off += PAGE_SIZE) {
		size_t size;

		if (!leaf(root, va + off, &size))
			return -EXO_ENOENT;
	}
	for (size_t off = 0; off < len;) {
		vaddr_t v = va + off;
		size_t size;
		uint64_t *e = leaf(root, v, &size);

		if (size == LARGE_PAGE && (v & (LARGE_PAGE - 1) || len - off < LARGE_PAGE)) {
			err = split_large(root, v);
			if (err)
				return err;
			continue;
		}
		// The user/supervisor bit is decided when a page is mapped (the tables above the leaf
		// were built for one or the other); only VM_NOACCESS takes a user page out of user
		// mode's reach for a while, remembered in PTE_NOUSER.
		// The cache attributes were decided when the page was mapped too (device memory stays
		// uncached).
		bool user = (*e & PTE_U) || (*e & PTE_NOUSER);
		uint64_t u = !user ? 0 : (prot & VM_NOACCESS) ? PTE_NOUSER : PTE_U;
		uint64_t keep = *e & (PTE_ADDR | PTE_PCD | PTE_PWT);

		*e = keep | (flags & ~(PTE_U | PTE_PCD | PTE_PWT)) | u | (size == LARGE_PAGE ? PTE_PS : 0);
		tlb_invalidate(root, v);
		off += size;
	}
	return 0;
}

unsigned pt_entry_prot(uint64_t pte)
{
	return prot_of(pte);
}

vaddr_t pt_skip_hole(paddr_t root, vaddr_t va)
{
	uint64_t *t = table(root);

	for (int l = 3; l > 0; l--) {
		uint64_t e = t[idx(va, l)];

		if (!(e & PTE_P))
			return (va | ((1ull << (12 + 9 * l)) - 1)) + 1;
		if (e & PTE_PS)
			return va;
		t = table(e & PTE_ADDR);
	}
	return va;
}

bool pt_translate(paddr_t root, vaddr_t va, paddr_t *pa, unsigned *prot)
{
	size_t size;
	uint64_t *e;

	if (!canonical(va))
		return false;
	e = leaf(root, va, &size);
	if (!e)
		return false;
	if (pa)
		*pa = (*e & PTE_ADDR & ~(size - 1)) + (va & (size - 1));
	if (prot)
		*prot = prot_of(*e);
	return true;
}

static void free_level(paddr_t t, int level)
{
	uint64_t *e = table(t);

	if (level > 0)
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			if ((e[i] & PTE_P) && !(e[i] & PTE_PS))
				free_level(e[i] & PTE_ADDR, level - 1);
	frame_free(t);
}

void pt_destroy(paddr_t root, unsigned first, unsigned last)
{
	uint64_t *e = table(root);

	for (unsigned i = first; i <= last && i < PT_ENTRIES; i++)
		if (e[i] & PTE_P)
			free_level(e[i] & PTE_ADDR, 2);
	frame_free(root);
}
