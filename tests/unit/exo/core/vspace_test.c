// SPDX-License-Identifier: MIT
// Unit tests for address spaces and quotas together (exo/core/vspace.c, exo/core/quota.c, with
// the real page tables, heap, frame allocator and capability tables on simulated memory): page
// tables charged and freed when empty, mapping records, W^X per frame, revocation reaching
// mappings, and quota destruction returning every frame.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mock_panic.h"
#include "mock_tlb.h"
#include "physmem.h"
#include <arch/paging.h>
#include <kern/cap.h>
#include <kern/frame.h>
#include <kern/heap.h>
#include <kern/physmap.h>
#include <kern/quota.h>
#include <kern/vspace.h>

#define POOL_BASE (1 * MiB)
#define POOL_LEN  (32 * MiB)
#define PG        PAGE_SIZE
#define VA        0x10000000000ull // the first address of a PML4 entry of its own
#define RW        (VM_READ | VM_WRITE)
#define RX        (VM_READ | VM_EXEC)

// What the kernel's paging code would provide: an empty kernel half, nothing to leave.
paddr_t kernel_root;
void paging_leave(paddr_t root)
{
	(void)root;
}

// One frame allocator and heap for the whole group (the heap keeps its slabs between tests);
// every test checks that it gave back all it took.
static int group_setup(void **state)
{
	(void)state;
	pte_nx = PTE_NX;
	physmem_fill(0);
	physmem_frames_init(POOL_BASE, POOL_LEN);
	uframe_init(PHYSMEM_SIZE);
	kernel_root = pt_create();
	return kernel_root ? 0 : -1;
}

static int setup(void **state)
{
	(void)state;
	panic_reset();
	tlb_reset();
	return 0;
}

static struct quota *new_quota(uint64_t frames)
{
	struct quota *q = quota_create_root(frames);

	assert_non_null(q);
	return q;
}

static struct uframe *new_frame(struct quota *q)
{
	struct uframe *f;

	assert_int_equal(uframe_alloc(q, &f), 0);
	return f;
}

static bool mapped(struct vspace *vs, vaddr_t va)
{
	return pt_translate(vs->root, va, NULL, NULL);
}

// An address space costs its root; the tables a mapping needs are charged while they exist.
static void test_tables_charged_and_freed(void **state)
{
	struct quota *q = new_quota(100);
	uint64_t free0 = physmem_frames_free();
	struct vspace vs;
	struct uframe *f;

	(void)state;
	assert_int_equal(vspace_init(&vs, q), 0);
	assert_int_equal(quota_used_frames(q), 1);
	f = new_frame(q);
	assert_int_equal(quota_used_frames(q), 2);
	assert_int_equal(vspace_map(&vs, VA, f, RW, NULL), 0);
	assert_int_equal(vs.tables, 3); // PDPT, PD, PT
	assert_int_equal(vs.maps, 1);
	assert_int_equal(quota_used_frames(q), 6); // + 3 tables + the record (rounded up)
	assert_int_equal(vspace_unmap(&vs, VA), 0);
	assert_int_equal(vs.tables, 0);
	assert_int_equal(vs.maps, 0);
	assert_int_equal(quota_used_frames(q), 2);
	kobj_put(&f->obj);
	vspace_destroy(&vs);
	assert_int_equal(q->used, 0);
	assert_int_equal(physmem_frames_free(), free0);
	kobj_put(&q->obj);
}

// Repro 2 of the hardening issue: a frame mapped and unmapped at 2 MiB steps used to leave a
// page table behind each time, charged to nobody.
static void test_map_unmap_walk_keeps_nothing(void **state)
{
	struct quota *q = new_quota(8);
	struct vspace vs;
	struct uframe *f;
	uint64_t free0;

	(void)state;
	assert_int_equal(vspace_init(&vs, q), 0);
	f = new_frame(q);
	free0 = physmem_frames_free();
	for (uint64_t i = 0; i < 5000; i++) {
		vaddr_t va = VA + i * LARGE_PAGE;

		assert_int_equal(vspace_map(&vs, va, f, RW, NULL), 0);
		assert_int_equal(vspace_unmap(&vs, va), 0);
	}
	assert_int_equal(physmem_frames_free(), free0);
	assert_int_equal(vs.tables, 0);
	assert_int_equal(quota_used_frames(q), 2);
	vspace_destroy(&vs);
	kobj_put(&f->obj);
	kobj_put(&q->obj);
}

// A quota that cannot pay for the tables refuses the mapping and keeps no half-built path.
static void test_tables_over_quota(void **state)
{
	struct quota *q = new_quota(4);
	uint64_t free0 = physmem_frames_free();
	struct vspace vs;
	struct uframe *f;

	(void)state;
	assert_int_equal(vspace_init(&vs, q), 0);
	f = new_frame(q);
	assert_int_equal(vspace_map(&vs, VA, f, RW, NULL), -EXO_ENOMEM);
	assert_int_equal(vs.tables, 0);
	assert_int_equal(vs.maps, 0);
	assert_int_equal(quota_used_frames(q), 2);
	assert_int_equal(f->obj.refs, 1);
	kobj_put(&f->obj);
	vspace_destroy(&vs);
	assert_int_equal(physmem_frames_free(), free0);
	kobj_put(&q->obj);
}

// W^X holds per frame across all mappings, and across protection changes.
static void test_wx_per_frame(void **state)
{
	struct quota *q = new_quota(100);
	struct vspace a, b;
	struct uframe *f;

	(void)state;
	assert_int_equal(vspace_init(&a, q), 0);
	assert_int_equal(vspace_init(&b, q), 0);
	f = new_frame(q);
	assert_int_equal(vspace_map(&a, VA, f, RW | VM_MAYWRITE | VM_MAYEXEC, NULL), 0);
	assert_int_equal(vspace_map(&b, VA, f, RX, NULL), -EXO_EBUSY);
	assert_int_equal(vspace_map(&a, VA + PG, f, RX, NULL), -EXO_EBUSY);
	assert_int_equal(vspace_map(&b, VA, f, VM_READ | VM_MAYEXEC, NULL), 0);
	assert_int_equal(vspace_reprotect(&b, VA, RX), -EXO_EBUSY);
	assert_int_equal(f->writable, 1);
	assert_int_equal(f->runnable, 0);
	// Write, then seal: once no mapping is writable, one may execute.
	assert_int_equal(vspace_reprotect(&a, VA, VM_READ), 1);
	assert_int_equal(vspace_reprotect(&b, VA, RX), 1);
	assert_int_equal(f->runnable, 1);
	assert_int_equal(vspace_reprotect(&a, VA, RW), -EXO_EBUSY);
	assert_int_equal(vspace_protect(&a, VA, RW), -EXO_EBUSY);
	// A parked (no access) page counts as neither.
	assert_int_equal(vspace_reprotect(&b, VA, VM_NOACCESS), 1);
	assert_int_equal(f->runnable, 0);
	assert_int_equal(b.parked, 1); // copyin checks b's pages for parked ones from now on
	assert_int_equal(vspace_reprotect(&a, VA, RW), 1);
	assert_int_equal(vspace_unmap(&b, VA), 0);
	assert_int_equal(b.parked, 0);
	vspace_destroy(&a);
	vspace_destroy(&b);
	assert_int_equal(f->writable + f->runnable, 0);
	kobj_put(&f->obj);
	kobj_put(&q->obj);
}

// Deleting the capability a mapping was made with unmaps it; moving the capability keeps it.
static void test_cap_delete_unmaps(void **state)
{
	struct quota *q = new_quota(100);
	struct cspace cs;
	struct vspace vs;
	struct uframe *f;
	struct cap *c;
	cap_handle_t h, moved;

	(void)state;
	assert_int_equal(cspace_init(&cs, 16), 0);
	assert_int_equal(vspace_init(&vs, q), 0);
	f = new_frame(q);
	assert_int_equal(cap_insert(&cs, &f->obj, EXO_R_ALL, 0, &h), 0);
	kobj_put(&f->obj); // the capability holds it
	assert_int_equal(cap_lookup(&cs, h, EXO_OBJ_FRAME, 0, &c), 0);
	assert_int_equal(vspace_map(&vs, VA, f, RW, c), 0);
	assert_int_equal(vspace_map(&vs, VA + PG, f, VM_READ, NULL), 0); // not on the capability
	assert_int_equal(cap_move(&cs, h, &cs, &moved), 0);
	assert_true(mapped(&vs, VA));
	assert_int_equal(cap_delete(&cs, moved), 0);
	assert_false(mapped(&vs, VA));
	assert_true(mapped(&vs, VA + PG));
	assert_int_equal(f->obj.refs, 1); // the other mapping's
	assert_int_equal(vs.maps, 1);
	vspace_destroy(&vs);
	cspace_destroy(&cs);
	assert_int_equal(q->used, 0);
	kobj_put(&q->obj);
}

// Repro 4: revoking a frame capability reaches the mappings made with copies of it, in any
// address space, and through IPC-style grants recorded on those copies.
static void test_revoke_unmaps_derived(void **state)
{
	struct quota *q = new_quota(100);
	struct cspace owner, child;
	struct vspace vo, vc;
	struct uframe *f;
	struct cap *c, *cc;
	cap_handle_t h, hc;

	(void)state;
	assert_int_equal(cspace_init(&owner, 16), 0);
	assert_int_equal(cspace_init(&child, 16), 0);
	assert_int_equal(vspace_init(&vo, q), 0);
	assert_int_equal(vspace_init(&vc, q), 0);
	f = new_frame(q);
	assert_int_equal(cap_insert(&owner, &f->obj, EXO_R_ALL, 0, &h), 0);
	kobj_put(&f->obj);
	assert_int_equal(cap_copy(&owner, h, &child, EXO_R_READ | EXO_R_WRITE, &hc), 0);
	assert_int_equal(cap_lookup(&owner, h, 0, 0, &c), 0);
	assert_int_equal(cap_lookup(&child, hc, 0, 0, &cc), 0);
	assert_int_equal(vspace_map(&vo, VA, f, RW, c), 0);
	assert_int_equal(vspace_map(&vc, VA, f, RW, cc), 0);
	assert_int_equal(vspace_map(&vc, VA + PG, f, RW, cc), 0);
	assert_int_equal(cap_revoke(&owner, h), 0);
	assert_false(mapped(&vc, VA));
	assert_false(mapped(&vc, VA + PG));
	assert_int_equal(vc.tables, 0);
	assert_true(mapped(&vo, VA)); // the revoked capability itself stays, and so does its mapping
	assert_int_equal(f->writable, 1);
	cspace_destroy(&owner);
	assert_false(mapped(&vo, VA));
	vspace_destroy(&vo);
	vspace_destroy(&vc);
	cspace_destroy(&child);
	assert_int_equal(q->used, 0);
	kobj_put(&q->obj);
}

// Destroying a quota unmaps its frames everywhere and frees them at once, even while other
// address spaces (on other quotas) map them and capabilities still name them.
static void test_quota_destroy_returns_frames(void **state)
{
	struct quota *root = new_quota(1000), *q;
	uint64_t free0 = physmem_frames_free();
	struct cspace cs;
	struct vspace vs;
	struct uframe *f[8];
	cap_handle_t h[8];
	struct cap *c;

	(void)state;
	assert_int_equal(cspace_init(&cs, 16), 0);
	assert_int_equal(vspace_init(&vs, root), 0);
	assert_int_equal(quota_split(root, 10, &q), 0);
	assert_int_equal(quota_used_frames(root), 11);
	for (int i = 0; i < 8; i++) {
		f[i] = new_frame(q);
		assert_int_equal(cap_insert(&cs, &f[i]->obj, EXO_R_ALL, 0, &h[i]), 0);
		assert_int_equal(vspace_map(&vs, VA + i * PG, f[i], RW, NULL), 0);
		kobj_put(&f[i]->obj);
	}
	assert_int_equal(quota_used_frames(q), 8);
	assert_int_equal(uframe_alloc(q, &f[0]) == 0 && uframe_alloc(q, &f[1]) == 0, 1);
	assert_int_equal(uframe_alloc(q, &f[2]), -EXO_ENOMEM);
	kobj_put(&f[0]->obj);
	kobj_put(&f[1]->obj);
	quota_destroy(q);
	for (int i = 0; i < 8; i++)
		assert_false(mapped(&vs, VA + i * PG));
	assert_int_equal(vs.maps, 0);
	assert_int_equal(vs.tables, 0);
	assert_int_equal(quota_used_frames(root), 1); // the address space's root only
	assert_int_equal(uframe_alloc(q, &f[0]), -EXO_EBADCAP);
	assert_int_equal(cap_lookup(&cs, h[0], 0, 0, &c), -EXO_EBADCAP); // stale
	cspace_destroy(&cs);
	kobj_put(&q->obj);
	vspace_destroy(&vs);
	assert_int_equal(root->used, 0);
	assert_int_equal(physmem_frames_free(), free0);
	kobj_put(&root->obj);
}

// A chain of nested quotas is destroyed without recursion, deepest first.
static void test_quota_destroy_deep_chain(void **state)
{
	enum { DEPTH = 20000 };
	static struct quota *chain[DEPTH];
	struct quota *root = new_quota(DEPTH + 10), *q = root;
	uint64_t free0 = physmem_frames_free();
	struct uframe *f;

	(void)state;
	for (int i = 0; i < DEPTH; i++) {
		assert_int_equal(quota_split(q, DEPTH + 1 - i, &chain[i]), 0);
		q = chain[i];
	}
	f = new_frame(q);
	kobj_put(&f->obj); // nobody maps or names it: still charged
	f = new_frame(q);
	assert_int_equal(quota_used_frames(root), DEPTH + 1);
	quota_destroy(chain[0]);
	assert_int_equal(root->used, 0);
	for (int i = 0; i < DEPTH; i++) {
		assert_true(chain[i]->obj.dead);
		assert_int_equal(chain[i]->used, 0);
	}
	for (int i = DEPTH - 1; i >= 0; i--)
		kobj_put(&chain[i]->obj);
	kobj_put(&f->obj);
	assert_int_equal(physmem_frames_free(), free0);
	kobj_put(&root->obj);
}

// A frame the kernel still uses (an IPC buffer) is unmapped at once but freed only at the unpin.
static void test_pinned_frame_outlives_quota(void **state)
{
	struct quota *q = new_quota(10);
	uint64_t free0 = physmem_frames_free();
	struct uframe *f = new_frame(q);

	(void)state;
	uframe_pin(f);
	kobj_put(&f->obj);
	quota_destroy(q);
	assert_int_equal(physmem_frames_free(), free0 - 1);
	assert_int_not_equal(f->pa, 0);
	uframe_unpin(f);
	assert_int_equal(physmem_frames_free(), free0);
	kobj_put(&q->obj);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_tables_charged_and_freed, setup),
		cmocka_unit_test_setup(test_map_unmap_walk_keeps_nothing, setup),
		cmocka_unit_test_setup(test_tables_over_quota, setup),
		cmocka_unit_test_setup(test_wx_per_frame, setup),
		cmocka_unit_test_setup(test_cap_delete_unmaps, setup),
		cmocka_unit_test_setup(test_revoke_unmaps_derived, setup),
		cmocka_unit_test_setup(test_quota_destroy_returns_frames, setup),
		cmocka_unit_test_setup(test_quota_destroy_deep_chain, setup),
		cmocka_unit_test_setup(test_pinned_frame_outlives_quota, setup),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
