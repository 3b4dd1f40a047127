// SPDX-License-Identifier: MIT
// Kernel calls on memory: quotas, frames, and batched map/unmap/protect of a process's address
// space. Batches are copied in chunks; each op is checked on its own (secure binding: a frame can
// be mapped only through a capability to it, with at most the rights the capability carries).
#include <arch/pagetable.h>
#include <exo/types.h>
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

static int target_root(uint64_t process, paddr_t *root)
{
	struct cap *c;
	int err = lookup(process, EXO_OBJ_PROCESS, EXO_R_CONTROL, &c);

	if (!err)
		*root = ((struct process *)c->obj)->root;
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
// *may: the later protections the capability allows (vm_may).
static int op_frame(const struct exo_map_op *op, struct uframe **f, unsigned *may)
{
	struct cap *c;
	int err;

	if (op->prot & ~(uint64_t)(EXO_R_READ | EXO_R_WRITE | EXO_R_EXEC))
		return -EXO_EINVAL;
	if ((op->prot & EXO_R_WRITE) && (op->prot & EXO_R_EXEC))
		return -EXO_EINVAL;
	err = lookup(op->frame, EXO_OBJ_FRAME, (uint32_t)op->prot | EXO_R_READ, &c);
	if (!err) {
		*f = (struct uframe *)c->obj;
		*may = vm_may(c->rights);
	}
	return err;
}

static int do_map(paddr_t root, const void *item)
{
	struct exo_map_op op = *(const struct exo_map_op *)item;
	uint64_t move = op.prot & EXO_MAP_MOVE;
	struct uframe *f;
	unsigned may;
	int err;

	op.prot &= ~EXO_MAP_MOVE;
	err = op_frame(&op, &f, &may);
	if (!err)
		err = vspace_map(root, op.vaddr, f, vm_prot(op.prot) | VM_READ | may);
	if (!err && move)
		cap_delete(&current_process()->cs, op.frame); // the mapping holds the frame now
	return err;
}

static int do_protect(paddr_t root, const void *item)
{
	const struct exo_map_op *op = item;
	struct uframe *f;
	paddr_t pa;
	unsigned may;
	int err = op_frame(op, &f, &may);

	if (err)
		return err;
	if (!pt_translate(root, op->vaddr, &pa, NULL) || pa != f->pa)
		return -EXO_ENOENT;
	return vspace_protect(root, op->vaddr, vm_prot(op->prot) | VM_READ | may);
}

// Applies fn to each of count items of size bytes at user address uitems, copied in chunks;
// returns how many succeeded from the first, or the first error when none did.
static long batch(uint64_t process, uint64_t uitems, uint64_t count, size_t size,
                  int (*fn)(paddr_t, const void *))
{
	uint8_t items[CHUNK * sizeof(struct exo_map_op)]; // CHUNK items of either kind
	paddr_t root;
	int err = target_root(process, &root);

	if (err)
		return err;
	if (count == 0 || count > EXO_MAP_BATCH_MAX)
		return -EXO_EINVAL;
	for (uint64_t done = 0; done < count;) {
		size_t n = MIN(count - done, (uint64_t)CHUNK);

		err = copyin(items, uitems + done * size, n * size);
		for (size_t i = 0; i < n && !err; i++) {
			err = fn(root, items + i * size);
			done += !err;
		}
		if (err)
			return done ? (long)done : err;
	}
	return (long)count;
}

static int do_unmap(paddr_t root, const void *va)
{
	return vspace_unmap(root, *(const uint64_t *)va);
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

// Up to EXO_MAP_BATCH_MAX pages from vaddr: each with fn(root, va, prot); holes are skipped.
static long range(uint64_t process, uint64_t vaddr, uint64_t pages, unsigned prot,
                  int (*fn)(paddr_t, vaddr_t, unsigned))
{
	paddr_t root;
	long done = 0;
	int err = target_root(process, &root);

	if (err)
		return err;
	if (pages == 0 || pages > EXO_MAP_BATCH_MAX || (vaddr & PAGE_MASK) ||
	    !user_range_ok(vaddr, pages * PAGE_SIZE))
		return -EXO_EINVAL;
	for (uint64_t i = 0; i < pages; i++) {
		err = fn(root, vaddr + i * PAGE_SIZE, prot);
		if (err < 0)
			return done ? done : err;
		done += err;
	}
	return done;
}

static int unmap_if_mapped(paddr_t root, vaddr_t va, unsigned prot)
{
	int err = vspace_unmap(root, va);

	(void)prot;
	return err == -EXO_ENOENT ? 0 : err ? err : 1;
}

long sys_vspace_unmap_range(exo_process_t process, uint64_t vaddr, uint64_t pages)
{
	return range(process, vaddr, pages, 0, unmap_if_mapped);
}

long sys_vspace_protect_range(exo_process_t process, uint64_t vaddr, uint64_t pages, uint64_t prot)
{
	if (prot & ~(uint64_t)(EXO_R_READ | EXO_R_WRITE | EXO_R_EXEC) ||
	    ((prot & EXO_R_WRITE) && (prot & EXO_R_EXEC)))
		return -EXO_EINVAL;
	// prot 0: no access, but the page stays mapped and keeps its contents (PROT_NONE).
	return range(process, vaddr, pages, prot ? vm_prot(prot) | VM_READ : VM_NOACCESS, vspace_reprotect);
}
