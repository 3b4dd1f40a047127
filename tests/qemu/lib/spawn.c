// SPDX-License-Identifier: MIT
// The spawning helpers of the QEMU user tests' library (testlib.h): threads with a stack page,
// children with a shared start page, boot module images, module slots and module managers.
#include "testlib.h"

static uint64_t images_from, images_to; // what test_boot_images mapped

// A fresh frame of quota mapped read-write at va in process; its handle (0 if that failed).
static uint64_t map_fresh(uint64_t process, uint64_t quota, uint64_t va)
{
	struct exo_map_op op = { 0, va, EXO_R_READ | EXO_R_WRITE };

	CHECK_EQ(exo_frame_alloc(quota, 1, &op.frame), 1);
	CHECK_EQ(exo_vspace_map(process, &op, 1), 1);
	return op.frame;
}

static void unmap_free(uint64_t va, uint64_t frame)
{
	CHECK_EQ(exo_vspace_unmap(test_bi->self, &va, 1), 1);
	CHECK_EQ(exo_cap_delete(frame), 0);
}

long test_thread_new(struct test_thread *t, uint64_t quota, uint64_t stack, uint64_t prio,
                     void (*fn)(uint64_t), uint64_t arg, const char *name)
{
	long h;

	t->stack = stack;
	t->frame = map_fresh(test_bi->self, quota, stack);
	h = exo_thread_create(test_bi->self, prio);
	CHECK(h > 0);
	t->thread = (uint64_t)h;
	h = test_thread_start(t->thread, fn, stack, stack + EXO_PAGE_SIZE, arg, name);
	CHECK_EQ(h, 0);
	return h;
}

void test_thread_end(struct test_thread *t)
{
	exo_thread_destroy(t->thread); // it may have ended itself
	CHECK_EQ(exo_cap_delete(t->thread), 0);
	unmap_free(t->stack, t->frame);
}

int test_child_spawn(struct test_child *c, const struct exo_boot_module *m, const char *name, uint64_t page,
                     uint64_t child_va)
{
	struct exo_map_op op = { 0, child_va, EXO_R_READ | EXO_R_WRITE };

	c->page = (void *)page;
	c->frame = op.frame = map_fresh(test_bi->self, test_bi->quota, page);
	memset(c->page, 0, EXO_PAGE_SIZE);
	if (exo_spawn(test_bi->self, test_bi->quota, m, name, 1, child_va, &c->proc, &c->thread)) {
		TEST_FAIL("cannot spawn %s", name);
		return -1;
	}
	CHECK_EQ(exo_vspace_map(c->proc, &op, 1), 1);
	return 0;
}

void test_child_run(struct test_child *c, uint64_t prio)
{
	CHECK_EQ(exo_thread_set_prio(c->thread, prio), 0);
}

long test_child_reap(struct test_child *c, uint64_t timeout_ms)
{
	long status = test_wait_status(c->proc, timeout_ms);

	CHECK_EQ(exo_cap_delete(c->thread), 0);
	CHECK_EQ(exo_cap_delete(c->proc), 0);
	unmap_free((uint64_t)c->page, c->frame);
	return status;
}

int test_boot_images(struct exo_image *images, unsigned n, uint64_t va)
{
	images_from = images_to = va;
	if (test_bi->nmodules != n) {
		TEST_FAIL("%lu boot modules, not %u", (unsigned long)test_bi->nmodules, n);
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		images[i] = exo_boot_image(test_bi, i, &images_to);
		if (images[i].size == 0) {
			TEST_FAIL("cannot map boot module %u", i);
			return -1;
		}
	}
	return 0;
}

void test_boot_images_unmap(void)
{
	for (uint64_t va = images_from; va < images_to; va += EXO_PAGE_SIZE)
		exo_vspace_unmap(test_bi->self, &va, 1); // guard pages between them are not mapped
}

uint64_t test_slot_start(struct exo_module_slot *slot, uint64_t quota, uint64_t scratch,
                         const struct exo_image *lib, const struct exo_image *mod, uint64_t prio)
{
	char err[160];
	long r;

	CHECK_EQ(exo_module_slot_init(slot, test_bi->self, quota, scratch, lib, prio), 0);
	r = exo_module_slot_start(slot, mod, err, sizeof(err));
	if (r) {
		TEST_FAIL("cannot start %s: %ld, %s", mod->name, r, err);
		return 0;
	}
	r = exo_cap_copy(slot->service, 0, EXO_R_WRITE);
	CHECK(r > 0);
	return r > 0 ? (uint64_t)r : 0;
}

long test_counter(uint64_t ep, uint64_t op, uint64_t n, uint64_t *total, uint64_t *version)
{
	struct exo_msg m = { EXO_TAG(op, 1, 0), 0, { n } };
	long r = exo_call(ep, &m);

	if (r)
		return r;
	if (EXO_TAG_LABEL(m.tag))
		return -(long)EXO_TAG_LABEL(m.tag);
	*total = m.w[0];
	if (version)
		*version = m.w[1];
	return 0;
}

void test_quota_drained(uint64_t quota)
{
	uint64_t end = test_now() + 5000 * TEST_MS;

	while (test_used(quota) != 0 && test_now() < end)
		test_sleep_ms(1);
	CHECK_EQ(test_used(quota), 0);
	CHECK_EQ(exo_cap_delete(quota), 0);
}

void test_modmgr_stop(struct exo_modmgr_proc *p, uint64_t quota)
{
	CHECK_EQ(exo_modmgr_stop(p), 9);
	test_quota_drained(quota);
}
