// SPDX-License-Identifier: MIT
// Message queues (libexo/mqueue.c), as init. Edge cases on one ring in this process: -EXO_EAGAIN
// exactly at capacity and when empty, a producer blocked on a full ring woken when a slot frees, a
// consumer blocked on an empty ring woken by a message, positions crossing the 64-bit wrap. Then
// streams across processes: producers are children spawned from this same program (module 0),
// each sending 10,000 numbered messages into a ring this process created and shared with it;
// one consumer (SPSC, then 3 producers into one consumer) checks the exact order, two consumer
// threads (3 producers, MPMC) check that every message arrives exactly once and, per consumer, in
// each producer's order. Last, the other direction and the other way to share: a child receives
// the ring in an IPC message (grant + notifications) and takes 10,000 messages from us.
#include "testlib.h"

#include <exo/mqueue.h>

#define RING_EDGE  0x200000000ull // rings in this process
#define RING_SPSC  0x210000000ull
#define RING_MPMC  0x220000000ull
#define PAGES      0x300000000ull // our view of the children's start pages, one per slot
#define STACKS     0x400000000ull // worker stacks, 64 KiB apart
#define START_ADDR 0x500000000ull // in a child: its start page (its argument)
#define CHILD_RING 0x600000000ull // in a child: the ring

#define PRIO        16
#define STACK_PAGES 4
#define COUNT       10000 // messages per producer
#define PRODUCERS   3
#define CONSUMERS   2
#define STOP        0xffff // producer id of the message that ends a consumer
#define TIMEOUT_MS  15000

struct msg {
	uint64_t producer, seq, check;
};

enum role { PRODUCER = 1, GRANTEE };

// What a child finds at START_ADDR.
struct start {
	uint64_t role, id, count;
	struct exo_mq_share ring; // PRODUCER: how to attach
	uint64_t ep;              // GRANTEE: where the ring comes in a message
	uint64_t fulls;           // set by a PRODUCER: how often it found the ring full
};

static const struct exo_bootinfo *bi;
#define BUF TEST_BUF

static uint64_t check_of(uint64_t producer, uint64_t seq)
{
	return (seq * 0x9e3779b97f4a7c15ull) ^ (producer << 48) ^ 0x5a5a;
}

static struct msg make(uint64_t producer, uint64_t seq)
{
	return (struct msg){ producer, seq, check_of(producer, seq) };
}

static int valid(const struct msg *m)
{
	return m->check == check_of(m->producer, m->seq);
}

// ---- a producer child ----

static int producer(struct start *st)
{
	struct exo_mq q;
	struct msg m;

	if (exo_mq_attach(&q, &st->ring))
		return 1;
	for (uint64_t i = 0; i < st->count; i++) {
		m = make(st->id, i);
		if (exo_mq_send(&q, &m, EXO_MQ_NONBLOCK) == -EXO_EAGAIN) {
			st->fulls++;
			if (exo_mq_send(&q, &m, 0))
				return 2;
		}
	}
	exo_mq_detach(&q, 0);
	return 0;
}

// A consumer child that receives the ring in a message (a grant and two capabilities), then
// takes count messages in order from producer 0.
static int grantee(struct start *st)
{
	struct exo_msg m = { 0 };
	struct exo_mq q;
	struct msg msg;
	long r;

	if (exo_ipc_set_buffer(test_ipc_page))
		return 1;
	BUF->recv_window = CHILD_RING;
	BUF->recv_window_pages = EXO_MQ_MAX_PAGES;
	if (exo_recv(st->ep, &m))
		return 2;
	r = exo_mq_accept(&q, m.tag, BUF);
	m = (struct exo_msg){ EXO_TAG(r < 0 ? -r : 0, 0, 0), 0, { 0 } };
	exo_reply(&m);
	if (r)
		return 3;
	for (uint64_t i = 0; i < st->count; i++)
		if (exo_mq_recv(&q, &msg, 0) || !valid(&msg) || msg.producer != 0 || msg.seq != i)
			return 4;
	return exo_mq_recv(&q, &msg, EXO_MQ_NONBLOCK) == -EXO_EAGAIN ? 0 : 5;
}

// ---- children and worker threads, seen from here ----

static void map_new(uint64_t va, uint64_t *frame)
{
	struct exo_map_op op = { 0, va, EXO_R_READ | EXO_R_WRITE };

	CHECK(exo_frame_alloc(bi->quota, 1, &op.frame) == 1);
	CHECK(exo_vspace_map(bi->self, &op, 1) == 1);
	*frame = op.frame;
}

static void unmap_delete(uint64_t va, uint64_t frame)
{
	CHECK(exo_vspace_unmap(bi->self, &va, 1) == 1);
	CHECK(exo_cap_delete(frame) == 0);
}

#define START(c) ((struct start *)(c)->page)

// Spawns a child in role with its start page (slot). It starts at the lowest priority, so it runs
// only once the caller has set it up and test_child_run raised it to PRIO.
static int child_spawn(struct test_child *c, int slot, enum role role, uint64_t id, uint64_t count)
{
	if (test_child_spawn(c, &bi->modules[0], "child", PAGES + (uint64_t)slot * 4096, START_ADDR))
		return -1;
	*START(c) = (struct start){ .role = role, .id = id, .count = count };
	return 0;
}

// A producer id sending count messages into q, which is mapped into it.
static int producer_spawn(struct test_child *c, int slot, struct exo_mq *q, uint64_t id, uint64_t count)
{
	if (child_spawn(c, slot, PRODUCER, id, count))
		return -1;
	CHECK(exo_mq_share(q, c->proc, CHILD_RING, &START(c)->ring) == 0);
	test_child_run(c, PRIO);
	return 0;
}

struct worker {
	uint64_t thread, base, frames[STACK_PAGES];
	void (*fn)(struct worker *);
	int id, done;
	long result;
	struct msg msg;
	uint64_t got;
};

static void worker_main(uint64_t arg)
{
	struct worker *w = (struct worker *)arg;

	w->fn(w);
	__atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
	exo_thread_destroy(w->thread);
	for (;;)
		exo_thread_yield();
}

static void worker_start(struct worker *w, int slot, void (*fn)(struct worker *), uint64_t prio)
{
	w->base = STACKS + (uint64_t)slot * 0x10000;
	w->fn = fn;
	w->done = 0;
	for (int i = 0; i < STACK_PAGES; i++)
		map_new(w->base + (uint64_t)i * 4096, &w->frames[i]);
	w->thread = (uint64_t)exo_thread_create(bi->self, prio);
	CHECK((long)w->thread > 0);
	CHECK(test_thread_start(w->thread, worker_main, w->base, w->base + STACK_PAGES * 4096, (uint64_t)w,
	                        "worker") == 0);
}

static int worker_done(struct worker *w)
{
	return __atomic_load_n(&w->done, __ATOMIC_SEQ_CST);
}

static void worker_reap(struct worker *w)
{
	uint64_t deadline = test_now() + TIMEOUT_MS * TEST_MS;

	while (!worker_done(w) && test_now() < deadline)
		test_sleep_ms(1);
	CHECK(worker_done(w));
	exo_thread_destroy(w->thread); // gone already unless it hangs
	CHECK(exo_cap_delete(w->thread) == 0);
	for (int i = 0; i < STACK_PAGES; i++)
		unmap_delete(w->base + (uint64_t)i * 4096, w->frames[i]);
}

// ---- edge cases ----

static struct exo_mq edge;

static void blocked_sender(struct worker *w)
{
	w->msg = make(0, 100);
	w->result = exo_mq_send(&edge, &w->msg, 0);
}

static void blocked_receiver(struct worker *w)
{
	w->result = exo_mq_recv(&edge, &w->msg, 0);
}

static void fill(struct exo_mq *q, uint64_t first, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		struct msg m = make(0, first + i);

		CHECK(exo_mq_send(q, &m, EXO_MQ_NONBLOCK) == 0);
	}
}

static void drain(struct exo_mq *q, uint64_t first, uint64_t n)
{
	struct msg m;

	for (uint64_t i = 0; i < n; i++)
		CHECK(exo_mq_recv(q, &m, EXO_MQ_NONBLOCK) == 0 && valid(&m) && m.seq == first + i);
}

static void test_geometry(void)
{
	struct exo_mq q;

	CHECK(exo_mq_create(&q, bi->self, bi->quota, RING_EDGE, 16, 3, 0) == -EXO_EINVAL);
	CHECK(exo_mq_create(&q, bi->self, bi->quota, RING_EDGE, 0, 8, 0) == -EXO_EINVAL);
	CHECK(exo_mq_create(&q, bi->self, bi->quota, RING_EDGE, 64, 1024, 0) == -EXO_EINVAL); // > 16 pages
	CHECK(exo_mq_create(&q, bi->self, bi->quota, RING_EDGE + 8, 16, 8, 0) == -EXO_EINVAL);
	CHECK(exo_mq_create(&q, bi->self, bi->quota, RING_EDGE, 16, 8, 4) == -EXO_EINVAL);
}

static void test_edges(void)
{
	struct worker w = { 0 };
	struct msg m;

	CHECK(exo_mq_create(&edge, bi->self, bi->quota, RING_EDGE, sizeof(struct msg), 8, EXO_MQ_SPSC) == 0);
	CHECK(exo_mq_recv(&edge, &m, EXO_MQ_NONBLOCK) == -EXO_EAGAIN); // empty from the start
	fill(&edge, 0, 8);
	m = make(0, 8);
	CHECK(exo_mq_send(&edge, &m, EXO_MQ_NONBLOCK) == -EXO_EAGAIN); // full at exactly 8
	drain(&edge, 0, 8);
	CHECK(exo_mq_recv(&edge, &m, EXO_MQ_NONBLOCK) == -EXO_EAGAIN);

	// A producer on a full ring sleeps, never overwrites, and wakes when one slot frees.
	fill(&edge, 0, 8);
	worker_start(&w, 0, blocked_sender, PRIO + 2); // above us: runs until it sleeps
	CHECK(!worker_done(&w) && edge.ring->tx_waiting == 1);
	test_sleep_ms(1);
	CHECK(!worker_done(&w));
	drain(&edge, 0, 1);
	worker_reap(&w);
	CHECK(w.result == 0 && edge.ring->tx_waiting == 0);
	m = make(0, 9);
	CHECK(exo_mq_send(&edge, &m, EXO_MQ_NONBLOCK) == -EXO_EAGAIN); // full again
	drain(&edge, 1, 7);
	CHECK(exo_mq_recv(&edge, &m, EXO_MQ_NONBLOCK) == 0 && valid(&m) && m.seq == 100);

	// A consumer on an empty ring sleeps and wakes with the first message.
	worker_start(&w, 0, blocked_receiver, PRIO + 2);
	CHECK(!worker_done(&w) && edge.ring->rx_waiting == 1);
	test_sleep_ms(1);
	CHECK(!worker_done(&w));
	fill(&edge, 200, 1);
	worker_reap(&w);
	CHECK(w.result == 0 && valid(&w.msg) && w.msg.seq == 200);
	CHECK(exo_mq_recv(&edge, &m, EXO_MQ_NONBLOCK) == -EXO_EAGAIN);
	exo_mq_destroy(&edge);
}

// Positions start 12 short of 2^64: fill-to-capacity and drain keep working across the wrap.
static void test_wrap(uint32_t mode)
{
	const uint64_t first = ~0ull - 11;
	struct exo_mq q;
	struct msg m;
	uint64_t seq = 0;

	CHECK(exo_mq_create(&q, bi->self, bi->quota, RING_EDGE, sizeof(struct msg), 8, mode) == 0);
	exo_mq_reset(&q, first);
	for (int round = 0; round < 4; round++) {
		fill(&q, seq, 8);
		m = make(0, 99);
		CHECK(exo_mq_send(&q, &m, EXO_MQ_NONBLOCK) == -EXO_EAGAIN);
		drain(&q, seq, 8);
		CHECK(exo_mq_recv(&q, &m, EXO_MQ_NONBLOCK) == -EXO_EAGAIN);
		seq += 8;
	}
	for (int i = 0; i < 10; i++, seq += 5) { // batches that straddle the end of the slot array
		fill(&q, seq, 5);
		drain(&q, seq, 5);
	}
	CHECK(q.ring->tail == first + 32 + 50 && q.ring->tail < first && q.ring->head == q.ring->tail);
	exo_mq_destroy(&q);
}

// ---- streams ----

// One consumer: every producer's messages arrive complete and in order.
static void test_stream(const char *what, uint32_t mode, int producers)
{
	struct test_child c[PRODUCERS];
	uint64_t next[PRODUCERS] = { 0 }, empties = 0, fulls = 0, t0 = test_now();
	struct exo_mq q;
	struct msg m;
	int bad = 0;

	CHECK(exo_mq_create(&q, bi->self, bi->quota, RING_SPSC, sizeof(struct msg), 16, mode) == 0);
	for (int i = 0; i < producers; i++)
		if (producer_spawn(&c[i], i, &q, (uint64_t)i, COUNT))
			return;
	for (int n = 0; n < producers * COUNT && !bad; n++) {
		long r = exo_mq_recv(&q, &m, EXO_MQ_NONBLOCK);

		if (r == -EXO_EAGAIN) {
			empties++;
			r = exo_mq_recv(&q, &m, 0);
		}
		bad = r || !valid(&m) || m.producer >= (uint64_t)producers || m.seq != next[m.producer]++;
		if (bad)
			exo_printf("mqueue: %s: bad message %d: r %ld producer %lu seq %lu\n", what, n, r,
			           (unsigned long)m.producer, (unsigned long)m.seq);
	}
	CHECK(!bad);
	CHECK(exo_mq_recv(&q, &m, EXO_MQ_NONBLOCK) == -EXO_EAGAIN);
	for (int i = 0; i < producers; i++) {
		CHECK(next[i] == COUNT);
		fulls += START(&c[i])->fulls;
		CHECK(test_child_reap(&c[i], TIMEOUT_MS) == 0);
	}
	exo_printf("mqueue: %s: %d x %d messages in %lu ms; found empty %lu times, full %lu times\n", what,
	           producers, COUNT, (unsigned long)((test_now() - t0) / 1000000), (unsigned long)empties,
	           (unsigned long)fulls);
	exo_mq_destroy(&q);
}

static struct exo_mq mpmc;
static uint64_t seen[(PRODUCERS * COUNT + 63) / 64];
static uint64_t last[CONSUMERS][PRODUCERS];

// A consumer thread: until its STOP, marks each message seen (once) and checks that it comes
// after the last one it had from the same producer.
static void consumer(struct worker *w)
{
	struct msg m;

	for (;;) {
		long r = exo_mq_recv(&mpmc, &m, 0);
		uint64_t bit;

		if (r || m.producer == STOP) // one each: the other STOP is for another consumer
			break;
		if (!valid(&m) || m.producer >= PRODUCERS || m.seq >= COUNT) {
			w->result = -1;
			continue;
		}
		bit = m.producer * COUNT + m.seq;
		if (__atomic_fetch_or(&seen[bit / 64], 1ull << (bit % 64), __ATOMIC_RELAXED) &
		    (1ull << (bit % 64)))
			w->result = -2; // twice
		if (m.seq + 1 <= last[w->id][m.producer])
			w->result = -3; // out of order
		last[w->id][m.producer] = m.seq + 1;
		w->got++;
	}
}

static void test_mpmc(void)
{
	struct test_child c[PRODUCERS];
	struct worker w[CONSUMERS] = { 0 };
	uint64_t t0 = test_now();
	struct msg m;

	CHECK(exo_mq_create(&mpmc, bi->self, bi->quota, RING_MPMC, sizeof(struct msg), 32, EXO_MQ_MPMC) == 0);
	for (int i = 0; i < CONSUMERS; i++) {
		w[i].id = i;
		worker_start(&w[i], i, consumer, PRIO);
	}
	for (int i = 0; i < PRODUCERS; i++)
		if (producer_spawn(&c[i], i, &mpmc, (uint64_t)i, COUNT))
			return;
	for (int i = 0; i < PRODUCERS; i++)
		CHECK(test_child_reap(&c[i], TIMEOUT_MS) == 0);
	for (int i = 0; i < CONSUMERS; i++) { // after every message: FIFO
		m = make(STOP, (uint64_t)i);
		CHECK(exo_mq_send(&mpmc, &m, 0) == 0);
	}
	for (int i = 0; i < CONSUMERS; i++) {
		worker_reap(&w[i]);
		CHECK(w[i].result == 0);
	}
	CHECK(w[0].got + w[1].got == PRODUCERS * COUNT);
	for (uint64_t i = 0; i < PRODUCERS * COUNT; i++)
		if (!(seen[i / 64] & (1ull << (i % 64)))) {
			CHECK(!"every message seen");
			break;
		}
	CHECK(exo_mq_recv(&mpmc, &m, EXO_MQ_NONBLOCK) == -EXO_EAGAIN);
	exo_printf("mqueue: mpmc: %d x %d messages to %d consumers (%lu + %lu) in %lu ms\n", PRODUCERS, COUNT,
	           CONSUMERS, (unsigned long)w[0].got, (unsigned long)w[1].got,
	           (unsigned long)((test_now() - t0) / 1000000));
	exo_mq_destroy(&mpmc);
}

// The other direction and the other way to share: we produce, and a child we do not map
// anything into receives the ring by IPC (exo_mq_offer / exo_mq_accept).
static void test_grant(void)
{
	struct exo_msg m = { 0 };
	struct exo_mq q;
	struct test_child c;
	long ep = exo_endpoint_create(), copy;

	CHECK(exo_ipc_set_buffer(test_ipc_page) == 0);
	CHECK(exo_mq_create(&q, bi->self, bi->quota, RING_SPSC, sizeof(struct msg), 128, EXO_MQ_SPSC) == 0);
	CHECK(q.npages == 2);
	if (child_spawn(&c, 0, GRANTEE, 0, COUNT))
		return;
	copy = exo_cap_copy((uint64_t)ep, c.proc, EXO_R_READ);
	CHECK(copy > 0);
	START(&c)->ep = (uint64_t)copy;
	test_child_run(&c, PRIO);
	m.tag = EXO_TAG(1, 0, 0) | exo_mq_offer(&q, BUF);
	CHECK(exo_call((uint64_t)ep, &m) == 0 && EXO_TAG_LABEL(m.tag) == 0);
	for (uint64_t i = 0; i < COUNT; i++) {
		struct msg msg = make(0, i);

		if (exo_mq_send(&q, &msg, 0)) {
			CHECK(!"send");
			break;
		}
	}
	CHECK(test_child_reap(&c, TIMEOUT_MS) == 0);
	CHECK(exo_cap_delete((uint64_t)ep) == 0);
	CHECK(exo_ipc_set_buffer(NULL) == 0);
	exo_mq_destroy(&q);
}

static void test_wrap_spsc(void)
{
	test_wrap(EXO_MQ_SPSC);
}

static void test_wrap_mpmc(void)
{
	test_wrap(EXO_MQ_MPMC);
}

static void test_stream_spsc(void)
{
	test_stream("spsc", EXO_MQ_SPSC, 1);
}

static void test_stream_mpsc(void)
{
	test_stream("mpsc", EXO_MQ_MULTI_PRODUCER, PRODUCERS);
}

int main(uint64_t arg)
{
	static const struct test_case edges[] = { TEST_CASE(test_geometry), TEST_CASE(test_edges),
		                                  TEST_CASE(test_wrap_spsc), TEST_CASE(test_wrap_mpmc) };
	static const struct test_case streams[] = { TEST_CASE(test_stream_spsc), TEST_CASE(test_stream_mpsc),
		                                    TEST_CASE(test_mpmc), TEST_CASE(test_grant) };

	if (arg == START_ADDR)
		return ((struct start *)arg)->role == GRANTEE ? grantee((struct start *)arg)
		                                              : producer((struct start *)arg);
	bi = test_begin("mqueue", arg);
	if (!bi)
		return test_end();
	TEST_RUN(edges);
	if (!test_failures()) // the streams take long; they need the edges right
		TEST_RUN(streams);
	return test_end();
}
