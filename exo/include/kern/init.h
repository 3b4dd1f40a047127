// SPDX-License-Identifier: MIT
// Loading and starting init, the first user program (from the first boot module).
#pragma once

#include <kern/thread.h>

// Starts init; on success *out is init's process with a reference for the caller.
// -EXO_ENOENT: no boot module; -EXO_EINVAL: bad ELF (reason logged); -EXO_ENOMEM.
int init_start(struct process **out);
// The kernel's C entry, from boot.S: magic and info are the boot loader's (Multiboot 1 or 2).
void kmain(uint32_t magic, uint64_t info);
