// SPDX-License-Identifier: MIT
// Console output for libexo programs: the shared formatter (exo/common/printf.c) with
// exo_debug_write as the console.
#include <common/printf.h>
#include <exo/libexo.h>

int exo_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

// Longer output is cut at the buffer, as the kernel's console output is.
int exo_printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	exo_debug_write(buf, MIN((size_t)n, sizeof(buf) - 1));
	return n;
}
