// SPDX-License-Identifier: MIT
// Frame allocator, kernel page tables and heap on the real machine: every frame can be
// allocated exactly once and written through the direct map; mappings made at run time work,
// honour protections and go away; the heap hands out usable memory and gives it back.
#include <arch/paging.h>
#include <common/string.h>
#include <kern/frame.h>
#include <kern/heap.h>
#include <kern/ktest.h>
#include <kern/physmap.h>
#include <kern/printf.h>

KTEST(frame)
{
	struct frame_stats before, during, after;
	paddr_t head = 0, pa;
	uint64_t n = 0;

	frame_get_stats(&before);
	// Chain all free frames through their first word: each must be new and RAM.
	while ((pa = frame_alloc())) {
		uint64_t *p = phys_to_virt(pa);

		KCHECK((pa & PAGE_MASK) == 0);
		p[0] = head;
		p[1] = ~pa; // a check word, verified on the way back
		head = pa;
		n++;
	}
	frame_get_stats(&during);
	KCHECK_EQ(n, before.free);
	KCHECK_EQ(during.free, 0);
	KCHECK(frame_alloc_contig(1, PAGE_SIZE) == 0);
	while (head) {
		uint64_t *p = phys_to_virt(head);
		paddr_t next = p[0];

		KCHECK_EQ(p[1], ~head);
		KCHECK(frame_is_allocated(head));
		frame_free(head);
		head = next;
		n--;
	}
	KCHECK_EQ(n, 0);
	frame_get_stats(&after);
	KCHECK_EQ(after.free, before.free);
	pa = frame_alloc_contig(512, 2 * MiB);
	KCHECK(pa && (pa & (2 * MiB - 1)) == 0);
	frame_free_contig(pa, 512);
	kprintf("frame: %lu frames allocated, checked and freed\n", before.free);
}

KTEST(paging)
{
	const vaddr_t va = 0xffffa00000000000;
	paddr_t pa = frame_alloc(), pa2 = 0;
	unsigned prot = 0;
	struct frame_stats before, after;

	KCHECK(pa);
	KCHECK_EQ(pt_map(kernel_root, va, pa, PAGE_SIZE, VM_READ | VM_WRITE | VM_EXEC), -EXO_EINVAL);
	KCHECK_EQ(pt_map(kernel_root, va, pa, PAGE_SIZE, VM_READ | VM_WRITE), 0);
	KCHECK_EQ(pt_map(kernel_root, va, pa, PAGE_SIZE, VM_READ), -EXO_EEXIST);
	*(volatile uint64_t *)va = 0x1234567890abcdef;
	KCHECK_EQ(*(uint64_t *)phys_to_virt(pa), 0x1234567890abcdef);
	KCHECK(pt_translate(kernel_root, va + 8, &pa2, &prot));
	KCHECK_EQ(pa2, pa + 8);
	KCHECK_EQ(prot & (VM_WRITE | VM_EXEC), VM_WRITE);
	KCHECK_EQ(pt_protect(kernel_root, va, PAGE_SIZE, VM_READ), 0);
	KCHECK(pt_translate(kernel_root, va, NULL, &prot) && !(prot & VM_WRITE));
	KCHECK_EQ(*(volatile uint64_t *)va, 0x1234567890abcdef);
	KCHECK_EQ(pt_unmap(kernel_root, va, PAGE_SIZE), 0);
	KCHECK(!pt_translate(kernel_root, va, NULL, NULL));
	KCHECK_EQ(pt_protect(kernel_root, va, PAGE_SIZE, VM_READ), -EXO_ENOENT);
	KCHECK_EQ(pt_map(kernel_root, va + 1, pa, PAGE_SIZE, VM_READ), -EXO_EINVAL);
	KCHECK_EQ(pt_map(kernel_root, 0x0000800000000000, pa, PAGE_SIZE, VM_READ), -EXO_EINVAL);
	frame_free(pa);

	// A separate tree: building and destroying it returns every table frame.
	frame_get_stats(&before);
	paddr_t root = pt_create();
	pa = frame_alloc_contig(1024, 2 * MiB);
	KCHECK(root && pa);
	KCHECK_EQ(pt_map(root, 0x400000, pa, 4 * MiB, VM_READ | VM_USER), 0);
	KCHECK_EQ(pt_unmap(root, 0x400000 + 2 * MiB + PAGE_SIZE, PAGE_SIZE), 0);
	KCHECK(pt_translate(root, 0x400000 + 2 * MiB, &pa2, NULL) && pa2 == pa + 2 * MiB);
	KCHECK(!pt_translate(root, 0x400000 + 2 * MiB + PAGE_SIZE, NULL, NULL));
	pt_destroy(root, 0, 255);
	frame_free_contig(pa, 1024);
	frame_get_stats(&after);
	KCHECK_EQ(after.free, before.free);
}

KTEST(heap)
{
	struct heap_stats st0, st1;
	void *p[200];

	heap_get_stats(&st0);
	for (int i = 0; i < 200; i++) {
		size_t size = (size_t)(i * 37 % 5000) + 1;

		p[i] = kmalloc(size);
		KCHECK(p[i] && ((uintptr_t)p[i] & 15) == 0);
		memset(p[i], i, size);
	}
	heap_check();
	for (int i = 0; i < 200; i++) {
		size_t size = (size_t)(i * 37 % 5000) + 1;

		for (size_t j = 0; j < size; j++)
			KCHECK(((uint8_t *)p[i])[j] == (uint8_t)i);
	}
	for (int i = 0; i < 200; i += 2)
		kfree(p[i]);
	for (int i = 1; i < 200; i += 2)
		kfree(p[i]);
	heap_get_stats(&st1);
	KCHECK_EQ(st1.bytes_in_use, st0.bytes_in_use);
	KCHECK_EQ(st1.large_pages, st0.large_pages);
	KCHECK_EQ(st1.allocs - st0.allocs, 200);
	KCHECK(kmalloc(0) == NULL);
	kprintf("heap: %lu slab pages, %lu allocations\n", st1.slab_pages, st1.allocs);
}
