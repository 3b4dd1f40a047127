// SPDX-License-Identifier: MIT
// Resource limits: getrlimit, setrlimit and prlimit64 (of the process itself) on a table the
// process keeps - a fork's child has a copy, an exec passes it on (libos_exec_args). Those libos
// can honour are honoured where the resource is handed out: RLIMIT_NOFILE by the descriptor table
// (EMFILE), RLIMIT_STACK by the main stack's growth (a fault past it is a stack overflow),
// RLIMIT_AS by mmap and brk (ENOMEM), RLIMIT_NPROC by the process manager at fork (EAGAIN).
// The others are kept and reported; nothing measures CPU time, file sizes or locked memory yet.
#include <libos/proc.h>

#define INF (~0ull)

struct linux_rlimit {
	uint64_t cur, max;
};

// Linux's defaults for a root shell, within what libos has: 256 descriptors, an 8 MiB stack.
static struct linux_rlimit limits[LIBOS_RLIMITS] = {
	[RLIMIT_CPU] = { INF, INF },
	[RLIMIT_FSIZE] = { INF, INF },
	[RLIMIT_DATA] = { INF, INF },
	[RLIMIT_STACK] = { 8ull << 20, INF },
	[RLIMIT_CORE] = { 0, INF },
	[RLIMIT_RSS] = { INF, INF },
	[RLIMIT_NPROC] = { INF, INF },
	[RLIMIT_NOFILE] = { 256, 256 },
	[RLIMIT_MEMLOCK] = { 8ull << 20, 8ull << 20 },
	[RLIMIT_AS] = { INF, INF },
	[RLIMIT_LOCKS] = { INF, INF },
	[RLIMIT_SIGPENDING] = { 256, 256 },
	[RLIMIT_MSGQUEUE] = { 819200, 819200 },
	[RLIMIT_NICE] = { 0, 0 },
	[RLIMIT_RTPRIO] = { 0, 0 },
	[RLIMIT_RTTIME] = { INF, INF },
};

uint64_t libos_rlimit(int resource)
{
	return resource >= 0 && resource < LIBOS_RLIMITS ? limits[resource].cur : INF;
}

void libos_rlimits_get(uint64_t *out)
{
	for (int i = 0; i < LIBOS_RLIMITS; i++)
		out[2 * i] = limits[i].cur, out[2 * i + 1] = limits[i].max;
}

void libos_rlimits_set(const uint64_t *in)
{
	for (int i = 0; i < LIBOS_RLIMITS; i++)
		if (in[2 * i] <= in[2 * i + 1])
			limits[i] = (struct linux_rlimit){ in[2 * i], in[2 * i + 1] };
}

long libos_prlimit64(long pid, long resource, const void *unew, void *uold)
{
	struct linux_rlimit want, now;

	if (pid != 0 && pid != libos_getpid())
		return -EPERM; // another process's limits: not kept here
	if (resource < 0 || resource >= LIBOS_RLIMITS)
		return -EINVAL;
	now = limits[resource];
	if (unew) {
		if (libos_copy(&want, unew, sizeof(want)))
			return -EFAULT;
		if (want.cur > want.max)
			return -EINVAL;
		if (resource == RLIMIT_NOFILE && want.max > 256 && want.max != INF)
			return -EPERM; // beyond the descriptor table (Linux: beyond fs.nr_open)
		limits[resource] = want;
	}
	return uold && libos_copy(uold, &now, sizeof(now)) ? -EFAULT : 0;
}

long libos_getrlimit(long resource, void *old)
{
	return libos_prlimit64(0, resource, NULL, old);
}

long libos_setrlimit(long resource, const void *new)
{
	return new ? libos_prlimit64(0, resource, new, NULL) : -EFAULT;
}
