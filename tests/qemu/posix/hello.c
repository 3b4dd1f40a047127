// SPDX-License-Identifier: MIT
// An ordinary C program, built with musl and libos: stdio, malloc and exit through libos.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	char *p = malloc(100000);

	if (!p)
		return 2;
	memset(p, 'x', 99999);
	p[99999] = 0;
	printf("hello from musl on exo: argc=%d argv[0]=%s, %d bytes from malloc, pi=%.3f\n", argc, argv[0],
	       (int)strlen(p) + 1, 3.14159);
	free(p);
	fflush(stdout);
	return 0;
}
