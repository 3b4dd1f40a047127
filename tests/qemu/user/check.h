// check.h - CHECK(c) for the QEMU user test programs: a false condition is reported with the
// program's name and the line, and counted in the program's own `failures`, which decides the
// exit status. Define TEST_NAME (the report's prefix) and `failures` before the first CHECK.
#ifndef TESTS_QEMU_USER_CHECK_H
#define TESTS_QEMU_USER_CHECK_H

#define CHECK(c)                                                                        \
	do {                                                                            \
		if (!(c)) {                                                             \
			exo_printf(TEST_NAME ": FAILED %s at line %d\n", #c, __LINE__); \
			failures++;                                                     \
		}                                                                       \
	} while (0)

#endif
