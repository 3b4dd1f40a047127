// SPDX-License-Identifier: MIT
// What the process component's files share (child.c): building a new process for fork and exec.
#pragma once

#include <libos/proc.h>

#define LIBOS_CHILD_PRIO  16 // libos's threads
#define LIBOS_CHILD_NAME  15 // characters of a process's name
#define LIBOS_CHILD_SLOTS libos_child_slots()

// Capability slots for a new process: the usual 1,024 and one per boot file page.
uint64_t libos_child_slots(void);
// A process's name for path (after its last '/'), at most LIBOS_CHILD_NAME characters, into name.
void libos_child_name(const char *path, char *name);
// Copies into child the capabilities of its boot information - itself and thread (READ, WRITE,
// CONTROL), the quota and the console (with GRANT, for its own children), ntfn and the boot
// files (READ, GRANT) - and fills bi (this process's boot information, the child's handles).
long libos_child_equip(uint64_t child, uint64_t thread, uint64_t ntfn, struct exo_bootinfo *bi);
