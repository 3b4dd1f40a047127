// SPDX-License-Identifier: MIT
// The console as files: fds 0, 1 and 2 at start are console files for the program's stdin,
// stdout and stderr (the file's arg is the stream). With the console service (client.c) stdin
// reads the program's input and stdout and stderr write records of their stream; without it (a
// program booted without console.so) they write to the kernel console and stdin reads end of
// file.
#include <libos/console.h>
#include <libos/file.h>

static long console_read(struct libos_file *f, void *buf, uint64_t len, uint64_t off, bool nowait);
static long console_write(struct libos_file *f, const void *buf, uint64_t len, uint64_t off);
static void console_stat(struct libos_file *f, struct linux_stat *st);
static long console_pass(struct libos_file *f, uint64_t child, struct libos_passed_file *out);

static const struct libos_file_ops console_ops = {
	.read = console_read,
	.write = console_write,
	.ioctl = libos_tty_ioctl,
	.stat = console_stat,
	.pass = console_pass,
};

static long console_pass(struct libos_file *f, uint64_t child, struct libos_passed_file *out)
{
	(void)child;
	out->kind = LIBOS_PASS_CONSOLE;
	out->a = f->arg;
	return 0;
}

long libos_console_import(const struct libos_passed_file *p, struct libos_file *f)
{
	if (p->a > 2)
		return -EINVAL;
	*f = (struct libos_file){ .ops = &console_ops, .arg = p->a, .flags = p->flags };
	return 0;
}

void libos_console_init(bool files)
{
	static const int modes[3] = { O_RDONLY, O_WRONLY, O_WRONLY };

	libos_tty_init();
	for (int fd = 0; fd < 3 && files; fd++) {
		struct libos_file f = { .ops = &console_ops, .arg = (uint64_t)fd, .flags = modes[fd] };

		if (libos_fd_install(&f, fd, false) != fd)
			libos_die(127, "console: cannot open fd %d", fd);
	}
}

static void console_stat(struct libos_file *f, struct linux_stat *st)
{
	st->st_mode = S_IFCHR | 0620;
	st->st_rdev = 0x8800 + f->arg; // like a pseudo-terminal's numbers
	st->st_blksize = 1024;
}

// One piece of a write: at most what one message or kernel call carries. The service is told
// when more of the same write follows, so that the host writes it whole.
static long write_some(long stream, const char *buf, uint64_t len)
{
	if (libos_console_service())
		return len > CONSOLE_MAX_DATA
		           ? libos_console_service_write(stream | CONSOLE_MORE, buf, CONSOLE_MAX_DATA)
		           : libos_console_service_write(stream, buf, len);
	len = len < 4096 ? len : 4096; // the kernel call's limit
	return exo_debug_write(buf, len) < 0 ? -EFAULT : (long)len;
}

static long console_write(struct libos_file *f, const void *buf, uint64_t len, uint64_t off)
{
	uint64_t done = 0;

	(void)off;
	while (done < len) {
		long r = write_some((long)f->arg, (const char *)buf + done, len - done);

		if (r < 0)
			return done ? (long)done : r;
		done += (uint64_t)r;
	}
	return (long)len;
}

// Waits for a byte or the end of the input, unless nowait: then 0 if none is there yet.
static long console_read(struct libos_file *f, void *buf, uint64_t len, uint64_t off, bool nowait)
{
	long r;

	(void)off;
	if (!libos_console_service() || !len)
		return 0;
	len = len < CONSOLE_MAX_DATA ? len : CONSOLE_MAX_DATA;
	do
		r = libos_console_service_read((long)f->arg, buf, len, !nowait);
	while (r == -EAGAIN && !nowait);
	return r == -EAGAIN ? 0 : r;
}
