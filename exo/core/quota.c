// SPDX-License-Identifier: MIT
// Quotas and user frames (see kern/quota.h). A reverse map with one pointer per physical frame
// lets unmapping find the uframe behind a page-table entry, so a mapping can hold a reference
// and a frame returns to the free pool only when its last capability and mapping are gone.
// Single CPU, interrupts off in the kernel: no locks yet.
#include <common/string.h>
#include <kern/errno.h>
#include <kern/frame.h>
#include <kern/heap.h>
#include <kern/panic.h>
#include <kern/physmap.h>
#include <kern/quota.h>

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

static void quota_release(struct kobj *o)
{
	struct quota *q = (struct quota *)o;

	KASSERT(q->used == 0);
	if (q->parent) {
		q->parent->used -= q->limit;
		kobj_put(&q->parent->obj);
	}
	kfree(q);
}

struct quota *quota_create_root(uint64_t limit)
{
	struct quota *q = kzalloc(sizeof(*q));

	if (!q)
		return NULL;
	kobj_init(&q->obj, EXO_OBJ_QUOTA, quota_release);
	q->limit = limit;
	return q;
}

int quota_split(struct quota *q, uint64_t n, struct quota **out)
{
	struct quota *c;

	if (n > q->limit - q->used)
		return -EXO_ENOMEM;
	c = quota_create_root(n);
	if (!c)
		return -EXO_ENOMEM;
	q->used += n; // the child's whole budget counts as used in the parent
	kobj_get(&q->obj);
	c->parent = q;
	*out = c;
	return 0;
}

static void uframe_release(struct kobj *o)
{
	struct uframe *f = (struct uframe *)o;

	reverse[f->pa / PAGE_SIZE] = NULL;
	if (f->quota) {
		f->quota->used--;
		kobj_put(&f->quota->obj);
		frame_free(f->pa);
	}
	kfree(f);
}

static struct uframe *uframe_new(paddr_t pa, struct quota *q)
{
	struct uframe *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	kobj_init(&f->obj, EXO_OBJ_FRAME, uframe_release);
	f->pa = pa;
	f->quota = q;
	reverse[pa / PAGE_SIZE] = f;
	return f;
}

int uframe_alloc(struct quota *q, struct uframe **out)
{
	paddr_t pa;
	struct uframe *f;

	if (q->used >= q->limit)
		return -EXO_ENOMEM;
	pa = frame_alloc();
	if (!pa)
		return -EXO_ENOMEM;
	if (pa / PAGE_SIZE >= reverse_n || !(f = uframe_new(pa, q))) {
		frame_free(pa);
		return -EXO_ENOMEM;
	}
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	q->used++;
	kobj_get(&q->obj);
	*out = f;
	return 0;
}

int uframe_wrap(paddr_t pa, struct uframe **out)
{
	struct uframe *f;

	if ((pa & PAGE_MASK) || pa / PAGE_SIZE >= reverse_n || reverse[pa / PAGE_SIZE])
		return -EXO_EINVAL;
	f = uframe_new(pa, NULL);
	if (!f)
		return -EXO_ENOMEM;
	*out = f;
	return 0;
}

struct uframe *uframe_of(paddr_t pa)
{
	return pa / PAGE_SIZE < reverse_n ? reverse[pa / PAGE_SIZE] : NULL;
}
