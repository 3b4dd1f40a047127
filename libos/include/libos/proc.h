// SPDX-License-Identifier: MIT
// The process component (libos-proc.a): identity (pids, uids, uname), the umask, exit and
// I/O-port privileges; fork, wait and exec; the process manager's client (pm.c).
#pragma once

#include <libos/libos.h>

long libos_getpid(void);
long libos_getppid(void);
long libos_getuid(void);
long libos_uname(struct linux_utsname *u);
long libos_umask(unsigned long mask);
_Noreturn void libos_exit_group(long status);
long libos_ioperm(uint64_t from, uint64_t num, long turn_on);
long libos_iopl(long level);
long libos_fork(void);
long libos_fork_call(int (*fn)(void *), void *arg); // a child that runs fn(arg), then exits
long libos_wait4(long pid, int *status, long options, void *rusage);
long libos_waitid(long which, long id, struct linux_siginfo *info, long options, void *rusage);
long libos_execve(const char *path, char *const *argv, char *const *envp);
long libos_prlimit64(long pid, long resource, const void *unew, void *uold);
long libos_getrlimit(long resource, void *old);
long libos_setrlimit(long resource, const void *new);
// Resource limits (limits.c): resource's soft limit, for the components that honour it; the
// whole table as LIBOS_RLIMITS (soft, hard) pairs, for exec to pass on and the new image to take.
uint64_t libos_rlimit(int resource);
void libos_rlimits_get(uint64_t *out);
void libos_rlimits_set(const uint64_t *in);
long libos_setpgid(long pid, long pgid);
long libos_getpgid(long pid);
long libos_setsid(void);
long libos_getsid(long pid);

// The process manager (apps/launch/procmgr.idl). Without one (init, a lone program) the process
// is pid 1, alone. Results are Linux's (-errno).
struct libos_ids {
	long pid, ppid, pgid, sid;
};
struct pm_sigtake_out;
bool libos_pm_present(void);
long libos_pm_fork(uint64_t child, uint64_t ntfn, uint64_t *pid, uint64_t *handle);
long libos_pm_exec(uint64_t process, uint64_t ntfn, uint64_t *handle);
long libos_pm_wait(long pid, long options, uint64_t *child, uint64_t *status);
long libos_pm_kill(long pid, long sig);
long libos_pm_sigtake(struct pm_sigtake_out *out);
long libos_pm_stopped(long sig);
long libos_pm_ids(long pid, struct libos_ids *ids);
void libos_pm_fork_child(void);
// The parent's pid as the process manager says it now (a fork's child: its parent's pid).
void libos_proc_parent(long ppid);

// What exec leaves the new image at LIBOS_EXEC_ARGS (its boot information's args, args_size):
// this header, the argument and environment strings (each ending in a NUL), then nfiles
// struct libos_passed_file (8-byte aligned): libos's start reads it instead of exorun's files.
#define LIBOS_EXEC_ARGS 0x7ffd00000000ull
#define LIBOS_EXEC_MAX  (256u << 10) // bytes of arguments and environment (else E2BIG)
struct libos_exec_args {
	uint64_t argc, envc, strings, nfiles; // strings: their bytes
	uint64_t sigign, sigmask, umask;      // ignored signals stay ignored; the caller's mask
	uint64_t rlimits[2 * LIBOS_RLIMITS];  // (soft, hard) each
	char cwd[4096];
};
