// SPDX-License-Identifier: MIT
// Scheduler (see kern/sched.h). Each CPU has a run queue per priority, a bitmap of its non-empty
// queues and its idle thread (the boot CPU's is the boot context). A thread is queued on the CPU
// in its cpu field, which its affinity mask allows; IPC donation and wake-ups bring a thread to
// the waker's CPU when its affinity allows, otherwise a wake-up onto another CPU's queue sends it
// a reschedule IPI. The deadline list (sleeps and IPC timeouts) is global and served by CPU 0's
// tick, which also runs the balancer. Dead threads are freed by sched_reap(), after the switch away
// from them. All of it runs under the big kernel lock, which is also what keeps a thread that is
// being switched out from being picked elsewhere before its registers are saved.
#include <arch/context.h>
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <kern/bkl.h>
#include <kern/clock.h>
#include <kern/ipc.h>
#include <kern/panic.h>
#include <kern/sched.h>
#include <kern/timeslice.h>

#define BALANCE_TICKS 20

struct runq {
	struct list q[PRIO_MAX + 1]; // through rq_link; bit p of bitmap: q[p] is not empty
	uint32_t bitmap;
	unsigned nready; // threads on the queues
	struct thread idle;
};

static struct runq rqs[MAX_CPUS];
static struct list deadlines = LIST_INIT(deadlines); // through deadline_link, by wake_at_ns
struct thread *sched_reap_list;                      // dead threads waiting to be freed by sched_reap

#define BIT(cpu) (1ull << (cpu))

void sched_init_cpu(void)
{
	unsigned me = cpu_self();
	struct thread *idle = &rqs[me].idle;

	for (unsigned p = 0; p <= PRIO_MAX; p++)
		list_init(&rqs[me].q[p]);
	idle->state = T_RUNNING;
	idle->obj.refs = 1;
	idle->cpu = me;
	idle->affinity = BIT(me);
	percpu()->current = idle;
	percpu()->idle = idle;
	percpu()->rq = &rqs[me];
}

static void rq_push(struct thread *t)
{
	struct runq *rq = &rqs[t->cpu];

	list_push_back(&rq->q[t->prio], &t->rq_link);
	rq->bitmap |= 1u << t->prio;
	rq->nready++;
}

static void rq_remove(struct runq *rq, struct thread *t)
{
	list_remove(&t->rq_link);
	if (list_empty(&rq->q[t->prio]))
		rq->bitmap &= ~(1u << t->prio);
	rq->nready--;
}

static uint64_t online_mask(void)
{
	return ncpus == 64 ? ~0ull : BIT(ncpus) - 1;
}

// Makes CPU cpu (another one) look at its queue if t should run there before what it runs now.
static void kick(unsigned cpu, const struct thread *t)
{
	const struct thread *cur = cpus[cpu].current;

	if (!cpus[cpu].need_resched && (cur == &rqs[cpu].idle || t->prio > cur->prio))
		smp_send_resched(cpu);
}

unsigned sched_least_loaded(uint64_t affinity)
{
	unsigned best = 0, best_load = ~0u;

	affinity &= online_mask();
	for (unsigned i = 0; i < ncpus; i++) {
		unsigned load = rqs[i].nready + (cpus[i].current != &rqs[i].idle);

		if ((affinity & BIT(i)) && load < best_load) {
			best = i;
			best_load = load;
		}
	}
	return best;
}

void sched_enqueue(struct thread *t)
{
	KASSERT(t->proc && t->state != T_DEAD && t->state != T_RUNNABLE && t->blocked.kind == BLOCK_NONE);
	t->state = T_RUNNABLE;
	t->preempted = false;
	rq_push(t);
	if (t->cpu != cpu_self())
		kick(t->cpu, t);
}

void sched_dequeue(struct thread *t)
{
	if (t->state == T_RUNNABLE) {
		rq_remove(&rqs[t->cpu], t);
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

// The first runnable thread of this CPU's highest priority whose process has CPU budget left;
// threads of exhausted timeslices are parked on their way.
static struct thread *pick(struct runq *rq)
{
	while (rq->bitmap) {
		unsigned p = 31 - (unsigned)__builtin_clz(rq->bitmap);
		struct thread *t = list_first_entry(&rq->q[p], struct thread, rq_link);

		KASSERT(t && t->state == T_RUNNABLE && t->prio == p);
		rq_remove(rq, t);
		if (!over_budget(t))
			return t;
		timeslice_park(t->proc->ts, t);
	}
	return &rq->idle;
}

void sched_reap(void)
{
	while (sched_reap_list) {
		struct thread *t = sched_reap_list;

		sched_reap_list = t->reap_next;
		thread_reap(t);
	}
}

void schedule(void)
{
	struct percpu *cpu = percpu();
	struct thread *prev = cpu->current, *next;
	struct runq *rq = cpu->rq;

	cpu->need_resched = false;
	if (prev->state == T_RUNNING && prev != &rq->idle) {
		if (over_budget(prev)) {
			timeslice_park(prev->proc->ts, prev);
		} else {
			sched_enqueue(prev);
			prev->preempted = true;
		}
	}
	next = pick(rq);
	if (next->slice_left == 0) // a new slice, also when the current thread goes on
		next->slice_left = next->slice;
	next->state = T_RUNNING;
	if (next == prev)
		return;
	if (prev->state == T_DEAD) {
		prev->reap_next = sched_reap_list;
		sched_reap_list = prev;
	}
	arch_switch(cpu, prev, next);
	sched_reap(); // now on another stack than any thread on the list
}

bool sched_kick_running(struct thread *t)
{
	for (unsigned i = 0; i < ncpus; i++) {
		if (i != cpu_self() && cpus[i].current == t) {
			smp_send_resched(i);
			return true;
		}
	}
	return false;
}

// Moves t to CPU cpu: a queued thread at once, a running one on its next way through the kernel
// (sched_entry_check or schedule re-queue it by its cpu field), a blocked one when it wakes.
static void move(struct thread *t, unsigned cpu)
{
	KASSERT_LOCKED();
	KASSERT(t->affinity & BIT(cpu));
	if (t->state == T_RUNNABLE) {
		rq_remove(&rqs[t->cpu], t);
		t->cpu = cpu;
		rq_push(t);
		if (cpu != cpu_self())
			kick(cpu, t);
		return;
	}
	if (t == current_thread())
		percpu()->need_resched = true;
	else
		sched_kick_running(t);
	t->cpu = cpu;
}

int sched_set_affinity(struct thread *t, uint64_t mask)
{
	if (!(mask & online_mask()))
		return -EXO_EINVAL;
	t->affinity = mask;
	if (!(mask & BIT(t->cpu)))
		move(t, sched_least_loaded(mask));
	return 0;
}

int sched_migrate(struct thread *t, uint64_t cpu)
{
	if (cpu >= ncpus || !(t->affinity & BIT(cpu)))
		return -EXO_EINVAL;
	if (cpu != t->cpu)
		move(t, (unsigned)cpu);
	return 0;
}

// Gives every idle CPU with an empty queue one thread of the CPU with the most queued threads that
// may run there and was queued by preemption: a thread that wants the CPU, where a woken thread
// is the partner of the thread that woke it (best on the same CPU) and a new one keeps the order
// it would have on one CPU (user code starts children at a low priority and builds them first).
static void balance(void)
{
	for (unsigned to = 0; to < ncpus; to++) {
		unsigned from = to;
		struct thread *t = NULL;

		if (cpus[to].current != &rqs[to].idle || rqs[to].nready)
			continue;
		for (unsigned i = 0; i < ncpus; i++)
			if (rqs[i].nready > rqs[from].nready)
				from = i;
		for (int p = PRIO_MAX; p >= 0 && !t && from != to; p--)
			list_for_each(&rqs[from].q[p], t, rq_link)
				if (t->preempted && (t->affinity & BIT(to)))
					break;
		if (t)
			move(t, to);
	}
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
	unsigned me = cpu_self();

	sched_remove_deadline(t);
	t->ipc_result = r;
	t->state = T_INACTIVE;
	if (t->affinity & BIT(me)) // to the waker's CPU, as IPC donation does: partners share one
		t->cpu = me;
	sched_enqueue(t);
	if (t->cpu == me && t->prio > current_thread()->prio)
		percpu()->need_resched = true;
}

void sched_switch_to(struct thread *next)
{
	struct percpu *cpu = percpu();
	struct thread *prev = cpu->current;

	KASSERT(prev->state != T_RUNNING && next->state != T_RUNNABLE);
	if (next->cpu != cpu->cpu_id) {
		if (!(next->affinity & BIT(cpu->cpu_id))) { // it may not run here: woken on its CPU
			next->state = T_INACTIVE;
			sched_enqueue(next);
			schedule();
			return;
		}
		next->cpu = cpu->cpu_id;
	}
	cpu->need_resched = false;
	if (next->slice_left == 0)
		next->slice_left = next->slice;
	next->state = T_RUNNING;
	arch_switch(cpu, prev, next);
	if (sched_reap_list)
		sched_reap();
}

long sched_frame_resumed(void)
{
	struct thread *t = current_thread();

	sched_reap(); // what schedule does after its switch
	t->frame_resume = false;
	return t->ipc_result;
}

// CPU 0's part of the tick: deadlines, notification timers, timeslice periods, the balancer.
static void global_tick(uint64_t now)
{
	struct thread *s;

	while ((s = list_first_entry(&deadlines, struct thread, deadline_link)) && s->wake_at_ns <= now) {
		list_remove(&s->deadline_link);
		if (s->state == T_BLOCKED)
			sched_enqueue(s);
		else // an IPC or notification wait with a deadline
			ipc_timeout(s);
		percpu()->need_resched = true;
	}
	notify_timers_tick(now);
	if (clock_ticks() % TIMESLICE_PERIOD == 0) {
		timeslice_new_period();
		percpu()->need_resched = true;
	}
	if (clock_ticks() % BALANCE_TICKS == 0)
		balance();
}

void sched_tick(void)
{
	struct thread *t = current_thread();
	struct runq *rq = percpu()->rq;

	if (cpu_self() == 0)
		global_tick(clock_ns());
	if (t != &rq->idle && t->slice_left && --t->slice_left == 0)
		percpu()->need_resched = true;
	if (t->proc && t->proc->ts && timeslice_charge(t->proc->ts))
		percpu()->need_resched = true;
	if (t == &rq->idle && rq->bitmap)
		percpu()->need_resched = true;
}

// Halts this CPU, without the kernel lock, until it has work: its queue (read without the lock:
// a CPU that fills it also sends a reschedule IPI, which ends the halt) or a reschedule request.
static void idle_wait(void)
{
	struct runq *rq = percpu()->rq;

	if (rq->bitmap)
		return;
	kernel_unlock();
	do
		irq_enable_and_halt();
	while (!__atomic_load_n(&rq->bitmap, __ATOMIC_RELAXED) &&
	       !__atomic_load_n(&percpu()->need_resched, __ATOMIC_RELAXED));
	kernel_lock();
}

void sched_wait_idle(bool (*done)(void *), void *arg)
{
	while (!done(arg)) {
		idle_wait();
		schedule();
	}
}

void sched_idle_loop(void)
{
	for (;;) {
		idle_wait();
		schedule();
	}
}
