// SPDX-License-Identifier: MIT
// console_write() fake that appends to a buffer the tests can inspect.
#include <string.h>

#include "mock_console.h"
#include <kern/printf.h>

char console_buf[8192];
size_t console_len;
unsigned console_writes;

void console_reset(void)
{
	memset(console_buf, 0, sizeof(console_buf));
	console_len = 0;
	console_writes = 0;
}

void console_write(const char *s, size_t n)
{
	size_t room = sizeof(console_buf) - 1 - console_len;

	console_writes++;
	if (n > room)
		n = room;
	memcpy(console_buf + console_len, s, n);
	console_len += n;
	console_buf[console_len] = '\0';
}
