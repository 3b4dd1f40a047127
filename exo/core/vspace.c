// SPDX-License-Identifier: MIT
// User address spaces on top of the portable page-table code: only the user half
// [USER_BASE, USER_TOP) is ever touched here, one 4 KiB page per operation. Each mapping of a
// RAM frame has a record (struct mapping) on its frame's list, naming the capability it was made
// with, and holds a reference on the frame; the frame counts its writable and executable
// mappings for W^X. The space's charge is its root, its tables and its records
// (vspace_cost); tables come and go through the pt_budget hooks.
#include <arch/paging.h>
#include <arch/usercopy.h>
#include <common/string.h>
#include <kern/cap.h>
#include <kern/errno.h>
#include <kern/heap.h>
#include <kern/panic.h>
#include <kern/physmap.h>
#include <kern/quota.h>
#include <kern/vspace.h>

#define USER_PML4_ENTRIES 256

static uint64_t vspace_cost(uint64_t tables, uint64_t maps)
{
	return PAGE_SIZE * (1 + tables) + maps * kmalloc_footprint(sizeof(struct mapping));
}

static int budget_take(struct pt_budget *b)
{
	struct vspace *vs = (struct vspace *)((char *)b - offsetof(struct vspace, budget));
	int err = quota_recharge(&vs->charge, vspace_cost(vs->tables + 1, vs->maps));

	if (!err)
		vs->tables++;
	return err;
}

static void budget_give(struct pt_budget *b)
{
	struct vspace *vs = (struct vspace *)((char *)b - offsetof(struct vspace, budget));

	KASSERT(vs->tables > 0);
	vs->tables--;
	quota_recharge(&vs->charge, vspace_cost(vs->tables, vs->maps));
}

int vspace_init(struct vspace *vs, struct quota *q)
{
	int err;

	memset(vs, 0, sizeof(*vs));
	vs->budget = (struct pt_budget){ budget_take, budget_give };
	err = quota_charge(q, &vs->charge, vspace_cost(0, 0), NULL);
	if (err)
		return err;
	vs->root = pt_create();
	if (!vs->root) {
		quota_uncharge(&vs->charge);
		return -EXO_ENOMEM;
	}
	// The kernel half: entries 256..511 exist from boot, so sharing them is enough.
	memcpy((uint64_t *)phys_to_virt(vs->root) + USER_PML4_ENTRIES,
	       (uint64_t *)phys_to_virt(kernel_root) + USER_PML4_ENTRIES, USER_PML4_ENTRIES * 8);
	return 0;
}

// ---- mapping records ----

static bool writable(unsigned prot)
{
	return (prot & VM_WRITE) && !(prot & VM_NOACCESS);
}

static bool runnable(unsigned prot)
{
	return (prot & VM_EXEC) && !(prot & VM_NOACCESS);
}

// W^X across f's mappings, if one mapping of f now with prot `old` (0: a new one) gets prot.
static bool wx_allowed(const struct uframe *f, unsigned old, unsigned prot)
{
	uint32_t w = f->writable - writable(old), x = f->runnable - runnable(old);

	return !(writable(prot) && x) && !(runnable(prot) && w);
}

static void wx_count(struct uframe *f, unsigned old, unsigned prot)
{
	f->writable = f->writable - writable(old) + writable(prot);
	f->runnable = f->runnable - runnable(old) + runnable(prot);
}

struct mapping *vspace_mapping_at(struct vspace *vs, vaddr_t va)
{
	struct uframe *f;
	paddr_t pa;

	if (!pt_translate(vs->root, va, &pa, NULL) || !(f = uframe_of(pa)))
		return NULL;
	struct mapping *m;

	list_for_each(&f->maps, m, frame_link)
		if (m->vs == vs && m->va == va)
			return m;
	return NULL;
}

// Forgets the record of a mapping whose page-table entry is gone; prot was its protection.
static void mapping_drop(struct mapping *m, unsigned prot)
{
	struct uframe *f = m->frame;
	struct vspace *vs = m->vs;

	list_remove(&m->frame_link);
	wx_count(f, prot, 0);
	kfree(m);
	vs->maps--;
	quota_recharge(&vs->charge, vspace_cost(vs->tables, vs->maps));
	kobj_put(&f->obj);
}

// Unmaps m's page and drops the record.
static void mapping_unmap(struct mapping *m)
{
	unsigned prot = 0;

	pt_translate(m->vs->root, m->va, NULL, &prot);
	pt_unmap_user(m->vs->root, m->va, &m->vs->budget);
	m->vs->parked -= !!(prot & VM_NOACCESS);
	mapping_drop(m, prot);
}

void vspace_unmap_frame(struct uframe *f)
{
	struct mapping *m;

	while ((m = list_first_entry(&f->maps, struct mapping, frame_link)))
		mapping_unmap(m);
}

// The records are found on the frame's list, which is as long as the frame has mappings.
void cap_mappings_gone(struct cap *c)
{
	struct uframe *f = (struct uframe *)c->obj;
	struct mapping *m, *next;

	for (m = list_first_entry(&f->maps, struct mapping, frame_link); m; m = next) {
		next = list_next_entry(&f->maps, m, frame_link);
		if (m->cap == c)
			mapping_unmap(m);
	}
}

void cap_mappings_moved(struct cap *from, struct cap *to)
{
	struct mapping *m;

	list_for_each(&((struct uframe *)to->obj)->maps, m, frame_link)
		if (m->cap == from)
			m->cap = to;
}

// ---- the address space ----

static int check(vaddr_t va, unsigned prot)
{
	if ((va & PAGE_MASK) || !user_range_ok(va, PAGE_SIZE))
		return -EXO_EINVAL;
	if (prot & ~(VM_READ | VM_WRITE | VM_EXEC | VM_MAYWRITE | VM_MAYEXEC | VM_NOACCESS))
		return -EXO_EINVAL;
	return 0;
}

int vspace_map(struct vspace *vs, vaddr_t va, struct uframe *f, unsigned prot, struct cap *via)
{
	struct mapping *m;
	int err = check(va, prot);

	if (err)
		return err;
	if (!wx_allowed(f, 0, prot))
		return -EXO_EBUSY;
	m = kzalloc(sizeof(*m));
	if (!m)
		return -EXO_ENOMEM;
	vs->maps++; // the record is charged before the tables it may need
	err = quota_recharge(&vs->charge, vspace_cost(vs->tables, vs->maps));
	if (!err)
		err = pt_map_user(vs->root, va, f->pa, prot, &vs->budget);
	if (err) {
		kfree(m);
		vs->maps--;
		quota_recharge(&vs->charge, vspace_cost(vs->tables, vs->maps));
		return err;
	}
	m->vs = vs;
	m->va = va;
	m->frame = f;
	m->cap = via;
	list_push_back(&f->maps, &m->frame_link);
	wx_count(f, 0, prot);
	kobj_get(&f->obj);
	return 0;
}

int vspace_map_device(struct vspace *vs, vaddr_t va, paddr_t pa, unsigned prot)
{
	int err = check(va, prot);

	return err ? err : pt_map_user(vs->root, va, pa, prot | VM_UNCACHED, &vs->budget);
}

int vspace_unmap(struct vspace *vs, vaddr_t va)
{
	struct mapping *m;
	int err = check(va, 0);

	if (err)
		return err;
	m = vspace_mapping_at(vs, va);
	if (m) {
		mapping_unmap(m);
		return 0;
	}
	// Device memory (no frame), or nothing.
	unsigned prot = 0;

	if (!pt_translate(vs->root, va, NULL, &prot))
		return -EXO_ENOENT;
	vs->parked -= !!(prot & VM_NOACCESS);
	pt_unmap_user(vs->root, va, &vs->budget);
	return 0;
}

// Sets the protection of a mapped page, keeping W^X across its frame's mappings.
static int set_prot(struct vspace *vs, vaddr_t va, unsigned now, unsigned prot)
{
	struct mapping *m = vspace_mapping_at(vs, va);
	int err;

	if (m && !wx_allowed(m->frame, now, prot))
		return -EXO_EBUSY;
	err = pt_protect(vs->root, va, PAGE_SIZE, prot | VM_USER);
	if (err)
		return err;
	if (m)
		wx_count(m->frame, now, prot);
	vs->parked = vs->parked - !!(now & VM_NOACCESS) + !!(prot & VM_NOACCESS);
	return 0;
}

int vspace_protect(struct vspace *vs, vaddr_t va, unsigned prot)
{
	unsigned now;
	int err = check(va, prot);

	if (err)
		return err;
	if (!pt_translate(vs->root, va, NULL, &now))
		return -EXO_ENOENT;
	return set_prot(vs, va, now, prot);
}

int vspace_reprotect(struct vspace *vs, vaddr_t va, unsigned prot)
{
	unsigned now, may;
	int err = check(va, prot);

	if (err)
		return err;
	if (!pt_translate(vs->root, va, NULL, &now))
		return 0;
	if (!(now & (VM_USER | VM_NOACCESS)))
		return -EXO_EPERM; // not a user mapping
	may = now & (VM_MAYWRITE | VM_MAYEXEC);
	if (((prot & VM_WRITE) && !(may & VM_MAYWRITE)) || ((prot & VM_EXEC) && !(may & VM_MAYEXEC)))
		return -EXO_EPERM;
	err = set_prot(vs, va, now, prot | may);
	return err ? err : 1;
}

// Whether nobody but m holds m's frame: no other mapping, no capability (each holds a reference).
static bool frame_private(const struct mapping *m)
{
	return m->frame->obj.refs == 1 && !m->cap;
}

int vspace_claim(struct vspace *vs, vaddr_t va, unsigned prot)
{
	struct mapping *m;
	unsigned now;
	int err = check(va, prot);

	if (err)
		return err;
	if (!pt_translate(vs->root, va, NULL, &now) || !(m = vspace_mapping_at(vs, va)) ||
	    !frame_private(m) || (now & VM_NOACCESS))
		return 0;
	err = set_prot(vs, va, now, prot | VM_MAYWRITE | (now & VM_MAYEXEC));
	return err ? err : 1;
}

int vspace_copy(struct vspace *src, vaddr_t va, struct vspace *dst, vaddr_t to, unsigned prot,
                struct quota *q)
{
	struct uframe *f;
	struct mapping *m;
	paddr_t pa;
	int err = check(va, 0) ? check(va, 0) : check(to, prot);

	if (err)
		return err;
	if (!pt_translate(src->root, va, &pa, NULL) || !vspace_mapping_at(src, va))
		return 0; // a hole, or device memory
	err = uframe_alloc(q, &f);
	if (err)
		return err;
	memcpy(phys_to_virt(f->pa), phys_to_virt(pa & ~(paddr_t)PAGE_MASK), PAGE_SIZE);
	m = vspace_mapping_at(dst, to);
	if (m && (dst != src || to != va)) {
		kobj_put(&f->obj);
		return -EXO_EEXIST; // only a page copied onto itself is replaced
	}
	if (m) // a copy-on-write page resolved in place
		mapping_unmap(m);
	err = vspace_map(dst, to, f, prot, NULL);
	kobj_put(&f->obj); // the mapping holds it, or nobody and it is freed
	return err ? err : 1;
}

int vspace_share(struct vspace *src, struct vspace *dst, vaddr_t va, bool cow)
{
	struct mapping *m;
	unsigned prot;
	int err = check(va, 0);

	if (err)
		return err;
	if (!pt_translate(src->root, va, NULL, &prot) || !(m = vspace_mapping_at(src, va)))
		return 0; // a hole, or device memory (which is not handed on)
	if (cow && (prot & VM_WRITE)) {
		err = set_prot(src, va, prot, prot & ~VM_WRITE);
		if (err)
			return err;
		prot &= ~VM_WRITE;
	}
	if (cow)
		prot &= ~VM_MAYWRITE; // the copy may become writable only once it is private (vspace_claim)
	err = vspace_map(dst, va, m->frame, prot & ~VM_USER, m->cap);
	if (err)
		return err;
	dst->parked += !!(prot & VM_NOACCESS);
	return 1;
}

// Drops the records (and frame references) of every mapping below table at level, whose first
// address is base; the tables themselves are freed by pt_destroy.
static void drop_level(struct vspace *vs, paddr_t table, int level, vaddr_t base)
{
	uint64_t *e = phys_to_virt(table);

	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		vaddr_t va = base + ((vaddr_t)i << (12 + 9 * level));
		struct mapping *m;
		struct uframe *f;

		if (!(e[i] & PTE_P))
			continue;
		if (level > 0) {
			drop_level(vs, e[i] & PTE_ADDR, level - 1, va);
			continue;
		}
		// The entry is at hand: its frame's records give the mapping without another walk.
		f = uframe_of(e[i] & PTE_ADDR);
		m = NULL;
		if (f)
			list_for_each(&f->maps, m, frame_link)
				if (m->vs == vs && m->va == va)
					break;
		if (m)
			mapping_drop(m, pt_entry_prot(e[i]));
	}
}

void vspace_destroy(struct vspace *vs)
{
	uint64_t *e;

	if (!vs->root)
		return;
	e = phys_to_virt(vs->root);
	paging_leave(vs->root);
	for (unsigned i = 0; i < USER_PML4_ENTRIES; i++)
		if (e[i] & PTE_P)
			drop_level(vs, e[i] & PTE_ADDR, 2, (vaddr_t)i << 39);
	KASSERT(vs->maps == 0);
	pt_destroy(vs->root, 0, USER_PML4_ENTRIES - 1);
	vs->root = 0;
	vs->tables = 0;
	vs->parked = 0;
	quota_uncharge(&vs->charge);
}
