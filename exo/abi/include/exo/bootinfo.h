// SPDX-License-Identifier: MIT
// Part of the exo ABI: what the kernel hands the first user program.
#pragma once

#include <exo/exo.h>
#include <stddef.h>
#include <stdint.h>

// exo_bootinfo: what the kernel gives init, mapped read-only at EXO_BOOTINFO_ADDR and passed in
// rdi to its entry point (below the 8 MiB a libos main stack may grow to). Handles name
// capabilities in init's table. A launcher (apps/launch) builds one in the same layout for an
// unprivileged program it starts: the device fields zero, console and realtime_ns filled in.
#define EXO_BOOTINFO_ADDR    0x7ffe00000000ull
#define EXO_BOOTINFO_MAGIC   0x746f6f626f7865ull // "exoboot"
#define EXO_MAX_BOOT_MODULES 24
// init's stack: EXO_INIT_STACK_PAGES mapped pages (read/write) ending at EXO_INIT_STACK_TOP.
#define EXO_INIT_STACK_TOP   0x7ffffff00000ull
#define EXO_INIT_STACK_PAGES 16

struct exo_boot_module {
	exo_frame_t frames; // the first frame; the module's frames have consecutive handles
	uint64_t npages;
	uint64_t size; // bytes
	char name[64];
};

struct exo_bootinfo {
	uint64_t magic;
	exo_process_t self;  // the process itself (init: all rights)
	exo_thread_t thread; // its first thread
	exo_quota_t quota;   // init: all free memory
	uint64_t quota_frames;
	exo_ioport_t ioports;      // ports 0..0xffff (0: none)
	exo_timeslice_t timeslice; // the whole CPU (init itself is not limited; 0: none)
	exo_mmio_t mmio;           // all physical addresses (RAM and the kernel's devices refused; 0: none)
	exo_irq_t irq_first;       // GSIs 0..nirqs-1, consecutive handles
	uint64_t nirqs;
	uint64_t nmodules;
	struct exo_boot_module modules[EXO_MAX_BOOT_MODULES];
	char cmdline[256];
	exo_endpoint_t console; // the console service's endpoint (exo/console.h; 0: none)
	uint64_t realtime_ns;   // CLOCK_REALTIME minus the monotonic clock, in ns (0: unknown)
	// A POSIX process's (libos): 0 for init and a lone program.
	exo_endpoint_t procmgr;  // the process manager (apps/launch/procmgr.idl), badged with the pid
	exo_notification_t ntfn; // the first thread's notification (the manager signals it)
	uint64_t pid;
	uint64_t args;      // address of the arguments and environment after an exec (0: none):
	uint64_t args_size; // u64 argc, u64 envc, then the strings, each ending in a NUL
};

// The layouts are ABI: pinned here so a change cannot slip through.
_Static_assert(sizeof(struct exo_boot_module) == 88 && offsetof(struct exo_boot_module, name) == 24,
               "exo_boot_module");
_Static_assert(offsetof(struct exo_bootinfo, quota_frames) == 32 &&
                   offsetof(struct exo_bootinfo, nmodules) == 80 &&
                   offsetof(struct exo_bootinfo, modules) == 88 &&
                   offsetof(struct exo_bootinfo, cmdline) == 88 + 24 * 88 &&
                   offsetof(struct exo_bootinfo, console) == 88 + 24 * 88 + 256 &&
                   offsetof(struct exo_bootinfo, procmgr) == 88 + 24 * 88 + 256 + 16 &&
                   sizeof(struct exo_bootinfo) == 88 + 24 * 88 + 256 + 16 + 40,
               "exo_bootinfo");
_Static_assert(sizeof(struct exo_bootinfo) <= EXO_PAGE_SIZE, "bootinfo is one page");
