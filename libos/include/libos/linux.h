// SPDX-License-Identifier: MIT
// The Linux x86_64 interface libos implements: system call numbers, errno values, flags and
// structures, with Linux's values (musl is built for Linux; libos does not include its headers).
#pragma once

#include <stdint.h>

enum linux_syscall {
	SYS_read = 0,
	SYS_write = 1,
	SYS_open = 2,
	SYS_close = 3,
	SYS_stat = 4,
	SYS_fstat = 5,
	SYS_lstat = 6,
	SYS_lseek = 8,
	SYS_mmap = 9,
	SYS_mprotect = 10,
	SYS_munmap = 11,
	SYS_brk = 12,
	SYS_rt_sigaction = 13,
	SYS_rt_sigprocmask = 14,
	SYS_rt_sigreturn = 15,
	SYS_ioctl = 16,
	SYS_pread64 = 17,
	SYS_readv = 19,
	SYS_writev = 20,
	SYS_access = 21,
	SYS_sched_yield = 24,
	SYS_mremap = 25,
	SYS_mincore = 27,
	SYS_madvise = 28,
	SYS_dup = 32,
	SYS_dup2 = 33,
	SYS_pause = 34,
	SYS_nanosleep = 35,
	SYS_getitimer = 36,
	SYS_setitimer = 38,
	SYS_pipe = 22,
	SYS_getpid = 39,
	SYS_clone = 56,
	SYS_fork = 57,
	SYS_vfork = 58,
	SYS_execve = 59,
	SYS_exit = 60,
	SYS_wait4 = 61,
	SYS_kill = 62,
	SYS_uname = 63,
	SYS_fcntl = 72,
	SYS_getcwd = 79,
	SYS_chdir = 80,
	SYS_umask = 95,
	SYS_gettimeofday = 96,
	SYS_getrlimit = 97,
	SYS_getuid = 102,
	SYS_getgid = 104,
	SYS_geteuid = 107,
	SYS_getegid = 108,
	SYS_setpgid = 109,
	SYS_getppid = 110,
	SYS_getpgrp = 111,
	SYS_setsid = 112,
	SYS_getpgid = 121,
	SYS_getsid = 124,
	SYS_rt_sigpending = 127,
	SYS_rt_sigtimedwait = 128,
	SYS_rt_sigqueueinfo = 129,
	SYS_rt_sigsuspend = 130,
	SYS_sigaltstack = 131,
	SYS_setrlimit = 160,
	SYS_iopl = 172,
	SYS_ioperm = 173,
	SYS_arch_prctl = 158,
	SYS_gettid = 186,
	SYS_tkill = 200,
	SYS_futex = 202,
	SYS_timer_create = 222,
	SYS_timer_settime = 223,
	SYS_timer_gettime = 224,
	SYS_timer_getoverrun = 225,
	SYS_timer_delete = 226,
	SYS_getdents64 = 217,
	SYS_set_tid_address = 218,
	SYS_clock_gettime = 228,
	SYS_clock_getres = 229,
	SYS_clock_nanosleep = 230,
	SYS_exit_group = 231,
	SYS_tgkill = 234,
	SYS_waitid = 247,
	SYS_openat = 257,
	SYS_newfstatat = 262,
	SYS_faccessat = 269,
	SYS_dup3 = 292,
	SYS_pipe2 = 293,
	SYS_prlimit64 = 302,
	SYS_rt_tgsigqueueinfo = 297,
	SYS_membarrier = 324,
	LINUX_NSYSCALLS = 512,
};

enum linux_errno {
	EPERM = 1,
	ENOENT = 2,
	ESRCH = 3,
	EINTR = 4,
	EIO = 5,
	E2BIG = 7,
	ENOEXEC = 8,
	EBADF = 9,
	ECHILD = 10,
	EAGAIN = 11,
	ENOMEM = 12,
	EFAULT = 14,
	EEXIST = 17,
	EACCES = 13,
	ENODEV = 19,
	ENOTDIR = 20,
	EISDIR = 21,
	EINVAL = 22,
	ENFILE = 23,
	EMFILE = 24,
	ENOTTY = 25,
	ESPIPE = 29,
	EROFS = 30,
	EPIPE = 32,
	ERANGE = 34,
	ENAMETOOLONG = 36,
	ENOSYS = 38,
	ELOOP = 40,
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
#define MREMAP_MAYMOVE      1
#define MREMAP_FIXED        2
#define MREMAP_DONTUNMAP    4

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
#define FIONREAD   0x541b

// open, fcntl, stat
#define O_ACCMODE       03
#define O_RDONLY        0
#define O_WRONLY        01
#define O_RDWR          02
#define O_CREAT         0100
#define O_EXCL          0200
#define O_TRUNC         01000
#define O_APPEND        02000
#define O_NONBLOCK      04000
#define O_DIRECT        040000
#define O_DIRECTORY     0200000
#define O_CLOEXEC       02000000
#define AT_FDCWD        (-100)
#define AT_EMPTY_PATH   0x1000
#define F_DUPFD         0
#define F_GETFD         1
#define F_SETFD         2
#define F_GETFL         3
#define F_SETFL         4
#define F_GETLK         5
#define F_SETLK         6
#define F_SETLKW        7
#define F_OFD_GETLK     36
#define F_OFD_SETLK     37
#define F_OFD_SETLKW    38
#define F_DUPFD_CLOEXEC 1030
#define F_RDLCK         0
#define F_WRLCK         1
#define F_UNLCK         2
#define FD_CLOEXEC      1
#define SEEK_SET        0
#define SEEK_CUR        1
#define SEEK_END        2
#define S_IFMT          0170000
#define S_IFDIR         0040000
#define S_IFCHR         0020000
#define S_IFIFO         0010000
#define S_IFREG         0100000
#define DT_DIR          4
#define DT_REG          8

// getrlimit, setrlimit, prlimit64
enum {
	RLIMIT_CPU,
	RLIMIT_FSIZE,
	RLIMIT_DATA,
	RLIMIT_STACK,
	RLIMIT_CORE,
	RLIMIT_RSS,
	RLIMIT_NPROC,
	RLIMIT_NOFILE,
	RLIMIT_MEMLOCK,
	RLIMIT_AS,
	RLIMIT_LOCKS,
	RLIMIT_SIGPENDING,
	RLIMIT_MSGQUEUE,
	RLIMIT_NICE,
	RLIMIT_RTPRIO,
	RLIMIT_RTTIME,
	LIBOS_RLIMITS
};

// wait4, waitid
#define WNOHANG    1
#define WUNTRACED  2
#define WEXITED    4
#define WCONTINUED 8
#define WNOWAIT    0x01000000
#define P_ALL      0
#define P_PID      1
#define P_PGID     2

// signals
#define LINUX_NSIG   64 // signals 1..64
#define SIGILL       4
#define SIGTRAP      5
#define SIGBUS       7
#define SIGFPE       8
#define SIGKILL      9
#define SIGSEGV      11
#define SIGPIPE      13
#define SIGCHLD      17
#define SIGCONT      18
#define SIGSTOP      19
#define SIGTSTP      20
#define SIGTTIN      21
#define SIGTTOU      22
#define SIGURG       23
#define SIGWINCH     28
#define SIGRTMIN     32 // the first real-time signal (musl keeps 32-34 for itself)
#define SIG_BLOCK    0
#define SIG_UNBLOCK  1
#define SIG_SETMASK  2
#define SIG_DFL      ((void *)0)
#define SIG_IGN      ((void *)1)
#define SA_SIGINFO   0x00000004
#define SA_ONSTACK   0x08000000
#define SA_RESTART   0x10000000
#define SA_NODEFER   0x40000000
#define SA_RESETHAND 0x80000000
// si_code
#define SI_USER      0
#define SI_QUEUE     -1
#define SI_TKILL     -6
#define SI_KERNEL    0x80
#define SEGV_MAPERR  1
#define SEGV_ACCERR  2
#define FPE_INTDIV   1
#define FPE_FLTINV   7
#define ILL_ILLOPN   2
#define TRAP_BRKPT   1
#define TRAP_TRACE   2
#define BUS_ADRALN   1
#define ERESTARTSYS  512 // inside libos only: an interrupted call SA_RESTART may restart

struct linux_siginfo { // 128 bytes, as Linux x86_64 lays it out
	int32_t si_signo, si_errno, si_code, pad;
	union {
		struct {
			int32_t pid; // kill, sigqueue
			uint32_t uid;
			uint64_t value; // sigqueue
		};
		uint64_t addr; // faults
		uint8_t raw[112];
	};
};

// The machine state a handler gets and rt_sigreturn restores: Linux's ucontext (musl's
// ucontext_t), gregs in Linux's order; uc_sigmask uses 8 of its 128 bytes.
enum {
	REG_R8,
	REG_R9,
	REG_R10,
	REG_R11,
	REG_R12,
	REG_R13,
	REG_R14,
	REG_R15,
	REG_RDI,
	REG_RSI,
	REG_RBP,
	REG_RBX,
	REG_RDX,
	REG_RAX,
	REG_RCX,
	REG_RSP,
	REG_RIP,
	REG_EFL,
	REG_CSGSFS,
	REG_ERR,
	REG_TRAPNO,
	REG_OLDMASK,
	REG_CR2,
	LINUX_NGREG
};

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

struct linux_sigaction { // rt_sigaction's (the kernel's, not the C library's struct sigaction)
	void *handler;
	uint64_t flags;
	void *restorer;
	uint64_t mask; // bit sig - 1 for signal sig
};

struct linux_iovec {
	void *base;
	uint64_t len;
};

struct linux_stat {
	uint64_t st_dev, st_ino, st_nlink;
	uint32_t st_mode, st_uid, st_gid, pad0;
	uint64_t st_rdev;
	int64_t st_size, st_blksize, st_blocks;
	struct linux_timespec st_atim, st_mtim, st_ctim;
	int64_t unused[3];
};

struct linux_flock {
	int16_t l_type, l_whence;
	int64_t l_start, l_len;
	int32_t l_pid;
};

// sigaltstack
#define SS_ONSTACK    1
#define SS_DISABLE    2
#define SS_AUTODISARM (1u << 31)
#define MINSIGSTKSZ   2048

struct linux_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	uint64_t ss_size;
};

struct linux_ucontext {
	uint64_t uc_flags;
	struct linux_ucontext *uc_link;
	struct linux_stack uc_stack;
	uint64_t gregs[LINUX_NGREG];
	void *fpregs; // the fxsave area below
	uint64_t reserved[8];
	uint64_t uc_sigmask[16];
};
_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo");
_Static_assert(__builtin_offsetof(struct linux_ucontext, gregs) == 40 &&
                   __builtin_offsetof(struct linux_ucontext, fpregs) == 224 &&
                   __builtin_offsetof(struct linux_ucontext, uc_sigmask) == 296,
               "ucontext");

struct linux_itimerval {
	struct linux_timeval it_interval, it_value;
};

struct linux_itimerspec {
	struct linux_timespec it_interval, it_value;
};

struct linux_sigevent { // the kernel's struct sigevent
	uint64_t value;
	int32_t signo, notify, tid;
	int32_t pad[11];
};

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

struct linux_utsname {
	char sysname[65];
	char nodename[65];
	char release[65];
	char version[65];
	char machine[65];
	char domainname[65];
};
