// SPDX-License-Identifier: MIT
// A stateful kernel fuzzer run as init: batches of random kernel calls on pools of live handles of
// every object type it made (mutated into stale, wrong-type, off-by-one and garbage handles, and
// arguments at page, canonical and kernel boundaries), while threads it starts in two child
// processes call, receive, wait and signal on the same objects. After each batch it kills the
// batch's processes, deletes its capabilities and checks that the batch's quota is empty and the
// kernel's free frames and heap are back at their starting values. Seeded (fuzz_seed=, fuzz_seeds=,
// fuzz_batches=, fuzz_calls= on the kernel command line); a failure prints the seed, the batch
// and the last calls. See docs/testing.md, "Fuzzing the kernel".
#include "testlib.h"

#include "kid.h"
#include "rng.h"

#define SEED     0x5eed0f0e5eedull
#define SEEDS    4
#define BATCHES  5
#define CALLS    6000
#define PAGE     4096ull
#define POOL     12   // handles per type
#define STALE    32   // stale handles remembered
#define ROOTS    12   // processes per batch
#define THREADS  40   // threads per batch (kernel-stack slots are global; see warm_up)
#define RING     40   // calls remembered for the report
#define NTYPES   11   // EXO_OBJ_NONE .. EXO_OBJ_NOTIFICATION
#define BATCH_Q  1024 // frames of a batch's quota (a process's table alone takes 23)
#define FUZZ_VA  0x0000000010000000ull
#define PT_VA    0x0000010000000000ull // page-table boundaries: one 2 MiB region after another
#define USER_TOP 0x00007ffffffff000ull
#define KADDR    0xffffffff80200000ull
#define NONCANON 0x0000800000000000ull
#define NOACCESS 0x0000000600000000ull // a page of the fuzzer's own, mapped without access
#define KID_BUFS 0x0000000780000000ull // the IPC buffers of workers in a kid: slot i at page i
#define KID_PRIO 16 // the fuzzer's own: workers share the CPU with it, held to ts_kid's budget

static const struct exo_bootinfo *bi;
static uint64_t root_q, fuzz_q, ts_kid, io_base, mmio_base, irq_line;
static struct exo_kernel_stats base_stats;
static uint64_t fuzz_q_used0;
static int reports;
static uint64_t op_mask; // fuzz_ops=MASK: only the operations of op_table whose bits are set

// ---------------------------------------------------------------------------------------------
// Seeds: splitmix64 turns (seed, batch) into the state of the xorshift64* stream (rng.h), so a
// batch's calls depend only on its seed and number.

static uint64_t seed, batch;

static uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

// key=N (decimal or 0x hex) on the kernel command line, else dflt.
static uint64_t cmdline_u64(const char *key, uint64_t dflt)
{
	size_t klen = strlen(key);

	for (const char *p = bi->cmdline; *p; p++) {
		uint64_t v = 0, base = 10;

		if ((p != bi->cmdline && p[-1] != ' ') || memcmp(p, key, klen) != 0 || p[klen] != '=')
			continue;
		p += klen + 1;
		if (p[0] == '0' && p[1] == 'x') {
			base = 16;
			p += 2;
		}
		for (; *p > ' '; p++) {
			uint64_t d = *p >= '0' && *p <= '9' ? (uint64_t)(*p - '0')
			                                    : (uint64_t)((*p | 0x20) - 'a' + 10);

			if (d >= base)
				break;
			v = v * base + d;
		}
		return v;
	}
	return dflt;
}

// ---------------------------------------------------------------------------------------------
// Calls: every kernel call goes through sc(), which keeps the last RING calls for the report and
// checks that the result is a success or an EXO_E* error.

struct rec {
	uint64_t n;
	const char *op;
	uint64_t nr, a[6];
	long r;
};

static struct rec ring[RING];
static uint64_t ncalls, batch_calls;
static const char *cur_op = "set-up";

static void print_ring(void)
{
	uint64_t first = ncalls > RING ? ncalls - RING : 0;

	exo_printf("fuzz: the last %lu calls (op: call number(arguments) = result):\n",
	           (unsigned long)(ncalls - first));
	for (uint64_t i = first; i < ncalls; i++) {
		const struct rec *c = &ring[i % RING];

		exo_printf("fuzz:   #%lu %s: %lu(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx) = %ld\n",
		           (unsigned long)c->n, c->op, (unsigned long)c->nr, (unsigned long)c->a[0],
		           (unsigned long)c->a[1], (unsigned long)c->a[2], (unsigned long)c->a[3],
		           (unsigned long)c->a[4], (unsigned long)c->a[5], c->r);
	}
}

// An invariant broke (TEST_FAIL counted and reported it): the seed and batch reproduce it; the
// ring shows how it came about.
static void fail_context(void)
{
	exo_printf("fuzz: seed %#lx batch %lu call %lu (op %s); reproduce with fuzz_seed=%#lx "
	           "fuzz_first=%lu fuzz_batches=1\n",
	           (unsigned long)seed, (unsigned long)batch, (unsigned long)ncalls, cur_op,
	           (unsigned long)seed, (unsigned long)batch);
	if (reports++ < 3)
		print_ring();
}

#define FAIL(...)                       \
	do {                            \
		TEST_FAIL(__VA_ARGS__); \
		fail_context();         \
	} while (0)

static long sc(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct rec *c = &ring[ncalls % RING];
	uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };

	*c = (struct rec){ ncalls, cur_op, nr, { a0, a1, a2, a3, a4, a5 }, 0 };
	c->r = test_syscall(nr, a);
	ncalls++;
	batch_calls++;
	if (c->r < 0 && -c->r > EXO_ETIMEDOUT)
		FAIL("result %ld is no EXO_E* error", c->r);
	return c->r;
}

#define SC0(nr)                   sc(EXO_SYS_##nr, 0, 0, 0, 0, 0, 0)
#define SC1(nr, a)                sc(EXO_SYS_##nr, a, 0, 0, 0, 0, 0)
#define SC2(nr, a, b)             sc(EXO_SYS_##nr, a, b, 0, 0, 0, 0)
#define SC3(nr, a, b, c)          sc(EXO_SYS_##nr, a, b, c, 0, 0, 0)
#define SC4(nr, a, b, c, d)       sc(EXO_SYS_##nr, a, b, c, d, 0, 0)
#define SC5(nr, a, b, c, d, e)    sc(EXO_SYS_##nr, a, b, c, d, e, 0)
#define SC6(nr, a, b, c, d, e, f) sc(EXO_SYS_##nr, a, b, c, d, e, f)

// ---------------------------------------------------------------------------------------------
// Handle pools. pool[type] holds handles in the fuzzer's table the calls may use up (delete, move,
// revoke); the roots of the batch's processes and quota stay out of them, so the tear-down can
// always reach every process. A handle the fuzzer deleted or moved away is stale for good (the
// slot's generation moves on): any call given one must answer EXO_EBADCAP.

static uint64_t pool[NTYPES][POOL];
static int npool[NTYPES];
static uint64_t stale[STALE];
static int nstale, stale_at;
static uint64_t roots[ROOTS], kids[2], kid_slot[2], batch_q;
static int nroots, nthreads;

enum hkind { H_VALID, H_STALE, H_WRONG, H_ODD };

static void add_stale(uint64_t h)
{
	stale[stale_at] = h;
	stale_at = (stale_at + 1) % STALE;
	nstale += nstale < STALE;
}

static uint64_t type_of(uint64_t h)
{
	struct exo_cap_info i;

	return h && exo_cap_info(h, &i) == 0 ? i.type : EXO_OBJ_NONE;
}

// Deletes h for good: a capability to a dead object is still in the table until then.
static void retire(uint64_t h)
{
	exo_cap_delete(h);
	add_stale(h);
}

static void pool_add(uint64_t h, uint64_t type)
{
	if (type == EXO_OBJ_NONE || type >= NTYPES)
		return;
	if (npool[type] == POOL) {
		int i = (int)below(POOL);

		retire(pool[type][i]);
		pool[type][i] = h;
		return;
	}
	pool[type][npool[type]++] = h;
}

// A process the fuzzer made: its root is kept for the tear-down, a copy goes into the pool.
static void adopt_process(uint64_t h)
{
	long c = exo_cap_copy(h, 0, EXO_R_ALL);

	if (nroots == ROOTS) {
		exo_process_kill(h, 0);
		exo_cap_delete(h);
	} else {
		roots[nroots++] = h;
	}
	if (c > 0)
		pool_add((uint64_t)c, EXO_OBJ_PROCESS);
}

static void adopt(long h)
{
	uint64_t t = h > 0 ? type_of((uint64_t)h) : EXO_OBJ_NONE;

	if (t == EXO_OBJ_PROCESS)
		adopt_process((uint64_t)h);
	else
		pool_add((uint64_t)h, t);
}

// Drops dead handles from the pools (deleted by a revoke, or naming a dead object).
static void sweep(void)
{
	for (int t = 1; t < NTYPES; t++)
		for (int i = 0; i < npool[t];) {
			if (type_of(pool[t][i]) == (uint64_t)t) {
				i++;
				continue;
			}
			retire(pool[t][i]);
			pool[t][i] = pool[t][--npool[t]];
		}
}

static uint64_t valid_of(int type)
{
	return npool[type] ? pool[type][below((uint64_t)npool[type])] : 0;
}

// A handle for an argument that wants an object of type: mostly a live one, else a stale one, one
// of another type, or an odd value (0, ~0, a neighbouring index, an older generation, garbage).
static uint64_t handle(int type, enum hkind *kind)
{
	unsigned r = (unsigned)below(100);
	uint64_t h = valid_of(type);
	enum hkind k = H_VALID;

	if (r >= 78 || !h) {
		if (r < 86 && nstale) {
			h = stale[below((uint64_t)nstale)];
			k = H_STALE;
		} else if (r < 93) {
			int other = 1 + (int)below(NTYPES - 1);

			h = other != type ? valid_of(other) : 0;
			k = h ? H_WRONG : H_ODD;
		} else {
			static const uint64_t odd[] = { 0, 1, ~0ull, 1ull << 32, 0xffffffff, KADDR };

			k = H_ODD;
			h = chance(50) ? PICK(odd)
			               : h + (chance(50) ? 1 : -1ull) * (chance(50) ? 1 : 1ull << 32);
			if (type_of(h) != EXO_OBJ_NONE) // a neighbour may be a root: never touch those
				h = ~0ull;
		}
	}
	if (kind)
		*kind = k;
	return h;
}

// The oracle for a call whose first argument is the handle: stale -> EBADCAP, another type ->
// ETYPE (or EBADCAP, if that object died).
static void expect_lookup(enum hkind k, long r)
{
	if (k == H_STALE && r != -EXO_EBADCAP)
		FAIL("a stale handle gave %ld, not -EXO_EBADCAP", r);
	if (k == H_WRONG && r != -EXO_ETYPE && r != -EXO_EBADCAP)
		FAIL("a handle of another type gave %ld, not -EXO_ETYPE", r);
}

// ---------------------------------------------------------------------------------------------
// Arguments

static uint64_t out_buf[EXO_MAP_BATCH_MAX + 8]; // output arguments the kernel may fill
static struct exo_map_op ops[8];
static uint64_t vas[8];
static const char names[] = "fz\0a-name-longer-than-a-process-name";

static uint64_t count_arg(void)
{
	static const uint64_t n[] = { 0, 1, 2, 3, 4, 511, 512, 513, 1ull << 32, ~0ull, 1ull << 63 };

	return chance(75) ? 1 + below(4) : PICK(n);
}

static uint64_t rights_arg(void)
{
	static const uint64_t r[] = { EXO_R_ALL,
		                      EXO_R_READ,
		                      EXO_R_READ | EXO_R_WRITE,
		                      EXO_R_READ | EXO_R_EXEC,
		                      EXO_R_READ | EXO_R_GRANT,
		                      EXO_R_WRITE,
		                      EXO_R_CONTROL,
		                      EXO_R_ALL & ~EXO_R_GRANT,
		                      0,
		                      0x20,
		                      ~0ull };

	return PICK(r);
}

// A user address for mappings: mostly in the fuzzed window, else at the edges of the user half,
// at page-table boundaries, misaligned, non-canonical or in the kernel.
static uint64_t vaddr_arg(void)
{
	static const uint64_t v[] = { 0,
		                      PAGE,
		                      0x400000,
		                      USER_TOP - PAGE,
		                      USER_TOP,
		                      NONCANON,
		                      NONCANON - PAGE,
		                      KADDR,
		                      ~0ull & ~0xfffull,
		                      0x123,
		                      KID_STACKS };

	if (chance(70))
		return FUZZ_VA + below(8) * PAGE;
	if (chance(50))
		return PT_VA + below(8) * (2ull << 20) + (chance(20) ? below(PAGE) : 0);
	return PICK(v);
}

// A pointer argument the kernel reads (or writes, out): mostly good, else bad in one of many ways.
static uint64_t ptr_arg(uint64_t good)
{
	static const uint64_t bad
	    [] = { 0,        8,         KADDR,    NONCANON - 8, NONCANON,
		   USER_TOP, ~0ull - 7, NOACCESS, 0x400000,     0x7ffe00000000ull /* bootinfo: read-only */ };

	if (chance(85))
		return good;
	if (chance(30) && good)
		return good + 1 + below(7); // misaligned (output buffers have room for it)
	return PICK(bad);
}

static uint64_t prot_arg(void)
{
	static const uint64_t p[] = { EXO_R_READ,
		                      EXO_R_READ | EXO_R_WRITE,
		                      EXO_R_READ | EXO_R_EXEC,
		                      EXO_R_WRITE | EXO_R_EXEC,
		                      0,
		                      8,
		                      EXO_R_ALL,
		                      EXO_R_READ | EXO_MAP_MOVE,
		                      EXO_R_READ | EXO_R_WRITE | EXO_MAP_MOVE };

	return chance(70) ? PICK(p) & (EXO_R_READ | EXO_R_WRITE | EXO_R_EXEC) : PICK(p);
}

// A pool copy of one of the fuzzer's own objects, with all rights or fewer.
static void pool_copy(uint64_t h, uint64_t type)
{
	long c = exo_cap_copy(h, 0, chance(70) ? EXO_R_ALL : rights_arg() & EXO_R_ALL);

	if (c > 0)
		pool_add((uint64_t)c, type);
}

// A live kid i: a new one when the last was killed (by a kill, a fault, an unmapped page). Its
// root stays out of the pools; the pools get a copy. 0 if there is none.
static int renew_kid(int i)
{
	int64_t status;

	if (kids[i] && exo_process_status(kids[i], &status) == -EXO_EAGAIN)
		return 1;
	if (kids[i])
		exo_cap_delete(kids[i]);
	kids[i] = 0;
	if (nthreads >= THREADS || kid_spawn(bi, batch_q, "fz-kid", KID_PRIO, &kids[i]))
		return 0;
	exo_process_set_timeslice(kids[i], ts_kid);
	kid_slot[i] = 0;
	nthreads++;
	pool_copy(kids[i], EXO_OBJ_PROCESS);
	return 1;
}

// ---------------------------------------------------------------------------------------------
// What threads in the kids run: IPC servers and callers, waiters and signallers on the batch's
// objects (arg: a handle in the kid's table). A failed call backs off for a moment.

static void back_off(void)
{
	exo_thread_sleep((uint64_t)exo_clock_ns() + 200000);
}

static void w_server(uint64_t ep)
{
	struct exo_msg m = { 0 };

	for (;;) {
		m.tag = 0;
		if (exo_reply_recv(ep, &m))
			back_off();
	}
}

static void w_caller(uint64_t ep)
{
	for (uint64_t i = 0;; i++) {
		struct exo_msg m = { EXO_TAG(i, i % 5, 0), 0, { i, ~i, 0, 0 } };

		if (exo_call(ep, &m))
			back_off();
	}
}

static void w_waiter(uint64_t ntfn)
{
	for (;;)
		if (exo_notify_wait(ntfn) < 0)
			back_off();
}

static void w_signaller(uint64_t ntfn)
{
	for (uint64_t i = 1;; i++) {
		if (exo_notify_signal(ntfn, i & 0x7fffffffffffffffull))
			back_off();
		exo_thread_yield();
	}
}

// The IPC buffer op_worker mapped for the thread on this stack (kid.h's slot layout).
static struct exo_ipc_buffer *own_buffer(void)
{
	uint64_t slot = ((uint64_t)__builtin_frame_address(0) - KID_STACKS) / (2 * PAGE);

	return (struct exo_ipc_buffer *)(KID_BUFS + slot * PAGE);
}

// Calls with up to 8 words, up to three capabilities (copies with some rights, now and then a
// move of its only handle), a grant of its stack page and a timeout now and then.
static void w_cap_caller(uint64_t ep)
{
	struct exo_ipc_buffer *buf = own_buffer();

	exo_ipc_set_buffer(buf);
	for (uint64_t i = 0;; i++) {
		struct exo_msg m = { EXO_TAG(i, i % 9, i % 4), 0, { i, 0, 0, 0 } };

		for (int c = 0; c < EXO_MSG_MAX_CAPS; c++)
			buf->caps[c] =
			    (struct exo_cap_xfer){ ep, (i + (uint64_t)c) % 0x21, i % 13 == 12 && c == 0 };
		if (i % 3 == 0) {
			buf->grant =
			    (struct exo_grant){ (uint64_t)&m & ~(PAGE - 1), 1 + i % 2, EXO_R_READ | (i & 2) };
			m.tag |= EXO_IPC_GRANT;
		}
		if (i % 5 == 0) {
			buf->deadline = (uint64_t)exo_clock_ns() + 100000;
			m.tag |= EXO_IPC_TIMEOUT;
		}
		if (exo_call(ep, &m))
			back_off();
	}
}

// Serves with a buffer and a grant window over the fuzzed window; deletes half the capabilities
// it gets and sends the rest back with the reply (a move).
static void w_cap_server(uint64_t ep)
{
	struct exo_ipc_buffer *buf = own_buffer();
	struct exo_msg m = { 0 };

	exo_ipc_set_buffer(buf);
	buf->recv_window = FUZZ_VA;
	buf->recv_window_pages = 8;
	for (uint64_t i = 0;; i++) {
		unsigned n = (unsigned)EXO_TAG_CAPS(m.tag), back = 0;

		for (unsigned c = 0; c < n; c++) {
			if ((i + c) % 2) {
				exo_cap_delete(buf->caps[c].handle);
				continue;
			}
			buf->caps[back++] = (struct exo_cap_xfer){ buf->caps[c].handle, 0, 1 };
		}
		m.tag = EXO_TAG(0, i % 6, back);
		if (exo_reply_recv(ep, &m)) {
			m.tag = 0;
			back_off();
		}
	}
}

// Touches the fuzzed window of its own address space while the fuzzer maps and unmaps there: a
// fault ends the kid.
static void w_toucher(uint64_t unused)
{
	(void)unused;
	for (uint64_t i = 0;; i++) {
		(void)*(volatile uint64_t *)(FUZZ_VA + (i % 8) * PAGE);
		back_off();
	}
}

// ---------------------------------------------------------------------------------------------
// Operations: one or a few calls with mutated arguments; the result is checked where the answer
// is known.

static void op_frame_alloc(void)
{
	enum hkind k;
	uint64_t q = handle(EXO_OBJ_QUOTA, &k), n = count_arg(), out = ptr_arg((uint64_t)out_buf);
	long r = SC3(frame_alloc, q, n, out);

	expect_lookup(k, r);
	if (r > 0 && (uint64_t)r != n)
		FAIL("frame_alloc of %lu frames returned %ld", (unsigned long)n, r);
	for (long i = 0; i < r; i++) {
		uint64_t h;

		memcpy(&h, (const void *)(out + (uint64_t)i * 8), 8); // maybe misaligned
		if (i < 3 && type_of(h) == EXO_OBJ_FRAME)
			pool_add(h, EXO_OBJ_FRAME);
		else
			retire(h);
	}
}

static void op_quota_split(void)
{
	enum hkind k;
	static const uint64_t n[] = { 0, 1, 2, 8, 32, 64, 128, BATCH_Q, ~0ull, 1ull << 63 };
	long r = SC2(quota_split, handle(EXO_OBJ_QUOTA, &k), PICK(n));

	expect_lookup(k, r);
	adopt(r);
}

// Destroys a quota with whatever it pays for: processes and threads end, frames are unmapped
// everywhere, endpoints and notifications die. Mostly one split in the batch; the batch's own
// quota rarely (which ends the batch's kids and all it made).
static void op_quota_destroy(void)
{
	enum hkind k;
	uint64_t q = handle(EXO_OBJ_QUOTA, &k);
	struct exo_cap_info info;

	if (k == H_VALID && exo_cap_info(q, &info) == 0 && info.a == BATCH_Q && chance(90))
		return;
	expect_lookup(k, SC1(quota_destroy, q));
}

static void op_process_create(void)
{
	enum hkind k;
	uint64_t q = handle(EXO_OBJ_QUOTA, &k);
	long r = SC2(process_create, q, (uint64_t)names + below(sizeof(names)));

	expect_lookup(k, r);
	adopt(r);
}

static void op_thread_create(void)
{
	enum hkind k;
	long r;

	if (nthreads >= THREADS)
		return;
	r = SC2(thread_create, handle(EXO_OBJ_PROCESS, &k), chance(80) ? below(KID_PRIO + 1) : below(64));
	expect_lookup(k, r);
	nthreads += r > 0;
	adopt(r);
}

// Starts a worker in a kid on a copy (fewer rights, sometimes) of an endpoint or notification.
static void op_worker(void)
{
	static void (*const fns[])(uint64_t) = { w_server,    w_caller, w_cap_server, w_cap_caller, w_waiter,
		                                 w_signaller, w_waiter, w_signaller,  w_toucher };
	int which = (int)below(NELEM(fns)), kid = (int)below(2);
	int type = which < 4 ? EXO_OBJ_ENDPOINT : EXO_OBJ_NOTIFICATION;
	uint64_t h = chance(70) && npool[type] ? pool[type][0] : valid_of(type); // workers meet there
	struct exo_map_op buf = { 0, KID_BUFS + kid_slot[kid] * PAGE,
		                  EXO_R_READ | EXO_R_WRITE | EXO_MAP_MOVE };
	long c, t;

	if (!renew_kid(kid) || nthreads >= THREADS || !h)
		return;
	if (exo_frame_alloc(batch_q, 1, &buf.frame) == 1 && exo_vspace_map(kids[kid], &buf, 1) != 1)
		exo_cap_delete(buf.frame);
	c = SC3(cap_copy, h, kids[kid], chance(80) ? EXO_R_ALL : rights_arg());
	t = kid_run(kids[kid], batch_q, kid_slot[kid]++, fns[which], c > 0 ? (uint64_t)c : h,
	            below(KID_PRIO + 1));
	nthreads++;
	adopt(t);
}

static void op_thread_ctl(void)
{
	enum hkind k;
	uint64_t t = handle(EXO_OBJ_THREAD, &k);
	long r;

	switch (below(6)) {
	case 0:
		r = SC1(thread_suspend, t);
		break;
	case 1:
		r = SC1(thread_resume, t);
		break;
	case 2:
		r = SC1(thread_destroy, t);
		break;
	case 3: // in an empty process: it faults at once and ends its process
		r = SC4(thread_start, t, vaddr_arg(), vaddr_arg(), rnd());
		break;
	default:
		r = SC2(thread_set_prio, t, chance(80) ? below(KID_PRIO + 1) : rnd() % 64);
		break;
	}
	expect_lookup(k, r);
}

static void fill_ops(int n)
{
	for (int i = 0; i < n; i++) {
		ops[i].frame = handle(EXO_OBJ_FRAME, NULL);
		ops[i].vaddr = vaddr_arg();
		ops[i].prot = prot_arg();
		vas[i] = chance(80) ? ops[i].vaddr : vaddr_arg();
	}
}

static void op_vspace(void)
{
	enum hkind k;
	uint64_t p = handle(EXO_OBJ_PROCESS, &k), n = chance(85) ? 1 + below(8) : count_arg();
	long r;

	fill_ops(8);
	switch (below(5)) {
	case 0:
	case 1:
		r = SC3(vspace_map, p, ptr_arg((uint64_t)ops), n);
		break;
	case 2:
		r = SC3(vspace_unmap, p, ptr_arg((uint64_t)vas), n);
		break;
	case 3:
		r = SC3(vspace_protect, p, ptr_arg((uint64_t)ops), n);
		break;
	default:
		if (chance(50)) {
			r = SC3(vspace_unmap_range, p, vaddr_arg(), count_arg());
			break;
		}
		SC4(vspace_protect_range, p, vaddr_arg(), count_arg(), prot_arg()); // checks prot first
		return;
	}
	expect_lookup(k, r);
}

// One frame writable at one address and executable at another (the W^X-per-frame rule) in
// two processes or one.
static void op_wx(void)
{
	uint64_t f = valid_of(EXO_OBJ_FRAME), p = valid_of(EXO_OBJ_PROCESS), q = valid_of(EXO_OBJ_PROCESS);
	struct exo_map_op w = { f, FUZZ_VA + below(8) * PAGE, EXO_R_READ | EXO_R_WRITE };
	struct exo_map_op x = { f, FUZZ_VA + below(8) * PAGE, EXO_R_READ | EXO_R_EXEC };

	SC3(vspace_map, p, (uint64_t)&w, 1);
	SC3(vspace_map, q, (uint64_t)&x, 1);
}

// Capability calls take any type: a stale handle is the one that must give EXO_EBADCAP (once the
// rights and the destination passed their checks).
static void op_cap(void)
{
	enum hkind k;
	uint64_t h = handle(1 + (int)below(NTYPES - 1), &k), rights = rights_arg();
	uint64_t dest = chance(60) ? 0 : handle(EXO_OBJ_PROCESS, NULL);
	const struct exo_cap_info *info = (const struct exo_cap_info *)out_buf;
	int checked = !dest && !(rights & ~EXO_R_ALL);
	long r;

	switch (below(7)) {
	case 0:
	case 1:
		r = SC3(cap_copy, h, dest, rights);
		if (r > 0 && !dest && exo_cap_info((uint64_t)r, (struct exo_cap_info *)out_buf) == 0 &&
		    (info->rights & ~rights))
			FAIL("a copy with rights %#lx has %#lx", (unsigned long)rights,
			     (unsigned long)info->rights);
		if (!dest)
			adopt(r);
		break;
	case 2:
		r = SC3(cap_mint, h, rights, chance(90) ? 1 + below(1000) : 0);
		adopt(r);
		break;
	case 3:
		r = SC2(cap_move, h, dest);
		if (r > 0) {
			add_stale(h);
			if (!dest)
				adopt(r);
		}
		break;
	case 4:
		r = SC1(cap_delete, h);
		if (r == 0)
			add_stale(h);
		checked = 1;
		break;
	case 5:
		r = SC1(cap_revoke, h);
		checked = 1;
		break;
	default:
		r = SC2(cap_info, h, ptr_arg((uint64_t)out_buf));
		checked = 1;
		break;
	}
	if (checked && k == H_STALE && r != -EXO_EBADCAP)
		FAIL("a stale handle gave %ld, not -EXO_EBADCAP", r);
}

static void op_create(void)
{
	adopt(chance(50) ? SC0(endpoint_create) : SC0(notify_create));
}

// IPC from the fuzzer never blocks it: non-blocking sends and receives; a call received is answered.
static void op_ipc(void)
{
	uint64_t ep = handle(EXO_OBJ_ENDPOINT, NULL);
	uint64_t tag = EXO_TAG(rnd() & 0xffff, chance(90) ? below(5) : below(128), 0) | EXO_IPC_NONBLOCK;

	switch (below(3)) {
	case 0:
		SC6(ipc_send, ep, tag, rnd(), 1, 2, 3);
		break;
	case 1:
		if (SC2(ipc_recv, ep, EXO_IPC_NONBLOCK) == 0)
			SC5(ipc_reply, 0, 1, 2, 3, 4);
		break;
	default:
		SC5(ipc_reply, EXO_TAG(1, below(8), 0), 0, 0, 0, 0);
		break;
	}
}

static void op_notify(void)
{
	enum hkind k;
	uint64_t n = handle(EXO_OBJ_NOTIFICATION, &k);
	uint64_t now = (uint64_t)exo_clock_ns();
	long r;

	switch (below(3)) {
	case 0:
		r = SC2(notify_signal, n, chance(90) ? 1ull << below(63) : rnd());
		break;
	case 1:
		r = SC1(notify_poll, n);
		break;
	default:
		r = SC4(notify_timer, n, below(70), chance(80) ? now + below(2000000) : rnd(),
		        chance(50) ? 0 : below(1000000));
		break;
	}
	expect_lookup(k, r);
}

static void op_kill(void)
{
	enum hkind k;
	uint64_t p = handle(EXO_OBJ_PROCESS, &k);
	long r =
	    chance(30) ? SC2(process_kill, p, rnd()) : SC2(process_status, p, ptr_arg((uint64_t)out_buf));

	expect_lookup(k, r);
}

static void op_timeslice(void)
{
	enum hkind k;
	long r;

	if (chance(50)) {
		r = SC2(timeslice_split, handle(EXO_OBJ_TIMESLICE, &k), chance(80) ? below(4) : rnd());
		adopt(r);
	} else {
		r = SC2(process_set_timeslice, handle(EXO_OBJ_PROCESS, &k), handle(EXO_OBJ_TIMESLICE, NULL));
	}
	expect_lookup(k, r);
}

// Device capabilities, only the ones the fuzzer's set-up narrowed (port 0x80, VGA text memory,
// one IRQ line): restricting, enabling, mapping into a kid, binding to a notification. RAM must
// never be mapped as device memory.
static void op_device(void)
{
	static const uint64_t pa[] = { 0xb8000, 0xb9000, 0xbf000, 0xc0000, 0x100000, 0, 0xb8001 };
	enum hkind k;
	uint64_t paddr = PICK(pa);
	long r;

	switch (below(4)) {
	case 0:
		r = SC3(ioport_restrict, handle(EXO_OBJ_IOPORT, &k), 0x7f + below(3), below(4));
		adopt(r);
		break;
	case 1:
		r = SC3(ioport_enable, handle(EXO_OBJ_IOPORT, &k), 0x7f + below(3), below(3));
		break;
	case 2:
		r = SC5(mmio_map, handle(EXO_OBJ_MMIO, &k), handle(EXO_OBJ_PROCESS, NULL), vaddr_arg(), paddr,
		        chance(80) ? 1 : count_arg());
		if (r == 0 && (paddr < 0xb8000 || paddr >= 0xc0000))
			FAIL("mmio_map mapped physical %#lx", (unsigned long)paddr);
		break;
	default:
		r = SC3(irq_bind, handle(EXO_OBJ_IRQ, &k),
		        chance(20) ? 0 : handle(EXO_OBJ_NOTIFICATION, NULL), below(70));
		break;
	}
	expect_lookup(k, r);
}

// A debug_write or process name from a bad buffer must give EFAULT (or EINVAL, past the user half).
static void op_bad_pointer(void)
{
	static const uint64_t bad[] = { KADDR, NONCANON, ~0ull - 7, USER_TOP, NONCANON - 8, NOACCESS };
	uint64_t p = PICK(bad), q = valid_of(EXO_OBJ_QUOTA);
	int write = chance(50) || !q;
	long r = write ? SC2(debug_write, p, 1 + below(17)) : SC2(process_create, q, p);

	// process_create's quota may lack a right or be gone: any error will do there.
	if (write ? r != -EXO_EFAULT && r != -EXO_EINVAL : r >= 0)
		FAIL("a bad pointer %#lx gave %ld", (unsigned long)p, r);
	adopt(r);
}

// Lets the kids' threads run for a moment.
static void op_pause(void)
{
	if (chance(50))
		SC0(thread_yield);
	else
		SC1(thread_sleep, (uint64_t)exo_clock_ns() + below(300000));
}

struct op {
	const char *name;
	unsigned weight;
	void (*fn)(void);
};

static const struct op op_table[] = {
	{ "frame_alloc", 8, op_frame_alloc },
	{ "quota_split", 3, op_quota_split },
	{ "quota_destroy", 1, op_quota_destroy },
	{ "process_create", 3, op_process_create },
	{ "thread_create", 3, op_thread_create },
	{ "worker", 3, op_worker },
	{ "thread_ctl", 6, op_thread_ctl },
	{ "vspace", 16, op_vspace },
	{ "wx", 2, op_wx },
	{ "cap", 16, op_cap },
	{ "create", 3, op_create },
	{ "ipc", 8, op_ipc },
	{ "notify", 6, op_notify },
	{ "kill", 3, op_kill },
	{ "timeslice", 2, op_timeslice },
	{ "device", 4, op_device },
	{ "bad_pointer", 2, op_bad_pointer },
	{ "pause", 4, op_pause },
};

static void one_op(void)
{
	unsigned total = 0, r;

	for (size_t i = 0; i < NELEM(op_table); i++)
		total += op_mask >> i & 1 ? op_table[i].weight : 0;
	r = (unsigned)below(total);
	for (size_t i = 0; i < NELEM(op_table); i++) {
		if (!(op_mask >> i & 1))
			continue;
		if (r < op_table[i].weight) {
			cur_op = op_table[i].name;
			op_table[i].fn();
			return;
		}
		r -= op_table[i].weight;
	}
}

// ---------------------------------------------------------------------------------------------
// Batches

static int batch_start(void)
{
	long q = exo_quota_split(fuzz_q, BATCH_Q);

	cur_op = "batch start";
	nstale = stale_at = 0; // a batch starts from nothing of the ones before: it replays alone
	if (q < 0)
		return (int)q;
	batch_q = (uint64_t)q;
	for (int i = 0; i < 2; i++) {
		pool_copy(batch_q, EXO_OBJ_QUOTA);
		pool_copy(ts_kid, EXO_OBJ_TIMESLICE);
		pool_copy(io_base, EXO_OBJ_IOPORT);
		pool_copy(mmio_base, EXO_OBJ_MMIO);
		pool_copy(irq_line, EXO_OBJ_IRQ);
		adopt(exo_endpoint_create());
		adopt(exo_notify_create());
	}
	for (int i = 0; i < 2; i++)
		if (!renew_kid(i))
			return -EXO_ENOMEM;
	return 0;
}

static int stats_back(void)
{
	struct exo_kernel_stats now = { 0 };

	for (int tries = 0; tries < 20; tries++) {
		if (exo_kernel_stats(root_q, &now) == 0 && kid_stats_equal(&now, &base_stats))
			return 1;
		exo_thread_sleep((uint64_t)exo_clock_ns() + 1000000); // let the reaper run
	}
	exo_printf("fuzz: kernel memory now: %lu free frames (%+ld), heap %lu bytes (%+ld) in %lu "
	           "objects (%+ld), %lu pages (%+ld)\n",
	           (unsigned long)now.free_frames, (long)(now.free_frames - base_stats.free_frames),
	           (unsigned long)now.heap_bytes, (long)(now.heap_bytes - base_stats.heap_bytes),
	           (unsigned long)now.heap_objects, (long)(now.heap_objects - base_stats.heap_objects),
	           (unsigned long)now.heap_pages, (long)(now.heap_pages - base_stats.heap_pages));
	return 0;
}

// The frames charged to quota once they settle at want (~0: the quota was destroyed), waiting up
// to a second: on several CPUs a killed thread leaves another CPU at its next tick, and its stack
// goes only then.
static uint64_t settled_use(uint64_t quota, uint64_t want)
{
	uint64_t used = test_used(quota);

	for (int tries = 0; tries < 1000 && used != want && used != ~0ull; tries++) {
		exo_thread_sleep((uint64_t)exo_clock_ns() + 1000000);
		used = test_used(quota);
	}
	return used;
}

// Kills the batch's processes, deletes its capabilities and checks the accounting.
static void batch_end(void)
{
	uint64_t used;

	cur_op = "tear-down";
	exo_irq_bind(irq_line, 0, 0); // a binding holds its notification
	for (int i = 0; i < nroots; i++) {
		exo_process_kill(roots[i], 0);
		exo_cap_delete(roots[i]);
	}
	for (int i = 0; i < 2; i++) {
		exo_process_kill(kids[i], 0);
		exo_cap_delete(kids[i]);
		kids[i] = 0;
	}
	for (int t = 0; t < NTYPES; t++) {
		for (int i = 0; i < npool[t]; i++)
			retire(pool[t][i]);
		npool[t] = 0;
	}
	nroots = nthreads = 0;
	used = settled_use(batch_q, 0);
	if (used != 0 && used != ~0ull) // ~0: destroyed (op_quota_destroy)
		FAIL("%lu frames still charged to the batch's quota after its tear-down",
		     (unsigned long)used);
	exo_cap_delete(batch_q);
	if (settled_use(fuzz_q, fuzz_q_used0) != fuzz_q_used0)
		FAIL("the fuzzer's quota has %lu frames charged, %lu before the batch",
		     (unsigned long)test_used(fuzz_q), (unsigned long)fuzz_q_used0);
	if (!stats_back()) {
		FAIL("the kernel's free frames or heap did not come back");
		exo_kernel_stats(root_q, &base_stats); // report the next drift on its own
	}
}

static void run_batch(uint64_t calls)
{
	int err;

	rng_state = splitmix(seed ^ splitmix(batch));
	batch_calls = 0;
	err = batch_start();
	if (err)
		FAIL("the batch's set-up failed: %d", err);
	for (uint64_t ops = 1; !err && batch_calls < calls; ops++) {
		one_op();
		if (ops % 64 == 0)
			sweep();
	}
	batch_end();
}

// ---------------------------------------------------------------------------------------------
// Set-up: the fuzzer's own quota, a CPU budget for the kids, narrowed device capabilities, a page
// without access; then a warm-up that makes the kernel's lasting tables (the kernel-stack region's
// page tables, the fuzzer's scratch mappings and I/O bitmap, the IRQ route) before the baseline.

static int setup(void)
{
	struct exo_map_op noaccess = { 0, NOACCESS, EXO_R_READ | EXO_MAP_MOVE };
	uint64_t kid, gsi = bi->nirqs > 5 ? 5 : 0;
	long r;

	root_q = bi->quota;
	fuzz_q = (uint64_t)exo_quota_split(root_q, 2 * BATCH_Q);
	ts_kid = (uint64_t)exo_timeslice_split(bi->timeslice, 30);
	io_base = (uint64_t)exo_ioport_restrict(bi->ioports, 0x80, 1);
	mmio_base = (uint64_t)exo_mmio_restrict(bi->mmio, 0xb8000, 0x8000);
	irq_line = bi->irq_first + gsi;
	if ((long)fuzz_q < 0 || (long)ts_kid < 0 || (long)io_base < 0 || (long)mmio_base < 0)
		return -1;
	if (exo_kernel_stats(fuzz_q, &base_stats) != -EXO_EPERM) // for root quotas only
		return -4;
	if (exo_frame_alloc(root_q, 1, &noaccess.frame) != 1 || exo_vspace_map(bi->self, &noaccess, 1) != 1 ||
	    exo_vspace_protect_range(bi->self, NOACCESS, 1, 0) != 1)
		return -2;
	// Warm-up: more threads at once than a batch may make, a spawn, the I/O bitmap, the IRQ route.
	r = kid_spawn(bi, fuzz_q, "fz-warm", KID_PRIO, &kid);
	for (int i = 0; !r && i < THREADS + 8; i++)
		r = exo_thread_create(kid, 1) > 0 ? 0 : -3;
	exo_process_kill(kid, 0);
	exo_cap_delete(kid);
	if (!r)
		r = exo_ioport_enable(io_base, 0x80, 1);
	if (!r) {
		long n = exo_notify_create();

		r = exo_irq_bind(irq_line, (uint64_t)n, 1);
		exo_irq_bind(irq_line, 0, 0);
		exo_cap_delete((uint64_t)n);
	}
	fuzz_q_used0 = test_used(fuzz_q);
	if (!r)
		r = exo_kernel_stats(root_q, &base_stats);
	return (int)r;
}

int main(uint64_t arg)
{
	uint64_t seeds, batches, calls, first, t0;
	struct exo_cap_info self;
	int err;

	kid_main(arg);
	bi = test_begin("fuzz", arg);
	if (!bi)
		return 1;
	seed = cmdline_u64("fuzz_seed", SEED);
	seeds = cmdline_u64("fuzz_seeds", SEEDS);
	batches = cmdline_u64("fuzz_batches", BATCHES);
	calls = cmdline_u64("fuzz_calls", CALLS);
	first = cmdline_u64("fuzz_first", 0);
	op_mask = cmdline_u64("fuzz_ops", ~0ull);
	// When the kernel runs init a second time (the QEMU harness does), the next seeds follow.
	if (exo_cap_info(bi->self, &self) == 0 && self.a != 1)
		seed += seeds;
	err = setup();
	if (err) {
		exo_printf("fuzz: set-up failed: %d\n", err);
		return 1;
	}
	exo_printf("fuzz: seeds %#lx..%#lx, batches %lu..%lu of %lu calls; %lu free frames, %lu heap "
	           "bytes\n",
	           (unsigned long)seed, (unsigned long)(seed + seeds - 1), (unsigned long)first,
	           (unsigned long)(first + batches - 1), (unsigned long)calls,
	           (unsigned long)base_stats.free_frames, (unsigned long)base_stats.heap_bytes);
	t0 = (uint64_t)exo_clock_ns();
	for (uint64_t s = 0; s < seeds; s++, seed++) {
		for (batch = first; batch < first + batches; batch++)
			run_batch(calls);
		exo_printf("fuzz: seed %#lx done: %lu calls so far, %d failures, %lu ms\n",
		           (unsigned long)seed, (unsigned long)ncalls, test_failures(),
		           (unsigned long)(((uint64_t)exo_clock_ns() - t0) / 1000000));
	}
	exo_printf("fuzz: summary: %lu calls, %lu seeds, %lu batches each, %d invariant failures, "
	           "%lu calls/s\n",
	           (unsigned long)ncalls, (unsigned long)seeds, (unsigned long)batches, test_failures(),
	           (unsigned long)(ncalls * 1000000000ull / ((uint64_t)exo_clock_ns() - t0 + 1)));
	return test_end();
}
