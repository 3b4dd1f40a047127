// SPDX-License-Identifier: MIT
// devnull: /dev/null opens for reading and writing (also with O_CREAT|O_TRUNC, as a shell's
// redirection does), reads as empty, takes every write, and stats as Linux's character device
// 1:3 with mode 0666, a file of its own (stdout, not redirected to it, is another: grep tells
// them apart by st_dev and st_ino); access(W_OK) allows it.
#include "check.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int main(void)
{
	char buf[16];
	struct stat st, out;
	int fd = open("/dev/null", O_RDWR);

	CHECK(fd >= 0);
	CHECK(write(fd, "discarded", 9) == 9);
	CHECK(read(fd, buf, sizeof(buf)) == 0);
	CHECK(fstat(fd, &st) == 0);
	CHECK(S_ISCHR(st.st_mode) && (st.st_mode & 0777) == 0666);
	CHECK(major(st.st_rdev) == 1 && minor(st.st_rdev) == 3);
	CHECK(fstat(1, &out) == 0);
	CHECK(out.st_dev != st.st_dev || out.st_ino != st.st_ino);
	CHECK(close(fd) == 0);
	printf("read, write, fstat ok\n");

	fd = open("/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, "x", 1) == 1);
	CHECK(close(fd) == 0);
	CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
	CHECK(access("/dev/null", R_OK | W_OK) == 0);
	printf("redirection, stat, access ok\n");

	FILE *f = fopen("/dev/null", "w");
	CHECK(f != NULL);
	CHECK(fprintf(f, "%d\n", 42) == 3);
	CHECK(fclose(f) == 0);
	printf("stdio ok\n");
	return 0;
}
