// SPDX-License-Identifier: MIT
// The boot file tree and the descriptor table under exorun: argv[0] opens (the program is at its
// host path), the --file given as argv[1] reads back as argv[2] says, the current directory is
// exorun's (argv[3]) and lists the program; writes are refused (read-only), missing files are
// ENOENT; lseek, pread, dup2, fcntl and fstat behave as on Linux. Prints "files: ok" or the
// first check that failed (exit 1).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK(c)                                                                                        \
	do {                                                                                            \
		if (!(c)) {                                                                             \
			printf("files: check failed at line %d: %s (errno %d)\n", __LINE__, #c, errno); \
			return 1;                                                                       \
		}                                                                                       \
	} while (0)

int main(int argc, char **argv)
{
	char buf[256], cwd[256], dir[256];
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	struct stat st;
	struct dirent *e;
	int fd, found = 0;
	DIR *d;

	CHECK(argc == 4);
	// The program itself.
	fd = open(argv[0], O_RDONLY);
	CHECK(fd >= 3);
	CHECK(read(fd, buf, 4) == 4 && !memcmp(buf, "\177ELF", 4));
	CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 4096);
	CHECK(lseek(fd, 0, SEEK_END) == st.st_size && read(fd, buf, 1) == 0);
	CHECK(pread(fd, buf, 3, 1) == 3 && !memcmp(buf, "ELF", 3));
	CHECK(lseek(fd, -1, SEEK_SET) == -1 && errno == EINVAL);
	CHECK(dup2(fd, 10) == 10 && lseek(10, 0, SEEK_CUR) == st.st_size); // shares the offset
	CHECK(fcntl(10, F_GETFD) == 0 && fcntl(10, F_SETFD, FD_CLOEXEC) == 0 &&
	      fcntl(10, F_GETFD) == FD_CLOEXEC);
	CHECK(close(10) == 0 && close(10) == -1 && errno == EBADF);
	CHECK(close(fd) == 0 && read(fd, buf, 1) == -1 && errno == EBADF);
	// The --file.
	FILE *f = fopen(argv[1], "r");
	CHECK(f && fgets(buf, sizeof(buf), f) && !strcmp(buf, argv[2]) && fgets(buf, sizeof(buf), f) == NULL);
	fclose(f);
	// Read-only, missing, not a directory.
	CHECK(open(argv[1], O_WRONLY) == -1 && errno == EROFS);
	CHECK(open(argv[1], O_RDONLY | O_DIRECTORY) == -1 && errno == ENOTDIR);
	CHECK(open("/no/such/file", O_RDONLY) == -1 && errno == ENOENT);
	CHECK(stat("/no/such/file", &st) == -1 && errno == ENOENT);
	CHECK(access(argv[1], R_OK) == 0 && access(argv[1], W_OK) == -1);
	// The current directory, relative names and listing.
	CHECK(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, argv[3]));
	CHECK(stat(".", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(stat("/", &st) == 0 && S_ISDIR(st.st_mode));
	snprintf(dir, sizeof(dir), "%.*s", (int)(base - argv[0]), argv[0]); // the program's directory
	d = opendir(*dir ? dir : ".");
	CHECK(d);
	while ((e = readdir(d)))
		found |= !strcmp(e->d_name, base) && e->d_type == DT_REG;
	closedir(d);
	CHECK(found);
	CHECK(chdir("/boot") == 0 && getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/boot"));
	CHECK(stat("../boot/exorun.files", &st) == 0 && S_ISREG(st.st_mode));
	CHECK(chdir("/no/such") == -1 && errno == ENOENT);
	printf("files: ok\n");
	return 0;
}
