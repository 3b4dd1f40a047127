// SPDX-License-Identifier: MIT
// wait4 and waitid: the process manager keeps the children and their statuses; a wait that finds
// none ready blocks on the thread's notification, which the manager's SIGCHLD wakes (the first
// thread's; any other thread looks again every WAIT_NS), and which a signal interrupts as on Linux
// (EINTR, or a restart with SA_RESTART).
#include <libos/proc.h>
#include <libos/signal.h>
#include <libos/thread.h>
#include <libos/time.h>

#define WAIT_NS 10000000ull

struct linux_rusage_words { // struct rusage: two timevals and 14 longs
	uint64_t w[18];
};

// Takes a child matching pid (wait4's encoding) into *child and *status; 0 if none is ready yet.
static long take(long pid, long options, uint64_t *child, uint64_t *status)
{
	for (;;) {
		long r = libos_pm_wait(pid, options, child, status);
		uint64_t deadline = 0;

		if (r || *child || (options & WNOHANG))
			return r;
		if (libos_signal_interrupts())
			return -ERESTARTSYS;
		if (libos_thread_slot() != 0) {
			libos_clock_ns(CLOCK_MONOTONIC, &deadline);
			deadline += WAIT_NS;
		}
		libos_thread_wait(deadline);
	}
}

long libos_wait4(long pid, int *ustatus, long options, void *rusage)
{
	uint64_t child = 0, status = 0;
	struct linux_rusage_words none = { { 0 } };
	int st;
	long r;

	if (options & ~(long)(WNOHANG | WUNTRACED | WCONTINUED | 0x40000000 /* __WALL */ | 0x80000000))
		return -EINVAL;
	if ((int)pid == (int)0x80000000) // -INT_MIN is not a group
		return -ESRCH;
	r = take(pid, options, &child, &status);
	if (r || !child)
		return r;
	st = (int)status;
	if (ustatus && libos_copy(ustatus, &st, sizeof(st)))
		return -EFAULT;
	if (rusage && libos_copy(rusage, &none, sizeof(none)))
		return -EFAULT;
	return (long)child;
}

long libos_waitid(long which, long id, struct linux_siginfo *uinfo, long options, void *rusage)
{
	struct linux_siginfo info = { 0 };
	uint64_t child = 0, status = 0;
	long pid, r;

	(void)rusage;
	if (!(options & WEXITED) || (options & WNOWAIT))
		return -EINVAL; // waitid for stops or continues alone, or peeking: not yet
	pid = which == P_ALL ? -1 : which == P_PID ? id : which == P_PGID ? (id ? -id : 0) : 0;
	if (which != P_ALL && which != P_PID && which != P_PGID)
		return -EINVAL;
	r = take(pid, options & (WNOHANG | WUNTRACED | WCONTINUED), &child, &status); // WSTOPPED = WUNTRACED
	if (r)
		return r;
	if (child) {
		info.si_signo = SIGCHLD;
		info.pid = (int32_t)child;
		if (status == 0xffff) // CLD_CONTINUED
			info.si_code = 6, info.value = SIGCONT;
		else if ((status & 0xff) == 0x7f) // CLD_STOPPED
			info.si_code = 5, info.value = (status >> 8) & 0xff;
		else // CLD_DUMPED, _KILLED, _EXITED
			info.si_code = status & 0x7f ? (status & 0x80 ? 3 : 2) : 1,
			info.value = status & 0x7f ? status & 0x7f : (status >> 8) & 0xff;
	}
	return uinfo && libos_copy(uinfo, &info, sizeof(info)) ? -EFAULT : 0;
}
