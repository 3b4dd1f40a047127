// SPDX-License-Identifier: MIT
// Scheduler (see kern/sched.h). Each CPU has a run queue per priority, a bitmap of its non-empty
// queues and its idle thread (the boot CPU's is the boot context). A thread is queued on the CPU
// in its cpu field, which its affinity mask allows; IPC donation and wake-ups bring a thread to
// the waker's CPU when its affinity allows, otherwise a wake-up onto another CPU's queue sends it
// a reschedule IPI. The deadline list (sleeps and IPC timeouts) is global and served by CPU 0's
// tick. Dead threads are freed by sched_reap(), after the switch away from them. All of it runs
// under the big kernel lock, which is also what keeps a thread that is being switched out from
// being picked elsewhere before its registers are saved.
//
// The load balancer (docs/decisions.md, "SMP load balancing") keeps one invariant: no CPU stays
// idle for longer than a balancing period (BALANCE_TICKS) while a thread that may run on it has
// waited as long on the queue of a CPU with two or more threads. A queued thread may run on CPU c
// when its affinity allows c, its process has CPU budget left (a throttled process's threads wait
// for their period where they are) and it is not held back by priority on its own CPU: a thread
// below the one running there whose slice did not run out waits as it would on one CPU (user
// code starts a child at a low priority and finishes building it before it raises it). A CPU
// going idle pulls such a thread, CPU 0's tick pulls one for every CPU that sleeps idle, and
// every BALANCE_TICKS it evens the queues. A thread whose slice ran out moves at once, another (a
// new one, a woken one - the partner of the thread that woke it, best on the same CPU - or one a
// higher priority put back) once it has waited a balancing period, so partners that wake each
// other sooner stay together. The test kernel, or balance_check=1 on the command line, checks the
// invariant on every tick of CPU 0.
#include <arch/context.h>
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <exo/types.h>
#include <kern/bkl.h>
#include <kern/clock.h>
#include <kern/ipc.h>
#include <kern/panic.h>
#include <kern/printf.h>
#include <kern/sched.h>
#include <kern/syscall.h>
#include <kern/timeslice.h>

#define BALANCE_TICKS 10 // the period of queue evening; the invariant may break for no longer

struct runq {
	struct list q[PRIO_MAX + 1]; // through rq_link; bit p of bitmap: q[p] is not empty
	uint32_t bitmap;
	unsigned nready;        // threads on the queues
	unsigned long switches; // by schedule(): an idle CPU that switched ran something (the check)
	struct thread idle;
};

static struct runq rqs[MAX_CPUS];
static struct list deadlines = LIST_INIT(deadlines); // through deadline_link, by wake_at_ns
struct thread *sched_reap_list;                      // dead threads waiting to be freed by sched_reap

bool sched_balance_check; // check the invariant (the test kernel, or balance_check)
bool sched_balance_off;   // no balancing (balance=off): the check can be seen to fail

static struct {
	uint64_t idle_pulls, periodic_moves, violations; // struct exo_sched_stats
	uint64_t shared_tsc, last_tsc, last_busy;        // TSC shared among busy CPUs, at the last tick
} bal;

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
	t->queued_tick = 0; // CPU 0's tick stamps it (stamp_queued): no clock read here
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
static inline __attribute__((always_inline)) struct thread *pick(struct runq *rq)
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

static void move(struct thread *t, unsigned cpu);

static unsigned load_of(unsigned c)
{
	return rqs[c].nready + (cpus[c].current != &rqs[c].idle);
}

static bool is_idle(unsigned c)
{
	return cpus[c].current == &rqs[c].idle && !rqs[c].nready;
}

// Whether t, queued on another CPU, may run on CPU to (see the top of the file).
static bool may_run_on(const struct thread *t, unsigned to)
{
	const struct thread *cur = cpus[t->cpu].current;

	return (t->affinity & BIT(to)) && !over_budget(t) &&
	       (t->preempted || cur == &rqs[t->cpu].idle || t->prio >= cur->prio);
}

// The ticks t has waited on its queue (0 until CPU 0's tick has stamped it).
static uint64_t waited(const struct thread *t, uint64_t now)
{
	return t->queued_tick ? now - t->queued_tick : 0;
}

// Whether the balancer moves t (queued) now: one whose slice ran out at once, another (new, woken,
// put back by a higher priority) once it has waited a balancing period.
static bool movable(const struct thread *t, uint64_t now)
{
	return t->preempted || waited(t, now) >= BALANCE_TICKS;
}

// The first thread of CPU from, highest priority first, that may run on CPU to and that the
// balancer moves now, or if check, that has waited longer than BALANCE_TICKS.
static struct thread *first_for(unsigned from, unsigned to, uint64_t now, bool check)
{
	for (int p = PRIO_MAX; p >= 0; p--) {
		struct thread *t;

		if (!(rqs[from].bitmap & (1u << p)))
			continue;
		list_for_each(&rqs[from].q[p], t, rq_link)
			if ((check ? waited(t, now) > BALANCE_TICKS : movable(t, now)) && may_run_on(t, to))
				return t;
	}
	return NULL;
}

// A thread the balancer moves to CPU to now (movable) from the
// busiest CPU with at least min_load threads (running and queued) that has one; NULL if none.
static struct thread *busiest_for(unsigned to, unsigned min_load)
{
	uint64_t now = clock_ticks();
	struct thread *best = NULL;
	unsigned best_load = 0;

	for (unsigned from = 0; from < ncpus; from++) {
		unsigned load = load_of(from);
		struct thread *t;

		if (from == to || load < min_load || load <= best_load)
			continue;
		t = first_for(from, to, now, false);
		if (t) {
			best = t;
			best_load = load;
		}
	}
	return best;
}

// On-idle balancing, by a CPU that has nothing to run or by CPU 0's tick for a CPU that sleeps
// idle: a thread of a CPU with two or more.
static bool pull(unsigned to)
{
	struct thread *t = busiest_for(to, 2);

	if (!t)
		return false;
	move(t, to);
	bal.idle_pulls++;
	return true;
}

// schedule() found nothing to run on CPU me: what it runs after pulling a thread (off the path of
// the common case: schedule() inlines pick() once).
static __attribute__((noinline)) struct thread *pull_and_pick(struct runq *rq, unsigned me)
{
	return !sched_balance_off && pull(me) ? pick(rq) : &rq->idle;
}

// Stamps the threads queued since the last tick with the tick (so a thread's age on its queue is
// known to a tick, at no cost to sched_enqueue).
static void stamp_queued(uint64_t now)
{
	for (unsigned c = 0; c < ncpus; c++) {
		for (uint32_t bits = rqs[c].bitmap; bits; bits &= bits - 1) {
			struct thread *t;

			list_for_each(&rqs[c].q[__builtin_ctz(bits)], t, rq_link)
				if (!t->queued_tick)
					t->queued_tick = now;
		}
	}
}

// CPU 0's tick: every CPU that sleeps idle pulls; every BALANCE_TICKS, a thread moves to each
// CPU with two fewer threads than the busiest that has one to give (twice at most).
static void balance(uint64_t now)
{
	for (unsigned to = 0; to < ncpus; to++)
		if (is_idle(to))
			pull(to);
	if (now % BALANCE_TICKS)
		return;
	for (unsigned pass = 0; pass < 2; pass++) {
		for (unsigned to = 0; to < ncpus; to++) {
			struct thread *t = busiest_for(to, load_of(to) + 2);

			if (t) {
				move(t, to);
				bal.periodic_moves++;
			}
		}
	}
}

// The invariant's check, on every tick of CPU 0 after the balancer and apart from it. A CPU that
// has been idle (running nothing) for more than BALANCE_TICKS ticks while a thread that may run on
// it has waited as long on the queue of a CPU with two or more threads is a violation, counted
// and logged once per idle stretch.
struct idle_stretch {
	uint64_t since;         // its first tick (0: the CPU is not idle)
	unsigned long switches; // the CPU's then: if they change, the CPU ran something
	bool reported;
};

static struct idle_stretch idle_stretch[MAX_CPUS];

static void check_invariant(uint64_t now)
{
	for (unsigned to = 0; to < ncpus; to++) {
		struct idle_stretch *s = &idle_stretch[to];
		struct thread *t = NULL;

		if (!is_idle(to) || rqs[to].switches != s->switches || !s->since) {
			s->since = is_idle(to) ? now : 0;
			s->switches = rqs[to].switches;
			s->reported = false;
			continue;
		}
		if (s->reported || now - s->since <= BALANCE_TICKS)
			continue;
		for (unsigned from = 0; from < ncpus && !t; from++)
			if (from != to && load_of(from) >= 2)
				t = first_for(from, to, now, true);
		if (!t)
			continue;
		s->reported = true;
		bal.violations++;
		klog(LOG_WARN,
		     "sched: balance invariant broken: cpu %u idle for %lu ticks while tid %u (priority %u) "
		     "waited %lu ticks on cpu %u, which has %u threads\n",
		     to, now - s->since, t->tid, t->prio, waited(t, now), t->cpu, load_of(t->cpu));
	}
}

// The TSC shared among the CPUs that run threads: each tick adds the TSC's advance since the last
// one divided by the CPUs that ran threads at the last one. Under QEMU's -icount the CPUs run in
// turn and the TSC counts the instructions of all of them; this is the time CPUs running in
// parallel would have taken.
static void share_tsc(void)
{
	uint64_t tsc = rdtsc(), busy = 0;

	for (unsigned c = 0; c < ncpus; c++)
		busy += cpus[c].current != &rqs[c].idle;
	if (bal.last_tsc)
		bal.shared_tsc += (tsc - bal.last_tsc) / (bal.last_busy ? bal.last_busy : 1);
	bal.last_tsc = tsc;
	bal.last_busy = busy;
}

void sched_get_stats(struct exo_sched_stats *st)
{
	*st = (struct exo_sched_stats){
		.idle_pulls = bal.idle_pulls,
		.periodic_moves = bal.periodic_moves,
		.violations = bal.violations,
		.checking = sched_balance_check,
		.shared_tsc = bal.shared_tsc,
	};
	if (bal.last_tsc) // up to now, at the last tick's share
		st->shared_tsc += (rdtsc() - bal.last_tsc) / (bal.last_busy ? bal.last_busy : 1);
}

long sys_sched_stats(uint64_t out)
{
	struct exo_sched_stats st;

	sched_get_stats(&st);
	return copyout(out, &st, sizeof(st));
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
			prev->preempted = !prev->slice_left; // its slice ran out, not: a higher priority woke
		}
	}
	next = pick(rq);
	if (next == &rq->idle && ncpus > 1)
		next = pull_and_pick(rq, cpu->cpu_id);
	if (next->slice_left == 0) // a new slice, also when the current thread goes on
		next->slice_left = next->slice;
	next->state = T_RUNNING;
	if (next == prev)
		return;
	rq->switches++;
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

// CPU 0's part of the tick: deadlines, notification timers, timeslice periods, the balancer and
// its check.
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
	share_tsc();
	if (ncpus > 1) {
		stamp_queued(clock_ticks());
		if (!sched_balance_off)
			balance(clock_ticks());
		if (sched_balance_check)
			check_invariant(clock_ticks());
	}
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
