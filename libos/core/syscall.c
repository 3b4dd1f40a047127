// SPDX-License-Identifier: MIT
// libos's system call entry: musl calls __libos_syscall(nr, a1..a6) with Linux numbers and
// expects Linux results (a value, or -errno). This first version serves what a program needs to
// start, print and exit: console output on fds 1 and 2, TLS, thread id, anonymous memory,
// clocks, exit. Anything else is -ENOSYS, reported once per call number.
#include <libos/libos.h>

// Linux x86_64 numbers and errno values libos uses.
enum {
	SYS_write = 1,
	SYS_mmap = 9,
	SYS_munmap = 11,
	SYS_brk = 12,
	SYS_rt_sigprocmask = 14,
	SYS_ioctl = 16,
	SYS_writev = 20,
	SYS_getpid = 39,
	SYS_exit = 60,
	SYS_arch_prctl = 158,
	SYS_gettid = 186,
	SYS_set_tid_address = 218,
	SYS_clock_gettime = 228,
	SYS_exit_group = 231,
};
enum { EBADF = 9, ENOMEM = 12, EINVAL = 22, ENOTTY = 25, ENOSYS = 38 };

#define ARCH_SET_FS 0x1002
#define MMAP_BASE   0x100000000000ull // anonymous mappings grow up from here
#define PAGE        4096ull

struct iovec {
	const void *base;
	size_t len;
};

static long console_write(long fd, const void *buf, size_t len)
{
	if (fd != 1 && fd != 2)
		return -EBADF;
	for (size_t done = 0; done < len;) {
		size_t n = len - done < 4096 ? len - done : 4096;
		long r = exo_debug_write((const char *)buf + done, n);

		if (r < 0)
			return -EINVAL;
		done += n;
	}
	return (long)len;
}

static long do_writev(long fd, const struct iovec *iov, long n)
{
	long total = 0;

	for (long i = 0; i < n; i++) {
		long r = console_write(fd, iov[i].base, iov[i].len);

		if (r < 0)
			return r;
		total += r;
	}
	return total;
}

// Anonymous private memory: fresh zeroed frames from the program's quota, mapped at a bump
// address (munmap gives the pages back; the addresses are not reused yet).
static uint64_t mmap_next = MMAP_BASE;

static long do_mmap(long addr, long len, long prot, long flags, long fd)
{
	uint64_t size = ((uint64_t)len + PAGE - 1) & ~(PAGE - 1), va = mmap_next;

	(void)addr;
	(void)prot;
	if (fd != -1 || !(flags & 0x20) || len <= 0) // MAP_ANONYMOUS only, for now
		return -EINVAL;
	for (uint64_t off = 0; off < size; off += PAGE) {
		struct exo_map_op op = { 0, va + off, EXO_R_READ | EXO_R_WRITE };

		if (exo_frame_alloc(libos_boot->quota, 1, &op.frame) != 1)
			return -ENOMEM;
		if (exo_vspace_map(libos_boot->self, &op, 1) != 1) {
			exo_cap_delete(op.frame);
			return -ENOMEM;
		}
		exo_cap_delete(op.frame); // the mapping keeps the frame
	}
	mmap_next += size + PAGE; // a guard page between mappings
	return (long)va;
}

static long do_munmap(long addr, long len)
{
	for (uint64_t va = (uint64_t)addr; va < (uint64_t)addr + (uint64_t)len; va += PAGE)
		exo_vspace_unmap(libos_boot->self, &va, 1);
	return 0;
}

static long clock_gettime(long clock, long *ts)
{
	long ns = exo_clock_ns();

	(void)clock; // REALTIME has no epoch yet: both clocks count from boot
	ts[0] = ns / 1000000000;
	ts[1] = ns % 1000000000;
	return 0;
}

static void unimplemented(long nr)
{
	static uint64_t reported[8]; // call numbers 0..511

	if (nr >= 0 && nr < 512 && !(reported[nr / 64] & (1ull << (nr % 64)))) {
		reported[nr / 64] |= 1ull << (nr % 64);
		char msg[64];
		int n = 0;

		for (const char *s = "libos: syscall "; *s; s++)
			msg[n++] = *s;
		char digits[8];
		int d = 0;
		for (long v = nr; v || !d; v /= 10)
			digits[d++] = (char)('0' + v % 10);
		while (d)
			msg[n++] = digits[--d];
		for (const char *s = " not implemented\n"; *s; s++)
			msg[n++] = *s;
		exo_debug_write(msg, (unsigned long)n);
	}
}

long __libos_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	(void)a6;
	switch (nr) {
	case SYS_write:
		return console_write(a1, (const void *)a2, (size_t)a3);
	case SYS_writev:
		return do_writev(a1, (const struct iovec *)a2, a3);
	case SYS_ioctl: // the console has no terminal settings yet
		return a1 == 1 || a1 == 2 ? -ENOTTY : -EBADF;
	case SYS_mmap:
		return do_mmap(a1, a2, a3, a4, a5);
	case SYS_munmap:
		return do_munmap(a1, a2);
	case SYS_brk: // no brk heap: musl's malloc falls back to mmap
		return 0;
	case SYS_rt_sigprocmask:
		return 0;
	case SYS_arch_prctl:
		return a1 == ARCH_SET_FS ? exo_set_fs_base((unsigned long)a2) : -EINVAL;
	case SYS_getpid:
	case SYS_gettid:
	case SYS_set_tid_address:
		return 1;
	case SYS_clock_gettime:
		return clock_gettime(a1, (long *)a2);
	case SYS_exit:
	case SYS_exit_group:
		exo_exit(a1);
		return 0;
	default:
		unimplemented(nr);
		return -ENOSYS;
	}
}
