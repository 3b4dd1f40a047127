// SPDX-License-Identifier: MIT
// For tests/qemu/exorun: dies of a NULL dereference, or with the argument "rodata" of a write to
// a string literal (read-only data); exorun exits with 128 + SIGSEGV and reports why.
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "rodata")) {
		static const char text[] = "read-only";

		puts("about to write to read-only data");
		fflush(stdout);
		*(volatile char *)text = 'R';
		return 0;
	}
	puts("about to dereference NULL");
	fflush(stdout);
	return *(volatile int *)0;
}
