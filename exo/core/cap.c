// SPDX-License-Identifier: MIT
// Capability tables and the derivation tree that links capabilities across them (see cap.h).
//
// A cspace is an array of slots. A handle is (gen << 32) | index: the index picks the slot, the
// generation must match the slot's, and a slot's generation moves on every time the slot is
// emptied (delete, move, revoke, table destruction), so a handle kept past its capability's end
// names nothing instead of the slot's next occupant. Generations start at 1 and skip 0 when they
// wrap; index 0 is never handed out (slot 0 stays empty), so 0 is never a valid handle. Empty
// slots form a LIFO free list (cspace.free) linked through their sibling links: finding a free
// slot is O(1).
//
// Every capability made from another (cap_copy, cap_mint) becomes its child: a node in a tree
// whose edges cross tables (parent, and the list of children linked through sibling). The
// capabilities of one tree name the object of the root cap_insert created - except those made by
// cap_derive_sub, which name a part of their parent's object (a narrower range of ports or of
// device memory) and hold their own reference to it - so a revoke, which always keeps its root,
// never drops the root object's last reference, and reaches the parts handed out too. Delete hoists
// the children to the parent; revoke deletes leaves bottom-up with an explicit walk (no
// recursion: a chain of derived copies may be arbitrarily deep, the kernel stack is 16 KiB);
// move rewrites the links that point at the moved slot.
//
// kobj_put comes last in every operation, after the tables and the tree are consistent again: a
// release callback may free the object and may itself change tables (a process's release
// destroying its table), but must not touch the table being destroyed by cspace_destroy.
// No locks: the kernel runs on one CPU for now; with SMP these operations need one lock over
// all tables, as the tree spans them.
#include <kern/cap.h>
#include <kern/heap.h>
#include <kern/panic.h>

#define HANDLE_INDEX(h) ((uint32_t)(h))
#define HANDLE_GEN(h)   ((uint32_t)((h) >> 32))

static cap_handle_t cap_handle(const struct cap *c)
{
	return (uint64_t)c->gen << 32 | (uint32_t)(c - c->owner->slots);
}

// The capability h names in cs, even if its object is dead; NULL if none.
static struct cap *cap_get(struct cspace *cs, cap_handle_t h)
{
	struct cap *c;

	KASSERT(cs && cs->slots);
	c = cap_find(cs, h);
	KASSERT(!c || c->owner == cs);
	return c;
}

// Like cap_get, but a capability to a dead object counts as none.
static struct cap *cap_get_live(struct cspace *cs, cap_handle_t h)
{
	struct cap *c = cap_get(cs, h);

	return c && !c->obj->dead ? c : NULL;
}

// Takes the free slot c off the free list.
static struct cap *slot_take(struct cspace *cs, struct cap *c)
{
	KASSERT(!c->obj && cs->used < cs->nslots - 1 && list_empty(&c->children));
	list_remove(&c->sibling);
	c->owner = cs;
	cs->used++;
	return c;
}

// Takes a slot off the free list; NULL if the table is full.
static struct cap *slot_alloc(struct cspace *cs)
{
	struct cap *c = list_first_entry(&cs->free, struct cap, sibling);

	return c ? slot_take(cs, c) : NULL;
}

// Empties a slot that is out of the tree (its object reference already moved or dropped by the
// caller) and puts it back on the free list.
static void slot_free(struct cap *c)
{
	struct cspace *cs = c->owner;

	KASSERT(c->obj && !c->parent && list_empty(&c->children) && !list_node_linked(&c->sibling));
	c->obj = NULL;
	c->rights = 0;
	c->badge = 0;
	c->owner = NULL;
	if (++c->gen == 0)
		c->gen = 1;
	list_push_front(&cs->free, &c->sibling);
	cs->used--;
}

// Takes c out of its parent's child list; c becomes a root (its own children stay).
static void tree_unlink(struct cap *c)
{
	KASSERT(!c->parent == !list_node_linked(&c->sibling));
	if (c->parent)
		list_remove(&c->sibling);
	c->parent = NULL;
}

// Makes the root c the first child of parent (or leaves it a root if parent is NULL).
static void tree_link(struct cap *parent, struct cap *c)
{
	KASSERT(!c->parent && !list_node_linked(&c->sibling));
	if (!parent)
		return;
	c->parent = parent;
	list_push_front(&parent->children, &c->sibling);
}

static struct cap *first_child(const struct cap *c)
{
	return list_first_entry(&c->children, struct cap, sibling);
}

// Deletes c: its children move to its parent (or become roots), its slot is emptied, and its
// object reference is dropped, last.
static void cap_remove(struct cap *c)
{
	struct kobj *obj = c->obj;
	struct cap *child;

	while ((child = first_child(c))) {
		tree_unlink(child);
		tree_link(c->parent, child);
	}
	tree_unlink(c);
	if (obj->type == EXO_OBJ_FRAME)
		cap_mappings_gone(c); // the mappings hold their own frame references
	slot_free(c);
	kobj_put(obj);
}

// Fills the slot c just taken with a capability to obj, a child of parent (NULL: a root).
static cap_handle_t cap_fill(struct cap *c, struct kobj *obj, uint32_t rights, uint64_t badge,
                             struct cap *parent)
{
	c->obj = obj;
	c->rights = rights;
	c->badge = badge;
	tree_link(parent, c);
	kobj_get(obj);
	return cap_handle(c);
}

// Puts a new capability into a free slot of cs as a child of parent (NULL: a root).
static int cap_new(struct cspace *cs, struct kobj *obj, uint32_t rights, uint64_t badge, struct cap *parent,
                   cap_handle_t *out)
{
	struct cap *c = slot_alloc(cs);

	if (!c)
		return -EXO_ENOSPC;
	*out = cap_fill(c, obj, rights, badge, parent);
	return 0;
}

int cspace_init(struct cspace *cs, uint32_t nslots)
{
	KASSERT(cs);
	cs->slots = NULL;
	cs->nslots = cs->used = 0;
	if (nslots < 2)
		return -EXO_EINVAL;
	cs->slots = kzalloc((size_t)nslots * sizeof(struct cap));
	if (!cs->slots)
		return -EXO_ENOMEM;
	cs->nslots = nslots;
	list_init(&cs->free);
	for (uint32_t i = 0; i < nslots; i++) {
		cs->slots[i].gen = 1;
		list_init(&cs->slots[i].children);
		if (i > 0)
			list_push_back(&cs->free, &cs->slots[i].sibling);
	}
	return 0;
}

// Points c's parent, and that of every capability of cs between c and it, at c's nearest
// ancestor outside cs (NULL if none). Path compression keeps the whole pass linear.
static void parent_outside(struct cspace *cs, struct cap *c)
{
	struct cap *out = c->parent, *up;

	while (out && out->owner == cs)
		out = out->parent;
	while (c->parent != out) {
		up = c->parent;
		c->parent = out;
		c = up;
	}
}

// Cuts cs out of the tree: every child outside cs of a capability in cs moves to that
// capability's nearest ancestor outside cs, and every capability of cs ends up a lone root.
// Deleting the capabilities one at a time would do the same but hoist one child again and
// again up a chain of capabilities in cs: quadratic. Each pass here is linear.
static void cspace_detach(struct cspace *cs, uint32_t top)
{
	struct cap *c, *child, *next;
	uint32_t i;

	// Leave the child lists of outside parents; keep c->parent as c's nearest outside ancestor.
	for (i = 1, c = &cs->slots[1]; i < top; i++, c++)
		if (c->obj && c->parent && c->parent->owner != cs)
			list_remove(&c->sibling);
	// From here on, c->parent of a capability in cs is its nearest outside ancestor; the child
	// lists of capabilities in cs are untouched.
	for (i = 1, c = &cs->slots[1]; i < top; i++, c++)
		if (c->obj)
			parent_outside(cs, c);
	for (i = 1, c = &cs->slots[1]; i < top; i++, c++) {
		if (!c->obj)
			continue;
		for (child = first_child(c); child; child = next) {
			next = list_next_entry(&c->children, child, sibling);
			if (child->owner != cs) {
				list_remove(&child->sibling);
				child->parent = NULL;
				tree_link(c->parent, child);
			}
		}
	}
	// What is left in the child lists of cs is in cs: take every capability out of the tree.
	for (i = 1, c = &cs->slots[1]; i < top; i++, c++) {
		if (!c->obj)
			continue;
		while (list_pop_front(&c->children))
			;
		c->parent = NULL;
	}
}

void cspace_destroy(struct cspace *cs)
{
	KASSERT(cs);
	if (!cs->slots)
		return; // never initialised, or destroyed already
	// The slots above the last capability are empty: no pass needs to look at them.
	uint32_t top = cs->nslots;

	while (top > 1 && !cs->slots[top - 1].obj)
		top--;
	cspace_detach(cs, top);
	for (uint32_t i = 1; i < top; i++)
		if (cs->slots[i].obj)
			cap_remove(&cs->slots[i]);
	KASSERT(cs->used == 0);
	kfree(cs->slots);
	cs->slots = NULL;
	cs->nslots = 0;
}

int cap_insert(struct cspace *cs, struct kobj *obj, uint32_t rights, uint64_t badge, cap_handle_t *out)
{
	KASSERT(cs && cs->slots && obj && out);
	if (rights & ~EXO_R_ALL)
		return -EXO_EINVAL;
	return cap_new(cs, obj, rights, badge, NULL, out);
}

static int check(struct cap *c, uint16_t type, uint32_t rights, struct cap **out)
{
	KASSERT(out);
	if (!c)
		return -EXO_EBADCAP;
	if (type != 0 && c->obj->type != type)
		return -EXO_ETYPE;
	if (rights & ~c->rights)
		return -EXO_EPERM;
	*out = c;
	return 0;
}

int cap_lookup(struct cspace *cs, cap_handle_t h, uint16_t type, uint32_t rights, struct cap **out)
{
	return check(cap_get_live(cs, h), type, rights, out);
}

int cap_lookup_any(struct cspace *cs, cap_handle_t h, uint16_t type, uint32_t rights, struct cap **out)
{
	return check(cap_get(cs, h), type, rights, out);
}

// Makes a child of src in dst: rights only shrink, and leaving src's table needs GRANT.
static int cap_derive(struct cap *src, struct cspace *dst, uint32_t rights, uint64_t badge, cap_handle_t *out)
{
	KASSERT(dst && dst->slots && out);
	if (rights & ~src->rights)
		return -EXO_EPERM;
	if (dst != src->owner && !(src->rights & EXO_R_GRANT))
		return -EXO_EPERM;
	return cap_new(dst, src->obj, rights, badge, src, out);
}

int cap_copy(struct cspace *src, cap_handle_t h, struct cspace *dst, uint32_t rights, cap_handle_t *out)
{
	struct cap *c = cap_get_live(src, h);

	if (!c)
		return -EXO_EBADCAP;
	return cap_derive(c, dst, rights, c->badge, out);
}

// The first of count consecutive free slots of cs, or NULL.
static struct cap *free_run(struct cspace *cs, uint32_t count)
{
	uint32_t run = 0;

	for (uint32_t i = 1; i < cs->nslots; i++) {
		run = cs->slots[i].obj ? 0 : run + 1;
		if (run == count)
			return &cs->slots[i + 1 - count];
	}
	return NULL;
}

int cap_copy_range(struct cspace *src, cap_handle_t h, uint32_t count, struct cspace *dst, uint32_t rights,
                   cap_handle_t *out)
{
	struct cap *first;

	KASSERT(dst && dst->slots && out && count > 0);
	for (uint32_t i = 0; i < count; i++) {
		struct cap *c = cap_get_live(src, h + i);

		if (!c)
			return -EXO_EBADCAP;
		if ((rights & ~c->rights) || (dst != src && !(c->rights & EXO_R_GRANT)))
			return -EXO_EPERM;
	}
	first = free_run(dst, count);
	if (!first)
		return -EXO_ENOSPC;
	// One generation for the run, so that its handles are consecutive: each slot moves up to the
	// highest of them (a generation only ever grows: no stale handle comes back to life).
	uint32_t gen = 0;

	for (uint32_t i = 0; i < count; i++)
		gen = first[i].gen > gen ? first[i].gen : gen;
	for (uint32_t i = 0; i < count; i++)
		first[i].gen = gen;
	for (uint32_t i = 0; i < count; i++) {
		struct cap *c = cap_get(src, h + i);

		cap_fill(slot_take(dst, first + i), c->obj, rights, c->badge, c);
	}
	*out = cap_handle(first);
	return 0;
}

int cap_derive_sub(struct cspace *cs, cap_handle_t h, struct kobj *sub, uint32_t rights, cap_handle_t *out)
{
	struct cap *c = cap_get_live(cs, h);

	if (!c)
		return -EXO_EBADCAP;
	if (rights & ~c->rights)
		return -EXO_EPERM;
	return cap_new(cs, sub, rights, c->badge, c, out);
}

int cap_mint(struct cspace *cs, cap_handle_t h, uint32_t rights, uint64_t badge, cap_handle_t *out)
{
	struct cap *c = cap_get_live(cs, h);

	if (!c)
		return -EXO_EBADCAP;
	if (badge == 0)
		return -EXO_EINVAL;
	if (c->badge != 0)
		return -EXO_EPERM;
	return cap_derive(c, cs, rights, badge, out);
}

int cap_move(struct cspace *src, cap_handle_t h, struct cspace *dst, cap_handle_t *out)
{
	struct cap *s = cap_get_live(src, h), *d, *child;

	KASSERT(dst && dst->slots && out);
	if (!s)
		return -EXO_EBADCAP;
	if (dst != src && !(s->rights & EXO_R_GRANT))
		return -EXO_EPERM;
	d = slot_alloc(dst);
	if (!d)
		return -EXO_ENOSPC;
	d->obj = s->obj;
	d->rights = s->rights;
	d->badge = s->badge;
	d->parent = s->parent;
	if (s->parent)
		list_replace(&s->sibling, &d->sibling);
	list_splice_back(&s->children, &d->children);
	list_for_each(&d->children, child, sibling)
		child->parent = d;
	if (d->obj->type == EXO_OBJ_FRAME)
		cap_mappings_moved(s, d);
	s->parent = NULL;
	slot_free(s); // the reference moved to d
	*out = cap_handle(d);
	return 0;
}

int cap_delete(struct cspace *cs, cap_handle_t h)
{
	struct cap *c = cap_get(cs, h);

	if (!c)
		return -EXO_EBADCAP;
	cap_remove(c);
	return 0;
}

// Walks down to a leaf, deletes it, and resumes at its parent: O(descendants), constant stack.
// The root keeps a reference to the object every descendant names, so no put here releases it.
int cap_revoke(struct cspace *cs, cap_handle_t h)
{
	struct cap *root = cap_get(cs, h), *c, *parent;

	if (!root)
		return -EXO_EBADCAP;
	c = first_child(root);
	while (c) {
		if (first_child(c)) {
			c = first_child(c);
			continue;
		}
		KASSERT(c->obj != root->obj || c->obj->refs > 1);
		parent = c->parent;
		cap_remove(c);
		c = parent == root ? first_child(root) : parent;
	}
	return 0;
}
