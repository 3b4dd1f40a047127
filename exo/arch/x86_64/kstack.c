// SPDX-License-Identifier: MIT
// Thread kernel stacks: slot i of the kernel-stack region holds an unmapped guard page followed
// by KSTACK_SIZE bytes of mapped frames, so an overflow faults (and ends in a double fault on
// its IST stack) instead of corrupting the neighbour. There are 2^20 slots (20 GiB of address
// space in one PML4 entry), more than the RAM of any machine we run on can back: threads are
// limited by the quotas their stacks are charged to, never by this table. A bitmap with a
// next-fit hint finds a free slot.
#include <arch/layout.h>
#include <arch/paging.h>
#include <kern/frame.h>
#include <kern/kstack.h>

#define KSTACK_SLOT  (KSTACK_SIZE + PAGE_SIZE)
#define KSTACK_SLOTS (1u << 20)

static uint64_t used_slots[KSTACK_SLOTS / 64]; // bit set: slot in use
static uint32_t hint;                          // word where the next search starts

// A free slot's index, marked used; KSTACK_SLOTS if none.
static uint32_t slot_take(void)
{
	for (uint32_t n = 0; n < KSTACK_SLOTS / 64; n++) {
		uint32_t w = (hint + n) % (KSTACK_SLOTS / 64);

		if (used_slots[w] != ~0ull) {
			uint32_t bit = (uint32_t)__builtin_ctzll(~used_slots[w]);

			used_slots[w] |= 1ull << bit;
			hint = w;
			return w * 64 + bit;
		}
	}
	return KSTACK_SLOTS;
}

static void slot_give(uint32_t i)
{
	used_slots[i / 64] &= ~(1ull << (i % 64));
}

static vaddr_t slot_base(uint32_t i)
{
	return KSTACK_BASE + (vaddr_t)i * KSTACK_SLOT + PAGE_SIZE; // after the guard
}

static void unmap_free(vaddr_t base, size_t mapped)
{
	for (size_t off = 0; off < mapped; off += PAGE_SIZE) {
		paddr_t pa;

		if (pt_translate(kernel_root, base + off, &pa, NULL))
			frame_free(pa);
	}
	pt_unmap(kernel_root, base, KSTACK_SIZE);
}

uint64_t kstack_alloc(void)
{
	uint32_t i = slot_take();
	vaddr_t base;

	if (i == KSTACK_SLOTS)
		return 0;
	base = slot_base(i);
	for (size_t off = 0; off < KSTACK_SIZE; off += PAGE_SIZE) {
		paddr_t pa = frame_alloc();

		if (!pa || pt_map(kernel_root, base + off, pa, PAGE_SIZE, VM_READ | VM_WRITE)) {
			if (pa)
				frame_free(pa);
			unmap_free(base, off);
			slot_give(i);
			return 0;
		}
	}
	return base + KSTACK_SIZE;
}

void kstack_free(uint64_t top)
{
	vaddr_t base = top - KSTACK_SIZE;

	unmap_free(base, KSTACK_SIZE);
	slot_give((uint32_t)((base - KSTACK_BASE) / KSTACK_SLOT));
}
