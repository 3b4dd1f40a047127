// SPDX-License-Identifier: MIT
// Endpoints: synchronous IPC (send, call, recv, reply, reply_recv). An endpoint holds two FIFO
// queues of blocked threads, senders and receivers; at most one of them is non-empty. A message
// goes straight from one thread to the other: the first four words from the sender's registers
// (or its saved copy if it waited) into the receiver's saved registers, the rest between the two
// IPC buffers, capabilities between the two tables, granted pages into the receiver's window.
//
// Calls use the L4 model of an implicit reply: the receiver of a call remembers its caller
// (reply_to) until it replies; the caller waits in T_IPC_REPLY. A call that finds a receiver
// waiting switches straight to it (the caller's time slice is donated; no run-queue trip), and
// reply_recv switches straight back. The fast paths at the top of sys_ipc_call and
// sys_ipc_reply_recv handle that common case - short message, no capabilities, partner waiting -
// apart from the general path.
//
// Death: a server dying wakes its caller with -EXO_EDEAD; a caller dying turns the reply into a
// no-op; an endpoint dies with its owner process, waking everyone queued on it with -EXO_EDEAD.
#include <arch/pagetable.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <common/string.h>
#include <exo/ipc.h>
#include <kern/heap.h>
#include <kern/ipc.h>
#include <kern/physmap.h>
#include <kern/quota.h>
#include <kern/sched.h>
#include <kern/syscall.h>
#include <kern/vspace.h>

// ---- thread queues (FIFO, through ipc_next/ipc_prev) ----

void ipc_queue_push(struct thread **head, struct thread **tail, struct thread *t, void *owner)
{
	t->ipc_next = NULL;
	t->ipc_prev = *tail;
	if (*tail)
		(*tail)->ipc_next = t;
	else
		*head = t;
	*tail = t;
	t->ipc_queue = owner;
}

static void queue_unlink(struct thread **head, struct thread **tail, struct thread *t)
{
	if (t->ipc_prev)
		t->ipc_prev->ipc_next = t->ipc_next;
	else
		*head = t->ipc_next;
	if (t->ipc_next)
		t->ipc_next->ipc_prev = t->ipc_prev;
	else
		*tail = t->ipc_prev;
	t->ipc_next = t->ipc_prev = NULL;
	t->ipc_queue = NULL;
}

struct thread *ipc_queue_pop(struct thread **head, struct thread **tail)
{
	struct thread *t = *head;

	if (t)
		queue_unlink(head, tail, t);
	return t;
}

// ---- endpoint objects ----

static void wake_all(struct thread **head, struct thread **tail, long r);

static void endpoint_release(struct kobj *o)
{
	struct endpoint *ep = (struct endpoint *)o;

	// Queued threads hold no reference: the last capability can go while they wait.
	wake_all(&ep->send_head, &ep->send_tail, -EXO_EDEAD);
	wake_all(&ep->recv_head, &ep->recv_tail, -EXO_EDEAD);
	if (ep->owner) {
		struct endpoint **pp = &ep->owner->endpoints;

		while (*pp != ep)
			pp = &(*pp)->owner_next;
		*pp = ep->owner_next;
	}
	kfree(ep);
}

long sys_endpoint_create(void)
{
	struct process *p = current_process();
	struct endpoint *ep = kzalloc(sizeof(*ep));
	cap_handle_t h;
	int err;

	if (!ep)
		return -EXO_ENOMEM;
	kobj_init(&ep->obj, EXO_OBJ_ENDPOINT, endpoint_release);
	ep->owner = p;
	ep->owner_next = p->endpoints;
	p->endpoints = ep;
	err = cap_insert(&p->cs, &ep->obj, EXO_R_ALL, 0, &h);
	kobj_put(&ep->obj);
	return err ? err : (long)h;
}

static void wake_all(struct thread **head, struct thread **tail, long r)
{
	struct thread *t;

	while ((t = ipc_queue_pop(head, tail)))
		sched_wake(t, r);
}

void endpoints_owner_exit(struct process *p)
{
	while (p->endpoints) {
		struct endpoint *ep = p->endpoints;

		p->endpoints = ep->owner_next;
		ep->owner = NULL;
		ep->obj.dead = 1;
		wake_all(&ep->send_head, &ep->send_tail, -EXO_EDEAD);
		wake_all(&ep->recv_head, &ep->recv_tail, -EXO_EDEAD);
	}
}

// The endpoint behind h with rights; a dead one gives -EXO_EDEAD, so clients learn the server
// is gone rather than that their handle is wrong.
static int endpoint_lookup(uint64_t h, uint32_t rights, struct endpoint **ep, uint64_t *badge)
{
	struct cap *c = cap_find(&current_process()->cs, h);

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
		kobj_put(&t->ipc_buf_frame->obj);
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
	if (!pt_translate(t->proc->root, page, &pa, &prot) || !(prot & VM_WRITE) || !(f = uframe_of(pa)))
		return -EXO_EFAULT;
	ipc_buffer_release(t);
	kobj_get(&f->obj); // kept alive while registered, even if unmapped meanwhile
	t->ipc_buf_frame = f;
	t->ipc_buf = phys_to_virt(pa);
	return 0;
}

// ---- message transfer ----

// Checks a tag a thread sends: length, capabilities and flags within limits, buffer present
// when the message needs one.
static int check_tag(struct thread *t, uint64_t tag, uint64_t allowed_flags)
{
	if (EXO_TAG_WORDS(tag) > EXO_MSG_MAX_WORDS || (tag & 0xf000 & ~allowed_flags) || (tag & 0x0c80))
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

		if (!pt_translate(src->proc->root, g.vaddr + i * PAGE_SIZE, &pa, &have) || !uframe_of(pa))
			return -EXO_EFAULT;
		if ((g.rights & EXO_R_WRITE) && !(have & VM_WRITE))
			return -EXO_EPERM; // never more than the sender's own rights
		if (pt_translate(dst->proc->root, window + i * PAGE_SIZE, NULL, NULL))
			return -EXO_EEXIST;
	}
	return 0;
}

// Maps the (checked) grant; only running out of memory for page tables can fail here.
static int do_grant(struct thread *src, struct thread *dst)
{
	struct exo_grant g = src->ipc_buf->grant;
	uint64_t window = dst->ipc_buf->recv_window;
	unsigned prot = VM_READ | ((g.rights & EXO_R_WRITE) ? VM_WRITE : 0);

	for (uint64_t i = 0; i < g.pages; i++) {
		paddr_t pa;
		int err;

		pt_translate(src->proc->root, g.vaddr + i * PAGE_SIZE, &pa, NULL);
		err = vspace_map(dst->proc->root, window + i * PAGE_SIZE, uframe_of(pa), prot);
		if (err) {
			while (i--)
				vspace_unmap(dst->proc->root, window + i * PAGE_SIZE);
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

// Where a waiting caller's wait ends (reply, timeout, death): its server forgets it.
static void unlink_partner(struct thread *caller)
{
	if (caller->ipc_partner && caller->ipc_partner->reply_to == caller)
		caller->ipc_partner->reply_to = NULL;
	caller->ipc_partner = NULL;
}

void ipc_cancel(struct thread *t)
{
	sched_remove_deadline(t);
	if (t->state == T_IPC_SEND)
		queue_unlink(&((struct endpoint *)t->ipc_queue)->send_head,
		             &((struct endpoint *)t->ipc_queue)->send_tail, t);
	else if (t->state == T_IPC_RECV)
		queue_unlink(&((struct endpoint *)t->ipc_queue)->recv_head,
		             &((struct endpoint *)t->ipc_queue)->recv_tail, t);
	else if (t->state == T_NTFN_WAIT)
		queue_unlink(&((struct notification *)t->ipc_queue)->wait_head,
		             &((struct notification *)t->ipc_queue)->wait_tail, t);
	else if (t->state == T_IPC_REPLY)
		unlink_partner(t);
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

	if (c && c->state == T_IPC_REPLY && c->ipc_partner == t) {
		c->ipc_partner = NULL;
		sched_wake(c, -EXO_EDEAD);
	}
	t->reply_to = NULL;
	ipc_buffer_release(t);
}

// ---- the calls ----

// A tag the fast path takes: at most 4 words (registers only), no capabilities, no flags.
static inline bool fast_tag(uint64_t tag)
{
	return (tag & 0xff80) == 0 && (tag & 0x7f) <= EXO_MSG_REG_WORDS;
}

static long send_or_call(uint64_t h, uint64_t tag, const uint64_t w[4], bool is_call)
{
	struct thread *self = current_thread(), *r;
	struct endpoint *ep;
	uint64_t badge;
	int err = endpoint_lookup(h, EXO_R_WRITE, &ep, &badge);

	if (err)
		return err;
	err = check_tag(self, tag, EXO_IPC_FLAGS);
	if (err)
		return err;
	r = ep->recv_head;
	if (r) {
		err = transfer(self, tag, w, badge, r);
		if (err)
			return err;
		queue_unlink(&ep->recv_head, &ep->recv_tail, r);
		sched_remove_deadline(r);
		r->ipc_result = 0;
		if (!is_call) {
			sched_wake(r, 0);
			return 0;
		}
		r->reply_to = self;
		r->reply_pending = true;
		self->ipc_partner = r;
		self->state = T_IPC_REPLY;
		self->ipc_result = 0;
		if (tag & EXO_IPC_TIMEOUT)
			sched_add_deadline(self, self->ipc_buf->deadline);
		sched_switch_to(r);
		return self->ipc_result;
	}
	if (tag & EXO_IPC_NONBLOCK)
		return -EXO_EAGAIN;
	self->ipc_tag = tag;
	self->ipc_badge = badge;
	memcpy(self->ipc_w, w, sizeof(self->ipc_w));
	self->ipc_is_call = is_call;
	ipc_queue_push(&ep->send_head, &ep->send_tail, self, ep);
	return block(T_IPC_SEND, tag);
}

long sys_ipc_send(uint64_t ep, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
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

static __attribute__((noinline)) long call_slow(uint64_t ep, uint64_t tag, uint64_t w0, uint64_t w1,
                                                uint64_t w2, uint64_t w3)
{
	const uint64_t w[4] = { w0, w1, w2, w3 };

	return send_or_call(ep, tag, w, true);
}

long sys_ipc_call(uint64_t ep, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	struct thread *self = current_thread(), *srv;
	struct cap *c = cap_find(&self->proc->cs, ep);
	struct endpoint *e;

	// Fast path: a live endpoint with a receiver waiting, a short message, nothing else.
	if (!c || c->obj->type != EXO_OBJ_ENDPOINT || !(c->rights & EXO_R_WRITE) || c->obj->dead ||
	    !fast_tag(tag) || !(srv = (e = (struct endpoint *)c->obj)->recv_head) || srv->has_deadline)
		return call_slow(ep, tag, w0, w1, w2, w3);
	e->recv_head = srv->ipc_next; // srv is the head: pop it
	if (e->recv_head)
		e->recv_head->ipc_prev = NULL;
	else
		e->recv_tail = NULL;
	srv->ipc_next = NULL;
	srv->ipc_queue = NULL;
	put_regs(srv, tag, c->badge, w0, w1, w2, w3);
	srv->ipc_result = 0;
	srv->reply_to = self;
	srv->reply_pending = true;
	self->ipc_partner = srv;
	self->state = T_IPC_REPLY;
	self->ipc_result = 0;
	sched_switch_to(srv);
	return self->ipc_result;
}

// Takes a waiting sender's message if there is one: 1 taken, 0 none waiting.
static int take_sender(struct endpoint *ep)
{
	struct thread *self = current_thread(), *s;

	while ((s = ep->send_head)) {
		int err = transfer(s, s->ipc_tag, s->ipc_w, s->ipc_badge, self);

		queue_unlink(&ep->send_head, &ep->send_tail, s);
		if (err) { // the sender's message is bad (or does not fit): it hears why; next one
			sched_wake(s, err);
			continue;
		}
		if (!s->ipc_is_call) {
			sched_wake(s, 0);
			return 1;
		}
		s->state = T_IPC_REPLY; // keeps its deadline, if any, for the reply
		s->ipc_partner = self;
		self->reply_to = s;
		self->reply_pending = true;
		return 1;
	}
	return 0;
}

static long recv(uint64_t h, uint64_t tag)
{
	struct thread *self = current_thread();
	struct endpoint *ep;
	uint64_t badge;
	int err = endpoint_lookup(h, EXO_R_READ, &ep, &badge);

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
	if (take_sender(ep))
		return 0;
	if (tag & EXO_IPC_NONBLOCK)
		return -EXO_EAGAIN;
	ipc_queue_push(&ep->recv_head, &ep->recv_tail, self, ep);
	return block(T_IPC_RECV, tag);
}

long sys_ipc_recv(uint64_t ep, uint64_t tag)
{
	return recv(ep, tag);
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
	self->reply_pending = false;
	if (!c)
		return 0; // the caller died or gave up: nobody to answer
	err = transfer(self, tag, w, 0, c);
	if (err) {
		self->reply_pending = true;
		return err;
	}
	self->reply_to = NULL;
	c->ipc_partner = NULL;
	sched_remove_deadline(c);
	c->ipc_result = 0;
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

static __attribute__((noinline)) long reply_recv_slow(uint64_t h, uint64_t tag, uint64_t w0, uint64_t w1,
                                                      uint64_t w2, uint64_t w3)
{
	const uint64_t w[4] = { w0, w1, w2, w3 };
	struct thread *self = current_thread(), *c = NULL;
	struct endpoint *ep;
	uint64_t badge;
	int err = endpoint_lookup(h, EXO_R_READ, &ep, &badge);

	if (err)
		return err;
	if (self->reply_pending) {
		err = do_reply(tag, w, &c);
		if (err)
			return err;
	}
	if (c && !ep->send_head) { // nothing else to do: wait here and run the caller directly
		ipc_queue_push(&ep->recv_head, &ep->recv_tail, self, ep);
		self->state = T_IPC_RECV;
		self->ipc_result = 0;
		c->state = T_INACTIVE;
		sched_switch_to(c);
		return self->ipc_result;
	}
	if (c)
		sched_wake(c, 0);
	return recv(h, 0);
}

long sys_ipc_reply_recv(uint64_t h, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	struct thread *self = current_thread(), *c = self->reply_to;
	struct cap *cap = cap_find(&self->proc->cs, h);
	struct endpoint *ep;

	// Fast path: a short reply to a caller still waiting, nobody queued to send: wait here
	// while the caller runs.
	if (!cap || cap->obj->type != EXO_OBJ_ENDPOINT || !(cap->rights & EXO_R_READ) || cap->obj->dead ||
	    !self->reply_pending || !c || !fast_tag(tag) || c->has_deadline ||
	    (ep = (struct endpoint *)cap->obj)->send_head)
		return reply_recv_slow(h, tag, w0, w1, w2, w3);
	put_regs(c, tag, 0, w0, w1, w2, w3);
	c->ipc_result = 0;
	c->ipc_partner = NULL;
	self->reply_to = NULL;
	self->reply_pending = false;
	ipc_queue_push(&ep->recv_head, &ep->recv_tail, self, ep);
	self->state = T_IPC_RECV;
	self->ipc_result = 0;
	c->state = T_INACTIVE;
	sched_switch_to(c);
	return self->ipc_result;
}
