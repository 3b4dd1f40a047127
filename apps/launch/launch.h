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
