// SPDX-License-Identifier: MIT
// Job control within libos: a stop signal's default action (SIGSTOP, and SIGTSTP, SIGTTIN, SIGTTOU
// without a handler) stops the process by its own doing - it tells the process manager, which
// sends the parent SIGCHLD (CLD_STOPPED) and reports it to WUNTRACED, and waits on the thread's
// notification until a SIGCONT arrives (the manager reports that too: CLD_CONTINUED,
// WCONTINUED). The thread that takes the signal stops; other threads of the process go on until
// they wait (exo cannot stop a running thread from outside yet). SIGKILL still ends a stopped
// process at once (the manager kills it).
#include "internal.h"

static volatile int stopped;

void libos_sig_continue(void)
{
	libos_sig_discard_stops();
	__atomic_store_n(&stopped, 0, __ATOMIC_RELEASE);
}

void libos_sig_stop(int sig)
{
	if (!libos_pm_present())
		return; // nobody could continue it: ignored (libos_sig_ignored says so too)
	__atomic_store_n(&stopped, 1, __ATOMIC_RELEASE);
	if (libos_pm_stopped(sig))
		return;
	while (__atomic_load_n(&stopped, __ATOMIC_ACQUIRE))
		libos_thread_wait(0); // the manager's SIGCONT: libos_signal_remote -> libos_sig_continue
}
