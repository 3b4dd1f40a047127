// SPDX-License-Identifier: MIT
// Resource limits: setrlimit then getrlimit and prlimit read the value back; a soft limit above
// the hard one is EINVAL; RLIMIT_NOFILE stops open and dup at the limit (EMFILE, EBADF for dup2
// beyond it); RLIMIT_AS stops a large mmap (ENOMEM) and lets a small one through; a fork's child
// inherits the limits.
#define _GNU_SOURCE
#include "check.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	struct rlimit r, old;
	int fds[16], n = 0, status;
	pid_t child;

	for (int fd = 3; fd < 16; fd++) // whatever the caller left open (a make jobserver's pipe)
		close(fd);
	CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0 && old.rlim_cur <= old.rlim_max && old.rlim_cur >= 16);
	r = (struct rlimit){ 8, 8 };
	CHECK(setrlimit(RLIMIT_NOFILE, &r) == 0);
	CHECK(prlimit(0, RLIMIT_NOFILE, NULL, &old) == 0 && old.rlim_cur == 8 && old.rlim_max == 8);
	r = (struct rlimit){ 9, 8 };
	CHECK(setrlimit(RLIMIT_NOFILE, &r) == -1 && errno == EINVAL);
	for (;;) {
		int fd = open("/", O_RDONLY | O_DIRECTORY);

		if (fd < 0) {
			CHECK(errno == EMFILE);
			break;
		}
		CHECK(fd < 8 && n < 16);
		fds[n++] = fd;
	}
	CHECK(n == 5); // 0, 1, 2 and five more
	CHECK(dup2(0, 9) == -1 && errno == EBADF);
	CHECK(dup(0) == -1 && errno == EMFILE);
	while (n > 0)
		close(fds[--n]);
	puts("ok RLIMIT_NOFILE");

	fflush(stdout);
	child = fork();
	if (child == 0) {
		CHECK(getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur == 8);
		_exit(0);
	}
	CHECK(waitpid(child, &status, 0) == child && status == 0);
	puts("ok a child inherits them");

	r = (struct rlimit){ 256ul << 20, 256ul << 20 };
	CHECK(setrlimit(RLIMIT_AS, &r) == 0);
	CHECK(mmap(NULL, 512ul << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
	          MAP_FAILED &&
	      errno == ENOMEM);
	void *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED && munmap(p, 1 << 20) == 0);
	puts("ok RLIMIT_AS");
	return 0;
}
