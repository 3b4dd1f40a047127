// SPDX-License-Identifier: MIT
// For tests/qemu/exorun: a fork bomb under exo's limits ends in EAGAIN for the bomber, and nothing
// else is disturbed. Forks children that wait in pause() until fork fails; that failure must be
// EAGAIN (the process manager's table or the quota the processes share is used up). Then every
// child is killed and reaped, and the machine still works: a new child runs and its status comes
// back, a pipe still carries data. Then RLIMIT_NPROC 5 allows four children. Prints
// "forkbomb: ok: N children ..." and exits 0.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX 2000

static pid_t kids[MAX];

int main(void)
{
	int n = 0, status, p[2];
	char c;
	pid_t pid;

	for (;;) {
		if (n == MAX) {
			printf("forkbomb: %d forks and no EAGAIN\n", n);
			return 1;
		}
		pid = fork();
		if (pid == 0) {
			for (;;)
				pause();
		}
		if (pid < 0)
			break;
		kids[n++] = pid;
	}
	if (errno != EAGAIN) {
		printf("forkbomb: fork failed with errno %d, not EAGAIN\n", errno);
		return 1;
	}
	for (int i = 0; i < n; i++)
		if (kill(kids[i], SIGKILL) != 0) {
			printf("forkbomb: kill %d failed\n", kids[i]);
			return 1;
		}
	for (int i = 0; i < n; i++) {
		pid = wait(&status);
		if (pid <= 0 || !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
			printf("forkbomb: wait gave %d, status %#x\n", pid, status);
			return 1;
		}
	}
	// Everything works again.
	if (pipe(p) != 0 || (pid = fork()) < 0) {
		printf("forkbomb: no fork or pipe after the bomb (errno %d)\n", errno);
		return 1;
	}
	if (pid == 0)
		_exit(write(p[1], "k", 1) == 1 ? 7 : 1);
	if (read(p[0], &c, 1) != 1 || c != 'k' || waitpid(pid, &status, 0) != pid ||
	    WEXITSTATUS(status) != 7) {
		printf("forkbomb: the child after the bomb did not work\n");
		return 1;
	}
	// RLIMIT_NPROC: 5 processes in all, this one included (zombies count until reaped).
	struct rlimit lim = { 5, 5 };
	int m = 0;

	if (setrlimit(RLIMIT_NPROC, &lim) != 0) {
		printf("forkbomb: setrlimit failed (errno %d)\n", errno);
		return 1;
	}
	while ((pid = fork()) > 0 && m < 10)
		kids[m++] = pid;
	if (pid == 0)
		for (;;)
			pause();
	if (m != 4 || errno != EAGAIN) {
		printf("forkbomb: %d children under RLIMIT_NPROC 5 (errno %d), not 4 and EAGAIN\n", m, errno);
		return 1;
	}
	for (int i = 0; i < m; i++)
		kill(kids[i], SIGKILL), waitpid(kids[i], &status, 0);
	printf("forkbomb: ok: %d children before EAGAIN, 4 under RLIMIT_NPROC 5\n", n);
	return 0;
}
