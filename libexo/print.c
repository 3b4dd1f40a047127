// SPDX-License-Identifier: MIT
// Console output for libexo programs: the kernel's formatter (exo/lib/printf.c, built into
// libexo too) with exo_debug_write as its console.
#include <exo/libexo.h>
#include <kern/printf.h>

void console_write(const char *s, size_t n)
{
	exo_debug_write(s, n);
}

int exo_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int exo_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}
