// SPDX-License-Identifier: MIT
// Thread kernel stacks: slot i of the kernel-stack region holds an unmapped guard page followed
// by KSTACK_SIZE bytes of mapped frames, so an overflow faults (and ends in a double fault on
// its IST stack) instead of corrupting the neighbour.
#include <arch/layout.h>
#include <arch/paging.h>
#include <kern/frame.h>
#include <kern/kstack.h>

#define KSTACK_SLOT  (KSTACK_SIZE + PAGE_SIZE)
#define KSTACK_SLOTS 4096

static uint32_t free_slots[KSTACK_SLOTS];
static uint32_t nfree, next_unused;

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
	uint32_t i;
	vaddr_t base;

	if (nfree)
		i = free_slots[--nfree];
	else if (next_unused < KSTACK_SLOTS)
		i = next_unused++;
	else
		return 0;
	base = slot_base(i);
	for (size_t off = 0; off < KSTACK_SIZE; off += PAGE_SIZE) {
		paddr_t pa = frame_alloc();

		if (!pa || pt_map(kernel_root, base + off, pa, PAGE_SIZE, VM_READ | VM_WRITE)) {
			if (pa)
				frame_free(pa);
			unmap_free(base, off);
			free_slots[nfree++] = i;
			return 0;
		}
	}
	return base + KSTACK_SIZE;
}

void kstack_free(uint64_t top)
{
	vaddr_t base = top - KSTACK_SIZE;

	unmap_free(base, KSTACK_SIZE);
	free_slots[nfree++] = (uint32_t)((base - KSTACK_BASE) / KSTACK_SLOT);
}
