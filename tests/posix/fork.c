// SPDX-License-Identifier: MIT
// fork and wait: the child is a copy (its writes to data, heap, stack and anonymous memory stay
// its own, and the parent's after the fork stay the parent's), getpid/getppid, exit statuses
// and death by signal through waitpid, WNOHANG, ECHILD, and many children reaped in any order.
#include "check.h"
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int global = 1;

int main(void)
{
	int local = 2, status;
	int *heap = malloc(sizeof(int));
	char *anon = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t me = getpid(), child;

	CHECK(heap && anon != MAP_FAILED);
	*heap = 3;
	memset(anon, 'p', 1 << 20);
	fflush(stdout);
	child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		CHECK(getppid() == me && getpid() != me);
		CHECK(global == 1 && local == 2 && *heap == 3 && anon[12345] == 'p');
		global = 10, local = 20, *heap = 30;
		memset(anon, 'c', 1 << 20);
		_exit(7);
	}
	CHECK(waitpid(child, &status, 0) == child);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
	CHECK(global == 1 && local == 2 && *heap == 3);
	for (int i = 0; i < (1 << 20); i += 4096)
		CHECK(anon[i] == 'p');
	puts("ok cow isolation and exit status");

	// The parent writes after the fork; the child still sees the old values.
	child = fork();
	if (child == 0) {
		usleep(20000);
		_exit(global == 1 && anon[0] == 'p' ? 0 : 1);
	}
	global = 5;
	anon[0] = 'q';
	CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	puts("ok parent writes are its own");

	// Death by a signal, and WNOHANG on a child that still runs.
	child = fork();
	if (child == 0) {
		for (;;)
			pause();
	}
	CHECK(waitpid(child, &status, WNOHANG) == 0);
	CHECK(kill(child, SIGTERM) == 0);
	CHECK(waitpid(child, &status, 0) == child);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	puts("ok killed by SIGTERM");

	// Many children, reaped with wait() in whatever order they end.
	enum { N = 16 };
	int seen[N] = { 0 };
	pid_t pids[N];
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		CHECK(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(100 + i);
	}
	for (int i = 0; i < N; i++) {
		pid_t p = wait(&status);
		int j = 0;

		CHECK(p > 0 && WIFEXITED(status));
		while (j < N && pids[j] != p)
			j++;
		CHECK(j < N && WEXITSTATUS(status) == 100 + j && !seen[j]);
		seen[j] = 1;
	}
	CHECK(wait(&status) == -1 && errno == ECHILD);
	puts("ok 16 children reaped");
	return 0;
}
