// SPDX-License-Identifier: MIT
// Thread and process life cycle. Killing marks objects dead at once (capabilities to them turn
// stale) and releases what can go immediately; a thread's kernel stack and FPU area are freed
// only after the CPU has switched away from it (sched.c's reaper calls thread_reap).
// References: a process holds one on each live thread; a thread that was started holds one on
// its process (a never-started one does not, so an unreachable process with only such threads is
// still freed, killing them).
#include <arch/acpi.h>
#include <arch/context.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/layout.h>
#include <arch/percpu.h>
#include <common/string.h>
#include <kern/bkl.h>
#include <kern/heap.h>
#include <kern/ioport.h>
#include <kern/ipc.h>
#include <kern/irq.h>
#include <kern/kstack.h>
#include <kern/panic.h>
#include <kern/printf.h>
#include <kern/quota.h>
#include <kern/sched.h>
#include <kern/timeslice.h>

#include <exo/upcall.h>
#include <kern/vspace.h>

bool init_exit_ends_machine; // exorun: the machine ends with init (kernel command line)
bool init_exit_powers_off;   // a plain boot (make run): nothing runs after init, so power off

static uint32_t next_pid = 1, next_tid = 1;

static void thread_release(struct kobj *o)
{
	struct thread *t = (struct thread *)o;

	KASSERT(t->state == T_DEAD || t->state == T_INACTIVE);
	if (t->kstack_top)
		kstack_free(t->kstack_top);
	if (t->fpu)
		fpu_state_free(t->fpu);
	if (t->holds_proc)
		kobj_put(&t->proc->obj);
	quota_uncharge(&t->charge);
	kfree(t);
}

static uint64_t thread_cost(void)
{
	return kmalloc_footprint(sizeof(struct thread)) + KSTACK_SIZE + PAGE_SIZE; // + FPU area
}

// Quota destruction ends the thread (the current one when its kernel call ends).
static void thread_destroy_charge(struct charge *c)
{
	struct thread *t = (struct thread *)((char *)c - offsetof(struct thread, charge));

	if (t == current_thread())
		t->proc->doomed = true;
	else
		thread_kill(t);
}

// A dead thread off the CPU for good: its stack and FPU area go now (and its charge shrinks to
// its descriptor); the process's reference is dropped, which frees the thread unless
// capabilities still name it.
void thread_reap(struct thread *t)
{
	KASSERT(t->state == T_DEAD);
	if (t->kstack_top)
		kstack_free(t->kstack_top);
	if (t->fpu)
		fpu_state_free(t->fpu);
	t->kstack_top = 0;
	t->fpu = NULL;
	quota_recharge(&t->charge, kmalloc_footprint(sizeof(*t)));
	kobj_put(&t->obj);
}

int thread_create(struct process *p, uint8_t prio, struct thread **out)
{
	struct thread *t;

	if (p->exited)
		return -EXO_EBADCAP;
	t = kzalloc(sizeof(*t));
	if (!t)
		return -EXO_ENOMEM;
	kobj_init(&t->obj, EXO_OBJ_THREAD, thread_release);
	if (quota_charge(p->quota, &t->charge, thread_cost(), thread_destroy_charge)) {
		kfree(t);
		return p->quota->obj.dead ? -EXO_EBADCAP : -EXO_ENOMEM;
	}
	t->kstack_top = kstack_alloc();
	t->fpu = fpu_state_alloc();
	if (!t->kstack_top || !t->fpu) {
		t->state = T_DEAD;
		thread_release(&t->obj);
		return -EXO_ENOMEM;
	}
	t->proc = p;
	t->state = T_INACTIVE;
	t->prio = MIN(prio, p->max_prio);
	t->slice = SLICE_DEFAULT;
	t->affinity = ~0ull;
	t->tid = next_tid++;
	t->proc_next = p->threads;
	p->threads = t;
	kobj_get(&t->obj); // the process's reference
	*out = t;
	return 0;
}

int thread_start(struct thread *t, uint64_t rip, uint64_t rsp, uint64_t arg)
{
	if (t->state != T_INACTIVE)
		return -EXO_EBUSY;
	arch_thread_setup(t, rip, rsp, arg);
	kobj_get(&t->proc->obj); // a started thread keeps its process (and address space) alive
	t->holds_proc = true;
	if (t->affinity & (1ull << cpu_self()))
		t->cpu = cpu_self(); // the creator's CPU, as on one CPU, until the balancer moves it
	sched_enqueue(t);
	if (t->prio > current_thread()->prio)
		percpu()->need_resched = true;
	return 0;
}

void thread_set_prio(struct thread *t, uint8_t prio)
{
	bool queued = t->state == T_RUNNABLE;
	struct thread *cur = current_thread();
	uint8_t old = t->prio;

	if (queued)
		sched_dequeue(t);
	t->prio = prio;
	if (queued)
		sched_enqueue(t);
	// Reschedule only if someone should now run before the caller: a ready thread raised above
	// it, or the caller itself lowered (a thread set to the caller's priority waits its turn).
	if ((queued && prio > cur->prio) || (t == cur && prio < old))
		percpu()->need_resched = true;
}

static void unlink_from_process(struct thread *t)
{
	struct thread **pp = &t->proc->threads;

	while (*pp && *pp != t)
		pp = &(*pp)->proc_next;
	if (*pp)
		*pp = t->proc_next;
}

int thread_suspend(struct thread *t)
{
	switch (t->state) {
	case T_RUNNABLE:
	case T_THROTTLED:
	case T_BLOCKED: // a sleep is cut short
		sched_dequeue(t);
		t->state = T_SUSPENDED;
		return 0;
	case T_RUNNING:
		t->state = T_SUSPENDED;
		if (t == current_thread())
			schedule();
		else
			sched_kick_running(t);
		return 0;
	default:
		return -EXO_EBUSY;
	}
}

int thread_resume(struct thread *t)
{
	if (t->state != T_SUSPENDED)
		return -EXO_EBUSY;
	if (sched_kick_running(t)) { // suspended while it ran elsewhere and has not left that CPU yet
		t->state = T_RUNNING;
		return 0;
	}
	sched_enqueue(t);
	if (t->prio > current_thread()->prio)
		percpu()->need_resched = true;
	return 0;
}

void thread_kill(struct thread *t)
{
	KASSERT_LOCKED();
	if (t->state == T_DEAD)
		return;
	unlink_from_process(t);
	sched_dequeue(t);
	if (t->state == T_WAIT_IRQ)
		irq_cancel_wait(t);
	ipc_thread_dies(t);
	t->state = T_DEAD;
	t->obj.dead = 1;
	if (t == current_thread()) {
		schedule(); // the reaper drops the process's reference once we are off this stack
		panic("thread: dead thread %u was scheduled", t->tid);
	}
	if (!sched_kick_running(t)) // else its CPU reaps it when it switches away
		thread_reap(t);
}

// Ends every thread but the caller's and frees what the process owns: capabilities, mappings and
// page tables, its quota and timeslice references.
static void process_teardown(struct process *p)
{
	struct thread *t, *next;

	for (t = p->threads; t; t = next) {
		next = t->proc_next;
		if (t != current_thread())
			thread_kill(t);
	}
	p->exited = true;
	p->obj.dead = 1;
	if (p->watch) {
		notify_signal(p->watch, p->watch_bits);
		kobj_put(&p->watch->obj);
		p->watch = NULL;
	}
	endpoints_owner_exit(p);
	ioport_release(p);
	cspace_destroy(&p->cs);
	vspace_destroy(&p->vs);
	quota_uncharge(&p->charge);
	kobj_put(&p->quota->obj);
	if (p->ts)
		kobj_put(&p->ts->obj);
}

static void process_release(struct kobj *o)
{
	struct process *p = (struct process *)o;

	if (!p->exited) // never ran, or lost its last thread: nobody can reach it any more
		process_teardown(p);
	kfree(p);
}

static uint64_t process_cost(uint32_t nslots)
{
	return kmalloc_footprint(sizeof(struct process)) + kmalloc_footprint(nslots * sizeof(struct cap));
}

// Quota destruction ends the process (the current one when its kernel call ends).
static void process_destroy_charge(struct charge *c)
{
	struct process *p = (struct process *)((char *)c - offsetof(struct process, charge));

	if (p == current_thread()->proc) {
		p->doomed = true;
		return;
	}
	kobj_get(&p->obj);
	process_exit(p, EXO_STATUS_QUOTA, "the quota paying for it was destroyed");
	kobj_put(&p->obj);
}

int process_create(const char *name, struct quota *q, uint8_t max_prio, uint32_t nslots, struct process **out)
{
	struct process *p = kzalloc(sizeof(*p));
	int err;

	if (!p)
		return -EXO_ENOMEM;
	kobj_init(&p->obj, EXO_OBJ_PROCESS, process_release);
	err = quota_charge(q, &p->charge, process_cost(nslots), process_destroy_charge);
	if (err)
		goto fail;
	err = vspace_init(&p->vs, q);
	if (err)
		goto fail_charge;
	err = cspace_init(&p->cs, nslots);
	if (err)
		goto fail_vspace;
	p->quota = q;
	kobj_get(&q->obj);
	p->pid = next_pid++;
	p->max_prio = MIN(max_prio, PRIO_MAX);
	strlcpy(p->name, name, sizeof(p->name));
	*out = p;
	return 0;
fail_vspace:
	vspace_destroy(&p->vs);
fail_charge:
	quota_uncharge(&p->charge);
fail:
	kfree(p);
	return err;
}

void process_exit(struct process *p, long status, const char *why)
{
	struct thread *t;

	if (p->exited)
		return;
	if (why)
		kprintf("exo: pid %u '%s' killed: %s\n", p->pid, p->name, why);
	else if (p->pid == 1) // init: everything else was started by it
		klog(LOG_INFO, "init exited with status %ld\n", status);
	if (p->pid == 1 && init_exit_ends_machine) {
		kprintf("exo: exorun status %ld\n", status); // read by toolchain/bin/exorun
		qemu_exit(0x10);
	}
	if (p->pid == 1 && init_exit_powers_off) {
		kprintf("exo: nothing runs after init: powering off\n");
		acpi_poweroff();
		kprintf("exo: no ACPI power-off here: the system is idle (in QEMU, Ctrl-A X quits)\n");
	}
	kobj_get(&p->obj); // the capability table may hold the last reference to p itself
	p->exit_status = status;
	process_teardown(p);
	t = current_thread();
	kobj_put(&p->obj);
	if (t->proc == p)
		thread_kill(t); // does not return
}
