// SPDX-License-Identifier: MIT
// For tests/qemu/exorun: 40 lines of 1,500 bytes, alternately on stdout ('o') and stderr ('e'),
// each one write(); with 2>&1 they must arrive whole and in this order.
#include <string.h>
#include <unistd.h>

int main(void)
{
	char line[1501];

	for (int i = 0; i < 40; i++) {
		memset(line, i % 2 ? 'e' : 'o', 1500);
		line[1500] = '\n';
		if (write(1 + i % 2, line, sizeof(line)) != (ssize_t)sizeof(line))
			return 1;
	}
	return 0;
}
