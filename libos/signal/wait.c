// SPDX-License-Identifier: MIT
// Waiting for signals: pause, sigsuspend (a temporary mask until a handler has run) and sigtimedwait
// (takes a pending signal of a set instead of running its handler). Both block on the thread's
// notification, which a sender signals (signal.c).
#include "internal.h"
#include <libos/time.h>

#define NS 1000000000ull

long libos_rt_sigsuspend(const uint64_t *set, uint64_t setsize)
{
	int slot = libos_thread_slot();
	uint64_t mask;

	if (setsize != sizeof(uint64_t))
		return -EINVAL;
	if (libos_copy(&mask, set, sizeof(mask)))
		return -EFAULT;
	libos_lock(&libos_sig_lock);
	libos_sig_restore[slot] = (struct libos_sig_restore){ 1, libos_sig_blocked[slot] };
	libos_sig_blocked[slot] = mask & ~UNBLOCKABLE;
	libos_unlock(&libos_sig_lock);
	return libos_pause(); // the handler runs, then the old mask returns (libos_signal_deliver)
}

long libos_pause(void)
{
	while (!libos_signal_interrupts())
		libos_thread_wait(0);
	return -EINTR;
}

// Takes the lowest pending signal of set into info; 0 if none is pending.
static int take(int slot, uint64_t set, struct linux_siginfo *info)
{
	int sig;

	libos_lock(&libos_sig_lock);
	sig = libos_signals_pending ? libos_sig_next(slot, set) : 0;
	if (sig)
		libos_sig_take(slot, sig, info);
	libos_unlock(&libos_sig_lock);
	return sig;
}

long libos_rt_sigtimedwait(const uint64_t *uset, struct linux_siginfo *uinfo,
                           const struct linux_timespec *timeout, uint64_t setsize)
{
	int slot = libos_thread_slot(), sig;
	struct linux_siginfo info;
	struct linux_timespec t;
	uint64_t set, deadline = 0, now;

	if (setsize != sizeof(uint64_t))
		return -EINVAL;
	if (libos_copy(&set, uset, sizeof(set)) || (timeout && libos_copy(&t, timeout, sizeof(t))))
		return -EFAULT;
	if (timeout && (t.tv_sec < 0 || t.tv_nsec < 0 || t.tv_nsec >= (long)NS))
		return -EINVAL;
	set &= ~UNBLOCKABLE;
	libos_clock_ns(CLOCK_MONOTONIC, &now);
	if (timeout)
		deadline = now + (uint64_t)t.tv_sec * NS + (uint64_t)t.tv_nsec + 1;
	while (!(sig = take(slot, set, &info))) {
		if (libos_signal_interrupts())
			return -EINTR;
		libos_clock_ns(CLOCK_MONOTONIC, &now);
		if (deadline && now >= deadline)
			return -EAGAIN;
		libos_thread_wait(deadline);
	}
	return uinfo && libos_copy(uinfo, &info, sizeof(info)) ? -EFAULT : sig;
}
