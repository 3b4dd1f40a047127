// SPDX-License-Identifier: MIT
// sigdeliver: signals a process sends itself - kill, raise and sigqueue run the handler before
// they return, with SA_SIGINFO's fields; blocked signals stay pending (standard ones coalesce,
// real-time ones queue in order with their values) until unblocked, sigsuspend or sigtimedwait;
// SA_NODEFER, SA_RESETHAND, and SA_ONSTACK on a sigaltstack.
#include "check.h"
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile int count, last_sig, last_code, last_value, nested, depth, raised, order[8], norder;
static volatile pid_t last_pid;
static char altstack[65536];
static volatile int on_alt;

static void on_info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	count++;
	last_sig = sig;
	last_code = si->si_code;
	last_pid = si->si_pid;
	if (si->si_code == SI_QUEUE) {
		last_value = si->si_value.sival_int;
		if (norder < 8)
			order[norder++] = sig * 100 + si->si_value.sival_int;
	}
}

static void on_plain(int sig)
{
	(void)sig;
	count++;
}

static void on_nested(int sig)
{
	depth++;
	if (!raised++)
		raise(sig); // runs at once under SA_NODEFER, else after this handler
	nested = nested * 10 + depth;
	depth--;
}

static void on_alt_stack(int sig)
{
	char here;

	(void)sig;
	on_alt = &here >= altstack && &here < altstack + sizeof(altstack);
}

static void handle(int sig, void (*plain)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = flags;
	if (flags & SA_SIGINFO) { // blocking all: handlers never nest, so the order is Linux's
		sigfillset(&sa.sa_mask);
		sa.sa_sigaction = on_info;
	} else
		sa.sa_handler = plain;
	CHECK(sigaction(sig, &sa, NULL) == 0);
}

static void to_self(void)
{
	union sigval v = { .sival_int = 42 };

	handle(SIGUSR1, NULL, SA_SIGINFO);
	CHECK(kill(getpid(), SIGUSR1) == 0);
	CHECK(count == 1 && last_sig == SIGUSR1 && last_code == SI_USER && last_pid == getpid());
	CHECK(raise(SIGUSR1) == 0);
	CHECK(count == 2 && last_code == SI_TKILL);
	CHECK(sigqueue(getpid(), SIGUSR1, v) == 0);
	CHECK(count == 3 && last_code == SI_QUEUE && last_value == 42 && last_pid == getpid());
	CHECK(kill(getpid(), 0) == 0);
	CHECK(kill(getpid(), 99) == -1 && errno == EINVAL);
	signal(SIGUSR2, SIG_IGN);
	CHECK(raise(SIGUSR2) == 0);
	signal(SIGCHLD, SIG_DFL);
	CHECK(raise(SIGCHLD) == 0); // ignored by default
	printf("to self ok\n");
}

static void masks(void)
{
	sigset_t set, pend;
	union sigval v;

	count = norder = 0;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGRTMIN + 1);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	raise(SIGUSR1);
	raise(SIGUSR1);
	CHECK(count == 0);
	CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1) && !sigismember(&pend, SIGUSR2));
	handle(SIGRTMIN, NULL, SA_SIGINFO);
	handle(SIGRTMIN + 1, NULL, SA_SIGINFO);
	for (int i = 1; i <= 3; i++) {
		v.sival_int = i;
		CHECK(sigqueue(getpid(), SIGRTMIN + 1, v) == 0);
		CHECK(sigqueue(getpid(), SIGRTMIN, v) == 0);
	}
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);
	CHECK(count == 7); // SIGUSR1 once (coalesced), six real-time ones
	for (int i = 0; i < 6; i++)
		CHECK(order[i] == (i < 3 ? SIGRTMIN * 100 + i + 1 : (SIGRTMIN + 1) * 100 + i - 2));
	CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR1));
	printf("masks and queueing ok\n");
}

static void waits(void)
{
	sigset_t set, old, none;
	siginfo_t si;
	struct timespec ts = { 0, 20000000 };
	union sigval v = { .sival_int = 7 };

	count = 0;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, &old) == 0);
	raise(SIGUSR1);
	sigemptyset(&none);
	CHECK(sigsuspend(&none) == -1 && errno == EINTR && count == 1);
	CHECK(sigprocmask(SIG_BLOCK, NULL, &old) == 0 && sigismember(&old, SIGUSR1));
	CHECK(sigqueue(getpid(), SIGUSR1, v) == 0);
	CHECK(sigwaitinfo(&set, &si) == SIGUSR1 && si.si_code == SI_QUEUE && si.si_value.sival_int == 7);
	CHECK(count == 1);
	CHECK(sigtimedwait(&set, &si, &ts) == -1 && errno == EAGAIN);
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);
	printf("sigsuspend and sigtimedwait ok\n");
}

static void flags(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };

	handle(SIGUSR2, on_nested, 0);
	raise(SIGUSR2);
	CHECK(nested == 11); // depth 1 finishes, then the deferred one runs at depth 1
	nested = raised = 0;
	handle(SIGUSR2, on_nested, SA_NODEFER);
	raise(SIGUSR2);
	CHECK(nested == 21); // the inner one (depth 2) ends first
	handle(SIGUSR2, on_plain, SA_RESETHAND);
	count = 0;
	raise(SIGUSR2);
	CHECK(count == 1 && signal(SIGUSR2, SIG_IGN) == SIG_DFL);
	CHECK(sigaltstack(&ss, NULL) == 0);
	handle(SIGUSR2, on_alt_stack, SA_ONSTACK);
	raise(SIGUSR2);
	CHECK(on_alt);
	handle(SIGUSR2, on_alt_stack, 0);
	raise(SIGUSR2);
	CHECK(!on_alt);
	printf("flags ok\n");
}

int main(void)
{
	to_self();
	masks();
	waits();
	flags();
	return 0;
}
