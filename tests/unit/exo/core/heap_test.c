// SPDX-License-Identifier: MIT
// Unit tests for the kernel heap (exo/core/heap.c): slabs, large allocations, debug guards.
// The heap's state is static and lives for the whole binary, so the frame allocator is set up
// once and every test works with differences of the statistics, not absolute values.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "mock_panic.h"
#include "physmem.h"
#include <kern/frame.h>
#include <kern/heap.h>
#include <kern/physmap.h>

#define POOL_BASE (1 * MiB)
#define POOL_LEN  (32 * MiB)

static struct heap_stats hstats(void)
{
	struct heap_stats st;

	heap_get_stats(&st);
	return st;
}

static int group_setup(void **state)
{
	(void)state;
	physmem_fill(0xee);
	physmem_frames_init(POOL_BASE, POOL_LEN);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	panic_reset();
	return 0;
}

static bool in_physmem(const void *p, size_t n)
{
	const uint8_t *b = physmem_base();

	return (const uint8_t *)p >= b + POOL_BASE && (const uint8_t *)p + n <= b + POOL_BASE + POOL_LEN;
}

static uint8_t pattern(size_t i, size_t j)
{
	return (uint8_t)(i * 131 + j * 7 + 1);
}

struct obj {
	uint8_t *p;
	size_t size;
};

static int cmp_obj(const void *a, const void *b)
{
	const struct obj *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

static void test_zero_and_huge_sizes(void **state)
{
	struct heap_stats s0 = hstats();

	(void)state;
	assert_null(kmalloc(0));
	assert_null(kzalloc(0));
	assert_null(kmalloc(64 * MiB + 1));
	assert_null(kmalloc(SIZE_MAX));
	assert_null(kmalloc(SIZE_MAX - 8));
	assert_int_equal(hstats().allocs, s0.allocs);
	assert_int_equal(hstats().bytes_in_use, s0.bytes_in_use);
	assert_int_equal(panic_count, 0);
}

// kfree(NULL) does nothing. Run in a child process: if kfree did pointer arithmetic on NULL
// before testing it, the sanitizer (no recovery) would abort the whole binary.
static void test_kfree_null_is_noop(void **state)
{
	struct heap_stats s0 = hstats();
	int status = 0;
	pid_t pid;

	(void)state;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		kfree(NULL);
		_exit(hstats().frees == s0.frees ? 0 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("kfree(NULL) in a child process: %s %d", WIFEXITED(status) ? "exit" : "signal",
		         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

static void test_sizes_distinct_aligned_writable(void **state)
{
	static const size_t extra[] = {
		100,  127,  128,  200,  255,  256,  500,  1000, 1023, 1024, 1500,  2000,  2024,   2025,
		2047, 2048, 2049, 3000, 4000, 4064, 4065, 4096, 5000, 8192, 10000, 20000, 100000,
	};
	static struct obj o[2 * (80 + ARRAY_SIZE(extra))];
	struct heap_stats s0 = hstats(), s1;
	uint64_t f0 = physmem_frames_free();
	uint64_t bytes = 0;
	size_t n = 0;

	(void)state;
	for (int copy = 0; copy < 2; copy++) {
		for (size_t sz = 1; sz <= 80; sz++)
			o[n++].size = sz;
		for (size_t i = 0; i < ARRAY_SIZE(extra); i++)
			o[n++].size = extra[i];
	}
	for (size_t i = 0; i < n; i++) {
		o[i].p = kmalloc(o[i].size);
		assert_non_null(o[i].p);
		assert_int_equal((uintptr_t)o[i].p % 16, 0);
		assert_true(in_physmem(o[i].p, o[i].size));
		for (size_t j = 0; j < o[i].size; j++)
			o[i].p[j] = pattern(i, j);
		bytes += o[i].size;
	}
	s1 = hstats();
	assert_int_equal(s1.allocs, s0.allocs + n);
	assert_int_equal(s1.bytes_in_use, s0.bytes_in_use + bytes);
	// Frames taken are exactly the new slab and large pages.
	assert_int_equal(f0 - physmem_frames_free(),
	                 (s1.slab_pages - s0.slab_pages) + (s1.large_pages - s0.large_pages));
	// Nothing overwrote anything else; no two objects overlap.
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < o[i].size; j++)
			if (o[i].p[j] != pattern(i, j))
				fail_msg("object %zu (size %zu) byte %zu changed", i, o[i].size, j);
	heap_check(); // every object written up to its last byte: no false alarm
	assert_int_equal(panic_count, 0);
	qsort(o, n, sizeof(o[0]), cmp_obj);
	for (size_t i = 1; i < n; i++)
		assert_true(o[i - 1].p + o[i - 1].size <= o[i].p);
	// Free in address order (not allocation order).
	for (size_t i = 0; i < n; i++)
		kfree(o[i].p);
	assert_int_equal(hstats().frees, s0.frees + n);
	assert_int_equal(hstats().bytes_in_use, s0.bytes_in_use);
	assert_int_equal(hstats().large_pages, s0.large_pages);
	assert_int_equal(physmem_frames_free(), f0 - (hstats().slab_pages - s0.slab_pages));
}

static void test_large_allocations(void **state)
{
	struct heap_stats s0 = hstats();
	uint64_t f0 = physmem_frames_free();
	uint8_t *a, *b, *c;

	(void)state;
	a = kmalloc(5000);
	assert_non_null(a);
	assert_int_equal(hstats().large_pages, s0.large_pages + 2);
	assert_int_equal(physmem_frames_free(), f0 - 2);
	b = kmalloc(8192); // 2 pages of data plus a header
	assert_non_null(b);
	assert_int_equal(hstats().large_pages, s0.large_pages + 5);
	c = kmalloc(1 * MiB);
	assert_non_null(c);
	assert_int_equal(hstats().large_pages, s0.large_pages + 5 + 257);
	assert_int_equal(physmem_frames_free(), f0 - 5 - 257);
	assert_int_equal(hstats().bytes_in_use, s0.bytes_in_use + 5000 + 8192 + 1 * MiB);
	// Physically contiguous: the data runs through the direct map without a gap.
	assert_int_equal(virt_to_phys(c + MiB - 1) - virt_to_phys(c), MiB - 1);
	memset(a, 1, 5000);
	memset(b, 2, 8192);
	memset(c, 3, 1 * MiB);
	for (size_t i = 0; i < 5000; i++)
		assert_int_equal(a[i], 1);
	kfree(b);
	assert_int_equal(hstats().large_pages, s0.large_pages + 2 + 257);
	assert_int_equal(physmem_frames_free(), f0 - 2 - 257);
	kfree(a);
	kfree(c);
	assert_int_equal(hstats().large_pages, s0.large_pages);
	assert_int_equal(hstats().bytes_in_use, s0.bytes_in_use);
	assert_int_equal(hstats().frees, s0.frees + 3);
	assert_int_equal(physmem_frames_free(), f0);
}

static void test_stats_and_slab_pages(void **state)
{
	static void *p[400];
	struct heap_stats s0 = hstats(), s1;
	uint64_t f0 = physmem_frames_free(), pages0;
	int n = 0;

	(void)state;
	// Use up the free slots earlier tests left in this size class: a new slab page is only
	// taken when every slab of the class is full.
	do {
		p[n] = kmalloc(100);
		assert_non_null(p[n]);
		n++;
		assert_int_equal(hstats().allocs, s0.allocs + n);
		assert_int_equal(hstats().bytes_in_use, s0.bytes_in_use + 100 * (uint64_t)n);
	} while (hstats().slab_pages == s0.slab_pages && n < 300);
	assert_int_equal(hstats().slab_pages, s0.slab_pages + 1);
	pages0 = s0.slab_pages;
	for (int i = 0; i < 300; i++, n++) {
		p[n] = kmalloc(100);
		assert_non_null(p[n]);
	}
	s1 = hstats();
	assert_int_equal(s1.allocs, s0.allocs + n);
	assert_int_equal(s1.bytes_in_use, s0.bytes_in_use + 100 * (uint64_t)n);
	// 301 objects of at least 100 bytes (plus header) in fresh pages need at least 10 of them.
	assert_true(s1.slab_pages - pages0 >= 10);
	assert_int_equal(f0 - physmem_frames_free(), s1.slab_pages - s0.slab_pages);
	assert_int_equal(s1.large_pages, s0.large_pages);
	for (int i = 0; i < n; i++) {
		kfree(p[i]);
		assert_int_equal(hstats().frees, s0.frees + i + 1);
		assert_int_equal(hstats().bytes_in_use, s1.bytes_in_use - 100 * (uint64_t)(i + 1));
	}
	assert_int_equal(hstats().bytes_in_use, s0.bytes_in_use);
	// Freed slots are reused: the same again needs no new pages.
	for (int i = 0; i < n; i++)
		assert_non_null(p[i] = kmalloc(100));
	assert_int_equal(hstats().slab_pages, s1.slab_pages);
	for (int i = 0; i < n; i++)
		kfree(p[i]);
}

static void test_free_and_reuse(void **state)
{
	struct heap_stats s0;
	uint64_t f0;
	void *p;

	(void)state;
	// Warm up every size class once.
	for (size_t sz = 1; sz <= 2048; sz *= 2)
		kfree(kmalloc(sz));
	s0 = hstats();
	f0 = physmem_frames_free();
	for (int round = 0; round < 2000; round++) {
		size_t sz = 1 + (size_t)(round * 37) % 2024;

		p = kmalloc(sz);
		assert_non_null(p);
		memset(p, 0x33, sz);
		kfree(p);
		p = kmalloc(6000);
		assert_non_null(p);
		kfree(p);
	}
	assert_int_equal(hstats().slab_pages, s0.slab_pages);
	assert_int_equal(hstats().large_pages, s0.large_pages);
	assert_int_equal(hstats().bytes_in_use, s0.bytes_in_use);
	assert_int_equal(physmem_frames_free(), f0);
	// The slot just freed is the one handed out again.
	p = kmalloc(48);
	kfree(p);
	assert_ptr_equal(kmalloc(48), p);
	kfree(p);
}

static void test_kzalloc_zeroes(void **state)
{
	static const size_t sizes[] = { 1, 13, 16, 100, 500, 2024, 3000, 12000 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint8_t *p = kmalloc(sizes[i]), *q;

		assert_non_null(p);
		memset(p, 0xcc, sizes[i]);
		kfree(p);
		q = kzalloc(sizes[i]);
		assert_non_null(q);
		for (size_t j = 0; j < sizes[i]; j++)
			if (q[j] != 0)
				fail_msg("kzalloc(%zu) byte %zu is %#x", sizes[i], j, q[j]);
		kfree(q);
	}
}

static void test_freed_memory_is_poisoned(void **state)
{
	uint8_t *p = kmalloc(200);

	(void)state;
	assert_non_null(p);
	memset(p, 0x11, 200);
	kfree(p);
	// The first bytes may hold the free list; the rest must not keep the old contents.
	for (size_t j = 16; j < 200; j++)
		assert_int_not_equal(p[j], 0x11);
}

// (Each expect_assert_failure() is in a function of its own: no loop variable lives across the
// setjmp.)
static void double_free_one(size_t n)
{
	void *keep = kmalloc(n); // keeps the slab alive: an empty slab goes back to the frame pool
	void *p = kmalloc(n), *q, *r;
	uint64_t bytes;

	assert_non_null(keep);
	assert_non_null(p);
	kfree(p);
	bytes = hstats().bytes_in_use;
	panic_reset();
	expect_assert_failure(kfree(p));
	assert_int_equal(panic_count, 1);
	assert_true(panic_message_contains("double free"));
	assert_int_equal(hstats().bytes_in_use, bytes);
	// The heap still works, and the slot is handed out only once.
	q = kmalloc(n);
	r = kmalloc(n);
	assert_non_null(q);
	assert_non_null(r);
	assert_ptr_not_equal(q, r);
	kfree(q);
	kfree(r);
}

static void test_double_free_slab(void **state)
{
	// Sizes whose slabs hold several objects (a one-object slab is gone after the first free).
	static const size_t sizes[] = { 1, 40, 100, 1000 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		double_free_one(sizes[i]);
}

static void test_double_free_large(void **state)
{
	void *p = kmalloc(6000);
	uint64_t f0;

	(void)state;
	assert_non_null(p);
	kfree(p);
	f0 = physmem_frames_free();
	expect_assert_failure(kfree(p));
	assert_int_equal(panic_count, 1);
	assert_int_equal(physmem_frames_free(), f0);
}

static void overflow_at_kfree_one(size_t n)
{
	uint8_t *p = kmalloc(n);
	uint8_t save;

	assert_non_null(p);
	memset(p, 0x77, n); // the whole object is fine to use
	save = p[n];
	p[n] = (uint8_t)~save; // one byte past the end
	panic_reset();
	expect_assert_failure(kfree(p));
	assert_int_equal(panic_count, 1);
	if (!panic_message_contains("overflow"))
		fail_msg("kmalloc(%zu): panic '%s'", n, panic_last_message);
	p[n] = save;
	kfree(p);
	assert_int_equal(panic_count, 1);
}

static void test_overflow_detected_by_kfree(void **state)
{
	static const size_t sizes[] = {
		1, 8, 16, 20, 40, 48, 100, 112, 240, 496, 1000, 1008, 2024, 2025, 2032, 3000, 4064, 5000,
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		overflow_at_kfree_one(sizes[i]);
}

static void overflow_at_heap_check_one(size_t n)
{
	uint8_t *p = kmalloc(n), *other = kmalloc(n);
	uint8_t save;

	assert_non_null(p);
	assert_non_null(other);
	memset(p, 0x44, n);
	heap_check();
	save = p[n];
	p[n] = (uint8_t)~save;
	panic_reset();
	expect_assert_failure(heap_check());
	assert_int_equal(panic_count, 1);
	assert_true(panic_message_contains("overflow"));
	p[n] = save;
	heap_check();
	kfree(p);
	kfree(other);
	assert_int_equal(panic_count, 1);
}

static void test_overflow_detected_by_heap_check(void **state)
{
	static const size_t sizes[] = { 1, 24, 100, 2024 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		overflow_at_heap_check_one(sizes[i]);
}

static void test_kfree_of_foreign_pointer(void **state)
{
	struct heap_stats s0 = hstats();
	paddr_t pa;
	uint8_t *frame, *p, *q;

	(void)state;
	// A page the heap never saw, zeroed and filled with junk.
	pa = frame_alloc();
	assert_int_not_equal(pa, 0);
	frame = phys_to_virt(pa);
	memset(frame, 0, PAGE_SIZE);
	expect_assert_failure(kfree(frame + 64));
	assert_true(panic_message_contains("not allocated"));
	memset(frame, 0xff, PAGE_SIZE);
	panic_reset();
	expect_assert_failure(kfree(frame + 1024));
	assert_int_equal(panic_count, 1);
	frame_free(pa);

	// Pointers into the middle of heap objects.
	p = kmalloc(100);
	q = kmalloc(5000);
	assert_non_null(p);
	assert_non_null(q);
	memset(q, 0, 5000);
	panic_reset();
	expect_assert_failure(kfree(p + 16));
	expect_assert_failure(kfree(p + 1));
	expect_assert_failure(kfree((uint8_t *)ALIGN_DOWN((uintptr_t)p, PAGE_SIZE) + 16)); // slab header
	expect_assert_failure(kfree(q + 16));
	expect_assert_failure(kfree(q + PAGE_SIZE));
	assert_int_equal(panic_count, 5);
	assert_false(panic_message_contains("double free"));
	// Nothing was freed by the refused calls.
	kfree(p);
	kfree(q);
	assert_int_equal(hstats().bytes_in_use, s0.bytes_in_use);
	assert_int_equal(hstats().large_pages, s0.large_pages);
	assert_int_equal(panic_count, 5);
}

static void test_exhaustion_returns_null(void **state)
{
	static paddr_t frames[POOL_LEN / PAGE_SIZE];
	static void *objs[20000];
	size_t nframes = 0, nobjs = 0;
	struct heap_stats s0;
	paddr_t pa;
	void *p;

	(void)state;
	while ((pa = frame_alloc()) != 0)
		frames[nframes++] = pa;
	assert_true(nframes > 0);
	s0 = hstats();
	assert_null(kmalloc(5000));
	assert_null(kzalloc(5000));
	// Slots left in partial slabs may still be handed out, then it has to stop.
	for (size_t sz = 1; sz <= 2024; sz = sz * 2 + 3) {
		while ((p = kmalloc(sz)) != NULL) {
			assert_true(nobjs < ARRAY_SIZE(objs));
			objs[nobjs++] = p;
		}
	}
	for (size_t sz = 1; sz <= 2024; sz++)
		assert_null(kmalloc(sz));
	assert_int_equal(hstats().allocs, s0.allocs + nobjs);
	assert_int_equal(hstats().slab_pages, s0.slab_pages);
	assert_int_equal(hstats().large_pages, s0.large_pages);
	for (size_t i = 0; i < nobjs; i++)
		kfree(objs[i]);
	for (size_t i = 0; i < nframes; i++)
		frame_free(frames[i]);
	p = kmalloc(5000);
	assert_non_null(p);
	kfree(p);
}

// heap_check() checks every live object's guard bytes, large (> 2024 bytes) objects included.
static void test_heap_check_covers_large_objects(void **state)
{
	uint8_t *p = kmalloc(5000);
	uint8_t save;

	(void)state;
	assert_non_null(p);
	save = p[5000];
	p[5000] = (uint8_t)~save;
	expect_assert_failure(heap_check());
	assert_true(panic_message_contains("overflow"));
	p[5000] = save;
	kfree(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_zero_and_huge_sizes, setup),
		cmocka_unit_test_setup(test_kfree_null_is_noop, setup),
		cmocka_unit_test_setup(test_sizes_distinct_aligned_writable, setup),
		cmocka_unit_test_setup(test_large_allocations, setup),
		cmocka_unit_test_setup(test_stats_and_slab_pages, setup),
		cmocka_unit_test_setup(test_free_and_reuse, setup),
		cmocka_unit_test_setup(test_kzalloc_zeroes, setup),
		cmocka_unit_test_setup(test_freed_memory_is_poisoned, setup),
		cmocka_unit_test_setup(test_double_free_slab, setup),
		cmocka_unit_test_setup(test_double_free_large, setup),
		cmocka_unit_test_setup(test_overflow_detected_by_kfree, setup),
		cmocka_unit_test_setup(test_overflow_detected_by_heap_check, setup),
		cmocka_unit_test_setup(test_kfree_of_foreign_pointer, setup),
		cmocka_unit_test_setup(test_exhaustion_returns_null, setup),
		cmocka_unit_test_setup(test_heap_check_covers_large_objects, setup),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
