// SPDX-License-Identifier: MIT
// CPU time capabilities (see kern/timeslice.h) and their kernel calls. A tick is charged to the
// running thread's process's timeslice; one that has used its budget parks the threads that try
// to run until timeslice_new_period, which sched_tick calls every TIMESLICE_PERIOD ticks.
#include <kern/heap.h>
#include <kern/panic.h>
#include <kern/sched.h>
#include <kern/syscall.h>
#include <kern/timeslice.h>

static struct list all = LIST_INIT(all); // through all_link

static void unpark_all(struct timeslice *ts)
{
	struct thread *t;

	while ((t = list_first_entry(&ts->throttled, struct thread, throttle_link))) {
		timeslice_unpark(t);
		sched_enqueue(t);
	}
}

static void timeslice_release(struct kobj *o)
{
	struct timeslice *ts = (struct timeslice *)o;

	unpark_all(ts); // cannot happen while bound processes live; kept for safety
	list_remove(&ts->all_link);
	if (ts->parent) {
		ts->parent->reserved -= ts->budget;
		kobj_put(&ts->parent->obj);
	}
	kfree(ts);
}

static struct timeslice *timeslice_new(uint32_t budget)
{
	struct timeslice *ts = kzalloc(sizeof(*ts));

	if (!ts)
		return NULL;
	kobj_init(&ts->obj, EXO_OBJ_TIMESLICE, timeslice_release);
	ts->budget = budget;
	list_init(&ts->throttled);
	list_push_front(&all, &ts->all_link);
	return ts;
}

struct timeslice *timeslice_create_root(void)
{
	return timeslice_new(TIMESLICE_PERIOD);
}

int timeslice_split(struct timeslice *ts, uint32_t ticks, struct timeslice **out)
{
	struct timeslice *c;

	if (ticks == 0 || ticks > ts->budget - ts->reserved)
		return -EXO_ENOMEM;
	c = timeslice_new(ticks);
	if (!c)
		return -EXO_ENOMEM;
	ts->reserved += ticks;
	kobj_get(&ts->obj);
	c->parent = ts;
	*out = c;
	return 0;
}

bool timeslice_exhausted(const struct timeslice *ts)
{
	return ts->used >= ts->budget - ts->reserved;
}

bool timeslice_charge(struct timeslice *ts)
{
	ts->used++;
	return timeslice_exhausted(ts);
}

void timeslice_park(struct timeslice *ts, struct thread *t)
{
	if (list_empty(&ts->throttled))
		ts->throttles++; // the first thread parked in this period
	t->state = T_THROTTLED;
	list_push_front(&ts->throttled, &t->throttle_link);
}

void timeslice_unpark(struct thread *t)
{
	KASSERT(t->state == T_THROTTLED);
	list_remove(&t->throttle_link);
	t->state = T_INACTIVE;
}

void timeslice_new_period(void)
{
	struct timeslice *ts;

	list_for_each(&all, ts, all_link) {
		ts->used = 0;
		unpark_all(ts);
	}
}

long sys_timeslice_split(exo_timeslice_t ts, uint64_t ticks)
{
	struct cap *c;
	struct timeslice *child;
	cap_handle_t h;
	int err = lookup(ts, EXO_OBJ_TIMESLICE, EXO_R_WRITE, &c);

	if (err)
		return err;
	if (ticks > TIMESLICE_PERIOD)
		return -EXO_EINVAL;
	err = timeslice_split((struct timeslice *)c->obj, (uint32_t)ticks, &child);
	if (err)
		return err;
	err = cap_insert(&current_process()->cs, &child->obj, EXO_R_ALL, 0, &h);
	kobj_put(&child->obj);
	return err ? err : (long)h;
}

long sys_process_set_timeslice(exo_process_t process, exo_timeslice_t ts)
{
	struct cap *pc, *tc;
	struct process *p;
	int err = lookup(process, EXO_OBJ_PROCESS, EXO_R_CONTROL, &pc);

	if (!err)
		err = lookup(ts, EXO_OBJ_TIMESLICE, EXO_R_WRITE, &tc);
	if (err)
		return err;
	p = (struct process *)pc->obj;
	if (p->ts)
		return -EXO_EBUSY; // bound once: a child cannot escape its budget
	p->ts = (struct timeslice *)tc->obj;
	kobj_get(tc->obj);
	return 0;
}
