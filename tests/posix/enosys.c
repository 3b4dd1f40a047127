// SPDX-License-Identifier: MIT
// enosys: a system call number neither Linux nor libos implements returns -1 with errno ENOSYS,
// every time, and the program carries on.
#include "check.h"
#include <errno.h>
#include <unistd.h>

#define NO_SUCH_SYSCALL 1000 // beyond Linux's table (about 460 calls) and libos's

int main(void)
{
	for (int i = 0; i < 3; i++) {
		errno = 0;
		long r = syscall(NO_SUCH_SYSCALL, 1, 2, 3, 4, 5, 6);
		CHECK(r == -1);
		CHECK(errno == ENOSYS);
	}
	printf("syscall %d: ENOSYS\n", NO_SUCH_SYSCALL);
	CHECK(write(1, "still running\n", 14) == 14);
	return 0;
}
