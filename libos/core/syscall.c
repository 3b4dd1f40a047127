// SPDX-License-Identifier: MIT
// libos's system call entry: musl calls __libos_syscall(nr, a1..a6) with Linux numbers and
// expects Linux results (a value, or -errno). Each call goes to the component that serves it
// (file, mem, thread, time, proc, signal); anything else is -ENOSYS, reported once per call number.
// Signals pending for the thread are delivered on the way out, and a call they interrupted
// (-ERESTARTSYS) is restarted or fails with EINTR.
#include <libos/file.h>
#include <libos/mem.h>
#include <libos/proc.h>
#include <libos/signal.h>
#include <libos/thread.h>
#include <libos/time.h>

#define P(x) ((void *)(x))
#define U(x) ((uint64_t)(x))

extern const char *const linux_syscall_names[LINUX_NSYSCALLS]; // generated from musl's header

static long unimplemented(long nr)
{
	static uint64_t reported[LINUX_NSYSCALLS / 64];
	static int reported_bad;

	if (nr < 0 || nr >= LINUX_NSYSCALLS || !linux_syscall_names[nr]) {
		if (!reported_bad++)
			libos_log("syscall %ld does not exist (further unknown numbers are not reported)",
			          nr);
	} else if (!(reported[nr / 64] & (1ull << (nr % 64)))) {
		reported[nr / 64] |= 1ull << (nr % 64);
		libos_log("syscall %ld (%s) not implemented", nr, linux_syscall_names[nr]);
	}
	return -ENOSYS;
}

static long dispatch(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	switch (nr) {
	case SYS_read:
		return libos_read(a1, P(a2), U(a3));
	case SYS_write:
		return libos_write(a1, P(a2), U(a3));
	case SYS_readv:
		return libos_readv(a1, P(a2), a3);
	case SYS_writev:
		return libos_writev(a1, P(a2), a3);
	case SYS_ioctl:
		return libos_ioctl(a1, U(a2), P(a3));
	case SYS_pread64:
		return libos_pread(a1, P(a2), U(a3), a4);
	case SYS_lseek:
		return libos_lseek(a1, a2, a3);
	case SYS_open:
		return libos_openat(AT_FDCWD, P(a1), a2, a3);
	case SYS_openat:
		return libos_openat(a1, P(a2), a3, a4);
	case SYS_close:
		return libos_close(a1);
	case SYS_dup:
		return libos_dup(a1);
	case SYS_dup2:
		return libos_dup2(a1, a2);
	case SYS_dup3:
		return libos_dup3(a1, a2, a3);
	case SYS_fcntl:
		return libos_fcntl(a1, a2, a3);
	case SYS_fstat:
		return libos_fstat(a1, P(a2));
	case SYS_stat:
	case SYS_lstat: // no symbolic links
		return libos_fstatat(AT_FDCWD, P(a1), P(a2), 0);
	case SYS_newfstatat:
		return libos_fstatat(a1, P(a2), P(a3), a4);
	case SYS_access:
		return libos_faccessat(AT_FDCWD, P(a1), a2);
	case SYS_faccessat:
		return libos_faccessat(a1, P(a2), a3);
	case SYS_getdents64:
		return libos_getdents64(a1, P(a2), U(a3));
	case SYS_getcwd:
		return libos_getcwd(P(a1), U(a2));
	case SYS_chdir:
		return libos_chdir(P(a1));
	case SYS_mmap:
		return libos_mmap(U(a1), U(a2), a3, a4, a5, a6);
	case SYS_munmap:
		return libos_munmap(U(a1), U(a2));
	case SYS_mprotect:
		return libos_mprotect(U(a1), U(a2), a3);
	case SYS_madvise:
		return libos_madvise(U(a1), U(a2), a3);
	case SYS_brk:
		return libos_brk(U(a1));
	case SYS_mremap:
		return libos_mremap(U(a1), U(a2), U(a3), a4, U(a5));
	case SYS_mincore:
		return libos_mincore(U(a1), U(a2), P(a3));
	case SYS_sigaltstack:
		return libos_sigaltstack(P(a1), P(a2));
	case SYS_rt_sigaction:
		return libos_rt_sigaction(a1, P(a2), P(a3), U(a4));
	case SYS_rt_sigprocmask:
		return libos_rt_sigprocmask(a1, P(a2), P(a3), U(a4));
	case SYS_rt_sigpending:
		return libos_rt_sigpending(P(a1), U(a2));
	case SYS_pause:
		return libos_pause();
	case SYS_rt_sigsuspend:
		return libos_rt_sigsuspend(P(a1), U(a2));
	case SYS_rt_sigtimedwait:
		return libos_rt_sigtimedwait(P(a1), P(a2), P(a3), U(a4));
	case SYS_kill:
		return libos_kill(a1, a2);
	case SYS_tkill:
		return libos_tgkill(-1, a1, a2);
	case SYS_tgkill:
		return libos_tgkill(a1, a2, a3);
	case SYS_rt_sigqueueinfo:
		return libos_rt_sigqueueinfo(a1, 0, a2, P(a3));
	case SYS_rt_tgsigqueueinfo:
		return libos_rt_sigqueueinfo(a1, a2, a3, P(a4));
	case SYS_setitimer:
		return libos_setitimer(a1, P(a2), P(a3));
	case SYS_getitimer:
		return libos_getitimer(a1, P(a2));
	case SYS_timer_create:
		return libos_timer_create(a1, P(a2), P(a3));
	case SYS_timer_settime:
		return libos_timer_settime(a1, a2, P(a3), P(a4));
	case SYS_timer_gettime:
		return libos_timer_gettime(a1, P(a2));
	case SYS_timer_getoverrun:
		return libos_timer_getoverrun(a1);
	case SYS_timer_delete:
		return libos_timer_delete(a1);
	case SYS_sched_yield:
		exo_thread_yield();
		return 0;
	case SYS_membarrier: // one CPU: every barrier is already a global one
		return 0;
	case SYS_arch_prctl:
		return a1 == ARCH_SET_FS ? libos_set_fs(U(a2)) : -EINVAL;
	case SYS_futex:
		return libos_futex(P(a1), a2, a3, P(a4), P(a5), a6);
	case SYS_set_tid_address:
		return libos_set_tid_address(P(a1));
	case SYS_gettid:
		return libos_gettid();
	case SYS_getpid:
		return libos_getpid();
	case SYS_fork:
	case SYS_vfork: // musl's vfork is a fork: a copy-on-write child copies nothing either
		return libos_fork();
	case SYS_wait4:
		return libos_wait4(a1, P(a2), a3, P(a4));
	case SYS_waitid:
		return libos_waitid(a1, a2, P(a3), a4, P(a5));
	case SYS_execve:
		return libos_execve(P(a1), P(a2), P(a3));
	case SYS_pipe:
		return libos_pipe2(P(a1), 0);
	case SYS_pipe2:
		return libos_pipe2(P(a1), a2);
	case SYS_prlimit64:
		return libos_prlimit64(a1, a2, P(a3), P(a4));
	case SYS_getrlimit:
		return libos_getrlimit(a1, P(a2));
	case SYS_setrlimit:
		return libos_setrlimit(a1, P(a2));
	case SYS_setpgid:
		return libos_setpgid(a1, a2);
	case SYS_getpgid:
		return libos_getpgid(a1);
	case SYS_getpgrp:
		return libos_getpgid(0);
	case SYS_setsid:
		return libos_setsid();
	case SYS_getsid:
		return libos_getsid(a1);
	case SYS_getppid:
		return libos_getppid();
	case SYS_getuid:
	case SYS_geteuid:
	case SYS_getgid:
	case SYS_getegid:
		return libos_getuid();
	case SYS_uname:
		return libos_uname(P(a1));
	case SYS_umask:
		return libos_umask(a1);
	case SYS_ioperm:
		return libos_ioperm(a1, a2, a3);
	case SYS_iopl:
		return libos_iopl(a1);
	case SYS_clock_gettime:
		return libos_clock_gettime(a1, P(a2));
	case SYS_clock_getres:
		return libos_clock_getres(a1, P(a2));
	case SYS_gettimeofday:
		return libos_gettimeofday(P(a1), P(a2));
	case SYS_nanosleep:
		return libos_nanosleep(P(a1), P(a2));
	case SYS_clock_nanosleep:
		return libos_clock_nanosleep(a1, a2, P(a3), P(a4));
	case SYS_exit:
		libos_thread_exit(a1);
	case SYS_exit_group:
		libos_exit_group(a1);
	default:
		return unimplemented(nr);
	}
}

long __libos_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	long r;

	for (;;) {
		r = dispatch(nr, a1, a2, a3, a4, a5, a6);
		if (!libos_signals_pending && r != -ERESTARTSYS)
			return r;
		if (!libos_signal_deliver() && r == -ERESTARTSYS)
			return -EINTR;
		if (r != -ERESTARTSYS)
			return r;
	}
}
