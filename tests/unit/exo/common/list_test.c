// SPDX-License-Identifier: MIT
// Unit tests for the intrusive list (exo/common/include/common/list.h): order, removal anywhere,
// replace and splice, and the in-use checks (a node linked twice or unlinked when not linked).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mock_panic.h"
#include <common/list.h>

struct item {
	int value;
	struct list_node a; // two lists at the same time
	struct list_node b;
};

// The values of l's items in order, written to out (at most max); returns how many.
static int values(struct list *l, int *out, int max)
{
	struct item *it;
	int n = 0;

	list_for_each(l, it, a) {
		assert_true(n < max);
		out[n++] = it->value;
	}
	return n;
}

static void expect_values(struct list *l, const int *want, int n)
{
	int got[16];

	assert_int_equal(values(l, got, 16), n);
	for (int i = 0; i < n; i++)
		assert_int_equal(got[i], want[i]);
	assert_true(list_empty(l) == (n == 0));
}

static void test_push_pop_order(void **state)
{
	struct list l = LIST_INIT(l);
	struct item it[3] = { { .value = 1 }, { .value = 2 }, { .value = 3 } };

	(void)state;
	assert_true(list_empty(&l));
	assert_null(list_first(&l));
	assert_null(list_pop_front(&l));
	list_push_back(&l, &it[1].a);
	list_push_back(&l, &it[2].a);
	list_push_front(&l, &it[0].a);
	expect_values(&l, (int[]){ 1, 2, 3 }, 3);
	assert_ptr_equal(list_first_entry(&l, struct item, a), &it[0]);
	assert_ptr_equal(list_last_entry(&l, struct item, a), &it[2]);
	assert_ptr_equal(list_entry(list_pop_front(&l), struct item, a), &it[0]);
	assert_false(list_node_linked(&it[0].a));
	expect_values(&l, (int[]){ 2, 3 }, 2);
}

static void test_remove_anywhere(void **state)
{
	struct list l;
	struct item it[4] = { { .value = 0 }, { .value = 1 }, { .value = 2 }, { .value = 3 } };

	(void)state;
	list_init(&l);
	for (int i = 0; i < 4; i++)
		list_push_back(&l, &it[i].a);
	list_remove(&it[1].a); // middle
	expect_values(&l, (int[]){ 0, 2, 3 }, 3);
	list_remove(&it[3].a); // last
	expect_values(&l, (int[]){ 0, 2 }, 2);
	list_remove(&it[0].a); // first
	expect_values(&l, (int[]){ 2 }, 1);
	list_remove(&it[2].a); // only
	expect_values(&l, NULL, 0);
	for (int i = 0; i < 4; i++)
		assert_false(list_node_linked(&it[i].a));
}

static void test_insert_before_and_two_lists(void **state)
{
	struct list l = LIST_INIT(l), m = LIST_INIT(m);
	struct item it[3] = { { .value = 10 }, { .value = 30 }, { .value = 20 } };

	(void)state;
	list_push_back(&l, &it[0].a);
	list_push_back(&l, &it[1].a);
	list_insert_before(&it[1].a, &it[2].a);
	expect_values(&l, (int[]){ 10, 20, 30 }, 3);
	// Through its second link, it[0] is on m too; the two lists do not interfere.
	list_insert_before(&m.head, &it[0].b); // the head: at the end
	list_push_back(&m, &it[1].b);
	list_remove(&it[0].a);
	expect_values(&l, (int[]){ 20, 30 }, 2);
	assert_ptr_equal(list_first_entry(&m, struct item, b), &it[0]);
	assert_ptr_equal(list_next_entry(&m, &it[0], b), &it[1]);
	assert_null(list_next_entry(&m, &it[1], b));
}

static void test_replace_and_splice(void **state)
{
	struct list l = LIST_INIT(l), m = LIST_INIT(m);
	struct item it[5] = {
		{ .value = 1 }, { .value = 2 }, { .value = 3 }, { .value = 4 }, { .value = 9 }
	};

	(void)state;
	for (int i = 0; i < 3; i++)
		list_push_back(&l, &it[i].a);
	list_replace(&it[1].a, &it[4].a);
	assert_false(list_node_linked(&it[1].a));
	expect_values(&l, (int[]){ 1, 9, 3 }, 3);
	list_push_back(&m, &it[3].a);
	list_splice_back(&l, &m);
	expect_values(&l, NULL, 0);
	expect_values(&m, (int[]){ 4, 1, 9, 3 }, 4);
	list_splice_back(&l, &m); // an empty list moves nothing
	expect_values(&m, (int[]){ 4, 1, 9, 3 }, 4);
	list_splice_back(&m, &l);
	expect_values(&l, (int[]){ 4, 1, 9, 3 }, 4);
}

static void link_twice(struct list *l, struct item *it)
{
	list_push_back(l, &it->a);
	expect_assert_failure(list_push_back(l, &it->a));
}

static void test_link_twice_fails(void **state)
{
	struct list l = LIST_INIT(l), m = LIST_INIT(m);
	struct item it = { .value = 1 };

	(void)state;
	panic_reset();
	link_twice(&l, &it);
	expect_assert_failure(list_push_front(&m, &it.a));
	assert_true(panic_message_contains("list_node_linked"));
	expect_values(&l, (int[]){ 1 }, 1);
	expect_values(&m, NULL, 0);
}

static void test_unlink_unlinked_fails(void **state)
{
	struct list l = LIST_INIT(l);
	struct item it = { .value = 1 }, other = { .value = 2 };

	(void)state;
	panic_reset();
	expect_assert_failure(list_remove(&it.a));
	list_push_back(&l, &it.a);
	list_remove(&it.a);
	expect_assert_failure(list_remove(&it.a)); // removed once already
	expect_assert_failure(list_replace(&other.a, &it.a));
	assert_int_equal(panic_count, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_pop_order),
		cmocka_unit_test(test_remove_anywhere),
		cmocka_unit_test(test_insert_before_and_two_lists),
		cmocka_unit_test(test_replace_and_splice),
		cmocka_unit_test(test_link_twice_fails),
		cmocka_unit_test(test_unlink_unlinked_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
