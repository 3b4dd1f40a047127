// SPDX-License-Identifier: MIT
// Kernel calls on memory: quotas, frames, and batched map/unmap/protect of a process's address
// space. Batches are copied in chunks; each op is checked on its own (secure binding: a frame can
// be mapped only through a capability to it, with at most the rights the capability carries).
#include <arch/pagetable.h>
#include <exo/types.h>
#include <exo/upcall.h>
#include <kern/frame.h>
#include <kern/heap.h>
#include <kern/quota.h>
#include <kern/syscall.h>
#include <kern/vspace.h>

#define CHUNK 32

long sys_quota_split(exo_quota_t quota, uint64_t frames)
{
	struct cap *c;
	struct quota *child;
	cap_handle_t h;
	int err = lookup(quota, EXO_OBJ_QUOTA, EXO_R_WRITE, &c);

	if (err)
		return err;
	err = quota_split((struct quota *)c->obj, frames, &child);
	if (err)
		return err;
	err = cap_insert(&current_process()->cs, &child->obj, EXO_R_ALL, 0, &h);
	kobj_put(&child->obj);
	return err ? err : (long)h;
}

// Whole-machine memory use - what the kernel really holds, against which what quotas are charged
// can be checked: for the holders of a root quota only (init), who could take all of it anyway.
long sys_kernel_stats(exo_quota_t quota, uint64_t out)
{
	struct exo_kernel_stats ks = { 0 };
	struct frame_stats fs;
	struct heap_stats hs;
	struct cap *c;
	int err = lookup(quota, EXO_OBJ_QUOTA, EXO_R_READ, &c);

	if (err)
		return err;
	if (((struct quota *)c->obj)->parent)
		return -EXO_EPERM;
	frame_get_stats(&fs);
	heap_get_stats(&hs);
	ks.total_frames = fs.total;
	ks.free_frames = fs.free;
	ks.heap_bytes = hs.bytes_in_use;
	ks.heap_objects = hs.allocs - hs.frees;
	ks.heap_pages = hs.slab_pages + hs.large_pages;
	return copyout(out, &ks, sizeof(ks));
}

long sys_quota_destroy(exo_quota_t quota)
{
	struct cap *c;
	int err = lookup(quota, EXO_OBJ_QUOTA, EXO_R_CONTROL, &c);

	if (err)
		return err;
	quota_destroy((struct quota *)c->obj);
	if (current_process()->doomed)
		process_exit(current_process(), EXO_STATUS_QUOTA, "the quota paying for it was destroyed");
	return 0;
}

long sys_frame_alloc(exo_quota_t quota, uint64_t count, uint64_t out)
{
	struct cspace *cs = &current_process()->cs;
	cap_handle_t *handles;
	struct cap *c;
	size_t n = 0;
	int err = lookup(quota, EXO_OBJ_QUOTA, EXO_R_WRITE, &c);

	if (err)
		return err;
	if (count == 0 || count > EXO_MAP_BATCH_MAX)
		return -EXO_EINVAL;
	handles = kmalloc(count * sizeof(*handles));
	if (!handles)
		return -EXO_ENOMEM;
	while (n < count) {
		struct uframe *f;

		err = uframe_alloc((struct quota *)c->obj, &f);
		if (err)
			break;
		err = cap_insert(cs, &f->obj, EXO_R_ALL, 0, &handles[n]);
		kobj_put(&f->obj); // the capability holds it now (or nobody, and it is freed)
		if (err)
			break;
		n++;
	}
	if (!err)
		err = copyout(out, handles, count * sizeof(*handles));
	if (err) // all or nothing
		for (size_t i = 0; i < n; i++)
			cap_delete(cs, handles[i]);
	kfree(handles);
	return err ? err : (long)count;
}

static int target_vspace(uint64_t process, struct vspace **vs)
{
	struct cap *c;
	int err = lookup(process, EXO_OBJ_PROCESS, EXO_R_CONTROL, &c);

	if (!err)
		*vs = &((struct process *)c->obj)->vs;
	return err;
}

static unsigned vm_prot(uint64_t rights)
{
	return ((rights & EXO_R_READ) ? VM_READ : 0) | ((rights & EXO_R_WRITE) ? VM_WRITE : 0) |
	       ((rights & EXO_R_EXEC) ? VM_EXEC : 0);
}

// What a mapping made through a capability with these rights may later be set to.
static unsigned vm_may(uint64_t rights)
{
	return ((rights & EXO_R_WRITE) ? VM_MAYWRITE : 0) | ((rights & EXO_R_EXEC) ? VM_MAYEXEC : 0);
}

// Checks op: its frame capability must carry every right the protection asks for (and READ).
// *c: that capability; *may: the later protections it allows (vm_may).
static int op_frame(const struct exo_map_op *op, struct cap **c, unsigned *may)
{
	int err;

	if (op->prot & ~(uint64_t)(EXO_R_READ | EXO_R_WRITE | EXO_R_EXEC))
		return -EXO_EINVAL;
	if ((op->prot & EXO_R_WRITE) && (op->prot & EXO_R_EXEC))
		return -EXO_EINVAL;
	err = lookup(op->frame, EXO_OBJ_FRAME, (uint32_t)op->prot | EXO_R_READ, c);
	if (!err)
		*may = vm_may((*c)->rights);
	return err;
}

// The mapping is recorded on the frame capability, so deleting or revoking it unmaps the page -
// unless EXO_MAP_MOVE hands the capability to the mapping, which then lasts until unmapped.
static int do_map(struct vspace *vs, const void *item)
{
	struct exo_map_op op = *(const struct exo_map_op *)item;
	uint64_t move = op.prot & EXO_MAP_MOVE;
	struct cap *c;
	unsigned may;
	int err;

	op.prot &= ~EXO_MAP_MOVE;
	err = op_frame(&op, &c, &may);
	if (!err)
		err = vspace_map(vs, op.vaddr, (struct uframe *)c->obj, vm_prot(op.prot) | VM_READ | may,
		                 move ? NULL : c);
	if (!err && move)
		cap_delete(&current_process()->cs, op.frame); // the mapping holds the frame now
	return err;
}

static int do_protect(struct vspace *vs, const void *item)
{
	const struct exo_map_op *op = item;
	struct cap *c;
	paddr_t pa;
	unsigned may;
	int err = op_frame(op, &c, &may);

	if (err)
		return err;
	if (!pt_translate(vs->root, op->vaddr, &pa, NULL) || pa != ((struct uframe *)c->obj)->pa)
		return -EXO_ENOENT;
	return vspace_protect(vs, op->vaddr, vm_prot(op->prot) | VM_READ | may);
}

// Applies fn to each of count items of size bytes at user address uitems, copied in chunks;
// returns how many succeeded from the first, or the first error when none did.
static long batch(uint64_t process, uint64_t uitems, uint64_t count, size_t size,
                  int (*fn)(struct vspace *, const void *))
{
	uint8_t items[CHUNK * sizeof(struct exo_map_op)]; // CHUNK items of either kind
	struct vspace *vs;
	int err = target_vspace(process, &vs);

	if (err)
		return err;
	if (count == 0 || count > EXO_MAP_BATCH_MAX)
		return -EXO_EINVAL;
	for (uint64_t done = 0; done < count;) {
		size_t n = MIN(count - done, (uint64_t)CHUNK);

		err = copyin(items, uitems + done * size, n * size);
		for (size_t i = 0; i < n && !err; i++) {
			err = fn(vs, items + i * size);
			done += !err;
		}
		if (err)
			return done ? (long)done : err;
	}
	return (long)count;
}

static int do_unmap(struct vspace *vs, const void *va)
{
	return vspace_unmap(vs, *(const uint64_t *)va);
}

long sys_vspace_map(exo_process_t process, uint64_t ops, uint64_t count)
{
	return batch(process, ops, count, sizeof(struct exo_map_op), do_map);
}

long sys_vspace_protect(exo_process_t process, uint64_t ops, uint64_t count)
{
	return batch(process, ops, count, sizeof(struct exo_map_op), do_protect);
}

long sys_vspace_unmap(exo_process_t process, uint64_t vaddrs, uint64_t count)
{
	return batch(process, vaddrs, count, sizeof(uint64_t), do_unmap);
}

// Up to EXO_MAP_BATCH_MAX pages from vaddr: each with fn(vs, va, prot); holes are skipped.
static long range(uint64_t process, uint64_t vaddr, uint64_t pages, unsigned prot,
                  int (*fn)(struct vspace *, vaddr_t, unsigned))
{
	struct vspace *vs;
	long done = 0;
	int err = target_vspace(process, &vs);

	if (err)
		return err;
	if (pages == 0 || pages > EXO_MAP_BATCH_MAX || (vaddr & PAGE_MASK) ||
	    !user_range_ok(vaddr, pages * PAGE_SIZE))
		return -EXO_EINVAL;
	for (vaddr_t va = vaddr, end = vaddr + pages * PAGE_SIZE; va < end; va += PAGE_SIZE) {
		if (pt_skip_hole(vs->root, va) != va) { // no table there: skip its span
			va = pt_skip_hole(vs->root, va) - PAGE_SIZE;
			continue;
		}
		err = fn(vs, va, prot);
		if (err < 0)
			return done ? done : err;
		done += err;
	}
	return done;
}

static int unmap_if_mapped(struct vspace *vs, vaddr_t va, unsigned prot)
{
	int err = vspace_unmap(vs, va);

	(void)prot;
	return err == -EXO_ENOENT ? 0 : err ? err : 1;
}

long sys_vspace_unmap_range(exo_process_t process, uint64_t vaddr, uint64_t pages)
{
	return range(process, vaddr, pages, 0, unmap_if_mapped);
}

long sys_vspace_protect_range(exo_process_t process, uint64_t vaddr, uint64_t pages, uint64_t prot)
{
	if (prot & EXO_PROT_IF_PRIVATE) {
		if (prot != (EXO_PROT_IF_PRIVATE | EXO_R_WRITE) &&
		    prot != (EXO_PROT_IF_PRIVATE | EXO_R_READ | EXO_R_WRITE))
			return -EXO_EINVAL;
		return range(process, vaddr, pages, VM_READ | VM_WRITE, vspace_claim);
	}
	if (prot & ~(uint64_t)(EXO_R_READ | EXO_R_WRITE | EXO_R_EXEC) ||
	    ((prot & EXO_R_WRITE) && (prot & EXO_R_EXEC)))
		return -EXO_EINVAL;
	// prot 0: no access, but the page stays mapped and keeps its contents (PROT_NONE).
	return range(process, vaddr, pages, prot ? vm_prot(prot) | VM_READ : VM_NOACCESS, vspace_reprotect);
}

long sys_vspace_share_range(exo_process_t process, uint64_t vaddr, uint64_t pages, exo_process_t dest,
                            uint64_t mode)
{
	struct vspace *src, *dst;
	long done = 0;
	int err = target_vspace(process, &src);

	if (!err)
		err = target_vspace(dest, &dst);
	if (err)
		return err;
	if (src == dst || mode > EXO_SHARE_COW || pages == 0 || pages > EXO_MAP_BATCH_MAX ||
	    (vaddr & PAGE_MASK) || !user_range_ok(vaddr, pages * PAGE_SIZE))
		return -EXO_EINVAL;
	for (vaddr_t va = vaddr, end = vaddr + pages * PAGE_SIZE; va < end; va += PAGE_SIZE) {
		if (pt_skip_hole(src->root, va) != va) { // no table there: skip its span
			va = pt_skip_hole(src->root, va) - PAGE_SIZE;
			continue;
		}
		err = vspace_share(src, dst, va, mode == EXO_SHARE_COW);
		if (err < 0)
			return done ? done : err;
		done += err;
	}
	return done;
}

long sys_vspace_copy_range(exo_process_t process, uint64_t vaddr, exo_process_t dest, uint64_t dest_vaddr,
                           uint64_t pages, uint64_t prot)
{
	struct vspace *src, *dst;
	struct cap *c;
	long done = 0;
	int err = target_vspace(process, &src);

	if (!err)
		err = lookup(dest, EXO_OBJ_PROCESS, EXO_R_CONTROL, &c);
	if (err)
		return err;
	dst = &((struct process *)c->obj)->vs;
	if (!(prot & EXO_R_READ) || (prot & ~(uint64_t)(EXO_R_READ | EXO_R_WRITE | EXO_R_EXEC)) ||
	    ((prot & EXO_R_WRITE) && (prot & EXO_R_EXEC)) || pages == 0 || pages > EXO_MAP_BATCH_MAX ||
	    ((vaddr | dest_vaddr) & PAGE_MASK) || !user_range_ok(vaddr, pages * PAGE_SIZE) ||
	    !user_range_ok(dest_vaddr, pages * PAGE_SIZE))
		return -EXO_EINVAL;
	for (uint64_t off = 0; off < pages * PAGE_SIZE; off += PAGE_SIZE) {
		vaddr_t va = vaddr + off;

		if (pt_skip_hole(src->root, va) != va) { // no table there: skip its span
			off = pt_skip_hole(src->root, va) - vaddr - PAGE_SIZE;
			continue;
		}
		err = vspace_copy(src, va, dst, dest_vaddr + off, vm_prot(prot) | VM_READ | vm_may(prot),
		                  ((struct process *)c->obj)->quota);
		if (err < 0)
			return done ? done : err;
		done += err;
	}
	return done;
}
