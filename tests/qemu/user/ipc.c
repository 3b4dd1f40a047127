// SPDX-License-Identifier: MIT
// IPC, as init: endpoints and notifications under load and under attack. Children spawned from
// this same program (module 0) play servers and clients in roles chosen by their argument; they
// meet the parent in a shared mailbox page and through capabilities it copies into them.
// Covered: ping-pong with a server process (labels, words, badges); three client processes on
// one server (per-badge order, exactly-once answers, FIFO start); long messages through IPC
// buffers; capability transfer (copy, move, every failure leaving the receiver's table as it
// was); memory grants; timeouts and non-blocking calls; server death and endpoint-owner death
// (-EXO_EDEAD); client death (the reply is dropped, the server goes on); notifications (bits,
// waiters, periodic timers, the PIT's IRQ 0 bound to a bit); hostile tags, buffers, handles and
// rights. The kernel runs it twice and checks exact frame accounting on the second run.
#include "testlib.h"

#include <stdbool.h>

#define MAILBOX   0x500000000ull // shared with every child: struct mailbox
#define CHILD_BUF 0x510000000ull // a child's IPC buffer (mapped there by the parent)
#define MAIN_BUF  0x520000000ull // the IPC buffer of the parent's main thread
#define CHILD_WIN 0x530000000ull // the GRANT child's receive windows
#define GRANTS    0x540000000ull // pages the parent grants
#define MISC      0x560000000ull // pages for the hostile-buffer checks
#define THREADS   0x900000000ull // helper threads, 64 KiB each: 4 stack pages, then an IPC buffer
#define KERNEL_VA 0xffff800000000000ull
#define PRIO      16 // the parent's priority; children are raised to it
#define HIGH      20 // helper threads: they run as soon as they are runnable
#define MS        1000000ull
#define RW        (EXO_R_READ | EXO_R_WRITE)
#define BUF(va)   ((struct exo_ipc_buffer *)(va))
#define PROBE     8 // free slots a probe of the CAPS child's table looks at

enum role { PARENT, R_ECHO = 1, R_CLIENT, R_CAPS, R_GRANT, R_DIE, R_OWNER, R_HANG };

// Labels of the protocols between the parent and its children.
enum op {
	OP_STOP = 0x5000,
	OP_REQ,
	OP_ANS,
	OP_INFO,       // report (and maybe delete) the capabilities that came with the message
	OP_PROBE,      // report the handles of the next PROBE free slots of the table
	OP_NAP,        // reply, sleep w[0] ns, then receive again (the next sender finds nobody)
	OP_GIVE,       // reply with capabilities
	OP_CHECK,      // cap_info on handle w[0]
	OP_MUSTFAIL,   // a message the kernel must refuse: the receiver never sees it
	OP_UNEXPECTED, // the receiver saw a message it should not have
	OP_READ,       // a grant arrived: report it and the first word of it
	OP_PEEK,       // read the word at w[0]
	OP_POKE,       // write w[1] at w[0]
	OP_WINDOW,     // receive window: w[0] address, w[1] pages
	OP_DIE,
	OP_HANG,
};

struct slot {
	uint64_t ready;    // parent: the handles below are in place
	uint64_t ep;       // an endpoint capability in the child's table
	uint64_t badge;    // the badge the child should see or carry
	uint64_t go;       // parent: go on (R_OWNER exits)
	uint64_t progress; // child: calls answered so far
	uint64_t result;
};

struct mailbox {
	struct slot s[4];
};

#define MB ((volatile struct mailbox *)MAILBOX)

static const struct exo_bootinfo *bi;
static uint64_t mailbox_frame;

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static struct exo_cap_info info_of(uint64_t h, long *r)
{
	struct exo_cap_info info = { 0 };

	*r = exo_cap_info(h, &info);
	return info;
}

// ---- pages and helper threads of the parent ----

static struct {
	uint64_t va, frame;
} pages[96];
static unsigned npages;

// Maps a fresh frame at va in process with prot. The parent's own pages are remembered for
// unmap_all (returns the frame); a child's mapping takes its frame (EXO_MAP_MOVE; returns 0).
static uint64_t map_page(uint64_t process, uint64_t va, uint64_t prot)
{
	struct exo_map_op op = { 0, va, prot | (process != bi->self ? EXO_MAP_MOVE : 0) };

	CHECK_EQ(exo_frame_alloc(bi->quota, 1, &op.frame), 1);
	CHECK_EQ(exo_vspace_map(process, &op, 1), 1);
	if (process != bi->self)
		return 0;
	CHECK(npages < sizeof(pages) / sizeof(pages[0]));
	pages[npages].va = va;
	pages[npages++].frame = op.frame;
	return op.frame;
}

static void unmap_all(void)
{
	for (unsigned i = 0; i < npages; i++) {
		if (pages[i].va)
			CHECK_EQ(exo_vspace_unmap(bi->self, &pages[i].va, 1), 1);
		CHECK_EQ(exo_cap_delete(pages[i].frame), 0);
	}
	npages = 0;
}

struct helper {
	void (*fn)(struct helper *);
	uint64_t thread, buf, arg, arg2;
	volatile long result;
	volatile uint64_t tag, badge, w0;
	volatile int done;
};

static unsigned nthreads;

static void park(void)
{
	for (;;)
		exo_thread_sleep(~0ull >> 1);
}

static void thread_main(uint64_t arg)
{
	struct helper *h = (struct helper *)arg;

	if (h->buf)
		CHECK_EQ(exo_ipc_set_buffer((void *)h->buf), 0);
	h->fn(h);
	h->done = 1;
	park();
}

// Starts h->fn(h) in a new thread of the parent at prio, with its own IPC buffer if buffer; the
// thread is named after fn in failure reports.
#define START(h, fn, arg, prio, buffer) start(h, fn, #fn, arg, prio, buffer)
static void start(struct helper *h, void (*fn)(struct helper *), const char *name, uint64_t arg,
                  uint64_t prio, bool buffer)
{
	uint64_t base = THREADS + (uint64_t)nthreads++ * 0x10000;
	long t;

	for (unsigned i = 0; i < 4; i++)
		map_page(bi->self, base + i * 0x1000, RW);
	h->buf = 0;
	if (buffer) {
		map_page(bi->self, base + 0x8000, RW);
		h->buf = base + 0x8000;
	}
	h->fn = fn;
	h->arg = arg;
	h->done = 0;
	h->result = 1; // no kernel call returns 1 here: "not set"
	t = exo_thread_create(bi->self, prio);
	CHECK(t > 0);
	h->thread = (uint64_t)t;
	CHECK_EQ(test_thread_start(h->thread, thread_main, base, base + 0x4000, (uint64_t)h, name), 0);
}

static bool wait_done(struct helper *h, uint64_t ms)
{
	uint64_t end = test_now() + ms * MS;

	while (!h->done && test_now() < end)
		test_sleep_ms(1);
	return h->done;
}

static void stop(struct helper *h)
{
	CHECK_EQ(exo_thread_destroy(h->thread), 0);
	CHECK_EQ(exo_cap_delete(h->thread), 0);
}

// ---- children ----

// Spawns a child in role at mailbox slot idx; it starts at the lowest priority and waits for
// slot.ready (run_child raises it to the parent's).
static uint64_t spawn(enum role role, unsigned idx, bool buffer, uint64_t *thread)
{
	uint64_t p = 0, t = 0;
	struct exo_map_op op = { mailbox_frame, MAILBOX, RW };
	volatile struct slot *s = &MB->s[idx];

	s->ready = s->ep = s->badge = s->go = s->progress = s->result = 0;
	CHECK_EQ(exo_spawn(bi->self, bi->quota, &bi->modules[0], "ipc-child", 1, role | idx << 8, &p, &t), 0);
	CHECK_EQ(exo_vspace_map(p, &op, 1), 1);
	if (buffer)
		map_page(p, CHILD_BUF, RW);
	*thread = t;
	return p;
}

static void run_child(unsigned idx, uint64_t thread)
{
	MB->s[idx].ready = 1;
	CHECK_EQ(exo_thread_set_prio(thread, PRIO), 0);
}

static void reap(uint64_t p, uint64_t t)
{
	CHECK_EQ(exo_cap_delete(t), 0);
	CHECK_EQ(exo_cap_delete(p), 0);
}

// R_ECHO: answers calls (label + 1, words transformed, the badge it saw in w[3]) until OP_STOP,
// checking the sequence and the badge.
static int child_echo(volatile struct slot *s)
{
	struct exo_msg m = { 0 };
	uint64_t n = 0;
	long r = exo_recv(s->ep, &m);

	for (;;) {
		CHECK_EQ(r, 0);
		if (r || test_failures() > 5)
			return test_failures() + 1;
		CHECK_EQ(m.badge, s->badge);
		if (EXO_TAG_LABEL(m.tag) == OP_STOP) {
			s->result = n;
			m = (struct exo_msg){ EXO_TAG(OP_STOP, 1, 0), 0, { n, 0, 0, 0 } };
			CHECK_EQ(exo_reply(&m), 0);
			return test_failures();
		}
		CHECK_EQ(m.tag, EXO_TAG(n, 4, 0));
		CHECK(m.w[0] == n && m.w[1] == ~n && m.w[2] == n * 7 && m.w[3] == 0xec40);
		m = (struct exo_msg){ EXO_TAG(n + 1, 4, 0), 0, { 3 * n + 1, n ^ 0xffff, n << 20, m.badge } };
		r = exo_reply_recv(s->ep, &m);
		n++;
	}
}

// R_CLIENT: 200 calls carrying (id, sequence number); the answer must echo both and the badge.
static int child_client(volatile struct slot *s, unsigned id)
{
	for (uint64_t seq = 0; seq < 200; seq++) {
		struct exo_msg m = { EXO_TAG(OP_REQ, 2, 0), 0, { id, seq, 0, 0 } };
		long r = exo_call(s->ep, &m);

		if (r != 0 || m.tag != EXO_TAG(OP_ANS, 3, 0) || m.w[0] != id || m.w[1] != seq ||
		    m.w[2] != s->badge) {
			TEST_FAIL("client %u call %lu: %ld tag %#lx words %lu %lu %lu", id,
			          (unsigned long)seq, r, (unsigned long)m.tag, (unsigned long)m.w[0],
			          (unsigned long)m.w[1], (unsigned long)m.w[2]);
			return 1;
		}
		s->progress = seq + 1;
	}
	return test_failures();
}

// R_CAPS: receives capabilities and reports what arrived in its table.
static int child_caps(volatile struct slot *s)
{
	struct exo_ipc_buffer *b = BUF(CHILD_BUF);
	struct exo_msg m = { 0 }, out;
	long r;

	CHECK_EQ(exo_ipc_set_buffer(b), 0);
	r = exo_recv(s->ep, &m);
	for (;;) {
		uint64_t label = EXO_TAG_LABEL(m.tag);
		unsigned n = EXO_TAG_CAPS(m.tag);

		CHECK_EQ(r, 0);
		if (r)
			return test_failures();
		out = (struct exo_msg){ EXO_TAG(label, 4, 0), 0, { 0 } };
		switch (label) {
		case OP_INFO: // w[0]: delete them afterwards; w[1]: bit i = caps[i] was moved
			out.w[0] = n;
			for (unsigned i = 0; i < n; i++) {
				long e;
				struct exo_cap_info info = info_of(b->caps[i].handle, &e);

				out.w[1 + i] = b->caps[i].handle;
				b->w[4 + 5 * i] = (uint64_t)e;
				b->w[5 + 5 * i] = info.type;
				b->w[6 + 5 * i] = info.rights;
				b->w[7 + 5 * i] = info.a;
				b->w[8 + 5 * i] = info.badge;
				CHECK_EQ(!!b->caps[i].move, (m.w[1] >> i) & 1);
				if (m.w[0])
					CHECK_EQ(exo_cap_delete(b->caps[i].handle), 0);
			}
			out.tag = EXO_TAG(OP_INFO, 4 + 5 * n, 0);
			break;
		case OP_PROBE: { // the handles of the next PROBE free slots, left free again
			uint64_t h[PROBE];

			for (unsigned i = 0; i < PROBE; i++)
				h[i] = (uint64_t)exo_notify_create();
			for (unsigned i = PROBE; i-- > 0;) {
				CHECK_EQ(exo_cap_delete(h[i]), 0);
				if (i < 4)
					out.w[i] = h[i];
				else
					b->w[i] = h[i];
			}
			out.tag = EXO_TAG(OP_PROBE, PROBE, 0);
			break;
		}
		case OP_CHECK: {
			long e;

			(void)info_of(m.w[0], &e);
			out.w[0] = (uint64_t)e;
			break;
		}
		case OP_NAP:
			CHECK_EQ(exo_reply(&out), 0);
			exo_thread_sleep(test_now() + m.w[0]);
			m.tag = 0;
			r = exo_recv(s->ep, &m);
			continue;
		case OP_GIVE: {
			long nf = exo_notify_create();

			CHECK(nf > 0);
			b->caps[0] = (struct exo_cap_xfer){ (uint64_t)nf, RW, 0 };
			out.tag = EXO_TAG(OP_GIVE, 1, 1);
			out.w[0] = (uint64_t)nf;
			break;
		}
		case OP_STOP:
			CHECK_EQ(exo_reply(&out), 0);
			return test_failures();
		default: // the kernel delivered a message it should have refused
			out.tag = EXO_TAG(OP_UNEXPECTED, 4, 0);
			out.w[0] = n;
			for (unsigned i = 0; i < n && i < 3; i++)
				out.w[1 + i] = b->caps[i].handle;
		}
		m = out; // the reply, then the next message
		r = exo_reply_recv(s->ep, &m);
	}
}

// R_GRANT: receives grants into a window and reads or writes them on request.
static int child_grant(volatile struct slot *s)
{
	struct exo_ipc_buffer *b = BUF(CHILD_BUF);
	struct exo_msg m = { 0 }, out;
	long r;

	CHECK_EQ(exo_ipc_set_buffer(b), 0);
	b->recv_window = CHILD_WIN;
	b->recv_window_pages = 2;
	r = exo_recv(s->ep, &m);
	for (;;) {
		uint64_t label = EXO_TAG_LABEL(m.tag);

		CHECK_EQ(r, 0);
		if (r)
			return test_failures();
		out = (struct exo_msg){ EXO_TAG(label, 4, 0), 0, { 0 } };
		switch (label) {
		case OP_READ: // a grant arrived: where, how many pages, which rights, its first word
			CHECK_EQ(m.tag & EXO_IPC_FLAGS, 0);
			out.w[0] = b->grant.vaddr;
			out.w[1] = b->grant.pages;
			out.w[2] = b->grant.rights;
			if (b->grant.vaddr == b->recv_window && b->grant.pages) {
				out.w[3] = *(volatile uint64_t *)b->grant.vaddr;
				b->recv_window += b->grant.pages * 4096; // the next grant goes further up
			}
			break;
		case OP_PEEK:
			out.w[0] = *(volatile uint64_t *)m.w[0];
			break;
		case OP_POKE: // kills the child if the page is read-only
			*(volatile uint64_t *)m.w[0] = m.w[1];
			out.w[0] = 1;
			break;
		case OP_WINDOW:
			b->recv_window = m.w[0];
			b->recv_window_pages = m.w[1];
			break;
		case OP_STOP:
			CHECK_EQ(exo_reply(&out), 0);
			return test_failures();
		default:
			out.tag = EXO_TAG(OP_UNEXPECTED, 4, 0);
			out.w[0] = label;
			out.w[1] = b->grant.vaddr;
		}
		b->grant = (struct exo_grant){ 0, 0, 0 };
		m = out; // the reply, then the next message
		r = exo_reply_recv(s->ep, &m);
	}
}

// R_OWNER: creates two endpoints, hands them to the parent in the reply to its call, and exits
// when told to: both endpoints die with it.
static int child_owner(volatile struct slot *s)
{
	struct exo_ipc_buffer *b = BUF(CHILD_BUF);
	struct exo_msg m = { 0 };
	long e = exo_endpoint_create(), f = exo_endpoint_create();

	CHECK(e > 0 && f > 0);
	CHECK_EQ(exo_ipc_set_buffer(b), 0);
	CHECK_EQ(exo_recv(s->ep, &m), 0);
	b->caps[0] = (struct exo_cap_xfer){ (uint64_t)e, RW | EXO_R_GRANT, 0 };
	b->caps[1] = (struct exo_cap_xfer){ (uint64_t)f, RW, 0 };
	m = (struct exo_msg){ EXO_TAG(OP_GIVE, 0, 2), 0, { 0 } };
	CHECK_EQ(exo_reply(&m), 0);
	while (!s->go)
		test_sleep_ms(1);
	return test_failures();
}

static int child(uint64_t arg)
{
	unsigned role = arg & 0xff, idx = (arg >> 8) & 3;
	volatile struct slot *s = &MB->s[idx];
	struct exo_msg m;

	test_name("ipc (child)");
	while (!s->ready)
		exo_thread_yield();
	switch (role) {
	case R_ECHO:
		return child_echo(s);
	case R_CLIENT:
		return child_client(s, idx);
	case R_CAPS:
		return child_caps(s);
	case R_GRANT:
		return child_grant(s);
	case R_DIE: // receives a call and exits without replying
		m = (struct exo_msg){ 0 };
		CHECK_EQ(exo_recv(s->ep, &m), 0);
		CHECK_EQ(EXO_TAG_LABEL(m.tag), OP_DIE);
		return test_failures();
	case R_OWNER:
		return child_owner(s);
	case R_HANG: // calls and waits for an answer that never comes: the parent kills it
		m = (struct exo_msg){ EXO_TAG(OP_HANG, 1, 0), 0, { 0x4a4e, 0, 0, 0 } };
		s->result = (uint64_t)exo_call(s->ep, &m);
		return 50;
	default:
		return 99;
	}
}

// ---- 1. ping-pong with a server process ----

static void test_ping_pong(void)
{
	uint64_t p, t, ep = (uint64_t)exo_endpoint_create(), badged;
	struct exo_msg m;
	uint64_t i;

	CHECK((long)ep > 0);
	badged = (uint64_t)exo_cap_mint(ep, EXO_R_WRITE, 0xb0b5);
	CHECK((long)badged > 0);
	p = spawn(R_ECHO, 0, false, &t);
	MB->s[0].ep = (uint64_t)exo_cap_copy(ep, p, EXO_R_READ);
	CHECK((long)MB->s[0].ep > 0);
	MB->s[0].badge = 0xb0b5;
	run_child(0, t);
	for (i = 0; i < 1000; i++) {
		m = (struct exo_msg){ EXO_TAG(i, 4, 0), 0, { i, ~i, i * 7, 0xec40 } };
		long r = exo_call(badged, &m);

		if (r || m.tag != EXO_TAG(i + 1, 4, 0) || m.badge != 0 || m.w[0] != 3 * i + 1 ||
		    m.w[1] != (i ^ 0xffff) || m.w[2] != i << 20 || m.w[3] != 0xb0b5) {
			TEST_FAIL("ping-pong call %lu: %ld tag %#lx badge %#lx words %#lx %#lx "
			          "%#lx %#lx",
			          (unsigned long)i, r, (unsigned long)m.tag, (unsigned long)m.badge,
			          (unsigned long)m.w[0], (unsigned long)m.w[1], (unsigned long)m.w[2],
			          (unsigned long)m.w[3]);
			break;
		}
	}
	CHECK_EQ(i, 1000);
	m = (struct exo_msg){ EXO_TAG(OP_STOP, 0, 0), 0, { 0 } };
	CHECK_EQ(exo_call(badged, &m), 0);
	CHECK_EQ(m.tag, EXO_TAG(OP_STOP, 1, 0));
	CHECK_EQ(m.w[0], 1000);
	CHECK_EQ(test_wait_status(p, 3000), 0);
	reap(p, t);
	CHECK_EQ(exo_cap_delete(badged), 0);
	CHECK_EQ(exo_cap_delete(ep), 0);
}

// ---- 2. many clients on one server ----

// Sends OP_STOP on ep (badge 0) after arg ms unless stopped first: a server loop never hangs.
static uint64_t watchdog_ep;

static void watchdog(struct helper *h)
{
	struct exo_msg m = { EXO_TAG(OP_STOP, 0, 0), 0, { 0 } };

	test_sleep_ms(h->arg);
	exo_printf("ipc: watchdog fired after %lu ms\n", (unsigned long)h->arg);
	h->result = exo_send(watchdog_ep, &m);
}

static void test_many_clients(void)
{
	static const unsigned order[3] = { 2, 0, 1 }; // the order in which they queue first
	uint64_t ep = (uint64_t)exo_endpoint_create(), badged[3], p[3], t[3];
	uint64_t next[3] = { 0 }, total = 0, max_spread = 0, first[3] = { 9, 9, 9 };
	struct exo_msg m = { 0 };
	struct helper wd;
	bool pending = false;
	long r;

	CHECK((long)ep > 0);
	for (unsigned i = 0; i < 3; i++) {
		badged[i] = (uint64_t)exo_cap_mint(ep, EXO_R_WRITE | EXO_R_GRANT, 100 + i);
		CHECK((long)badged[i] > 0);
	}
	for (unsigned k = 0; k < 3; k++) { // each one queues its first call before the next starts
		unsigned i = order[k];

		p[i] = spawn(R_CLIENT, i, false, &t[i]);
		MB->s[i].ep = (uint64_t)exo_cap_copy(badged[i], p[i], EXO_R_WRITE);
		CHECK((long)MB->s[i].ep > 0);
		MB->s[i].badge = 100 + i;
		run_child(i, t[i]);
		test_sleep_ms(2);
	}
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(MB->s[i].progress, 0); // nobody has been answered yet
	watchdog_ep = ep;
	START(&wd, watchdog, 3000, HIGH, false);
	for (;;) {
		uint64_t id, lo = ~0ull, hi = 0;

		if (pending) {
			r = exo_reply_recv(ep, &m);
		} else {
			m.tag = 0;
			r = exo_recv(ep, &m);
		}
		CHECK_EQ(r, 0);
		if (r)
			break;
		if (EXO_TAG_LABEL(m.tag) == OP_STOP) {
			CHECK(!"the watchdog stopped the server");
			break;
		}
		id = m.badge - 100;
		if (id >= 3 || m.tag != EXO_TAG(OP_REQ, 2, 0) || m.w[0] != id || m.w[1] != next[id]) {
			TEST_FAIL("request %lu: badge %lu tag %#lx words %lu %lu, expected seq %lu",
			          (unsigned long)total, (unsigned long)m.badge, (unsigned long)m.tag,
			          (unsigned long)m.w[0], (unsigned long)m.w[1],
			          id < 3 ? (unsigned long)next[id] : 0ul);
			break;
		}
		if (total < 3)
			first[total] = id;
		next[id]++;
		total++;
		for (unsigned i = 0; i < 3; i++) {
			lo = next[i] < lo ? next[i] : lo;
			hi = next[i] > hi ? next[i] : hi;
		}
		if (lo < 200 && hi - lo > max_spread)
			max_spread = hi - lo;
		m = (struct exo_msg){ EXO_TAG(OP_ANS, 3, 0), 0, { id, next[id] - 1, 100 + id, 0 } };
		if (total == 600) {
			CHECK_EQ(exo_reply(&m), 0);
			break;
		}
		pending = true;
	}
	stop(&wd);
	// FIFO: the three first calls were served in the order they queued.
	CHECK(first[0] == order[0] && first[1] == order[1] && first[2] == order[2]);
	CHECK_EQ(total, 600);
	for (unsigned i = 0; i < 3; i++) {
		CHECK_EQ(next[i], 200);
		CHECK_EQ(test_wait_status(p[i], 3000), 0);
		CHECK_EQ(MB->s[i].progress, 200); // each answered exactly once, in order, all finished
		reap(p[i], t[i]);
		CHECK_EQ(exo_cap_delete(badged[i]), 0);
	}
	m.tag = EXO_IPC_NONBLOCK;
	CHECK_EQ(exo_recv(ep, &m), -EXO_EAGAIN); // no stray request left
	CHECK_EQ(exo_cap_delete(ep), 0);
	exo_printf("ipc: 3 clients x 200 calls served; largest lead of one client over another %lu\n",
	           (unsigned long)max_spread);
}

// ---- 3. long messages ----

static uint64_t ep_long, ep_nobuf, ep_queued, gate;
static volatile uint64_t got[64];
static volatile unsigned got_n;

// Answers a call of n words with n words, each one more than received; remembers what came.
static void long_server(struct helper *h)
{
	struct exo_ipc_buffer *b = BUF(h->buf);
	struct exo_msg m = { 0 };
	long r = exo_recv(ep_long, &m);

	while (r == 0) {
		unsigned n = EXO_TAG_WORDS(m.tag);

		for (unsigned i = 0; i < n; i++)
			got[i] = i < 4 ? m.w[i] : b->w[i];
		got_n = n;
		if (EXO_TAG_LABEL(m.tag) == OP_STOP) {
			m.tag = EXO_TAG(OP_STOP, 0, 0);
			h->result = exo_reply(&m);
			return;
		}
		for (unsigned i = 0; i < n; i++) {
			if (i < 4)
				m.w[i] = got[i] + 1;
			else
				b->w[i] = got[i] + 1;
		}
		m.tag = EXO_TAG(n, n, 0);
		r = exo_reply_recv(ep_long, &m);
	}
	h->result = r;
}

static uint64_t pattern(unsigned n, unsigned i)
{
	return 0x1000000ull * n + 0x1111 * i + 7;
}

#define SENTINEL 0x5e5e5e5e5e5e5e5eull

static void long_call(unsigned n)
{
	struct exo_ipc_buffer *b = BUF(MAIN_BUF);
	struct exo_msg m = { EXO_TAG(0x10, n, 0), 0, { 0 } };
	long r;

	for (unsigned i = 0; i < 64; i++)
		b->w[i] = SENTINEL;
	for (unsigned i = 0; i < n; i++) {
		if (i < 4)
			m.w[i] = pattern(n, i);
		else
			b->w[i] = pattern(n, i);
	}
	got_n = 0;
	r = exo_call(ep_long, &m);
	CHECK_EQ(r, 0);
	CHECK_EQ(got_n, n);
	CHECK_EQ(m.tag, EXO_TAG(n, n, 0));
	for (unsigned i = 0; i < n; i++) {
		if (got[i] != pattern(n, i) || (i < 4 ? m.w[i] : b->w[i]) != pattern(n, i) + 1) {
			TEST_FAIL("%u-word message, word %u: sent %#lx, server saw %#lx, answer %#lx", n, i,
			          (unsigned long)pattern(n, i), (unsigned long)got[i],
			          (unsigned long)(i < 4 ? m.w[i] : b->w[i]));
			break;
		}
	}
	for (unsigned i = n > 4 ? n : 4; i < 64; i++)
		if (b->w[i] != SENTINEL) {
			TEST_FAIL("%u-word answer wrote word %u of the buffer", n, i);
			break;
		}
}

static volatile uint64_t nb_log[8];
static volatile unsigned nb_count;

// A receiver without an IPC buffer: one receive per signal of the gate.
static void nobuf_receiver(struct helper *h)
{
	(void)h;
	while (exo_notify_wait(gate) > 0) {
		struct exo_msg m = { 0 };
		long r = exo_recv(ep_nobuf, &m);

		nb_log[nb_count++ & 7] = r ? (uint64_t)r : EXO_TAG_LABEL(m.tag);
	}
}

// Sends an arg-word message on endpoint arg2 (queued: nobody receives yet).
static void long_sender(struct helper *h)
{
	struct exo_ipc_buffer *b = BUF(h->buf);
	struct exo_msg m = { EXO_TAG(0x51, h->arg, 0), 0, { 0 } };

	for (unsigned i = 0; i < h->arg; i++) {
		if (i < 4)
			m.w[i] = pattern((unsigned)h->arg, i);
		else
			b->w[i] = pattern((unsigned)h->arg, i);
	}
	h->result = exo_send(h->arg2, &m);
}

static void test_long_messages(void)
{
	struct exo_ipc_buffer *b = BUF(MAIN_BUF);
	struct helper srv, nb, snd, snd2;
	struct exo_msg m;

	ep_long = (uint64_t)exo_endpoint_create();
	ep_nobuf = (uint64_t)exo_endpoint_create();
	ep_queued = (uint64_t)exo_endpoint_create();
	gate = (uint64_t)exo_notify_create();
	CHECK((long)ep_long > 0 && (long)ep_nobuf > 0 && (long)ep_queued > 0 && (long)gate > 0);
	START(&srv, long_server, 0, HIGH, true);
	long_call(4);
	long_call(5);
	long_call(20);
	long_call(64);
	m = (struct exo_msg){ EXO_TAG(OP_STOP, 0, 0), 0, { 0 } };
	CHECK_EQ(exo_call(ep_long, &m), 0);
	CHECK(wait_done(&srv, 100) && srv.result == 0);
	stop(&srv);

	// A receiver without a buffer, waiting: a long message or capabilities fail, nothing arrives.
	START(&nb, nobuf_receiver, 0, HIGH, false);
	CHECK_EQ(exo_notify_signal(gate, 1), 0); // it runs at once and waits in recv
	m = (struct exo_msg){ EXO_TAG(0x41, 20, 0), 0, { 1, 2, 3, 4 } };
	CHECK_EQ(exo_send(ep_nobuf, &m), -EXO_EINVAL);
	b->caps[0] = (struct exo_cap_xfer){ gate, EXO_R_READ, 0 };
	m = (struct exo_msg){ EXO_TAG(0x41, 0, 1), 0, { 0 } };
	CHECK_EQ(exo_send(ep_nobuf, &m), -EXO_EINVAL);
	m = (struct exo_msg){ EXO_TAG(0x41, 5, 0), 0, { 0 } };
	CHECK_EQ(exo_call(ep_nobuf, &m), -EXO_EINVAL);
	CHECK_EQ(nb_count, 0);
	m = (struct exo_msg){ EXO_TAG(0x42, 4, 0), 0, { 0 } };
	CHECK_EQ(exo_send(ep_nobuf, &m), 0);
	CHECK_EQ(nb_count, 1);
	CHECK_EQ(nb_log[0], 0x42);

	// The same with the sender queued first: it hears -EXO_EINVAL, the receiver waits on.
	snd.arg2 = ep_nobuf;
	START(&snd, long_sender, 20, HIGH, true); // runs at once: its send waits in the queue
	test_sleep_ms(1);
	CHECK(!snd.done); // queued: nobody receives
	CHECK_EQ(exo_notify_signal(gate, 1), 0);
	CHECK(wait_done(&snd, 100));
	CHECK_EQ(snd.result, -EXO_EINVAL);
	CHECK_EQ(nb_count, 1);
	m = (struct exo_msg){ EXO_TAG(0x43, 2, 0), 0, { 0 } };
	CHECK_EQ(exo_send(ep_nobuf, &m), 0);
	CHECK_EQ(nb_count, 2);
	CHECK_EQ(nb_log[1], 0x43);
	stop(&nb);
	stop(&snd);

	// A queued 30-word send reaches a receiver with a buffer intact.
	snd2.arg2 = ep_queued;
	START(&snd2, long_sender, 30, HIGH, true);
	test_sleep_ms(1);
	for (unsigned i = 0; i < 64; i++)
		b->w[i] = SENTINEL;
	m = (struct exo_msg){ 0 };
	CHECK_EQ(exo_recv(ep_queued, &m), 0);
	CHECK_EQ(m.tag, EXO_TAG(0x51, 30, 0));
	for (unsigned i = 0; i < 30; i++)
		if ((i < 4 ? m.w[i] : b->w[i]) != pattern(30, i)) {
			TEST_FAIL("queued 30-word message, word %u", i);
			break;
		}
	CHECK_EQ(b->w[30], SENTINEL);
	CHECK(wait_done(&snd2, 100) && snd2.result == 0);
	stop(&snd2);
	CHECK_EQ(exo_cap_delete(ep_long), 0);
	CHECK_EQ(exo_cap_delete(ep_nobuf), 0);
	CHECK_EQ(exo_cap_delete(ep_queued), 0);
	CHECK_EQ(exo_cap_delete(gate), 0);
}

// ---- 4. capability transfer ----

static uint64_t caps_ep;

// A call to the CAPS child carrying n capabilities; w[0] = delete them, w[1] = move bits.
static long caps_call(uint64_t label, unsigned n, const struct exo_cap_xfer *x, bool del, struct exo_msg *m)
{
	uint64_t moves = 0;

	for (unsigned i = 0; i < n; i++) {
		BUF(MAIN_BUF)->caps[i] = x[i];
		moves |= (x[i].move ? 1ull : 0) << i;
	}
	*m = (struct exo_msg){ EXO_TAG(label, 4, n), 0, { del, moves, 0, 0 } };
	return exo_call(caps_ep, m);
}

static void probe(uint64_t h[PROBE])
{
	struct exo_msg m = { EXO_TAG(OP_PROBE, 0, 0), 0, { 0 } };

	CHECK_EQ(exo_call(caps_ep, &m), 0);
	CHECK_EQ(m.tag, EXO_TAG(OP_PROBE, PROBE, 0));
	for (unsigned i = 0; i < PROBE; i++)
		h[i] = i < 4 ? m.w[i] : BUF(MAIN_BUF)->w[i];
}

// The receiver's table holds what it held: the same slots are free. A message refused after a
// capability was made for it may have made and deleted it again (new generation, another
// place in the free list), but a capability left behind takes a free slot away.
static uint64_t last_probe[PROBE];

static void check_table_unchanged(int line)
{
	uint64_t h[PROBE];
	bool same = true;

	probe(h);
	for (unsigned i = 0; i < PROBE; i++) {
		bool found = false;

		for (unsigned j = 0; j < PROBE; j++)
			found = found || (uint32_t)h[j] == (uint32_t)last_probe[i];
		same = same && found;
	}
	if (!same) {
		exo_printf("ipc: the receiver's next free slots:");
		for (unsigned i = 0; i < PROBE; i++)
			exo_printf(" %u", (uint32_t)h[i]);
		exo_printf(", were");
		for (unsigned i = 0; i < PROBE; i++)
			exo_printf(" %u", (uint32_t)last_probe[i]);
		exo_printf("\n");
		test_fail(__FILE__, line, "the receiver's table changed");
	}
	for (unsigned i = 0; i < PROBE; i++)
		last_probe[i] = h[i];
}

// A message the kernel must refuse with err (0: any error), leaving the receiver's table
// unchanged.
static void refused(unsigned n, const struct exo_cap_xfer *x, uint64_t flags, long err, int line)
{
	struct exo_msg m;
	long r;

	for (unsigned i = 0; i < n; i++)
		BUF(MAIN_BUF)->caps[i] = x[i];
	m = (struct exo_msg){ EXO_TAG(OP_MUSTFAIL, 4, n) | flags, 0, { 0 } };
	r = exo_call(caps_ep, &m);
	if (err ? r != err : r >= 0) { // err 0: any error
		test_fail(
		    __FILE__, line,
		    "capability transfer: got %ld, want %ld (0: any error); the receiver answered label "
		    "%#lx: %lu caps arrived, handles %#lx %#lx %#lx",
		    r, err, (unsigned long)EXO_TAG_LABEL(m.tag), (unsigned long)m.w[0], (unsigned long)m.w[1],
		    (unsigned long)m.w[2], (unsigned long)m.w[3]);
	}
	check_table_unchanged(line);
}

#define REFUSED(n, x, flags, err) refused(n, x, flags, err, __LINE__)

// Reported capability i of an OP_INFO answer: error, type, rights, a, badge.
static void check_info(const struct exo_msg *m, unsigned i, uint64_t type, uint64_t rights, uint64_t a,
                       uint64_t badge)
{
	const uint64_t *w = &BUF(MAIN_BUF)->w[4 + 5 * i];

	CHECK_EQ(w[0], 0);
	CHECK_EQ(w[1], type);
	CHECK_EQ(w[2], rights);
	CHECK_EQ(w[3], a);
	CHECK_EQ(w[4], badge);
	CHECK(m->w[1 + i] != 0);
}

static void test_cap_transfer(void)
{
	struct exo_ipc_buffer *b = BUF(MAIN_BUF);
	uint64_t p, t, ep = (uint64_t)exo_endpoint_create(), q, q2, qng, qr, qd, stale, epx, epb, nf, fr;
	struct exo_cap_xfer x[3];
	struct exo_cap_info info;
	struct exo_msg m;
	long e;

	CHECK((long)ep > 0);
	caps_ep = ep;
	p = spawn(R_CAPS, 0, true, &t);
	MB->s[0].ep = (uint64_t)exo_cap_copy(ep, p, EXO_R_READ);
	CHECK((long)MB->s[0].ep > 0);
	run_child(0, t);

	// Copy with fewer rights: the receiver holds the same quota (limit, used) with those rights.
	q = (uint64_t)exo_quota_split(bi->quota, 5);
	CHECK((long)q > 0);
	uint64_t qf[2];

	CHECK_EQ(exo_frame_alloc(q, 2, qf), 2);
	x[0] = (struct exo_cap_xfer){ q, EXO_R_READ, 0 };
	CHECK_EQ(caps_call(OP_INFO, 1, x, true, &m), 0);
	CHECK_EQ(m.tag, EXO_TAG(OP_INFO, 9, 0));
	CHECK_EQ(m.w[0], 1);
	check_info(&m, 0, EXO_OBJ_QUOTA, EXO_R_READ, 5, 0);
	info = info_of(q, &e);
	CHECK(e == 0 && info.rights == EXO_R_ALL && info.b == 2); // the sender's is untouched

	// Move: the receiver gets it with all its rights, the sender's handle turns stale.
	q2 = (uint64_t)exo_quota_split(bi->quota, 3);
	CHECK((long)q2 > 0);
	x[0] = (struct exo_cap_xfer){ q2, 0, 1 };
	CHECK_EQ(caps_call(OP_INFO, 1, x, true, &m), 0);
	check_info(&m, 0, EXO_OBJ_QUOTA, EXO_R_ALL, 3, 0);
	(void)info_of(q2, &e);
	CHECK_EQ(e, -EXO_EBADCAP);
	CHECK_EQ(exo_cap_delete(q2), -EXO_EBADCAP);

	// Three at once: a badged endpoint copied, a notification copied, a frame moved.
	epx = (uint64_t)exo_endpoint_create();
	epb = (uint64_t)exo_cap_mint(epx, EXO_R_WRITE | EXO_R_GRANT, 0x77);
	nf = (uint64_t)exo_notify_create();
	CHECK_EQ(exo_frame_alloc(bi->quota, 1, &fr), 1);
	x[0] = (struct exo_cap_xfer){ epb, EXO_R_WRITE, 0 };
	x[1] = (struct exo_cap_xfer){ nf, RW, 0 };
	x[2] = (struct exo_cap_xfer){ fr, 0, 1 };
	CHECK_EQ(caps_call(OP_INFO, 3, x, true, &m), 0);
	CHECK_EQ(m.tag, EXO_TAG(OP_INFO, 19, 0));
	check_info(&m, 0, EXO_OBJ_ENDPOINT, EXO_R_WRITE, 0, 0x77);
	check_info(&m, 1, EXO_OBJ_NOTIFICATION, RW, 0, 0);
	check_info(&m, 2, EXO_OBJ_FRAME, EXO_R_ALL, 0, 0);
	CHECK(m.w[1] != m.w[2] && m.w[2] != m.w[3] && m.w[1] != m.w[3]);
	(void)info_of(fr, &e);
	CHECK_EQ(e, -EXO_EBADCAP);
	info = info_of(nf, &e);
	CHECK(e == 0 && info.rights == EXO_R_ALL);

	// A copy kept by the receiver dies with a revoke by the sender.
	x[0] = (struct exo_cap_xfer){ q, EXO_R_READ, 0 };
	CHECK_EQ(caps_call(OP_INFO, 1, x, false, &m), 0);
	check_info(&m, 0, EXO_OBJ_QUOTA, EXO_R_READ, 5, 0);
	uint64_t kept = m.w[1];

	CHECK_EQ(exo_cap_revoke(q), 0);
	m = (struct exo_msg){ EXO_TAG(OP_CHECK, 1, 0), 0, { kept, 0, 0, 0 } };
	CHECK_EQ(exo_call(ep, &m), 0);
	CHECK_EQ(m.w[0], -EXO_EBADCAP);

	// Refused transfers: an error, and nothing in the receiver's table.
	qng = (uint64_t)exo_cap_copy(q, 0, RW); // in our own table: no GRANT needed, none given
	qr = (uint64_t)exo_cap_copy(q, 0, EXO_R_READ | EXO_R_GRANT);
	stale = (uint64_t)exo_cap_copy(q, 0, EXO_R_ALL);
	CHECK((long)qng > 0 && (long)qr > 0 && (long)stale > 0);
	CHECK_EQ(exo_cap_delete(stale), 0);
	probe(last_probe);
	x[0] = (struct exo_cap_xfer){ qng, EXO_R_READ, 0 };
	REFUSED(1, x, 0, -EXO_EPERM); // no GRANT right
	x[0] = (struct exo_cap_xfer){ qng, 0, 1 };
	REFUSED(1, x, 0, -EXO_EPERM); // no GRANT right, moved
	info = info_of(qng, &e);
	CHECK(e == 0 && info.rights == RW); // still ours
	x[0] = (struct exo_cap_xfer){ 0x7777000003d1ull, EXO_R_READ, 0 };
	REFUSED(1, x, 0, -EXO_EBADCAP); // no such handle
	x[0] = (struct exo_cap_xfer){ stale, EXO_R_READ, 0 };
	REFUSED(1, x, 0, -EXO_EBADCAP); // deleted
	x[0] = (struct exo_cap_xfer){ stale, 0, 1 };
	REFUSED(1, x, 0, -EXO_EBADCAP); // deleted, moved
	x[0] = (struct exo_cap_xfer){ 0, EXO_R_READ, 0 };
	REFUSED(1, x, 0, -EXO_EBADCAP); // handle 0
	x[0] = (struct exo_cap_xfer){ qr, RW, 0 };
	REFUSED(1, x, 0, -EXO_EPERM); // more rights than the sender has
	x[0] = (struct exo_cap_xfer){ q, 0x20, 0 };
	REFUSED(1, x, 0, -EXO_EINVAL); // not a right
	// A good copy followed by a bad one: the good one must not stay behind.
	x[0] = (struct exo_cap_xfer){ q, EXO_R_READ, 0 };
	x[1] = (struct exo_cap_xfer){ 0x7777000003d1ull, EXO_R_READ, 0 };
	REFUSED(2, x, 0, -EXO_EBADCAP);
	x[0] = (struct exo_cap_xfer){ q, EXO_R_READ, 0 };
	x[1] = (struct exo_cap_xfer){ nf, EXO_R_READ, 0 };
	x[2] = (struct exo_cap_xfer){ qng, EXO_R_READ, 0 };
	REFUSED(3, x, 0, -EXO_EPERM);
	// A bad move before a good copy.
	x[0] = (struct exo_cap_xfer){ qng, 0, 1 };
	x[1] = (struct exo_cap_xfer){ q, EXO_R_READ, 0 };
	REFUSED(2, x, 0, -EXO_EPERM);
	// Capabilities with a grant that fails: the message is not delivered, capabilities included.
	b->grant = (struct exo_grant){ GRANTS, 0, EXO_R_READ };
	x[0] = (struct exo_cap_xfer){ q, EXO_R_READ, 0 };
	REFUSED(1, x, EXO_IPC_GRANT, -EXO_EINVAL);
	// The same handle moved twice in one message: the second move names nothing any more.
	qd = (uint64_t)exo_cap_copy(q, 0, EXO_R_ALL);
	CHECK((long)qd > 0);
	x[0] = (struct exo_cap_xfer){ qd, 0, 1 };
	x[1] = (struct exo_cap_xfer){ qd, 0, 1 };
	REFUSED(2, x, 0, 0);
	info = info_of(qd, &e);
	CHECK_EQ(e, 0); // a refused message moves nothing
	exo_cap_delete(qd);
	// With the sender queued first (the receiver takes the message later): same rules.
	m = (struct exo_msg){ EXO_TAG(OP_NAP, 1, 0), 0, { 5 * MS, 0, 0, 0 } };
	CHECK_EQ(exo_call(ep, &m), 0);
	x[0] = (struct exo_cap_xfer){ q, EXO_R_READ, 0 };
	x[1] = (struct exo_cap_xfer){ 0x7777000003d1ull, EXO_R_READ, 0 };
	REFUSED(2, x, 0, -EXO_EBADCAP);
	m = (struct exo_msg){ EXO_TAG(OP_NAP, 1, 0), 0, { 5 * MS, 0, 0, 0 } };
	CHECK_EQ(exo_call(ep, &m), 0);
	x[0] = (struct exo_cap_xfer){ qng, EXO_R_READ, 0 };
	REFUSED(1, x, 0, -EXO_EPERM);
	// Queued and good: delivered once the receiver comes back.
	m = (struct exo_msg){ EXO_TAG(OP_NAP, 1, 0), 0, { 5 * MS, 0, 0, 0 } };
	CHECK_EQ(exo_call(ep, &m), 0);
	x[0] = (struct exo_cap_xfer){ q, EXO_R_READ | EXO_R_WRITE, 0 };
	CHECK_EQ(caps_call(OP_INFO, 1, x, true, &m), 0);
	check_info(&m, 0, EXO_OBJ_QUOTA, RW, 5, 0);

	// Capabilities travel in replies too.
	m = (struct exo_msg){ EXO_TAG(OP_GIVE, 0, 0), 0, { 0 } };
	b->caps[0].handle = 0;
	CHECK_EQ(exo_call(ep, &m), 0);
	CHECK_EQ(m.tag, EXO_TAG(OP_GIVE, 1, 1));
	info = info_of(b->caps[0].handle, &e);
	CHECK(e == 0 && info.type == EXO_OBJ_NOTIFICATION && info.rights == RW);
	CHECK_EQ(exo_notify_signal(b->caps[0].handle, 2), 0);
	CHECK_EQ(exo_cap_delete(b->caps[0].handle), 0);

	m = (struct exo_msg){ EXO_TAG(OP_STOP, 0, 0), 0, { 0 } };
	CHECK_EQ(exo_call(ep, &m), 0);
	CHECK_EQ(test_wait_status(p, 3000), 0);
	reap(p, t);
	for (unsigned i = 0; i < 2; i++)
		CHECK_EQ(exo_cap_delete(qf[i]), 0);
	CHECK_EQ(exo_cap_delete(qng), 0);
	CHECK_EQ(exo_cap_delete(qr), 0);
	CHECK_EQ(exo_cap_delete(q), 0);
	CHECK_EQ(exo_cap_delete(epb), 0);
	CHECK_EQ(exo_cap_delete(epx), 0);
	CHECK_EQ(exo_cap_delete(nf), 0);
	CHECK_EQ(exo_cap_delete(ep), 0);
}

// ---- 5. memory grants ----

static long grant_call(uint64_t ep, uint64_t va, uint64_t pages, uint64_t rights, struct exo_msg *m)
{
	BUF(MAIN_BUF)->grant = (struct exo_grant){ va, pages, rights };
	*m = (struct exo_msg){ EXO_TAG(OP_READ, 0, 0) | EXO_IPC_GRANT, 0, { 0 } };
	return exo_call(ep, m);
}

static long op(uint64_t ep, uint64_t label, uint64_t w0, uint64_t w1, struct exo_msg *m)
{
	*m = (struct exo_msg){ EXO_TAG(label, 2, 0), 0, { w0, w1, 0, 0 } };
	return exo_call(ep, m);
}

static void test_grants(void)
{
	uint64_t p, t, ep = (uint64_t)exo_endpoint_create(), ro;
	volatile uint64_t *ga = (volatile uint64_t *)GRANTS, *gr = (volatile uint64_t *)(GRANTS + 0x10000);
	volatile uint64_t *gb = (volatile uint64_t *)(GRANTS + 0x20000);
	struct exo_map_op op_ro;
	struct exo_msg m;

	CHECK((long)ep > 0);
	map_page(bi->self, GRANTS, RW); // GRANTS + 0x1000 stays unmapped
	ro = map_page(bi->self, GRANTS + 0x10000, RW);
	map_page(bi->self, GRANTS + 0x20000, RW);
	map_page(bi->self, GRANTS + 0x21000, RW);
	*ga = 0xa11ce;
	*gr = 0x0bad;
	gb[0] = 0xb1;
	gb[512] = 0xb2;
	op_ro = (struct exo_map_op){ ro, GRANTS + 0x10000, EXO_R_READ };
	CHECK_EQ(exo_vspace_protect(bi->self, &op_ro, 1), 1);
	p = spawn(R_GRANT, 0, true, &t);
	MB->s[0].ep = (uint64_t)exo_cap_copy(ep, p, EXO_R_READ);
	CHECK((long)MB->s[0].ep > 0);
	run_child(0, t);

	// Refused grants (the child waits with a 2-page window): nothing is mapped.
	CHECK_EQ(grant_call(ep, GRANTS + 0x10000, 1, RW, &m), -EXO_EPERM);           // we map it read-only
	CHECK_EQ(grant_call(ep, GRANTS + 0x1000, 1, EXO_R_READ, &m), -EXO_EFAULT);   // unmapped
	CHECK_EQ(grant_call(ep, 0x7ffffffff000ull, 1, EXO_R_READ, &m), -EXO_EINVAL); // top page
	CHECK_EQ(grant_call(ep, KERNEL_VA, 1, EXO_R_READ, &m), -EXO_EINVAL);
	CHECK_EQ(grant_call(ep, (uint64_t)bi, 1, EXO_R_READ | EXO_R_WRITE, &m),
	         -EXO_EPERM);                                                 // bootinfo: read-only
	CHECK_EQ(grant_call(ep, GRANTS + 8, 1, EXO_R_READ, &m), -EXO_EINVAL); // unaligned
	CHECK_EQ(grant_call(ep, GRANTS, 0, EXO_R_READ, &m), -EXO_EINVAL);
	CHECK_EQ(grant_call(ep, GRANTS, EXO_GRANT_MAX_PAGES + 1, EXO_R_READ, &m), -EXO_EINVAL);
	CHECK_EQ(grant_call(ep, GRANTS, 1, EXO_R_READ | EXO_R_EXEC, &m), -EXO_EINVAL);
	CHECK_EQ(grant_call(ep, GRANTS + 0x20000, 3, EXO_R_READ, &m), -EXO_EPERM); // window of 2
	CHECK_EQ(grant_call(ep, GRANTS, 2, EXO_R_READ, &m), -EXO_EFAULT);          // 2nd page unmapped

	// Read-only: the child sees our data at its window, and our later writes (shared frame).
	CHECK_EQ(grant_call(ep, GRANTS, 1, EXO_R_READ, &m), 0); // lands where the refused ones did not
	CHECK_EQ(m.tag, EXO_TAG(OP_READ, 4, 0));
	CHECK(m.w[0] == CHILD_WIN && m.w[1] == 1 && m.w[2] == EXO_R_READ && m.w[3] == 0xa11ce);
	*ga = 0xbeef;
	CHECK_EQ(op(ep, OP_PEEK, CHILD_WIN, 0, &m), 0);
	CHECK_EQ(m.w[0], 0xbeef);
	// A page we map read-only can be granted read-only.
	CHECK_EQ(grant_call(ep, GRANTS + 0x10000, 1, EXO_R_READ, &m), 0);
	CHECK(m.w[0] == CHILD_WIN + 0x1000 && m.w[1] == 1 && m.w[3] == 0x0bad);
	// Two pages, writable: the child's write shows in our page.
	CHECK_EQ(grant_call(ep, GRANTS + 0x20000, 2, RW, &m), 0);
	CHECK(m.w[0] == CHILD_WIN + 0x2000 && m.w[1] == 2 && m.w[2] == RW && m.w[3] == 0xb1);
	CHECK_EQ(op(ep, OP_PEEK, CHILD_WIN + 0x3000, 0, &m), 0);
	CHECK_EQ(m.w[0], 0xb2);
	CHECK_EQ(op(ep, OP_POKE, CHILD_WIN + 0x3008, 0x5151, &m), 0);
	CHECK_EQ(gb[513], 0x5151);

	// A window over mapped pages, no window, an unaligned window.
	CHECK_EQ(op(ep, OP_WINDOW, CHILD_WIN, 2, &m), 0);
	CHECK_EQ(grant_call(ep, GRANTS, 1, EXO_R_READ, &m), -EXO_EEXIST);
	CHECK_EQ(op(ep, OP_WINDOW, CHILD_WIN + 0x10000, 0, &m), 0);
	CHECK_EQ(grant_call(ep, GRANTS, 1, EXO_R_READ, &m), -EXO_EPERM);
	CHECK_EQ(op(ep, OP_WINDOW, CHILD_WIN + 0x10008, 1, &m), 0);
	CHECK_EQ(grant_call(ep, GRANTS, 1, EXO_R_READ, &m), -EXO_EPERM);
	CHECK_EQ(op(ep, OP_WINDOW, KERNEL_VA, 1, &m), 0);
	CHECK_EQ(grant_call(ep, GRANTS, 1, EXO_R_READ, &m), -EXO_EPERM);
	CHECK_EQ(op(ep, OP_WINDOW, CHILD_WIN + 0x10000, 1, &m), 0);
	CHECK_EQ(grant_call(ep, GRANTS, 1, EXO_R_READ, &m), 0);
	CHECK(m.w[0] == CHILD_WIN + 0x10000 && m.w[3] == 0xbeef);

	// The read-only grant really is read-only: a write kills the child, our call hears EDEAD.
	CHECK_EQ(op(ep, OP_POKE, CHILD_WIN, 1, &m), -EXO_EDEAD);
	CHECK_EQ(test_wait_status(p, 3000), EXO_STATUS_FAULT(14));
	CHECK_EQ(*ga, 0xbeef);
	reap(p, t);
	CHECK_EQ(exo_cap_delete(ep), 0);
}

// ---- 6. timeouts and non-blocking calls ----

static uint64_t ep6, gate6;

// Receives a call, waits for the gate, then replies (too late) and replies again.
static void slow_server(struct helper *h)
{
	struct exo_msg m = { 0 };

	h->result = exo_recv(ep6, &m);
	h->tag = m.tag;
	exo_notify_wait(gate6);
	m.tag = EXO_TAG(7, 0, 0);
	h->w0 = (uint64_t)exo_reply(&m);
	h->badge = (uint64_t)exo_reply(&m);
}

static void late_sender(struct helper *h)
{
	struct exo_msg m = { EXO_TAG(66, 1, 0), 0, { 6, 0, 0, 0 } };

	test_sleep_ms(5);
	h->result = exo_send(ep6, &m);
}

static void test_timeouts(void)
{
	struct exo_ipc_buffer *b = BUF(MAIN_BUF);
	struct exo_msg m;
	struct helper srv, snd;
	uint64_t t0, t1;
	long r;

	ep6 = (uint64_t)exo_endpoint_create();
	gate6 = (uint64_t)exo_notify_create();
	CHECK((long)ep6 > 0 && (long)gate6 > 0);

	b->deadline = test_now() + 20 * MS;
	m = (struct exo_msg){ EXO_IPC_TIMEOUT, 0, { 0 } };
	r = exo_recv(ep6, &m);
	t1 = test_now();
	CHECK_EQ(r, -EXO_ETIMEDOUT);
	CHECK(t1 >= b->deadline);           // not before the deadline
	CHECK(t1 < b->deadline + 500 * MS); // nor much later
	b->deadline = test_now() + 10 * MS;
	m = (struct exo_msg){ EXO_TAG(1, 0, 0) | EXO_IPC_TIMEOUT, 0, { 0 } };
	CHECK_EQ(exo_call(ep6, &m), -EXO_ETIMEDOUT);
	CHECK(test_now() >= b->deadline);
	b->deadline = test_now() + 10 * MS;
	m = (struct exo_msg){ EXO_TAG(1, 0, 0) | EXO_IPC_TIMEOUT, 0, { 0 } };
	CHECK_EQ(exo_send(ep6, &m), -EXO_ETIMEDOUT);
	CHECK(test_now() >= b->deadline);
	b->deadline = 1; // long past
	m = (struct exo_msg){ EXO_IPC_TIMEOUT, 0, { 0 } };
	CHECK_EQ(exo_recv(ep6, &m), -EXO_ETIMEDOUT);
	// Non-blocking, and the timed-out senders are gone from the queue.
	m = (struct exo_msg){ EXO_IPC_NONBLOCK, 0, { 0 } };
	CHECK_EQ(exo_recv(ep6, &m), -EXO_EAGAIN);
	m = (struct exo_msg){ EXO_TAG(1, 0, 0) | EXO_IPC_NONBLOCK, 0, { 0 } };
	CHECK_EQ(exo_call(ep6, &m), -EXO_EAGAIN);
	m = (struct exo_msg){ EXO_TAG(1, 0, 0) | EXO_IPC_NONBLOCK, 0, { 0 } };
	CHECK_EQ(exo_send(ep6, &m), -EXO_EAGAIN);

	// A call received but not answered in time: the caller gives up; the late reply is dropped.
	START(&srv, slow_server, 0, HIGH, false);
	t0 = test_now();
	b->deadline = t0 + 15 * MS;
	m = (struct exo_msg){ EXO_TAG(5, 0, 0) | EXO_IPC_TIMEOUT, 0, { 0 } };
	CHECK_EQ(exo_call(ep6, &m), -EXO_ETIMEDOUT);
	CHECK(test_now() >= b->deadline);
	CHECK_EQ(srv.result, 0);
	CHECK_EQ(srv.tag, EXO_TAG(5, 0, 0)); // flags do not travel
	CHECK_EQ(exo_notify_signal(gate6, 1), 0);
	CHECK(wait_done(&srv, 100));
	CHECK_EQ(srv.w0, 0);              // nobody to answer: dropped
	CHECK_EQ(srv.badge, -EXO_ENOENT); // and no second reply
	stop(&srv);

	// A receive whose sender comes in time: no timeout, then or later.
	START(&snd, late_sender, 0, HIGH, false);
	t0 = test_now();
	b->deadline = t0 + 50 * MS;
	m = (struct exo_msg){ EXO_IPC_TIMEOUT, 0, { 0 } };
	CHECK_EQ(exo_recv(ep6, &m), 0);
	CHECK(test_now() < b->deadline);
	CHECK(m.tag == EXO_TAG(66, 1, 0) && m.w[0] == 6);
	CHECK(wait_done(&snd, 100) && snd.result == 0);
	test_sleep_ms(60); // past the old deadline: nothing fires
	m = (struct exo_msg){ EXO_IPC_NONBLOCK, 0, { 0 } };
	CHECK_EQ(exo_recv(ep6, &m), -EXO_EAGAIN);
	stop(&snd);
	CHECK_EQ(exo_cap_delete(ep6), 0);
	CHECK_EQ(exo_cap_delete(gate6), 0);
}

// ---- 7. server death ----

static uint64_t ep7;

static void caller7(struct helper *h)
{
	struct exo_msg m = { EXO_TAG(7, 1, 0), 0, { 7, 0, 0, 0 } };

	h->result = exo_call(h->arg, &m);
}

static void receiver7(struct helper *h)
{
	struct exo_msg m = { 0 };

	h->result = exo_recv(h->arg, &m);
}

// Receives two calls on endpoint arg without answering the first.
static void double_receiver(struct helper *h)
{
	struct exo_msg m = { 0 };

	h->result = exo_recv(h->arg, &m);
	m = (struct exo_msg){ 0 };
	h->w0 = (uint64_t)exo_recv(h->arg, &m);
}

static void test_server_death(void)
{
	struct exo_ipc_buffer *b = BUF(MAIN_BUF);
	uint64_t p, t, e, f, epb, epz;
	struct helper c1, c2, r1, rz, sd, d1, d2;
	struct exo_cap_info info;
	struct exo_msg m;
	long r;

	// A server that exits holding our call: EDEAD. The endpoint (ours) lives on.
	ep7 = (uint64_t)exo_endpoint_create();
	CHECK((long)ep7 > 0);
	p = spawn(R_DIE, 0, false, &t);
	MB->s[0].ep = (uint64_t)exo_cap_copy(ep7, p, EXO_R_READ);
	run_child(0, t);
	m = (struct exo_msg){ EXO_TAG(OP_DIE, 0, 0), 0, { 0 } };
	CHECK_EQ(exo_call(ep7, &m), -EXO_EDEAD);
	CHECK_EQ(test_wait_status(p, 3000), 0);
	reap(p, t);
	m = (struct exo_msg){ EXO_TAG(1, 0, 0) | EXO_IPC_NONBLOCK, 0, { 0 } };
	CHECK_EQ(exo_call(ep7, &m), -EXO_EAGAIN);

	// Endpoints die with their owner: everyone queued on them hears EDEAD, and later callers too.
	epb = (uint64_t)exo_endpoint_create();
	p = spawn(R_OWNER, 0, true, &t);
	MB->s[0].ep = (uint64_t)exo_cap_copy(epb, p, EXO_R_READ);
	run_child(0, t);
	b->caps[0].handle = b->caps[1].handle = 0;
	m = (struct exo_msg){ EXO_TAG(OP_GIVE, 0, 0), 0, { 0 } };
	CHECK_EQ(exo_call(epb, &m), 0);
	CHECK_EQ(m.tag, EXO_TAG(OP_GIVE, 0, 2));
	e = b->caps[0].handle;
	f = b->caps[1].handle;
	info = info_of(e, &r);
	CHECK(r == 0 && info.type == EXO_OBJ_ENDPOINT && info.rights == (RW | EXO_R_GRANT));
	START(&c1, caller7, e, HIGH, false);
	START(&c2, caller7, e, HIGH, false);
	START(&r1, receiver7, f, HIGH, false);
	test_sleep_ms(5);
	CHECK(!c1.done && !c2.done && !r1.done); // all queued
	MB->s[0].go = 1;
	CHECK_EQ(test_wait_status(p, 3000), 0);
	CHECK(wait_done(&c1, 200) && wait_done(&c2, 200) && wait_done(&r1, 200));
	CHECK_EQ(c1.result, -EXO_EDEAD);
	CHECK_EQ(c2.result, -EXO_EDEAD);
	CHECK_EQ(r1.result, -EXO_EDEAD);
	m = (struct exo_msg){ EXO_TAG(1, 0, 0), 0, { 0 } };
	CHECK_EQ(exo_call(e, &m), -EXO_EDEAD);
	m = (struct exo_msg){ EXO_TAG(1, 0, 0) | EXO_IPC_NONBLOCK, 0, { 0 } };
	CHECK_EQ(exo_send(e, &m), -EXO_EDEAD);
	m = (struct exo_msg){ 0 };
	CHECK_EQ(exo_recv(f, &m), -EXO_EDEAD);
	(void)info_of(e, &r);
	CHECK_EQ(r, -EXO_EBADCAP); // the object is gone
	stop(&c1);
	stop(&c2);
	stop(&r1);
	reap(p, t);
	CHECK_EQ(exo_cap_delete(e), 0);
	CHECK_EQ(exo_cap_delete(f), 0);
	CHECK_EQ(exo_cap_delete(epb), 0);

	// The last capability of an endpoint deleted while a thread waits on it: EDEAD.
	epz = (uint64_t)exo_endpoint_create();
	START(&rz, receiver7, epz, HIGH, false);
	CHECK(!rz.done);
	CHECK_EQ(exo_cap_delete(epz), 0);
	CHECK(wait_done(&rz, 100));
	CHECK_EQ(rz.result, -EXO_EDEAD);
	stop(&rz);

	// A server receives again before answering a call, then dies: no caller waits on forever.
	// (The second receive may take the second call or be refused; the first caller hears EDEAD
	// when its reply is dropped or when the server dies, the second one at the latest when the
	// endpoint goes.)
	epz = (uint64_t)exo_endpoint_create();
	START(&sd, double_receiver, epz, HIGH, false);
	START(&d1, caller7, epz, HIGH, false);
	START(&d2, caller7, epz, HIGH, false);
	CHECK(sd.result == 0 && !d2.done);
	stop(&sd);
	if (!wait_done(&d1, 100) || d1.result != -EXO_EDEAD) {
		TEST_FAIL("the first caller of a server that died owing it a reply %s (%ld)",
		          d1.done ? "got" : "still waits", (long)d1.result);
	}
	CHECK_EQ(exo_cap_delete(epz), 0);
	CHECK(wait_done(&d2, 100) && d2.result == -EXO_EDEAD);
	stop(&d1);
	stop(&d2);
	CHECK_EQ(exo_cap_delete(ep7), 0);
}

// ---- 8. client death ----

static uint64_t ep8;

static void client8(struct helper *h)
{
	struct exo_msg m = { EXO_TAG(9, 1, 0), 0, { 9, 0, 0, 0 } };

	h->result = exo_call(ep8, &m);
	h->tag = m.tag;
	h->w0 = m.w[0];
}

static void test_client_death(void)
{
	struct exo_ipc_buffer *b = BUF(MAIN_BUF);
	uint64_t p, t, badged;
	struct helper c;
	struct exo_msg m;

	ep8 = (uint64_t)exo_endpoint_create();
	badged = (uint64_t)exo_cap_mint(ep8, EXO_R_WRITE | EXO_R_GRANT, 0x88);
	CHECK((long)ep8 > 0 && (long)badged > 0);
	p = spawn(R_HANG, 0, false, &t);
	MB->s[0].ep = (uint64_t)exo_cap_copy(badged, p, EXO_R_WRITE);
	run_child(0, t);
	b->deadline = test_now() + 2000 * MS;
	m = (struct exo_msg){ EXO_IPC_TIMEOUT, 0, { 0 } };
	CHECK_EQ(exo_recv(ep8, &m), 0);
	CHECK(m.tag == EXO_TAG(OP_HANG, 1, 0) && m.badge == 0x88 && m.w[0] == 0x4a4e);
	CHECK_EQ(exo_process_kill(p, 77), 0);
	CHECK_EQ(test_wait_status(p, 3000), 77);
	CHECK_EQ(MB->s[0].result, 0); // its call never returned
	m = (struct exo_msg){ EXO_TAG(1, 1, 0), 0, { 1, 0, 0, 0 } };
	CHECK_EQ(exo_reply(&m), 0);           // dropped
	CHECK_EQ(exo_reply(&m), -EXO_ENOENT); // answered already
	reap(p, t);

	// The server goes on serving.
	START(&c, client8, 0, HIGH, false);
	m = (struct exo_msg){ 0 };
	CHECK_EQ(exo_recv(ep8, &m), 0);
	CHECK(m.tag == EXO_TAG(9, 1, 0) && m.badge == 0 && m.w[0] == 9);
	m = (struct exo_msg){ EXO_TAG(10, 1, 0), 0, { 10, 0, 0, 0 } };
	CHECK_EQ(exo_reply(&m), 0);
	CHECK(wait_done(&c, 100));
	CHECK(c.result == 0 && c.tag == EXO_TAG(10, 1, 0) && c.w0 == 10);
	stop(&c);

	// A client killed while queued leaves nothing behind in the queue.
	p = spawn(R_HANG, 0, false, &t);
	MB->s[0].ep = (uint64_t)exo_cap_copy(badged, p, EXO_R_WRITE);
	run_child(0, t);
	test_sleep_ms(5); // it calls and waits in the queue: we do not receive
	CHECK_EQ(exo_process_kill(p, 78), 0);
	CHECK_EQ(test_wait_status(p, 3000), 78);
	m = (struct exo_msg){ EXO_IPC_NONBLOCK, 0, { 0 } };
	CHECK_EQ(exo_recv(ep8, &m), -EXO_EAGAIN);
	reap(p, t);
	CHECK_EQ(exo_cap_delete(badged), 0);
	CHECK_EQ(exo_cap_delete(ep8), 0);
}

// ---- 9. notifications ----

static uint64_t ntfn;

static void waiter(struct helper *h)
{
	h->result = exo_notify_wait(h->arg);
}

static void test_notifications(void)
{
	struct helper w1, w2, w3;
	uint64_t t0, n2, nr, nw, irq = bi->irq_first + 2; // GSI 2 = ISA IRQ 0 (PIT)
	long r;

	ntfn = (uint64_t)exo_notify_create();
	CHECK((long)ntfn > 0);
	CHECK_EQ(exo_notify_poll(ntfn), 0);
	CHECK_EQ(exo_notify_signal(ntfn, 1), 0);
	CHECK_EQ(exo_notify_signal(ntfn, 4), 0);
	CHECK_EQ(exo_notify_signal(ntfn, 5), 0);
	CHECK_EQ(exo_notify_poll(ntfn), 5); // ORed together
	CHECK_EQ(exo_notify_poll(ntfn), 0); // and cleared
	CHECK_EQ(exo_notify_signal(ntfn, 1ull << 62), 0);
	CHECK_EQ(exo_notify_wait(ntfn), 1ll << 62); // at once, word cleared
	CHECK_EQ(exo_notify_poll(ntfn), 0);
	CHECK_EQ(exo_notify_signal(ntfn, 1ull << 63), -EXO_EINVAL);
	CHECK_EQ(exo_notify_signal(ntfn, (1ull << 63) | 1), -EXO_EINVAL);
	CHECK_EQ(exo_notify_poll(ntfn), 0); // a refused signal sets nothing

	// Waiters are woken by another thread's signal, first come first served.
	START(&w1, waiter, ntfn, HIGH, false);
	START(&w2, waiter, ntfn, HIGH, false);
	CHECK(!w1.done && !w2.done);
	CHECK_EQ(exo_notify_signal(ntfn, 0x30), 0);
	CHECK(w1.done && !w2.done); // it runs at once (higher priority)
	CHECK_EQ(w1.result, 0x30);
	CHECK_EQ(exo_notify_poll(ntfn), 0); // the waiter took the word
	CHECK_EQ(exo_notify_signal(ntfn, 0x40), 0);
	CHECK(w2.done && w2.result == 0x40);
	stop(&w1);
	stop(&w2);
	// A notification deleted under its waiter: EDEAD.
	n2 = (uint64_t)exo_notify_create();
	START(&w3, waiter, n2, HIGH, false);
	CHECK_EQ(exo_cap_delete(n2), 0);
	CHECK(wait_done(&w3, 100) && w3.result == -EXO_EDEAD);
	stop(&w3);

	// A periodic timer wakes three waits in a row.
	t0 = test_now();
	CHECK_EQ(exo_notify_timer(ntfn, 3, t0 + 5 * MS, 5 * MS), 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(exo_notify_wait(ntfn), 8);
	CHECK(test_now() >= t0 + 15 * MS);
	CHECK_EQ(exo_notify_timer(ntfn, 3, 0, 0), 0); // cancelled
	exo_notify_poll(ntfn);
	test_sleep_ms(12);
	CHECK_EQ(exo_notify_poll(ntfn), 0);
	t0 = test_now(); // one-shot
	CHECK_EQ(exo_notify_timer(ntfn, 4, t0 + 3 * MS, 0), 0);
	CHECK_EQ(exo_notify_wait(ntfn), 16);
	CHECK(test_now() >= t0 + 3 * MS);
	test_sleep_ms(8);
	CHECK_EQ(exo_notify_poll(ntfn), 0);
	CHECK_EQ(exo_notify_timer(ntfn, 63, t0, 0), -EXO_EINVAL);
	CHECK_EQ(exo_notify_timer(ntfn, 1, t0, 50000), -EXO_EINVAL); // above 10 kHz
	nr = (uint64_t)exo_cap_copy(ntfn, 0, EXO_R_READ);
	nw = (uint64_t)exo_cap_copy(ntfn, 0, EXO_R_WRITE);
	CHECK((long)nr > 0 && (long)nw > 0);
	CHECK_EQ(exo_notify_timer(nr, 1, t0, 0), -EXO_EPERM);
	// A notification deleted with its periodic timer armed: the ticks go on without it.
	n2 = (uint64_t)exo_notify_create();
	CHECK_EQ(exo_notify_timer(n2, 1, test_now() + MS, MS), 0);
	test_sleep_ms(3);
	CHECK_EQ(exo_cap_delete(n2), 0);
	test_sleep_ms(3);

	// The PIT's interrupt, bound to bit 5.
	CHECK(bi->nirqs > 2);
	CHECK_EQ(exo_ioport_enable(bi->ioports, 0x40, 4), 0);
	CHECK_EQ(exo_irq_bind(irq, ntfn, 63), -EXO_EINVAL);
	CHECK_EQ(exo_irq_bind(irq, nr, 5), -EXO_EPERM);
	CHECK_EQ(exo_irq_bind(ntfn, ntfn, 5), -EXO_ETYPE);
	CHECK_EQ(exo_irq_bind(irq, ntfn, 5), 0);
	CHECK_EQ(exo_irq_wait(irq), -EXO_EBUSY); // bound: no irq_wait
	CHECK_EQ(exo_irq_ack(irq), 0);           // unmasked, whatever happened to the line before
	exo_notify_poll(ntfn);
	CHECK_EQ(exo_notify_timer(ntfn, 6, test_now() + 1000 * MS, 0), 0); // a watchdog: never hang
	outb(0x43, 0x34);                                                  // channel 0, lo/hi, rate generator
	outb(0x40, 1193 & 0xff);                                           // 1 kHz
	outb(0x40, 1193 >> 8);
	r = exo_notify_wait(ntfn);
	CHECK(r > 0 && (r & (1 << 5)));
	CHECK_EQ(exo_irq_ack(irq), 0);
	r = exo_notify_wait(ntfn); // the line was unmasked again
	CHECK(r > 0 && (r & (1 << 5)));
	// Unbound, the line fires once more and is masked with the interrupt pending. Bound again,
	// that interrupt (or the next one) must reach the notification: it must not stay masked.
	CHECK_EQ(exo_irq_bind(irq, 0, 0), 0);
	CHECK_EQ(exo_irq_ack(irq), 0);
	test_sleep_ms(3);
	exo_notify_poll(ntfn);
	CHECK_EQ(exo_irq_bind(irq, ntfn, 5), 0);
	CHECK_EQ(exo_notify_timer(ntfn, 6, test_now() + 200 * MS, 0), 0);
	r = exo_notify_wait(ntfn);
	if (!(r > 0 && (r & (1 << 5)))) {
		TEST_FAIL("a line bound again after firing unbound stays masked (notification %#lx)",
		          (unsigned long)r);
	}
	CHECK_EQ(exo_irq_ack(irq), 0);
	outb(0x43, 0x30); // channel 0 to mode 0 with no count: no more interrupts
	test_sleep_ms(2);
	CHECK_EQ(exo_irq_ack(irq), 0); // an interrupt latched while masked arrives now, masks it
	test_sleep_ms(2);
	CHECK_EQ(exo_irq_ack(irq), 0); // and the line is left unmasked, quiet
	CHECK_EQ(exo_notify_timer(ntfn, 6, 0, 0), 0);
	CHECK_EQ(exo_irq_bind(irq, 0, 0), 0);
	exo_notify_poll(ntfn);
	test_sleep_ms(3);
	CHECK_EQ(exo_notify_poll(ntfn), 0); // unbound, and the PIT is quiet
	CHECK_EQ(exo_cap_delete(nr), 0);
	CHECK_EQ(exo_cap_delete(nw), 0);
	CHECK_EQ(exo_cap_delete(ntfn), 0);
}

// ---- 10. hostile input ----

static uint64_t ep10;
static volatile uint64_t got10[8];
static volatile unsigned n10;

static void logger(struct helper *h)
{
	for (;;) {
		struct exo_msg m = { 0 };
		long r = exo_recv(ep10, &m);

		got10[n10++ & 7] = r ? (uint64_t)r : m.tag;
		if (r)
			break;
	}
	h->result = 0;
}

static void nobuf_caller(struct helper *h)
{
	struct exo_msg m = { EXO_TAG(3, 0, 0), 0, { 0 } };

	h->result = exo_call(h->arg, &m);
	h->tag = m.tag;
	h->w0 = m.w[0];
}

static void test_hostile(void)
{
	struct exo_ipc_buffer *b = BUF(MAIN_BUF);
	uint64_t n, epw, epr, nr, nw, fr, stale, epc, misc;
	struct helper lg, cl;
	struct exo_msg m;
	static const uint64_t bad_bits[] = { 0x80, 0x400, 0x800, 0x8000 };

	ep10 = (uint64_t)exo_endpoint_create();
	n = (uint64_t)exo_notify_create();
	CHECK((long)ep10 > 0 && (long)n > 0);
	START(&lg, logger, 0, HIGH, true); // waits in recv: anything accepted would reach it

	// Malformed tags.
	m = (struct exo_msg){ EXO_TAG(1, 65, 0), 0, { 0 } };
	CHECK_EQ(exo_send(ep10, &m), -EXO_EINVAL);
	m = (struct exo_msg){ EXO_TAG(1, 127, 0), 0, { 0 } };
	CHECK_EQ(exo_call(ep10, &m), -EXO_EINVAL);
	for (unsigned i = 0; i < sizeof(bad_bits) / sizeof(bad_bits[0]); i++) {
		m = (struct exo_msg){ EXO_TAG(1, 1, 0) | bad_bits[i], 0, { 0 } };
		CHECK_EQ(exo_send(ep10, &m), -EXO_EINVAL);
		m = (struct exo_msg){ EXO_TAG(1, 1, 0) | bad_bits[i], 0, { 0 } };
		CHECK_EQ(exo_call(ep10, &m), -EXO_EINVAL);
	}
	CHECK_EQ(n10, 0);
	m = (struct exo_msg){ EXO_TAG(2, 64, 0), 0, { 0 } };
	CHECK_EQ(exo_send(ep10, &m), 0); // the largest message is fine
	CHECK_EQ(n10, 1);
	CHECK_EQ(got10[0], EXO_TAG(2, 64, 0));

	// Without an IPC buffer: long messages, capabilities, timeouts and grants are refused.
	CHECK_EQ(exo_ipc_set_buffer(0), 0);
	m = (struct exo_msg){ EXO_TAG(1, 5, 0), 0, { 0 } };
	CHECK_EQ(exo_send(ep10, &m), -EXO_EINVAL);
	m = (struct exo_msg){ EXO_TAG(1, 0, 1), 0, { 0 } };
	CHECK_EQ(exo_send(ep10, &m), -EXO_EINVAL);
	m = (struct exo_msg){ EXO_TAG(1, 0, 3), 0, { 0 } };
	CHECK_EQ(exo_call(ep10, &m), -EXO_EINVAL);
	m = (struct exo_msg){ EXO_TAG(1, 0, 0) | EXO_IPC_TIMEOUT, 0, { 0 } };
	CHECK_EQ(exo_send(ep10, &m), -EXO_EINVAL);
	m = (struct exo_msg){ EXO_TAG(1, 0, 0) | EXO_IPC_GRANT, 0, { 0 } };
	CHECK_EQ(exo_send(ep10, &m), -EXO_EINVAL);
	CHECK_EQ(n10, 1);

	// Bad IPC buffers; the old registration (none here, then MAIN_BUF) stays.
	misc = map_page(bi->self, MISC, RW);
	struct exo_map_op op_ro = { misc, MISC, EXO_R_READ };

	CHECK_EQ(exo_vspace_protect(bi->self, &op_ro, 1), 1);
	CHECK_EQ(exo_ipc_set_buffer((void *)(MISC + 0x1000)), -EXO_EFAULT); // unmapped
	CHECK_EQ(exo_ipc_set_buffer((void *)MISC), -EXO_EFAULT);            // read-only
	CHECK_EQ(exo_ipc_set_buffer((void *)0x1000), -EXO_EFAULT);
	CHECK_EQ(exo_ipc_set_buffer((void *)KERNEL_VA), -EXO_EINVAL);
	CHECK_EQ(exo_ipc_set_buffer((void *)0xffffffff80000000ull), -EXO_EINVAL);
	CHECK_EQ(exo_ipc_set_buffer((void *)0x800000000000ull), -EXO_EINVAL); // non-canonical
	CHECK_EQ(exo_ipc_set_buffer((void *)0x7ffffffff000ull), -EXO_EINVAL); // the top page
	CHECK_EQ(exo_ipc_set_buffer((void *)(MAIN_BUF + 8)), -EXO_EINVAL);    // unaligned
	CHECK_EQ(exo_ipc_set_buffer((void *)EXO_BOOTINFO_ADDR), -EXO_EFAULT); // read-only
	m = (struct exo_msg){ EXO_TAG(1, 5, 0), 0, { 0 } };
	CHECK_EQ(exo_send(ep10, &m), -EXO_EINVAL); // still none
	CHECK_EQ(exo_ipc_set_buffer((void *)MAIN_BUF), 0);
	CHECK_EQ(exo_ipc_set_buffer((void *)(MAIN_BUF + 0x800)), -EXO_EINVAL);
	b->w[4] = 0x44;
	m = (struct exo_msg){ EXO_TAG(3, 5, 0), 0, { 0 } };
	CHECK_EQ(exo_send(ep10, &m), 0); // MAIN_BUF is still registered
	CHECK_EQ(n10, 2);
	CHECK_EQ(BUF(lg.buf)->w[4], 0x44);
	// A buffer unmapped while registered: the kernel keeps the frame until it is replaced.
	uint64_t va = MISC + 0x2000;

	map_page(bi->self, va, RW);
	CHECK_EQ(exo_ipc_set_buffer((void *)va), 0);
	CHECK_EQ(exo_vspace_unmap(bi->self, &va, 1), 1);
	pages[npages - 1].va = 0; // unmapped already
	m = (struct exo_msg){ EXO_TAG(4, 10, 0), 0, { 0 } };
	CHECK_EQ(exo_send(ep10, &m), 0);
	CHECK_EQ(n10, 3);
	CHECK_EQ(exo_ipc_set_buffer((void *)MAIN_BUF), 0);

	// Replies: none pending, then bad replies to a caller without a buffer (still pending).
	m = (struct exo_msg){ EXO_TAG(1, 0, 0), 0, { 0 } };
	CHECK_EQ(exo_reply(&m), -EXO_ENOENT);
	epc = (uint64_t)exo_endpoint_create();
	START(&cl, nobuf_caller, epc, HIGH, false);
	m = (struct exo_msg){ 0 };
	CHECK_EQ(exo_recv(epc, &m), 0);
	CHECK_EQ(m.tag, EXO_TAG(3, 0, 0));
	m = (struct exo_msg){ EXO_TAG(1, 10, 0), 0, { 0 } };
	CHECK_EQ(exo_reply(&m), -EXO_EINVAL); // it has no buffer for 10 words
	b->caps[0] = (struct exo_cap_xfer){ n, EXO_R_READ, 0 };
	m = (struct exo_msg){ EXO_TAG(1, 0, 1), 0, { 0 } };
	CHECK_EQ(exo_reply(&m), -EXO_EINVAL); // nor for capabilities
	m = (struct exo_msg){ EXO_TAG(1, 65, 0), 0, { 0 } };
	CHECK_EQ(exo_reply(&m), -EXO_EINVAL);
	m = (struct exo_msg){ EXO_TAG(1, 0, 0) | EXO_IPC_NONBLOCK, 0, { 0 } };
	CHECK_EQ(exo_reply(&m), -EXO_EINVAL); // no flags in replies
	m = (struct exo_msg){ EXO_TAG(1, 0, 0) | EXO_IPC_GRANT, 0, { 0 } };
	CHECK_EQ(exo_reply(&m), -EXO_EINVAL);
	m = (struct exo_msg){ EXO_TAG(1, 0, 0) | 0x80, 0, { 0 } };
	CHECK_EQ(exo_reply(&m), -EXO_EINVAL);
	CHECK(!cl.done);
	m = (struct exo_msg){ EXO_TAG(2, 1, 0), 0, { 22, 0, 0, 0 } };
	CHECK_EQ(exo_reply(&m), 0);
	CHECK(wait_done(&cl, 100));
	CHECK(cl.result == 0 && cl.tag == EXO_TAG(2, 1, 0) && cl.w0 == 22);
	stop(&cl);
	CHECK_EQ(exo_reply(&m), -EXO_ENOENT);

	// Receive tags carry only flags.
	m.tag = EXO_TAG(5, 0, 0);
	CHECK_EQ(exo_recv(epc, &m), -EXO_EINVAL);
	m.tag = EXO_IPC_GRANT;
	CHECK_EQ(exo_recv(epc, &m), -EXO_EINVAL);
	m.tag = EXO_TAG(0, 1, 0);
	CHECK_EQ(exo_recv(epc, &m), -EXO_EINVAL);
	m.tag = EXO_TAG(0, 0, 1);
	CHECK_EQ(exo_recv(epc, &m), -EXO_EINVAL);

	// Wrong types.
	CHECK_EQ(exo_frame_alloc(bi->quota, 1, &fr), 1);
	m = (struct exo_msg){ EXO_TAG(1, 0, 0), 0, { 0 } };
	CHECK_EQ(exo_call(n, &m), -EXO_ETYPE);
	m = (struct exo_msg){ EXO_TAG(1, 0, 0), 0, { 0 } };
	CHECK_EQ(exo_send(fr, &m), -EXO_ETYPE);
	m = (struct exo_msg){ EXO_TAG(1, 0, 0), 0, { 0 } };
	CHECK_EQ(exo_send(bi->self, &m), -EXO_ETYPE);
	m = (struct exo_msg){ 0 };
	CHECK_EQ(exo_recv(n, &m), -EXO_ETYPE);
	m = (struct exo_msg){ 0 };
	CHECK_EQ(exo_recv(bi->quota, &m), -EXO_ETYPE);
	m = (struct exo_msg){ 0 };
	CHECK_EQ(exo_reply_recv(n, &m), -EXO_ETYPE);
	CHECK_EQ(exo_notify_signal(ep10, 1), -EXO_ETYPE);
	CHECK_EQ(exo_notify_wait(ep10), -EXO_ETYPE);
	CHECK_EQ(exo_notify_poll(fr), -EXO_ETYPE);
	CHECK_EQ(exo_notify_timer(ep10, 1, test_now() + MS, 0), -EXO_ETYPE);
	CHECK_EQ(exo_irq_bind(bi->irq_first, ep10, 1), -EXO_ETYPE);
	CHECK_EQ(exo_irq_bind(ep10, n, 1), -EXO_ETYPE);

	// Missing rights.
	epw = (uint64_t)exo_cap_copy(ep10, 0, EXO_R_WRITE);
	epr = (uint64_t)exo_cap_copy(ep10, 0, EXO_R_READ);
	nr = (uint64_t)exo_cap_copy(n, 0, EXO_R_READ);
	nw = (uint64_t)exo_cap_copy(n, 0, EXO_R_WRITE);
	CHECK((long)epw > 0 && (long)epr > 0 && (long)nr > 0 && (long)nw > 0);
	m = (struct exo_msg){ EXO_IPC_NONBLOCK, 0, { 0 } };
	CHECK_EQ(exo_recv(epw, &m), -EXO_EPERM);
	m = (struct exo_msg){ 0 };
	CHECK_EQ(exo_reply_recv(epw, &m), -EXO_EPERM);
	m = (struct exo_msg){ EXO_TAG(1, 0, 0), 0, { 0 } };
	CHECK_EQ(exo_call(epr, &m), -EXO_EPERM);
	m = (struct exo_msg){ EXO_TAG(1, 0, 0), 0, { 0 } };
	CHECK_EQ(exo_send(epr, &m), -EXO_EPERM);
	CHECK_EQ(exo_notify_signal(nr, 1), -EXO_EPERM);
	CHECK_EQ(exo_notify_wait(nw), -EXO_EPERM);
	CHECK_EQ(exo_notify_poll(nw), -EXO_EPERM);
	CHECK_EQ(exo_notify_signal(nw, 1), 0);
	CHECK_EQ(exo_notify_wait(nr), 1);
	CHECK_EQ(n10, 3);

	// Bad handles.
	stale = (uint64_t)exo_endpoint_create();
	CHECK_EQ(exo_cap_delete(stale), 0);
	m = (struct exo_msg){ EXO_TAG(1, 0, 0), 0, { 0 } };
	CHECK_EQ(exo_call(0, &m), -EXO_EBADCAP);
	m = (struct exo_msg){ EXO_TAG(1, 0, 0), 0, { 0 } };
	CHECK_EQ(exo_call(stale, &m), -EXO_EBADCAP);
	m = (struct exo_msg){ EXO_TAG(1, 0, 0), 0, { 0 } };
	CHECK_EQ(exo_send(0xffffffffffffffffull, &m), -EXO_EBADCAP);
	m = (struct exo_msg){ 0 };
	CHECK_EQ(exo_recv(0x123400000001ull, &m), -EXO_EBADCAP);
	CHECK_EQ(exo_notify_signal(0, 1), -EXO_EBADCAP);
	CHECK_EQ(exo_notify_wait(stale), -EXO_EBADCAP);
	CHECK_EQ(exo_irq_bind(stale, n, 1), -EXO_EBADCAP);
	CHECK_EQ(exo_irq_bind(bi->irq_first, stale, 1), -EXO_EBADCAP);
	CHECK_EQ(n10, 3);

	// The logger ends when its endpoint goes (EDEAD), having seen only the good messages.
	CHECK_EQ(exo_cap_delete(epw), 0);
	CHECK_EQ(exo_cap_delete(epr), 0);
	CHECK_EQ(exo_cap_delete(ep10), 0);
	CHECK(wait_done(&lg, 100));
	CHECK_EQ(n10, 4);
	CHECK_EQ(got10[3], -EXO_EDEAD);
	stop(&lg);
	CHECK_EQ(exo_cap_delete(epc), 0);
	CHECK_EQ(exo_cap_delete(fr), 0);
	CHECK_EQ(exo_cap_delete(nr), 0);
	CHECK_EQ(exo_cap_delete(nw), 0);
	CHECK_EQ(exo_cap_delete(n), 0);
}

int main(uint64_t arg)
{
	static const struct test_case cases[] = {
		TEST_CASE(test_ping_pong),    TEST_CASE(test_many_clients), TEST_CASE(test_long_messages),
		TEST_CASE(test_cap_transfer), TEST_CASE(test_grants),       TEST_CASE(test_timeouts),
		TEST_CASE(test_server_death), TEST_CASE(test_client_death), TEST_CASE(test_notifications),
		TEST_CASE(test_hostile),
	};
	uint64_t t0;

	if (arg < 4096)
		return child(arg);
	bi = test_begin("ipc", arg);
	if (!bi)
		return test_end();
	t0 = test_now();
	mailbox_frame = map_page(bi->self, MAILBOX, RW);
	map_page(bi->self, MAIN_BUF, RW);
	CHECK_EQ(exo_ipc_set_buffer((void *)MAIN_BUF), 0);
	TEST_RUN(cases);
	CHECK_EQ(exo_ipc_set_buffer(0), 0);
	unmap_all();
	exo_printf("ipc: %lu ms\n", (unsigned long)((test_now() - t0) / MS));
	return test_end();
}
