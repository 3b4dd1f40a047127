// SPDX-License-Identifier: MIT
// mmap of a file (the program's own): MAP_PRIVATE read-only and writable (writes stay private:
// the file and other mappings keep their bytes), an offset, the zeroed tail of the last page,
// MAP_SHARED read-only, the errors (MAP_SHARED with PROT_WRITE on a read-only descriptor EACCES,
// a closed descriptor EBADF, an unaligned offset EINVAL), munmap of part of it, and a fork's child
// reading it.
#include "check.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct stat st;
	static char buf[8192];
	int fd = open(argv[0], O_RDONLY), status;
	unsigned char *a, *b, *c;
	size_t size, last;
	pid_t child;

	(void)argc;
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 8192);
	size = (size_t)st.st_size;
	CHECK(pread(fd, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf));
	a = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(a != MAP_FAILED && !memcmp(a, buf, sizeof(buf)) && !memcmp(a, "\177ELF", 4));
	puts("ok MAP_PRIVATE read-only");

	b = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(b != MAP_FAILED);
	b[0] = 'X';
	b[5000] ^= 0xff;
	CHECK(a[0] == 0x7f && a[5000] == (unsigned char)buf[5000]); // the other mapping keeps its bytes
	CHECK(pread(fd, buf, 8, 0) == 8 && buf[0] == 0x7f);         // and so does the file
	puts("ok MAP_PRIVATE writes are private");

	c = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
	CHECK(c != MAP_FAILED && !memcmp(c, a + 4096, 4096));
	last = size & ~(size_t)4095;
	CHECK(munmap(c, 4096) == 0);
	c = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, (off_t)last);
	CHECK(c != MAP_FAILED && !memcmp(c, a + last, size - last));
	for (size_t i = size - last; i < 4096; i++)
		CHECK(c[i] == 0); // past the end of the file: zero
	puts("ok an offset, MAP_SHARED read-only, the zeroed tail");

	errno = 0;
	CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EACCES);
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 100) == MAP_FAILED && errno == EINVAL);
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 99, 0) == MAP_FAILED && errno == EBADF);
	puts("ok the errors");

	CHECK(munmap(a + 4096, 4096) == 0 && a[8192] == b[8192] && a[100] == (unsigned char)b[100]);
	fflush(stdout);
	child = fork();
	if (child == 0)
		_exit(b[0] == 'X' && a[1] == 'E' && c[0] == a[last] ? 0 : 1);
	CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	puts("ok munmap of a part, and a child reads the mappings");
	return 0;
}
