// SPDX-License-Identifier: MIT
// signals: actions and the signal mask are kept as on Linux - sigaction returns the previous
// action, signal() the previous handler, sigprocmask the previous mask, SIGKILL and SIGSTOP
// can be neither caught nor blocked - without any signal being raised (exo delivers none yet).
#include "check.h"
#include <errno.h>
#include <signal.h>
#include <string.h>

static void on_signal(int sig)
{
	(void)sig;
}

static void actions(void)
{
	struct sigaction sa, old;

	CHECK(sigaction(SIGUSR1, NULL, &old) == 0);
	CHECK(old.sa_handler == SIG_DFL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(sigaction(SIGUSR1, NULL, &old) == 0);
	CHECK(old.sa_handler == on_signal);
	CHECK(old.sa_flags & SA_RESTART);
	CHECK(sigismember(&old.sa_mask, SIGUSR2) == 1);
	CHECK(sigismember(&old.sa_mask, SIGINT) == 0);
	printf("sigaction ok\n");

	CHECK(signal(SIGINT, SIG_IGN) == SIG_DFL);
	CHECK(signal(SIGINT, on_signal) == SIG_IGN);
	CHECK(signal(SIGINT, SIG_DFL) == on_signal);
	printf("signal ok\n");

	errno = 0;
	CHECK(sigaction(SIGKILL, &sa, NULL) == -1 && errno == EINVAL);
	CHECK(signal(SIGSTOP, on_signal) == SIG_ERR && errno == EINVAL);
	CHECK(sigaction(SIGKILL, NULL, &old) == 0 && old.sa_handler == SIG_DFL);
	CHECK(sigaction(0, NULL, &old) == -1 && errno == EINVAL);
	CHECK(sigaction(65, NULL, &old) == -1 && errno == EINVAL);
	printf("uncatchable ok\n");
}

static void mask(void)
{
	sigset_t set, old;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGKILL);
	CHECK(sigprocmask(SIG_BLOCK, &set, &old) == 0);
	CHECK(sigismember(&old, SIGUSR1) == 0);
	CHECK(sigprocmask(SIG_BLOCK, NULL, &old) == 0);
	CHECK(sigismember(&old, SIGUSR1) == 1);
	CHECK(sigismember(&old, SIGKILL) == 0);
	CHECK(sigprocmask(SIG_UNBLOCK, &set, &old) == 0);
	CHECK(sigprocmask(SIG_SETMASK, NULL, &old) == 0);
	CHECK(sigismember(&old, SIGUSR1) == 0);
	CHECK(sigprocmask(SIG_SETMASK, &set, NULL) == 0);
	CHECK(sigprocmask(SIG_SETMASK, NULL, &old) == 0);
	CHECK(sigismember(&old, SIGUSR1) == 1);
	CHECK(sigprocmask(99, &set, NULL) == -1 && errno == EINVAL);
	sigemptyset(&set);
	CHECK(sigprocmask(SIG_SETMASK, &set, NULL) == 0);
	printf("sigprocmask ok\n");
}

int main(void)
{
	actions();
	mask();
	return 0;
}
