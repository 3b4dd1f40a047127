// SPDX-License-Identifier: MIT
// hello: argc/argv/envp reach main as on Linux, getenv finds PATH and not an unset variable, and
// the value main returns is the exit status ("hello exit3" returns 3).
#include "check.h"
#include <string.h>

extern char **environ;

int main(int argc, char **argv, char **envp)
{
	CHECK(argc >= 1);
	CHECK(argv[0] != NULL && argv[0][0] != '\0');
	CHECK(argv[argc] == NULL);
	printf("argc %d\n", argc);
	for (int i = 1; i < argc; i++)
		printf("argv[%d] %s\n", i, argv[i]);
	CHECK(envp == environ);
	CHECK(getenv("PATH") != NULL);
	printf("PATH is set\n");
	CHECK(getenv("EXO_POSIX_TEST_NOT_SET") == NULL);
	printf("unset variable is NULL\n");
	if (argc == 2 && strcmp(argv[1], "exit3") == 0)
		return 3;
	return 0;
}
