// SPDX-License-Identifier: MIT
// Physical frame allocator. One bit per 4 KiB frame between the lowest and the highest usable
// address: 1 = allocated or not RAM, 0 = free. The list of managed ranges (usable RAM minus the
// excluded ranges) tells a free of a non-RAM frame from a double free; both panic, since only
// kernel code frees frames. Allocation is next-fit from a hint; contiguous allocation scans.
// Locking: one spin lock; not to be called from interrupt handlers.
#include <common/string.h>
#include <kern/frame.h>
#include <kern/panic.h>
#include <kern/physmap.h>
#include <kern/spinlock.h>

#define MAX_RANGES 128
#define BITS       64

static struct {
	spinlock_t lock;
	paddr_t base;                        // physical address of bit 0
	uint64_t nframes;                    // bits in the bitmap
	uint64_t *bitmap;                    // via the direct map
	uint64_t hint;                       // word index where the next search starts
	struct mem_range ranges[MAX_RANGES]; // managed (allocatable) ranges, sorted, disjoint
	size_t nranges;
	struct frame_stats stats;
} fa = { .lock = SPINLOCK_INIT_RANK(LOCK_RANK_FRAME) };

// Subtracts [ex.base, ex.base+ex.len) from the sorted range list.
static void ranges_subtract(struct mem_range ex)
{
	paddr_t ex_end = ex.base + ex.len;

	for (size_t i = 0; i < fa.nranges; i++) {
		struct mem_range *r = &fa.ranges[i];
		paddr_t end = r->base + r->len;

		if (ex_end <= r->base || ex.base >= end)
			continue;
		if (ex.base > r->base && ex_end < end) { // split in two
			if (fa.nranges == MAX_RANGES)
				panic("frame: too many memory ranges");
			memmove(r + 2, r + 1, (fa.nranges - i - 1) * sizeof(*r));
			fa.nranges++;
			r[1].base = ex_end;
			r[1].len = end - ex_end;
			r->len = ex.base - r->base;
			i++;
		} else if (ex.base > r->base) { // cut the tail
			r->len = ex.base - r->base;
		} else if (ex_end < end) { // cut the head
			r->base = ex_end;
			r->len = end - ex_end;
		} else { // drop it
			memmove(r, r + 1, (fa.nranges - i - 1) * sizeof(*r));
			fa.nranges--;
			i--;
		}
	}
}

static void ranges_add(struct mem_range r)
{
	paddr_t base = ALIGN_UP(r.base, PAGE_SIZE);
	paddr_t end = ALIGN_DOWN(r.base + r.len, PAGE_SIZE);
	size_t i;

	if (end <= base)
		return;
	// Merge-free insert: overlapping input is removed first so ranges stay disjoint.
	ranges_subtract((struct mem_range){ base, end - base });
	if (fa.nranges == MAX_RANGES)
		panic("frame: too many memory ranges");
	for (i = 0; i < fa.nranges && fa.ranges[i].base < base; i++)
		;
	memmove(&fa.ranges[i + 1], &fa.ranges[i], (fa.nranges - i) * sizeof(fa.ranges[0]));
	fa.ranges[i] = (struct mem_range){ base, end - base };
	fa.nranges++;
}

static bool is_managed(paddr_t pa)
{
	for (size_t i = 0; i < fa.nranges; i++)
		if (pa >= fa.ranges[i].base && pa - fa.ranges[i].base < fa.ranges[i].len)
			return true;
	return false;
}

static inline bool bit_test(uint64_t i)
{
	return fa.bitmap[i / BITS] & (1ull << (i % BITS));
}

static inline void bit_set(uint64_t i)
{
	fa.bitmap[i / BITS] |= 1ull << (i % BITS);
}

static inline void bit_clear(uint64_t i)
{
	fa.bitmap[i / BITS] &= ~(1ull << (i % BITS));
}

int frame_init(const struct mem_range *usable, size_t nusable, const struct mem_range *excluded,
               size_t nexcluded, uint64_t reported_reserved)
{
	uint64_t usable_bytes = 0, managed_bytes = 0;
	paddr_t lo, hi;
	size_t bitmap_bytes;
	struct mem_range bm = { 0, 0 };

	memset(&fa, 0, sizeof(fa));
	for (size_t i = 0; i < nusable; i++)
		ranges_add(usable[i]);
	for (size_t i = 0; i < fa.nranges; i++)
		usable_bytes += fa.ranges[i].len;
	for (size_t i = 0; i < nexcluded; i++)
		ranges_subtract((struct mem_range){ ALIGN_DOWN(excluded[i].base, PAGE_SIZE),
		                                    ALIGN_UP(excluded[i].base + excluded[i].len, PAGE_SIZE) -
		                                        ALIGN_DOWN(excluded[i].base, PAGE_SIZE) });
	ranges_subtract((struct mem_range){ 0, PAGE_SIZE }); // frame 0 means "no frame"
	if (fa.nranges == 0)
		return -1;

	lo = fa.ranges[0].base;
	hi = fa.ranges[fa.nranges - 1].base + fa.ranges[fa.nranges - 1].len;
	fa.base = lo;
	fa.nframes = (hi - lo) / PAGE_SIZE;
	bitmap_bytes = ALIGN_UP(ALIGN_UP(fa.nframes, BITS) / 8, PAGE_SIZE);

	for (size_t i = 0; i < fa.nranges; i++) {
		if (fa.ranges[i].len >= bitmap_bytes) {
			bm = (struct mem_range){ fa.ranges[i].base, bitmap_bytes };
			break;
		}
	}
	if (bm.len == 0) {
		fa.nframes = 0; // nothing can be allocated: frame_alloc returns 0
		return -1;
	}
	ranges_subtract(bm);
	fa.bitmap = phys_to_virt(bm.base);
	memset(fa.bitmap, 0xff, bitmap_bytes);

	for (size_t i = 0; i < fa.nranges; i++) {
		uint64_t first = (fa.ranges[i].base - lo) / PAGE_SIZE;
		uint64_t n = fa.ranges[i].len / PAGE_SIZE;

		for (uint64_t f = first; f < first + n; f++)
			bit_clear(f);
		managed_bytes += fa.ranges[i].len;
	}
	fa.stats.total = managed_bytes / PAGE_SIZE;
	fa.stats.free = fa.stats.total;
	fa.stats.reserved = reported_reserved + (usable_bytes - managed_bytes);
	return 0;
}

paddr_t frame_alloc(void)
{
	uint64_t nwords = ALIGN_UP(fa.nframes, BITS) / BITS;
	paddr_t pa = 0;

	spin_lock(&fa.lock);
	for (uint64_t k = 0; k < nwords; k++) {
		uint64_t w = (fa.hint + k) % nwords;

		if (fa.bitmap[w] != ~0ull) {
			uint64_t i = w * BITS + (uint64_t)__builtin_ctzll(~fa.bitmap[w]);

			if (i >= fa.nframes)
				continue;
			bit_set(i);
			fa.hint = w;
			fa.stats.free--;
			pa = fa.base + i * PAGE_SIZE;
			break;
		}
	}
	spin_unlock(&fa.lock);
	return pa;
}

paddr_t frame_alloc_contig(size_t n, size_t align)
{
	uint64_t step, first;
	paddr_t pa = 0;

	if (n == 0 || align < PAGE_SIZE || (align & (align - 1)))
		return 0;
	step = align / PAGE_SIZE;
	// First index i such that base + i*4K is aligned.
	first = (ALIGN_UP(fa.base, align) - fa.base) / PAGE_SIZE;

	spin_lock(&fa.lock);
	for (uint64_t i = first; i + n <= fa.nframes; i += step) {
		uint64_t j;

		for (j = 0; j < n && !bit_test(i + j); j++)
			;
		if (j < n)
			continue;
		for (j = 0; j < n; j++)
			bit_set(i + j);
		fa.stats.free -= n;
		pa = fa.base + i * PAGE_SIZE;
		break;
	}
	spin_unlock(&fa.lock);
	return pa;
}

void frame_free(paddr_t pa)
{
	uint64_t i = (pa - fa.base) / PAGE_SIZE;

	if ((pa & PAGE_MASK) || pa < fa.base || i >= fa.nframes || !is_managed(pa))
		panic("frame: free of %#lx, which is not allocatable RAM", (unsigned long)pa);
	spin_lock(&fa.lock);
	if (!bit_test(i)) {
		spin_unlock(&fa.lock);
		panic("frame: double free of %#lx", (unsigned long)pa);
	}
	bit_clear(i);
	fa.stats.free++;
	spin_unlock(&fa.lock);
}

void frame_free_contig(paddr_t pa, size_t n)
{
	for (size_t i = 0; i < n; i++)
		frame_free(pa + i * PAGE_SIZE);
}

bool frame_is_allocated(paddr_t pa)
{
	uint64_t i = (pa - fa.base) / PAGE_SIZE;

	return pa >= fa.base && i < fa.nframes && is_managed(pa) && bit_test(i);
}

void frame_get_stats(struct frame_stats *st)
{
	spin_lock(&fa.lock);
	*st = fa.stats;
	spin_unlock(&fa.lock);
}
