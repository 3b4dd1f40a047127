// SPDX-License-Identifier: MIT
// For tests/qemu/exorun: exec of "#!" scripts and files that are no program. Run as
// `execscript SCRIPT TEXT NOEXEC`: SCRIPT starts with "#!THIS-PROGRAM interp-arg", so exec'ing it
// runs this program again as `THIS-PROGRAM interp-arg SCRIPT one two`, which prints its arguments;
// TEXT (executable, no "#!") fails with ENOEXEC and NOEXEC (no x bit) with EACCES, both back in
// an intact caller. Prints "execscript: ..." lines; exits 0 when all went as expected.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *none[] = { "x", NULL };
	int status;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "interp-arg")) {
		for (int i = 1; i < argc; i++)
			printf("execscript: interpreter arg %d: %s\n", i, argv[i]);
		return 0;
	}
	if (argc != 4)
		return 2;
	if (execv(argv[2], none) != -1 || errno != ENOEXEC) {
		printf("execscript: TEXT gave errno %d, not ENOEXEC\n", errno);
		return 1;
	}
	if (execv(argv[3], none) != -1 || errno != EACCES) {
		printf("execscript: NOEXEC gave errno %d, not EACCES\n", errno);
		return 1;
	}
	printf("execscript: failed execs returned\n");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *args[] = { argv[1], "one", "two", NULL };

		execv(argv[1], args);
		_exit(99);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("execscript: the script's status %#x\n", status);
		return 1;
	}
	printf("execscript: ok\n");
	return 0;
}
