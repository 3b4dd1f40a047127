// SPDX-License-Identifier: MIT
// The kernel's page tables: built once at boot from the memory map, then live in every vspace.
#pragma once

#include <arch/pagetable.h>

extern paddr_t kernel_root;

// Builds the final kernel tables (sections with W^X, guard pages, direct map of usable RAM)
// and switches to them.
void paging_init(void);
// Maps len bytes of physical memory at pa into the MMIO window; returns the virtual address
// of pa, or NULL. VM_UNCACHED for device registers; plain VM_READ for firmware tables.
// Switches to the kernel's own tables if root is live on this CPU (before freeing root).
void paging_leave(paddr_t root);
void *mmio_map(paddr_t pa, size_t len, unsigned prot);
