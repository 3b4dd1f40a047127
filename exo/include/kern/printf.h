// SPDX-License-Identifier: MIT
// Kernel formatted output: a freestanding vsnprintf and a log with levels on the console.
#pragma once

#include <kern/types.h>
#include <stdarg.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

// Formats like C99 snprintf for the subset the kernel uses: flags "-0 #+", width and precision
// (also '*'), length modifiers hh h l ll z t j, conversions d i u x X o p s c %. Always NUL
// terminates when size > 0; returns the length the full output would have had.
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

// Console output (serial); kprintf always prints, klog drops messages below the log level.
int kprintf(const char *fmt, ...) __printf(1, 2);
int kvprintf(const char *fmt, va_list ap);
void klog(enum log_level level, const char *fmt, ...) __printf(2, 3);
void klog_set_level(enum log_level level);

// Where console bytes go; provided by the console driver (serial on x86_64).
void console_write(const char *s, size_t n);
