// SPDX-License-Identifier: MIT
// Job control between processes: SIGSTOP stops a child (waitpid with WUNTRACED reports it, and
// SIGCHLD says CLD_STOPPED), SIGCONT continues it (WCONTINUED, CLD_CONTINUED), a stopped child
// still dies of SIGTERM once continued and of SIGKILL at once; SIGTSTP stops only without a
// handler; killpg stops and continues a process group.
#include "check.h"
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t chld_code, tstp;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	chld_code = si->si_code;
}

static void on_tstp(int sig)
{
	tstp = sig;
}

static pid_t sleeper(void)
{
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		signal(SIGTSTP, SIG_DFL);
		for (;;)
			pause();
	}
	return pid;
}

static void wait_code(int code)
{
	for (int i = 0; i < 5000 && chld_code != code; i++)
		usleep(1000);
	CHECK(chld_code == code);
}

int main(void)
{
	struct sigaction sa;
	int status;
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	CHECK(sigaction(SIGCHLD, &sa, NULL) == 0);
	fflush(stdout);
	pid = sleeper();
	CHECK(kill(pid, SIGSTOP) == 0);
	CHECK(waitpid(pid, &status, WUNTRACED) == pid && WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
	wait_code(CLD_STOPPED);
	CHECK(kill(pid, SIGCONT) == 0);
	CHECK(waitpid(pid, &status, WCONTINUED) == pid && WIFCONTINUED(status));
	wait_code(CLD_CONTINUED);
	CHECK(kill(pid, SIGTERM) == 0);
	CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	puts("ok stop, continue and terminate a child");

	pid = sleeper();
	CHECK(kill(pid, SIGTSTP) == 0);
	CHECK(waitpid(pid, &status, WUNTRACED) == pid && WIFSTOPPED(status) && WSTOPSIG(status) == SIGTSTP);
	CHECK(kill(pid, SIGKILL) == 0); // a stopped process dies of SIGKILL
	CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	puts("ok SIGTSTP stops, SIGKILL ends a stopped child");

	// With a handler SIGTSTP does not stop: the process itself.
	signal(SIGTSTP, on_tstp);
	CHECK(raise(SIGTSTP) == 0 && tstp == SIGTSTP);
	puts("ok a SIGTSTP handler runs instead");

	// A process group stopped and continued with killpg.
	pid_t group[2];
	for (int i = 0; i < 2; i++) {
		group[i] = sleeper();
		CHECK(setpgid(group[i], group[0]) == 0);
	}
	CHECK(killpg(group[0], SIGSTOP) == 0);
	for (int i = 0; i < 2; i++)
		CHECK(waitpid(group[i], &status, WUNTRACED) == group[i] && WIFSTOPPED(status));
	CHECK(killpg(group[0], SIGCONT) == 0);
	for (int i = 0; i < 2; i++)
		CHECK(waitpid(group[i], &status, WCONTINUED) == group[i] && WIFCONTINUED(status));
	CHECK(killpg(group[0], SIGKILL) == 0);
	for (int i = 0; i < 2; i++)
		CHECK(waitpid(group[i], &status, 0) == group[i] && WIFSIGNALED(status));
	puts("ok killpg stops, continues and kills a group");
	return 0;
}
