// SPDX-License-Identifier: MIT
// The Linux x86_64 interface libos implements: system call numbers, errno values, flags and
// structures, with Linux's values (musl is built for Linux; libos does not include its headers).
#pragma once

#include <stdint.h>

enum linux_syscall {
	SYS_read = 0,
	SYS_write = 1,
	SYS_mmap = 9,
	SYS_mprotect = 10,
	SYS_munmap = 11,
	SYS_brk = 12,
	SYS_rt_sigaction = 13,
	SYS_rt_sigprocmask = 14,
	SYS_ioctl = 16,
	SYS_readv = 19,
	SYS_writev = 20,
	SYS_sched_yield = 24,
	SYS_mremap = 25,
	SYS_madvise = 28,
	SYS_nanosleep = 35,
	SYS_getpid = 39,
	SYS_clone = 56,
	SYS_exit = 60,
	SYS_uname = 63,
	SYS_gettimeofday = 96,
	SYS_getuid = 102,
	SYS_getgid = 104,
	SYS_geteuid = 107,
	SYS_getegid = 108,
	SYS_getppid = 110,
	SYS_arch_prctl = 158,
	SYS_gettid = 186,
	SYS_tkill = 200,
	SYS_futex = 202,
	SYS_set_tid_address = 218,
	SYS_clock_gettime = 228,
	SYS_clock_getres = 229,
	SYS_clock_nanosleep = 230,
	SYS_exit_group = 231,
	SYS_tgkill = 234,
	SYS_membarrier = 324,
	LINUX_NSYSCALLS = 512,
};

enum linux_errno {
	EPERM = 1,
	ESRCH = 3,
	EINTR = 4,
	EIO = 5,
	EBADF = 9,
	EAGAIN = 11,
	ENOMEM = 12,
	EFAULT = 14,
	EEXIST = 17,
	EACCES = 13,
	ENODEV = 19,
	EINVAL = 22,
	ENOTTY = 25,
	ENOSYS = 38,
	ETIMEDOUT = 110,
};

// mmap, mprotect, madvise
#define PROT_READ           1
#define PROT_WRITE          2
#define PROT_EXEC           4
#define MAP_SHARED          0x01
#define MAP_PRIVATE         0x02
#define MAP_FIXED           0x10
#define MAP_ANONYMOUS       0x20
#define MAP_NORESERVE       0x4000
#define MAP_FIXED_NOREPLACE 0x100000
#define MADV_DONTNEED       4

// clone
#define CLONE_VM             0x00000100
#define CLONE_FS             0x00000200
#define CLONE_FILES          0x00000400
#define CLONE_SIGHAND        0x00000800
#define CLONE_THREAD         0x00010000
#define CLONE_SYSVSEM        0x00040000
#define CLONE_SETTLS         0x00080000
#define CLONE_PARENT_SETTID  0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_DETACHED       0x00400000
#define CLONE_CHILD_SETTID   0x01000000

// futex
#define FUTEX_WAIT           0
#define FUTEX_WAKE           1
#define FUTEX_REQUEUE        3
#define FUTEX_WAIT_BITSET    9
#define FUTEX_WAKE_BITSET    10
#define FUTEX_PRIVATE        128
#define FUTEX_CLOCK_REALTIME 256

// clocks
#define CLOCK_REALTIME           0
#define CLOCK_MONOTONIC          1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define CLOCK_MONOTONIC_RAW      4
#define CLOCK_REALTIME_COARSE    5
#define CLOCK_MONOTONIC_COARSE   6
#define CLOCK_BOOTTIME           7
#define TIMER_ABSTIME            1

// ioctl
#define TCGETS     0x5401
#define TIOCGWINSZ 0x5413

#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

struct linux_timespec {
	long tv_sec;
	long tv_nsec;
};

struct linux_timeval {
	long tv_sec;
	long tv_usec;
};

struct linux_iovec {
	void *base;
	uint64_t len;
};

struct linux_utsname {
	char sysname[65];
	char nodename[65];
	char release[65];
	char version[65];
	char machine[65];
	char domainname[65];
};
