// SPDX-License-Identifier: MIT
// Signals before delivery exists: each signal's action and the signal mask are kept and reported
// back as Linux does (sigaction's old action, sigprocmask's old mask, EINVAL for SIGKILL and
// SIGSTOP), but no signal is ever delivered, so no handler runs and rt_sigreturn - reached only
// when a handler returns - ends the program with a message. The mask is the process's (Linux
// keeps one per thread).
#include <libos/signal.h>

#define BIT(sig)    (1ull << ((sig)-1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))

static struct linux_sigaction actions[LINUX_NSIG]; // signal sig at sig - 1; all SIG_DFL at start
static uint64_t blocked;
static volatile int lock; // guards actions and blocked

long libos_rt_sigaction(long sig, const struct linux_sigaction *act, struct linux_sigaction *old,
                        uint64_t setsize)
{
	struct linux_sigaction new, prev;
	long err;

	if (setsize != sizeof(uint64_t) || sig < 1 || sig > LINUX_NSIG ||
	    (act && (sig == SIGKILL || sig == SIGSTOP)))
		return -EINVAL;
	if (act && (err = libos_copy(&new, act, sizeof(new))))
		return err;
	libos_lock(&lock);
	prev = actions[sig - 1];
	if (act) {
		new.mask &= ~UNBLOCKABLE;
		actions[sig - 1] = new;
	}
	libos_unlock(&lock);
	return old ? libos_copy(old, &prev, sizeof(prev)) : 0;
}

long libos_rt_sigprocmask(long how, const uint64_t *set, uint64_t *old, uint64_t setsize)
{
	uint64_t new = 0, prev;
	long err;

	if (setsize != sizeof(uint64_t) ||
	    (set && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK))
		return -EINVAL;
	if (set && (err = libos_copy(&new, set, sizeof(new))))
		return err;
	new &= ~UNBLOCKABLE;
	libos_lock(&lock);
	prev = blocked;
	if (set)
		blocked = how == SIG_BLOCK ? prev | new : how == SIG_UNBLOCK ? prev & ~new : new;
	libos_unlock(&lock);
	return old ? libos_copy(old, &prev, sizeof(prev)) : 0;
}

// Entered by a jump, not a call, so the stack may be misaligned for the C code below.
__attribute__((force_align_arg_pointer)) _Noreturn void __libos_rt_sigreturn(void)
{
	libos_die(127, "rt_sigreturn reached, but no signal handler can have run: signal delivery is "
	               "not implemented yet");
}
