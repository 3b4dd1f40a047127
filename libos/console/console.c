// SPDX-License-Identifier: MIT
// The console: fds 1 and 2 write to the kernel console; fd 0 reads end of file.
#include <libos/console.h>

void libos_console_init(void)
{
}

static int is_console(long fd)
{
	return fd >= 0 && fd <= 2;
}

long libos_write(long fd, const void *buf, uint64_t len)
{
	if (fd != 1 && fd != 2)
		return -EBADF;
	for (uint64_t done = 0; done < len;) {
		uint64_t n = len - done < 4096 ? len - done : 4096;

		if (exo_debug_write((const char *)buf + done, n) < 0)
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)len;
}

long libos_read(long fd, void *buf, uint64_t len)
{
	(void)buf;
	(void)len;
	return fd == 0 ? 0 : -EBADF;
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

long libos_readv(long fd, const struct linux_iovec *iov, long n)
{
	return n > 0 ? libos_read(fd, iov[0].base, iov[0].len) : 0;
}

long libos_ioctl(long fd, unsigned long req, void *arg)
{
	(void)req;
	(void)arg;
	return is_console(fd) ? -ENOTTY : -EBADF;
}
