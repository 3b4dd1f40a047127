// SPDX-License-Identifier: MIT
// For tests/qemu/exorun: copies stdin to stdout with stdio (so musl's buffered reads come as
// readv) until the end of the input, then says on stderr how many bytes it copied.
#include <stdio.h>

int main(void)
{
	char buf[1000];
	unsigned long total = 0;
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0) {
		fwrite(buf, 1, n, stdout);
		total += n;
	}
	fflush(stdout);
	fprintf(stderr, "cat: %lu bytes, %s\n", total, feof(stdin) ? "end of input" : "read error");
	return ferror(stdin) ? 1 : 0;
}
