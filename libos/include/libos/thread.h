// SPDX-License-Identifier: MIT
// The thread component (libos-thread.a): clone for pthreads and futexes.
#pragma once

#include <libos/libos.h>

long libos_futex(int *uaddr, long op, long val, const struct linux_timespec *timeout, int *uaddr2, long val3);
long libos_set_tid_address(int *tidptr);
long libos_gettid(void);
long libos_sigaltstack(const struct linux_stack *ss, struct linux_stack *old);
// Ends the calling thread (the last one ends the process with status).
_Noreturn void libos_thread_exit(long status);
// The calling thread's notification (every libos wait blocks on it); created on first use.
// Its bits: a futex wake, the thread's timer, a signal for the thread (docs/libos.md).
#define LIBOS_NTFN_WAKE   1ull
#define LIBOS_TIMER_INDEX 1 // exo_notify_timer's bit number
#define LIBOS_NTFN_TIMER  (1ull << LIBOS_TIMER_INDEX)
#define LIBOS_NTFN_SIGNAL 4ull
#define LIBOS_NTFN_REMOTE 8ull  // the process manager has signals for the process (PM_NTFN_SIGNAL)
#define LIBOS_NTFN_PIPE   16ull // a pipe the thread waits on changed (forwarded: libos/file/pipe.c)
uint64_t libos_thread_ntfn(void);
// Blocks until the calling thread's notification is signalled or deadline (monotonic ns; 0:
// none) passes; returns the notification's bits.
uint64_t libos_thread_wait(uint64_t deadline);
// Threads by slot (0: the main thread) for the signal component: the caller's slot, the slot
// of a live tid (-1: none), and a slot's tid (0: free) and notification (0: none yet).
#define LIBOS_MAX_THREADS 256
int libos_thread_slot(void);
int libos_thread_slot_of(long tid);
int libos_thread_tid_at(int slot);
uint64_t libos_thread_ntfn_at(int slot);
// The calling thread's alternate signal stack (ss_size 0: none).
struct linux_stack libos_thread_altstack(void);
// Wakes up to n threads waiting on the futex at uaddr; returns how many.
long libos_futex_wake(int *uaddr, long n);
// musl's clone and __unmapself (patched, musl-port/patches) jump to these.
int __libos_clone(int (*fn)(void *), void *stack, int flags, void *arg, int *ptid, void *tls, int *ctid);
_Noreturn void __libos_unmapself(void *base, uint64_t size);
// Records the main thread's TLS pointer (arch_prctl(ARCH_SET_FS)) and sets the FS base.
long libos_set_fs(uint64_t base);
// fork (libos/proc/fork.c): the calling thread's fault stack (its top; whether it is wired
// memory of its own rather than the main thread's, in the program's data) and TLS pointer; in the
// child, libos_thread_fork_child leaves the forking thread alone, the process's first thread
// (its boot information's thread and notification).
#define LIBOS_HANDLER_STACK 16384
uint8_t *libos_thread_handler_top(void);
bool libos_thread_handler_wired(void);
uint64_t libos_thread_tls(void);
void libos_thread_fork_child(void);
void libos_futex_fork_child(void);
