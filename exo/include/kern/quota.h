// SPDX-License-Identifier: MIT
// Memory quotas, the charges against them, and user frames. A quota is a budget of frames. Every
// piece of memory a process causes the kernel to use - user frames, page tables, mapping records,
// thread stacks, process objects and capability tables, endpoints, notifications, child quotas -
// is a charge against one quota, in bytes (the heap footprint for kernel objects), for as long as
// it exists. The descriptors of user frames and of quotas (under 128 bytes) are not charged: each
// comes with at least a whole frame of budget, so they add at most 1/32 to what a quota costs. Every charge
// is on its quota's list, so destroying a quota reaches every object it pays for and destroys it too (as
// seL4's untyped revoke or Zircon's job kill do): reference cycles between processes cannot keep memory alive
// past it. Splitting a quota moves part of the budget into a child quota, itself a charge against the parent.
#pragma once

#include <common/list.h>
#include <kern/kobj.h>

struct quota;
struct mapping;

// One object's charge. destroy (may be NULL) ends the object when its quota is destroyed; it is
// called after the charge was detached (quota NULL), so the object's own later quota_uncharge is
// a no-op.
struct charge {
	struct quota *quota;   // NULL: charged to nobody (or detached by quota_destroy)
	struct list_node link; // in quota->charged
	uint64_t bytes;
	void (*destroy)(struct charge *c);
};

struct quota {
	struct kobj obj;
	struct quota *parent; // holds a reference while the child lives
	uint64_t limit;       // frames this quota may have charged at once
	uint64_t used;        // bytes charged (reported in frames, rounded up)
	struct list charged;  // every charge against it (link)
	struct charge self;   // this quota's budget and object, charged to the parent
};

// A frame of RAM handed to user space. Its mappings are listed (vspace.c) so that revoking it,
// or destroying its quota, unmaps it everywhere; W^X holds per frame across all of them.
struct uframe {
	struct kobj obj;
	paddr_t pa; // 0 once destroyed (the memory went back early; capabilities are stale)
	struct charge charge;
	struct list maps;            // every user mapping of it (mapping.frame_link)
	uint32_t writable, runnable; // mappings that allow writing / executing now
	uint32_t pins;               // kernel users of its memory (an IPC buffer): it outlives them
	bool owned;                  // from the frame allocator (not a boot module): freed at the end
};

#define QUOTA_BYTES(frames) ((frames) * (uint64_t)PAGE_SIZE)

// Sets up the reverse map (physical frame -> uframe) for frames below max_pa.
void uframe_init(paddr_t max_pa);
struct quota *quota_create_root(uint64_t limit);
// Creates a child quota of n (>= 1) frames carved from q. -EXO_ENOMEM if q has no room for them
// (and the quota object), -EXO_EINVAL for n == 0, -EXO_EBADCAP if q was destroyed.
int quota_split(struct quota *q, uint64_t n, struct quota **out);
// Frames in use, rounded up.
uint64_t quota_used_frames(const struct quota *q);
// Charges bytes to q for the object owning c (which holds a reference to q until uncharged).
// -EXO_ENOMEM if q has not that much room, -EXO_EBADCAP if q was destroyed.
int quota_charge(struct quota *q, struct charge *c, uint64_t bytes, void (*destroy)(struct charge *));
// Changes an existing charge to bytes (growth can fail with -EXO_ENOMEM). A detached charge
// (quota NULL) accepts any size.
int quota_recharge(struct charge *c, uint64_t bytes);
// Gives the charge back (no-op for a detached charge); may drop the last reference to the quota.
void quota_uncharge(struct charge *c);
// Destroys q and, depth first, every quota split from it: each charged object is destroyed
// (processes killed, threads killed, frames unmapped everywhere and freed, endpoints and
// notifications ended), capabilities to q turn stale, and its budget returns to its parent. The
// current process, if charged there, is ended last (the call then does not return).
void quota_destroy(struct quota *q);
// A zeroed frame charged to q (reference count 1). -EXO_ENOMEM: quota or memory exhausted.
int uframe_alloc(struct quota *q, struct uframe **out);
// The kernel keeps using f's memory through the direct map (an IPC buffer) until uframe_unpin:
// a destroyed frame's memory is then freed only at the unpin. Each holds a reference.
void uframe_pin(struct uframe *f);
void uframe_unpin(struct uframe *f);
// The user frame at pa, or NULL if pa is not a user frame.
struct uframe *uframe_of(paddr_t pa);
// Wraps an existing physical range (a boot module) as uframes charged to nobody.
int uframe_wrap(paddr_t pa, struct uframe **out);
