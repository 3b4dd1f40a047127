// SPDX-License-Identifier: MIT
// Unit tests for the bitmap physical frame allocator (exo/core/frame.c).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mock_panic.h"
#include "physmem.h"
#include <kern/frame.h>

#define FILL 0x5a

// Highest physical address any test hands to the allocator (for the "seen" bitmap).
#define MAX_PA (0x10200000ull)

static uint8_t seen[MAX_PA / PAGE_SIZE];

static bool in_ranges(paddr_t pa, const struct mem_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pa >= r[i].base && pa < r[i].base + r[i].len)
			return true;
	return false;
}

static uint64_t ranges_pages(const struct mem_range *r, size_t n)
{
	uint64_t p = 0;

	for (size_t i = 0; i < n; i++)
		p += r[i].len / PAGE_SIZE;
	return p;
}

static struct frame_stats stats(void)
{
	struct frame_stats st;

	frame_get_stats(&st);
	return st;
}

// Allocates frames until frame_alloc returns 0. Every frame must be page aligned, distinct and
// inside `allowed`; returns how many were handed out.
static uint64_t exhaust(const struct mem_range *allowed, size_t nallowed)
{
	uint64_t n = 0;
	paddr_t pa;

	memset(seen, 0, sizeof(seen));
	while ((pa = frame_alloc()) != 0) {
		assert_int_equal(pa & PAGE_MASK, 0);
		assert_true(pa < MAX_PA);
		if (!in_ranges(pa, allowed, nallowed))
			fail_msg("frame %#llx handed out, outside the allocatable ranges",
			         (unsigned long long)pa);
		if (seen[pa / PAGE_SIZE])
			fail_msg("frame %#llx handed out twice", (unsigned long long)pa);
		seen[pa / PAGE_SIZE] = 1;
		assert_true(frame_is_allocated(pa));
		n++;
		assert_true(n <= ranges_pages(allowed, nallowed));
	}
	return n;
}

// Pages of simulated memory whose contents are no longer FILL (i.e. written by frame_init).
static size_t modified_pages(paddr_t *out, size_t max)
{
	static uint8_t ref[PAGE_SIZE];
	size_t n = 0;

	memset(ref, FILL, sizeof(ref));
	for (paddr_t pa = 0; pa < PHYSMEM_SIZE; pa += PAGE_SIZE)
		if (memcmp(physmem_base() + pa, ref, PAGE_SIZE) != 0) {
			if (n < max)
				out[n] = pa;
			n++;
		}
	return n;
}

static int setup(void **state)
{
	(void)state;
	panic_reset();
	physmem_fill(FILL);
	return 0;
}

// A realistic map: low memory, holes, unaligned edges, an empty range, kernel and module excluded.
static const struct mem_range holes_usable[] = {
	{ 0x0, 0x9fc00 },        // [0, 0x9f000) after rounding; frame 0 is never used
	{ 0x100800, 0x6ff923 },  // [0x101000, 0x800000)
	{ 0x1000000, 0x400000 }, // [16 MiB, 20 MiB)
	{ 0x1ffffff, 0x200002 }, // [0x2000000, 0x2200000)
	{ 0x3000100, 0xe00 },    // rounds to nothing
};
static const struct mem_range holes_excluded[] = {
	{ 0x200010, 0x17ffe0 }, // kernel image: [0x200000, 0x380000) after rounding outward
	{ 0x1100800, 0x1000 },  // a boot module: [0x1100000, 0x1102000)
};
#define HOLES_USABLE_PAGES   (159 + 1791 + 1024 + 512)
#define HOLES_EXCLUDED_PAGES (384 + 2)
#define HOLES_REPORTED       0x12345000ull

static void init_holes(void)
{
	assert_int_equal(frame_init(holes_usable, ARRAY_SIZE(holes_usable), holes_excluded,
	                            ARRAY_SIZE(holes_excluded), HOLES_REPORTED),
	                 0);
}

static void test_holes_stats_exact(void **state)
{
	struct frame_stats st;

	(void)state;
	init_holes();
	st = stats();
	// usable - excluded - frame 0 - one bitmap page (8703 frames fit in one page of bits)
	assert_int_equal(st.total, HOLES_USABLE_PAGES - HOLES_EXCLUDED_PAGES - 1 - 1);
	assert_int_equal(st.total, 3098);
	assert_int_equal(st.free, st.total);
	assert_int_equal(st.reserved, HOLES_REPORTED + (HOLES_EXCLUDED_PAGES + 1 + 1) * PAGE_SIZE);
	// Every usable byte is either managed or reserved.
	assert_int_equal(st.total * PAGE_SIZE + st.reserved, HOLES_REPORTED + HOLES_USABLE_PAGES * PAGE_SIZE);
}

static void test_holes_exhaust_only_allocatable(void **state)
{
	// Usable RAM minus frame 0, the excluded ranges and the holes; the bitmap (one page, somewhere
	// in here) is checked below.
	static const struct mem_range candidates[] = {
		{ 0x1000, 0x9e000 },     { 0x101000, 0xff000 },   { 0x380000, 0x480000 },
		{ 0x1000000, 0x100000 }, { 0x1102000, 0x2fe000 }, { 0x2000000, 0x200000 },
	};
	paddr_t bm[4];
	size_t nbm;
	uint64_t n;
	struct frame_stats st;

	(void)state;
	init_holes();
	nbm = modified_pages(bm, ARRAY_SIZE(bm));
	assert_int_equal(nbm, 1); // the bitmap
	assert_true(in_ranges(bm[0], candidates, ARRAY_SIZE(candidates)));
	assert_false(frame_is_allocated(bm[0]));

	n = exhaust(candidates, ARRAY_SIZE(candidates));
	st = stats();
	assert_int_equal(n, st.total);
	assert_int_equal(n, ranges_pages(candidates, ARRAY_SIZE(candidates)) - 1);
	assert_int_equal(st.free, 0);
	assert_int_equal(seen[bm[0] / PAGE_SIZE], 0);
	// Exhausted: stays exhausted.
	assert_int_equal(frame_alloc(), 0);
	assert_int_equal(frame_alloc_contig(1, PAGE_SIZE), 0);
	assert_int_equal(stats().free, 0);
}

static void test_holes_excluded_and_holes_not_allocated(void **state)
{
	(void)state;
	init_holes();
	exhaust(holes_usable, ARRAY_SIZE(holes_usable));
	for (paddr_t pa = 0x200000; pa < 0x380000; pa += PAGE_SIZE) {
		assert_false(seen[pa / PAGE_SIZE]);
		assert_false(frame_is_allocated(pa));
	}
	for (paddr_t pa = 0x1100000; pa < 0x1102000; pa += PAGE_SIZE)
		assert_false(frame_is_allocated(pa));
	assert_false(seen[0]);
	assert_false(frame_is_allocated(0));
	assert_false(frame_is_allocated(0x9f000));    // partial page at the end of low memory
	assert_false(frame_is_allocated(0x100000));   // partial page at the start of R2
	assert_false(frame_is_allocated(0x800000));   // partial page at the end of R2
	assert_false(frame_is_allocated(0xa0000));    // hole
	assert_false(frame_is_allocated(0x1fff000));  // partial page before R4
	assert_false(frame_is_allocated(0x2200000));  // partial page after R4
	assert_false(frame_is_allocated(0x3000000));  // range that rounds to nothing
	assert_false(frame_is_allocated(0x40000000)); // beyond everything
	assert_true(frame_is_allocated(0x2000));      // first allocatable frames are all taken
	assert_true(frame_is_allocated(0x21ff000));
}

// A bitmap too big for the first ranges is put in the first range where it fits.
static void test_bitmap_in_later_range(void **state)
{
	static const struct mem_range usable[] = {
		{ 0x1000, 0x1000 },       // 1 page
		{ 0x2000000, 0x10000 },   // 16 pages
		{ 0x10000000, 0x100000 }, // 256 pages, not backed by simulated memory (never touched)
	};
	static const struct mem_range allowed[] = {
		{ 0x1000, 0x1000 },
		{ 0x2000000, 0x10000 },
		{ 0x10000000, 0x100000 },
	};
	paddr_t bm[8];
	size_t nbm;
	uint64_t n;

	(void)state;
	assert_int_equal(frame_init(usable, ARRAY_SIZE(usable), NULL, 0, 0), 0);
	// 65792 frames from 0x1000 to 0x10100000: 8224 bytes of bitmap = 3 pages.
	nbm = modified_pages(bm, ARRAY_SIZE(bm));
	assert_int_equal(nbm, 3);
	for (size_t i = 0; i < nbm; i++)
		assert_true(bm[i] >= 0x2000000 && bm[i] < 0x2010000);
	assert_int_equal(stats().total, 1 + 16 - 3 + 256);
	assert_int_equal(stats().reserved, 3 * PAGE_SIZE);
	n = exhaust(allowed, ARRAY_SIZE(allowed));
	assert_int_equal(n, 1 + 16 - 3 + 256);
	for (size_t i = 0; i < nbm; i++)
		assert_false(seen[bm[i] / PAGE_SIZE]);
	assert_true(seen[0x1000 / PAGE_SIZE]);
	assert_true(seen[0x100ff000 / PAGE_SIZE]);
}

static void test_frame_zero_never_handed_out(void **state)
{
	static const struct mem_range usable[] = { { 0, 16 * PAGE_SIZE } };
	static const struct mem_range allowed[] = { { PAGE_SIZE, 15 * PAGE_SIZE } };

	(void)state;
	assert_int_equal(frame_init(usable, 1, NULL, 0, 0), 0);
	assert_int_equal(stats().total, 14); // 16 - frame 0 - bitmap
	assert_int_equal(exhaust(allowed, 1), 14);
	assert_false(frame_is_allocated(0));
	expect_assert_failure(frame_free(0));
	assert_int_equal(panic_count, 1);
	assert_int_equal(stats().free, 0);
}

static void test_init_failures(void **state)
{
	static const struct mem_range only_zero[] = { { 0, PAGE_SIZE } };
	static const struct mem_range slivers[] = { { 0x1001, 0xffe }, { 0x5800, 0x800 } };
	static const struct mem_range no_bitmap_room[] = { { 0x1000, 0x1000 }, { 0x10000000, 0x1000 } };
	static const struct mem_range all[] = { { 0x100000, 0x100000 } };

	(void)state;
	assert_int_equal(frame_init(NULL, 0, NULL, 0, 0), -1);
	assert_int_equal(frame_init(only_zero, 1, NULL, 0, 0), -1);
	assert_int_equal(frame_init(slivers, 2, NULL, 0, 0), -1);
	// 65536 frames need a 2-page bitmap, but no range has two pages.
	assert_int_equal(frame_init(no_bitmap_room, 2, NULL, 0, 0), -1);
	// Everything excluded.
	assert_int_equal(frame_init(all, 1, all, 1, 0), -1);
	// An init that found no RAM at all leaves nothing to allocate.
	assert_int_equal(frame_alloc(), 0);
}

static void test_overlapping_usable_ranges(void **state)
{
	static const struct mem_range usable[] = {
		{ 0x180000, 0x100000 },
		{ 0x100000, 0x100000 },
		{ 0x100000, 0x100000 }, // duplicate
		{ 0x140000, 0x10000 },  // contained
	};
	static const struct mem_range allowed[] = { { 0x100000, 0x180000 } };

	(void)state;
	assert_int_equal(frame_init(usable, ARRAY_SIZE(usable), NULL, 0, 7), 0);
	// Union [0x100000, 0x280000) = 384 pages, one of them the bitmap.
	assert_int_equal(stats().total, 383);
	assert_int_equal(stats().reserved, 7 + PAGE_SIZE);
	assert_int_equal(exhaust(allowed, 1), 383);
}

static void test_too_many_ranges_panics(void **state)
{
	static struct mem_range r[129];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(r); i++)
		r[i] = (struct mem_range){ 0x100000 + i * 2 * PAGE_SIZE, PAGE_SIZE };
	// 128 disjoint ranges are fine ...
	assert_int_equal(frame_init(r, 128, NULL, 0, 0), 0);
	assert_int_equal(stats().total, 127);
	// ... one more is not.
	expect_assert_failure(frame_init(r, 129, NULL, 0, 0));
	assert_true(panic_message_contains("too many"));
}

static void test_excluded_range_splits_usable(void **state)
{
	static const struct mem_range usable[] = { { 0x400000, 0x400000 } };
	// One in the middle, one straddling the end of usable RAM.
	static const struct mem_range excluded[] = { { 0x600000, 0x1000 }, { 0x7ff800, 0x10000 } };
	static const struct mem_range allowed[] = { { 0x401000, 0x1ff000 }, { 0x601000, 0x1fe000 } };

	(void)state;
	assert_int_equal(frame_init(usable, 1, excluded, 2, 0), 0);
	assert_int_equal(stats().total, 1024 - 1 - 1 - 1);
	assert_int_equal(exhaust(allowed, 2), 1021);
	assert_false(frame_is_allocated(0x600000));
	assert_false(frame_is_allocated(0x7ff000));
}

static void test_free_and_reallocate(void **state)
{
	paddr_t a = 0x2000, b = 0x7ff000, c = 0x21ff000;
	paddr_t got[3];

	(void)state;
	init_holes();
	exhaust(holes_usable, ARRAY_SIZE(holes_usable));
	frame_free(a);
	frame_free(c);
	frame_free(b);
	assert_int_equal(stats().free, 3);
	assert_false(frame_is_allocated(a));
	assert_false(frame_is_allocated(b));
	assert_false(frame_is_allocated(c));
	for (int i = 0; i < 3; i++) {
		got[i] = frame_alloc();
		assert_true(got[i] == a || got[i] == b || got[i] == c);
		for (int j = 0; j < i; j++)
			assert_true(got[i] != got[j]);
		assert_true(frame_is_allocated(got[i]));
	}
	assert_int_equal(frame_alloc(), 0);
	assert_int_equal(stats().free, 0);
}

static void test_alloc_free_keeps_stats(void **state)
{
	paddr_t p[100];
	struct frame_stats st0;

	(void)state;
	init_holes();
	st0 = stats();
	for (int i = 0; i < 100; i++) {
		p[i] = frame_alloc();
		assert_int_not_equal(p[i], 0);
		assert_int_equal(stats().free, st0.free - (uint64_t)i - 1);
	}
	for (int i = 0; i < 100; i++)
		for (int j = 0; j < i; j++)
			assert_true(p[i] != p[j]);
	for (int i = 99; i >= 0; i--)
		frame_free(p[i]);
	assert_int_equal(stats().total, st0.total);
	assert_int_equal(stats().free, st0.free);
	assert_int_equal(stats().reserved, st0.reserved);
	for (int i = 0; i < 100; i++)
		assert_false(frame_is_allocated(p[i]));
}

static void test_contig_aligned(void **state)
{
	paddr_t a, b, c;
	struct frame_stats st0;

	(void)state;
	physmem_frames_init(0x101000, 16 * MiB); // base not 2 MiB aligned
	st0 = stats();
	a = frame_alloc_contig(512, 2 * MiB);
	assert_int_not_equal(a, 0);
	assert_int_equal(a & (2 * MiB - 1), 0);
	assert_true(a >= 0x101000 && a + 2 * MiB <= 0x1101000);
	for (paddr_t pa = a; pa < a + 2 * MiB; pa += PAGE_SIZE)
		assert_true(frame_is_allocated(pa));
	assert_int_equal(stats().free, st0.free - 512);

	b = frame_alloc_contig(512, 2 * MiB);
	assert_int_not_equal(b, 0);
	assert_int_equal(b & (2 * MiB - 1), 0);
	assert_true(b >= a + 2 * MiB || b + 2 * MiB <= a);

	c = frame_alloc_contig(3, 16 * KiB);
	assert_int_not_equal(c, 0);
	assert_int_equal(c & (16 * KiB - 1), 0);
	assert_true(c + 3 * PAGE_SIZE <= a || c >= a + 2 * MiB);
	assert_true(c + 3 * PAGE_SIZE <= b || c >= b + 2 * MiB);
	assert_int_equal(stats().free, st0.free - 1027);

	frame_free_contig(a, 512);
	frame_free_contig(b, 512);
	frame_free_contig(c, 3);
	assert_int_equal(stats().free, st0.free);
	assert_false(frame_is_allocated(a));
	assert_false(frame_is_allocated(c + 2 * PAGE_SIZE));
	// The same 2 MiB windows can be handed out again.
	assert_int_not_equal(frame_alloc_contig(512, 2 * MiB), 0);
}

// With the first aligned window taken, the next aligned one is used, not an unaligned one.
static void test_contig_skips_to_next_aligned_window(void **state)
{
	paddr_t one, pa;

	(void)state;
	physmem_frames_init(0x100000, 8 * MiB);
	one = frame_alloc_contig(1, 2 * MiB);
	assert_int_equal(one, 0x200000);
	pa = frame_alloc_contig(512, 2 * MiB);
	assert_int_equal(pa, 0x400000);
	pa = frame_alloc_contig(2, 64 * KiB); // 0x100000 holds the bitmap
	assert_int_equal(pa, 0x110000);
	frame_free(one);
	assert_int_equal(frame_alloc_contig(1, 2 * MiB), 0x200000);
}

static void test_contig_bad_args(void **state)
{
	struct frame_stats st0;

	(void)state;
	physmem_frames_init(0x100000, 4 * MiB);
	st0 = stats();
	assert_int_equal(frame_alloc_contig(0, PAGE_SIZE), 0);
	assert_int_equal(frame_alloc_contig(1, 0), 0);
	assert_int_equal(frame_alloc_contig(1, 2048), 0);
	assert_int_equal(frame_alloc_contig(1, 3 * PAGE_SIZE), 0);
	assert_int_equal(frame_alloc_contig(2000, PAGE_SIZE), 0); // more than there is
	assert_int_equal(stats().free, st0.free);
}

static void test_contig_no_aligned_window(void **state)
{
	paddr_t pa;

	(void)state;
	// 640 pages from 0x101000 to 0x381000: no 2 MiB aligned 2 MiB window inside.
	physmem_frames_init(0x101000, 0x280000);
	assert_int_equal(frame_alloc_contig(512, 2 * MiB), 0);
	pa = frame_alloc_contig(512, PAGE_SIZE);
	assert_int_not_equal(pa, 0);
	assert_true(pa >= 0x101000 && pa + 512 * PAGE_SIZE <= 0x381000);
}

static void test_contig_does_not_span_non_ram(void **state)
{
	static const struct mem_range usable[] = { { 0x400000, 0x400000 } };
	static const struct mem_range excluded[] = { { 0x600000, 0x1000 } };
	paddr_t pa;

	(void)state;
	assert_int_equal(frame_init(usable, 1, excluded, 1, 0), 0);
	// [0x400000, 0x600000) holds the bitmap, [0x600000, 0x800000) the excluded page.
	assert_int_equal(frame_alloc_contig(512, 2 * MiB), 0);
	assert_int_equal(frame_alloc_contig(512, PAGE_SIZE), 0);
	pa = frame_alloc_contig(511, PAGE_SIZE);
	assert_true(pa == 0x401000 || pa == 0x601000);
	assert_int_equal(stats().free, 1022 - 511);
}

static void test_contig_fails_when_fragmented(void **state)
{
	paddr_t p[64];
	int n = 0;
	paddr_t pa;

	(void)state;
	physmem_frames_init(0x100000, 64 * PAGE_SIZE);
	while ((pa = frame_alloc()) != 0)
		p[n++] = pa;
	assert_int_equal(n, 63);
	for (int i = 0; i < n; i++)
		if ((p[i] / PAGE_SIZE) % 2)
			frame_free(p[i]);
	assert_int_equal(frame_alloc_contig(2, PAGE_SIZE), 0);
	assert_int_not_equal(frame_alloc_contig(1, PAGE_SIZE), 0);
	assert_int_not_equal(frame_alloc(), 0);
}

static void test_double_free_panics(void **state)
{
	paddr_t pa;
	struct frame_stats st;

	(void)state;
	init_holes();
	pa = frame_alloc();
	frame_free(pa);
	st = stats();
	expect_assert_failure(frame_free(pa));
	assert_int_equal(panic_count, 1);
	assert_true(panic_message_contains("double free"));
	assert_int_equal(stats().free, st.free);
	assert_false(frame_is_allocated(pa));

	// A frame that was never allocated at all.
	panic_reset();
	expect_assert_failure(frame_free(0x400000));
	assert_true(panic_message_contains("double free"));
	assert_int_equal(stats().free, st.free);

	// In the middle of a contiguous free.
	pa = frame_alloc_contig(4, PAGE_SIZE);
	assert_int_not_equal(pa, 0);
	frame_free(pa + 2 * PAGE_SIZE);
	panic_reset();
	expect_assert_failure(frame_free_contig(pa, 4));
	assert_true(panic_message_contains("double free"));
}

static void test_free_of_non_ram_panics(void **state)
{
	static const paddr_t bad[] = {
		0,          // frame 0
		0x1000 + 8, // unaligned
		0x2000 + 1, // unaligned
		0x9f000,    // partial page at the end of low memory
		0xa0000,    // hole
		0x200000,   // kernel image
		0x37f000,   // kernel image, last page
		0x1101000,  // module
		0x1fff000,  // hole just below a range
		0x2200000,  // just past the last range
		0x40000000, // far beyond
		~0ull & ~PAGE_MASK,
	};
	paddr_t bm[1];
	struct frame_stats st;

	(void)state;
	init_holes();
	assert_int_equal(modified_pages(bm, 1), 1);
	exhaust(holes_usable, ARRAY_SIZE(holes_usable));
	st = stats();
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		panic_reset();
		expect_assert_failure(frame_free(bad[i]));
		assert_int_equal(panic_count, 1);
		assert_false(panic_message_contains("double free"));
	}
	// The bitmap's own frame is not RAM the allocator hands out either.
	panic_reset();
	expect_assert_failure(frame_free(bm[0]));
	assert_int_equal(panic_count, 1);
	assert_int_equal(stats().free, st.free);
	assert_int_equal(stats().free, 0);
}

static void test_is_allocated(void **state)
{
	paddr_t pa;

	(void)state;
	physmem_frames_init(0x100000, 1 * MiB);
	pa = frame_alloc();
	assert_true(frame_is_allocated(pa));
	assert_false(frame_is_allocated(pa + PAGE_SIZE));
	frame_free(pa);
	assert_false(frame_is_allocated(pa));
	assert_false(frame_is_allocated(0));
	assert_false(frame_is_allocated(0x0ff000));
	assert_false(frame_is_allocated(0x200000));
	assert_false(frame_is_allocated(~0ull & ~PAGE_MASK));
}

static void test_reinit_resets_state(void **state)
{
	(void)state;
	physmem_frames_init(0x100000, 1 * MiB);
	assert_int_not_equal(frame_alloc(), 0);
	assert_int_not_equal(frame_alloc_contig(16, PAGE_SIZE), 0);
	physmem_frames_init(0x100000, 1 * MiB);
	assert_int_equal(stats().free, stats().total);
	assert_int_equal(stats().total, 255);
	assert_int_not_equal(frame_alloc_contig(254, PAGE_SIZE), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_holes_stats_exact, setup),
		cmocka_unit_test_setup(test_holes_exhaust_only_allocatable, setup),
		cmocka_unit_test_setup(test_holes_excluded_and_holes_not_allocated, setup),
		cmocka_unit_test_setup(test_bitmap_in_later_range, setup),
		cmocka_unit_test_setup(test_frame_zero_never_handed_out, setup),
		cmocka_unit_test_setup(test_init_failures, setup),
		cmocka_unit_test_setup(test_overlapping_usable_ranges, setup),
		cmocka_unit_test_setup(test_too_many_ranges_panics, setup),
		cmocka_unit_test_setup(test_excluded_range_splits_usable, setup),
		cmocka_unit_test_setup(test_free_and_reallocate, setup),
		cmocka_unit_test_setup(test_alloc_free_keeps_stats, setup),
		cmocka_unit_test_setup(test_contig_aligned, setup),
		cmocka_unit_test_setup(test_contig_skips_to_next_aligned_window, setup),
		cmocka_unit_test_setup(test_contig_bad_args, setup),
		cmocka_unit_test_setup(test_contig_no_aligned_window, setup),
		cmocka_unit_test_setup(test_contig_does_not_span_non_ram, setup),
		cmocka_unit_test_setup(test_contig_fails_when_fragmented, setup),
		cmocka_unit_test_setup(test_double_free_panics, setup),
		cmocka_unit_test_setup(test_free_of_non_ram_panics, setup),
		cmocka_unit_test_setup(test_is_allocated, setup),
		cmocka_unit_test_setup(test_reinit_resets_state, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
