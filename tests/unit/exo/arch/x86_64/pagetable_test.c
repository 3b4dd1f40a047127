// SPDX-License-Identifier: MIT
// Unit tests for the x86-64 4-level page tables (exo/arch/x86_64/pagetable.c) on simulated memory.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mock_panic.h"
#include "mock_tlb.h"
#include "physmem.h"
#include <arch/pagetable.h>
#include <kern/errno.h>
#include <kern/frame.h>
#include <kern/physmap.h>

#define LP LARGE_PAGE
#define PG PAGE_SIZE

// Frames for tables come from [1 MiB, 9 MiB); the memory is filled with 0xff first, so a table
// that is not zeroed shows up as "present" everywhere.
#define POOL_BASE (1 * MiB)
#define POOL_LEN  (8 * MiB)

static int setup(void **state)
{
	(void)state;
	pte_nx = PTE_NX;
	panic_reset();
	tlb_reset();
	physmem_fill(0xff);
	physmem_frames_init(POOL_BASE, POOL_LEN);
	return 0;
}

static paddr_t new_root(void)
{
	paddr_t root = pt_create();

	assert_int_not_equal(root, 0);
	return root;
}

static unsigned ix(vaddr_t va, int level)
{
	return (va >> (12 + 9 * level)) & 0x1ff;
}

// The raw entry for va at `level` (3 = PML4 ... 0 = PT), or NULL if a table above is missing or
// a large page sits above. Independent of the code under test.
static uint64_t *raw(paddr_t root, vaddr_t va, int level)
{
	uint64_t *t = phys_to_virt(root);

	for (int l = 3; l > level; l--) {
		uint64_t e = t[ix(va, l)];

		if (!(e & PTE_P) || (e & PTE_PS))
			return NULL;
		t = phys_to_virt(e & PTE_ADDR);
	}
	return &t[ix(va, level)];
}

// True if the CPU would let user mode reach va: U set at every level down to the leaf.
static bool user_accessible(paddr_t root, vaddr_t va)
{
	uint64_t *t = phys_to_virt(root);

	for (int l = 3; l >= 0; l--) {
		uint64_t e = t[ix(va, l)];

		if (!(e & PTE_P) || !(e & PTE_U))
			return false;
		if (l == 0 || (e & PTE_PS))
			return true;
		t = phys_to_virt(e & PTE_ADDR);
	}
	return false;
}

// Checks that every page of [va, va+len) translates to pa + offset with protection prot.
static void assert_mapped(paddr_t root, vaddr_t va, paddr_t pa, size_t len, unsigned prot)
{
	for (size_t off = 0; off < len; off += PG) {
		paddr_t got = 0;
		unsigned gprot = 0;

		if (!pt_translate(root, va + off, &got, &gprot))
			fail_msg("%#llx not mapped", (unsigned long long)(va + off));
		if (got != pa + off)
			fail_msg("%#llx maps %#llx, expected %#llx", (unsigned long long)(va + off),
			         (unsigned long long)got, (unsigned long long)(pa + off));
		if (gprot != prot)
			fail_msg("%#llx has prot %#x, expected %#x", (unsigned long long)(va + off), gprot,
			         prot);
		// An address inside the page too.
		assert_true(pt_translate(root, va + off + 0x7b8, &got, NULL));
		assert_int_equal(got, pa + off + 0x7b8);
	}
}

static void assert_unmapped(paddr_t root, vaddr_t va, size_t len)
{
	for (size_t off = 0; off < len; off += PG)
		if (pt_translate(root, va + off, NULL, NULL))
			fail_msg("%#llx is mapped", (unsigned long long)(va + off));
}

static void test_create_zeroed(void **state)
{
	uint64_t f0 = physmem_frames_free();
	paddr_t root;
	uint64_t *t;

	(void)state;
	root = new_root();
	assert_int_equal(root & PAGE_MASK, 0);
	assert_true(frame_is_allocated(root));
	assert_int_equal(physmem_frames_free(), f0 - 1);
	t = phys_to_virt(root);
	for (int i = 0; i < PT_ENTRIES; i++)
		assert_int_equal(t[i], 0);
	assert_false(pt_translate(root, 0, NULL, NULL));
	assert_false(pt_translate(root, 0xffff800000000000, NULL, NULL));
}

static void test_map_4k_translate(void **state)
{
	paddr_t root = new_root();
	uint64_t f0 = physmem_frames_free();
	uint64_t *pte;

	(void)state;
	assert_int_equal(pt_map(root, 0x400000, 0x12345000, 3 * PG, VM_READ | VM_WRITE), 0);
	assert_mapped(root, 0x400000, 0x12345000, 3 * PG, VM_READ | VM_WRITE);
	assert_unmapped(root, 0x3ff000, PG);
	assert_unmapped(root, 0x403000, PG);
	assert_int_equal(physmem_frames_free(), f0 - 3); // PDPT, PD, PT
	pte = raw(root, 0x401000, 0);
	assert_non_null(pte);
	assert_int_equal(*pte, 0x12346000 | PTE_P | PTE_W | PTE_NX);

	// Same PT: no new table.
	assert_int_equal(pt_map(root, 0x405000, 0x5000, PG, VM_READ), 0);
	assert_int_equal(physmem_frames_free(), f0 - 3);
	// Same PD, next PT.
	assert_int_equal(pt_map(root, 0x600000, 0x6000, PG, VM_READ), 0);
	assert_int_equal(physmem_frames_free(), f0 - 4);
	// Same PDPT, next PD.
	assert_int_equal(pt_map(root, 0x40000000, 0x7000, PG, VM_READ), 0);
	assert_int_equal(physmem_frames_free(), f0 - 6);
	// Next PML4 entry; and the upper half.
	assert_int_equal(pt_map(root, 0x8000000000, 0x8000, PG, VM_READ), 0);
	assert_int_equal(pt_map(root, 0xffffffff80000000, 0x9000, PG, VM_READ), 0);
	assert_int_equal(physmem_frames_free(), f0 - 12);
	assert_mapped(root, 0x405000, 0x5000, PG, VM_READ);
	assert_mapped(root, 0x600000, 0x6000, PG, VM_READ);
	assert_mapped(root, 0x40000000, 0x7000, PG, VM_READ);
	assert_mapped(root, 0x8000000000, 0x8000, PG, VM_READ);
	assert_mapped(root, 0xffffffff80000000, 0x9000, PG, VM_READ);
	assert_mapped(root, 0x400000, 0x12345000, 3 * PG, VM_READ | VM_WRITE);
	assert_unmapped(root, 0xffff800000400000, PG); // same indices as 0x400000, other half
	assert_false(pt_translate(root, 0x0000800000400000, NULL, NULL)); // non-canonical
}

static void test_map_large_pages(void **state)
{
	paddr_t root = new_root();
	uint64_t f0 = physmem_frames_free();
	uint64_t *pde;

	(void)state;
	assert_int_equal(pt_map(root, 0x40000000, 0x80000000, 2 * LP, VM_READ | VM_EXEC), 0);
	assert_int_equal(physmem_frames_free(), f0 - 2); // PDPT and PD, no page table
	assert_mapped(root, 0x40000000, 0x80000000, 2 * LP, VM_READ | VM_EXEC);
	assert_unmapped(root, 0x40000000 - PG, PG);
	assert_unmapped(root, 0x40000000 + 2 * LP, PG);
	pde = raw(root, 0x40000000, 1);
	assert_non_null(pde);
	assert_int_equal(*pde, 0x80000000 | PTE_P | PTE_PS);
	pde = raw(root, 0x40000000 + LP, 1);
	assert_int_equal(*pde, (0x80000000 + LP) | PTE_P | PTE_PS);
}

static void test_map_large_needs_both_aligned(void **state)
{
	paddr_t root = new_root();
	uint64_t f0 = physmem_frames_free();

	(void)state;
	// va aligned, pa not.
	assert_int_equal(pt_map(root, 0x40000000, 0x80001000, 2 * LP, VM_READ), 0);
	assert_int_equal(physmem_frames_free(), f0 - 4); // PDPT, PD and two PTs
	assert_mapped(root, 0x40000000, 0x80001000, 2 * LP, VM_READ);
	assert_false(*raw(root, 0x40000000, 1) & PTE_PS);
	// pa aligned, va not.
	assert_int_equal(pt_map(root, 0x80001000, 0x80000000, 2 * LP, VM_READ), 0);
	assert_mapped(root, 0x80001000, 0x80000000, 2 * LP, VM_READ);
	assert_int_equal(physmem_frames_free(), f0 - 4 - 4);
	// Both aligned, but shorter than 2 MiB.
	assert_int_equal(pt_map(root, 0xc0000000, 0x80000000, LP - PG, VM_READ), 0);
	assert_non_null(raw(root, 0xc0000000, 0));
	assert_mapped(root, 0xc0000000, 0x80000000, LP - PG, VM_READ);
}

static void test_map_mixed_sizes(void **state)
{
	paddr_t root = new_root();
	uint64_t f0 = physmem_frames_free();

	(void)state;
	// 4 KiB at 0x1ff000, a 2 MiB page at 0x200000, 4 KiB at 0x400000.
	assert_int_equal(pt_map(root, 0x1ff000, 0x401ff000, LP + 2 * PG, VM_READ | VM_WRITE), 0);
	assert_mapped(root, 0x1ff000, 0x401ff000, LP + 2 * PG, VM_READ | VM_WRITE);
	assert_int_equal(physmem_frames_free(), f0 - 4); // PDPT, PD, 2 PTs
	assert_true(*raw(root, 0x200000, 1) & PTE_PS);
	assert_false(*raw(root, 0x1ff000, 1) & PTE_PS);
	assert_false(*raw(root, 0x400000, 1) & PTE_PS);
	assert_unmapped(root, 0x1fe000, PG);
	assert_unmapped(root, 0x401000, PG);
}

static void test_user_mappings(void **state)
{
	paddr_t root = new_root();
	uint64_t f0 = physmem_frames_free();

	(void)state;
	assert_int_equal(pt_map(root, 0x200000, 0x400000, LP, VM_READ | VM_USER), 0);
	// Never a 2 MiB page for user mappings.
	assert_int_equal(physmem_frames_free(), f0 - 3);
	assert_false(*raw(root, 0x200000, 1) & PTE_PS);
	assert_mapped(root, 0x200000, 0x400000, LP, VM_READ | VM_USER);
	for (vaddr_t va = 0x200000; va < 0x400000; va += PG)
		assert_true(user_accessible(root, va));
	// A kernel mapping next to it is not reachable from user mode.
	assert_int_equal(pt_map(root, 0x600000, 0x600000, PG, VM_READ | VM_WRITE), 0);
	assert_false(user_accessible(root, 0x600000));
	assert_false(*raw(root, 0x600000, 0) & PTE_U);
	// A user page in a table first created for the kernel is reachable.
	assert_int_equal(pt_map(root, 0x601000, 0x601000, PG, VM_READ | VM_USER), 0);
	assert_true(user_accessible(root, 0x601000));
	assert_false(user_accessible(root, 0x600000));
}

static void test_leaf_flags(void **state)
{
	paddr_t root = new_root();
	unsigned prot;

	(void)state;
	assert_int_equal(pt_map(root, 0x1000, 0x1000, PG, VM_READ), 0);
	assert_int_equal(*raw(root, 0x1000, 0), 0x1000 | PTE_P | PTE_NX);
	assert_int_equal(pt_map(root, 0x2000, 0x2000, PG, VM_READ | VM_WRITE), 0);
	assert_int_equal(*raw(root, 0x2000, 0), 0x2000 | PTE_P | PTE_W | PTE_NX);
	assert_int_equal(pt_map(root, 0x3000, 0x3000, PG, VM_READ | VM_EXEC), 0);
	assert_int_equal(*raw(root, 0x3000, 0), 0x3000 | PTE_P);
	assert_int_equal(pt_map(root, 0x4000, 0x4000, PG, VM_READ | VM_UNCACHED | VM_GLOBAL), 0);
	assert_int_equal(*raw(root, 0x4000, 0), 0x4000 | PTE_P | PTE_PCD | PTE_PWT | PTE_G | PTE_NX);
	assert_true(pt_translate(root, 0x4000, NULL, &prot));
	assert_int_equal(prot, VM_READ | VM_UNCACHED | VM_GLOBAL);
	assert_int_equal(pt_map(root, 0x5000, 0x5000, PG, VM_READ | VM_WRITE | VM_USER), 0);
	assert_int_equal(*raw(root, 0x5000, 0), 0x5000 | PTE_P | PTE_W | PTE_U | PTE_NX);
	// Physical addresses up to 52 bits.
	assert_int_equal(pt_map(root, 0x6000, 0xffffffffff000, PG, VM_READ), 0);
	assert_mapped(root, 0x6000, 0xffffffffff000, PG, VM_READ);
}

// A protection change keeps the cache attributes chosen at map time (device memory stays uncached).
static void test_protect_keeps_cache_bits(void **state)
{
	paddr_t root = new_root();

	(void)state;
	assert_int_equal(pt_map(root, 0x7000, 0xfe000000, PG, VM_READ | VM_WRITE | VM_USER | VM_UNCACHED), 0);
	assert_int_equal(pt_protect(root, 0x7000, PG, VM_READ | VM_USER), 0);
	assert_int_equal(*raw(root, 0x7000, 0), 0xfe000000 | PTE_P | PTE_U | PTE_PCD | PTE_PWT | PTE_NX);
	assert_int_equal(pt_protect(root, 0x7000, PG, VM_READ | VM_USER | VM_NOACCESS), 0);
	assert_int_equal(*raw(root, 0x7000, 0), 0xfe000000 | PTE_P | PTE_NOUSER | PTE_PCD | PTE_PWT | PTE_NX);
	assert_int_equal(pt_protect(root, 0x7000, PG, VM_READ | VM_WRITE | VM_USER), 0);
	assert_int_equal(*raw(root, 0x7000, 0),
	                 0xfe000000 | PTE_P | PTE_W | PTE_U | PTE_PCD | PTE_PWT | PTE_NX);
}

static void test_no_nx_cpu(void **state)
{
	paddr_t root = new_root();
	unsigned prot;

	(void)state;
	pte_nx = 0;
	assert_int_equal(pt_map(root, 0x1000, 0x1000, PG, VM_READ), 0);
	assert_int_equal(*raw(root, 0x1000, 0), 0x1000 | PTE_P);
	assert_true(pt_translate(root, 0x1000, NULL, &prot));
	assert_int_equal(prot, VM_READ | VM_EXEC); // everything is executable without NX
	pte_nx = PTE_NX;
}

static void test_wx_refused(void **state)
{
	paddr_t root = new_root();
	uint64_t f0 = physmem_frames_free();
	unsigned prot;

	(void)state;
	assert_int_equal(pt_map(root, 0x1000, 0x1000, PG, VM_WRITE | VM_EXEC), -EXO_EINVAL);
	assert_int_equal(pt_map(root, 0x200000, 0x200000, LP, VM_READ | VM_WRITE | VM_EXEC), -EXO_EINVAL);
	assert_unmapped(root, 0x1000, PG);
	assert_unmapped(root, 0x200000, LP);
	assert_int_equal(physmem_frames_free(), f0);
	assert_int_equal(pt_map(root, 0x1000, 0x1000, PG, VM_READ | VM_WRITE), 0);
	assert_int_equal(pt_protect(root, 0x1000, PG, VM_READ | VM_WRITE | VM_EXEC), -EXO_EINVAL);
	assert_true(pt_translate(root, 0x1000, NULL, &prot));
	assert_int_equal(prot, VM_READ | VM_WRITE);
	assert_int_equal(tlb_calls, 0);
}

static void test_invalid_arguments(void **state)
{
	static const struct {
		vaddr_t va;
		paddr_t pa;
		size_t len;
	} bad[] = {
		{ 0x1001, 0x1000, PG },     // unaligned va
		{ 0x1000, 0x1800, PG },     // unaligned pa
		{ 0x1000, 0x1000, 0 },      // empty
		{ 0x1000, 0x1000, PG + 1 }, // unaligned length
		{ 0x1000, 0x1000, 100 },
		{ 0x0000800000000000, 0x1000, PG },     // non-canonical
		{ 0xffff7ffffffff000, 0x1000, PG },     // non-canonical
		{ 0xffff7ffffffff000, 0x1000, 2 * PG }, // starts non-canonical, ends canonical
		{ 0x1234000000000000, 0x1000, PG },     // non-canonical
		{ 0x00007ffffffff000, 0x1000, 2 * PG }, // runs off the lower half
		{ 0xfffffffffffff000, 0x1000, 2 * PG }, // wraps around
		{ 0x1000, 1ull << 52, PG },             // pa beyond 52 bits
		{ 0x1000, (1ull << 52) - PG, 2 * PG },  // pa range beyond 52 bits
		{ 0x1000, 0x1000, (size_t)-PG },        // absurd length
	};
	paddr_t root = new_root();
	uint64_t f0 = physmem_frames_free();

	(void)state;
	assert_int_equal(pt_map(root, 0x1000, 0x1000, PG, VM_READ), 0);
	f0 = physmem_frames_free();
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (pt_map(root, bad[i].va, bad[i].pa, bad[i].len, VM_READ) != -EXO_EINVAL)
			fail_msg("pt_map case %zu not refused", i);
		if (bad[i].pa != 0x1000)
			continue;
		// The same va/len are also invalid for unmap and protect.
		if (pt_unmap(root, bad[i].va, bad[i].len) != -EXO_EINVAL)
			fail_msg("pt_unmap case %zu not refused", i);
		if (pt_protect(root, bad[i].va, bad[i].len, VM_READ) != -EXO_EINVAL)
			fail_msg("pt_protect case %zu not refused", i);
	}
	assert_int_equal(physmem_frames_free(), f0);
	assert_int_equal(tlb_calls, 0);
	assert_mapped(root, 0x1000, 0x1000, PG, VM_READ);
}

static void test_map_over_existing_4k(void **state)
{
	paddr_t root = new_root();
	const vaddr_t a = 0x10000;

	(void)state;
	assert_int_equal(pt_map(root, a, 0x100000, 4 * PG, VM_READ | VM_WRITE), 0);
	// Overlapping at the start of the existing range: the two new pages must not stay.
	assert_int_equal(pt_map(root, a - 2 * PG, 0x200000, 3 * PG, VM_READ), -EXO_EEXIST);
	assert_unmapped(root, a - 2 * PG, 2 * PG);
	// Overlapping at the end.
	assert_int_equal(pt_map(root, a + 3 * PG, 0x300000, 3 * PG, VM_READ), -EXO_EEXIST);
	assert_unmapped(root, a + 4 * PG, 2 * PG);
	// Exactly the same range.
	assert_int_equal(pt_map(root, a, 0x100000, 4 * PG, VM_READ | VM_WRITE), -EXO_EEXIST);
	// The original mapping is untouched.
	assert_mapped(root, a, 0x100000, 4 * PG, VM_READ | VM_WRITE);
}

static void test_map_over_existing_large(void **state)
{
	paddr_t root = new_root();

	(void)state;
	assert_int_equal(pt_map(root, 0x200000, 0x40000000, LP, VM_READ), 0);
	assert_int_equal(pt_map(root, 0x201000, 0x1000, PG, VM_READ), -EXO_EEXIST);
	assert_int_equal(pt_map(root, 0x3ff000, 0x1000, PG, VM_READ), -EXO_EEXIST);
	assert_int_equal(pt_map(root, 0x200000, 0x80000000, LP, VM_READ), -EXO_EEXIST);
	assert_int_equal(pt_map(root, 0x1ff000, 0x1000, 2 * PG, VM_READ), -EXO_EEXIST);
	assert_unmapped(root, 0x1ff000, PG);
	// A 2 MiB request whose second half hits the large page.
	assert_int_equal(pt_map(root, 0x100000, 0x80100000, LP, VM_READ), -EXO_EEXIST);
	assert_unmapped(root, 0x100000, LP / 2);
	assert_mapped(root, 0x200000, 0x40000000, LP, VM_READ);
}

static void test_large_over_table_with_page(void **state)
{
	paddr_t root = new_root();

	(void)state;
	assert_int_equal(pt_map(root, 0x205000, 0x5000, PG, VM_READ), 0);
	assert_int_equal(pt_map(root, 0x200000, 0x40000000, LP, VM_READ | VM_WRITE), -EXO_EEXIST);
	assert_unmapped(root, 0x200000, 5 * PG);
	assert_unmapped(root, 0x206000, LP - 6 * PG);
	assert_mapped(root, 0x205000, 0x5000, PG, VM_READ);
}

static void test_large_over_empty_table(void **state)
{
	paddr_t root = new_root();
	uint64_t f0;

	(void)state;
	assert_int_equal(pt_map(root, 0x205000, 0x5000, PG, VM_READ), 0);
	assert_int_equal(pt_unmap(root, 0x205000, PG), 0);
	f0 = physmem_frames_free();
	// A page table (now empty) exists for this 2 MiB: mapping still works, with 4 KiB pages.
	assert_int_equal(pt_map(root, 0x200000, 0x40000000, LP, VM_READ | VM_WRITE), 0);
	assert_mapped(root, 0x200000, 0x40000000, LP, VM_READ | VM_WRITE);
	assert_int_equal(physmem_frames_free(), f0);
}

static void test_enomem(void **state)
{
	paddr_t root;
	uint64_t f0;

	(void)state;
	// One bitmap page and four frames.
	physmem_frames_init(POOL_BASE, 5 * PG);
	f0 = physmem_frames_free();
	assert_int_equal(f0, 4);
	root = new_root();
	// Two pages in different page tables: PDPT, PD and the first PT fit, the second PT does not.
	assert_int_equal(pt_map(root, 0x1ff000, 0x1000, 2 * PG, VM_READ), -EXO_ENOMEM);
	assert_unmapped(root, 0x1ff000, 2 * PG);
	assert_int_equal(physmem_frames_free(), 0);
	assert_int_equal(pt_create(), 0);
	// Nothing left for a new PDPT either.
	assert_int_equal(pt_map(root, 0x8000000000, 0x1000, PG, VM_READ), -EXO_ENOMEM);
	assert_unmapped(root, 0x8000000000, PG);
	// A page in the table that exists still works.
	assert_int_equal(pt_map(root, 0x1fe000, 0x1000, PG, VM_READ), 0);
	assert_mapped(root, 0x1fe000, 0x1000, PG, VM_READ);
	pt_destroy(root, 0, PT_ENTRIES - 1);
	assert_int_equal(physmem_frames_free(), f0);
}

static void test_split_enomem(void **state)
{
	paddr_t root = new_root();
	paddr_t spare;

	(void)state;
	assert_int_equal(pt_map(root, 0x200000, 0x40000000, LP, VM_READ), 0);
	spare = frame_alloc();
	while (frame_alloc())
		;
	assert_int_equal(pt_unmap(root, 0x201000, PG), -EXO_ENOMEM);
	assert_int_equal(pt_protect(root, 0x201000, PG, VM_READ | VM_WRITE), -EXO_ENOMEM);
	assert_mapped(root, 0x200000, 0x40000000, LP, VM_READ);
	frame_free(spare);
	assert_int_equal(pt_unmap(root, 0x201000, PG), 0);
	assert_unmapped(root, 0x201000, PG);
	assert_mapped(root, 0x200000, 0x40000000, PG, VM_READ);
	assert_mapped(root, 0x202000, 0x40002000, LP - 2 * PG, VM_READ);
}

static void test_unmap_4k(void **state)
{
	paddr_t root = new_root();

	(void)state;
	assert_int_equal(pt_map(root, 0x10000, 0x70000, 4 * PG, VM_READ), 0);
	tlb_reset();
	assert_int_equal(pt_unmap(root, 0x11000, 2 * PG), 0);
	assert_mapped(root, 0x10000, 0x70000, PG, VM_READ);
	assert_unmapped(root, 0x11000, 2 * PG);
	assert_mapped(root, 0x13000, 0x73000, PG, VM_READ);
	assert_int_equal(tlb_calls, 2);
	assert_int_equal(tlb_calls_for(root, 0x11000), 1);
	assert_int_equal(tlb_calls_for(root, 0x12000), 1);
	assert_int_equal(*raw(root, 0x11000, 0), 0);
	// Unmapping what is not mapped is fine and touches no TLB.
	tlb_reset();
	assert_int_equal(pt_unmap(root, 0x11000, 2 * PG), 0);
	assert_int_equal(pt_unmap(root, 0x40000000, 16 * PG), 0);
	assert_int_equal(tlb_calls, 0);
	// A range with holes.
	assert_int_equal(pt_unmap(root, 0x0, 0x20000), 0);
	assert_unmapped(root, 0x10000, 4 * PG);
	assert_int_equal(tlb_calls, 2);
	assert_int_equal(tlb_calls_for(root, 0x10000), 1);
	assert_int_equal(tlb_calls_for(root, 0x13000), 1);
	// The range can be mapped again.
	assert_int_equal(pt_map(root, 0x10000, 0x90000, 4 * PG, VM_READ | VM_WRITE), 0);
	assert_mapped(root, 0x10000, 0x90000, 4 * PG, VM_READ | VM_WRITE);
}

static void test_unmap_splits_large(void **state)
{
	const unsigned prot = VM_READ | VM_GLOBAL | VM_UNCACHED;
	paddr_t root = new_root();
	uint64_t f0;
	uint64_t *pte;

	(void)state;
	assert_int_equal(pt_map(root, 0x200000, 0x40000000, 2 * LP, prot), 0);
	f0 = physmem_frames_free();
	tlb_reset();
	assert_int_equal(pt_unmap(root, 0x205000, 2 * PG), 0);
	assert_int_equal(physmem_frames_free(), f0 - 1); // the new page table
	assert_mapped(root, 0x200000, 0x40000000, 5 * PG, prot);
	assert_unmapped(root, 0x205000, 2 * PG);
	assert_mapped(root, 0x207000, 0x40007000, LP - 7 * PG, prot);
	assert_mapped(root, 0x400000, 0x40200000, LP, prot); // the other large page is untouched
	assert_true(*raw(root, 0x400000, 1) & PTE_PS);
	assert_false(*raw(root, 0x200000, 1) & PTE_PS);
	pte = raw(root, 0x3ff000, 0);
	assert_non_null(pte);
	// In a 4 KiB PTE bit 7 is PAT, not PS: it must not be carried over.
	assert_int_equal(*pte,
	                 0x401ff000 | PTE_P | PTE_G | PTE_PCD | PTE_PWT | PTE_NX | (*pte & (PTE_A | PTE_D)));
	assert_true(tlb_calls_for(root, 0x205000) >= 1);
	assert_true(tlb_calls_for(root, 0x206000) >= 1);

	// Unmapping across the boundary of the split page and the next large page.
	assert_int_equal(pt_unmap(root, 0x3ff000, 2 * PG), 0);
	assert_unmapped(root, 0x3ff000, 2 * PG);
	assert_mapped(root, 0x3fe000, 0x401fe000, PG, prot);
	assert_mapped(root, 0x401000, 0x40201000, LP - PG, prot);
	assert_int_equal(physmem_frames_free(), f0 - 2);
}

static void test_unmap_whole_large(void **state)
{
	paddr_t root = new_root();
	uint64_t f0;

	(void)state;
	assert_int_equal(pt_map(root, 0x200000, 0x40000000, 2 * LP, VM_READ), 0);
	f0 = physmem_frames_free();
	tlb_reset();
	assert_int_equal(pt_unmap(root, 0x200000, LP), 0);
	assert_int_equal(physmem_frames_free(), f0); // no split
	assert_unmapped(root, 0x200000, LP);
	assert_mapped(root, 0x400000, 0x40200000, LP, VM_READ);
	assert_int_equal(tlb_calls_for(root, 0x200000), 1);
	assert_int_equal(tlb_calls, 1);
	assert_int_equal(*raw(root, 0x200000, 1), 0);
}

static void test_protect_4k(void **state)
{
	paddr_t root = new_root();
	const vaddr_t a = 0x7000000;

	(void)state;
	assert_int_equal(pt_map(root, a, 0x100000, 4 * PG, VM_READ | VM_WRITE), 0);
	tlb_reset();
	assert_int_equal(pt_protect(root, a + PG, 2 * PG, VM_READ), 0);
	assert_mapped(root, a, 0x100000, PG, VM_READ | VM_WRITE);
	assert_mapped(root, a + PG, 0x101000, 2 * PG, VM_READ);
	assert_mapped(root, a + 3 * PG, 0x103000, PG, VM_READ | VM_WRITE);
	assert_false(*raw(root, a + PG, 0) & PTE_W);
	assert_int_equal(tlb_calls_for(root, a + PG), 1);
	assert_int_equal(tlb_calls_for(root, a + 2 * PG), 1);
	assert_int_equal(tlb_calls, 2);

	assert_int_equal(pt_protect(root, a, 4 * PG, VM_READ | VM_EXEC), 0);
	assert_mapped(root, a, 0x100000, 4 * PG, VM_READ | VM_EXEC);
	assert_false(*raw(root, a, 0) & PTE_NX);

	// VM_USER is ignored by protect: a kernel page stays a kernel page.
	assert_int_equal(pt_protect(root, a, PG, VM_READ | VM_WRITE | VM_USER), 0);
	assert_mapped(root, a, 0x100000, PG, VM_READ | VM_WRITE);
	assert_int_equal(*raw(root, a, 0), 0x100000 | PTE_P | PTE_W | PTE_NX);

	assert_int_equal(pt_protect(root, a, PG, VM_READ), 0);
	assert_int_equal(*raw(root, a, 0), 0x100000 | PTE_P | PTE_NX);
}

// VM_NOACCESS parks a user page: mapped (its frame kept) but supervisor-only, read-only, no
// execute, remembered in PTE_NOUSER; any later protect gives it back to user mode. A kernel page
// never becomes a user page that way.
static void test_protect_noaccess(void **state)
{
	paddr_t root = new_root();
	const vaddr_t a = 0x7000000;
	unsigned prot;
	paddr_t pa;

	(void)state;
	assert_int_equal(pt_map(root, a, 0x100000, PG, VM_READ | VM_WRITE | VM_USER | VM_MAYWRITE), 0);
	assert_int_equal(pt_protect(root, a, PG, VM_READ | VM_WRITE | VM_EXEC | VM_NOACCESS), -EXO_EINVAL);
	assert_int_equal(pt_protect(root, a, PG, VM_READ | VM_WRITE | VM_NOACCESS | VM_MAYWRITE), 0);
	assert_int_equal(*raw(root, a, 0), 0x100000 | PTE_P | PTE_NX | PTE_NOUSER | PTE_MAYW);
	assert_true(pt_translate(root, a, &pa, &prot));
	assert_int_equal(pa, 0x100000);
	assert_int_equal(prot & (VM_USER | VM_NOACCESS | VM_WRITE), VM_NOACCESS);
	assert_int_equal(pt_protect(root, a, PG, VM_READ | VM_WRITE | VM_MAYWRITE), 0);
	assert_int_equal(*raw(root, a, 0), 0x100000 | PTE_P | PTE_U | PTE_W | PTE_NX | PTE_MAYW);

	assert_int_equal(pt_map(root, a + PG, 0x101000, PG, VM_READ), 0); // a kernel page
	assert_int_equal(pt_protect(root, a + PG, PG, VM_READ | VM_NOACCESS), 0);
	assert_int_equal(pt_protect(root, a + PG, PG, VM_READ | VM_WRITE), 0);
	assert_int_equal(*raw(root, a + PG, 0), 0x101000 | PTE_P | PTE_W | PTE_NX);
}

static void test_protect_large(void **state)
{
	paddr_t root = new_root();
	uint64_t f0;

	(void)state;
	assert_int_equal(pt_map(root, 0x200000, 0x40000000, 2 * LP, VM_READ | VM_WRITE), 0);
	f0 = physmem_frames_free();
	// A whole large page keeps being one.
	assert_int_equal(pt_protect(root, 0x400000, LP, VM_READ | VM_EXEC), 0);
	assert_int_equal(physmem_frames_free(), f0);
	assert_int_equal(*raw(root, 0x400000, 1), 0x40200000 | PTE_P | PTE_PS);
	assert_mapped(root, 0x400000, 0x40200000, LP, VM_READ | VM_EXEC);
	// One page in the middle of the other splits it.
	assert_int_equal(pt_protect(root, 0x300000, PG, VM_READ), 0);
	assert_int_equal(physmem_frames_free(), f0 - 1);
	assert_mapped(root, 0x200000, 0x40000000, LP / 2, VM_READ | VM_WRITE);
	assert_mapped(root, 0x300000, 0x40100000, PG, VM_READ);
	assert_mapped(root, 0x301000, 0x40101000, LP / 2 - PG, VM_READ | VM_WRITE);
	assert_mapped(root, 0x400000, 0x40200000, LP, VM_READ | VM_EXEC);
}

static void test_protect_unmapped(void **state)
{
	paddr_t root = new_root();
	const vaddr_t a = 0x10000;

	(void)state;
	assert_int_equal(pt_protect(root, a, PG, VM_READ), -EXO_ENOENT);
	assert_int_equal(pt_map(root, a, 0x100000, 2 * PG, VM_READ | VM_WRITE), 0);
	tlb_reset();
	// Partly mapped: refused as a whole, nothing changes.
	assert_int_equal(pt_protect(root, a, 3 * PG, VM_READ), -EXO_ENOENT);
	assert_int_equal(pt_protect(root, a - PG, 2 * PG, VM_READ), -EXO_ENOENT);
	assert_mapped(root, a, 0x100000, 2 * PG, VM_READ | VM_WRITE);
	assert_int_equal(tlb_calls, 0);
	// Unmapped after being mapped.
	assert_int_equal(pt_unmap(root, a + PG, PG), 0);
	assert_int_equal(pt_protect(root, a, 2 * PG, VM_READ), -EXO_ENOENT);
	assert_mapped(root, a, 0x100000, PG, VM_READ | VM_WRITE);
}

static void test_destroy_returns_frames(void **state)
{
	uint64_t f0 = physmem_frames_free();
	paddr_t root = new_root();

	(void)state;
	assert_int_equal(pt_map(root, 0x1000, 0x1000, 8 * PG, VM_READ), 0);
	assert_int_equal(pt_map(root, 0x200000, 0x40000000, 4 * LP, VM_READ | VM_WRITE), 0);
	assert_int_equal(pt_unmap(root, 0x201000, PG), 0); // split one
	assert_int_equal(pt_map(root, 0x8000000000, 0x1000, LP, VM_READ | VM_USER), 0);
	assert_int_equal(pt_map(root, 0x7ffffffff000, 0x1000, PG, VM_READ | VM_USER), 0);
	assert_int_equal(pt_map(root, 0xffff800000000000, 0x0, 4 * LP, VM_READ | VM_WRITE), 0);
	assert_int_equal(pt_map(root, 0xffffffff80000000, 0x200000, LP + PG, VM_READ | VM_EXEC), 0);
	assert_true(physmem_frames_free() < f0 - 10);
	pt_destroy(root, 0, PT_ENTRIES - 1);
	assert_int_equal(physmem_frames_free(), f0);
	assert_false(frame_is_allocated(root));
}

static void test_destroy_part_of_root(void **state)
{
	uint64_t f0 = physmem_frames_free();
	paddr_t root = new_root();
	paddr_t kpdpt, kpd, kpt;

	(void)state;
	assert_int_equal(pt_map(root, 0x400000, 0x1000, PG, VM_READ | VM_USER), 0);
	assert_int_equal(pt_map(root, 0xffff800000000000, 0x1000, PG, VM_READ), 0);
	kpdpt = *raw(root, 0xffff800000000000, 3) & PTE_ADDR;
	kpd = *raw(root, 0xffff800000000000, 2) & PTE_ADDR;
	kpt = *raw(root, 0xffff800000000000, 1) & PTE_ADDR;
	assert_int_equal(physmem_frames_free(), f0 - 7);
	// Only the user half: the kernel half's tables are shared and stay.
	pt_destroy(root, 0, 255);
	assert_int_equal(physmem_frames_free(), f0 - 3);
	assert_true(frame_is_allocated(kpdpt));
	assert_true(frame_is_allocated(kpd));
	assert_true(frame_is_allocated(kpt));
	assert_false(frame_is_allocated(root));
}

// pt_protect never turns a kernel page into a user page or back: only pt_map decides, because
// it also sets U on the tables above the leaf (a leaf-only U would be unreachable yet reported).
static void test_protect_never_changes_user_bit(void **state)
{
	paddr_t root = new_root();
	unsigned prot;

	(void)state;
	assert_int_equal(pt_map(root, 0x400000, 0x1000, PG, VM_READ), 0);
	assert_int_equal(pt_protect(root, 0x400000, PG, VM_READ | VM_USER), 0);
	assert_true(pt_translate(root, 0x400000, NULL, &prot));
	assert_int_equal(prot, VM_READ);
	assert_false(user_accessible(root, 0x400000));
	// and a user page stays a user page, reachable through every level
	assert_int_equal(pt_map(root, 0x600000, 0x2000, PG, VM_READ | VM_WRITE | VM_USER), 0);
	assert_int_equal(pt_protect(root, 0x600000, PG, VM_READ), 0);
	assert_true(pt_translate(root, 0x600000, NULL, &prot));
	assert_int_equal(prot, VM_READ | VM_USER);
	assert_true(user_accessible(root, 0x600000));
}

// The last page(s) of the address space are canonical and aligned: usable although va + len
// wraps to 0.
static void test_map_top_of_address_space(void **state)
{
	paddr_t root = new_root();

	(void)state;
	assert_int_equal(pt_map(root, 0xffffffffffe00000, 0x40000000, LP, VM_READ), 0);
	assert_mapped(root, 0xffffffffffe00000, 0x40000000, LP, VM_READ);
	assert_int_equal(pt_unmap(root, 0xffffffffffe00000, LP), 0);
	assert_unmapped(root, 0xffffffffffe00000, LP);
	assert_int_equal(pt_map(root, 0xfffffffffffff000, 0x5000, PG, VM_READ), 0);
	assert_mapped(root, 0xfffffffffffff000, 0x5000, PG, VM_READ);
	assert_int_equal(pt_unmap(root, 0xfffffffffffff000, PG), 0);
	assert_unmapped(root, 0xfffffffffffff000, PG);
}

// A range whose first and last byte are canonical but which spans the non-canonical hole is
// refused (walking it would alias the upper half's table indices).
static void test_range_across_canonical_hole_refused(void **state)
{
	paddr_t root = new_root();
	const vaddr_t va = 0x00007ffffffff000;
	const size_t len = 0xffff800000001000 - va;

	(void)state;
	assert_int_equal(pt_map(root, va, 0x1000, PG, VM_READ), 0);
	assert_int_equal(pt_protect(root, va, len, VM_READ), -EXO_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_create_zeroed, setup),
		cmocka_unit_test_setup(test_map_4k_translate, setup),
		cmocka_unit_test_setup(test_map_large_pages, setup),
		cmocka_unit_test_setup(test_map_large_needs_both_aligned, setup),
		cmocka_unit_test_setup(test_map_mixed_sizes, setup),
		cmocka_unit_test_setup(test_user_mappings, setup),
		cmocka_unit_test_setup(test_leaf_flags, setup),
		cmocka_unit_test_setup(test_no_nx_cpu, setup),
		cmocka_unit_test_setup(test_wx_refused, setup),
		cmocka_unit_test_setup(test_invalid_arguments, setup),
		cmocka_unit_test_setup(test_map_over_existing_4k, setup),
		cmocka_unit_test_setup(test_map_over_existing_large, setup),
		cmocka_unit_test_setup(test_large_over_table_with_page, setup),
		cmocka_unit_test_setup(test_large_over_empty_table, setup),
		cmocka_unit_test_setup(test_enomem, setup),
		cmocka_unit_test_setup(test_split_enomem, setup),
		cmocka_unit_test_setup(test_unmap_4k, setup),
		cmocka_unit_test_setup(test_unmap_splits_large, setup),
		cmocka_unit_test_setup(test_unmap_whole_large, setup),
		cmocka_unit_test_setup(test_protect_4k, setup),
		cmocka_unit_test_setup(test_protect_noaccess, setup),
		cmocka_unit_test_setup(test_protect_large, setup),
		cmocka_unit_test_setup(test_protect_unmapped, setup),
		cmocka_unit_test_setup(test_destroy_returns_frames, setup),
		cmocka_unit_test_setup(test_destroy_part_of_root, setup),
		cmocka_unit_test_setup(test_protect_never_changes_user_bit, setup),
		cmocka_unit_test_setup(test_protect_keeps_cache_bits, setup),
		cmocka_unit_test_setup(test_map_top_of_address_space, setup),
		cmocka_unit_test_setup(test_range_across_canonical_hole_refused, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
