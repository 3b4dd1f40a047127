// SPDX-License-Identifier: MIT
// Memory quotas and user frames. A quota is a budget of frames; user frames are allocated
// against one and charged to it until the frame object dies. Splitting a quota moves part of the
// budget into a child quota, which returns what is left of it to the parent when it dies.
#pragma once

#include <kern/kobj.h>

struct quota {
	struct kobj obj;
	struct quota *parent; // holds a reference while the child lives
	uint64_t limit;       // frames this quota may have charged at once
	uint64_t used;
};

struct uframe {
	struct kobj obj;
	paddr_t pa;
	struct quota *quota;
};

// Sets up the reverse map (physical frame -> uframe) for frames below max_pa.
void uframe_init(paddr_t max_pa);
struct quota *quota_create_root(uint64_t limit);
// Creates a child quota of n frames carved from q. -EXO_ENOMEM if q has fewer than n spare.
int quota_split(struct quota *q, uint64_t n, struct quota **out);
// A zeroed frame charged to q (reference count 1). -EXO_ENOMEM: quota or memory exhausted.
int uframe_alloc(struct quota *q, struct uframe **out);
// The user frame at pa, or NULL if pa is not a user frame.
struct uframe *uframe_of(paddr_t pa);
// Wraps an existing physical range (a boot module) as uframes charged to nobody.
int uframe_wrap(paddr_t pa, struct uframe **out);
