// SPDX-License-Identifier: MIT
// Job control between processes: SIGSTOP stops a child (waitpid with WUNTRACED reports it, and
// SIGCHLD says CLD_STOPPED), SIGCONT continues it (WCONTINUED, CLD_CONTINUED), a stopped child
// still dies of SIGTERM once continued and of SIGKILL at once; SIGTSTP stops only without a
// handler; killpg stops and continues a process group; an orphaned process group with a stopped
// member gets SIGHUP and SIGCONT.
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

static int hup_fd;

static void on_hup(int sig)
{
	(void)sig;
	_exit(write(hup_fd, "h", 1) == 1 ? 0 : 1);
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

	// An orphaned process group with a stopped member: SIGHUP, then SIGCONT. In a session of its
	// own (so that whoever adopts orphans - init, or this program - is outside it), a group
	// whose link to the session is its leader's parent loses that link when the leader exits.
	int p[2];
	char c = 0;

	CHECK(pipe(p) == 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		pid_t leader;

		CHECK(setsid() > 0);
		leader = fork();
		if (leader == 0) {
			pid_t g;

			CHECK(setpgid(0, 0) == 0); // a group of its own, its parent in the session: linked
			g = fork();
			if (g == 0) {
				signal(SIGHUP, on_hup);
				hup_fd = p[1];
				raise(SIGSTOP);
				for (;;)
					pause();
			}
			CHECK(waitpid(g, &status, WUNTRACED) == g && WIFSTOPPED(status));
			_exit(0); // the group loses its last link to the session
		}
		CHECK(waitpid(leader, &status, 0) == leader && status == 0);
		for (int i = 0; i < 100; i++) // the orphan may have come here
			if (waitpid(-1, &status, WNOHANG) < 0)
				break;
			else
				usleep(10000);
		_exit(0);
	}
	close(p[1]);
	CHECK(read(p[0], &c, 1) == 1 && c == 'h');
	CHECK(waitpid(pid, &status, 0) == pid && status == 0);
	while (waitpid(-1, &status, 0) > 0) // or to us
		;
	puts("ok an orphaned stopped group gets SIGHUP and SIGCONT");
	return 0;
}
