// SPDX-License-Identifier: MIT
// The console: fds 0, 1 and 2. With the console service (service.c) fd 0 reads the program's
// stdin and fds 1 and 2 write its stdout and stderr, each its own channel; without it (a program
// booted without console.so) fds 1 and 2 write to the kernel console and fd 0 reads end of file.
#include <libos/console.h>

void libos_console_init(void)
{
	libos_tty_init();
	libos_console_service_start();
}

// One piece of a write: at most what one message or kernel call carries.
static long write_some(long fd, const char *buf, uint64_t len)
{
	if (libos_console_service())
		return libos_console_service_write(fd, buf, len < CONSOLE_MAX_DATA ? len : CONSOLE_MAX_DATA);
	len = len < 4096 ? len : 4096; // the kernel call's limit
	return exo_debug_write(buf, len) < 0 ? -EFAULT : (long)len;
}

long libos_write(long fd, const void *buf, uint64_t len)
{
	uint64_t done = 0;

	if (fd != 1 && fd != 2)
		return -EBADF;
	while (done < len) {
		long r = write_some(fd, (const char *)buf + done, len - done);

		if (r < 0)
			return done ? (long)done : r;
		done += (uint64_t)r;
	}
	return (long)len;
}

// wait: block until a byte or the end of the input arrives; else -EAGAIN if none is there.
static long read_some(long fd, void *buf, uint64_t len, bool wait)
{
	long r;

	if (fd != 0)
		return -EBADF;
	if (!libos_console_service() || !len)
		return 0;
	len = len < CONSOLE_MAX_DATA ? len : CONSOLE_MAX_DATA;
	do
		r = libos_console_service_read(fd, buf, len, wait);
	while (r == -EAGAIN && wait);
	return r;
}

long libos_read(long fd, void *buf, uint64_t len)
{
	return read_some(fd, buf, len, true);
}

long libos_writev(long fd, const struct linux_iovec *iov, long n)
{
	long total = 0;

	for (long i = 0; i < n; i++) {
		long r = libos_write(fd, iov[i].base, iov[i].len);

		if (r < 0)
			return total ? total : r;
		total += r;
	}
	return total;
}

// Like a pipe: waits for the first byte, then takes only what is already there.
long libos_readv(long fd, const struct linux_iovec *iov, long n)
{
	long total = 0;

	for (long i = 0; i < n; i++) {
		long r = read_some(fd, iov[i].base, iov[i].len, total == 0);

		if (r < 0)
			return total ? total : r;
		total += r;
		if ((uint64_t)r < iov[i].len)
			break;
	}
	return total;
}
