// SPDX-License-Identifier: MIT
// The process component (libos-proc.a): identity (pids, uids, uname), the umask, exit and
// I/O-port privileges.
#pragma once

#include <libos/libos.h>

long libos_getpid(void);
long libos_getppid(void);
long libos_getuid(void);
long libos_uname(struct linux_utsname *u);
long libos_umask(unsigned long mask);
_Noreturn void libos_exit_group(long status);
long libos_ioperm(uint64_t from, uint64_t num, long turn_on);
long libos_iopl(long level);
