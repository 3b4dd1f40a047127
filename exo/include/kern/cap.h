// SPDX-License-Identifier: MIT
// Capability tables ("cspaces"). A process names kernel objects through handles into its own
// table; each slot holds an object reference, a rights mask and a badge. Handles are
// (generation << 32) | index with index >= 1, and a slot's generation changes every time it is
// emptied, so an old handle to a reused slot is stale (EXO_EBADCAP), never another object.
// Every capability derived from another (copy, mint) is its child in a derivation tree that spans
// all tables: revoke deletes all descendants, delete re-parents a capability's children to its
// parent. Rights only ever shrink along the tree.
#pragma once

#include <common/list.h>
#include <kern/errno.h>
#include <kern/kobj.h>

typedef exo_handle_t cap_handle_t; // the ABI's handle

struct cspace;
struct mapping;

struct cap {
	struct kobj *obj; // NULL: empty slot
	uint32_t rights;  // EXO_R_*
	uint32_t gen;     // generation of this slot
	uint64_t badge;   // 0: unbadged
	struct cspace *owner;
	struct cap *parent;       // derivation tree: NULL for a root
	struct list children;     // the capabilities derived from this one (their sibling links)
	struct list_node sibling; // in parent->children; an empty slot: in the table's free list
};

struct cspace {
	struct cap *slots; // slots[0] is never used (its obj stays NULL)
	struct list free;  // empty slots, last freed first
	uint32_t nslots;
	uint32_t used;
};

// The capability h names in cs, even if its object is dead; NULL if none. Inline for the IPC
// fast path; everything else goes through cap_lookup.
static inline struct cap *cap_find(struct cspace *cs, cap_handle_t h)
{
	uint32_t index = (uint32_t)h;
	struct cap *c;

	if (index >= cs->nslots) // index 0 is in range, but slot 0 is always empty
		return NULL;
	c = &cs->slots[index];
	return c->obj && c->gen == (uint32_t)(h >> 32) ? c : NULL;
}

// Allocates a table of nslots (including the unused slot 0). -EXO_ENOMEM / -EXO_EINVAL.
int cspace_init(struct cspace *cs, uint32_t nslots);
// Deletes every capability in the table (re-parenting children elsewhere) and frees it.
void cspace_destroy(struct cspace *cs);

// Puts a new root capability (no parent) for obj into cs; takes a reference to obj.
int cap_insert(struct cspace *cs, struct kobj *obj, uint32_t rights, uint64_t badge, cap_handle_t *out);
// Finds h in cs. Errors: -EXO_EBADCAP (no such live capability, or the object is dead),
// -EXO_ETYPE (type != 0 and the object has another type), -EXO_EPERM (rights missing).
int cap_lookup(struct cspace *cs, cap_handle_t h, uint16_t type, uint32_t rights, struct cap **out);
// Like cap_lookup, but also finds capabilities to dead objects (to read what they left, such as
// a process's exit status).
int cap_lookup_any(struct cspace *cs, cap_handle_t h, uint16_t type, uint32_t rights, struct cap **out);
// Copies h from src into dst with rights (a subset of the source's, else -EXO_EPERM) as a child
// of the source. Copying into another table needs EXO_R_GRANT on the source.
int cap_copy(struct cspace *src, cap_handle_t h, struct cspace *dst, uint32_t rights, cap_handle_t *out);
// Copies the count capabilities with consecutive handles from h into count consecutive free
// slots of dst (all or nothing); *out: the first new handle. -EXO_ENOSPC without such a run.
int cap_copy_range(struct cspace *src, cap_handle_t h, uint32_t count, struct cspace *dst, uint32_t rights,
                   cap_handle_t *out);
// Like cap_copy within one table, also setting a badge; the source must be unbadged (-EXO_EPERM).
int cap_mint(struct cspace *cs, cap_handle_t h, uint32_t rights, uint64_t badge, cap_handle_t *out);
// A capability to sub (a part of h's object: a narrower port or memory range) as a child of h in
// the same table, so that revoking h deletes it too; rights must be a subset of h's. Takes a
// reference to sub.
int cap_derive_sub(struct cspace *cs, cap_handle_t h, struct kobj *sub, uint32_t rights, cap_handle_t *out);
// Moves h from src to dst (keeping its place in the tree); h is empty afterwards. Moving into
// another table needs EXO_R_GRANT.
int cap_move(struct cspace *src, cap_handle_t h, struct cspace *dst, cap_handle_t *out);
// Deletes h; its children become children of its parent. Drops the object reference.
int cap_delete(struct cspace *cs, cap_handle_t h);
// Deletes every descendant of h (in any table), keeping h itself.
int cap_revoke(struct cspace *cs, cap_handle_t h);

// Provided by the address-space code (core/vspace.c): a frame capability is being deleted (unmap
// the pages mapped with it) or moved to another slot (their records follow it). The records hang
// off the frame, so a capability costs no more than before (its size is on the IPC fast path).
void cap_mappings_gone(struct cap *c);
void cap_mappings_moved(struct cap *from, struct cap *to);
