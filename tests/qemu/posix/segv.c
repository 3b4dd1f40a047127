// SPDX-License-Identifier: MIT
// For tests/qemu/exorun: dies of a NULL dereference (exorun exits with 128 + SIGSEGV).
#include <stdio.h>

int main(void)
{
	puts("about to dereference NULL");
	fflush(stdout);
	return *(volatile int *)0;
}
