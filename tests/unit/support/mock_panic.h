// SPDX-License-Identifier: MIT
// panic() for host unit tests: reports through cmocka's mock_assert (see expect_assert_failure).
#pragma once

#include <stdbool.h>

// The formatted message of the most recent panic ("" if none since panic_reset()).
extern char panic_last_message[512];
// Number of panics since panic_reset().
extern unsigned panic_count;

void panic_reset(void);
// True if the last panic message contains s.
bool panic_message_contains(const char *s);
