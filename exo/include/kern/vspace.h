// SPDX-License-Identifier: MIT
// User address spaces: page-table trees whose upper half is shared with the kernel. Every user
// mapping of a RAM frame holds a reference on its uframe, dropped on unmap.
#pragma once

#include <kern/types.h>

struct uframe;

// A new root sharing the kernel half; 0 when out of memory.
paddr_t vspace_create(void);
// Unmaps everything in the user half (dropping frame references), frees all tables and the root.
void vspace_destroy(paddr_t root);
// Maps f at va (user, prot VM_READ/WRITE/EXEC, and VM_MAYWRITE/VM_MAYEXEC: what a later
// vspace_reprotect may give back; W|X refused). Takes a reference on success.
int vspace_map(paddr_t root, vaddr_t va, struct uframe *f, unsigned prot);
// Maps device memory (no frame object) uncached.
int vspace_map_device(paddr_t root, vaddr_t va, paddr_t pa, unsigned prot);
// Unmaps the page at va; -EXO_ENOENT if nothing is mapped there.
int vspace_unmap(paddr_t root, vaddr_t va);
int vspace_protect(paddr_t root, vaddr_t va, unsigned prot);
// Sets prot on the user page at va if one is mapped (returns 1; 0 if nothing is there), within the
// VM_MAYWRITE/VM_MAYEXEC it was mapped with (-EXO_EPERM beyond them); VM_NOACCESS keeps it mapped
// but out of user mode's reach.
int vspace_reprotect(paddr_t root, vaddr_t va, unsigned prot);
