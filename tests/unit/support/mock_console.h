// SPDX-License-Identifier: MIT
// Captures console_write() output for host unit tests.
#pragma once

#include <stddef.h>

// Everything written since console_reset(), NUL terminated (truncated at the buffer size).
extern char console_buf[8192];
extern size_t console_len;
// Number of console_write() calls since console_reset().
extern unsigned console_writes;

void console_reset(void);
