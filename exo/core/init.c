// SPDX-License-Identifier: MIT
// Starts the one user program the kernel loads itself: init, the first boot module. Its ELF is
// validated first (a bad file is a clear boot error). init receives the root capabilities - itself,
// its thread, a quota of all free memory but a reserve for the kernel, every IRQ line, all I/O
// ports, all device memory, the boot modules as read-only frames - and a read-only struct
// exo_bootinfo naming them. Everything after that is user space. init's capability table has a
// slot per boot module page on top of the usual PROC_SLOTS, and the kernel's reserve grows by
// what those slots and frame objects take, so boot modules of hundreds of MiB fit.
#include <arch/pagetable.h>
#include <common/elf.h>
#include <common/string.h>
#include <exo/bootinfo.h>
#include <kern/bootinfo.h>
#include <kern/frame.h>
#include <kern/init.h>
#include <kern/ioport.h>
#include <kern/irq.h>
#include <kern/physmap.h>
#include <kern/printf.h>
#include <kern/quota.h>
#include <kern/syscall.h>
#include <kern/timeslice.h>
#include <kern/vspace.h>

#define KERNEL_RESERVE (4 * MiB / PAGE_SIZE) // frames kept back for kernel objects
#define MODULE_PAGE_COST \
	(sizeof(struct cap) + sizeof(struct uframe) + 64) // kernel bytes per boot module page, at most

// Maps npages fresh frames at va with prot; copies len bytes from src to va + skip first.
static int map_fresh(struct process *p, vaddr_t va, size_t npages, unsigned prot, const uint8_t *src,
                     size_t skip, size_t len)
{
	for (size_t i = 0; i < npages; i++) {
		struct uframe *f;
		uint8_t *page;
		size_t lo = i * PAGE_SIZE, hi = lo + PAGE_SIZE;
		int err = uframe_alloc(p->quota, &f);

		if (err)
			return err;
		page = phys_to_virt(f->pa);
		// Copy the part of [skip, skip + len) that falls into this page.
		if (src && skip + len > lo && skip < hi) {
			size_t from = MAX(skip, lo), to = MIN(skip + len, hi);

			memcpy(page + (from - lo), src + (from - skip), to - from);
		}
		err = vspace_map(&p->vs, va + lo, f, prot, NULL);
		kobj_put(&f->obj); // the mapping holds it now (or nobody, on error)
		if (err)
			return err;
	}
	return 0;
}

static int load_segments(struct process *p, const uint8_t *file, const struct elf_image *img)
{
	for (size_t i = 0; i < img->nsegs; i++) {
		const struct elf64_segment *s = &img->segs[i];
		vaddr_t start = ALIGN_DOWN(s->vaddr, PAGE_SIZE);
		vaddr_t end = ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE);
		int err = map_fresh(p, start, (end - start) / PAGE_SIZE, s->prot, file + s->offset,
		                    s->vaddr - start, s->filesz);

		if (err)
			return err;
	}
	return 0;
}

static int give(struct process *p, struct kobj *o, uint64_t *handle)
{
	return cap_insert(&p->cs, o, EXO_R_ALL, 0, handle);
}

// The root device capabilities - every IRQ line, every I/O port, all device memory - and the
// root CPU budget.
static int give_devices(struct process *p, struct exo_bootinfo *bi)
{
	struct ioport *io = ioport_create(0, 65536);
	struct mmio *mm = mmio_create(0, 1ull << 52);
	struct timeslice *ts = timeslice_create_root();
	int err = io && mm && ts ? 0 : -EXO_ENOMEM;

	if (!err)
		err = give(p, &io->obj, &bi->ioports);
	if (!err)
		err = give(p, &mm->obj, &bi->mmio);
	if (!err)
		err = give(p, &ts->obj, &bi->timeslice);
	if (ts)
		kobj_put(&ts->obj);
	if (io)
		kobj_put(&io->obj);
	if (mm)
		kobj_put(&mm->obj);
	for (uint32_t gsi = 0; !err && irq_get(gsi); gsi++) {
		uint64_t h;

		err = give(p, &irq_get(gsi)->obj, &h);
		if (gsi == 0)
			bi->irq_first = h;
		bi->nirqs++;
	}
	return err;
}

// Each boot module as read-only frames with consecutive handles (init itself is module 0).
static int give_modules(struct process *p, struct exo_bootinfo *bi)
{
	for (size_t i = 0; i < boot_info.nmodules && i < EXO_MAX_BOOT_MODULES; i++) {
		const struct boot_module *m = &boot_info.modules[i];
		struct exo_boot_module *bm = &bi->modules[bi->nmodules];

		if (m->start & PAGE_MASK) {
			klog(LOG_WARN, "init: boot module '%s' is not page aligned; not passed on\n",
			     m->name);
			continue;
		}
		bm->size = m->end - m->start;
		bm->npages = ALIGN_UP(bm->size, PAGE_SIZE) / PAGE_SIZE;
		// The last page past the module's end reads as zero, as a file mapping's tail must.
		memset(phys_to_virt(m->end), 0, ALIGN_UP(m->end, PAGE_SIZE) - m->end);
		strlcpy(bm->name, m->name, sizeof(bm->name));
		for (uint64_t pg = 0; pg < bm->npages; pg++) {
			struct uframe *f;
			uint64_t h;
			int err = uframe_wrap(m->start + pg * PAGE_SIZE, &f);

			if (!err) {
				err = cap_insert(&p->cs, &f->obj, EXO_R_READ | EXO_R_GRANT, 0, &h);
				kobj_put(&f->obj);
			}
			if (err)
				return err;
			if (pg == 0)
				bm->frames = h;
		}
		bi->nmodules++;
	}
	return 0;
}

static int make_bootinfo(struct process *p, struct exo_bootinfo *bi)
{
	struct uframe *f;
	int err = uframe_alloc(p->quota, &f);

	if (err)
		return err;
	bi->magic = EXO_BOOTINFO_MAGIC;
	strlcpy(bi->cmdline, boot_info.cmdline, sizeof(bi->cmdline));
	memcpy(phys_to_virt(f->pa), bi, sizeof(*bi));
	err = vspace_map(&p->vs, EXO_BOOTINFO_ADDR, f, VM_READ, NULL);
	kobj_put(&f->obj);
	return err;
}

// Pages of the boot modules init receives (as give_modules counts them).
static uint64_t module_pages(void)
{
	uint64_t n = 0;

	for (size_t i = 0; i < boot_info.nmodules && i < EXO_MAX_BOOT_MODULES; i++)
		n += ALIGN_UP(boot_info.modules[i].end - boot_info.modules[i].start, PAGE_SIZE) / PAGE_SIZE;
	return n;
}

static const char *error_text(int err)
{
	switch (err) {
	case -EXO_ENOMEM:
		return "not enough memory";
	case -EXO_ENOSPC:
		return "the capability table is full";
	default:
		return "internal error";
	}
}

int init_start(struct process **out)
{
	static struct exo_bootinfo bi;
	const struct boot_module *m = &boot_info.modules[0];
	struct elf_image img;
	struct frame_stats st;
	uint64_t pages, reserve;
	struct quota *q;
	struct process *p;
	struct thread *t;
	char why[160];
	int err;

	if (boot_info.nmodules == 0)
		return -EXO_ENOENT;
	err = elf_parse(phys_to_virt(m->start), m->end - m->start, USER_TOP, &img, why, sizeof(why));
	if (err) {
		klog(LOG_ERROR, "init '%s' rejected: %s\n", m->name, why);
		return err;
	}
	pages = module_pages();
	reserve = KERNEL_RESERVE + pages * MODULE_PAGE_COST / PAGE_SIZE;
	frame_get_stats(&st);
	q = quota_create_root(st.free > 2 * reserve ? st.free - reserve : st.free / 2);
	err = q ? 0 : -EXO_ENOMEM;
	if (!err && pages > UINT32_MAX - PROC_SLOTS - 1)
		err = -EXO_ENOMEM;
	if (!err)
		err = process_create("init", q, PRIO_MAX, (uint32_t)(PROC_SLOTS + pages), &p);
	if (q)
		kobj_put(&q->obj); // the process holds it now (or nobody)
	if (err) {
		klog(LOG_ERROR, "init: cannot start '%s': %s (error %d)\n", m->name, error_text(err), err);
		return err;
	}
	memset(&bi, 0, sizeof(bi));
	bi.quota_frames = q->limit;
	err = give(p, &q->obj, &bi.quota);
	if (!err)
		err = load_segments(p, phys_to_virt(m->start), &img);
	if (!err)
		err = map_fresh(p, EXO_INIT_STACK_TOP - EXO_INIT_STACK_PAGES * PAGE_SIZE,
		                EXO_INIT_STACK_PAGES, VM_READ | VM_WRITE, NULL, 0, 0);
	if (!err)
		err = thread_create(p, PRIO_DEFAULT, &t);
	if (err)
		goto fail;
	err = give(p, &p->obj, &bi.self);
	if (!err)
		err = give(p, &t->obj, &bi.thread);
	kobj_put(&t->obj);
	if (!err)
		err = give_devices(p, &bi);
	if (!err)
		err = give_modules(p, &bi);
	if (!err)
		err = make_bootinfo(p, &bi);
	if (!err)
		err = thread_start(t, img.entry, EXO_INIT_STACK_TOP, EXO_BOOTINFO_ADDR);
	if (err)
		goto fail;
	klog(LOG_INFO, "init: '%s' started as pid %u (%lu KiB, %zu segments, quota %lu MiB)\n", m->name,
	     p->pid, (unsigned long)((m->end - m->start) / 1024), img.nsegs, q->limit * PAGE_SIZE / MiB);
	*out = p;
	return 0;
fail:
	klog(LOG_ERROR, "init: cannot start '%s': %s (error %d)\n", m->name, error_text(err), err);
	process_exit(p, -1, NULL);
	kobj_put(&p->obj);
	return err;
}
