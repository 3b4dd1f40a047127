// SPDX-License-Identifier: MIT
// efault: system calls given a pointer the program may not use (an unmapped page, a kernel
// address, a non-canonical one) fail with EFAULT and the program carries on, as on Linux -
// buffers of read and write, iovecs, stat buffers, path names, uname, getcwd, nanosleep, futex,
// pipe2, execve, getrlimit, prlimit64, wait4.
#include "check.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAIT_PRIVATE 128 // FUTEX_WAIT | FUTEX_PRIVATE_FLAG (musl has no <linux/futex.h>)

// The raw call (musl's wrappers could touch some arguments themselves first).
#define EFAULTS(...) (syscall(__VA_ARGS__) == -1 && errno == EFAULT)

int main(int argc, char **argv)
{
	void *bad[3];
	char buf[16];
	int fd;

	(void)argc;
	fd = open(argv[0], O_RDONLY);
	CHECK(fd >= 0);
	// An address that was mapped and is not any more, a kernel one, a non-canonical one.
	bad[0] = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(bad[0] != MAP_FAILED && munmap(bad[0], 4096) == 0);
	bad[1] = (void *)0xffffffff80000000ul;
	bad[2] = (void *)0x0000900000000000ul;
	for (int i = 0; i < 3; i++) {
		struct iovec iov = { bad[i], 4 };

		CHECK(EFAULTS(SYS_write, 1, bad[i], 4));
		CHECK(EFAULTS(SYS_read, fd, bad[i], 4));
		CHECK(EFAULTS(SYS_writev, 1, bad[i], 1));
		CHECK(EFAULTS(SYS_writev, 1, &iov, 1));
		CHECK(EFAULTS(SYS_fstat, fd, bad[i]));
		CHECK(EFAULTS(SYS_open, bad[i], O_RDONLY));
		CHECK(EFAULTS(SYS_stat, argv[0], bad[i]));
		CHECK(EFAULTS(SYS_uname, bad[i]));
		CHECK(EFAULTS(SYS_getcwd, bad[i], 100));
		CHECK(EFAULTS(SYS_nanosleep, bad[i], NULL));
		CHECK(EFAULTS(SYS_futex, bad[i], FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0));
		if (i > 0) // on exo a pipe's ring is memory of the process: it may take the freed page
			CHECK(EFAULTS(SYS_pipe2, bad[i], 0));
		CHECK(EFAULTS(SYS_execve, bad[i], NULL, NULL));
		CHECK(EFAULTS(SYS_getrlimit, RLIMIT_NOFILE, bad[i]));
		CHECK(EFAULTS(SYS_prlimit64, 0, RLIMIT_NOFILE, bad[i], NULL));
		CHECK(syscall(SYS_kill, 0, 0) == 0); // a valid call in between: nothing was harmed
	}
	printf("bad pointers: EFAULT from write, read, writev, fstat, open, stat, uname, getcwd, "
	       "nanosleep, futex\n");
	// A child's status and rusage written to a bad address: EFAULT, the child reaped anyway.
	pid_t child = fork();

	if (child == 0)
		_exit(3);
	CHECK(EFAULTS(SYS_wait4, child, bad[0], 0, NULL));
	CHECK(waitpid(child, NULL, WNOHANG) == -1 && errno == ECHILD);
	CHECK(read(fd, buf, 4) == 4 && !memcmp(buf, "\177ELF", 4)); // and everything still works
	CHECK(close(fd) == 0);
	printf("still running\n");
	return 0;
}
