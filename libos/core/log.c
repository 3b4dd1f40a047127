// SPDX-License-Identifier: MIT
// libos's own messages: one line each on the kernel log (some once per kind), and dying with a
// reason.
#include <libos/file.h>
#include <libos/libos.h>
#include <stdarg.h>

int vsnprintf(char *restrict s, size_t n, const char *restrict fmt, va_list ap); // musl's

static void vlog(const char *fmt, va_list ap)
{
	char line[256] = "libos: ";
	int n = vsnprintf(line + 7, sizeof(line) - 8, fmt, ap);

	n = n < 0 ? 0 : n > (int)sizeof(line) - 9 ? (int)sizeof(line) - 9 : n;
	line[7 + n] = '\n';
	exo_debug_write(line, (unsigned long)(8 + n));
}

void libos_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void libos_log_once(const char *kind, const char *fmt, ...)
{
	static const char *logged[64];
	static volatile int lock;
	bool seen = false;
	va_list ap;
	int i;

	libos_lock(&lock);
	for (i = 0; i < 64 && logged[i] && !seen; i++)
		seen = logged[i] == kind;
	if (!seen && i < 64)
		logged[i] = kind;
	libos_unlock(&lock);
	if (seen)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

_Noreturn void libos_die(long status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
	libos_file_exit(); // the other ends of its pipes learn it
	for (;;)
		exo_exit(status);
}
