// SPDX-License-Identifier: MIT
// For tests/qemu/exorun: prints its arguments and exits with 40 + argc.
#include <stdio.h>

int main(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		printf("arg %d: %s\n", i, argv[i]);
	return 40 + argc;
}
