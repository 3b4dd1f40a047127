// SPDX-License-Identifier: MIT
// Notifications: a word of 63 signal bits (bit 63 is reserved so results stay non-negative). signal ORs bits
// in and wakes the first waiter, which takes (and clears) the whole word; wait blocks while the word is zero;
// poll never blocks. An IRQ can be bound to a bit (core/irq.c) and a notification can carry one timer
// (one-shot or periodic), checked on every tick. A notification may forward its signals to a few
// others (notify_forward): a thread that waits on its own notification hears those too - a libos
// thread blocked on a pipe still hears the signals sent to it.
#include <exo/ipc.h>
#include <kern/heap.h>
#include <kern/ipc.h>
#include <kern/irq.h>
#include <kern/panic.h>
#include <kern/sched.h>
#include <kern/syscall.h>

static struct notification *timers; // notifications with an armed timer

void notify_cancel(struct thread *t)
{
	KASSERT(t->blocked.kind == BLOCK_NOTIFICATION && t->state == T_NTFN_WAIT);
	list_remove(&t->wait_link);
	t->blocked.kind = BLOCK_NONE;
}

// Takes the first waiter off n's queue; NULL if none.
static struct thread *waiter_pop(struct notification *n)
{
	struct thread *t = list_first_entry(&n->waiters, struct thread, wait_link);

	if (t)
		notify_cancel(t);
	return t;
}

static void timer_disarm(struct notification *n)
{
	struct notification **pp = &timers;

	if (!n->timer_armed)
		return;
	while (*pp != n)
		pp = &(*pp)->timer_next;
	*pp = n->timer_next;
	n->timer_armed = false;
}

static void forward_drop(struct notification *n, struct ntfn_forward *f)
{
	struct notification *to = f->to;

	f->to = NULL;
	f->bits = 0;
	to->targeted--;
	n->forwards_used--;
	kobj_put(&to->obj);
}

// The notification dies (its last reference went, or its quota was destroyed): no timer, no
// IRQs, no forwarding, every waiter wakes with -EXO_EDEAD.
static void notification_end(struct notification *n)
{
	struct thread *t;

	n->obj.dead = 1;
	timer_disarm(n);
	irq_unbind_all(n);
	for (int i = 0; i < NTFN_FORWARDS; i++)
		if (n->forwards[i].to)
			forward_drop(n, &n->forwards[i]);
	while ((t = waiter_pop(n)))
		sched_wake(t, -EXO_EDEAD);
}

static void notification_release(struct kobj *o)
{
	struct notification *n = (struct notification *)o;

	notification_end(n);
	quota_uncharge(&n->charge);
	kfree(n);
}

static void notification_destroy_charge(struct charge *c)
{
	notification_end((struct notification *)((char *)c - offsetof(struct notification, charge)));
}

static void signal_one(struct notification *n, uint64_t bits)
{
	struct thread *t;

	n->word |= bits;
	if (n->word && (t = waiter_pop(n))) {
		sched_wake(t, (long)n->word);
		n->word = 0;
	}
}

void notify_signal(struct notification *n, uint64_t bits)
{
	signal_one(n, bits);
	for (int i = 0; i < NTFN_FORWARDS; i++) { // one level: a target's own forwards are not followed
		struct ntfn_forward *f = &n->forwards[i];

		if (f->to && f->to->obj.dead)
			forward_drop(n, f);
		else if (f->to)
			signal_one(f->to, f->bits);
	}
}

void notify_timers_tick(uint64_t now)
{
	for (struct notification *n = timers, *next; n; n = next) {
		next = n->timer_next;
		if (now < n->timer_deadline)
			continue;
		notify_signal(n, n->timer_bits);
		// The first period boundary after now; one beyond 2^64 ns means never: disarm.
		uint64_t periods = n->timer_period ? (now - n->timer_deadline) / n->timer_period + 1 : 0;
		if (!periods || n->timer_period > (UINT64_MAX - n->timer_deadline) / periods)
			timer_disarm(n);
		else
			n->timer_deadline += n->timer_period * periods;
	}
}

static int ntfn_lookup(uint64_t h, uint32_t rights, struct notification **n)
{
	struct cap *c;
	int err = lookup(h, EXO_OBJ_NOTIFICATION, rights, &c);

	if (!err)
		*n = (struct notification *)c->obj;
	return err;
}

long sys_notify_create(void)
{
	struct notification *n = kzalloc(sizeof(*n));
	cap_handle_t h;
	int err;

	if (!n)
		return -EXO_ENOMEM;
	err = quota_charge(current_process()->quota, &n->charge, kmalloc_footprint(sizeof(*n)),
	                   notification_destroy_charge);
	if (err) {
		kfree(n);
		return err;
	}
	kobj_init(&n->obj, EXO_OBJ_NOTIFICATION, notification_release);
	list_init(&n->waiters);
	err = cap_insert(&current_process()->cs, &n->obj, EXO_R_ALL, 0, &h);
	kobj_put(&n->obj);
	return err ? err : (long)h;
}

long sys_notify_signal(exo_notification_t ntfn, uint64_t bits)
{
	struct notification *n;
	int err = ntfn_lookup(ntfn, EXO_R_WRITE, &n);

	if (err)
		return err;
	if (bits >> 63) // bit 63 is reserved: wait returns the word as a non-negative value
		return -EXO_EINVAL;
	notify_signal(n, bits);
	return 0;
}

long sys_notify_poll(exo_notification_t ntfn)
{
	struct notification *n;
	long word;
	int err = ntfn_lookup(ntfn, EXO_R_READ, &n);

	if (err)
		return err;
	word = (long)n->word;
	n->word = 0;
	return word;
}

long sys_notify_wait(exo_notification_t ntfn)
{
	struct thread *self = current_thread();
	struct notification *n;
	int err = ntfn_lookup(ntfn, EXO_R_READ, &n);
	long word;

	if (err)
		return err;
	word = (long)n->word;
	n->word = 0;
	if (word)
		return word;
	list_push_back(&n->waiters, &self->wait_link);
	self->blocked = (struct block_on){ .kind = BLOCK_NOTIFICATION, .ntfn = n };
	self->state = T_NTFN_WAIT;
	self->ipc_result = 0;
	schedule();
	return self->ipc_result;
}

long sys_notify_timer(exo_notification_t ntfn, uint64_t bit, uint64_t deadline, uint64_t period)
{
	struct notification *n;
	int err = ntfn_lookup(ntfn, EXO_R_WRITE, &n);

	if (err)
		return err;
	if (bit > 62 || (period && period < 100000)) // at most 10 kHz
		return -EXO_EINVAL;
	timer_disarm(n);
	if (!deadline)
		return 0;
	n->timer_armed = true;
	n->timer_deadline = deadline;
	n->timer_period = period;
	n->timer_bits = 1ull << bit;
	n->timer_next = timers;
	timers = n;
	return 0;
}

long sys_notify_forward(exo_notification_t ntfn, exo_notification_t target, uint64_t bits)
{
	struct ntfn_forward *free = NULL;
	struct notification *n, *to;
	int err = ntfn_lookup(ntfn, EXO_R_READ, &n);

	if (!err)
		err = ntfn_lookup(target, EXO_R_WRITE, &to);
	if (err)
		return err;
	if (bits >> 63 || to == n)
		return -EXO_EINVAL;
	if (bits && (n->targeted || to->forwards_used)) // one level: no chains, so no cycles
		return -EXO_EBUSY;
	for (int i = 0; i < NTFN_FORWARDS; i++) {
		struct ntfn_forward *f = &n->forwards[i];

		if (f->to == to) {
			if (bits)
				f->bits = bits;
			else
				forward_drop(n, f);
			return 0;
		}
		if (!f->to && !free)
			free = f;
	}
	if (!bits)
		return 0;
	if (!free)
		return -EXO_ENOSPC;
	free->to = to;
	free->bits = bits;
	to->targeted++;
	n->forwards_used++;
	kobj_get(&to->obj);
	return 0;
}
