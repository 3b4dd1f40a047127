// SPDX-License-Identifier: MIT
// panic() for host unit tests: records the message, then fails through cmocka's mock_assert.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mock_panic.h"
#include <common/list.h>
#include <kern/panic.h>

char panic_last_message[512];
unsigned panic_count;

void panic_reset(void)
{
	panic_last_message[0] = '\0';
	panic_count = 0;
}

bool panic_message_contains(const char *s)
{
	return strstr(panic_last_message, s) != NULL;
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(panic_last_message, sizeof(panic_last_message), fmt, ap);
	va_end(ap);
	panic_count++;
	// Inside expect_assert_failure() this longjmps back to the test; anywhere else cmocka
	// reports the message and fails the running test.
	mock_assert(0, panic_last_message, __FILE__, __LINE__);
	abort();
}

void list_check_failed(const char *what, const char *file, int line)
{
	panic("list check '%s' failed at %s:%d", what, file, line);
}
