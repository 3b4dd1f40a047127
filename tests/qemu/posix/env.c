// SPDX-License-Identifier: MIT
// For tests/qemu/exorun: prints the environment, one string a line, then writes into every
// string (they must be writable, as on Linux) and prints "env: writable".
#include <stdio.h>
#include <string.h>

extern char **environ;

int main(void)
{
	for (char **e = environ; *e; e++)
		puts(*e);
	for (char **e = environ; *e; e++) {
		size_t n = strlen(*e);

		(*e)[n - 1] ^= 1;
		(*e)[n - 1] ^= 1;
	}
	puts("env: writable");
	return 0;
}
