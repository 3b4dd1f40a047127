// SPDX-License-Identifier: MIT
// Kernel objects: the common header of everything a capability can name. An object lives while
// references exist (each capability holds one; kernel structures such as mappings or run queues
// may hold more). An object can be killed before that (a thread destroyed, a process exited):
// it is then marked dead, every capability to it reports EXO_EBADCAP, and its memory is freed
// only when the last reference goes, so a stale handle can never reach freed memory.
#pragma once

#include <kern/types.h>

struct kobj {
	uint16_t type; // EXO_OBJ_*
	uint16_t dead; // killed: capabilities to it are stale
	uint32_t refs;
	void (*release)(struct kobj *o); // frees the object when refs drops to 0
};

static inline void kobj_init(struct kobj *o, uint16_t type, void (*release)(struct kobj *))
{
	o->type = type;
	o->dead = 0;
	o->refs = 1;
	o->release = release;
}

static inline void kobj_get(struct kobj *o)
{
	o->refs++;
}

static inline void kobj_put(struct kobj *o)
{
	if (--o->refs == 0 && o->release)
		o->release(o);
}
