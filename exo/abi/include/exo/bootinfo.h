// SPDX-License-Identifier: MIT
// Part of the exo ABI: what the kernel hands the first user program.
#pragma once

#include <stdint.h>

// exo_bootinfo: what the kernel gives init, mapped read-only at EXO_BOOTINFO_ADDR and passed in
// rdi to its entry point (below the 8 MiB a libos main stack may grow to). Handles name
// capabilities in init's table.
#define EXO_BOOTINFO_ADDR    0x7ffe00000000ull
#define EXO_BOOTINFO_MAGIC   0x746f6f626f7865ull // "exoboot"
#define EXO_MAX_BOOT_MODULES 16
// init's stack: EXO_INIT_STACK_PAGES mapped pages (read/write) ending at EXO_INIT_STACK_TOP.
#define EXO_INIT_STACK_TOP   0x7ffffff00000ull
#define EXO_INIT_STACK_PAGES 16

struct exo_boot_module {
	uint64_t frames; // handle of the first frame; the module's frames have consecutive handles
	uint64_t npages;
	uint64_t size; // bytes
	char name[64];
};

struct exo_bootinfo {
	uint64_t magic;
	uint64_t self;   // PROCESS capability of init itself (all rights)
	uint64_t thread; // THREAD capability of init's first thread
	uint64_t quota;  // QUOTA: all free memory
	uint64_t quota_frames;
	uint64_t ioports;   // IOPORT: ports 0..0xffff
	uint64_t timeslice; // TIMESLICE: the whole CPU (init itself is not limited)
	uint64_t mmio;      // MMIO: all physical addresses (RAM and the kernel's devices refused)
	uint64_t irq_first; // IRQ capabilities for GSIs 0..nirqs-1, consecutive handles
	uint64_t nirqs;
	uint64_t nmodules;
	struct exo_boot_module modules[EXO_MAX_BOOT_MODULES];
	char cmdline[256];
};
