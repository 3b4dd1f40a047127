// SPDX-License-Identifier: MIT
// Kernel calls on processes, threads and time.
#include <arch/cpu.h>
#include <exo/types.h>
#include <kern/clock.h>
#include <kern/ipc.h>
#include <kern/quota.h>
#include <kern/sched.h>
#include <kern/syscall.h>

#define MSR_FS_BASE 0xc0000100

static long insert_new(struct kobj *o)
{
	cap_handle_t h;
	int err = cap_insert(&current_process()->cs, o, EXO_R_ALL, 0, &h);

	kobj_put(o);
	return err ? err : (long)h;
}

// A process with a table of nslots, named by the user string at uname (at most 15 bytes kept).
static long create_process(exo_quota_t quota, uint64_t uname, uint32_t nslots)
{
	char name[16] = { 0 };
	struct cap *c;
	struct process *p;
	int err = lookup(quota, EXO_OBJ_QUOTA, EXO_R_WRITE, &c);

	if (err)
		return err;
	// Byte by byte: a short name may end just before an unmapped page.
	for (size_t i = 0; i < sizeof(name) - 1; i++) {
		err = copyin(&name[i], uname + i, 1);
		if (err)
			return err;
		if (!name[i])
			break;
	}
	err = process_create(name, (struct quota *)c->obj, current_process()->max_prio, nslots, &p);
	return err ? err : insert_new(&p->obj);
}

long sys_process_create(exo_quota_t quota, uint64_t uname)
{
	return create_process(quota, uname, PROC_SLOTS);
}

long sys_process_create_slots(exo_quota_t quota, uint64_t uname, uint64_t slots)
{
	if (slots < 16 || slots > EXO_MAX_SLOTS)
		return -EXO_EINVAL;
	return create_process(quota, uname, (uint32_t)slots);
}

long sys_process_kill(exo_process_t process, uint64_t status)
{
	struct cap *c;
	int err = lookup(process, EXO_OBJ_PROCESS, EXO_R_CONTROL, &c);

	if (err)
		return err;
	process_exit((struct process *)c->obj, (long)status, NULL);
	return 0;
}

long sys_process_status(exo_process_t process, uint64_t status)
{
	struct cap *c;
	struct process *p;
	// An ended process is dead, but its status must stay readable: look past the dead flag.
	int err = cap_lookup_any(&current_process()->cs, process, EXO_OBJ_PROCESS, EXO_R_READ, &c);

	if (err)
		return err;
	p = (struct process *)c->obj;
	if (!p->exited)
		return -EXO_EAGAIN;
	return copyout(status, &p->exit_status, sizeof(p->exit_status));
}

long sys_process_watch(exo_process_t process, exo_notification_t ntfn, uint64_t bits)
{
	struct notification *n = NULL;
	struct process *p;
	struct cap *c;
	int err = cap_lookup_any(&current_process()->cs, process, EXO_OBJ_PROCESS, EXO_R_READ, &c);

	if (err)
		return err;
	p = (struct process *)c->obj;
	if (ntfn) {
		err = lookup(ntfn, EXO_OBJ_NOTIFICATION, EXO_R_WRITE, &c);
		if (err)
			return err;
		n = (struct notification *)c->obj;
	}
	if (p->exited) {
		if (n)
			notify_signal(n, bits);
		return 0;
	}
	if (p->watch)
		kobj_put(&p->watch->obj);
	p->watch = n;
	p->watch_bits = bits;
	if (n)
		kobj_get(&n->obj);
	return 0;
}

static int thread_cap(uint64_t h, struct thread **t)
{
	struct cap *c;
	int err = lookup(h, EXO_OBJ_THREAD, EXO_R_CONTROL, &c);

	if (!err)
		*t = (struct thread *)c->obj;
	return err;
}

long sys_thread_create(exo_process_t process, uint64_t prio)
{
	struct cap *c;
	struct thread *t;
	int err = lookup(process, EXO_OBJ_PROCESS, EXO_R_CONTROL, &c);

	if (err)
		return err;
	if (prio > current_process()->max_prio)
		return -EXO_EPERM;
	err = thread_create((struct process *)c->obj, (uint8_t)prio, &t);
	return err ? err : insert_new(&t->obj);
}

long sys_thread_start(exo_thread_t thread, uint64_t rip, uint64_t rsp, uint64_t arg)
{
	struct thread *t;
	int err = thread_cap(thread, &t);

	if (err)
		return err;
	if (!user_range_ok(rip, 1) || !user_range_ok(rsp, 0))
		return -EXO_EINVAL;
	return thread_start(t, rip, rsp, arg);
}

long sys_thread_suspend(exo_thread_t thread)
{
	struct thread *t;
	int err = thread_cap(thread, &t);

	return err ? err : thread_suspend(t);
}

long sys_thread_resume(exo_thread_t thread)
{
	struct thread *t;
	int err = thread_cap(thread, &t);

	return err ? err : thread_resume(t);
}

long sys_thread_destroy(exo_thread_t thread)
{
	struct thread *t;
	int err = thread_cap(thread, &t);

	if (!err)
		thread_kill(t);
	return err;
}

long sys_thread_set_prio(exo_thread_t thread, uint64_t prio)
{
	struct thread *t;
	int err = thread_cap(thread, &t);

	if (err)
		return err;
	if (prio > current_process()->max_prio || prio > t->proc->max_prio)
		return -EXO_EPERM;
	thread_set_prio(t, (uint8_t)prio);
	return 0;
}

long sys_thread_set_affinity(exo_thread_t thread, uint64_t mask)
{
	struct thread *t;
	int err = thread_cap(thread, &t);

	return err ? err : sched_set_affinity(t, mask);
}

long sys_thread_migrate(exo_thread_t thread, uint64_t cpu)
{
	struct thread *t;
	int err = thread_cap(thread, &t);

	return err ? err : sched_migrate(t, cpu);
}

long sys_cpu_info(void)
{
	return (long)((uint64_t)ncpus << 32 | cpu_self());
}

long sys_thread_yield(void)
{
	sched_yield();
	return 0;
}

long sys_thread_sleep(uint64_t deadline_ns)
{
	sched_sleep_until(deadline_ns);
	return 0;
}

long sys_clock_ns(void)
{
	return (long)clock_ns();
}

long sys_clock_params(uint64_t out)
{
	struct exo_clock_params p;

	clock_params(&p.tsc0, &p.mult);
	return copyout(out, &p, sizeof(p));
}

long sys_set_fs_base(uint64_t base)
{
	if (base && !user_range_ok(base, 0))
		return -EXO_EINVAL;
	current_thread()->fs_base = base;
	percpu()->fs_base = base;
	wrmsr(MSR_FS_BASE, base);
	return 0;
}
