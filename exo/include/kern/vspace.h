// SPDX-License-Identifier: MIT
// User address spaces: page-table trees whose upper half is shared with the kernel. The root, the
// page tables and one mapping record per mapped RAM page are charged to the owner's quota; tables
// are freed as soon as they are empty. Every user mapping of a RAM frame holds a reference on its
// uframe and is recorded on that frame and on the capability it was made with, so that deleting
// or revoking the capability, or destroying the frame's quota, unmaps it everywhere. W^X holds
// per frame: no frame is writable in one mapping while executable in another.
#pragma once

#include <arch/pagetable.h>
#include <kern/quota.h>

struct cap;

struct vspace {
	paddr_t root;
	struct charge charge; // the root, the tables and the mapping records
	struct pt_budget budget;
	uint64_t tables; // page-table pages below the root
	uint64_t maps;   // mapping records
	uint64_t parked; // pages parked with VM_NOACCESS (copyin checks for them only if any)
};

// A user mapping of a RAM frame, on its frame's list. cap is the capability it was made with; NULL when it
// was made by the kernel (the boot loader, an IPC grant from an unrecorded page) or the capability was handed
// to the mapping (EXO_MAP_MOVE): it then lasts until unmapped or the frame is destroyed.
struct mapping {
	struct vspace *vs;
	vaddr_t va;
	struct uframe *frame;
	struct cap *cap;
	struct list_node frame_link; // in frame->maps
};

// A new address space sharing the kernel half, charged to q. -EXO_ENOMEM.
int vspace_init(struct vspace *vs, struct quota *q);
// Unmaps everything in the user half (dropping frame references), frees all tables and the root,
// and gives the charge back.
void vspace_destroy(struct vspace *vs);
// Maps f at va (user, prot VM_READ/WRITE/EXEC, and VM_MAYWRITE/VM_MAYEXEC: what a later
// vspace_reprotect may give back), recorded on via (may be NULL). Takes a reference on f.
// -EXO_EINVAL (W|X, bad address), -EXO_EEXIST, -EXO_ENOMEM, -EXO_EBUSY (W^X: f is executable
// elsewhere and prot writable, or the reverse).
int vspace_map(struct vspace *vs, vaddr_t va, struct uframe *f, unsigned prot, struct cap *via);
// Maps device memory (no frame object) uncached.
int vspace_map_device(struct vspace *vs, vaddr_t va, paddr_t pa, unsigned prot);
// Unmaps the page at va; -EXO_ENOENT if nothing is mapped there.
int vspace_unmap(struct vspace *vs, vaddr_t va);
int vspace_protect(struct vspace *vs, vaddr_t va, unsigned prot);
// Sets prot on the user page at va if one is mapped (returns 1; 0 if nothing is there), within the
// VM_MAYWRITE/VM_MAYEXEC it was mapped with (-EXO_EPERM beyond them, -EXO_EBUSY against W^X);
// VM_NOACCESS keeps it mapped but out of user mode's reach.
int vspace_reprotect(struct vspace *vs, vaddr_t va, unsigned prot);
// Makes the page at va writable (prot, with VM_WRITE) if its frame is private to this mapping - no
// other mapping, no capability - even beyond what it was mapped with: nobody else can see the
// writes. Returns 1 if it did, 0 if nothing is mapped there or the frame is shared.
int vspace_claim(struct vspace *vs, vaddr_t va, unsigned prot);
// Maps a fresh frame of q holding a copy of the RAM page mapped at va in src at to in dst with
// prot. A page at to is -EXO_EEXIST, unless it is the page copied (src == dst, to == va): it is
// replaced. Returns 1, 0 for a hole or device memory, or an error.
int vspace_copy(struct vspace *src, vaddr_t va, struct vspace *dst, vaddr_t to, unsigned prot,
                struct quota *q);
// Maps the RAM page mapped at va in src at va in dst, with its protection and recorded on the same
// capability (revoking it reaches the copy). cow: src's page loses VM_WRITE and dst's may not
// regain it (until private: vspace_claim). Returns 1, 0 for a hole or device memory, or an error
// of vspace_map.
int vspace_share(struct vspace *src, struct vspace *dst, vaddr_t va, bool cow);
// The mapping record of the RAM page mapped at va, or NULL.
struct mapping *vspace_mapping_at(struct vspace *vs, vaddr_t va);
// Unmaps every mapping of f, in every address space.
void vspace_unmap_frame(struct uframe *f);
