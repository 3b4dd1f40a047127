// SPDX-License-Identifier: MIT
// Signals from other processes: the process manager keeps them pending for this process and
// sets LIBOS_NTFN_REMOTE in its first thread's notification; a libos wait that sees the bit takes
// them (SIGTAKE) and queues each as if sent here, with the sender's pid - a SIGCHLD with the
// child's pid and status, as Linux's siginfo has them.
#include "internal.h"
#include <proto/procmgr.h>

#define CLD_EXITED    1
#define CLD_KILLED    2
#define CLD_DUMPED    3
#define CLD_STOPPED   5
#define CLD_CONTINUED 6
#define SA_NOCLDSTOP  1

static struct linux_siginfo child_info(uint64_t pid, uint64_t status)
{
	struct linux_siginfo info = { .si_code = CLD_EXITED, .pid = (int32_t)pid };

	if (status == 0xffff) {
		info.si_code = CLD_CONTINUED;
		info.value = SIGCONT;
	} else if ((status & 0xff) == 0x7f) {
		info.si_code = CLD_STOPPED;
		info.value = (status >> 8) & 0xff;
	} else if (status & 0x7f) { // a signal ended it
		info.si_code = status & 0x80 ? CLD_DUMPED : CLD_KILLED;
		info.value = status & 0x7f;
	} else {
		info.value = (status >> 8) & 0xff;
	}
	return info;
}

void libos_signal_remote(void)
{
	struct pm_sigtake_out got;
	int self = libos_thread_slot();

	if (libos_pm_sigtake(&got))
		return;
	libos_proc_parent(got.ppid);
	for (int sig = 1; sig <= LINUX_NSIG; sig++) {
		struct linux_siginfo info = { .si_code = SI_USER, .pid = (int32_t)got.from[sig - 1] };

		if (!(got.mask & BIT(sig)))
			continue;
		if (sig == SIGCHLD && got.child)
			info = child_info(got.child, got.child_status);
		if (sig == SIGCHLD && (info.si_code == CLD_STOPPED || info.si_code == CLD_CONTINUED) &&
		    (libos_sig_actions[SIGCHLD - 1].flags & SA_NOCLDSTOP))
			continue;
		libos_sig_post(-1, self, sig, &info);
	}
}
