// SPDX-License-Identifier: MIT
// The launcher's parts (apps/launch): the console service it starts and the clock it reads with
// init's device capabilities, so that the program it starts needs neither.
#pragma once

#include <exo/libexo.h>

// Starts the console service (console.so with libexo.so, boot modules found by name) in a process
// of its own holding COM2's ports and IRQ and nothing else of bi's; returns its endpoint (all
// rights, owned by the caller) or 0 when there is no service (the reason on the kernel log).
uint64_t launch_console(const struct exo_bootinfo *bi);
// Seconds since 1970 from the CMOS clock through ioports; 0 if it cannot be read.
uint64_t launch_rtc_seconds(exo_ioport_t ioports);

// The process manager (procmgr.c): registers first (the launcher's capability to the program,
// not started yet) as pid 1 with its notification, putting a capability to the manager badged 1
// into it (*handle: its handle there), and starts the thread that learns of ends; first_ended
// runs there when pid 1 ends. Then procmgr_serve answers requests for good.
long procmgr_start(uint64_t self, uint64_t first, uint64_t first_ntfn, uint64_t *handle,
                   int (*first_ended)(long status));
__attribute__((noreturn)) void procmgr_serve(void);
