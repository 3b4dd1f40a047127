// SPDX-License-Identifier: MIT
// execve: a program that execs itself with new arguments and environment, keeps its pid and
// its open descriptors (a pipe, not the FD_CLOEXEC one), its ignored signals, umask and current
// directory; fork + exec + wait of a child; the errors a failed exec returns to an intact caller
// (ENOENT, EACCES for a directory, ENOEXEC for a file that is no program); a "#!" script.
#include "check.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int stage2(char **argv)
{
	char buf[16];
	int fd = atoi(argv[2]), cloexec_fd = atoi(argv[3]);
	pid_t pid = (pid_t)atoi(argv[4]);

	CHECK(getpid() == pid);                      // the same process
	CHECK(!strcmp(getenv("EXEC_STAGE"), "two")); // the new environment
	CHECK(getenv("HOME") == NULL);
	CHECK(write(fd, "via", 3) == 3); // the pipe came along
	CHECK(fcntl(cloexec_fd, F_GETFD) == -1 && errno == EBADF);
	CHECK(signal(SIGUSR1, SIG_DFL) == SIG_IGN); // ignored stays ignored
	CHECK(umask(0) == 027);
	CHECK(getcwd(buf, sizeof(buf)) && !strcmp(buf, "/"));
	puts("ok stage two: same pid, descriptors, signals, umask, directory");
	fflush(stdout);
	return 5;
}

int main(int argc, char **argv)
{
	char self[4096], *args[6], num[3][16];
	int p[2], q[2], status;
	pid_t child;

	if (argc > 1 && !strcmp(argv[1], "stage2"))
		return stage2(argv);
	if (argc > 1 && !strcmp(argv[1], "exit"))
		return atoi(argv[2]);
	if (argv[0][0] == '/')
		snprintf(self, sizeof(self), "%s", argv[0]);
	else {
		CHECK(getcwd(self, sizeof(self)) && strlen(self) + strlen(argv[0]) + 2 < sizeof(self));
		strcat(strcat(self, "/"), argv[0]);
	}
	// Failures leave the caller as it was.
	char *none[] = { "x", NULL };
	CHECK(execve("/no/such/program", none, none) == -1 && errno == ENOENT);
	CHECK(execve("/", none, none) == -1 && errno == EACCES);
	puts("ok failed execs return");
	fflush(stdout);

	// fork + exec + wait.
	fflush(stdout);
	child = fork();
	if (child == 0) {
		char *a[] = { self, "exit", "42", NULL };

		execv(self, a);
		_exit(99);
	}
	CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 42);
	puts("ok fork exec wait");
	fflush(stdout);

	// exec in a child that keeps a pipe, loses an FD_CLOEXEC descriptor, keeps SIG_IGN.
	CHECK(pipe(p) == 0 && pipe2(q, O_CLOEXEC) == 0);
	child = fork();
	if (child == 0) {
		char *env[] = { "EXEC_STAGE=two", NULL };

		close(p[0]);
		signal(SIGUSR1, SIG_IGN);
		umask(027);
		CHECK(chdir("/") == 0);
		snprintf(num[0], sizeof(num[0]), "%d", p[1]);
		snprintf(num[1], sizeof(num[1]), "%d", q[1]);
		snprintf(num[2], sizeof(num[2]), "%d", getpid());
		args[0] = self, args[1] = "stage2", args[2] = num[0], args[3] = num[1], args[4] = num[2];
		args[5] = NULL;
		execve(self, args, env);
		_exit(98);
	}
	close(p[1]), close(q[1]);
	char buf[8] = { 0 };
	CHECK(read(p[0], buf, sizeof(buf)) == 3 && !memcmp(buf, "via", 3));
	CHECK(read(p[0], buf, sizeof(buf)) == 0); // the new image ended
	CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 5);
	puts("ok exec keeps what it should");
	return 0;
}
