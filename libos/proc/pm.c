// SPDX-License-Identifier: MIT
// The process manager's client (protocol: apps/launch/procmgr.idl): pids, parents, groups and
// sessions, wait statuses and signals between processes live in the manager, which knows this
// process by the badge of the capability its boot information names. A process without one (init,
// a lone program) is pid 1 with no parent, alone: there is nobody to signal or wait for.
// libos threads have no IPC buffer of their own: this client's page is registered by whichever
// thread holds its lock. After a fork the page is the child's copy: it is written first, so that
// the kernel finds it writable.
#include <libos/proc.h>
#include <libos/signal.h>
#include <libos/thread.h>
#include <proto/procmgr.h>

static union {
	struct exo_ipc_buffer b;
	uint8_t page[EXO_PAGE_SIZE];
} ipc __attribute__((aligned(EXO_PAGE_SIZE)));
static volatile int lock;

static long errno_of(long r, long enoent)
{
	switch (r) {
	case 0:
		return 0;
	case -EXO_ENOENT:
		return enoent;
	case -EXO_ENOSPC:
	case -EXO_ENOMEM:
		return -EAGAIN;
	case -EXO_EPERM:
		return -EPERM;
	case -EXO_EINVAL:
		return -EINVAL;
	default:
		return -EIO;
	}
}

// Takes the lock and registers the page; the manager's handle, or 0 (none, unlocked).
static uint64_t begin(void)
{
	uint64_t pm = libos_boot->procmgr;

	if (!pm)
		return 0;
	libos_lock(&lock);
	*(volatile uint8_t *)ipc.page = 0;
	if (exo_ipc_set_buffer(&ipc) == 0)
		return pm;
	libos_unlock(&lock);
	return 0;
}

static long end(long r, long enoent)
{
	libos_unlock(&lock);
	return errno_of(r, enoent);
}

bool libos_pm_present(void)
{
	return libos_boot->procmgr != 0;
}

long libos_pm_fork(uint64_t child, uint64_t ntfn, uint64_t *pid, uint64_t *handle)
{
	struct pm_fork_in in = { libos_rlimit(RLIMIT_NPROC) };
	struct pm_fork_in_caps caps = { { child, EXO_R_READ | EXO_R_CONTROL, 0 }, { ntfn, EXO_R_WRITE, 0 } };
	struct pm_fork_out out;
	uint64_t pm = begin();
	long r;

	if (!pm)
		return -ENOSYS;
	r = pm_call_fork(pm, &ipc.b, &in, &caps, &out);
	*pid = out.pid;
	*handle = out.handle;
	return end(r, -EAGAIN);
}

long libos_pm_exec(uint64_t process, uint64_t ntfn, uint64_t *handle)
{
	struct pm_exec_in_caps caps = { { process, EXO_R_READ | EXO_R_CONTROL, 0 },
		                        { ntfn, EXO_R_WRITE, 0 } };
	struct pm_exec_out out;
	uint64_t pm = begin();
	long r;

	if (!pm)
		return -ENOSYS;
	r = pm_call_exec(pm, &ipc.b, &caps, &out);
	*handle = out.handle;
	return end(r, -EIO);
}

long libos_pm_wait(long pid, long options, uint64_t *child, uint64_t *status)
{
	struct pm_wait_in in = { pid, (uint64_t)options & (PM_WNOHANG | PM_WUNTRACED | PM_WCONTINUED) };
	struct pm_wait_out out = { 0, 0 };
	uint64_t pm = begin();
	long r;

	if (!pm)
		return -ECHILD;
	r = pm_call_wait(pm, &ipc.b, &in, &out);
	*child = out.pid;
	*status = out.status;
	return end(r, -ECHILD);
}

long libos_pm_kill(long pid, long sig)
{
	struct pm_kill_in in = { pid, (uint64_t)sig };
	uint64_t pm = begin();

	if (!pm)
		return -ESRCH;
	return end(pm_call_kill(pm, &ipc.b, &in), -ESRCH);
}

long libos_pm_stopped(long sig)
{
	struct pm_stopped_in in = { (uint64_t)sig };
	uint64_t pm = begin();

	if (!pm)
		return -ESRCH;
	return end(pm_call_stopped(pm, &ipc.b, &in), -ESRCH);
}

long libos_pm_sigtake(struct pm_sigtake_out *out)
{
	uint64_t pm = begin();

	if (!pm)
		return -ESRCH;
	return end(pm_call_sigtake(pm, &ipc.b, out), -ESRCH);
}

long libos_pm_ids(long pid, struct libos_ids *ids)
{
	struct pm_ids_in in = { (uint64_t)pid };
	struct pm_ids_out out;
	uint64_t pm = begin();
	long r;

	if (!pm) {
		if (pid && pid != 1)
			return -ESRCH;
		*ids = (struct libos_ids){ 1, 0, 1, 1 };
		return 0;
	}
	r = pm_call_ids(pm, &ipc.b, &in, &out);
	*ids = (struct libos_ids){ (long)out.pid, (long)out.ppid, (long)out.pgid, (long)out.sid };
	return end(r, -ESRCH);
}

long libos_setpgid(long pid, long pgid)
{
	struct pm_setpgid_in in = { (uint64_t)pid, (uint64_t)pgid };
	uint64_t pm;

	if (pid < 0 || pgid < 0)
		return -EINVAL;
	pm = begin();
	if (!pm)
		return pid == 0 || pid == 1 ? -EPERM : -ESRCH; // pid 1 leads its session
	return end(pm_call_setpgid(pm, &ipc.b, &in), -ESRCH);
}

long libos_setsid(void)
{
	struct pm_setsid_out out;
	uint64_t pm = begin();
	long r;

	if (!pm)
		return -EPERM;
	r = pm_call_setsid(pm, &ipc.b, &out);
	r = end(r, -ESRCH);
	return r ? r : (long)out.sid;
}

long libos_getpgid(long pid)
{
	struct libos_ids ids;
	long r = libos_pm_ids(pid, &ids);

	return r ? r : ids.pgid;
}

long libos_getsid(long pid)
{
	struct libos_ids ids;
	long r = libos_pm_ids(pid, &ids);

	return r ? r : ids.sid;
}

void libos_pm_fork_child(void)
{
	lock = 0; // a thread of the parent may have held it: the child has only the forking one
}
