// SPDX-License-Identifier: MIT
// The thread component (libos-thread.a): clone for pthreads and futexes.
#pragma once

#include <libos/libos.h>

long libos_futex(int *uaddr, long op, long val, const struct linux_timespec *timeout, int *uaddr2, long val3);
long libos_set_tid_address(int *tidptr);
long libos_gettid(void);
// The calling thread's alternate signal stack: stored and reported; delivery comes with signals.
long libos_sigaltstack(const struct linux_stack *ss, struct linux_stack *old);
// Ends the calling thread (the last one ends the process with status).
_Noreturn void libos_thread_exit(long status);
// The calling thread's notification (futex waits block on it); created on first use.
uint64_t libos_thread_ntfn(void);
// Wakes up to n threads waiting on the futex at uaddr; returns how many.
long libos_futex_wake(int *uaddr, long n);
// musl's clone and __unmapself (patched, musl-port/patches) jump to these.
int __libos_clone(int (*fn)(void *), void *stack, int flags, void *arg, int *ptid, void *tls, int *ctid);
_Noreturn void __libos_unmapself(void *base, uint64_t size);
// Records the main thread's TLS pointer (arch_prctl(ARCH_SET_FS)) and sets the FS base.
long libos_set_fs(uint64_t base);
