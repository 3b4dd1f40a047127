// SPDX-License-Identifier: MIT
// exo_spawn: a process from an ELF executable held in frames, built entirely in user space with
// kernel calls - the same validator as the kernel's (exo/common/elf.c, built into libexo). The
// executable is mapped read-only in the caller (64 pages a call); a segment's pages that are
// whole pages of the file are copied into the child by the kernel (vspace_copy_range, 512 a
// call), the others (a segment's partial first and last pages, its zeroed tail) are filled
// through a scratch mapping in the caller. The parts for a caller that equips the child before it
// runs: exo_spawn_inactive, exo_child_page.
#include <common/elf.h>
#include <exo/libexo.h>

#define SCRATCH_IMAGE 0x7f0000000000ull // where the module is mapped for reading (above libos's mmap area)
#define SCRATCH_PAGE  0x0ff000000000ull // where one fresh frame is mapped for filling

static long map_one(uint64_t process, uint64_t frame, uint64_t va, uint64_t prot)
{
	struct exo_map_op op = { frame, va, prot };
	long r = exo_vspace_map(process, &op, 1);

	return r == 1 ? 0 : r;
}

static long unmap_one(uint64_t process, uint64_t va)
{
	long r = exo_vspace_unmap(process, &va, 1);

	return r == 1 ? 0 : r;
}

// Maps one fresh frame at va in the child with prot, first filling it with len bytes of src
// placed at offset off (through a scratch mapping in the caller).
static long fresh_page(uint64_t self, uint64_t quota, uint64_t child, uint64_t va, uint64_t prot,
                       const uint8_t *src, size_t off, size_t len)
{
	uint64_t frame = 0; // written first: after a fork this stack page may be copy-on-write
	long r = exo_frame_alloc(quota, 1, &frame);

	if (r < 0)
		return r;
	if (len) {
		r = map_one(self, frame, SCRATCH_PAGE, EXO_R_READ | EXO_R_WRITE);
		if (r)
			goto out;
		memcpy((uint8_t *)SCRATCH_PAGE + off, src, len);
		unmap_one(self, SCRATCH_PAGE);
	}
	r = map_one(child, frame, va, prot | EXO_MAP_MOVE); // the child's mapping takes the frame
	if (r == 0)
		return 0;
out:
	exo_cap_delete(frame);
	return r;
}

long exo_child_page(uint64_t self, uint64_t quota, uint64_t child, uint64_t va, uint64_t prot,
                    const void *src, size_t len)
{
	return len > 4096 ? -EXO_EINVAL : fresh_page(self, quota, child, va, prot, src, 0, len);
}

static uint64_t rights_of(unsigned prot)
{
	return ((prot & ELF64_PROT_R) ? EXO_R_READ : 0) | ((prot & ELF64_PROT_W) ? EXO_R_WRITE : 0) |
	       ((prot & ELF64_PROT_X) ? EXO_R_EXEC : 0);
}

// The pages of s from va on that are whole pages of the file, page-aligned in it: how many.
static uint64_t whole_pages(const struct elf64_segment *s, uint64_t va, uint64_t end)
{
	uint64_t n = 0;

	if (va < s->vaddr || (s->offset + (va - s->vaddr)) % 4096)
		return 0;
	while (va + (n + 1) * 4096 <= s->vaddr + s->filesz && va + n * 4096 < end && n < EXO_MAP_BATCH_MAX)
		n++;
	return n;
}

static long load_segment(uint64_t self, uint64_t quota, uint64_t child, const uint8_t *image,
                         const struct elf64_segment *s)
{
	uint64_t start = s->vaddr & ~0xfffull, end = (s->vaddr + s->memsz + 0xfff) & ~0xfffull;

	for (uint64_t va = start, n; va < end; va += 4096) {
		if ((n = whole_pages(s, va, end))) { // copied by the kernel, n at once
			uint64_t from = (uint64_t)image + s->offset + (va - s->vaddr);
			long r = exo_vspace_copy_range(self, from, child, va, n, rights_of(s->prot));

			if (r != (long)n)
				return r < 0 ? r : -EXO_ENOMEM;
			va += (n - 1) * 4096;
			continue;
		}
		// The file bytes [s->vaddr, s->vaddr + filesz) that fall into this page.
		uint64_t lo = va > s->vaddr ? va : s->vaddr;
		uint64_t hi = va + 4096 < s->vaddr + s->filesz ? va + 4096 : s->vaddr + s->filesz;
		size_t len = hi > lo ? hi - lo : 0;
		long r = fresh_page(self, quota, child, va, rights_of(s->prot),
		                    image + s->offset + (lo - s->vaddr), lo - va, len);

		if (r)
			return r;
	}
	return 0;
}

#define IMAGE_BATCH 64 // pages of the executable mapped per kernel call

static long map_image(uint64_t self, const struct exo_boot_module *m)
{
	struct exo_map_op ops[IMAGE_BATCH];

	for (uint64_t i = 0; i < m->npages; i += IMAGE_BATCH) {
		uint64_t n = m->npages - i < IMAGE_BATCH ? m->npages - i : IMAGE_BATCH;
		long r;

		for (uint64_t k = 0; k < n; k++)
			ops[k] = (struct exo_map_op){ m->frames + i + k, SCRATCH_IMAGE + (i + k) * 4096,
				                      EXO_R_READ };
		r = exo_vspace_map(self, ops, n);
		if (r != (long)n)
			return r < 0 ? r : -EXO_ENOMEM;
	}
	return 0;
}

static void unmap_image(uint64_t self, const struct exo_boot_module *m)
{
	for (uint64_t i = 0; i < m->npages; i += EXO_MAP_BATCH_MAX)
		exo_vspace_unmap_range(self, SCRATCH_IMAGE + i * 4096,
		                       m->npages - i < EXO_MAP_BATCH_MAX ? m->npages - i : EXO_MAP_BATCH_MAX);
}

long exo_spawn_inactive(uint64_t self, uint64_t quota, const struct exo_boot_module *m, const char *name,
                        uint64_t slots, uint64_t prio, uint64_t *process, uint64_t *thread, uint64_t *entry,
                        char *why, size_t whysize)
{
	struct elf_image img;
	long child, t, r = map_image(self, m);

	if (r)
		return r;
	r = elf_parse((const void *)SCRATCH_IMAGE, m->size, 0x00007ffffffff000ull, &img, why, whysize);
	if (r)
		goto out;
	child = slots ? exo_process_create_slots(quota, name, slots) : exo_process_create(quota, name);
	if (child < 0) {
		r = child;
		goto out;
	}
	for (size_t i = 0; i < img.nsegs && !r; i++)
		r = load_segment(self, quota, child, (const uint8_t *)SCRATCH_IMAGE, &img.segs[i]);
	for (uint64_t i = 0; i < EXO_INIT_STACK_PAGES && !r; i++)
		r = fresh_page(self, quota, child, EXO_INIT_STACK_TOP - (i + 1) * 4096,
		               EXO_R_READ | EXO_R_WRITE, NULL, 0, 0);
	t = r ? r : exo_thread_create(child, prio);
	if (!r && t < 0)
		r = t;
	if (r) {
		exo_process_kill(child, -1);
		exo_cap_delete(child);
		goto out;
	}
	*process = child;
	*thread = t;
	*entry = img.entry;
out:
	unmap_image(self, m);
	return r;
}

long exo_spawn(uint64_t self, uint64_t quota, const struct exo_boot_module *m, const char *name,
               uint64_t prio, uint64_t arg, uint64_t *process, uint64_t *thread)
{
	uint64_t entry;
	char why[128] = "";
	long r = exo_spawn_inactive(self, quota, m, name, 0, prio, process, thread, &entry, why, sizeof(why));

	if (why[0])
		exo_printf("spawn: %s: %s\n", m->name, why);
	if (r)
		return r;
	r = exo_thread_start(*thread, entry, EXO_INIT_STACK_TOP, arg);
	if (r) {
		exo_process_kill(*process, -1);
		exo_cap_delete(*process);
	}
	return r;
}
