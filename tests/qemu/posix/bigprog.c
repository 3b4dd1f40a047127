// SPDX-License-Identifier: MIT
// A large program: 24 MiB of initialised read-only data and 8 MiB of initialised data in the
// ELF file. Checks a sample of both and prints "bigprog: ok" (exit 0) or what was wrong (exit 1).
#include <stdio.h>

#define RO_SIZE (24 << 20)
#define RW_SIZE (8 << 20)

static const unsigned char ro[RO_SIZE] = { 1, 2, 3, [RO_SIZE - 1] = 4 };
static unsigned char rw[RW_SIZE] = { 5, [RW_SIZE - 1] = 6 };

static volatile unsigned first = 0, middle = RO_SIZE / 2; // indices the compiler cannot see

int main(void)
{
	if (ro[first] != 1 || ro[first + 2] != 3 || ro[middle] != 0 || ro[RO_SIZE - 1 - first] != 4) {
		printf("bigprog: read-only data wrong\n");
		return 1;
	}
	rw[RW_SIZE / 2] = 7; // writable
	if (rw[0] != 5 || rw[RW_SIZE - 1] != 6 || rw[RW_SIZE / 2] != 7) {
		printf("bigprog: data wrong\n");
		return 1;
	}
	printf("bigprog: ok\n");
	return 0;
}
