// SPDX-License-Identifier: MIT
// For tests/qemu/exorun: sleeps argv[1] seconds, then exits with 0.
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	sleep(argc > 1 ? (unsigned)atoi(argv[1]) : 1);
	return 0;
}
