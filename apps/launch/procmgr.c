// SPDX-License-Identifier: MIT
// The process manager (protocol: procmgr.idl), in the launcher: the table of POSIX processes -
// pid, parent, group, session, state and wait status, pending signals - served on an endpoint by
// the launcher's main thread once the program runs. A second thread learns of ends: every
// registered process is watched (process_watch) with one bit of a notification; the thread then
// looks at each live process's status, turns the ended ones into zombies, gives their children to
// pid 1 and sends SIGCHLD. When pid 1 ends, the launcher ends with its status (exorun's).
//
// A process is known by the badge (its pid) of the endpoint capability minted for it, copied
// into its table without EXO_R_GRANT: it cannot lend its identity.
#include "launch.h"
#include <exo/upcall.h>
#include <proto/procmgr_server.h>
#include <stdbool.h>

#define SIGHUP       1
#define SIGKILL      9
#define SIGCHLD      17
#define SIGCONT      18
#define CONTINUED    0xffff // a wait status
#define BIT(sig)     (1ull << ((sig)-1))
#define REAPER_STACK 16384
#define REAPER_PRIO  16

enum state { FREE, LIVE, ZOMBIE };

struct proc {
	enum state state;
	uint32_t pid, ppid, pgid, sid;
	uint64_t process; // our capability to it (READ, CONTROL)
	uint64_t ntfn;    // signalled with PM_NTFN_SIGNAL when signals are pending
	uint64_t status;  // a zombie's wait status
	uint64_t pending;
	uint32_t from[64];
	uint64_t child, child_status;  // the latest SIGCHLD's
	int stopped;                   // the signal it stopped on (0: it runs)
	bool report_stop, report_cont; // for WUNTRACED, WCONTINUED
};

static struct proc procs[PM_MAX_PROCS];
static uint32_t next_pid = 2;
static uint64_t endpoint, deaths; // deaths: the notification every watch signals
static volatile int lock;         // the table, between the server and the reaper
static int (*on_first_end)(long status);
static uint8_t ipc_page[4096] __attribute__((aligned(4096)));
static uint8_t reaper_stack[REAPER_STACK] __attribute__((aligned(16)));

static void take(void)
{
	while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
		exo_thread_yield();
}

static void give(void)
{
	__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

static struct proc *find(uint64_t pid)
{
	for (int i = 0; i < PM_MAX_PROCS; i++)
		if (procs[i].state != FREE && procs[i].pid == pid)
			return &procs[i];
	return NULL;
}

// Linux's wait status for a kernel exit status: exit(n), a signal (libos's EXO_STATUS_SIGNAL), a
// fault the process did not survive, or its quota gone (as SIGKILL).
static uint64_t wait_status(long st)
{
	if (st >= 0 && st < 256)
		return (uint64_t)st << 8;
	if (st >= EXO_STATUS_SIGNAL(0) && st < EXO_STATUS_SIGNAL(128))
		return (uint64_t)(st - EXO_STATUS_SIGNAL(0));
	switch (st) {
	case EXO_STATUS_FAULT(0):
	case EXO_STATUS_FAULT(16):
	case EXO_STATUS_FAULT(19):
		return 8 | 0x80; // SIGFPE, core
	case EXO_STATUS_FAULT(6):
		return 4 | 0x80; // SIGILL
	case EXO_STATUS_FAULT(1):
	case EXO_STATUS_FAULT(3):
		return 5 | 0x80; // SIGTRAP
	case EXO_STATUS_FAULT(17):
		return 7 | 0x80; // SIGBUS
	default:
		return st >= EXO_STATUS_FAULT(0) && st < EXO_STATUS_FAULT(32) ? 11 | 0x80 : SIGKILL;
	}
}

// Records sig pending for p and wakes it.
static void post(struct proc *p, int sig, uint32_t from)
{
	p->pending |= BIT(sig);
	p->from[sig - 1] = from;
	exo_notify_signal(p->ntfn, PM_NTFN_SIGNAL);
}

static void release(struct proc *p)
{
	exo_cap_delete(p->process);
	exo_cap_delete(p->ntfn);
	*p = (struct proc){ 0 };
}

// SIGCHLD to p's parent about p, which now has wait status status.
static void tell_parent(struct proc *p, uint64_t status)
{
	struct proc *parent = find(p->ppid);

	if (!parent || parent->state != LIVE)
		return;
	parent->child = p->pid;
	parent->child_status = status;
	post(parent, SIGCHLD, 0);
}

// Continues a stopped process: SIGCONT for it, CLD_CONTINUED for its parent.
static void cont(struct proc *t, uint32_t from)
{
	post(t, SIGCONT, from);
	if (t->stopped) {
		t->stopped = 0;
		t->report_stop = false;
		t->report_cont = true;
		tell_parent(t, CONTINUED);
	}
}

// POSIX: a process group becomes orphaned when no member has a parent in another group of the
// same session; if it has a stopped member then, every member gets SIGHUP and SIGCONT.
static void orphaned(uint32_t pgid)
{
	bool stopped = false;

	for (int i = 0; i < PM_MAX_PROCS; i++) {
		struct proc *m = &procs[i], *q;

		if (m->state != LIVE || m->pgid != pgid)
			continue;
		q = find(m->ppid);
		if (q && q->state == LIVE && q->sid == m->sid && q->pgid != pgid)
			return; // a parent outside holds it to the session
		stopped |= m->stopped != 0;
	}
	for (int i = 0; i < PM_MAX_PROCS && stopped; i++)
		if (procs[i].state == LIVE && procs[i].pgid == pgid) {
			post(&procs[i], SIGHUP, 0);
			cont(&procs[i], 0);
		}
}

// p has ended with kernel status st: a zombie for its parent, its children pid 1's.
static void ended(struct proc *p, long st)
{
	struct proc *parent = find(p->ppid);

	p->state = ZOMBIE;
	p->status = wait_status(st);
	for (int i = 0; i < PM_MAX_PROCS; i++) {
		struct proc *c = &procs[i];

		if (c->state == FREE || c->ppid != p->pid)
			continue;
		if (c->state == ZOMBIE) { // nobody will wait for it now
			release(c);
		} else {
			c->ppid = 1;
			exo_notify_signal(c->ntfn, PM_NTFN_SIGNAL); // its getppid changes
			if (c->pgid != p->pgid && c->sid == p->sid)
				orphaned(
				    c->pgid); // p was a link of c's group to the session: perhaps the last
		}
	}
	if (parent && parent->sid == p->sid && parent->pgid != p->pgid)
		orphaned(p->pgid); // p's parent linked p's group to the session: perhaps the last link
	if (p->pid == 1 && on_first_end)
		on_first_end(st);
	p->stopped = 0;
	p->report_stop = p->report_cont = false;
	if (parent && parent->state == LIVE)
		tell_parent(p, p->status);
	else
		release(p);
}

__attribute__((noreturn)) static void reaper(uint64_t arg)
{
	(void)arg;
	for (;;) {
		exo_notify_wait(deaths);
		take();
		for (int i = 0; i < PM_MAX_PROCS; i++) {
			long st;

			if (procs[i].state == LIVE && exo_process_status(procs[i].process, &st) == 0)
				ended(&procs[i], st);
		}
		give();
	}
}

static struct proc *slot(void)
{
	for (int i = 0; i < PM_MAX_PROCS; i++)
		if (procs[i].state == FREE)
			return &procs[i];
	return NULL;
}

// Fills p for process (kept) with identity pid and puts a capability badged pid into it;
// *handle: that capability's handle in its table.
static long enter(struct proc *p, uint32_t pid, struct exo_cap_xfer *process, struct exo_cap_xfer *ntfn,
                  uint64_t *handle)
{
	long badged = exo_cap_mint(endpoint, EXO_R_WRITE | EXO_R_GRANT, pid), r;

	if (badged < 0)
		return badged;
	r = exo_cap_copy((uint64_t)badged, process->handle, EXO_R_WRITE);
	exo_cap_delete((uint64_t)badged);
	if (r < 0)
		return r;
	*handle = (uint64_t)r;
	p->state = LIVE;
	p->pid = pid;
	p->process = process->handle;
	p->ntfn = ntfn->handle;
	process->handle = ntfn->handle = 0; // kept
	return exo_process_watch(p->process, deaths, 1);
}

// Processes in the table, zombies included (RLIMIT_NPROC's count: every process is root's).
static uint64_t count(void)
{
	uint64_t n = 0;

	for (int i = 0; i < PM_MAX_PROCS; i++)
		n += procs[i].state != FREE;
	return n;
}

long procmgr_on_fork(uint64_t badge, const struct pm_fork_in *in, struct pm_fork_in_caps *in_caps,
                     struct pm_fork_out *out)
{
	struct proc *parent, *p;
	long r;

	take();
	parent = find(badge);
	p = slot();
	r = !parent || parent->state != LIVE ? -EXO_ENOENT : !p || count() >= in->nproc ? -EXO_ENOSPC : 0;
	if (!r) {
		out->pid = next_pid;
		r = enter(p, next_pid, &in_caps->process, &in_caps->ntfn, &out->handle);
	}
	if (!r) {
		next_pid++;
		p->ppid = parent->pid;
		p->pgid = parent->pgid;
		p->sid = parent->sid;
	}
	give();
	return r;
}

long procmgr_on_exec(uint64_t badge, struct pm_exec_in_caps *in_caps, struct pm_exec_out *out)
{
	struct proc *p, was;
	long r;

	take();
	p = find(badge);
	r = p && p->state == LIVE ? 0 : -EXO_ENOENT;
	if (!r) {
		was = *p;
		exo_process_watch(was.process, 0, 0); // its end is not the pid's end
		r = enter(p, was.pid, &in_caps->process, &in_caps->ntfn, &out->handle);
		if (r) {
			exo_process_watch(was.process, deaths, 1);
			*p = was;
		} else {
			exo_cap_delete(was.process);
			exo_cap_delete(was.ntfn);
		}
	}
	give();
	return r;
}

// Whether child c matches wait's pid for a caller in group pgid.
static bool wanted(const struct proc *c, int64_t pid, uint32_t pgid)
{
	return pid == -1 || (pid > 0 && c->pid == (uint64_t)pid) || (pid == 0 && c->pgid == pgid) ||
	       (pid < -1 && c->pgid == (uint64_t)-pid);
}

long procmgr_on_wait(uint64_t badge, const struct pm_wait_in *in, struct pm_wait_out *out)
{
	struct proc *me;
	bool any = false;
	long r = -EXO_ENOENT;

	take();
	me = find(badge);
	for (int i = 0; me && i < PM_MAX_PROCS; i++) {
		struct proc *c = &procs[i];

		if (c->state == FREE || c->ppid != me->pid || !wanted(c, in->pid, me->pgid))
			continue;
		any = true;
		if (c->state == ZOMBIE) {
			out->pid = c->pid;
			out->status = c->status;
			release(c);
			break;
		}
		if ((in->options & PM_WUNTRACED) && c->report_stop) {
			out->pid = c->pid;
			out->status = (uint64_t)c->stopped << 8 | 0x7f;
			c->report_stop = false;
			break;
		}
		if ((in->options & PM_WCONTINUED) && c->report_cont) {
			out->pid = c->pid;
			out->status = CONTINUED;
			c->report_cont = false;
			break;
		}
	}
	if (any)
		r = 0;
	give();
	return r;
}

long procmgr_on_kill(uint64_t badge, const struct pm_kill_in *in)
{
	int sig = (int)in->sig, hit = 0;

	take();
	for (int i = 0; i < PM_MAX_PROCS; i++) {
		struct proc *t = &procs[i], *me = find(badge);
		int64_t pid = in->pid;

		if (t->state != LIVE || !me)
			continue;
		if (!(pid > 0     ? t->pid == (uint64_t)pid
		      : pid == 0  ? t->pgid == me->pgid
		      : pid == -1 ? t->pid != 1 && t->pid != me->pid
		                  : t->pgid == (uint64_t)-pid))
			continue;
		hit++; // one user (root) for now: every process may signal every other
		if (sig == SIGKILL)
			exo_process_kill(t->process, EXO_STATUS_SIGNAL(SIGKILL));
		else if (sig && sig != SIGCONT)
			post(t, sig, me->pid);
		if (sig == SIGCONT) // it goes on when it takes the signal
			cont(t, me->pid);
	}
	give();
	return hit ? 0 : -EXO_ENOENT;
}

long procmgr_on_sigtake(uint64_t badge, struct pm_sigtake_out *out)
{
	struct proc *me;

	take();
	me = find(badge);
	if (me) {
		out->mask = me->pending;
		out->child = me->child;
		out->child_status = me->child_status;
		out->ppid = me->ppid;
		for (int i = 0; i < 64; i++)
			out->from[i] = me->from[i];
		me->pending = 0;
	}
	give();
	return me ? 0 : -EXO_ENOENT;
}

long procmgr_on_stopped(uint64_t badge, const struct pm_stopped_in *in)
{
	struct proc *me;

	take();
	me = find(badge);
	if (me) {
		me->stopped = (int)in->sig;
		me->report_stop = true;
		me->report_cont = false;
		tell_parent(me, (uint64_t)in->sig << 8 | 0x7f);
	}
	give();
	return me ? 0 : -EXO_ENOENT;
}

long procmgr_on_ids(uint64_t badge, const struct pm_ids_in *in, struct pm_ids_out *out)
{
	struct proc *p;

	take();
	p = find(in->pid ? in->pid : badge);
	if (p)
		*out = (struct pm_ids_out){ p->pid, p->ppid, p->pgid, p->sid };
	give();
	return p ? 0 : -EXO_ENOENT;
}

long procmgr_on_setpgid(uint64_t badge, const struct pm_setpgid_in *in)
{
	struct proc *me, *p;
	long r = 0;

	take();
	me = find(badge);
	p = find(in->pid ? in->pid : badge);
	if (!me || !p || (p != me && p->ppid != me->pid))
		r = -EXO_ENOENT;
	else if (p->sid != me->sid || p->pid == p->sid)
		r = -EXO_EPERM;
	else {
		uint64_t pgid = in->pgid ? in->pgid : p->pid;
		bool exists = pgid == p->pid;

		for (int i = 0; i < PM_MAX_PROCS && !exists; i++)
			exists = procs[i].state == LIVE && procs[i].pgid == pgid && procs[i].sid == me->sid;
		if (exists)
			p->pgid = (uint32_t)pgid;
		else
			r = -EXO_EPERM;
	}
	give();
	return r;
}

long procmgr_on_setsid(uint64_t badge, struct pm_setsid_out *out)
{
	struct proc *me;
	long r = 0;

	take();
	me = find(badge);
	if (!me)
		r = -EXO_ENOENT;
	else if (me->pgid == me->pid)
		r = -EXO_EPERM;
	else
		me->sid = me->pgid = me->pid, out->sid = me->pid;
	give();
	return r;
}

long procmgr_start(uint64_t self, uint64_t first, uint64_t first_ntfn, uint64_t *handle,
                   int (*first_ended)(long status))
{
	long r = exo_endpoint_create(), t;

	if (r < 0)
		return r;
	endpoint = (uint64_t)r;
	r = exo_notify_create();
	if (r < 0)
		return r;
	deaths = (uint64_t)r;
	on_first_end = first_ended;
	procs[0] = (struct proc){ .pgid = 1, .sid = 1 };
	r = enter(&procs[0], 1, &(struct exo_cap_xfer){ first, 0, 0 },
	          &(struct exo_cap_xfer){ first_ntfn, 0, 0 }, handle);
	if (r)
		return r;
	t = exo_thread_create(self, REAPER_PRIO);
	if (t < 0)
		return t;
	return exo_thread_start((uint64_t)t, (uint64_t)reaper, (uint64_t)(reaper_stack + REAPER_STACK - 8),
	                        0);
}

__attribute__((noreturn)) void procmgr_serve(void)
{
	struct exo_msg m = { 0 };
	long r = exo_ipc_set_buffer(ipc_page);

	if (r)
		exo_printf("launch: the process manager has no IPC buffer (error %ld)\n", r);
	r = exo_recv(endpoint, &m);
	for (;;) {
		if (r) { // the reply could not be delivered
			m = (struct exo_msg){ EXO_TAG(-r, 0, 0), 0, { 0 } };
			exo_reply(&m);
			m.tag = 0;
			r = exo_recv(endpoint, &m);
			continue;
		}
		procmgr_dispatch(&m, (struct exo_ipc_buffer *)ipc_page);
		r = exo_reply_recv(endpoint, &m);
	}
}
