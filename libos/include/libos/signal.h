// SPDX-License-Identifier: MIT
// The signal component (libos-signal.a): actions, per-thread masks, pending sets, delivery at
// libos exits and from the fault handler, sigreturn; docs/libos.md.
#pragma once

#include <libos/libos.h>

long libos_rt_sigaction(long sig, const struct linux_sigaction *act, struct linux_sigaction *old,
                        uint64_t setsize);
long libos_rt_sigprocmask(long how, const uint64_t *set, uint64_t *old, uint64_t setsize);
long libos_rt_sigpending(uint64_t *set, uint64_t setsize);
long libos_pause(void);
long libos_rt_sigsuspend(const uint64_t *set, uint64_t setsize);
long libos_rt_sigtimedwait(const uint64_t *set, struct linux_siginfo *info,
                           const struct linux_timespec *timeout, uint64_t setsize);
long libos_kill(long pid, long sig);
long libos_tgkill(long tgid, long tid, long sig);
long libos_rt_sigqueueinfo(long pid, long tid, long sig, const struct linux_siginfo *info);
// Timers (timer.c): setitimer and getitimer (ITIMER_REAL; musl's alarm is a setitimer), and
// timer_create & co. (SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID).
long libos_setitimer(long which, const struct linux_itimerval *val, struct linux_itimerval *old);
long libos_getitimer(long which, struct linux_itimerval *val);
long libos_timer_create(long clock, const struct linux_sigevent *ev, int *id);
long libos_timer_settime(long id, long flags, const struct linux_itimerspec *val,
                         struct linux_itimerspec *old);
long libos_timer_gettime(long id, struct linux_itimerspec *val);
long libos_timer_getoverrun(long id);
long libos_timer_delete(long id);

// Non-zero while some signal is pending anywhere in the process: the system call entry's
// cheap test before libos_signal_deliver.
extern volatile int libos_signals_pending;
// Runs the handlers of the calling thread's deliverable signals (or their default actions);
// returns whether a call they interrupted (-ERESTARTSYS) restarts: no handler ran without
// SA_RESTART.
int libos_signal_deliver(void);
// Whether the calling thread has a signal it does not block (a libos wait then ends early).
int libos_signal_interrupts(void);
// A new thread in slot starts with the mask of the thread in slot parent; a thread that ends
// drops the signals pending for it.
void libos_signal_thread_init(int slot, int parent);
void libos_signal_thread_exit(int slot);
// Takes the signals other processes sent (the process manager's) into the pending set.
void libos_signal_remote(void);
// In a fork's child: nothing pending, no timers; the actions and the forking thread's mask stay.
void libos_signal_fork_child(void);
void libos_timer_fork_child(void);
// exec: the ignored signals and the calling thread's mask, which the new image takes on.
void libos_signal_exec_state(uint64_t *ignored, uint64_t *mask);
void libos_signal_exec_init(uint64_t ignored, uint64_t mask);
// From the fault handler: if the program handles sig, makes the thread resume in its handler
// (never returns); otherwise returns and the fault ends the program. fill_page maps a page of
// the frame the handler gets before it is written (the memory component's libos_mem_fill: the
// fault handler itself must not fault); NULL when nothing is filled on demand.
typedef const char *(*libos_fill_fn)(uint64_t addr, uint64_t error);
void libos_signal_fault(struct exo_fault *f, int sig, int code, libos_fill_fn fill_page);
// musl's __restore_rt (the return address of a signal handler) jumps here.
_Noreturn void __libos_rt_sigreturn(void);
