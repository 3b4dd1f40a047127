// SPDX-License-Identifier: MIT
// What the files of the signal component share: the state signal.c keeps (under
// libos_sig_lock) and its helpers.
#pragma once

#include <libos/proc.h>
#include <libos/signal.h>
#include <libos/thread.h>

#define BIT(sig)    (1ull << ((sig)-1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))
#define STOPS       (BIT(SIGSTOP) | BIT(SIGTSTP) | BIT(SIGTTIN) | BIT(SIGTTOU))

enum { SIG_DEFAULT_TERM, SIG_DEFAULT_IGNORE, SIG_DEFAULT_STOP };

// The mask a thread gets back once the handler of an interrupted sigsuspend or sigtimedwait
// has run (or at once, if none runs).
struct libos_sig_restore {
	int active;
	uint64_t mask;
};

extern struct linux_sigaction libos_sig_actions[LINUX_NSIG];
extern uint64_t libos_sig_blocked[LIBOS_MAX_THREADS]; // by thread slot
extern struct libos_sig_restore libos_sig_restore[LIBOS_MAX_THREADS];
extern volatile int libos_sig_lock;

int libos_sig_default(int sig);
// Whether sig is discarded: SIG_IGN, or SIG_DFL with a default action other than terminating.
int libos_sig_ignored(int sig);
_Noreturn void libos_sig_terminate(int sig);
// Queues sig for the thread in slot (-1: the process) and wakes a thread that can take it;
// self is the sender's slot (-1: the timer thread).
long libos_sig_post(int slot, int self, int sig, const struct linux_siginfo *info);
// With the lock held: the lowest signal in allowed pending for the thread in slot (0: none),
// and taking its oldest record.
int libos_sig_next(int slot, uint64_t allowed);
// Job control (stop.c): a stop signal's default action - the process reports to the manager and
// waits (the calling thread; the others go on: stops are the process's own doing) until a
// SIGCONT; SIGCONT, posted with the lock held, lets it go on and drops the stops pending
// (libos_sig_discard_stops, also with the lock held).
void libos_sig_stop(int sig);
void libos_sig_continue(void);
void libos_sig_discard_stops(void);
void libos_sig_take(int slot, int sig, struct linux_siginfo *info);
// The C half of __libos_rt_sigreturn (sigreturn.S): restores the mask; returns uc.
struct linux_ucontext *libos_signal_return(struct linux_ucontext *uc);
