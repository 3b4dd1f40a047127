// SPDX-License-Identifier: MIT
// For tests/qemu/exorun: writes N bytes (argv[1]) of a binary pattern to stdout - byte i is
// (i * 131 + i / 256) mod 256, so every value, 0xff included, occurs - in pieces of odd sizes.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 0, i = 0;
	static unsigned char buf[7777];

	while (i < n) {
		size_t len = 0, want = 1 + (i % 7777);

		while (len < want && i < n) {
			buf[len++] = (unsigned char)(i * 131 + i / 256);
			i++;
		}
		if (fwrite(buf, 1, len, stdout) != len)
			return 1;
	}
	return fflush(stdout) ? 1 : 0;
}
