// SPDX-License-Identifier: MIT
// segv: dereferences NULL after flushing one line; the process must die of SIGSEGV (status 139
// from the shell on Linux, from exorun on exo).
#include <stdio.h>

int main(void)
{
	puts("about to dereference NULL");
	fflush(stdout);
	return *(volatile int *)0;
}
