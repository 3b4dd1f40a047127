// SPDX-License-Identifier: MIT
// The scheduler: per-CPU run queues, fixed priorities 0..PRIO_MAX, round robin within a priority,
// time slices counted in timer ticks; the running thread is not on a run queue. Kernel code is
// not preemptible: the switch happens on the way back to user mode or from the idle loop. Every
// function here runs under the big kernel lock (kern/bkl.h).
#pragma once

#include <arch/context.h>
#include <kern/bkl.h>
#include <kern/thread.h>

extern struct thread *sched_reap_list; // dead threads, freed by sched_reap once off their stacks
void sched_reap(void);

// This CPU's queues and idle thread (the current context: the boot thread on CPU 0).
void sched_init_cpu(void);
// Runs the idle loop on the boot stack; never returns.
void sched_idle_loop(void) __noreturn;
void sched_enqueue(struct thread *t); // RUNNABLE, at the tail of its priority
void sched_dequeue(struct thread *t); // off the run queue or sleep list
void schedule(void);                  // picks the next thread (maybe the current one)
void sched_yield(void);               // to the tail of its priority, then schedule
void sched_sleep_until(uint64_t ns);  // blocks the current thread until clock_ns() >= ns
void sched_tick(void);                // timer interrupt: slices and sleepers
// Switches straight to next, a thread that was blocked and is on no queue, without a trip
// through the run queue (IPC donation), also when it last ran on another CPU (it moves here, so
// partners in IPC share a CPU), unless its affinity excludes this CPU: then it is woken on its
// own. The current thread must already be blocked.
void sched_switch_to(struct thread *next);
// Frame mode, the IPC fast paths' switch: a thread that blocks in a fast path has nothing left to
// do when it wakes but return its ipc_result from the kernel call, so its kernel stack need not
// be kept; it says so with frame_resume while it waits. sched_switch_frame(cpu, prev, next,
// result), for a next that waits so and may run on this CPU, from a current thread prev that
// does, does what sched_switch_to does but goes straight to next's user mode from its trap frame,
// with result, leaving next's kernel stack unwound, and blocks prev so that it resumes in
// syscall_resume. A thread in frame mode that something else wakes (a reply by the slow path, a
// timeout, a death) is switched to as any other and ends its call in sched_frame_resumed
// (entry.S's syscall_resume).
static inline __attribute__((always_inline)) void __noreturn sched_switch_frame(struct percpu *cpu,
                                                                                struct thread *prev,
                                                                                struct thread *next,
                                                                                long result)
{
	cpu->need_resched = false;
	if (next->slice_left == 0)
		next->slice_left = next->slice;
	next->state = T_RUNNING;
	next->frame_resume = false;
	next->cpu = cpu->cpu_id;
	if (sched_reap_list)
		sched_reap(); // on prev's stack: no thread on the list runs on it
	arch_switch_frame(cpu, prev, next, result);
}
long sched_frame_resumed(void);
// Puts a thread blocked elsewhere (IPC) on the sleep list too, so it times out at ns.
void sched_add_deadline(struct thread *t, uint64_t ns);
void sched_remove_deadline(struct thread *t);
// Makes a thread blocked in IPC runnable with result r (also off the sleep list), on this CPU if
// its affinity allows.
void sched_wake(struct thread *t, long r);
void sched_wait_idle(bool (*done)(void *), void *arg); // boot thread: run others until done
// On entry from user mode: leaves the CPU while the current thread was stopped or moved by
// another CPU while it ran (killed, suspended, migrated); returns once it may go on here. With
// one CPU running (no kernel lock) nobody else can have.
static inline void sched_entry_check(void)
{
	struct thread *t = current_thread();

	if (!bkl_on)
		return;
	while (t->state != T_RUNNING || t->cpu != cpu_self())
		schedule();
}
// If t runs on another CPU, makes that CPU reschedule and returns true (t's state changed).
bool sched_kick_running(struct thread *t);
// The online CPU of affinity with the least work (running plus queued threads).
unsigned sched_least_loaded(uint64_t affinity);
// Sets t's affinity (bit i: CPU i; at least one online CPU) and moves it off a CPU it excludes.
int sched_set_affinity(struct thread *t, uint64_t mask);
// Check the load balancer's invariant on every tick (core/sched.c): set by the test kernel's
// ktest_run and by balance_check=1 on the command line. Breaches are logged and counted
// (sched_stats).
extern bool sched_balance_check;
// balance=off on the command line: no balancing at all, so that the check can be seen to fail.
extern bool sched_balance_off;
struct exo_sched_stats;
void sched_get_stats(struct exo_sched_stats *st); // the balancer's counters (sched_stats)
// Moves t to CPU cpu (in its affinity mask): at once if queued, on its next way through the
// kernel if it runs, when it wakes if it is blocked.
int sched_migrate(struct thread *t, uint64_t cpu);
