// SPDX-License-Identifier: MIT
// Kernel formatted output: the shared formatter (<common/printf.h>) and a log with levels on the
// console.
#pragma once

#include <common/printf.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

// Console output (serial); kprintf always prints, klog drops messages below the log level.
int kprintf(const char *fmt, ...) __printf(1, 2);
int kvprintf(const char *fmt, va_list ap);
void klog(enum log_level level, const char *fmt, ...) __printf(2, 3);
void klog_set_level(enum log_level level);

// Where console bytes go; provided by the console driver (serial on x86_64).
void console_write(const char *s, size_t n);
