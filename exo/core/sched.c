// SPDX-License-Identifier: MIT
// Scheduler (see kern/sched.h). One run queue per priority, a bitmap of non-empty queues, a
// deadline list (sleeps and IPC timeouts) in time order, and the idle thread (the boot context) when nothing
// is runnable. Dead threads are freed by reap(), after the switch away from them.
#include <arch/context.h>
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <kern/clock.h>
#include <kern/ipc.h>
#include <kern/panic.h>
#include <kern/sched.h>
#include <kern/timeslice.h>

static struct list rq[PRIO_MAX + 1]; // through rq_link; bit p of rq_bitmap: rq[p] is not empty
static uint32_t rq_bitmap;
static struct list deadlines = LIST_INIT(deadlines); // through deadline_link, by wake_at_ns
static struct thread *reap_list;
static struct thread idle_thread;

void sched_init(void)
{
	for (unsigned p = 0; p <= PRIO_MAX; p++)
		list_init(&rq[p]);
	idle_thread.state = T_RUNNING;
	idle_thread.obj.refs = 1;
	percpu()->current = &idle_thread;
	percpu()->idle = &idle_thread;
}

static void rq_push(struct thread *t)
{
	list_push_back(&rq[t->prio], &t->rq_link);
	rq_bitmap |= 1u << t->prio;
}

static void rq_remove(struct thread *t)
{
	list_remove(&t->rq_link);
	if (list_empty(&rq[t->prio]))
		rq_bitmap &= ~(1u << t->prio);
}

void sched_enqueue(struct thread *t)
{
	KASSERT(t->proc && t->state != T_DEAD && t->state != T_RUNNABLE && t->blocked.kind == BLOCK_NONE);
	t->state = T_RUNNABLE;
	rq_push(t);
}

void sched_dequeue(struct thread *t)
{
	if (t->state == T_RUNNABLE) {
		rq_remove(t);
	} else if (t->state == T_BLOCKED) {
		list_remove(&t->deadline_link);
	} else if (t->state == T_THROTTLED) {
		timeslice_unpark(t);
	} else if (t->state >= T_IPC_SEND && t->state <= T_NTFN_WAIT) {
		ipc_cancel(t);
	} else {
		return;
	}
	t->state = T_INACTIVE;
}

static bool over_budget(const struct thread *t)
{
	return t->proc && t->proc->ts && timeslice_exhausted(t->proc->ts);
}

// The first runnable thread of the highest priority whose process has CPU budget left; threads
// of exhausted timeslices are parked on their way.
static struct thread *pick(void)
{
	while (rq_bitmap) {
		unsigned p = 31 - (unsigned)__builtin_clz(rq_bitmap);
		struct thread *t = list_first_entry(&rq[p], struct thread, rq_link);

		KASSERT(t && t->state == T_RUNNABLE && t->prio == p);
		rq_remove(t);
		if (!over_budget(t))
			return t;
		timeslice_park(t->proc->ts, t);
	}
	return &idle_thread;
}

static void reap(void)
{
	while (reap_list) {
		struct thread *t = reap_list;

		reap_list = t->reap_next;
		thread_reap(t);
	}
}

void schedule(void)
{
	struct thread *prev = current_thread(), *next;

	percpu()->need_resched = false;
	if (prev->state == T_RUNNING && prev != &idle_thread) {
		if (over_budget(prev))
			timeslice_park(prev->proc->ts, prev);
		else
			sched_enqueue(prev);
	}
	next = pick();
	if (next->slice_left == 0) // a new slice, also when the current thread goes on
		next->slice_left = next->slice;
	next->state = T_RUNNING;
	if (next == prev)
		return;
	if (prev->state == T_DEAD) {
		prev->reap_next = reap_list;
		reap_list = prev;
	}
	arch_switch(percpu(), prev, next);
	reap(); // now on another stack than any thread on the list
}

void sched_yield(void)
{
	struct thread *t = current_thread();

	t->slice_left = t->slice;
	schedule();
}

// Puts t on the deadline list after every thread due no later than ns.
static void deadline_insert(struct thread *t, uint64_t ns)
{
	struct thread *d;

	t->wake_at_ns = ns;
	list_for_each(&deadlines, d, deadline_link) {
		if (d->wake_at_ns > ns) {
			list_insert_before(&d->deadline_link, &t->deadline_link);
			return;
		}
	}
	list_push_back(&deadlines, &t->deadline_link);
}

void sched_sleep_until(uint64_t ns)
{
	struct thread *t = current_thread();

	if (clock_ns() >= ns)
		return;
	t->state = T_BLOCKED;
	deadline_insert(t, ns);
	schedule();
}

void sched_add_deadline(struct thread *t, uint64_t ns)
{
	deadline_insert(t, ns);
}

void sched_remove_deadline(struct thread *t)
{
	if (list_node_linked(&t->deadline_link))
		list_remove(&t->deadline_link);
}

void sched_wake(struct thread *t, long r)
{
	sched_remove_deadline(t);
	t->ipc_result = r;
	t->state = T_INACTIVE;
	sched_enqueue(t);
	if (t->prio > current_thread()->prio)
		percpu()->need_resched = true;
}

void sched_switch_to(struct thread *next)
{
	struct percpu *cpu = percpu();
	struct thread *prev = cpu->current;

	KASSERT(prev->state != T_RUNNING && next->state != T_RUNNABLE);
	cpu->need_resched = false;
	if (next->slice_left == 0)
		next->slice_left = next->slice;
	next->state = T_RUNNING;
	arch_switch(cpu, prev, next);
	if (reap_list)
		reap();
}

void sched_tick(void)
{
	struct thread *t = current_thread();
	uint64_t now = clock_ns();
	struct thread *s;

	while ((s = list_first_entry(&deadlines, struct thread, deadline_link)) && s->wake_at_ns <= now) {
		list_remove(&s->deadline_link);
		if (s->state == T_BLOCKED)
			sched_enqueue(s);
		else // an IPC or notification wait with a deadline
			ipc_timeout(s);
		percpu()->need_resched = true;
	}
	if (t != &idle_thread && t->slice_left && --t->slice_left == 0)
		percpu()->need_resched = true;
	if (t->proc && t->proc->ts && timeslice_charge(t->proc->ts))
		percpu()->need_resched = true;
	notify_timers_tick(now);
	if (clock_ticks() % TIMESLICE_PERIOD == 0) {
		timeslice_new_period();
		percpu()->need_resched = true;
	}
	if (t == &idle_thread && rq_bitmap)
		percpu()->need_resched = true;
}

void sched_wait_idle(bool (*done)(void *), void *arg)
{
	while (!done(arg)) {
		if (!rq_bitmap)
			irq_enable_and_halt();
		schedule();
	}
}

void sched_idle_loop(void)
{
	for (;;) {
		irq_enable_and_halt();
		schedule();
	}
}
