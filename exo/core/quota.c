// SPDX-License-Identifier: MIT
// Quotas, charges and user frames (see kern/quota.h). A reverse map with one pointer per physical
// frame lets unmapping find the uframe behind a page-table entry, so a mapping can hold a
// reference and a frame returns to the free pool only when its last capability and mapping are
// gone - or at once when its quota is destroyed (it is then unmapped everywhere first).
// Invariants: q->used is the sum of the bytes on q->charged; a live charge's object holds one
// reference to its quota; a destroyed quota (obj.dead) has no charges and takes none.
// Single CPU, interrupts off in the kernel: no locks yet.
#include <common/string.h>
#include <kern/errno.h>
#include <kern/frame.h>
#include <kern/heap.h>
#include <kern/panic.h>
#include <kern/physmap.h>
#include <kern/quota.h>
#include <kern/vspace.h>

static struct uframe **reverse; // indexed by frame number
static uint64_t reverse_n;

void uframe_init(paddr_t max_pa)
{
	size_t bytes = ALIGN_UP(max_pa / PAGE_SIZE * sizeof(*reverse), PAGE_SIZE);
	paddr_t pa = frame_alloc_contig(bytes / PAGE_SIZE, PAGE_SIZE);

	if (!pa)
		panic("quota: no memory for the frame reverse map (%zu KiB)", bytes / 1024);
	reverse = phys_to_virt(pa);
	memset(reverse, 0, bytes);
	reverse_n = max_pa / PAGE_SIZE;
}

// ---- charges ----

uint64_t quota_used_frames(const struct quota *q)
{
	return (q->used + PAGE_SIZE - 1) / PAGE_SIZE;
}

static bool room(const struct quota *q, uint64_t bytes)
{
	return bytes <= QUOTA_BYTES(q->limit) && q->used <= QUOTA_BYTES(q->limit) - bytes;
}

int quota_charge(struct quota *q, struct charge *c, uint64_t bytes, void (*destroy)(struct charge *))
{
	KASSERT(!c->quota);
	if (q->obj.dead)
		return -EXO_EBADCAP;
	if (!room(q, bytes))
		return -EXO_ENOMEM;
	q->used += bytes;
	c->quota = q;
	c->bytes = bytes;
	c->destroy = destroy;
	list_push_front(&q->charged, &c->link);
	kobj_get(&q->obj);
	return 0;
}

int quota_recharge(struct charge *c, uint64_t bytes)
{
	struct quota *q = c->quota;

	if (q && bytes > c->bytes && !room(q, bytes - c->bytes))
		return -EXO_ENOMEM;
	if (q)
		q->used = q->used - c->bytes + bytes;
	c->bytes = bytes;
	return 0;
}

// Takes c off its quota's list and out of its use; returns the quota (the caller drops the
// reference the charge held).
static struct quota *detach(struct charge *c)
{
	struct quota *q = c->quota;

	KASSERT(q && q->used >= c->bytes);
	list_remove(&c->link);
	c->quota = NULL;
	q->used -= c->bytes;
	KASSERT(!list_empty(&q->charged) || q->used == 0);
	return q;
}

void quota_uncharge(struct charge *c)
{
	if (c->quota)
		kobj_put(&detach(c)->obj);
}

// ---- quotas ----

static void quota_release(struct kobj *o)
{
	struct quota *q = (struct quota *)o;

	KASSERT(q->used == 0 && list_empty(&q->charged));
	quota_uncharge(&q->self);
	if (q->parent)
		kobj_put(&q->parent->obj);
	kfree(q);
}

static struct quota *quota_new(uint64_t limit)
{
	struct quota *q = kzalloc(sizeof(*q));

	if (q) {
		kobj_init(&q->obj, EXO_OBJ_QUOTA, quota_release);
		list_init(&q->charged);
		q->limit = limit;
	}
	return q;
}

struct quota *quota_create_root(uint64_t limit)
{
	return quota_new(limit);
}

static void quota_destroy_charge(struct charge *c)
{
	(void)c; // quota_destroy descends into child quotas itself (no recursion)
}

int quota_split(struct quota *q, uint64_t n, struct quota **out)
{
	struct quota *c;
	int err;

	if (n == 0)
		return -EXO_EINVAL;
	if (n > q->limit)
		return -EXO_ENOMEM;
	c = quota_new(n);
	if (!c)
		return -EXO_ENOMEM;
	// The child's whole budget counts as used in the parent (its descriptor comes with it).
	err = quota_charge(q, &c->self, QUOTA_BYTES(n), quota_destroy_charge);
	if (err) {
		kfree(c);
		return err;
	}
	kobj_get(&q->obj);
	c->parent = q;
	*out = c;
	return 0;
}

// Ends q (all its own charges are gone): stale capabilities, budget back to the parent.
static void quota_finish(struct quota *q)
{
	KASSERT(list_empty(&q->charged) && q->used == 0);
	q->obj.dead = 1;
	quota_uncharge(&q->self);
}

void quota_destroy(struct quota *top)
{
	struct quota *q = top;
	struct charge *c;

	if (top->obj.dead)
		return;
	kobj_get(&top->obj);
	top->obj.dead = 1; // no new charges from here on
	for (;;) {
		c = list_first_entry(&q->charged, struct charge, link);
		if (c && c->destroy == quota_destroy_charge) {
			struct quota *child = (struct quota *)((char *)c - offsetof(struct quota, self));

			// Descend first: the child's charges go before the child itself.
			kobj_get(&child->obj);
			child->obj.dead = 1;
			q = child;
			continue;
		}
		if (c) {
			struct quota *owner = detach(c);

			if (c->destroy)        // an address space has none: it ends with its process
				c->destroy(c); // the object's own uncharge is a no-op now
			kobj_put(&owner->obj);
			continue;
		}
		// q is empty: finish it and go back up.
		struct quota *parent = q->parent;

		quota_finish(q);
		kobj_put(&q->obj);
		if (q == top)
			break;
		q = parent;
	}
}

// ---- user frames ----

static void uframe_release(struct kobj *o)
{
	struct uframe *f = (struct uframe *)o;

	KASSERT(list_empty(&f->maps) && !f->writable && !f->runnable && !f->pins);
	if (f->pa && reverse[f->pa / PAGE_SIZE] == f)
		reverse[f->pa / PAGE_SIZE] = NULL;
	if (f->pa && f->owned) // boot-module frames stay
		frame_free(f->pa);
	quota_uncharge(&f->charge);
	kfree(f);
}

// Quota destruction: the frame is unmapped everywhere and, unless the kernel still uses it, its
// memory is freed now; capabilities to it stay until deleted, naming a dead object.
static void uframe_destroy(struct charge *c)
{
	struct uframe *f = (struct uframe *)((char *)c - offsetof(struct uframe, charge));

	kobj_get(&f->obj);
	f->obj.dead = 1;
	vspace_unmap_frame(f);
	reverse[f->pa / PAGE_SIZE] = NULL;
	if (!f->pins) {
		frame_free(f->pa);
		f->pa = 0;
	}
	kobj_put(&f->obj);
}

void uframe_pin(struct uframe *f)
{
	kobj_get(&f->obj);
	f->pins++;
}

void uframe_unpin(struct uframe *f)
{
	KASSERT(f->pins > 0);
	f->pins--;
	kobj_put(&f->obj);
}

static struct uframe *uframe_new(paddr_t pa)
{
	struct uframe *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	kobj_init(&f->obj, EXO_OBJ_FRAME, uframe_release);
	list_init(&f->maps);
	f->pa = pa;
	reverse[pa / PAGE_SIZE] = f;
	return f;
}

int uframe_alloc(struct quota *q, struct uframe **out)
{
	uint64_t bytes = PAGE_SIZE; // its descriptor comes with it (kern/quota.h)
	struct uframe *f;
	paddr_t pa;

	if (q->obj.dead)
		return -EXO_EBADCAP;
	if (!room(q, bytes))
		return -EXO_ENOMEM;
	pa = frame_alloc();
	if (!pa)
		return -EXO_ENOMEM;
	if (pa / PAGE_SIZE >= reverse_n || !(f = uframe_new(pa))) {
		frame_free(pa);
		return -EXO_ENOMEM;
	}
	f->owned = true;
	if (quota_charge(q, &f->charge, bytes, uframe_destroy))
		panic("quota: a checked charge failed"); // room was checked above
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	*out = f;
	return 0;
}

int uframe_wrap(paddr_t pa, struct uframe **out)
{
	struct uframe *f;

	if ((pa & PAGE_MASK) || pa / PAGE_SIZE >= reverse_n || reverse[pa / PAGE_SIZE])
		return -EXO_EINVAL;
	f = uframe_new(pa);
	if (!f)
		return -EXO_ENOMEM;
	*out = f;
	return 0;
}

struct uframe *uframe_of(paddr_t pa)
{
	return pa / PAGE_SIZE < reverse_n ? reverse[pa / PAGE_SIZE] : NULL;
}
