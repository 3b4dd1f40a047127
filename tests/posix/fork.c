// SPDX-License-Identifier: MIT
// fork and wait: the child is a copy (its writes to data, heap, stack and anonymous memory stay
// its own, and the parent's after the fork stay the parent's), getpid/getppid, exit statuses
// and death by signal through waitpid, WNOHANG, ECHILD, many children reaped in any order, and
// the new parent of an orphan.
#include "check.h"
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int global = 1;

static const char *self;

int main(int argc, char **argv)
{
	int local = 2, status;
	int *heap = malloc(sizeof(int));
	char *anon = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t me = getpid(), child;

	(void)argc;
	self = argv[0];

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

	// An orphan gets another parent (init, or here whoever adopts orphans), and getppid says so.
	int p[2];
	char c = 0;

	CHECK(pipe(p) == 0);
	fflush(stdout);
	child = fork();
	if (child == 0) {
		pid_t parent = getpid();

		if (fork() == 0) {
			for (int i = 0; i < 500 && getppid() == parent; i++)
				usleep(10000);
			_exit(write(p[1], getppid() != parent ? "y" : "n", 1) == 1 ? 0 : 1);
		}
		_exit(0);
	}
	close(p[1]);
	CHECK(waitpid(child, &status, 0) == child && read(p[0], &c, 1) == 1 && c == 'y');
	while (waitpid(-1, &status, 0) > 0) // here the orphan may be ours
		;
	close(p[0]);
	puts("ok an orphan's getppid changes");

	// A file its parent opened, read by an orphan after the parent has gone.
	CHECK(pipe(p) == 0);
	fflush(stdout);
	child = fork();
	if (child == 0) {
		pid_t parent = getpid();
		FILE *f = fopen(self, "r");
		char head[4] = { 0 };

		CHECK(f && fread(head, 1, 1, f) == 1); // opened and read once here
		if (fork() == 0) {
			for (int i = 0; i < 500 && getppid() == parent; i++)
				usleep(10000);
			rewind(f);
			_exit(write(p[1],
			            fread(head, 1, 4, f) == 4 && !memcmp(head, "\177ELF", 4) ? "y" : "n",
			            1) == 1
			          ? 0
			          : 1);
		}
		_exit(0);
	}
	close(p[1]);
	CHECK(waitpid(child, &status, 0) == child && read(p[0], &c, 1) == 1 && c == 'y');
	while (waitpid(-1, &status, 0) > 0)
		;
	puts("ok an orphan reads a file its parent opened");
	return 0;
}
