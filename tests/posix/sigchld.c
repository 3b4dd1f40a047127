// SPDX-License-Identifier: MIT
// SIGCHLD: a storm of 64 children ending at once; the handler runs (standard signals coalesce,
// so at least once and at most 64 times), its siginfo names a child, and waitpid reaps every
// one with its own status. A child killed by a signal is reported as such in siginfo.
#include "check.h"
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define N 64

static volatile sig_atomic_t calls, last_pid, last_code, last_status;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig == SIGCHLD) {
		calls++;
		last_pid = si->si_pid;
		last_code = si->si_code;
		last_status = si->si_status;
	}
}

int main(void)
{
	struct sigaction sa;
	pid_t kids[N], pid;
	int status, reaped = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	CHECK(sigaction(SIGCHLD, &sa, NULL) == 0);
	for (int i = 0; i < N; i++) {
		kids[i] = fork();
		CHECK(kids[i] >= 0);
		if (kids[i] == 0)
			_exit(i);
	}
	while ((pid = waitpid(-1, &status, 0)) != -1 || errno == EINTR) {
		if (pid < 0)
			continue;
		int i = 0;

		while (i < N && kids[i] != pid)
			i++;
		CHECK(i < N && WIFEXITED(status) && WEXITSTATUS(status) == i);
		kids[i] = 0;
		reaped++;
	}
	CHECK(errno == ECHILD && reaped == N);
	while (!calls)
		pause();
	CHECK(calls >= 1 && calls <= N && last_pid > 0 && last_code == CLD_EXITED);
	puts("ok 64 children, SIGCHLD handled, every one reaped");

	pid = fork();
	if (pid == 0)
		for (;;)
			pause();
	CHECK(kill(pid, SIGKILL) == 0);
	CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	for (int i = 0; i < 5000 && last_pid != pid; i++) // a SIGCHLD of the storm may come first
		usleep(1000);
	CHECK(last_pid == pid && last_code == CLD_KILLED && last_status == SIGKILL);
	puts("ok a killed child's SIGCHLD");
	return 0;
}
