// SPDX-License-Identifier: MIT
// Runs the boot module as init until it exits, twice: passes when both runs exit with status 0,
// the load balancer's invariant never broke (core/sched.c) and the second run gives back every
// frame it took (exact accounting; the first run may leave kernel tables that live on, such as
// the page tables of the kernel-stack region).
// User-space tests are programs in tests/qemu/user/.
#include <exo/types.h>
#include <kern/frame.h>
#include <kern/heap.h>
#include <kern/init.h>
#include <kern/ktest.h>
#include <kern/printf.h>
#include <kern/sched.h>

static bool exited(void *p)
{
	return ((struct process *)p)->exited;
}

static void run_init(void)
{
	struct process *p;
	struct exo_sched_stats st;

	KCHECK_EQ(init_start(&p), 0);
	sched_wait_idle(exited, p);
	kprintf("ktest: init exited with status %ld\n", p->exit_status);
	KCHECK_EQ(p->exit_status, 0);
	sched_get_stats(&st);
	kprintf("ktest: balancer: %lu threads pulled to idle CPUs, %lu moved to even queues, %lu "
	        "invariant violations\n",
	        st.idle_pulls, st.periodic_moves, st.violations);
	KCHECK_EQ(st.violations, 0);
	kobj_put(&p->obj);
	heap_check();
}

KTEST(init)
{
	struct frame_stats before, after;

	run_init();
	frame_get_stats(&before);
	run_init();
	frame_get_stats(&after);
	KCHECK_EQ(after.free, before.free);
}
