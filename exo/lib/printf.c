// SPDX-License-Identifier: MIT
// The kernel's console output and log with levels, formatted by exo/common/printf.c.
#include <kern/printf.h>

int kvprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);

	console_write(buf, MIN((size_t)n, sizeof(buf) - 1));
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

static enum log_level log_level = LOG_INFO;

void klog_set_level(enum log_level level)
{
	log_level = level;
}

void klog(enum log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = { "debug: ", "", "warning: ", "error: " };
	va_list ap;

	if (level < log_level)
		return;
	kprintf("exo: %s", prefix[level]);
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}
