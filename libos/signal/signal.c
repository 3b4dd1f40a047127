// SPDX-License-Identifier: MIT
// Signal state within one process: the actions, each thread's mask, and the pending signals -
// a queue of siginfo records, each for one thread (tkill, a fault) or for the process (kill,
// sigqueue, timers). A standard signal already pending for the same target is dropped
// (coalesced); real-time signals queue in order with their values. Sending wakes a thread that
// does not block the signal by setting LIBOS_NTFN_SIGNAL in its notification, which every libos
// wait blocks on; the thread runs the handler when it leaves libos (deliver.c).
#include "internal.h"

#define QUEUE_MAX 256

struct queued {
	int slot; // the thread's, or -1: the process's
	int sig;  // 0: a free entry
	uint64_t seq;
	struct linux_siginfo info;
};

// The fault handler runs handlers (deliver.c): what it writes is wired.
struct linux_sigaction libos_sig_actions[LINUX_NSIG] LIBOS_WIRED; // signal sig at sig - 1; SIG_DFL at start
uint64_t libos_sig_blocked[LIBOS_MAX_THREADS] LIBOS_WIRED;
struct libos_sig_restore libos_sig_restore[LIBOS_MAX_THREADS] LIBOS_WIRED;
volatile int libos_sig_lock LIBOS_WIRED; // guards everything in this file and deliver.c's uses of it
volatile int libos_signals_pending;
static uint64_t pending[LIBOS_MAX_THREADS], process_pending;
static struct queued queue[QUEUE_MAX];
static uint64_t next_seq;

int libos_sig_ignored(int sig)
{
	void *h = libos_sig_actions[sig - 1].handler;
	int d = libos_sig_default(sig);

	// A stop needs someone to continue the process: the process manager.
	return h == SIG_IGN ||
	       (h == SIG_DFL && (d == SIG_DEFAULT_IGNORE || (d == SIG_DEFAULT_STOP && !libos_pm_present())));
}

int libos_sig_default(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
	case SIGCONT:
		return SIG_DEFAULT_IGNORE;
	case SIGSTOP: // stop.c: the process waits for SIGCONT (with a process manager to send it)
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return SIG_DEFAULT_STOP;
	default:
		return SIG_DEFAULT_TERM;
	}
}

_Noreturn void libos_sig_terminate(int sig)
{
	libos_die(EXO_STATUS_SIGNAL(sig), "'%s' killed by signal %d", libos_progname, sig);
}

// Wakes a thread that can take sig: the target thread, or for the process the sender if it
// does not block it (it delivers when it leaves libos), else the first thread that does not.
static void wake(int slot, int self, int sig)
{
	uint64_t ntfn;

	if (slot < 0) {
		slot = self < 0 ? 0 : self;
		for (int i = 0; i < LIBOS_MAX_THREADS && (libos_sig_blocked[slot] & BIT(sig)); i++)
			if (libos_thread_tid_at(i) && !(libos_sig_blocked[i] & BIT(sig)))
				slot = i;
	}
	if (slot != self && (ntfn = libos_thread_ntfn_at(slot)))
		exo_notify_signal(ntfn, LIBOS_NTFN_SIGNAL);
}

// With the lock held: drops every pending record of sig.
static void discard(int sig)
{
	for (int i = 0; i < QUEUE_MAX; i++)
		if (queue[i].sig == sig) {
			queue[i].sig = 0;
			libos_signals_pending--;
		}
	process_pending &= ~BIT(sig);
	for (int i = 0; i < LIBOS_MAX_THREADS; i++)
		pending[i] &= ~BIT(sig);
}

void libos_sig_discard_stops(void)
{
	discard(SIGSTOP), discard(SIGTSTP), discard(SIGTTIN), discard(SIGTTOU);
}

long libos_sig_post(int slot, int self, int sig, const struct linux_siginfo *info)
{
	uint64_t *set = slot < 0 ? &process_pending : &pending[slot];
	struct queued *q = NULL;

	if (sig == SIGKILL)
		libos_sig_terminate(sig);
	libos_lock(&libos_sig_lock);
	if (sig == SIGCONT) // continues a stopped process, and cancels the stops pending
		libos_sig_continue();
	else if (BIT(sig) & STOPS)
		discard(SIGCONT);
	if (libos_sig_ignored(sig) && !(libos_sig_blocked[slot < 0 ? 0 : slot] & BIT(sig)))
		goto out; // discarded, as Linux does
	if (sig < SIGRTMIN && (*set & BIT(sig)))
		goto out;
	for (int i = 0; i < QUEUE_MAX && !q; i++)
		if (!queue[i].sig)
			q = &queue[i];
	if (!q) {
		libos_unlock(&libos_sig_lock);
		return -EAGAIN;
	}
	*q = (struct queued){ slot, sig, next_seq++, *info };
	q->info.si_signo = sig;
	*set |= BIT(sig);
	libos_signals_pending++;
	wake(slot, self, sig);
out:
	libos_unlock(&libos_sig_lock);
	return 0;
}

int libos_sig_next(int slot, uint64_t allowed)
{
	uint64_t ready = (pending[slot] | process_pending) & allowed;

	return ready ? __builtin_ctzll(ready) + 1 : 0;
}

// Takes the oldest record of sig for the thread in slot (its own first, then the process's).
// Called with the lock held and sig pending.
void libos_sig_take(int slot, int sig, struct linux_siginfo *info)
{
	int owner = pending[slot] & BIT(sig) ? slot : -1, more = 0;
	struct queued *q = NULL;

	for (int i = 0; i < QUEUE_MAX; i++) {
		struct queued *e = &queue[i];

		if (e->sig != sig || e->slot != owner)
			continue;
		if (q && e->seq > q->seq) {
			more = 1;
			continue;
		}
		more |= q != NULL;
		q = e;
	}
	*info = q->info;
	q->sig = 0;
	libos_signals_pending--;
	if (!more)
		*(owner < 0 ? &process_pending : &pending[slot]) &= ~BIT(sig);
}

void libos_signal_thread_exit(int slot)
{
	libos_lock(&libos_sig_lock);
	for (int i = 0; i < QUEUE_MAX; i++)
		if (queue[i].sig && queue[i].slot == slot) {
			queue[i].sig = 0;
			libos_signals_pending--;
		}
	pending[slot] = 0;
	libos_unlock(&libos_sig_lock);
}

void libos_signal_thread_init(int slot, int parent)
{
	libos_lock(&libos_sig_lock);
	libos_sig_restore[slot].active = 0;
	libos_sig_blocked[slot] = libos_sig_blocked[parent];
	libos_unlock(&libos_sig_lock);
}

void libos_signal_exec_state(uint64_t *ignored, uint64_t *mask)
{
	*ignored = 0;
	for (int sig = 1; sig <= LINUX_NSIG; sig++)
		if (libos_sig_actions[sig - 1].handler == SIG_IGN)
			*ignored |= BIT(sig);
	*mask = libos_sig_blocked[libos_thread_slot()];
}

void libos_signal_exec_init(uint64_t ignored, uint64_t mask)
{
	for (int sig = 1; sig <= LINUX_NSIG; sig++)
		if ((ignored & BIT(sig)) && !(UNBLOCKABLE & BIT(sig)))
			libos_sig_actions[sig - 1].handler = SIG_IGN;
	libos_sig_blocked[0] = mask & ~UNBLOCKABLE;
}

void libos_signal_fork_child(void)
{
	int self = libos_thread_slot();

	libos_sig_lock = 0;
	for (int i = 0; i < LIBOS_MAX_THREADS; i++)
		if (i != self)
			libos_sig_blocked[i] = 0, libos_sig_restore[i].active = 0;
	memset(pending, 0, sizeof(pending)); // a child starts with none pending
	process_pending = 0;
	memset(queue, 0, sizeof(queue));
	libos_signals_pending = 0;
	libos_timer_fork_child();
}

int libos_signal_interrupts(void)
{
	int slot = libos_thread_slot();

	return libos_signals_pending && libos_sig_next(slot, ~libos_sig_blocked[slot]);
}

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
	libos_lock(&libos_sig_lock);
	prev = libos_sig_actions[sig - 1];
	if (act) {
		new.mask &= ~UNBLOCKABLE;
		libos_sig_actions[sig - 1] = new;
	}
	libos_unlock(&libos_sig_lock);
	return old ? libos_copy(old, &prev, sizeof(prev)) : 0;
}

long libos_rt_sigprocmask(long how, const uint64_t *set, uint64_t *old, uint64_t setsize)
{
	int slot = libos_thread_slot();
	uint64_t new = 0, prev;
	long err;

	if (setsize != sizeof(uint64_t) ||
	    (set && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK))
		return -EINVAL;
	if (set && (err = libos_copy(&new, set, sizeof(new))))
		return err;
	new &= ~UNBLOCKABLE;
	libos_lock(&libos_sig_lock);
	prev = libos_sig_blocked[slot];
	if (set)
		libos_sig_blocked[slot] = how == SIG_BLOCK     ? prev | new
		                          : how == SIG_UNBLOCK ? prev & ~new
		                                               : new;
	libos_unlock(&libos_sig_lock);
	return old ? libos_copy(old, &prev, sizeof(prev)) : 0;
}

long libos_rt_sigpending(uint64_t *set, uint64_t setsize)
{
	int slot = libos_thread_slot();
	uint64_t now;

	if (setsize > sizeof(uint64_t) * 16)
		return -EINVAL;
	libos_lock(&libos_sig_lock);
	now = (pending[slot] | process_pending) & libos_sig_blocked[slot];
	libos_unlock(&libos_sig_lock);
	return libos_copy(set, &now, setsize < sizeof(now) ? setsize : sizeof(now));
}

static long check_sig(long sig)
{
	return sig < 0 || sig > LINUX_NSIG ? -EINVAL : 0;
}

static struct linux_siginfo user_info(int code)
{
	return (struct linux_siginfo){ .si_code = code, .pid = (int32_t)libos_getpid() };
}

// To this process alone: queued here. To others, or a group: through the process manager,
// which also queues it for this process if it is among the targets (taken at once).
long libos_kill(long pid, long sig)
{
	struct linux_siginfo info = user_info(SI_USER);
	long r;

	if (check_sig(sig))
		return -EINVAL;
	if (pid == libos_getpid() || !libos_pm_present()) {
		if (pid != 0 && pid != -1 && pid != libos_getpid() && pid != -libos_getpid())
			return -ESRCH; // alone
		return sig ? libos_sig_post(-1, libos_thread_slot(), (int)sig, &info) : 0;
	}
	if (pid == -1 && sig)
		libos_sig_post(-1, libos_thread_slot(), (int)sig, &info); // Linux: the caller too
	r = libos_pm_kill(pid, sig);
	if (!r && pid <= 0 && pid != -1)
		libos_signal_remote();
	return r;
}

long libos_tgkill(long tgid, long tid, long sig)
{
	struct linux_siginfo info = user_info(SI_TKILL);
	int slot = libos_thread_slot_of(tid);

	if (check_sig(sig) || tid <= 0)
		return -EINVAL;
	if (slot < 0 || (tgid != -1 && tgid != libos_getpid()))
		return -ESRCH;
	return sig ? libos_sig_post(slot, libos_thread_slot(), (int)sig, &info) : 0;
}

// rt_sigqueueinfo (tid 0) and rt_tgsigqueueinfo.
long libos_rt_sigqueueinfo(long pid, long tid, long sig, const struct linux_siginfo *uinfo)
{
	struct linux_siginfo info;
	int slot = tid ? libos_thread_slot_of(tid) : -1;

	if (check_sig(sig) || libos_copy(&info, uinfo, sizeof(info)))
		return check_sig(sig) ? -EINVAL : -EFAULT;
	if (pid != libos_getpid() || (tid && slot < 0))
		return -ESRCH;
	return sig ? libos_sig_post(slot, libos_thread_slot(), (int)sig, &info) : 0;
}
