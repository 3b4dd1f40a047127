// SPDX-License-Identifier: MIT
// check.h - CHECK(c) for the POSIX conformance programs in tests/posix/: a false condition is
// reported on stderr with the file and line, and the program exits with status 1 at once (later
// checks usually depend on earlier ones). Stdout carries only fixed "ok" lines, so the runner can
// compare exo's output with Linux's byte for byte.
#ifndef TESTS_POSIX_CHECK_H
#define TESTS_POSIX_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                                              \
	do {                                                                                  \
		if (!(c)) {                                                                   \
			fflush(stdout);                                                       \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
			exit(1);                                                              \
		}                                                                             \
	} while (0)

#endif
