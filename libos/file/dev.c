// SPDX-License-Identifier: MIT
// The device files libos serves itself, ahead of the boot file tree: /dev/null, which reads as
// empty and takes every write (programs and test suites redirect to it, and open it for
// writing, which the read-only boot files refuse). Its numbers are Linux's (char 1:3, 0666); its
// identity (st_dev 2, after the boot files' 1) is its own, as programs compare it: grep stops
// at the first match when its stdout is /dev/null.
#include <libos/file.h>

#define DEV_NULL_RDEV 0x103 // makedev(1, 3)
#define DEV_DEV       2     // libos's devices: st_dev, each its own st_ino

static long null_read(struct libos_file *f, void *buf, uint64_t len, uint64_t off, bool nowait)
{
	(void)f, (void)buf, (void)len, (void)off, (void)nowait;
	return 0;
}

static long null_write(struct libos_file *f, const void *buf, uint64_t len, uint64_t off)
{
	(void)f, (void)buf, (void)off;
	return (long)len;
}

static void null_stat(struct libos_file *f, struct linux_stat *st)
{
	(void)f;
	st->st_dev = DEV_DEV;
	st->st_ino = 1;
	st->st_mode = S_IFCHR | 0666;
	st->st_rdev = DEV_NULL_RDEV;
	st->st_blksize = 4096;
}

static long null_pass(struct libos_file *f, uint64_t child, struct libos_passed_file *out)
{
	(void)f, (void)child;
	out->kind = LIBOS_PASS_NULL;
	return 0;
}

static const struct libos_file_ops null_ops = {
	.read = null_read, .write = null_write, .stat = null_stat, .pass = null_pass
};

long libos_dev_open(const char *path, long flags, struct libos_file *f)
{
	if (strcmp(path, "/dev/null"))
		return -ENOENT;
	*f = (struct libos_file){ .ops = &null_ops, .path = "/dev/null", .flags = (int)flags };
	return 0;
}

long libos_dev_stat(const char *path, struct linux_stat *st)
{
	if (strcmp(path, "/dev/null"))
		return -ENOENT;
	memset(st, 0, sizeof(*st));
	st->st_nlink = 1;
	null_stat(NULL, st);
	return 0;
}
