// SPDX-License-Identifier: MIT
// The signal component (libos-signal.a): signal actions and the signal mask. Signals are not
// delivered yet (a later issue); docs/libos.md.
#pragma once

#include <libos/libos.h>

long libos_rt_sigaction(long sig, const struct linux_sigaction *act, struct linux_sigaction *old,
                        uint64_t setsize);
long libos_rt_sigprocmask(long how, const uint64_t *set, uint64_t *old, uint64_t setsize);
// musl's __restore_rt (the return address of a signal handler) jumps here.
_Noreturn void __libos_rt_sigreturn(void);
