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
// Switches every CPU on root to the kernel's own tables (before freeing root).
void paging_leave(paddr_t root);
// Serves this CPU's part of a pending TLB shootdown, if any (interrupt handler, lock spin).
void tlb_shootdown_serve(void);
void *mmio_map(paddr_t pa, size_t len, unsigned prot);
