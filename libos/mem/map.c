// SPDX-License-Identifier: MIT
// The address-space map: a sorted table of regions (the program's own segments, anonymous
// mappings, the brk heap, the main stack) with their protection. mmap, brk and stack growth only reserve
// addresses here; the fault handler (fault.c) fills a page with a fresh zeroed frame when it is first touched
// (demand paging). munmap, mprotect (PROT_NONE included: the kernel keeps such pages mapped but
// out of reach, contents intact) and madvise(DONTNEED) act on the pages already there through the
// kernel's range calls. W+X is refused (EACCES), as the kernel refuses it. mremap grows,
// shrinks and moves anonymous mappings (a move copies the pages there); mincore asks the kernel
// which pages are there (setting a page's protection to what it is counts it, changing nothing).
#include <libos/file.h>
#include <libos/mem.h>
#include <libos/proc.h>

#define MMAP_BASE   0x100000000000ull // anonymous mappings go in [MMAP_BASE, MMAP_TOP)
#define MMAP_TOP    0x7f0000000000ull
#define LOW_LIMIT   0x10000ull // MAP_FIXED below this is refused (NULL stays unmapped)
#define STACK_MAX   (8ull << 20)
#define BRK_MAX     (64ull << 30)
#define MAX_REGIONS 1024

// SHARED: MAP_SHARED|MAP_ANONYMOUS, shared across fork; WIRED: a thread's fault-handler stack,
// never shared (a fork copies the forking thread's); FILE: a boot file mapped, each page filled
// with a copy of the file's page when first touched (the files are read-only: private and shared
// mappings are alike).
enum kind { ANON, HEAP, STACK, IMAGE, SHARED, WIRED, FILE };

struct region {
	uint64_t start, end;
	uint64_t src, eof; // FILE: where the file's bytes for start are mapped here, where they end
	uint64_t ntfn;     // SHARED: the notification futex waits of every process sharing it use
	uint8_t prot;      // PROT_*
	uint8_t kind;
};

// Everything written under the map's lock is wired: a copy-on-write fault there would wait for
// the lock in the fault handler.
static struct region regions[MAX_REGIONS] LIBOS_WIRED; // sorted by start, never overlapping
static int nregions LIBOS_WIRED;
// Zeroed frames allocated ahead for demand fills: one kernel call per FRAME_BATCH faults.
#define FRAME_BATCH 16
static uint64_t frame_pool[FRAME_BATCH] LIBOS_WIRED; // the fault handler's, as the lock
static int pooled LIBOS_WIRED;
static volatile int map_lock LIBOS_WIRED;
static uint64_t brk_base LIBOS_WIRED, brk_cur LIBOS_WIRED;
// Set once the process has forked or was forked: its private pages may be copy-on-write (shared
// read-only with another process), so write is only given back to pages nobody else holds.
static int cow LIBOS_WIRED;
#define EAGER_DATA 256 // pages: a program's data up to this size is copied at fork, not shared

// Takes the map's lock - after making the stack the caller runs on private (writing to a
// copy-on-write page faults, and the fault handler needs the lock).
static void lock_map(void)
{
	if (cow) {
		volatile uint8_t *sp = (volatile uint8_t *)__builtin_frame_address(0);

		sp[0] = sp[0];
		sp[-EXO_PAGE_SIZE] = sp[-EXO_PAGE_SIZE];
	}
	libos_lock(&map_lock);
}

extern char _end[]; // the end of the program's data (toolchain/ld/user.ld)

static uint64_t page_up(uint64_t a)
{
	return (a + EXO_PAGE_SIZE - 1) & ~(EXO_PAGE_SIZE - 1);
}

static long exo_prot(long prot)
{
	return EXO_R_READ | (prot & PROT_WRITE ? EXO_R_WRITE : 0) | (prot & PROT_EXEC ? EXO_R_EXEC : 0);
}

// The first region ending above addr (nregions if none).
static int first_after(uint64_t addr)
{
	int lo = 0, hi = nregions;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (regions[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct region *find(uint64_t addr)
{
	int i = first_after(addr);

	return i < nregions && regions[i].start <= addr ? &regions[i] : NULL;
}

// Sets prot on the pages there of [va, va + pages * EXO_PAGE_SIZE) (pages <= EXO_MAP_BATCH_MAX); returns
// how many there are, or the kernel's error.
// After a fork, write goes back only to the private pages of a private region: the others stay
// read-only and are copied on the first write (fill).
static long protect(uint64_t va, uint64_t pages, long prot, int kind)
{ // PROT_NONE is rights 0: the pages stay, out of reach
	long r;

	if (!cow || !(prot & PROT_WRITE) || kind == SHARED)
		return exo_vspace_protect_range(libos_boot->self, va, pages,
		                                prot ? (unsigned long)exo_prot(prot) : 0);
	r = exo_vspace_protect_range(libos_boot->self, va, pages,
	                             (unsigned long)exo_prot(prot & ~PROT_WRITE));
	if (r > 0)
		exo_vspace_protect_range(libos_boot->self, va, pages,
		                         EXO_PROT_IF_PRIVATE | EXO_R_READ | EXO_R_WRITE);
	return r;
}

// Unmaps or (re)protects the pages of [start, end) in chunks the kernel's range calls take; 0 or
// the first error.
static long for_pages(uint64_t start, uint64_t end, long prot, int unmap, int kind)
{
	long err = 0;

	for (uint64_t va = start; va < end; va += EXO_MAP_BATCH_MAX * EXO_PAGE_SIZE) {
		uint64_t pages = (end - va) / EXO_PAGE_SIZE < EXO_MAP_BATCH_MAX ? (end - va) / EXO_PAGE_SIZE
		                                                                : EXO_MAP_BATCH_MAX;
		long r = unmap ? exo_vspace_unmap_range(libos_boot->self, va, pages)
		               : protect(va, pages, prot, kind);

		if (r < 0 && !err)
			err = r;
	}
	return err;
}

// Moves r's start up to start (a file mapping's source moves with it).
static void move_start(struct region *r, uint64_t start)
{
	r->src += start - r->start;
	r->start = start;
}

// A shared region's notification goes with the last region holding it outside [from, to).
static void drop_ntfn(uint64_t ntfn, int from, int to)
{
	for (int i = 0; i < nregions && ntfn; i++)
		if ((i < from || i >= to) && regions[i].ntfn == ntfn)
			return;
	if (ntfn)
		exo_cap_delete(ntfn);
}

// Cuts [start, end) out of the table (splitting regions at its edges) and unmaps its pages.
// -ENOMEM if a split needs a slot the table does not have.
static long carve(uint64_t start, uint64_t end)
{
	int i = first_after(start);

	if (i < nregions && regions[i].start < start && regions[i].end > end) { // split in two
		if (nregions == MAX_REGIONS)
			return -ENOMEM;
		memmove(&regions[i + 1], &regions[i], (size_t)(nregions - i) * sizeof(regions[0]));
		nregions++;
		regions[i].end = start;
		move_start(&regions[i + 1], end);
		for_pages(start, end, 0, 1, 0);
		return 0;
	}
	if (i < nregions && regions[i].start < start) { // keep its head
		for_pages(start, regions[i].end, 0, 1, 0);
		regions[i++].end = start;
	}
	int j = i;
	while (j < nregions && regions[j].end <= end) // drop whole regions
		for_pages(regions[j].start, regions[j].end, 0, 1, 0), j++;
	for (int k = i; k < j; k++)
		drop_ntfn(regions[k].ntfn, i, j);
	if (j < nregions && regions[j].start < end) { // keep its tail
		for_pages(regions[j].start, end, 0, 1, 0);
		move_start(&regions[j], end);
	}
	memmove(&regions[i], &regions[j], (size_t)(nregions - j) * sizeof(regions[0]));
	nregions -= j - i;
	return 0;
}

static int same(const struct region *a, long prot, int kind)
{
	return a->prot == prot && a->kind == kind && kind != FILE && kind != SHARED; // each its own
}

// Adds [start, end) (free in the table), merging with equal neighbours.
static long insert(uint64_t start, uint64_t end, long prot, int kind)
{
	int i = first_after(start);
	int left = i > 0 && regions[i - 1].end == start && same(&regions[i - 1], prot, kind);
	int right = i < nregions && regions[i].start == end && same(&regions[i], prot, kind);

	if (left && right) {
		regions[i - 1].end = regions[i].end;
		memmove(&regions[i], &regions[i + 1], (size_t)(nregions - i - 1) * sizeof(regions[0]));
		nregions--;
	} else if (left) {
		regions[i - 1].end = end;
	} else if (right) {
		regions[i].start = start;
	} else {
		if (nregions == MAX_REGIONS)
			return -ENOMEM;
		memmove(&regions[i + 1], &regions[i], (size_t)(nregions - i) * sizeof(regions[0]));
		regions[i] = (struct region){ start, end, 0, 0, 0, (uint8_t)prot, (uint8_t)kind };
		nregions++;
	}
	return 0;
}

static int is_free(uint64_t start, uint64_t end)
{
	int i = first_after(start);

	return i == nregions || regions[i].start >= end;
}

// First fit in the mmap area; 0 if nothing is large enough.
static uint64_t find_free(uint64_t len)
{
	uint64_t at = MMAP_BASE;

	for (int i = first_after(MMAP_BASE); i < nregions && regions[i].start < MMAP_TOP; i++) {
		if (regions[i].start >= at + len)
			break;
		if (regions[i].end > at)
			at = regions[i].end;
	}
	return at + len <= MMAP_TOP ? at : 0;
}

// Whether len more bytes of address space stay within RLIMIT_AS (the main stack's reserve is not
// counted: its pages are, as they come, in Linux's count too).
static int as_room(uint64_t len)
{
	uint64_t limit = libos_rlimit(RLIMIT_AS), total = len;

	for (int i = 0; i < nregions && limit != ~0ull; i++)
		if (regions[i].kind != STACK)
			total += regions[i].end - regions[i].start;
	return limit == ~0ull || total <= limit;
}

static int bad_range(uint64_t addr, uint64_t len)
{
	return (addr & (EXO_PAGE_SIZE - 1)) || len == 0 || addr < LOW_LIMIT || addr + len < addr ||
	       addr + len > MMAP_TOP;
}

long libos_mmap(uint64_t addr, uint64_t len, long prot, long flags, long fd, long off)
{
	uint64_t size = page_up(len), at, file_size = 0;
	const uint8_t *file = NULL;
	long err;

	if (len == 0 || size < len || (off & (long)(EXO_PAGE_SIZE - 1)) || off < 0)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS) && (err = libos_file_map_source(fd, prot, flags, &file, &file_size)))
		return err;
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -EACCES; // W^X
	if (prot & ~(long)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	lock_map();
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		at = addr;
		if (bad_range(at, size))
			err = -EINVAL;
		else if ((flags & MAP_FIXED_NOREPLACE) && !is_free(at, at + size))
			err = -EEXIST;
		else
			err = carve(at, at + size);
	} else {
		at = !bad_range(addr, size) && addr >= MMAP_BASE && is_free(addr, addr + size)
		         ? addr
		         : find_free(size);
		err = at ? 0 : -ENOMEM;
	}
	if (!err && !as_room(size))
		err = -ENOMEM;
	if (!err && file) {
		err = insert(at, at + size, prot, FILE);
		if (!err) {
			struct region *r = find(at);

			r->src = (uint64_t)file + (uint64_t)off;
			r->eof = (uint64_t)file + file_size;
		}
	} else if (!err) {
		err = insert(at, at + size, prot, flags & MAP_SHARED ? SHARED : ANON);
		if (!err && (flags & MAP_SHARED)) { // for futexes across processes
			long n = exo_notify_create();

			find(at)->ntfn = n > 0 ? (uint64_t)n : 0;
		}
	}
	libos_unlock(&map_lock);
	// Shared memory is there at once: a page first touched after a fork must be the same frame
	// in both processes.
	for (uint64_t o = 0; !err && !file && (flags & MAP_SHARED) && prot && o < size; o += EXO_PAGE_SIZE)
		libos_mem_fill(at + o, 0);
	return err ? err : (long)at;
}

long libos_munmap(uint64_t addr, uint64_t len)
{
	long err;

	if ((addr & (EXO_PAGE_SIZE - 1)) || len == 0 || addr + page_up(len) < addr)
		return -EINVAL;
	lock_map();
	err = carve(addr, addr + page_up(len));
	libos_unlock(&map_lock);
	return err;
}

// Is [start, end) wholly inside regions?
static int covered(uint64_t start, uint64_t end)
{
	for (int i = first_after(start); start < end; i++) {
		if (i == nregions || regions[i].start > start)
			return 0;
		start = regions[i].end;
	}
	return 1;
}

// Splits the region containing a at a, so a region starts there. -ENOMEM if the table is full.
static long split_at(uint64_t a)
{
	struct region *r = find(a);
	int i;

	if (!r || r->start == a)
		return 0;
	if (nregions == MAX_REGIONS)
		return -ENOMEM;
	i = (int)(r - regions);
	memmove(&regions[i + 1], &regions[i], (size_t)(nregions - i) * sizeof(regions[0]));
	nregions++;
	regions[i].end = a;
	move_start(&regions[i + 1], a);
	return 0;
}

// Joins adjacent regions of the same protection and kind.
static void merge_all(void)
{
	int n = 0;

	for (int i = 0; i < nregions; i++) {
		if (n && regions[n - 1].end == regions[i].start &&
		    same(&regions[n - 1], regions[i].prot, regions[i].kind))
			regions[n - 1].end = regions[i].end;
		else
			regions[n++] = regions[i];
	}
	nregions = n;
}

// mprotect of [addr, end) with the lock held. The kernel refuses rights beyond those a page was
// mapped with (the program's text made writable): EACCES, the table unchanged.
static long protect_regions(uint64_t addr, uint64_t end, long prot)
{
	long err = covered(addr, end) ? 0 : -ENOMEM;

	if (!err)
		err = split_at(addr);
	if (!err)
		err = split_at(end);
	for (int i = first_after(addr); !err && i < nregions && regions[i].start < end; i++)
		if (for_pages(regions[i].start, regions[i].end, prot, 0, regions[i].kind) < 0)
			err = -EACCES;
	for (int i = first_after(addr); !err && i < nregions && regions[i].start < end; i++)
		regions[i].prot = (uint8_t)prot;
	merge_all();
	return err;
}

long libos_mprotect(uint64_t addr, uint64_t len, long prot)
{
	uint64_t end = addr + page_up(len);
	long err;

	if ((addr & (EXO_PAGE_SIZE - 1)) || end < addr ||
	    (prot & ~(long)(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -EACCES;
	if (len == 0)
		return 0;
	lock_map();
	err = protect_regions(addr, end, prot);
	libos_unlock(&map_lock);
	return err;
}

// Copies the pages there of [from, from + len) to the same offsets from to (readable, writable).
static void copy_pages(uint64_t from, uint64_t to, uint64_t len)
{
	for (uint64_t off = 0; off < len; off += EXO_PAGE_SIZE)
		if (protect(from + off, 1, PROT_READ, ANON) == 1) // about to go: read-only is enough
			memcpy((void *)(to + off), (const void *)(from + off), EXO_PAGE_SIZE);
}

// mremap of an anonymous mapping: shrinks in place, grows in place when the addresses after it
// are free, else (MREMAP_MAYMOVE) moves to new addresses, copying the pages there.
long libos_mremap(uint64_t old, uint64_t old_len, uint64_t new_len, long flags, uint64_t new_addr)
{
	uint64_t old_end = old + page_up(old_len), size = page_up(new_len), at;
	struct region *r;
	long prot, err = 0;

	(void)new_addr;
	if ((old & (EXO_PAGE_SIZE - 1)) || !old_len || !new_len || size < new_len || old_end < old ||
	    (flags & ~(long)(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) ||
	    ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)))
		return -EINVAL;
	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) {
		libos_log_once("mremap", "mremap flags %#lx: EINVAL: only MREMAP_MAYMOVE is supported",
		               flags);
		return -EINVAL;
	}
	lock_map();
	r = find(old);
	if (!r || r->end < old_end) {
		libos_unlock(&map_lock);
		return -EFAULT;
	}
	prot = r->prot;
	if (r->kind != ANON) {
		err = -EFAULT;
	} else if (size <= old_end - old) {
		err = carve(old + size, old_end);
		at = old;
	} else if (r->end == old_end && old + size <= MMAP_TOP && is_free(old_end, old + size)) {
		err = insert(old_end, old + size, prot, ANON);
		at = old;
	} else if (!(flags & MREMAP_MAYMOVE)) {
		err = -ENOMEM;
	} else {
		at = find_free(size);
		err = at ? insert(at, at + size, PROT_READ | PROT_WRITE, ANON) : -ENOMEM;
		if (!err && !(prot & PROT_READ) && protect_regions(old, old_end, PROT_READ))
			err = carve(at, at + size) ?: -ENOMEM;
		libos_unlock(&map_lock); // the copy faults the new pages in
		if (!err)
			copy_pages(old, at, old_end - old);
		lock_map();
		if (!err)
			err = carve(old, old_end);
		if (!err && prot != (PROT_READ | PROT_WRITE))
			err = protect_regions(at, at + size, prot);
	}
	libos_unlock(&map_lock);
	return err ? err : (long)at;
}

// vec[i] = 1 for each page of [va, va + pages * EXO_PAGE_SIZE) that is there (pages <= the kernel's
// batch), asking about halves until the kernel's count is all or nothing.
static long resident(uint64_t va, uint64_t pages, long prot, int kind, uint8_t *vec)
{
	long n = protect(va, pages, prot, kind);

	if (n < 0)
		return n;
	if (n == 0 || (uint64_t)n == pages) {
		memset(vec, n ? 1 : 0, pages);
		return 0;
	}
	n = resident(va, pages / 2, prot, kind, vec);
	return n ? n
	         : resident(va + pages / 2 * EXO_PAGE_SIZE, pages - pages / 2, prot, kind, vec + pages / 2);
}

long libos_mincore(uint64_t addr, uint64_t len, uint8_t *vec)
{
	uint64_t end = addr + page_up(len), pages = 0;
	uint8_t chunk[EXO_MAP_BATCH_MAX];
	long err = 0;

	if ((addr & (EXO_PAGE_SIZE - 1)) || end < addr)
		return -EINVAL;
	for (uint64_t va = addr; !err && va < end; va += pages * EXO_PAGE_SIZE, vec += pages) {
		const struct region *r;

		lock_map();
		r = covered(va, end) ? find(va) : NULL;
		if (r) {
			pages = ((r->end < end ? r->end : end) - va) / EXO_PAGE_SIZE;
			pages = pages < EXO_MAP_BATCH_MAX ? pages : EXO_MAP_BATCH_MAX;
			err = resident(va, pages, r->prot, r->kind, chunk);
		}
		libos_unlock(&map_lock); // a fault in the copy takes it
		if (!r)
			err = -ENOMEM;
		else if (!err && libos_copy(vec, chunk, pages))
			err = -EFAULT;
	}
	return err;
}

long libos_madvise(uint64_t addr, uint64_t len, long advice)
{
	uint64_t end = addr + page_up(len);

	if ((addr & (EXO_PAGE_SIZE - 1)) || end < addr)
		return -EINVAL;
	if (advice != MADV_DONTNEED)
		return 0; // hints
	lock_map();
	// Private anonymous memory reads as zero after DONTNEED: drop the pages, keep the region.
	for (int i = first_after(addr); i < nregions && regions[i].start < end; i++)
		for_pages(regions[i].start > addr ? regions[i].start : addr,
		          regions[i].end < end ? regions[i].end : end, 0, 1, 0);
	libos_unlock(&map_lock);
	return 0;
}

// brk: the heap region [brk_base, page_up(brk_cur)) grows and shrinks in place; a request that
// would collide with another region or pass BRK_MAX leaves it as it is (Linux's behaviour).
long libos_brk(uint64_t addr)
{
	uint64_t old_end, new_end;

	lock_map();
	old_end = page_up(brk_cur), new_end = page_up(addr);
	if (addr >= brk_base && addr <= brk_base + BRK_MAX) {
		if (new_end > old_end && is_free(old_end, new_end) && as_room(new_end - old_end) &&
		    insert(old_end, new_end, PROT_READ | PROT_WRITE, HEAP) == 0)
			brk_cur = addr;
		else if (new_end <= old_end && carve(new_end, old_end) == 0)
			brk_cur = addr;
	}
	addr = brk_cur;
	libos_unlock(&map_lock);
	return (long)addr;
}

int libos_mem_mapped(uint64_t addr)
{
	int mapped;

	lock_map();
	mapped = find(addr) != NULL;
	libos_unlock(&map_lock);
	return mapped;
}

// A zeroed frame from the pool (refilled FRAME_BATCH at a time) into *frame; 0 or why not.
static const char *pool_take(uint64_t *frame)
{
	if (!pooled) {
		long err = exo_frame_alloc(libos_boot->quota, FRAME_BATCH, frame_pool);

		if (err != FRAME_BATCH) // near the end of the quota: one at a time
			err = exo_frame_alloc(libos_boot->quota, 1, frame_pool);
		if (err <= 0)
			return err == -EXO_ENOMEM   ? "out of memory (quota used up)"
			       : err == -EXO_ENOSPC ? "no free capability slot for a frame"
			                            : "frame allocation refused";
		pooled = (int)err;
	}
	*frame = frame_pool[--pooled];
	return 0;
}

// Copies the pages of [start, end) mapped here into fresh frames at the same addresses in process
// with prot (replacing what is there: the kernel's copy call, 512 pages at a time). 0 or why not.
static const char *copy_range(uint64_t process, uint64_t start, uint64_t end, long prot)
{
	for (uint64_t va = start; va < end; va += EXO_MAP_BATCH_MAX * EXO_PAGE_SIZE) {
		uint64_t pages = (end - va) / EXO_PAGE_SIZE;
		long r = exo_vspace_copy_range(libos_boot->self, va, process, va,
		                               pages < EXO_MAP_BATCH_MAX ? pages : EXO_MAP_BATCH_MAX,
		                               (uint64_t)exo_prot(prot));

		if (r < 0)
			return r == -EXO_ENOMEM ? "out of memory (quota used up)"
			                        : "a page could not be copied";
	}
	return 0;
}

// A write to a present page of a writable private region: a copy-on-write page. It becomes
// writable as it is if nobody else holds its frame any more, else it is copied.
static const char *cow_fill(uint64_t page, const struct region *r)
{
	if (r->kind == SHARED || !cow)
		return "protection violation";
	if (exo_vspace_protect_range(libos_boot->self, page, 1,
	                             EXO_PROT_IF_PRIVATE | EXO_R_READ | EXO_R_WRITE) == 1)
		return 0;
	return copy_range(libos_boot->self, page, page + EXO_PAGE_SIZE, r->prot);
}

const char *libos_mem_fill(uint64_t addr, uint64_t error)
{
	struct exo_map_op op = { 0, addr & ~(EXO_PAGE_SIZE - 1), 0 };
	const char *why = 0;
	struct region *r;

	libos_lock(&map_lock);
	r = find(addr);
	if (!r)
		why = addr >= EXO_INIT_STACK_TOP - STACK_MAX - 64 * EXO_PAGE_SIZE && addr < EXO_INIT_STACK_TOP
		          ? "stack overflow"
		          : "no mapping";
	else if (r->kind == STACK && addr < EXO_INIT_STACK_TOP - libos_rlimit(RLIMIT_STACK))
		why = "stack overflow (RLIMIT_STACK)";
	else if (r->prot == 0)
		why = "access to PROT_NONE memory";
	else if ((error & 2) && !(r->prot & PROT_WRITE))
		why = "write to read-only memory";
	else if ((error & 16) && !(r->prot & PROT_EXEC))
		why = "execution of non-executable memory";
	else if (error & 1) {
		why = (error & 2) ? cow_fill(op.vaddr, r) : "protection violation";
		libos_unlock(&map_lock);
		return why;
	}
	if (!why && r->kind == FILE) {
		uint64_t from = r->src + (op.vaddr - r->start);

		long got = from >= r->eof ? 0
		                          : exo_vspace_copy_range(libos_boot->self, from, libos_boot->self,
		                                                  op.vaddr, 1, (uint64_t)exo_prot(r->prot));

		// EEXIST: another thread filled it first.
		why = from >= r->eof                   ? "access beyond the end of the mapped file"
		      : got == 1 || got == -EXO_EEXIST ? 0
		                                       : "a page of the file could not be copied";
		libos_unlock(&map_lock);
		return why;
	}
	if (!why)
		why = pool_take(&op.frame);
	if (!why) {
		// The capability goes with the mapping (EXO_MAP_MOVE); if another thread filled the
		// page first (EEXIST) the frame goes back to the pool.
		op.prot = (uint64_t)exo_prot(r->prot) | EXO_MAP_MOVE;
		if (exo_vspace_map(libos_boot->self, &op, 1) != 1) {
			pooled++;
			// Already there (another thread's fill, or a page a write is asked for ahead of
			// time, as for a signal frame): copy-on-write still applies.
			if ((error & 2) && cow && r->kind != SHARED)
				why = cow_fill(op.vaddr, r);
		}
	}
	libos_unlock(&map_lock);
	return why;
}

// Copies the pages of [start, end) mapped here into the child (pages <= the kernel's batch).

// Shares the pages of [start, end) into child with the kernel's range call; an error, or 0.
static long share(uint64_t child, uint64_t start, uint64_t end, uint64_t mode)
{
	long err = 0;

	for (uint64_t va = start; va < end && err >= 0; va += EXO_MAP_BATCH_MAX * EXO_PAGE_SIZE) {
		uint64_t pages = (end - va) / EXO_PAGE_SIZE;

		err = exo_vspace_share_range(
		    libos_boot->self, va, pages < EXO_MAP_BATCH_MAX ? pages : EXO_MAP_BATCH_MAX, child, mode);
	}
	return err < 0 ? err : 0;
}

// libos's wired data (libos.h: what the fault handler writes) and the forking thread's fault
// stack (wired: [wired, wired + wired_pages pages), or none) are copied at once, under the lock
// and before anything is shared, so that nothing the lock's holder writes is copy-on-write yet.
// Then, without the lock (a write to a page just shared faults, and the fault handler takes the
// lock), the program's other data, the heap, the stacks and anonymous memory are shared
// copy-on-write, MAP_SHARED memory as it is, wired memory not at all.
long libos_mem_fork(uint64_t child, uint64_t wired, uint64_t wired_pages)
{
	uint64_t from = (uint64_t)__libos_wired_start, to = (uint64_t)__libos_wired_end;
	const char *why;
	long err = 0;
	int n;

	lock_map();
	cow = 1;
	why = copy_range(child, from, to, PROT_READ | PROT_WRITE);
	if (wired_pages && !why) // a thread's fault stack
		why = copy_range(child, wired, wired + wired_pages * EXO_PAGE_SIZE, PROT_READ | PROT_WRITE);
	libos_unlock(&map_lock);
	// Region by region, each read under the lock and shared without it.
	for (int i = 0; err >= 0 && !why; i++) {
		struct region r;
		uint64_t mode;

		lock_map();
		n = nregions;
		if (i < n)
			r = regions[i];
		libos_unlock(&map_lock);
		if (i >= n)
			break;
		mode = r.kind == SHARED ? EXO_SHARE_SAME : EXO_SHARE_COW;
		if (r.kind == WIRED)
			continue;
		if (r.kind == IMAGE && (r.prot & PROT_WRITE) &&
		    r.end - r.start <= EAGER_DATA * EXO_PAGE_SIZE) {
			// The data of most programs: copied at once is cheaper than faults on both sides.
			why = copy_range(child, r.start, from < r.end && r.start < to ? from : r.end, r.prot);
			if (!why && from < r.end && r.start < to)
				why = copy_range(child, to, r.end, r.prot);
			continue;
		}
		if (r.start < to && from < r.end) { // around the wired data
			err = share(child, r.start, from, mode);
			if (err >= 0)
				err = share(child, to, r.end, mode);
		} else {
			err = share(child, r.start, r.end, mode);
		}
	}
	if (why)
		libos_log("fork: %s", why);
	return why ? -ENOMEM : err < 0 ? err : 0;
}

long libos_mem_map_wired(uint64_t len)
{
	uint64_t size = page_up(len), at;
	long err;

	lock_map();
	at = find_free(size);
	err = at ? insert(at, at + size, PROT_READ | PROT_WRITE, WIRED) : -ENOMEM;
	libos_unlock(&map_lock);
	for (uint64_t off = 0; !err && off < size; off += EXO_PAGE_SIZE) // there before the handler needs it
		libos_mem_fill(at + off, 2);
	return err ? err : (long)at;
}

void libos_mem_fork_child(uint64_t keep)
{
	map_lock = 0; // held by the parent while it copied the page
	pooled = 0;   // the pool's capabilities are the parent's
	cow = 1;
	// The other threads' fault-handler stacks did not come along.
	for (int i = 0; i < nregions; i++)
		if (regions[i].kind == WIRED && (keep < regions[i].start || keep >= regions[i].end))
			carve(regions[i].start, regions[i].end), i--;
}

// The program's segments as the kernel loaded them (so a fault there has its true reason); its
// data ends at _end: the brk heap starts on the next page. The main stack may grow down to
// STACK_MAX below its top (the kernel maps its first pages).
void libos_mem_init(void)
{
	const char *phdrs = (const char *)&__ehdr_start + __ehdr_start.phoff;

	for (unsigned i = 0; i < __ehdr_start.phnum; i++) {
		const struct libos_elf_phdr *ph = (const void *)(phdrs + i * __ehdr_start.phentsize);
		long prot = (ph->flags & 4 ? PROT_READ : 0) | (ph->flags & 2 ? PROT_WRITE : 0) |
		            (ph->flags & 1 ? PROT_EXEC : 0);

		if (ph->type == 1) // PT_LOAD: the kernel mapped it whole
			insert(ph->vaddr & ~(EXO_PAGE_SIZE - 1), page_up(ph->vaddr + ph->memsz), prot, IMAGE);
	}
	brk_base = brk_cur = page_up((uint64_t)_end);
	insert(EXO_INIT_STACK_TOP - STACK_MAX, EXO_INIT_STACK_TOP, PROT_READ | PROT_WRITE, STACK);
}

long libos_mem_adopt_shared(uint64_t at, uint64_t len)
{
	long err;

	lock_map();
	err = bad_range(at, len) || !is_free(at, at + page_up(len))
	          ? -EINVAL
	          : insert(at, at + page_up(len), PROT_READ | PROT_WRITE, SHARED);
	libos_unlock(&map_lock);
	return err;
}

uint64_t libos_mem_shared_ntfn(uint64_t addr)
{
	struct region *r;
	uint64_t n = 0;

	lock_map();
	r = find(addr);
	if (r && r->kind == SHARED)
		n = r->ntfn;
	libos_unlock(&map_lock);
	return n;
}

long libos_mem_fork_shared(uint64_t child, void (*note)(uint64_t parent, uint64_t child, void *ctx),
                           void *ctx)
{
	long r = 0;

	lock_map();
	for (int i = 0; i < nregions && r >= 0; i++)
		if (regions[i].kind == SHARED && regions[i].ntfn) {
			bool seen = false;

			for (int k = 0; k < i; k++)
				seen |= regions[k].ntfn == regions[i].ntfn;
			if (!seen && (r = exo_cap_copy(regions[i].ntfn, child, EXO_R_ALL)) > 0)
				note(regions[i].ntfn, (uint64_t)r, ctx);
		}
	libos_unlock(&map_lock);
	return r < 0 ? r : 0;
}

void libos_mem_fork_translate(uint64_t (*xlat)(uint64_t parent, void *ctx), void *ctx)
{
	for (int i = 0; i < nregions; i++)
		if (regions[i].kind == SHARED && regions[i].ntfn)
			regions[i].ntfn = xlat(regions[i].ntfn, ctx);
}
