// SPDX-License-Identifier: MIT
// Prints "CRC SIZE PATH" for each file named, as POSIX cksum(1) does: exorun's test compares a
// 200 MB --file read back in the guest with the host's cksum.
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

static uint32_t table[256];

static void make_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i << 24;

		for (int k = 0; k < 8; k++)
			c = c & 0x80000000u ? c << 1 ^ 0x04c11db7u : c << 1;
		table[i] = c;
	}
}

static int sum(const char *path)
{
	static unsigned char buf[1 << 16];
	uint32_t crc = 0;
	uint64_t size = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		perror(path);
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			crc = crc << 8 ^ table[(crc >> 24 ^ buf[i]) & 255];
		size += (uint64_t)n;
	}
	close(fd);
	if (n < 0) {
		perror(path);
		return 1;
	}
	for (uint64_t len = size; len; len >>= 8) // the length goes in too, low byte first
		crc = crc << 8 ^ table[(crc >> 24 ^ (uint32_t)len) & 255];
	printf("%u %llu %s\n", ~crc, (unsigned long long)size, path);
	return 0;
}

int main(int argc, char **argv)
{
	int status = 0;

	make_table();
	for (int i = 1; i < argc; i++)
		status |= sum(argv[i]);
	return status;
}
