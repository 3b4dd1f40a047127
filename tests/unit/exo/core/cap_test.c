// SPDX-License-Identifier: MIT
// Unit tests for capability tables and the derivation tree (exo/core/cap.c), over the real heap.
// Objects are fakes whose release callback counts calls, so every test checks reference counts.
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mock_panic.h"
#include "physmem.h"
#include <kern/cap.h>
#include <kern/heap.h>

#define POOL_BASE (1 * MiB)
#define POOL_LEN  (48 * MiB)
#define DEEP      100000 // generations in the deep-chain tests

#define R_RW (EXO_R_READ | EXO_R_WRITE)

struct fake {
	struct kobj kobj;
	unsigned releases;
	struct cspace *destroy_on_release; // a "process" whose table goes with it
};

static unsigned releases_total;

// The address-space hooks of cap.c (core/vspace.c, tested in vspace_test): counted here.
static unsigned mappings_gone, mappings_moved;

void cap_mappings_gone(struct cap *c)
{
	assert_int_equal(c->obj->type, EXO_OBJ_FRAME);
	mappings_gone++;
}

void cap_mappings_moved(struct cap *from, struct cap *to)
{
	assert_int_equal(to->obj->type, EXO_OBJ_FRAME);
	assert_ptr_equal(to->obj, from->obj);
	mappings_moved++;
}

static void fake_release(struct kobj *o)
{
	struct fake *f = (struct fake *)o;

	assert_int_equal(o->refs, 0);
	f->releases++;
	releases_total++;
	if (f->destroy_on_release)
		cspace_destroy(f->destroy_on_release);
}

// A fake object with only its creator's reference (refs == 1).
static void fake_init(struct fake *f, uint16_t type)
{
	memset(f, 0, sizeof(*f));
	kobj_init(&f->kobj, type, fake_release);
}

static void heap_release(struct kobj *o)
{
	releases_total++;
	kfree(o);
}

// A heap object that frees itself on release; the caller's reference is already dropped once
// the first capability is in, so the object lives exactly as long as its capabilities.
static cap_handle_t heap_obj_insert(struct cspace *cs, uint32_t rights)
{
	struct kobj *o = kmalloc(sizeof(*o));
	cap_handle_t h;

	assert_non_null(o);
	kobj_init(o, EXO_OBJ_FRAME, heap_release);
	assert_int_equal(cap_insert(cs, o, rights, 0, &h), 0);
	kobj_put(o);
	return h;
}

static uint64_t heap_bytes(void)
{
	struct heap_stats st;

	heap_get_stats(&st);
	return st.bytes_in_use;
}

static void init(struct cspace *cs, uint32_t nslots)
{
	assert_int_equal(cspace_init(cs, nslots), 0);
}

static struct cap *get(struct cspace *cs, cap_handle_t h)
{
	struct cap *c = NULL;

	assert_int_equal(cap_lookup(cs, h, 0, 0, &c), 0);
	assert_non_null(c);
	return c;
}

static bool valid(struct cspace *cs, cap_handle_t h)
{
	struct cap *c;

	return cap_lookup(cs, h, 0, 0, &c) == 0;
}

static cap_handle_t copy(struct cspace *src, cap_handle_t h, struct cspace *dst, uint32_t rights)
{
	cap_handle_t out = 0;

	assert_int_equal(cap_copy(src, h, dst, rights, &out), 0);
	assert_int_not_equal(out, 0);
	return out;
}

// Runs fn(arg) on a thread with a 128 KiB stack: a recursion per generation of a deep chain
// would overflow it (the sanitizer reports the crash), as it would the kernel's 16 KiB stack.
// No cmocka assertions on that thread: fn only calls the code under test.
#define SMALL_STACK (128 * KiB)

struct small_call {
	void (*fn)(void *arg);
	void *arg;
};

static void *small_stack_thread(void *p)
{
	struct small_call *call = p;

	call->fn(call->arg);
	return NULL;
}

static void on_small_stack(void (*fn)(void *arg), void *arg)
{
	struct small_call call = { fn, arg };
	pthread_attr_t attr;
	pthread_t t;

	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setstacksize(&attr, SMALL_STACK), 0);
	assert_int_equal(pthread_create(&t, &attr, small_stack_thread, &call), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	pthread_attr_destroy(&attr);
}

struct op {
	struct cspace *cs;
	cap_handle_t h;
	int ret;
};

static void do_revoke(void *p)
{
	struct op *op = p;

	op->ret = cap_revoke(op->cs, op->h);
}

static void do_destroy(void *p)
{
	cspace_destroy(p);
}

// cap_revoke on a small stack.
static int revoke_small(struct cspace *cs, cap_handle_t h)
{
	struct op op = { cs, h, 1 };

	on_small_stack(do_revoke, &op);
	return op.ret;
}

static int group_setup(void **state)
{
	(void)state;
	physmem_frames_init(POOL_BASE, POOL_LEN);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	panic_reset();
	releases_total = 0;
	return 0;
}

static void test_init_args_and_memory(void **state)
{
	uint64_t b0 = heap_bytes();
	struct cspace cs;

	(void)state;
	assert_int_equal(cspace_init(&cs, 0), -EXO_EINVAL);
	assert_int_equal(cspace_init(&cs, 1), -EXO_EINVAL);
	assert_null(cs.slots);
	cspace_destroy(&cs); // a failed init leaves a table that destroy accepts
	assert_int_equal(cspace_init(&cs, UINT32_MAX), -EXO_ENOMEM);
	assert_int_equal(heap_bytes(), b0);
	init(&cs, 2);
	assert_int_equal(cs.nslots, 2);
	assert_int_equal(cs.used, 0);
	assert_true(heap_bytes() > b0);
	cspace_destroy(&cs);
	assert_null(cs.slots);
	cspace_destroy(&cs); // twice is harmless
	assert_int_equal(heap_bytes(), b0);
	assert_int_equal(panic_count, 0);
}

// Deleting (directly, by revoke, or with the table) or moving a frame capability tells the
// address-space code, which unmaps or re-points the pages mapped with it; other types do not.
static void test_frame_capabilities_reach_mappings(void **state)
{
	struct cspace cs, other;
	struct fake f, q;
	cap_handle_t h, c1, c2, hq, moved;

	(void)state;
	fake_init(&f, EXO_OBJ_FRAME);
	fake_init(&q, EXO_OBJ_QUOTA);
	init(&cs, 8);
	init(&other, 8);
	mappings_gone = mappings_moved = 0;
	assert_int_equal(cap_insert(&cs, &f.kobj, EXO_R_ALL, 0, &h), 0);
	assert_int_equal(cap_insert(&cs, &q.kobj, EXO_R_ALL, 0, &hq), 0);
	assert_int_equal(cap_copy(&cs, h, &other, EXO_R_READ, &c1), 0);
	assert_int_equal(cap_copy(&cs, h, &cs, EXO_R_READ, &c2), 0);
	assert_int_equal(cap_move(&cs, c2, &cs, &moved), 0);
	assert_int_equal(mappings_moved, 1);
	assert_int_equal(cap_revoke(&cs, h), 0); // c1 and the moved copy
	assert_int_equal(mappings_gone, 2);
	assert_int_equal(cap_delete(&cs, hq), 0);
	assert_int_equal(mappings_gone, 2);
	cspace_destroy(&cs); // h
	assert_int_equal(mappings_gone, 3);
	cspace_destroy(&other);
	assert_int_equal(f.kobj.refs, 1);
	assert_int_equal(q.kobj.refs, 1);
}

static void test_handle_encoding_and_stale_handles(void **state)
{
	struct cspace cs, other;
	struct fake f, g;
	cap_handle_t h1, h2, h3, out;

	(void)state;
	fake_init(&f, EXO_OBJ_FRAME);
	fake_init(&g, EXO_OBJ_FRAME);
	init(&cs, 8);
	init(&other, 8);
	assert_int_equal(cap_insert(&cs, &f.kobj, EXO_R_ALL, 0, &h1), 0);
	assert_int_equal(cap_insert(&cs, &f.kobj, EXO_R_ALL, 0, &h2), 0);
	assert_int_equal(h1, (1ull << 32) | 1);
	assert_int_equal(h2, (1ull << 32) | 2);
	assert_int_equal(cs.used, 2);
	assert_ptr_equal(get(&cs, h1)->owner, &cs);
	// Handles that name nothing: 0, slot 0, out of range, empty slot, wrong generation.
	assert_false(valid(&cs, 0));
	assert_false(valid(&cs, 1ull << 32));
	assert_false(valid(&cs, (1ull << 32) | 8));
	assert_false(valid(&cs, (1ull << 32) | 0xffffffffu));
	assert_false(valid(&cs, (1ull << 32) | 3));
	assert_false(valid(&cs, (2ull << 32) | 1));
	assert_false(valid(&cs, 1));
	assert_false(valid(&other, h1));

	// Delete, then the slot is reused with a new generation; the old handle stays dead.
	assert_int_equal(cap_delete(&cs, h1), 0);
	assert_int_equal(cs.used, 1);
	assert_int_equal(cap_insert(&cs, &g.kobj, EXO_R_READ, 0, &h3), 0);
	assert_int_equal(h3, (2ull << 32) | 1);
	assert_ptr_equal(get(&cs, h3)->obj, &g.kobj);
	assert_false(valid(&cs, h1));
	assert_int_equal(cap_delete(&cs, h1), -EXO_EBADCAP);
	assert_int_equal(cap_revoke(&cs, h1), -EXO_EBADCAP);
	assert_int_equal(cap_copy(&cs, h1, &cs, 0, &out), -EXO_EBADCAP);
	assert_int_equal(cap_mint(&cs, h1, 0, 7, &out), -EXO_EBADCAP);
	assert_int_equal(cap_move(&cs, h1, &cs, &out), -EXO_EBADCAP);
	assert_true(valid(&cs, h3));
	assert_true(valid(&cs, h2));
	assert_int_equal(g.kobj.refs, 2);

	cspace_destroy(&cs);
	cspace_destroy(&other);
	assert_int_equal(f.kobj.refs, 1);
	assert_int_equal(g.kobj.refs, 1);
	assert_int_equal(releases_total, 0);
}

// A generation wraps from UINT32_MAX to 1, never to 0.
static void test_generation_wraps_past_zero(void **state)
{
	struct cspace cs;
	struct fake f;
	cap_handle_t h;

	(void)state;
	fake_init(&f, EXO_OBJ_FRAME);
	init(&cs, 2);
	cs.slots[1].gen = UINT32_MAX;
	assert_int_equal(cap_insert(&cs, &f.kobj, 0, 0, &h), 0);
	assert_int_equal(h, ((uint64_t)UINT32_MAX << 32) | 1);
	assert_int_equal(cap_delete(&cs, h), 0);
	assert_int_equal(cap_insert(&cs, &f.kobj, 0, 0, &h), 0);
	assert_int_equal(h, (1ull << 32) | 1);
	cspace_destroy(&cs);
	assert_int_equal(f.kobj.refs, 1);
}

static void test_full_table(void **state)
{
	struct cspace cs, other;
	struct fake f;
	cap_handle_t h[4], x, out;

	(void)state;
	fake_init(&f, EXO_OBJ_FRAME);
	init(&cs, 5);
	init(&other, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(cap_insert(&cs, &f.kobj, EXO_R_ALL, 0, &h[i]), 0);
	assert_int_equal(cs.used, 4);
	assert_int_equal(f.kobj.refs, 5);
	assert_int_equal(cap_insert(&cs, &f.kobj, EXO_R_ALL, 0, &out), -EXO_ENOSPC);
	assert_int_equal(cap_copy(&cs, h[0], &cs, EXO_R_READ, &out), -EXO_ENOSPC);
	assert_int_equal(cap_mint(&cs, h[0], EXO_R_READ, 9, &out), -EXO_ENOSPC);
	assert_int_equal(cap_move(&cs, h[0], &cs, &out), -EXO_ENOSPC);
	assert_int_equal(f.kobj.refs, 5);
	assert_int_equal(cs.used, 4);

	// Fill the other table by moving caps out; a move into a full table fails cleanly.
	for (int i = 0; i < 3; i++)
		assert_int_equal(cap_move(&cs, h[i], &other, &out), 0);
	assert_int_equal(other.used, 3);
	assert_int_equal(cap_move(&cs, h[3], &other, &x), -EXO_ENOSPC);
	assert_true(valid(&cs, h[3]));
	assert_int_equal(cs.used, 1);

	// Freed slots are found again.
	for (int i = 0; i < 3; i++)
		assert_int_equal(cap_insert(&cs, &f.kobj, EXO_R_ALL, 0, &h[i]), 0);
	assert_int_equal(cap_insert(&cs, &f.kobj, EXO_R_ALL, 0, &out), -EXO_ENOSPC);
	assert_int_equal(f.kobj.refs, 8);
	cspace_destroy(&cs);
	cspace_destroy(&other);
	assert_int_equal(f.kobj.refs, 1);
	assert_int_equal(releases_total, 0);
}

// Many inserts and deletes in a big table stay fast (the free slot is found in O(1)).
static void test_free_slots_constant_time(void **state)
{
	struct cspace cs;
	struct fake f;
	cap_handle_t h, keep;

	(void)state;
	fake_init(&f, EXO_OBJ_FRAME);
	init(&cs, DEEP + 1);
	for (uint32_t i = 0; i < DEEP - 1; i++)
		assert_int_equal(cap_insert(&cs, &f.kobj, 0, 0, &keep), 0);
	for (uint32_t i = 0; i < DEEP; i++) {
		assert_int_equal(cap_insert(&cs, &f.kobj, 0, 0, &h), 0);
		assert_int_equal(cap_delete(&cs, h), 0);
	}
	assert_int_equal(cs.used, DEEP - 1);
	assert_int_equal(f.kobj.refs, DEEP);
	cspace_destroy(&cs);
	assert_int_equal(f.kobj.refs, 1);
}

static void test_insert_rights(void **state)
{
	struct cspace cs;
	struct fake f;
	cap_handle_t h;
	struct cap *c;

	(void)state;
	fake_init(&f, EXO_OBJ_QUOTA);
	init(&cs, 4);
	assert_int_equal(cap_insert(&cs, &f.kobj, EXO_R_ALL + 1, 0, &h), -EXO_EINVAL);
	assert_int_equal(cap_insert(&cs, &f.kobj, 0x80000000u, 0, &h), -EXO_EINVAL);
	assert_int_equal(cs.used, 0);
	assert_int_equal(f.kobj.refs, 1);
	assert_int_equal(cap_insert(&cs, &f.kobj, EXO_R_READ, 42, &h), 0);
	c = get(&cs, h);
	assert_ptr_equal(c->obj, &f.kobj);
	assert_int_equal(c->rights, EXO_R_READ);
	assert_int_equal(c->badge, 42);
	assert_null(c->parent);
	assert_true(list_empty(&c->children));
	assert_int_equal(f.kobj.refs, 2);
	cspace_destroy(&cs);
	assert_int_equal(f.kobj.refs, 1);
}

static void test_insert_null_object_asserts(void **state)
{
	struct cspace cs;
	cap_handle_t h;

	(void)state;
	init(&cs, 4);
	expect_assert_failure(cap_insert(&cs, NULL, 0, 0, &h));
	assert_true(panic_message_contains("assertion"));
	cspace_destroy(&cs);
}

static void test_lookup_type_and_rights(void **state)
{
	struct cspace cs;
	struct fake f;
	cap_handle_t h;
	struct cap *c = NULL;

	(void)state;
	fake_init(&f, EXO_OBJ_THREAD);
	init(&cs, 4);
	assert_int_equal(cap_insert(&cs, &f.kobj, R_RW, 0, &h), 0);
	assert_int_equal(cap_lookup(&cs, h, EXO_OBJ_THREAD, R_RW, &c), 0);
	assert_ptr_equal(c, &cs.slots[1]);
	assert_int_equal(cap_lookup(&cs, h, 0, EXO_R_READ, &c), 0);
	assert_int_equal(cap_lookup(&cs, h, 0, 0, &c), 0);
	assert_int_equal(cap_lookup(&cs, h, EXO_OBJ_PROCESS, 0, &c), -EXO_ETYPE);
	// The type is checked before the rights.
	assert_int_equal(cap_lookup(&cs, h, EXO_OBJ_PROCESS, EXO_R_CONTROL, &c), -EXO_ETYPE);
	assert_int_equal(cap_lookup(&cs, h, EXO_OBJ_THREAD, EXO_R_CONTROL, &c), -EXO_EPERM);
	assert_int_equal(cap_lookup(&cs, h, 0, R_RW | EXO_R_EXEC, &c), -EXO_EPERM);
	assert_int_equal(cap_lookup(&cs, h + 1, EXO_OBJ_THREAD, 0, &c), -EXO_EBADCAP);
	cspace_destroy(&cs);
	assert_int_equal(f.kobj.refs, 1);
}

static void test_copy_rights_shrink(void **state)
{
	struct cspace cs;
	struct fake f;
	cap_handle_t a, b, c, out;

	(void)state;
	fake_init(&f, EXO_OBJ_FRAME);
	init(&cs, 8);
	assert_int_equal(cap_insert(&cs, &f.kobj, R_RW, 5, &a), 0);
	b = copy(&cs, a, &cs, EXO_R_READ);
	assert_int_equal(get(&cs, b)->rights, EXO_R_READ);
	assert_int_equal(get(&cs, b)->badge, 5); // copy keeps the badge
	assert_ptr_equal(get(&cs, b)->parent, get(&cs, a));
	assert_ptr_equal(list_first_entry(&get(&cs, a)->children, struct cap, sibling), get(&cs, b));
	assert_int_equal(cap_copy(&cs, a, &cs, R_RW | EXO_R_EXEC, &out), -EXO_EPERM);
	assert_int_equal(cap_copy(&cs, b, &cs, R_RW, &out), -EXO_EPERM); // no regaining WRITE
	assert_int_equal(cap_copy(&cs, a, &cs, EXO_R_ALL + 1, &out), -EXO_EPERM);
	c = copy(&cs, b, &cs, 0);
	assert_int_equal(get(&cs, c)->rights, 0);
	assert_int_equal(cap_copy(&cs, c, &cs, EXO_R_READ, &out), -EXO_EPERM);
	assert_int_equal(f.kobj.refs, 4);
	assert_int_equal(cs.used, 3);
	cspace_destroy(&cs);
	assert_int_equal(f.kobj.refs, 1);
}

static void test_grant_needed_across_tables(void **state)
{
	struct cspace t1, t2;
	struct fake f;
	cap_handle_t plain, granting, out, moved;

	(void)state;
	fake_init(&f, EXO_OBJ_FRAME);
	init(&t1, 8);
	init(&t2, 8);
	assert_int_equal(cap_insert(&t1, &f.kobj, R_RW, 0, &plain), 0);
	assert_int_equal(cap_insert(&t1, &f.kobj, R_RW | EXO_R_GRANT, 0, &granting), 0);
	assert_int_equal(cap_copy(&t1, plain, &t2, EXO_R_READ, &out), -EXO_EPERM);
	assert_int_equal(cap_move(&t1, plain, &t2, &out), -EXO_EPERM);
	assert_int_equal(t2.used, 0);
	assert_true(valid(&t1, plain));
	copy(&t1, plain, &t1, EXO_R_READ); // within one table no GRANT is needed
	assert_int_equal(cap_move(&t1, plain, &t1, &moved), 0);
	assert_false(valid(&t1, plain));

	out = copy(&t1, granting, &t2, EXO_R_READ);
	assert_ptr_equal(get(&t2, out)->owner, &t2);
	assert_ptr_equal(get(&t2, out)->parent, get(&t1, granting));
	// The copy lacks GRANT itself, so it cannot travel on.
	assert_int_equal(cap_copy(&t2, out, &t1, EXO_R_READ, &moved), -EXO_EPERM);
	out = copy(&t1, granting, &t2, EXO_R_READ | EXO_R_GRANT);
	assert_int_equal(cap_move(&t1, granting, &t2, &moved), 0);
	assert_true(valid(&t2, moved));
	assert_int_equal(f.kobj.refs, 6);
	cspace_destroy(&t1);
	cspace_destroy(&t2);
	assert_int_equal(f.kobj.refs, 1);
}

// A run of capabilities into consecutive slots; slots freed before (other generations) are moved
// to one generation so that the handles are consecutive, and the stale handles stay stale.
static void test_copy_range_consecutive_handles(void **state)
{
	struct cspace src, dst;
	struct fake f;
	cap_handle_t a[3], out, first, stale[3];

	(void)state;
	fake_init(&f, EXO_OBJ_FRAME);
	init(&src, 8);
	init(&dst, 8);
	for (int i = 0; i < 3; i++)
		assert_int_equal(cap_insert(&src, &f.kobj, R_RW | EXO_R_GRANT, 0, &a[i]), 0);
	assert_int_equal(a[1], a[0] + 1); // a fresh table: consecutive
	// Slots 1..3 of dst with generations 2, 3, 2.
	for (int i = 0; i < 3; i++)
		stale[i] = copy(&src, a[0], &dst, EXO_R_READ);
	assert_int_equal(cap_delete(&dst, stale[1]), 0);
	stale[1] = copy(&src, a[0], &dst, EXO_R_READ); // slot 2 again, generation 2
	for (int i = 0; i < 3; i++)
		assert_int_equal(cap_delete(&dst, stale[i]), 0);
	assert_int_equal(cap_copy_range(&src, a[0], 3, &dst, EXO_R_READ, &first), 0);
	for (int i = 0; i < 3; i++) {
		assert_true(valid(&dst, first + (cap_handle_t)i));
		assert_ptr_equal(get(&dst, first + (cap_handle_t)i)->parent, get(&src, a[i]));
		assert_false(valid(&dst, stale[i]));
	}
	// Errors: rights beyond, a hole in the run, no run of free slots long enough.
	assert_int_equal(cap_copy_range(&src, a[0], 3, &dst, R_RW | EXO_R_EXEC, &out), -EXO_EPERM);
	assert_int_equal(cap_delete(&src, a[1]), 0);
	assert_int_equal(cap_copy_range(&src, a[0], 3, &dst, EXO_R_READ, &out), -EXO_EBADCAP);
	assert_int_equal(cap_copy_range(&src, a[2], 1, &dst, EXO_R_READ, &out), 0);
	assert_int_equal(cap_copy_range(&src, a[2], 1, &dst, EXO_R_READ, &out), 0);
	assert_int_equal(cap_copy_range(&src, a[2], 1, &dst, EXO_R_READ, &out), 0);
	assert_int_equal(cap_copy_range(&src, a[2], 1, &dst, EXO_R_READ, &out), 0); // 7 used of 7
	assert_int_equal(cap_copy_range(&src, a[2], 1, &dst, EXO_R_READ, &out), -EXO_ENOSPC);
	cspace_destroy(&dst);
	cspace_destroy(&src);
	assert_int_equal(f.kobj.refs, 1);
}

static void test_mint_badges(void **state)
{
	struct cspace cs, other;
	struct fake f;
	cap_handle_t root, m, c, out;

	(void)state;
	fake_init(&f, EXO_OBJ_THREAD);
	init(&cs, 8);
	init(&other, 8);
	assert_int_equal(cap_insert(&cs, &f.kobj, EXO_R_ALL, 0, &root), 0);
	assert_int_equal(cap_mint(&cs, root, EXO_R_READ, 0, &out), -EXO_EINVAL);
	assert_int_equal(cap_mint(&cs, root, EXO_R_ALL + 1, 3, &out), -EXO_EPERM);
	assert_int_equal(cap_mint(&cs, root, EXO_R_READ | EXO_R_GRANT, 0xfeedull << 40, &m), 0);
	assert_int_equal(get(&cs, m)->badge, 0xfeedull << 40);
	assert_int_equal(get(&cs, m)->rights, EXO_R_READ | EXO_R_GRANT);
	assert_ptr_equal(get(&cs, m)->parent, get(&cs, root));
	assert_int_equal(cap_mint(&cs, m, EXO_R_READ, 4, &out), -EXO_EPERM); // badged source
	assert_int_equal(cap_mint(&cs, m, EXO_R_READ, 0, &out), -EXO_EINVAL);
	c = copy(&cs, m, &other, EXO_R_READ); // a copy keeps the badge, across tables too
	assert_int_equal(get(&other, c)->badge, 0xfeedull << 40);
	assert_int_equal(cap_mint(&other, c, EXO_R_READ, 4, &out), -EXO_EPERM);
	assert_int_equal(f.kobj.refs, 4);
	// A minted capability is a child: revoking the source removes it and its copies.
	assert_int_equal(cap_revoke(&cs, root), 0);
	assert_false(valid(&cs, m));
	assert_false(valid(&other, c));
	assert_int_equal(f.kobj.refs, 2);
	cspace_destroy(&cs);
	cspace_destroy(&other);
	assert_int_equal(f.kobj.refs, 1);
}

// Checks the sibling and parent links around c.
static void assert_tree_links(struct cap *c)
{
	struct cap *child, *sib;
	bool found = false;

	assert_true(list_node_linked(&c->sibling) == (c->parent != NULL));
	if (c->parent) {
		assert_ptr_equal(c->sibling.next->prev, &c->sibling);
		assert_ptr_equal(c->sibling.prev->next, &c->sibling);
		list_for_each(&c->parent->children, sib, sibling)
			found |= sib == c;
		assert_true(found);
	}
	list_for_each(&c->children, child, sibling)
		assert_ptr_equal(child->parent, c);
}

// A parent with three children; the middle child (with children of its own) moves within one
// table: its old handle is stale and the tree around it is intact.
static void test_move_within_table(void **state)
{
	struct cspace cs;
	struct fake f;
	cap_handle_t p, x, y, z, yc1, yc2, y2, out;
	struct cap *c;

	(void)state;
	fake_init(&f, EXO_OBJ_FRAME);
	init(&cs, 16);
	assert_int_equal(cap_insert(&cs, &f.kobj, EXO_R_ALL, 0, &p), 0);
	z = copy(&cs, p, &cs, EXO_R_READ);
	y = copy(&cs, p, &cs, R_RW);
	x = copy(&cs, p, &cs, EXO_R_READ);
	yc1 = copy(&cs, y, &cs, EXO_R_READ);
	yc2 = copy(&cs, y, &cs, EXO_R_WRITE);
	assert_int_equal(f.kobj.refs, 7);
	assert_int_equal(cap_move(&cs, y, &cs, &y2), 0);
	assert_int_not_equal(y2, y);
	assert_false(valid(&cs, y));
	assert_int_equal(cap_copy(&cs, y, &cs, 0, &out), -EXO_EBADCAP);
	assert_int_equal(f.kobj.refs, 7); // a move takes no reference
	assert_int_equal(cs.used, 6);
	c = get(&cs, y2);
	assert_int_equal(c->rights, R_RW);
	assert_ptr_equal(c->parent, get(&cs, p));
	assert_ptr_equal(list_entry(c->sibling.prev, struct cap, sibling), get(&cs, x));
	assert_ptr_equal(list_entry(c->sibling.next, struct cap, sibling), get(&cs, z));
	assert_tree_links(c);
	assert_ptr_equal(get(&cs, yc1)->parent, c);
	assert_ptr_equal(get(&cs, yc2)->parent, c);

	// The moved capability keeps its children...
	assert_int_equal(cap_revoke(&cs, y2), 0);
	assert_false(valid(&cs, yc1));
	assert_false(valid(&cs, yc2));
	copy(&cs, y2, &cs, EXO_R_READ);
	// ...and its parent still reaches it.
	assert_int_equal(cap_revoke(&cs, p), 0);
	assert_false(valid(&cs, y2));
	assert_false(valid(&cs, x));
	assert_false(valid(&cs, z));
	assert_int_equal(cs.used, 1);
	assert_int_equal(f.kobj.refs, 2);
	assert_int_equal(cap_delete(&cs, p), 0);
	assert_int_equal(f.kobj.refs, 1);
	assert_int_equal(f.releases, 0);
	cspace_destroy(&cs);
}

// The first child (head of its parent's list) moves to another table, and back.
static void test_move_across_tables(void **state)
{
	struct cspace t1, t2, t3;
	struct fake f;
	cap_handle_t a, b, b2, b3, c, sib;

	(void)state;
	fake_init(&f, EXO_OBJ_FRAME);
	init(&t1, 8);
	init(&t2, 8);
	init(&t3, 8);
	assert_int_equal(cap_insert(&t1, &f.kobj, EXO_R_ALL, 0, &a), 0);
	sib = copy(&t1, a, &t1, EXO_R_READ);
	b = copy(&t1, a, &t1, EXO_R_READ | EXO_R_GRANT);
	c = copy(&t1, b, &t2, EXO_R_READ);
	assert_int_equal(cap_move(&t1, b, &t3, &b3), 0);
	assert_false(valid(&t1, b));
	assert_int_equal(t1.used, 2);
	assert_int_equal(t3.used, 1);
	assert_ptr_equal(get(&t3, b3)->owner, &t3);
	assert_ptr_equal(list_first_entry(&get(&t1, a)->children, struct cap, sibling), get(&t3, b3));
	assert_ptr_equal(get(&t2, c)->parent, get(&t3, b3));
	assert_tree_links(get(&t3, b3));
	assert_tree_links(get(&t1, sib));
	assert_int_equal(cap_move(&t3, b3, &t1, &b2), 0);
	assert_false(valid(&t3, b3));
	assert_int_equal(t3.used, 0);
	assert_tree_links(get(&t1, b2));
	assert_int_equal(f.kobj.refs, 5);

	// Revoking the root reaches the moved capability and its child in another table.
	assert_int_equal(cap_revoke(&t1, a), 0);
	assert_false(valid(&t1, b2));
	assert_false(valid(&t2, c));
	assert_false(valid(&t1, sib));
	assert_true(list_empty(&get(&t1, a)->children));
	assert_int_equal(f.kobj.refs, 2);
	cspace_destroy(&t1);
	cspace_destroy(&t2);
	cspace_destroy(&t3);
	assert_int_equal(f.kobj.refs, 1);
	assert_int_equal(f.releases, 0);
}

// Deleting a capability hoists its children to its parent, or makes them roots.
static void test_delete_reparents_children(void **state)
{
	struct cspace t1, t2;
	struct fake f;
	cap_handle_t g, p, c1, c2, gc, q, r1, r2;

	(void)state;
	fake_init(&f, EXO_OBJ_FRAME);
	init(&t1, 16);
	init(&t2, 16);
	assert_int_equal(cap_insert(&t1, &f.kobj, EXO_R_ALL, 0, &g), 0);
	p = copy(&t1, g, &t2, EXO_R_ALL);
	c1 = copy(&t2, p, &t1, EXO_R_READ);
	c2 = copy(&t2, p, &t2, R_RW);
	gc = copy(&t2, c2, &t2, EXO_R_WRITE);
	assert_int_equal(cap_delete(&t2, p), 0);
	assert_false(valid(&t2, p));
	assert_ptr_equal(get(&t1, c1)->parent, get(&t1, g));
	assert_ptr_equal(get(&t2, c2)->parent, get(&t1, g));
	assert_ptr_equal(get(&t2, gc)->parent, get(&t2, c2));
	assert_tree_links(get(&t1, g));
	assert_int_equal(f.kobj.refs, 5);
	assert_int_equal(cap_revoke(&t1, g), 0);
	assert_false(valid(&t1, c1));
	assert_false(valid(&t2, c2));
	assert_false(valid(&t2, gc));
	assert_int_equal(t2.used, 0);
	assert_int_equal(f.kobj.refs, 2);

	// Without a parent the children become independent roots.
	q = copy(&t1, g, &t1, EXO_R_ALL);
	r1 = copy(&t1, q, &t1, EXO_R_READ);
	r2 = copy(&t1, q, &t1, EXO_R_READ);
	copy(&t1, r2, &t1, EXO_R_READ);
	assert_int_equal(cap_delete(&t1, g), 0);
	assert_int_equal(cap_delete(&t1, q), 0);
	assert_null(get(&t1, r1)->parent);
	assert_false(list_node_linked(&get(&t1, r1)->sibling));
	assert_null(get(&t1, r2)->parent);
	assert_int_equal(cap_revoke(&t1, r1), 0);
	assert_true(valid(&t1, r2));
	assert_int_equal(t1.used, 3);
	assert_int_equal(cap_revoke(&t1, r2), 0);
	assert_int_equal(t1.used, 2);
	assert_int_equal(f.releases, 0);
	cspace_destroy(&t1);
	cspace_destroy(&t2);
	assert_int_equal(f.kobj.refs, 1);
	assert_int_equal(f.releases, 0);
}

// A tree spread over three tables: revoke removes every descendant everywhere, keeps the root
// and leaves unrelated capabilities alone.
static void test_revoke_across_three_tables(void **state)
{
	struct cspace t[3];
	struct fake f, other;
	cap_handle_t root, h[3][4], unrelated, sibling_root;

	(void)state;
	fake_init(&f, EXO_OBJ_FRAME);
	fake_init(&other, EXO_OBJ_FRAME);
	for (int i = 0; i < 3; i++)
		init(&t[i], 32);
	assert_int_equal(cap_insert(&t[0], &f.kobj, EXO_R_ALL, 0, &root), 0);
	assert_int_equal(cap_insert(&t[0], &f.kobj, EXO_R_ALL, 0, &sibling_root), 0);
	assert_int_equal(cap_insert(&t[1], &other.kobj, EXO_R_ALL, 0, &unrelated), 0);
	for (int i = 0; i < 3; i++) {
		h[i][0] = copy(&t[0], root, &t[i], EXO_R_ALL);
		h[i][1] = copy(&t[i], h[i][0], &t[(i + 1) % 3], EXO_R_ALL);
		h[i][2] = copy(&t[(i + 1) % 3], h[i][1], &t[(i + 2) % 3], EXO_R_READ | EXO_R_GRANT);
		h[i][3] = copy(&t[(i + 2) % 3], h[i][2], &t[i], EXO_R_READ);
	}
	copy(&t[0], sibling_root, &t[2], EXO_R_READ);
	assert_int_equal(f.kobj.refs, 3 + 12 + 1);
	assert_int_equal(cap_revoke(&t[0], root), 0);
	for (int i = 0; i < 3; i++) {
		assert_false(valid(&t[i], h[i][0]));
		assert_false(valid(&t[(i + 1) % 3], h[i][1]));
		assert_false(valid(&t[(i + 2) % 3], h[i][2]));
		assert_false(valid(&t[i], h[i][3]));
	}
	assert_true(valid(&t[0], root));
	assert_true(list_empty(&get(&t[0], root)->children));
	assert_true(valid(&t[1], unrelated));
	assert_int_equal(t[0].used, 2);
	assert_int_equal(t[1].used, 1);
	assert_int_equal(t[2].used, 1);
	assert_int_equal(f.kobj.refs, 4);
	assert_int_equal(cap_revoke(&t[0], root), 0); // nothing left to revoke
	assert_int_equal(f.kobj.refs, 4);
	for (int i = 0; i < 3; i++)
		cspace_destroy(&t[i]);
	assert_int_equal(f.kobj.refs, 1);
	assert_int_equal(other.kobj.refs, 1);
	assert_int_equal(releases_total, 0);
}

// 100,000 generations of copies: revoke and delete must not recurse on the kernel stack.
static void test_revoke_deep_chain(void **state)
{
	struct cspace cs;
	struct fake f;
	cap_handle_t root, mid = 0, h;

	(void)state;
	fake_init(&f, EXO_OBJ_FRAME);
	init(&cs, DEEP + 2);
	assert_int_equal(cap_insert(&cs, &f.kobj, EXO_R_ALL, 0, &root), 0);
	kobj_put(&f.kobj); // the capabilities now own the object
	h = root;
	for (int i = 0; i < DEEP; i++) {
		h = copy(&cs, h, &cs, EXO_R_ALL);
		if (i == DEEP / 2)
			mid = h;
	}
	assert_int_equal(f.kobj.refs, DEEP + 1);
	// Revoke from the middle, then from the root.
	assert_int_equal(revoke_small(&cs, mid), 0);
	assert_false(valid(&cs, h));
	assert_int_equal(cs.used, DEEP / 2 + 2);
	assert_int_equal(revoke_small(&cs, root), 0);
	assert_false(valid(&cs, mid));
	assert_int_equal(cs.used, 1);
	assert_int_equal(f.kobj.refs, 1);
	assert_int_equal(f.releases, 0);
	assert_int_equal(cap_delete(&cs, root), 0);
	assert_int_equal(f.releases, 1);
	assert_int_equal(f.kobj.refs, 0);
	cspace_destroy(&cs);
	assert_int_equal(f.releases, 1);
}

// A deep chain crossing three tables, revoked from a capability in the middle table.
static void test_revoke_deep_chain_across_tables(void **state)
{
	struct cspace t[3];
	struct fake f;
	cap_handle_t root, h;

	(void)state;
	fake_init(&f, EXO_OBJ_FRAME);
	for (int i = 0; i < 3; i++)
		init(&t[i], DEEP / 3 + 2);
	assert_int_equal(cap_insert(&t[1], &f.kobj, EXO_R_ALL, 0, &root), 0);
	kobj_put(&f.kobj);
	h = root;
	for (int i = 0; i < DEEP / 3 * 3; i++)
		h = copy(&t[(i + 1) % 3], h, &t[(i + 2) % 3], EXO_R_ALL);
	assert_int_equal(f.kobj.refs, DEEP / 3 * 3 + 1);
	assert_int_equal(revoke_small(&t[1], root), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(t[i].used, i == 1);
	assert_int_equal(f.kobj.refs, 1);
	for (int i = 0; i < 3; i++)
		cspace_destroy(&t[i]);
	assert_int_equal(f.releases, 1);
}

// Deleting the links of a deep chain one by one, top-down and bottom-up, and a wide tree.
static void test_delete_deep_and_wide(void **state)
{
	struct cspace cs;
	struct fake f;
	static cap_handle_t h[DEEP];
	cap_handle_t root;

	(void)state;
	fake_init(&f, EXO_OBJ_FRAME);
	init(&cs, DEEP + 1);
	assert_int_equal(cap_insert(&cs, &f.kobj, EXO_R_ALL, 0, &h[0]), 0);
	for (int i = 1; i < DEEP; i++)
		h[i] = copy(&cs, h[i - 1], &cs, EXO_R_ALL);
	for (int i = 0; i < DEEP; i += 2)
		assert_int_equal(cap_delete(&cs, h[i]), 0);
	for (int i = DEEP - 1; i > 0; i -= 2)
		assert_int_equal(cap_delete(&cs, h[i]), 0);
	assert_int_equal(cs.used, 0);
	assert_int_equal(f.kobj.refs, 1);

	assert_int_equal(cap_insert(&cs, &f.kobj, EXO_R_ALL, 0, &root), 0);
	for (int i = 0; i < DEEP - 1; i++)
		h[i] = copy(&cs, root, &cs, EXO_R_READ);
	assert_int_equal(revoke_small(&cs, root), 0);
	assert_int_equal(cs.used, 1);
	cspace_destroy(&cs);
	assert_int_equal(f.kobj.refs, 1);
	assert_int_equal(f.releases, 0);
}

// Capabilities to a dead object: unusable, but they can still be deleted and revoked.
static void test_dead_objects(void **state)
{
	struct cspace t1, t2;
	struct fake f;
	cap_handle_t a, b, c, d, out;
	struct cap *cap;

	(void)state;
	fake_init(&f, EXO_OBJ_THREAD);
	init(&t1, 8);
	init(&t2, 8);
	assert_int_equal(cap_insert(&t1, &f.kobj, EXO_R_ALL, 0, &a), 0);
	b = copy(&t1, a, &t2, EXO_R_ALL);
	c = copy(&t2, b, &t2, EXO_R_READ);
	d = copy(&t1, a, &t1, EXO_R_READ);
	kobj_put(&f.kobj);
	f.kobj.dead = 1;
	assert_int_equal(cap_lookup(&t1, a, 0, 0, &cap), -EXO_EBADCAP);
	assert_int_equal(cap_lookup(&t1, a, EXO_OBJ_PROCESS, EXO_R_ALL, &cap), -EXO_EBADCAP);
	assert_int_equal(cap_copy(&t1, a, &t1, 0, &out), -EXO_EBADCAP);
	assert_int_equal(cap_mint(&t1, a, 0, 1, &out), -EXO_EBADCAP);
	assert_int_equal(cap_move(&t1, a, &t1, &out), -EXO_EBADCAP);
	assert_int_equal(cap_move(&t2, b, &t1, &out), -EXO_EBADCAP);
	assert_int_equal(t1.used, 2);
	assert_int_equal(f.kobj.refs, 4);
	assert_int_equal(cap_delete(&t2, b), 0);
	assert_int_equal(cap_delete(&t2, b), -EXO_EBADCAP);
	assert_int_equal(cap_revoke(&t1, a), 0); // reaches c, hoisted to a, and d
	assert_int_equal(cap_delete(&t2, c), -EXO_EBADCAP);
	assert_int_equal(cap_delete(&t1, d), -EXO_EBADCAP);
	assert_int_equal(t2.used, 0);
	assert_int_equal(f.kobj.refs, 1);
	assert_int_equal(f.releases, 0);
	assert_int_equal(cap_delete(&t1, a), 0);
	assert_int_equal(f.releases, 1);
	cspace_destroy(&t1);
	cspace_destroy(&t2);
	assert_int_equal(f.releases, 1);
}

// The release callback runs exactly once, when the last capability goes, whatever the path.
static void test_refcounts_exact(void **state)
{
	struct cspace t1, t2;
	struct fake f;
	cap_handle_t a, b, c, m, moved;

	(void)state;
	fake_init(&f, EXO_OBJ_FRAME);
	init(&t1, 8);
	init(&t2, 8);
	assert_int_equal(cap_insert(&t1, &f.kobj, EXO_R_ALL, 0, &a), 0);
	assert_int_equal(f.kobj.refs, 2);
	kobj_put(&f.kobj); // the creator lets go
	assert_int_equal(f.releases, 0);
	b = copy(&t1, a, &t2, EXO_R_ALL);
	c = copy(&t2, b, &t2, EXO_R_READ);
	assert_int_equal(cap_mint(&t2, b, EXO_R_READ, 77, &m), 0);
	assert_int_equal(f.kobj.refs, 4);
	assert_int_equal(cap_move(&t2, b, &t1, &moved), 0);
	assert_int_equal(f.kobj.refs, 4);
	assert_int_equal(cap_delete(&t1, a), 0); // the root goes first
	assert_int_equal(f.kobj.refs, 3);
	assert_int_equal(cap_revoke(&t1, moved), 0);
	assert_int_equal(f.kobj.refs, 1);
	assert_false(valid(&t2, c));
	assert_false(valid(&t2, m));
	assert_int_equal(f.releases, 0);
	assert_int_equal(cap_delete(&t1, moved), 0);
	assert_int_equal(f.releases, 1);
	assert_int_equal(f.kobj.refs, 0);
	assert_int_equal(t1.used + t2.used, 0);
	cspace_destroy(&t1);
	cspace_destroy(&t2);
	assert_int_equal(f.releases, 1);
}

// Destroying a table releases what only it held, frees all its memory and re-parents
// capabilities in other tables to their nearest ancestor outside it.
static void test_cspace_destroy(void **state)
{
	uint64_t b0 = heap_bytes();
	struct cspace t1, t2;
	struct fake f;
	cap_handle_t g, p, q, c, orphan, x;

	(void)state;
	fake_init(&f, EXO_OBJ_FRAME);
	init(&t1, 64);
	init(&t2, 64);
	for (int i = 0; i < 40; i++)
		x = heap_obj_insert(&t2, EXO_R_ALL);
	copy(&t2, x, &t2, EXO_R_READ);
	assert_int_equal(cap_insert(&t1, &f.kobj, EXO_R_ALL, 0, &g), 0);
	p = copy(&t1, g, &t2, EXO_R_ALL);
	q = copy(&t2, p, &t2, EXO_R_ALL);
	c = copy(&t2, q, &t1, EXO_R_READ);
	copy(&t2, q, &t1, EXO_R_READ);
	assert_int_equal(cap_insert(&t2, &f.kobj, EXO_R_ALL, 0, &orphan), 0);
	orphan = copy(&t2, orphan, &t1, EXO_R_READ);
	assert_int_equal(f.kobj.refs, 8);
	assert_int_equal(releases_total, 0);

	cspace_destroy(&t2);
	assert_int_equal(releases_total, 40);
	assert_int_equal(f.kobj.refs, 5);
	assert_ptr_equal(get(&t1, c)->parent, get(&t1, g));
	assert_null(get(&t1, orphan)->parent);
	assert_tree_links(get(&t1, g));
	assert_int_equal(cap_revoke(&t1, g), 0);
	assert_false(valid(&t1, c));
	assert_true(valid(&t1, orphan));
	assert_int_equal(t1.used, 2);
	cspace_destroy(&t1);
	assert_int_equal(f.kobj.refs, 1);
	assert_int_equal(f.releases, 0);
	assert_int_equal(heap_bytes(), b0);
}

// The worst case for deleting one capability at a time: a long chain in the doomed table laid
// out deepest-first, with many children in another table under its deepest link. Destruction
// must hoist each of them once, straight to the chain's outside root.
static void test_cspace_destroy_chain_is_linear(void **state)
{
	enum { N = 30000 };
	struct cspace out, doomed, kids;
	struct fake f;
	static cap_handle_t tmp[N];
	cap_handle_t root, h;
	clock_t t0;

	(void)state;
	fake_init(&f, EXO_OBJ_FRAME);
	init(&out, 2);
	init(&doomed, N + 1);
	init(&kids, N + 1);
	// Empty the slots lowest first: the LIFO free list then hands out the highest index first.
	for (int i = 0; i < N; i++)
		assert_int_equal(cap_insert(&doomed, &f.kobj, 0, 0, &tmp[i]), 0);
	for (int i = 0; i < N; i++)
		assert_int_equal(cap_delete(&doomed, tmp[i]), 0);
	assert_int_equal(cap_insert(&out, &f.kobj, EXO_R_ALL, 0, &root), 0);
	h = copy(&out, root, &doomed, EXO_R_ALL);
	for (int i = 1; i < N; i++)
		h = copy(&doomed, h, &doomed, EXO_R_ALL);
	assert_int_equal((uint32_t)h, 1); // the deepest link sits in slot 1
	for (int i = 0; i < N; i++)
		tmp[i] = copy(&doomed, h, &kids, EXO_R_READ);
	t0 = clock();
	on_small_stack(do_destroy, &doomed);
	// Linear: milliseconds. Deleting one capability at a time takes seconds here (N * N hoists).
	assert_true(clock() - t0 < CLOCKS_PER_SEC);
	assert_int_equal(f.kobj.refs, N + 2);
	for (int i = 0; i < N; i += 997)
		assert_ptr_equal(get(&kids, tmp[i])->parent, get(&out, root));
	assert_tree_links(get(&out, root));
	assert_int_equal(cap_revoke(&out, root), 0);
	assert_int_equal(kids.used, 0);
	cspace_destroy(&kids);
	cspace_destroy(&out);
	assert_int_equal(f.kobj.refs, 1);
}

// A release callback may destroy another table (a process object taking its table along),
// here one whose capabilities descend from capabilities of the table being destroyed.
static void test_release_destroys_another_table(void **state)
{
	struct cspace t1, proc_table;
	struct fake proc, f;
	cap_handle_t a, b, c;

	(void)state;
	fake_init(&proc, EXO_OBJ_PROCESS);
	fake_init(&f, EXO_OBJ_FRAME);
	init(&t1, 8);
	init(&proc_table, 8);
	proc.destroy_on_release = &proc_table;
	assert_int_equal(cap_insert(&t1, &proc.kobj, EXO_R_ALL, 0, &a), 0);
	kobj_put(&proc.kobj);
	assert_int_equal(cap_insert(&t1, &f.kobj, EXO_R_ALL, 0, &b), 0);
	c = copy(&t1, b, &proc_table, EXO_R_READ);
	copy(&proc_table, c, &proc_table, EXO_R_READ);
	assert_int_equal(f.kobj.refs, 4);
	cspace_destroy(&t1);
	assert_int_equal(proc.releases, 1);
	assert_null(proc_table.slots);
	assert_int_equal(f.kobj.refs, 1);
	assert_int_equal(f.releases, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init_args_and_memory, setup),
		cmocka_unit_test_setup(test_handle_encoding_and_stale_handles, setup),
		cmocka_unit_test_setup(test_frame_capabilities_reach_mappings, setup),
		cmocka_unit_test_setup(test_generation_wraps_past_zero, setup),
		cmocka_unit_test_setup(test_full_table, setup),
		cmocka_unit_test_setup(test_copy_range_consecutive_handles, setup),
		cmocka_unit_test_setup(test_free_slots_constant_time, setup),
		cmocka_unit_test_setup(test_insert_rights, setup),
		cmocka_unit_test_setup(test_insert_null_object_asserts, setup),
		cmocka_unit_test_setup(test_lookup_type_and_rights, setup),
		cmocka_unit_test_setup(test_copy_rights_shrink, setup),
		cmocka_unit_test_setup(test_grant_needed_across_tables, setup),
		cmocka_unit_test_setup(test_mint_badges, setup),
		cmocka_unit_test_setup(test_move_within_table, setup),
		cmocka_unit_test_setup(test_move_across_tables, setup),
		cmocka_unit_test_setup(test_delete_reparents_children, setup),
		cmocka_unit_test_setup(test_revoke_across_three_tables, setup),
		cmocka_unit_test_setup(test_revoke_deep_chain, setup),
		cmocka_unit_test_setup(test_revoke_deep_chain_across_tables, setup),
		cmocka_unit_test_setup(test_delete_deep_and_wide, setup),
		cmocka_unit_test_setup(test_dead_objects, setup),
		cmocka_unit_test_setup(test_refcounts_exact, setup),
		cmocka_unit_test_setup(test_cspace_destroy, setup),
		cmocka_unit_test_setup(test_cspace_destroy_chain_is_linear, setup),
		cmocka_unit_test_setup(test_release_destroys_another_table, setup),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
