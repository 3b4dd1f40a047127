// SPDX-License-Identifier: MIT
// For tests/qemu/exorun: for each path, "MODE SIZE ATIME MTIME CTIME" as GNU stat's
// -c '%f %s %.9X %.9Y %.9Z' prints them (mode in hex, times as seconds.nanoseconds).
#include <stdio.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st)) {
			perror(argv[i]);
			return 1;
		}
		printf("%x %lld %lld.%09ld %lld.%09ld %lld.%09ld\n", (unsigned)st.st_mode,
		       (long long)st.st_size, (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
		       (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec,
		       st.st_ctim.tv_nsec);
	}
	return 0;
}
