// SPDX-License-Identifier: MIT
// Unit tests for libos's address-space map (libos/mem/map.c): mmap placement and MAP_FIXED,
// munmap splitting regions and unmapping their pages, mprotect splitting and merging, madvise,
// brk growth and collisions, demand fills and the reasons faults are refused, argument errors,
// a full region table, mremap in place and its errors, mincore's answers, fork's sharing (which
// regions go copy-on-write, shared or not at all) and a write to a copy-on-write page whose
// frame is no longer shared. The kernel calls are the hardware here: a simulated address space
// records which pages are mapped with which rights, and which a child process shares.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

// cmocka.h needs the headers above.

#include <cmocka.h>

#include <libos/mem.h>

#define MMAP_BASE 0x100000000000ull
#define MAX_PAGES 4096

// The simulated address space: mapped pages and their rights (EXO_R_*).
static struct {
	uint64_t va, rights;
	int shared; // the child maps the same frame
} pages[MAX_PAGES];
static int npages;
static struct {
	uint64_t va, pages, mode;
} shares[64]; // vspace_share_range calls into the child
static int nshares;
static long frames_left;
static const struct exo_bootinfo boot = { .self = 1, .quota = 2 };
const struct exo_bootinfo *libos_boot = &boot;
const char *libos_progname = "map_test";
char _end[100];              // the program's data ends here: brk starts on the next page
char __libos_wired_start[1]; // no wired data: an empty range
extern char __libos_wired_end[1] __attribute__((alias("__libos_wired_start")));
const struct libos_elf_header __ehdr_start; // no segments: libos_mem_init is not called
static int logged;                          // libos_log_once calls

void libos_log(const char *fmt, ...)
{
	(void)fmt;
	logged++;
}

static long notifications; // made for MAP_SHARED regions, and not yet deleted

long exo_notify_create(void)
{
	return 500 + notifications++;
}

long exo_cap_delete(unsigned long cap)
{
	notifications -= cap >= 500 && cap < 600;
	return 0;
}

long exo_cap_copy(unsigned long cap, unsigned long dest, unsigned long rights)
{
	assert_true(cap >= 500 && cap < 600); // a shared region's notification, for a child
	assert_int_equal(dest, 9);
	(void)rights;
	return 700;
}

uint64_t libos_rlimit(int resource)
{
	return resource == RLIMIT_STACK ? 8ull << 20 : ~0ull;
}

long libos_file_map_source(long fd, long prot, long flags, const uint8_t **data, uint64_t *size)
{
	(void)fd, (void)prot, (void)flags, (void)data, (void)size;
	return -ENODEV; // no file here
}

long exo_vspace_copy_range(unsigned long process, unsigned long vaddr, unsigned long dest, unsigned long to,
                           unsigned long n, unsigned long prot)
{
	(void)process, (void)vaddr, (void)n, (void)dest, (void)prot, (void)to;
	fail_msg("no page is copied in these tests");
	return 0;
}

// The child (process 9) gets every mapped page of the range; copy-on-write takes write away.
long exo_vspace_share_range(unsigned long process, unsigned long vaddr, unsigned long n, unsigned long dest,
                            unsigned long mode)
{
	long done = 0;

	assert_int_equal(process, 1);
	assert_int_equal(dest, 9);
	assert_true(n >= 1 && n <= EXO_MAP_BATCH_MAX && nshares < 64);
	shares[nshares].va = vaddr, shares[nshares].pages = n, shares[nshares++].mode = mode;
	for (int i = 0; i < npages; i++)
		if (pages[i].va >= vaddr && pages[i].va < vaddr + n * EXO_PAGE_SIZE) {
			pages[i].shared = 1, done++;
			if (mode == EXO_SHARE_COW)
				pages[i].rights &= ~(uint64_t)EXO_R_WRITE;
		}
	return done;
}

void libos_log_once(const char *kind, const char *fmt, ...)
{
	(void)kind;
	(void)fmt;
	logged++;
}

long libos_copy(void *dst, const void *src, size_t n)
{
	if ((uintptr_t)dst < EXO_PAGE_SIZE)
		return -EFAULT;
	memcpy(dst, src, n);
	return 0;
}

static int page_index(uint64_t va)
{
	for (int i = 0; i < npages; i++)
		if (pages[i].va == va)
			return i;
	return -1;
}

static uint64_t rights_at(uint64_t va)
{
	int i = page_index(va);

	return i < 0 ? 0 : pages[i].rights;
}

long exo_frame_alloc(unsigned long quota, unsigned long count, unsigned long *handles)
{
	assert_int_equal(quota, 2);
	if (frames_left < (long)count)
		return -EXO_ENOMEM;
	frames_left -= (long)count;
	for (unsigned long i = 0; i < count; i++)
		handles[i] = 100 + i;
	return (long)count;
}

long exo_vspace_map(unsigned long process, const struct exo_map_op *ops, unsigned long count)
{
	assert_int_equal(process, 1);
	assert_int_equal(count, 1);
	assert_true(ops[0].prot & EXO_MAP_MOVE); // the mapping takes the frame capability
	if (page_index(ops[0].vaddr) >= 0)
		return -EXO_EEXIST;
	assert_true(npages < MAX_PAGES);
	pages[npages].va = ops[0].vaddr;
	pages[npages].shared = 0;
	pages[npages++].rights = ops[0].prot & ~EXO_MAP_MOVE;
	return 1;
}

long exo_thread_yield(void)
{
	fail_msg("the map lock is never contended in one thread");
	return 0;
}

long exo_vspace_unmap_range(unsigned long process, unsigned long vaddr, unsigned long n)
{
	long done = 0;

	assert_int_equal(process, 1);
	assert_true(n >= 1 && n <= EXO_MAP_BATCH_MAX && vaddr % EXO_PAGE_SIZE == 0);
	for (int i = 0; i < npages;)
		if (pages[i].va >= vaddr && pages[i].va < vaddr + n * EXO_PAGE_SIZE)
			pages[i] = pages[--npages], done++;
		else
			i++;
	return done;
}

long exo_vspace_protect_range(unsigned long process, unsigned long vaddr, unsigned long n, unsigned long prot)
{
	long done = 0;

	assert_int_equal(process, 1);
	assert_true(n >= 1 && n <= EXO_MAP_BATCH_MAX && vaddr % EXO_PAGE_SIZE == 0);
	for (int i = 0; i < npages; i++) {
		if (pages[i].va < vaddr || pages[i].va >= vaddr + n * EXO_PAGE_SIZE)
			continue;
		if (prot & EXO_PROT_IF_PRIVATE) { // write back only where the child no longer shares
			if (!pages[i].shared)
				pages[i].rights = prot & ~EXO_PROT_IF_PRIVATE, done++;
			continue;
		}
		pages[i].rights = prot, done++;
	}
	return done;
}

static const long RW = PROT_READ | PROT_WRITE;
static const long ANON = MAP_PRIVATE | MAP_ANONYMOUS;
enum { READ = 4, WRITE = 6, FETCH = 20, PRESENT_WRITE = 7 }; // page-fault error codes (user)

// Touches va as the CPU would (error code), expecting the fill to succeed.
static void touch(uint64_t va, uint64_t error)
{
	const char *why = libos_mem_fill(va, error);

	if (why)
		fail_msg("fill of 0x%llx refused: %s", (unsigned long long)va, why);
}

static int setup(void **state)
{
	(void)state;
	npages = 0;
	nshares = 0;
	frames_left = 1000000;
	// Start each test from an empty map: unmap all of it, reset brk to its base.
	libos_munmap(0x10000, 0x7f0000000000ull - 0x10000);
	libos_brk(0);
	return 0;
}

static void test_mmap_places_first_fit_and_reuses_holes(void **state)
{
	(void)state;
	long a = libos_mmap(0, 3 * EXO_PAGE_SIZE, RW, ANON, -1, 0);
	long b = libos_mmap(0, EXO_PAGE_SIZE, RW, ANON, -1, 0);

	assert_int_equal(a, MMAP_BASE);
	assert_int_equal(b, MMAP_BASE + 3 * EXO_PAGE_SIZE);
	assert_int_equal(libos_munmap((uint64_t)a + EXO_PAGE_SIZE, EXO_PAGE_SIZE), 0);
	assert_int_equal(libos_mmap(0, EXO_PAGE_SIZE, RW, ANON, -1, 0), a + EXO_PAGE_SIZE); // the hole
	assert_int_equal(libos_mmap(0, 2 * EXO_PAGE_SIZE, RW, ANON, -1, 0),
	                 b + EXO_PAGE_SIZE); // too big for a hole
	// A free hint is honoured, a taken one is not.
	assert_int_equal(libos_mmap(MMAP_BASE + 100 * EXO_PAGE_SIZE, EXO_PAGE_SIZE, RW, ANON, -1, 0),
	                 MMAP_BASE + 100 * EXO_PAGE_SIZE);
	assert_int_equal(libos_mmap((uint64_t)a, EXO_PAGE_SIZE, RW, ANON, -1, 0), b + 3 * EXO_PAGE_SIZE);
}

static void test_demand_fill_maps_with_region_rights(void **state)
{
	(void)state;
	long a = libos_mmap(0, 2 * EXO_PAGE_SIZE, PROT_READ, ANON, -1, 0);
	long x = libos_mmap(0, EXO_PAGE_SIZE, PROT_READ | PROT_EXEC, ANON, -1, 0);

	assert_int_equal(npages, 0); // reserved only
	touch((uint64_t)a + 5, READ);
	assert_int_equal(rights_at((uint64_t)a), EXO_R_READ);
	assert_string_equal(libos_mem_fill((uint64_t)a + EXO_PAGE_SIZE, WRITE), "write to read-only memory");
	assert_string_equal(libos_mem_fill((uint64_t)a, PRESENT_WRITE), "write to read-only memory");
	assert_string_equal(libos_mem_fill((uint64_t)a, FETCH), "execution of non-executable memory");
	touch((uint64_t)x, FETCH);
	assert_int_equal(rights_at((uint64_t)x), EXO_R_READ | EXO_R_EXEC);
	assert_string_equal(libos_mem_fill(0x1000, READ), "no mapping");
	assert_string_equal(libos_mem_fill(MMAP_BASE + 1000 * EXO_PAGE_SIZE, READ), "no mapping");
	assert_int_equal(npages, 2);
	// Frames come 16 at a time, then one at a time near the end of the quota, then none.
	long big = libos_mmap(0, 64 * EXO_PAGE_SIZE, RW, ANON, -1, 0), n = 0;
	const char *why = NULL;

	frames_left = 3;
	while (n < 64 && !(why = libos_mem_fill((uint64_t)big + (uint64_t)n * EXO_PAGE_SIZE, WRITE)))
		n++;
	assert_string_equal(why, "out of memory (quota used up)");
	assert_true(n >= 3 && n <= 3 + 16); // what was pooled, plus the last 3 one by one
}

static void test_stack_grows_and_overflows(void **state)
{
	(void)state;
	libos_mem_init();
	touch(EXO_INIT_STACK_TOP - 8 * 1024 * 1024, WRITE); // the lowest page it may grow to
	assert_int_equal(rights_at(EXO_INIT_STACK_TOP - 8 * 1024 * 1024), EXO_R_READ | EXO_R_WRITE);
	assert_string_equal(libos_mem_fill(EXO_INIT_STACK_TOP - 8 * 1024 * 1024 - 8, WRITE),
	                    "stack overflow");
}

static void test_munmap_splits_and_unmaps_pages(void **state)
{
	(void)state;
	long a = libos_mmap(0, 4 * EXO_PAGE_SIZE, RW, ANON, -1, 0);

	for (int i = 0; i < 4; i++)
		touch((uint64_t)a + i * EXO_PAGE_SIZE, WRITE);
	assert_int_equal(libos_munmap((uint64_t)a + EXO_PAGE_SIZE, 2 * EXO_PAGE_SIZE), 0);
	assert_int_equal(npages, 2);
	assert_int_equal(rights_at((uint64_t)a + EXO_PAGE_SIZE), 0);
	assert_int_equal(rights_at((uint64_t)a + 3 * EXO_PAGE_SIZE), EXO_R_READ | EXO_R_WRITE);
	assert_string_equal(libos_mem_fill((uint64_t)a + 2 * EXO_PAGE_SIZE, WRITE), "no mapping");
	touch((uint64_t)a, WRITE); // already there: EEXIST is fine
	// Unmapping nothing, and unaligned or empty ranges.
	assert_int_equal(libos_munmap(MMAP_BASE + 500 * EXO_PAGE_SIZE, EXO_PAGE_SIZE), 0);
	assert_int_equal(libos_munmap((uint64_t)a + 1, EXO_PAGE_SIZE), -EINVAL);
	assert_int_equal(libos_munmap((uint64_t)a, 0), -EINVAL);
	assert_int_equal(libos_munmap(~0ull - EXO_PAGE_SIZE + 1, 2 * EXO_PAGE_SIZE), -EINVAL);
}

static void test_map_fixed_replaces_and_noreplace_refuses(void **state)
{
	(void)state;
	long a = libos_mmap(0, 4 * EXO_PAGE_SIZE, RW, ANON, -1, 0);

	touch((uint64_t)a + EXO_PAGE_SIZE, WRITE);
	assert_int_equal(
	    libos_mmap((uint64_t)a + EXO_PAGE_SIZE, EXO_PAGE_SIZE, PROT_READ, ANON | MAP_FIXED, -1, 0),
	    a + EXO_PAGE_SIZE);
	assert_int_equal(rights_at((uint64_t)a + EXO_PAGE_SIZE), 0); // the old page is gone
	assert_string_equal(libos_mem_fill((uint64_t)a + EXO_PAGE_SIZE, WRITE), "write to read-only memory");
	touch((uint64_t)a + 2 * EXO_PAGE_SIZE, WRITE); // the rest keeps its protection
	assert_int_equal(libos_mmap((uint64_t)a, EXO_PAGE_SIZE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0),
	                 -EEXIST);
	assert_int_equal(libos_mmap(0x1000, EXO_PAGE_SIZE, RW, ANON | MAP_FIXED, -1, 0),
	                 -EINVAL); // NULL page
	assert_int_equal(libos_mmap((uint64_t)a + 1, EXO_PAGE_SIZE, RW, ANON | MAP_FIXED, -1, 0), -EINVAL);
}

static void test_mprotect_changes_mapped_pages_and_splits(void **state)
{
	(void)state;
	long a = libos_mmap(0, 4 * EXO_PAGE_SIZE, RW, ANON, -1, 0);

	touch((uint64_t)a, WRITE);
	touch((uint64_t)a + EXO_PAGE_SIZE, WRITE);
	assert_int_equal(libos_mprotect((uint64_t)a + EXO_PAGE_SIZE, 2 * EXO_PAGE_SIZE, PROT_READ), 0);
	assert_int_equal(rights_at((uint64_t)a), EXO_R_READ | EXO_R_WRITE);
	assert_int_equal(rights_at((uint64_t)a + EXO_PAGE_SIZE), EXO_R_READ);
	assert_string_equal(libos_mem_fill((uint64_t)a + 2 * EXO_PAGE_SIZE, WRITE),
	                    "write to read-only memory");
	touch((uint64_t)a + 3 * EXO_PAGE_SIZE, WRITE);
	assert_int_equal(libos_mprotect((uint64_t)a, 4 * EXO_PAGE_SIZE, RW), 0); // back, merged
	assert_int_equal(rights_at((uint64_t)a + EXO_PAGE_SIZE), EXO_R_READ | EXO_R_WRITE);
	touch((uint64_t)a + 2 * EXO_PAGE_SIZE, WRITE);
	// PROT_NONE keeps the pages (rights 0: out of reach), refusing every access; back to RW, the
	// same pages serve again.
	int before = npages;

	assert_int_equal(libos_mprotect((uint64_t)a, EXO_PAGE_SIZE, 0), 0);
	assert_int_equal(page_index((uint64_t)a) >= 0, 1);
	assert_int_equal(rights_at((uint64_t)a), 0);
	assert_int_equal(npages, before);
	assert_string_equal(libos_mem_fill((uint64_t)a, READ), "access to PROT_NONE memory");
	assert_string_equal(libos_mem_fill((uint64_t)a, READ | 1), "access to PROT_NONE memory");
	assert_int_equal(libos_mprotect((uint64_t)a, EXO_PAGE_SIZE, RW), 0);
	assert_int_equal(rights_at((uint64_t)a), EXO_R_READ | EXO_R_WRITE);
	assert_int_equal(npages, before);
	assert_int_equal(libos_mprotect((uint64_t)a, EXO_PAGE_SIZE, 0), 0);
	// Errors: holes (ENOMEM, as Linux), W+X, unknown bits, unaligned.
	assert_int_equal(libos_mprotect((uint64_t)a, 5 * EXO_PAGE_SIZE, PROT_READ), -ENOMEM);
	assert_int_equal(libos_mprotect((uint64_t)a, EXO_PAGE_SIZE, PROT_WRITE | PROT_EXEC), -EACCES);
	assert_int_equal(libos_mprotect((uint64_t)a, EXO_PAGE_SIZE, 0x100), -EINVAL);
	assert_int_equal(libos_mprotect((uint64_t)a + 1, EXO_PAGE_SIZE, PROT_READ), -EINVAL);
	assert_int_equal(libos_mprotect((uint64_t)a, 0, PROT_READ), 0);
}

static void test_madvise_dontneed_drops_pages(void **state)
{
	(void)state;
	long a = libos_mmap(0, 2 * EXO_PAGE_SIZE, RW, ANON, -1, 0);

	touch((uint64_t)a, WRITE);
	touch((uint64_t)a + EXO_PAGE_SIZE, WRITE);
	assert_int_equal(libos_madvise((uint64_t)a, EXO_PAGE_SIZE, MADV_DONTNEED), 0);
	assert_int_equal(rights_at((uint64_t)a), 0);
	assert_int_equal(rights_at((uint64_t)a + EXO_PAGE_SIZE), EXO_R_READ | EXO_R_WRITE);
	touch((uint64_t)a, WRITE); // the region is still there: a fresh (zeroed) frame
	assert_int_equal(libos_madvise((uint64_t)a + 3, EXO_PAGE_SIZE, MADV_DONTNEED), -EINVAL);
}

static void test_brk_grows_shrinks_and_stops_at_collisions(void **state)
{
	(void)state;
	uint64_t base = (uint64_t)libos_brk(0);

	assert_int_equal(base, ((uint64_t)_end + EXO_PAGE_SIZE - 1) & ~(EXO_PAGE_SIZE - 1));
	assert_int_equal(libos_brk(base + 10000), base + 10000);
	touch(base + 9999, WRITE);
	assert_int_equal(libos_brk(base + 3 * EXO_PAGE_SIZE),
	                 base + 3 * EXO_PAGE_SIZE);          // grows within a page
	assert_int_equal(libos_brk(base + 100), base + 100); // shrinks: pages go
	assert_int_equal(rights_at(base + 2 * EXO_PAGE_SIZE), 0);
	assert_string_equal(libos_mem_fill(base + 2 * EXO_PAGE_SIZE, WRITE), "no mapping");
	assert_int_equal(libos_brk(base - EXO_PAGE_SIZE), base + 100); // below the base: unchanged
	// Something mapped right above the heap stops it.
	assert_int_equal(libos_mmap(base + 4 * EXO_PAGE_SIZE, EXO_PAGE_SIZE, RW, ANON | MAP_FIXED, -1, 0),
	                 base + 4 * EXO_PAGE_SIZE);
	assert_int_equal(libos_brk(base + 8 * EXO_PAGE_SIZE), base + 100);
	assert_int_equal(libos_brk(base + 4 * EXO_PAGE_SIZE), base + 4 * EXO_PAGE_SIZE);
}

static void test_mmap_refuses_bad_arguments(void **state)
{
	(void)state;
	assert_int_equal(libos_mmap(0, 0, RW, ANON, -1, 0), -EINVAL);
	assert_int_equal(libos_mmap(0, ~0ull, RW, ANON, -1, 0), -EINVAL);
	assert_int_equal(libos_mmap(0, EXO_PAGE_SIZE, RW, ANON, -1, 1), -EINVAL);
	assert_int_equal(libos_mmap(0, EXO_PAGE_SIZE, RW, MAP_PRIVATE, 3, 0),
	                 -ENODEV); // files: the VFS issue
	assert_int_equal(libos_mmap(0, EXO_PAGE_SIZE, PROT_WRITE | PROT_EXEC, ANON, -1, 0), -EACCES);
	assert_int_equal(libos_mmap(0, EXO_PAGE_SIZE, 0x40, ANON, -1, 0), -EINVAL);
	assert_int_equal(libos_mmap(0, 1ull << 47, RW, ANON, -1, 0), -ENOMEM); // no room
	assert_int_equal(npages, 0);
}

static void test_full_region_table_is_enomem_not_corruption(void **state)
{
	(void)state;
	long n = 0, r, first = libos_mmap(0, 3 * EXO_PAGE_SIZE, RW, ANON, -1, 0);

	// Alternate protections so that neighbours never merge, until the table is full.
	while ((r = libos_mmap(0, EXO_PAGE_SIZE, n % 2 ? RW : PROT_READ, ANON, -1, 0)) > 0)
		n++;
	assert_int_equal(r, -ENOMEM);
	assert_true(n > 100);
	// Splitting a region needs slots too: refused, and every page keeps its protection.
	assert_int_equal(libos_mprotect((uint64_t)first + EXO_PAGE_SIZE, EXO_PAGE_SIZE, PROT_READ), -ENOMEM);
	for (int i = 0; i < 3; i++)
		touch((uint64_t)first + i * EXO_PAGE_SIZE, WRITE);
	assert_int_equal(libos_munmap((uint64_t)first + EXO_PAGE_SIZE, EXO_PAGE_SIZE),
	                 -ENOMEM);                                             // a hole needs a slot
	assert_int_equal(libos_munmap((uint64_t)first, 3 * EXO_PAGE_SIZE), 0); // a whole region does not
	assert_string_equal(libos_mem_fill((uint64_t)first, WRITE), "no mapping");
}

// mremap without moving (a move copies real memory, which tests/posix/mremap.c covers).
static void test_mremap_in_place_and_errors(void **state)
{
	(void)state;
	long a = libos_mmap(0, 4 * EXO_PAGE_SIZE, RW, ANON, -1, 0);

	touch((uint64_t)a + 3 * EXO_PAGE_SIZE, WRITE);
	assert_int_equal(libos_mremap((uint64_t)a, 4 * EXO_PAGE_SIZE, 2 * EXO_PAGE_SIZE, 0, 0), a); // shrink
	assert_int_equal(rights_at((uint64_t)a + 3 * EXO_PAGE_SIZE), 0); // unmapped
	assert_int_equal(libos_mremap((uint64_t)a, 2 * EXO_PAGE_SIZE, 5 * EXO_PAGE_SIZE, 0, 0),
	                 a); // grow: free after it
	touch((uint64_t)a + 4 * EXO_PAGE_SIZE, WRITE);
	assert_int_equal(
	    libos_mmap((uint64_t)a + 5 * EXO_PAGE_SIZE, EXO_PAGE_SIZE, RW, ANON | MAP_FIXED, -1, 0),
	    a + 5 * EXO_PAGE_SIZE);
	assert_int_equal(libos_mremap((uint64_t)a, 5 * EXO_PAGE_SIZE, 8 * EXO_PAGE_SIZE, 0, 0),
	                 -ENOMEM); // a neighbour
	assert_int_equal(libos_mremap((uint64_t)a + 1, EXO_PAGE_SIZE, EXO_PAGE_SIZE, 0, 0), -EINVAL);
	assert_int_equal(libos_mremap((uint64_t)a, 0, EXO_PAGE_SIZE, MREMAP_MAYMOVE, 0), -EINVAL);
	assert_int_equal(libos_mremap((uint64_t)a, EXO_PAGE_SIZE, 0, MREMAP_MAYMOVE, 0), -EINVAL);
	assert_int_equal(libos_mremap((uint64_t)a, EXO_PAGE_SIZE, EXO_PAGE_SIZE, MREMAP_FIXED, 0), -EINVAL);
	logged = 0;
	assert_int_equal(
	    libos_mremap((uint64_t)a, EXO_PAGE_SIZE, EXO_PAGE_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED, 0),
	    -EINVAL);
	assert_int_equal(logged, 1); // supported on Linux: the refusal is logged
	assert_int_equal(libos_mremap((uint64_t)a + 20 * EXO_PAGE_SIZE, EXO_PAGE_SIZE, EXO_PAGE_SIZE, 0, 0),
	                 -EFAULT);
	assert_int_equal(
	    libos_mremap((uint64_t)a + 5 * EXO_PAGE_SIZE, 2 * EXO_PAGE_SIZE, EXO_PAGE_SIZE, 0, 0),
	    -EFAULT); // runs past the end
}

// mincore: which pages are mapped, found by halving ranges, across regions of other protections.
static void test_mincore_reports_mapped_pages(void **state)
{
	(void)state;
	uint64_t a = (uint64_t)libos_mmap(0, 700 * EXO_PAGE_SIZE, RW, ANON, -1, 0);
	static uint8_t vec[700];

	for (uint64_t i = 0; i < 700; i += 3)
		touch(a + i * EXO_PAGE_SIZE, WRITE);
	assert_int_equal(libos_mprotect(a + 100 * EXO_PAGE_SIZE, 10 * EXO_PAGE_SIZE, PROT_READ), 0);
	memset(vec, 7, sizeof(vec));
	assert_int_equal(libos_mincore(a, 700 * EXO_PAGE_SIZE - 1, vec), 0);
	for (uint64_t i = 0; i < 700; i++)
		assert_int_equal(vec[i], i % 3 == 0);
	assert_int_equal(rights_at(a + 102 * EXO_PAGE_SIZE), EXO_R_READ); // unchanged by the question
	assert_int_equal(rights_at(a + 99 * EXO_PAGE_SIZE), EXO_R_READ | EXO_R_WRITE);
	assert_int_equal(libos_mincore(a + 1, EXO_PAGE_SIZE, vec), -EINVAL);
	assert_int_equal(libos_mincore(a, EXO_PAGE_SIZE, (uint8_t *)8), -EFAULT);
	assert_int_equal(libos_mincore(a + 699 * EXO_PAGE_SIZE, 2 * EXO_PAGE_SIZE, vec), -ENOMEM);
}

static void test_fork_shares_by_kind(void **state)
{
	long anon = libos_mmap(0, 4 * EXO_PAGE_SIZE, RW, ANON, -1, 0);
	long shared = libos_mmap(0, 2 * EXO_PAGE_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long wired = libos_mem_map_wired(EXO_PAGE_SIZE);
	int anon_shared = 0, shared_shared = 0;

	(void)state;
	assert_true(anon > 0 && shared > 0 && wired > 0);
	touch((uint64_t)anon, WRITE);
	assert_int_equal(rights_at((uint64_t)shared), EXO_R_READ | EXO_R_WRITE); // filled at mmap
	assert_int_equal(libos_mem_fork(9, 0, 0), 0);
	for (int i = 0; i < nshares; i++) { // anonymous memory copy-on-write, shared memory as it is
		assert_true(shares[i].va != (uint64_t)wired); // the wired page is not shared
		if (shares[i].va == (uint64_t)anon)
			assert_int_equal(shares[i].mode, EXO_SHARE_COW), anon_shared = 1;
		if (shares[i].va == (uint64_t)shared)
			assert_int_equal(shares[i].mode, EXO_SHARE_SAME), shared_shared = 1;
	}
	assert_true(anon_shared && shared_shared);
	assert_int_equal(rights_at((uint64_t)anon), EXO_R_READ);                 // copy-on-write now
	assert_int_equal(rights_at((uint64_t)shared), EXO_R_READ | EXO_R_WRITE); // still shared, writable
	// A write to a shared page of a MAP_SHARED region is a real protection fault.
	assert_non_null(libos_mem_fill((uint64_t)shared, PRESENT_WRITE) ? "refused" : NULL);
	assert_int_not_equal(libos_mem_shared_ntfn((uint64_t)shared), 0); // futexes across processes
	assert_int_equal(libos_mem_shared_ntfn((uint64_t)anon), 0);
	assert_int_equal(libos_munmap((uint64_t)shared, 2 * EXO_PAGE_SIZE), 0);
	assert_int_equal(notifications, 0); // its notification went with it
}

static void test_cow_write_takes_back_a_private_page(void **state)
{
	long anon = libos_mmap(0, EXO_PAGE_SIZE, RW, ANON, -1, 0);
	int before;

	(void)state;
	touch((uint64_t)anon, WRITE);
	assert_int_equal(libos_mem_fork(9, 0, 0), 0);
	assert_int_equal(rights_at((uint64_t)anon), EXO_R_READ);
	pages[page_index((uint64_t)anon)].shared = 0; // the child let go of it
	before = npages;
	touch((uint64_t)anon, PRESENT_WRITE); // made writable in place: no copy, no new frame
	assert_int_equal(rights_at((uint64_t)anon), EXO_R_READ | EXO_R_WRITE);
	assert_int_equal(npages, before);
	// mprotect back to RW after a fork gives write only to private pages.
	assert_int_equal(libos_mprotect((uint64_t)anon, EXO_PAGE_SIZE, PROT_READ), 0);
	pages[page_index((uint64_t)anon)].shared = 1;
	assert_int_equal(libos_mprotect((uint64_t)anon, EXO_PAGE_SIZE, RW), 0);
	assert_int_equal(rights_at((uint64_t)anon), EXO_R_READ);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mmap_places_first_fit_and_reuses_holes, setup),
		cmocka_unit_test_setup(test_demand_fill_maps_with_region_rights, setup),
		cmocka_unit_test_setup(test_stack_grows_and_overflows, setup),
		cmocka_unit_test_setup(test_munmap_splits_and_unmaps_pages, setup),
		cmocka_unit_test_setup(test_map_fixed_replaces_and_noreplace_refuses, setup),
		cmocka_unit_test_setup(test_mprotect_changes_mapped_pages_and_splits, setup),
		cmocka_unit_test_setup(test_madvise_dontneed_drops_pages, setup),
		cmocka_unit_test_setup(test_brk_grows_shrinks_and_stops_at_collisions, setup),
		cmocka_unit_test_setup(test_mmap_refuses_bad_arguments, setup),
		cmocka_unit_test_setup(test_full_region_table_is_enomem_not_corruption, setup),
		cmocka_unit_test_setup(test_mremap_in_place_and_errors, setup),
		cmocka_unit_test_setup(test_mincore_reports_mapped_pages, setup),
		cmocka_unit_test_setup(test_fork_shares_by_kind, setup),
		cmocka_unit_test_setup(test_cow_write_takes_back_a_private_page, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
