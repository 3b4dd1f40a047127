// SPDX-License-Identifier: MIT
// Device resources other than IRQs: I/O port ranges (enforced through the TSS I/O permission
// bitmap of the process using them) and device-memory (MMIO) ranges, which never cover RAM.
#pragma once

#include <kern/kobj.h>

struct process;

struct ioport {
	struct kobj obj;
	uint32_t first, count;
};

struct mmio {
	struct kobj obj;
	paddr_t paddr;
	uint64_t size;
};

struct ioport *ioport_create(uint32_t first, uint32_t count);
struct mmio *mmio_create(paddr_t paddr, uint64_t size);
// Loads p's I/O permission bitmap into the TSS (none: every port faults). Called on switch.
void ioport_switch(struct process *p);
// Frees p's bitmap (process teardown).
void ioport_release(struct process *p);
