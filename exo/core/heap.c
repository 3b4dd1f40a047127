// SPDX-License-Identifier: MIT
// Kernel heap. Small requests come from per-size-class slabs: one 4 KiB frame holding a header
// and equal slots, with a free list and an allocation bitmap (so a double free is caught in
// every build). Requests larger than the biggest class get whole frames with the same header in
// front. Every object starts on a page whose header says which kind it is, so kfree needs only
// the pointer. Debug builds (without EXO_NDEBUG) keep the requested size in front of the object
// and fill the rest of the slot with a guard pattern that kfree and heap_check verify, and
// poison freed memory. An empty slab goes back to the frame allocator at once, so the heap holds
// no frame it does not use. Locking: one spin lock; not for interrupt handlers.
#include <common/string.h>
#include <kern/frame.h>
#include <kern/heap.h>
#include <kern/panic.h>
#include <kern/physmap.h>
#include <kern/spinlock.h>

#define SLAB_MAGIC  0x51ab51ab
#define LARGE_MAGIC 0x1a26e000
#define MIN_SHIFT   4 // 16-byte slots
#define NCLASSES    8 // 16 .. 2048
#define GUARD_BYTE  0xa5
#define POISON_BYTE 0x6b

#ifndef EXO_NDEBUG
#define DEBUG_HEAP 1
#define OBJ_HDR    16 // struct obj_hdr, padded to keep 16-byte alignment
#define GUARD_MIN  8  // guard bytes after the object, at least
#else
#define DEBUG_HEAP 0
#define OBJ_HDR    0
#define GUARD_MIN  0
#endif

struct slab {
	uint32_t magic;
	uint16_t cls;   // size class index
	uint16_t inuse; // allocated slots
	uint16_t nslots;
	uint16_t first;    // byte offset of slot 0 in the page
	uint32_t reg;      // index in heap.pages
	void *free;        // free list through the slots
	struct slab *next; // in the class's list of slabs with free slots
	struct slab *prev;
	uint64_t bitmap[4]; // 1 = slot allocated (at most 256 slots)
};

struct large {
	uint32_t magic;
	uint32_t npages;
	uint32_t reg; // index in heap.pages
	uint32_t pad;
};

struct obj_hdr {
	uint64_t size;
	uint64_t pad;
};

static struct {
	spinlock_t lock;
	struct slab *partial[NCLASSES];
	struct heap_stats stats;
	void *pages[4096]; // first page of every slab and large allocation, for heap_check
	uint32_t npages;
} heap = { .lock = SPINLOCK_INIT_RANK(LOCK_RANK_HEAP) };

// Panics with the heap lock released, so a host test that catches the panic can go on.
#define HEAP_PANIC(...)                  \
	do {                             \
		spin_unlock(&heap.lock); \
		panic(__VA_ARGS__);      \
	} while (0)

static size_t class_size(unsigned cls)
{
	return (size_t)1 << (cls + MIN_SHIFT);
}

static size_t slab_first(unsigned cls)
{
	return ALIGN_UP(sizeof(struct slab), MIN(class_size(cls), 64));
}

static void guard_fill(uint8_t *obj, size_t size, size_t room)
{
	if (DEBUG_HEAP) {
		((struct obj_hdr *)obj)->size = size;
		memset(obj + OBJ_HDR + size, GUARD_BYTE, room - OBJ_HDR - size);
	}
}

static void guard_check(uint8_t *obj, size_t room)
{
	size_t size;

	if (!DEBUG_HEAP)
		return;
	size = ((struct obj_hdr *)obj)->size;
	if (size > room - OBJ_HDR)
		HEAP_PANIC("heap: corrupt object header at %p (size %lu)", obj + OBJ_HDR,
		           (unsigned long)size);
	for (size_t i = OBJ_HDR + size; i < room; i++)
		if (obj[i] != GUARD_BYTE)
			HEAP_PANIC("heap: overflow past the end of %p (size %lu, byte %lu changed)",
			           obj + OBJ_HDR, (unsigned long)size, (unsigned long)(i - OBJ_HDR - size));
}

#define UNREGISTERED UINT32_MAX

// Pages beyond the registry's capacity are simply not covered by heap_check.
static uint32_t page_register(void *page)
{
	if (heap.npages == ARRAY_SIZE(heap.pages))
		return UNREGISTERED;
	heap.pages[heap.npages] = page;
	return heap.npages++;
}

static uint32_t *reg_of(void *page)
{
	struct slab *s = page;

	return s->magic == SLAB_MAGIC ? &s->reg : &((struct large *)page)->reg;
}

static void page_unregister(uint32_t reg)
{
	if (reg == UNREGISTERED)
		return;
	heap.pages[reg] = heap.pages[--heap.npages];
	if (reg != heap.npages)
		*reg_of(heap.pages[reg]) = reg;
}

static struct slab *slab_new(unsigned cls)
{
	paddr_t pa = frame_alloc();
	struct slab *s;
	size_t sz = class_size(cls);
	uint8_t *slot;

	if (!pa)
		return NULL;
	s = phys_to_virt(pa);
	memset(s, 0, sizeof(*s));
	s->magic = SLAB_MAGIC;
	s->cls = cls;
	s->first = slab_first(cls);
	s->nslots = (PAGE_SIZE - s->first) / sz;
	slot = (uint8_t *)s + s->first;
	for (int i = s->nslots - 1; i >= 0; i--) {
		*(void **)(slot + i * sz) = s->free;
		s->free = slot + i * sz;
	}
	s->reg = page_register(s);
	heap.stats.slab_pages++;
	return s;
}

static void list_remove(struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		heap.partial[s->cls] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static void list_push(struct slab *s)
{
	s->prev = NULL;
	s->next = heap.partial[s->cls];
	if (s->next)
		s->next->prev = s;
	heap.partial[s->cls] = s;
}

static void *large_alloc(size_t size)
{
	size_t room = sizeof(struct large) + OBJ_HDR + size + GUARD_MIN;
	size_t npages = ALIGN_UP(room, PAGE_SIZE) / PAGE_SIZE;
	paddr_t pa = frame_alloc_contig(npages, PAGE_SIZE);
	struct large *l;

	if (!pa)
		return NULL;
	l = phys_to_virt(pa);
	l->magic = LARGE_MAGIC;
	l->npages = npages;
	l->reg = page_register(l);
	guard_fill((uint8_t *)(l + 1), size, npages * PAGE_SIZE - sizeof(*l));
	heap.stats.large_pages += npages;
	return (uint8_t *)(l + 1) + OBJ_HDR;
}

size_t kmalloc_footprint(size_t size)
{
	unsigned cls = 0;

	while (cls < NCLASSES && class_size(cls) < size + OBJ_HDR + GUARD_MIN)
		cls++;
	if (cls < NCLASSES)
		return class_size(cls);
	return ALIGN_UP(sizeof(struct large) + OBJ_HDR + size + GUARD_MIN, PAGE_SIZE);
}

void *kmalloc(size_t size)
{
	unsigned cls = 0;
	struct slab *s;
	uint8_t *obj;
	size_t idx;

	if (size == 0 || size > 64 * MiB)
		return NULL;
	spin_lock(&heap.lock);
	while (cls < NCLASSES && class_size(cls) < size + OBJ_HDR + GUARD_MIN)
		cls++;
	if (cls == NCLASSES) {
		obj = large_alloc(size);
		goto out;
	}
	s = heap.partial[cls];
	if (!s) {
		s = slab_new(cls);
		if (!s) {
			obj = NULL;
			goto out;
		}
		list_push(s);
	}
	obj = s->free;
	s->free = *(void **)obj;
	idx = (size_t)(obj - ((uint8_t *)s + s->first)) / class_size(cls);
	KASSERT(!(s->bitmap[idx / 64] & (1ull << (idx % 64))));
	s->bitmap[idx / 64] |= 1ull << (idx % 64);
	if (++s->inuse == s->nslots)
		list_remove(s);
	guard_fill(obj, size, class_size(cls));
	obj += OBJ_HDR;
out:
	if (obj) {
		heap.stats.allocs++;
		heap.stats.bytes_in_use += size;
	}
	spin_unlock(&heap.lock);
	return obj;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

static size_t obj_size(uint8_t *obj, size_t room)
{
	return DEBUG_HEAP ? ((struct obj_hdr *)obj)->size : room;
}

static void large_free(struct large *l, uint8_t *obj)
{
	size_t room = l->npages * PAGE_SIZE - sizeof(*l);

	if (obj != (uint8_t *)(l + 1))
		HEAP_PANIC("kfree: %p is not the start of an allocation", obj + OBJ_HDR);
	guard_check(obj, room);
	heap.stats.bytes_in_use -= obj_size(obj, room - OBJ_HDR);
	heap.stats.large_pages -= l->npages;
	page_unregister(l->reg);
	l->magic = 0;
	frame_free_contig(virt_to_phys(l), l->npages);
}

// Returns an empty slab's frame.
static void slab_destroy(struct slab *s)
{
	page_unregister(s->reg);
	heap.stats.slab_pages--;
	s->magic = 0;
	frame_free(virt_to_phys(s));
}

void kfree(void *p)
{
	uint8_t *obj;
	struct slab *s;
	size_t sz, off, idx;
	bool was_full;

	if (!p)
		return;
	obj = (uint8_t *)p - OBJ_HDR;
	s = (struct slab *)ALIGN_DOWN((uintptr_t)obj, PAGE_SIZE);
	spin_lock(&heap.lock);
	heap.stats.frees++;
	if (s->magic == LARGE_MAGIC) {
		large_free((struct large *)s, obj);
		goto out;
	}
	if (s->magic != SLAB_MAGIC)
		HEAP_PANIC("kfree: %p was not allocated by kmalloc", p);
	sz = class_size(s->cls);
	off = (size_t)(obj - ((uint8_t *)s + s->first));
	idx = off / sz;
	if (obj < (uint8_t *)s + s->first || off % sz || idx >= s->nslots)
		HEAP_PANIC("kfree: %p is not the start of an allocation", p);
	if (!(s->bitmap[idx / 64] & (1ull << (idx % 64))))
		HEAP_PANIC("kfree: double free of %p", p);
	guard_check(obj, sz);
	heap.stats.bytes_in_use -= obj_size(obj, sz - OBJ_HDR);
	if (DEBUG_HEAP)
		memset(obj, POISON_BYTE, sz);
	s->bitmap[idx / 64] &= ~(1ull << (idx % 64));
	*(void **)obj = s->free;
	s->free = obj;
	was_full = s->inuse == s->nslots;
	if (--s->inuse == 0) {
		if (!was_full)
			list_remove(s);
		slab_destroy(s);
	} else if (was_full) {
		list_push(s);
	}
out:
	spin_unlock(&heap.lock);
}

void heap_check(void)
{
	spin_lock(&heap.lock);
	for (uint32_t i = 0; i < heap.npages; i++) {
		struct slab *s = heap.pages[i];
		struct large *l = heap.pages[i];
		size_t sz;

		if (l->magic == LARGE_MAGIC) {
			guard_check((uint8_t *)(l + 1), l->npages * PAGE_SIZE - sizeof(*l));
			continue;
		}
		sz = class_size(s->cls);
		for (size_t j = 0; j < s->nslots; j++)
			if (s->bitmap[j / 64] & (1ull << (j % 64)))
				guard_check((uint8_t *)s + s->first + j * sz, sz);
	}
	spin_unlock(&heap.lock);
}

void heap_get_stats(struct heap_stats *st)
{
	spin_lock(&heap.lock);
	*st = heap.stats;
	spin_unlock(&heap.lock);
}
