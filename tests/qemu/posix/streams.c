// SPDX-License-Identifier: MIT
// For tests/qemu/exorun: stdout and stderr are separate channels. Writes three lines to each,
// interleaved, through stdio and write(2), and exits with 7.
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	for (int i = 1; i <= 3; i++) {
		printf("out %d\n", i);
		fflush(stdout);
		fprintf(stderr, "err %d\n", i);
	}
	write(1, "", 0);
	write(2, "end\n", 4);
	return 7;
}
