// SPDX-License-Identifier: MIT
// A freestanding vsnprintf for the kernel and libexo programs (exo/common/printf.c).
#pragma once

#include <common/types.h>
#include <stdarg.h>

// Formats like C99 snprintf for the subset exo uses: flags "-0 #+", width and precision
// (also '*'), length modifiers hh h l ll z t j, conversions d i u x X o p s c %. Always NUL
// terminates when size > 0; returns the length the full output would have had.
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
