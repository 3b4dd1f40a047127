// SPDX-License-Identifier: MIT
// Endpoints: synchronous IPC (send, call, recv, reply, reply_recv). An endpoint holds one FIFO
// queue of blocked threads and a state that says who they are (kern/ipc.h: idle, senders,
// receivers); every operation is a switch over that state, and ep_enqueue/ep_dequeue assert each
// transition. A blocked thread names what it waits on in its blocked field. A message
// goes straight from one thread to the other: the first four words from the sender's registers
// (or its saved copy if it waited) into the receiver's saved registers, the rest between the two
// IPC buffers, capabilities between the two tables, granted pages into the receiver's window.
//
// Calls use the L4 model of an implicit reply: the receiver of a call remembers its caller
// (reply_to) until it replies; the caller waits in T_IPC_REPLY (blocked on the server). A call
// that finds a receiver waiting switches straight to it (the caller's time slice is donated; no
// run-queue trip), and reply_recv switches straight back, in frame mode when they can
// (kern/sched.h: the thread that blocks keeps no kernel stack, the one that runs leaves from its
// frame). The fast paths at the top of sys_ipc_call and sys_ipc_reply_recv handle that common
// case - short message, no capabilities, partner waiting - with the same lookup as the general
// path and its queue helpers in their unchecked forms.
//
// Death: a server dying wakes its caller with -EXO_EDEAD; a caller dying turns the reply into a
// no-op; an endpoint dies with its owner process, waking everyone queued on it with -EXO_EDEAD.
#include <arch/context.h>
#include <arch/pagetable.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <common/string.h>
#include <exo/ipc.h>
#include <kern/heap.h>
#include <kern/ipc.h>
#include <kern/panic.h>
#include <kern/physmap.h>
#include <kern/quota.h>
#include <kern/sched.h>
#include <kern/syscall.h>
#include <kern/vspace.h>

// ---- the endpoint's state and queue ----

// Threads queue through wait_link, first come first served; the state says who they are.
static inline void ep_check(const struct endpoint *ep)
{
	KASSERT((ep->state == EP_IDLE) == list_empty(&ep->queue));
}

// Queues t, which is about to block in the thread state st stands for: IDLE -> st, or st -> st
// behind the others.
// The fast paths (sys_ipc_call, sys_ipc_reply_recv) make the same transitions through the
// _unchecked forms: a KASSERT there shows in make bench, which measures the debug build. The
// general path checks every transition, as do the tests and the SPIN model of docs/verification.md.
static inline void ep_enqueue_unchecked(struct endpoint *ep, enum ep_state st, struct thread *t)
{
	list_push_back(&ep->queue, &t->wait_link);
	t->blocked = (struct block_on){ .kind = BLOCK_ENDPOINT, .ep = ep };
	ep->state = st;
}

static inline void ep_enqueue(struct endpoint *ep, enum ep_state st, struct thread *t)
{
	KASSERT(st != EP_IDLE && (ep->state == EP_IDLE || ep->state == st));
	KASSERT(t->blocked.kind == BLOCK_NONE);
	ep_enqueue_unchecked(ep, st, t);
}

// Takes t off ep's queue: st -> st, or st -> IDLE with the last thread.
static inline void ep_dequeue_unchecked(struct endpoint *ep, struct thread *t)
{
	list_remove(&t->wait_link);
	t->blocked.kind = BLOCK_NONE;
	if (list_empty(&ep->queue))
		ep->state = EP_IDLE;
}

static inline void ep_dequeue(struct endpoint *ep, struct thread *t)
{
	KASSERT(t->blocked.kind == BLOCK_ENDPOINT && t->blocked.ep == ep && (int)t->state == (int)ep->state);
	ep_dequeue_unchecked(ep, t);
}

// The thread at the head of the queue (NULL when idle).
static inline struct thread *ep_first(const struct endpoint *ep)
{
	ep_check(ep);
	return list_first_entry(&ep->queue, struct thread, wait_link);
}

// The head of a queue that is not empty (its state is not IDLE), unchecked.
static inline struct thread *ep_head_unchecked(const struct endpoint *ep)
{
	return list_entry(ep->queue.head.next, struct thread, wait_link);
}

// ---- endpoint objects ----

// Wakes every queued thread with r: any state -> IDLE.
static void wake_all(struct endpoint *ep, long r)
{
	struct thread *t;

	while ((t = ep_first(ep))) {
		ep_dequeue(ep, t);
		sched_wake(t, r);
	}
}

// The endpoint dies (its owner ended, or its quota was destroyed): everyone queued on it wakes
// with -EXO_EDEAD and its capabilities turn dead. Its memory goes with the last reference.
static void endpoint_end(struct endpoint *ep)
{
	if (ep->owner) {
		struct endpoint **pp = &ep->owner->endpoints;

		while (*pp != ep)
			pp = &(*pp)->owner_next;
		*pp = ep->owner_next;
		ep->owner = NULL;
	}
	ep->obj.dead = 1;
	// Queued threads hold no reference: the last capability can go while they wait.
	wake_all(ep, -EXO_EDEAD);
}

static void endpoint_release(struct kobj *o)
{
	struct endpoint *ep = (struct endpoint *)o;

	endpoint_end(ep);
	quota_uncharge(&ep->charge);
	kfree(ep);
}

static void endpoint_destroy_charge(struct charge *c)
{
	endpoint_end((struct endpoint *)((char *)c - offsetof(struct endpoint, charge)));
}

long sys_endpoint_create(void)
{
	struct process *p = current_process();
	struct endpoint *ep = kzalloc(sizeof(*ep));
	cap_handle_t h;
	int err;

	if (!ep)
		return -EXO_ENOMEM;
	err = quota_charge(p->quota, &ep->charge, kmalloc_footprint(sizeof(*ep)), endpoint_destroy_charge);
	if (err) {
		kfree(ep);
		return err;
	}
	kobj_init(&ep->obj, EXO_OBJ_ENDPOINT, endpoint_release);
	ep->state = EP_IDLE;
	list_init(&ep->queue);
	ep->owner = p;
	ep->owner_next = p->endpoints;
	p->endpoints = ep;
	err = cap_insert(&p->cs, &ep->obj, EXO_R_ALL, 0, &h);
	kobj_put(&ep->obj);
	return err ? err : (long)h;
}

void endpoints_owner_exit(struct process *p)
{
	while (p->endpoints)
		endpoint_end(p->endpoints);
}

// The endpoint behind h in self's table, with rights; a dead one gives -EXO_EDEAD, so clients
// learn the server is gone rather than that their handle is wrong. Inline: the fast paths use it.
static inline int endpoint_lookup(struct thread *self, uint64_t h, uint32_t rights, struct endpoint **ep,
                                  uint64_t *badge)
{
	struct cap *c = cap_find(&self->proc->cs, h);

	if (!c)
		return -EXO_EBADCAP;
	if (c->obj->type != EXO_OBJ_ENDPOINT)
		return -EXO_ETYPE;
	if (rights & ~c->rights)
		return -EXO_EPERM;
	if (c->obj->dead)
		return -EXO_EDEAD;
	*ep = (struct endpoint *)c->obj;
	*badge = c->badge;
	return 0;
}

// ---- IPC buffers ----

void ipc_buffer_release(struct thread *t)
{
	if (t->ipc_buf_frame)
		uframe_unpin(t->ipc_buf_frame);
	t->ipc_buf_frame = NULL;
	t->ipc_buf = NULL;
}

long sys_ipc_set_buffer(uint64_t page)
{
	struct thread *t = current_thread();
	paddr_t pa;
	unsigned prot;
	struct uframe *f;

	if (page == 0) {
		ipc_buffer_release(t);
		return 0;
	}
	if ((page & PAGE_MASK) || !user_range_ok(page, PAGE_SIZE))
		return -EXO_EINVAL;
	if (!pt_translate(t->proc->vs.root, page, &pa, &prot) || !(prot & VM_WRITE) || (prot & VM_NOACCESS) ||
	    !(f = uframe_of(pa)))
		return -EXO_EFAULT;
	ipc_buffer_release(t);
	uframe_pin(f); // kept alive while registered, even if unmapped or its quota destroyed meanwhile
	t->ipc_buf_frame = f;
	t->ipc_buf = phys_to_virt(pa);
	return 0;
}

// ---- message transfer ----

// Checks a tag a thread sends: length, capabilities and flags within limits, buffer present
// when the message needs one.
static int check_tag(struct thread *t, uint64_t tag, uint64_t allowed_flags)
{
	if (EXO_TAG_WORDS(tag) > EXO_MSG_MAX_WORDS || (tag & EXO_IPC_FLAGS & ~allowed_flags) ||
	    (tag & EXO_TAG_RESERVED))
		return -EXO_EINVAL;
	if ((EXO_TAG_WORDS(tag) > EXO_MSG_REG_WORDS || EXO_TAG_CAPS(tag) ||
	     (tag & (EXO_IPC_TIMEOUT | EXO_IPC_GRANT))) &&
	    !t->ipc_buf)
		return -EXO_EINVAL;
	return 0;
}

static void set_regs(struct thread *dst, uint64_t tag, uint64_t badge, const uint64_t w[4])
{
	struct trap_frame *tf = thread_frame(dst);

	tf->rsi = tag & ~EXO_IPC_FLAGS;
	tf->rdi = badge;
	tf->rdx = w[0];
	tf->r10 = w[1];
	tf->r8 = w[2];
	tf->r9 = w[3];
}

// A message is checked completely before anything moves, so that it is delivered whole or not
// at all: every capability must exist with the rights its transfer needs (a move twice of the
// same handle is refused), the receiver's table must have room, and every granted page must be
// a user frame the sender maps with at least the rights granted, landing on free window pages.
static int check_caps(struct thread *src, struct thread *dst, unsigned n)
{
	struct cspace *from = &src->proc->cs, *to = &dst->proc->cs;

	if (to->nslots - 1 - to->used < n)
		return -EXO_ENOSPC;
	for (unsigned i = 0; i < n; i++) {
		struct exo_cap_xfer x = src->ipc_buf->caps[i];
		struct cap *c;
		int err;

		if (x.rights & ~(uint64_t)EXO_R_ALL)
			return -EXO_EINVAL;
		err = cap_lookup(from, x.handle, 0, x.move ? EXO_R_GRANT : (uint32_t)x.rights | EXO_R_GRANT,
		                 &c);
		if (err)
			return err;
		for (unsigned j = 0; j < i && x.move; j++)
			if (src->ipc_buf->caps[j].move && src->ipc_buf->caps[j].handle == x.handle)
				return -EXO_EINVAL;
	}
	return 0;
}

static int check_grant(struct thread *src, struct thread *dst)
{
	struct exo_grant g = src->ipc_buf->grant;
	uint64_t window = dst->ipc_buf->recv_window;

	if (!g.pages || g.pages > EXO_GRANT_MAX_PAGES || (g.rights & ~(uint64_t)(EXO_R_READ | EXO_R_WRITE)) ||
	    (g.vaddr & PAGE_MASK) || !user_range_ok(g.vaddr, g.pages * PAGE_SIZE))
		return -EXO_EINVAL;
	if (g.pages > dst->ipc_buf->recv_window_pages || (window & PAGE_MASK) ||
	    !user_range_ok(window, g.pages * PAGE_SIZE))
		return -EXO_EPERM; // the receiver did not open a window that large
	for (uint64_t i = 0; i < g.pages; i++) {
		paddr_t pa;
		unsigned have;

		if (!pt_translate(src->proc->vs.root, g.vaddr + i * PAGE_SIZE, &pa, &have) ||
		    !vspace_mapping_at(&src->proc->vs, g.vaddr + i * PAGE_SIZE) || (have & VM_NOACCESS))
			return -EXO_EFAULT;
		if ((g.rights & EXO_R_WRITE) && !(have & VM_WRITE))
			return -EXO_EPERM; // never more than the sender's own rights
		if (pt_translate(dst->proc->vs.root, window + i * PAGE_SIZE, NULL, NULL))
			return -EXO_EEXIST;
	}
	return 0;
}

// Maps the (checked) grant; only running out of memory for page tables (-EXO_ENOMEM) or W^X
// (-EXO_EBUSY: a writable grant of a frame executable elsewhere) can fail here. Each granted page
// is recorded on the capability the sender's page was mapped with, so revoking that reaches it.
static int do_grant(struct thread *src, struct thread *dst)
{
	struct exo_grant g = src->ipc_buf->grant;
	uint64_t window = dst->ipc_buf->recv_window;
	unsigned prot = VM_READ | ((g.rights & EXO_R_WRITE) ? VM_WRITE : 0);

	for (uint64_t i = 0; i < g.pages; i++) {
		struct mapping *m = vspace_mapping_at(&src->proc->vs, g.vaddr + i * PAGE_SIZE);
		int err = vspace_map(&dst->proc->vs, window + i * PAGE_SIZE, m->frame, prot, m->cap);

		if (err) {
			while (i--)
				vspace_unmap(&dst->proc->vs, window + i * PAGE_SIZE);
			return err;
		}
	}
	dst->ipc_buf->grant = (struct exo_grant){ window, g.pages, g.rights };
	return 0;
}

// Copies, then (after the grant, which may still fail) moves; checked first, so copies and
// moves cannot fail for lack of rights or room.
static void do_copies(struct thread *src, struct thread *dst, unsigned n, cap_handle_t *got)
{
	for (unsigned i = 0; i < n; i++) {
		struct exo_cap_xfer x = src->ipc_buf->caps[i];

		if (!x.move)
			cap_copy(&src->proc->cs, x.handle, &dst->proc->cs, (uint32_t)x.rights, &got[i]);
	}
}

static void undo_copies(struct thread *src, struct thread *dst, unsigned n, const cap_handle_t *got)
{
	for (unsigned i = 0; i < n; i++)
		if (!src->ipc_buf->caps[i].move)
			cap_delete(&dst->proc->cs, got[i]);
}

static void do_moves(struct thread *src, struct thread *dst, unsigned n, cap_handle_t *got)
{
	for (unsigned i = 0; i < n; i++) {
		struct exo_cap_xfer x = src->ipc_buf->caps[i];

		if (x.move)
			cap_move(&src->proc->cs, x.handle, &dst->proc->cs, &got[i]);
		dst->ipc_buf->caps[i] = (struct exo_cap_xfer){ got[i], 0, x.move };
	}
}

// Delivers (tag, w) from src to dst with badge, whole or not at all.
static int transfer(struct thread *src, uint64_t tag, const uint64_t w[4], uint64_t badge, struct thread *dst)
{
	unsigned words = EXO_TAG_WORDS(tag), ncaps = EXO_TAG_CAPS(tag);
	cap_handle_t got[EXO_MSG_MAX_CAPS];
	int err;

	if ((words > EXO_MSG_REG_WORDS || ncaps || (tag & EXO_IPC_GRANT)) && !dst->ipc_buf)
		return -EXO_EINVAL; // the receiver has no buffer for the rest of the message
	err = check_caps(src, dst, ncaps);
	if (!err && (tag & EXO_IPC_GRANT))
		err = check_grant(src, dst);
	if (err)
		return err;
	do_copies(src, dst, ncaps, got);
	if (tag & EXO_IPC_GRANT) {
		err = do_grant(src, dst);
		if (err) {
			undo_copies(src, dst, ncaps, got);
			return err;
		}
	}
	do_moves(src, dst, ncaps, got);
	if (words > EXO_MSG_REG_WORDS)
		memcpy(&dst->ipc_buf->w[EXO_MSG_REG_WORDS], &src->ipc_buf->w[EXO_MSG_REG_WORDS],
		       (words - EXO_MSG_REG_WORDS) * sizeof(uint64_t));
	set_regs(dst, tag, badge, w);
	return 0;
}

// ---- blocking ----

// Blocks the current thread in state st (already queued somewhere); returns its result.
static long block(enum thread_state st, uint64_t tag)
{
	struct thread *t = current_thread();

	t->state = st;
	t->ipc_result = 0;
	if (tag & EXO_IPC_TIMEOUT)
		sched_add_deadline(t, t->ipc_buf->deadline);
	schedule();
	return t->ipc_result;
}

// A call reached server: the caller waits for the reply (the caller's deadline, if any, stays).
// Until the wait ends, server->reply_to names the caller and server->reply_pending is set.
static inline void await_reply_unchecked(struct thread *caller, struct thread *server)
{
	caller->blocked = (struct block_on){ .kind = BLOCK_REPLY, .server = server };
	caller->state = T_IPC_REPLY;
	caller->ipc_result = 0;
	server->reply_to = caller;
	server->reply_pending = true;
}

static inline void await_reply(struct thread *caller, struct thread *server)
{
	KASSERT(caller->blocked.kind == BLOCK_NONE && !server->reply_to);
	await_reply_unchecked(caller, server);
}

// The wait of caller for server's reply ends (reply, timeout, death): both forget it.
static inline void end_reply_wait_unchecked(struct thread *caller, struct thread *server)
{
	caller->blocked.kind = BLOCK_NONE;
	server->reply_to = NULL;
}

static inline void end_reply_wait(struct thread *caller, struct thread *server)
{
	KASSERT(caller->blocked.kind == BLOCK_REPLY && caller->blocked.server == server);
	KASSERT(server->reply_to == caller);
	end_reply_wait_unchecked(caller, server);
}

void ipc_cancel(struct thread *t)
{
	sched_remove_deadline(t);
	switch (t->blocked.kind) {
	case BLOCK_ENDPOINT:
		ep_dequeue(t->blocked.ep, t);
		break;
	case BLOCK_NOTIFICATION:
		notify_cancel(t);
		break;
	case BLOCK_REPLY: // its server forgets it: the reply will be dropped
		end_reply_wait(t, t->blocked.server);
		break;
	case BLOCK_NONE:
		break;
	}
}

void ipc_timeout(struct thread *t)
{
	ipc_cancel(t);
	t->ipc_result = -EXO_ETIMEDOUT;
	t->state = T_INACTIVE;
	sched_enqueue(t);
}

// A dying thread that owed a reply wakes its caller with -EXO_EDEAD (called by thread_kill).
void ipc_thread_dies(struct thread *t)
{
	struct thread *c = t->reply_to;

	if (c) {
		end_reply_wait(c, t);
		sched_wake(c, -EXO_EDEAD);
	}
	ipc_buffer_release(t);
}

// ---- the calls ----

// A tag the fast path takes: at most 4 words (registers only), no capabilities, no flags.
static inline bool fast_tag(uint64_t tag)
{
	return (tag & ~(EXO_TAG_WORDS_MASK | EXO_TAG_LABEL_MASK)) == 0 &&
	       EXO_TAG_WORDS(tag) <= EXO_MSG_REG_WORDS;
}

// The receiver r, just taken off the queue, gets a message from self (checked whole by transfer):
// a send wakes it; a call switches to it and returns the reply.
static long deliver_to_receiver(struct thread *self, struct thread *r, uint64_t tag, bool is_call)
{
	sched_remove_deadline(r);
	r->ipc_result = 0;
	if (!is_call) {
		sched_wake(r, 0);
		return 0;
	}
	await_reply(self, r);
	if (tag & EXO_IPC_TIMEOUT)
		sched_add_deadline(self, self->ipc_buf->deadline);
	sched_switch_to(r);
	return self->ipc_result;
}

static long send_or_call(uint64_t h, uint64_t tag, const uint64_t w[4], bool is_call)
{
	struct thread *self = current_thread(), *r;
	struct endpoint *ep;
	uint64_t badge;
	int err = endpoint_lookup(self, h, EXO_R_WRITE, &ep, &badge);

	if (!err)
		err = check_tag(self, tag, EXO_IPC_FLAGS);
	if (err)
		return err;
	switch (ep->state) {
	case EP_RECV: // RECV -> RECV or IDLE: the first receiver takes the message
		r = ep_first(ep);
		err = transfer(self, tag, w, badge, r);
		if (err)
			return err;
		ep_dequeue(ep, r);
		return deliver_to_receiver(self, r, tag, is_call);
	case EP_IDLE: // IDLE or SEND -> SEND: wait behind the other senders
	case EP_SEND:
		break;
	}
	if (tag & EXO_IPC_NONBLOCK)
		return -EXO_EAGAIN;
	self->ipc_tag = tag;
	self->ipc_badge = badge;
	memcpy(self->ipc_w, w, sizeof(self->ipc_w));
	self->ipc_is_call = is_call;
	ep_enqueue(ep, EP_SEND, self);
	return block(T_IPC_SEND, tag);
}

long sys_ipc_send(exo_endpoint_t ep, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	const uint64_t w[4] = { w0, w1, w2, w3 };

	return send_or_call(ep, tag, w, false);
}

// The receiver's saved registers get the message (the fast path's form of set_regs).
static inline void put_regs(struct thread *dst, uint64_t tag, uint64_t badge, uint64_t w0, uint64_t w1,
                            uint64_t w2, uint64_t w3)
{
	struct trap_frame *tf = thread_frame(dst);

	tf->rsi = tag;
	tf->rdi = badge;
	tf->rdx = w0;
	tf->r10 = w1;
	tf->r8 = w2;
	tf->r9 = w3;
}

// Switches to next, a blocked partner that is to run now with next_result, and returns self's
// result when self runs again: in frame mode (kern/sched.h) when next waits in it and may run on
// this CPU, as all a fast path has left to do is return that result.
static inline long ipc_switch(struct thread *self, struct thread *next, long next_result)
{
	struct percpu *cpu = percpu();

	self->frame_resume = true;
	if (next->frame_resume && (next->affinity & (1ull << cpu->cpu_id)))
		sched_switch_frame(cpu, self, next, next_result);
	sched_switch_to(next);
	self->frame_resume = false;
	return self->ipc_result;
}

static __attribute__((noinline)) long call_slow(uint64_t ep, uint64_t tag, uint64_t w0, uint64_t w1,
                                                uint64_t w2, uint64_t w3)
{
	const uint64_t w[4] = { w0, w1, w2, w3 };

	return send_or_call(ep, tag, w, true);
}

long sys_ipc_call(exo_endpoint_t h, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	struct thread *self = current_thread(), *srv;
	struct endpoint *ep;
	uint64_t badge;

	// Fast path: the first receiver waits without a deadline (RECV -> RECV or IDLE), a short
	// message, nothing else.
	if (endpoint_lookup(self, h, EXO_R_WRITE, &ep, &badge) || !fast_tag(tag) || ep->state != EP_RECV ||
	    list_node_linked(&(srv = ep_head_unchecked(ep))->deadline_link))
		return call_slow(h, tag, w0, w1, w2, w3);
	ep_dequeue_unchecked(ep, srv);
	put_regs(srv, tag, badge, w0, w1, w2, w3);
	srv->ipc_result = 0;
	await_reply_unchecked(self, srv);
	return ipc_switch(self, srv, 0);
}

// Takes the first waiting sender's message if there is one: SEND -> SEND or IDLE; 1 taken, 0 none.
static int take_sender(struct endpoint *ep)
{
	struct thread *self = current_thread(), *s;

	while ((s = ep_first(ep))) {
		int err = transfer(s, s->ipc_tag, s->ipc_w, s->ipc_badge, self);

		ep_dequeue(ep, s);
		if (err) { // the sender's message is bad (or does not fit): it hears why; next one
			sched_wake(s, err);
			continue;
		}
		if (!s->ipc_is_call)
			sched_wake(s, 0);
		else
			await_reply(s, self); // keeps its deadline, if any, for the reply
		return 1;
	}
	return 0;
}

static long recv(uint64_t h, uint64_t tag)
{
	struct thread *self = current_thread();
	struct endpoint *ep;
	uint64_t badge;
	int err = endpoint_lookup(self, h, EXO_R_READ, &ep, &badge);

	if (!err && (tag & ~(EXO_IPC_NONBLOCK | EXO_IPC_TIMEOUT)))
		err = -EXO_EINVAL;
	if (!err && (tag & EXO_IPC_TIMEOUT) && !self->ipc_buf)
		err = -EXO_EINVAL;
	if (err)
		return err;
	if (self->reply_pending) { // one caller at a time: reply (or reply_recv) first
		if (self->reply_to)
			return -EXO_EBUSY;
		self->reply_pending = false; // that caller is gone
	}
	switch (ep->state) {
	case EP_SEND:
		if (take_sender(ep))
			return 0;
		break; // every sender's message was refused: now IDLE
	case EP_IDLE:  // IDLE or RECV -> RECV: wait behind the other receivers
	case EP_RECV:
		break;
	}
	if (tag & EXO_IPC_NONBLOCK)
		return -EXO_EAGAIN;
	ep_enqueue(ep, EP_RECV, self);
	return block(T_IPC_RECV, tag);
}

long sys_ipc_recv(exo_endpoint_t ep, uint64_t tag)
{
	return recv(ep, tag);
}

// The reply to caller c (off the deadline list) was delivered: it ends its wait with result 0
// (not yet woken).
static inline void reply_done_unchecked(struct thread *self, struct thread *c)
{
	end_reply_wait_unchecked(c, self);
	self->reply_pending = false;
	c->ipc_result = 0;
}

static inline void reply_done(struct thread *self, struct thread *c)
{
	KASSERT(c->blocked.kind == BLOCK_REPLY && c->blocked.server == self && self->reply_to == c);
	reply_done_unchecked(self, c);
}

// Delivers the reply; the caller is returned (not yet woken) through *caller, or NULL when the
// caller is gone (the reply is then dropped).
static int do_reply(uint64_t tag, const uint64_t w[4], struct thread **caller)
{
	struct thread *self = current_thread(), *c = self->reply_to;
	int err;

	*caller = NULL;
	if (!self->reply_pending)
		return -EXO_ENOENT;
	err = check_tag(self, tag, 0);
	if (err)
		return err;
	if (!c) {
		self->reply_pending = false;
		return 0; // the caller died or gave up: nobody to answer
	}
	err = transfer(self, tag, w, 0, c);
	if (err)
		return err;
	sched_remove_deadline(c);
	reply_done(self, c);
	*caller = c;
	return 0;
}

long sys_ipc_reply(uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	const uint64_t w[4] = { w0, w1, w2, w3 };
	struct thread *c;
	int err = do_reply(tag, w, &c);

	if (!err && c)
		sched_wake(c, 0);
	return err;
}

// Waits on ep as a receiver (IDLE or RECV -> RECV) while the answered caller c runs at once.
static inline long recv_and_switch(struct thread *self, struct endpoint *ep, struct thread *c)
{
	ep_enqueue_unchecked(ep, EP_RECV, self); // IDLE or RECV, self not blocked (both callers checked)
	self->state = T_IPC_RECV;
	self->ipc_result = 0;
	c->state = T_INACTIVE;
	return ipc_switch(self, c, c->ipc_result);
}

static __attribute__((noinline)) long reply_recv_slow(uint64_t h, uint64_t tag, uint64_t w0, uint64_t w1,
                                                      uint64_t w2, uint64_t w3)
{
	const uint64_t w[4] = { w0, w1, w2, w3 };
	struct thread *self = current_thread(), *c = NULL;
	struct endpoint *ep;
	uint64_t badge;
	int err;

	// The reply goes first: a caller is owed it even if the endpoint died meanwhile (the
	// receive then fails). Looking the endpoint up first lost the reply (found by the SPIN model,
	// docs/verification.md).
	if (self->reply_pending) {
		err = do_reply(tag, w, &c);
		if (err)
			return err;
	}
	err = endpoint_lookup(self, h, EXO_R_READ, &ep, &badge);
	if (err) {
		if (c)
			sched_wake(c, 0);
		return err;
	}
	if (!c)
		return recv(h, 0);
	switch (ep->state) {
	case EP_IDLE: // nothing else to do: wait here and run the caller directly
	case EP_RECV:
		return recv_and_switch(self, ep, c);
	case EP_SEND: // a sender waits: take its message, the caller runs later
		break;
	}
	sched_wake(c, 0);
	return recv(h, 0);
}

long sys_ipc_reply_recv(exo_endpoint_t h, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	struct thread *self = current_thread(), *c = self->reply_to;
	struct endpoint *ep;
	uint64_t badge;

	// Fast path: a short reply to a caller still waiting without a deadline (reply_to set implies
	// reply_pending), nobody queued to send (IDLE or RECV -> RECV): wait here while the caller runs.
	if (endpoint_lookup(self, h, EXO_R_READ, &ep, &badge) || !c || !fast_tag(tag) ||
	    list_node_linked(&c->deadline_link) || ep->state == EP_SEND)
		return reply_recv_slow(h, tag, w0, w1, w2, w3);
	put_regs(c, tag, 0, w0, w1, w2, w3);
	reply_done_unchecked(self, c);
	return recv_and_switch(self, ep, c);
}
