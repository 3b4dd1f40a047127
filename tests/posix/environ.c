// SPDX-License-Identifier: MIT
// The environment: every environ string is writable in place (busybox awk does it), setenv,
// putenv and unsetenv change what getenv and environ say. Linux runs it with the runner's
// environment, exo with exorun's; only fixed lines are printed.
#define _GNU_SOURCE
#include "check.h"
#include <string.h>
#include <unistd.h>

extern char **environ;

int main(void)
{
	char entry[] = "EXO_TEST_PUT=put";
	int n = 0;

	CHECK(environ && environ[0]);
	for (char **e = environ; *e; e++, n++) {
		char *eq = strchr(*e, '=');

		CHECK(eq);
		*eq = 0; // writable: split in place and back
		CHECK(getenv(*e) == NULL || strcmp(*e, "") != 0);
		*eq = '=';
	}
	CHECK(n > 0);
	printf("environ writable ok\n");
	CHECK(setenv("EXO_TEST_SET", "one", 0) == 0 && strcmp(getenv("EXO_TEST_SET"), "one") == 0);
	CHECK(setenv("EXO_TEST_SET", "two", 0) == 0 && strcmp(getenv("EXO_TEST_SET"), "one") == 0);
	CHECK(setenv("EXO_TEST_SET", "two", 1) == 0 && strcmp(getenv("EXO_TEST_SET"), "two") == 0);
	CHECK(putenv(entry) == 0 && getenv("EXO_TEST_PUT") == entry + 13);
	entry[13] = 'P';
	CHECK(strcmp(getenv("EXO_TEST_PUT"), "Put") == 0);
	CHECK(unsetenv("EXO_TEST_SET") == 0 && getenv("EXO_TEST_SET") == NULL);
	CHECK(getenv("PATH") && strchr(getenv("PATH"), '/'));
	printf("setenv putenv unsetenv ok\n");
	return 0;
}
