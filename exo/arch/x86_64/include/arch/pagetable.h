// SPDX-License-Identifier: MIT
// x86-64 4-level page tables: map, unmap, change protection and translate ranges in a tree
// rooted at a physical PML4 address. Tables are reached through the direct map and allocated
// with the frame allocator. Used for the kernel's own tables now and user vspaces later.
#pragma once

#include <kern/types.h>

#define PTE_P      (1ull << 0)
#define PTE_W      (1ull << 1)
#define PTE_U      (1ull << 2)
#define PTE_PWT    (1ull << 3)
#define PTE_PCD    (1ull << 4)
#define PTE_A      (1ull << 5)
#define PTE_D      (1ull << 6)
#define PTE_PS     (1ull << 7)
#define PTE_G      (1ull << 8)
#define PTE_NX     (1ull << 63)
#define PTE_MAYW   (1ull << 9) // software bits: VM_MAYWRITE, VM_MAYEXEC
#define PTE_MAYX   (1ull << 10)
#define PTE_NOUSER (1ull << 11) // software bit: a user page made inaccessible (VM_NOACCESS)
#define PTE_ADDR   0x000ffffffffff000ull

#define PT_ENTRIES 512
#define LARGE_PAGE (2ul * 1024 * 1024)

// Protection requested by callers; W|X together is refused (W^X).
enum vm_prot {
	VM_READ = 1 << 0,
	VM_WRITE = 1 << 1,
	VM_EXEC = 1 << 2,
	VM_USER = 1 << 3,
	VM_UNCACHED = 1 << 4,
	VM_GLOBAL = 1 << 5,
	// The most a user mapping may later be given by protect (what the frame capability it was
	// mapped with allowed); kept in PTE bits the CPU ignores.
	VM_MAYWRITE = 1 << 6,
	VM_MAYEXEC = 1 << 7,
	// pt_protect of a user page: keep it mapped (and its frame) but out of user mode's reach
	// (supervisor-only, read-only, no execute) until a later protect gives it back.
	VM_NOACCESS = 1 << 8,
};

// PTE_NX when the CPU supports no-execute, else 0 (set by the CPU feature probe).
extern uint64_t pte_nx;

// Returns a zeroed top-level table, or 0 when out of memory.
paddr_t pt_create(void);
// Maps [va, va+len) to [pa, pa+len); 2 MiB pages where both are aligned (unless VM_USER).
// -EXO_EINVAL: unaligned, non-canonical or W|X; -EXO_EEXIST: something already mapped (nothing
// of this call stays mapped then); -EXO_ENOMEM: no frame for a table.
int pt_map(paddr_t root, vaddr_t va, paddr_t pa, size_t len, unsigned prot);
// The page tables of a user tree are charged to its owner: take one before a table is created
// (0, or -EXO_ENOMEM: no room), give one back when it is freed.
struct pt_budget {
	int (*take)(struct pt_budget *b);
	void (*give)(struct pt_budget *b);
};
// Maps one user page (VM_USER implied) at va to pa, creating the tables it needs through b.
// -EXO_EINVAL, -EXO_EEXIST (something is mapped there), -EXO_ENOMEM (b refused, or no frame).
int pt_map_user(paddr_t root, vaddr_t va, paddr_t pa, unsigned prot, struct pt_budget *b);
// Unmaps the user page at va and frees (giving back to b) every table below the root it leaves
// empty. False if nothing was mapped there.
bool pt_unmap_user(paddr_t root, vaddr_t va, struct pt_budget *b);
// Unmaps every mapped page of [va, va+len), splitting 2 MiB pages at the edges.
int pt_unmap(paddr_t root, vaddr_t va, size_t len);
// Changes the protection of every mapped page in [va, va+len); -EXO_ENOENT if any is unmapped.
// VM_USER in prot is ignored: whether a page is a user page is fixed when it is mapped.
int pt_protect(paddr_t root, vaddr_t va, size_t len, unsigned prot);
// The VM_* protection a page-table entry grants (what pt_translate reports for it).
unsigned pt_entry_prot(uint64_t pte);
// va if a last-level table covers it (its page may be mapped), else the first address after the
// hole the missing table leaves: range walks skip unmapped gigabytes at once.
vaddr_t pt_skip_hole(paddr_t root, vaddr_t va);
// Translates va; returns true and fills *pa / *prot (if non-NULL) when mapped.
bool pt_translate(paddr_t root, vaddr_t va, paddr_t *pa, unsigned *prot);
// Frees all lower-level tables below entry range [first, last] of the root, then the root.
void pt_destroy(paddr_t root, unsigned first, unsigned last);

// Hardware hook: invalidate the TLB entry for va if root is live on this CPU.
void tlb_invalidate(paddr_t root, vaddr_t va);
