// SPDX-License-Identifier: MIT
// The process component (libos-proc.a): identity (pids, uids, uname) and exit.
#pragma once

#include <libos/libos.h>

long libos_getpid(void);
long libos_getppid(void);
long libos_getuid(void);
long libos_uname(struct linux_utsname *u);
_Noreturn void libos_exit_group(long status);
