// SPDX-License-Identifier: MIT
// A hostile init: 500,000 kernel calls with random call numbers and arguments from hostile pools
// (0, -1, NULL, kernel and non-canonical addresses, unaligned and huge values, unmapped and
// read-only pointers, live, stale, wrong-type and wrong-rights handles) from a fixed-seed xorshift
// generator. Every result must be an EXO_E* error or a plausible success; the kernel must
// survive, and once everything is killed and deleted the exact frame accounting of
// tests/qemu/ktests/init_test.c must hold. The program cannot hurt itself: it deletes its own
// process and thread capabilities first, calls that could block it forever only get arguments
// that cannot block, and the children it plays with are held to a small CPU budget (a thread it
// starts in one cannot starve it). seed=N on the kernel command line replaces the fixed seed (to
// hunt with others by hand). main(arg) with arg < 4096 is a child role.
#include "testlib.h"

#include "rng.h"

#define SEED  0x9e3779b97f4a7c15ull
#define CALLS 500000

#define KADDR     0xffffffff80200000ull
#define KADDR2    0xffff800000000000ull
#define NONCANON  0x0000800000000000ull
#define NONCANON2 0x8000000000000000ull
#define USER_TOP  0x00007ffffffff000ull
#define UNMAPPED  0x0000000500000000ull

// Pages this program maps for itself before it gives up its process capability: a read-write
// scratch area (argument buffers, the only memory the kernel may write) followed by an unmapped
// page, and a read-only page.
#define FQ_FRAMES  64  // the fuzzer's own quota
#define CQ_FRAMES  256 // the children's
#define SCRATCH    0x0000000600000000ull
#define SCRATCH_SZ (2 * EXO_PAGE_SIZE)
#define OPS        SCRATCH                    // map operations for vspace_map / protect
#define VAS        (SCRATCH + SCRATCH_SZ / 2) // addresses for vspace_unmap
#define NFILL      40
#define NAMES      (SCRATCH + SCRATCH_SZ - 64) // process names: one ends at the unmapped page
#define RO_PAGE    0x0000000600010000ull
// Where the generated map operations point (in the children's address spaces).
#define FUZZ_VA    0x0000000010000000ull

enum { CHILD_SLEEP = 1 };

// ---------------------------------------------------------------------------------------------
// Random numbers: xorshift64* (rng.h), a fixed seed.

// seed=N (decimal or 0x hex) on the kernel command line replaces the fixed seed.
static uint64_t seed_from(const char *cmdline)
{
	uint64_t v = 0;
	int base = 10;

	for (const char *p = cmdline; *p; p++) {
		if ((p != cmdline && p[-1] != ' ') || memcmp(p, "seed=", 5) != 0)
			continue;
		p += 5;
		if (p[0] == '0' && p[1] == 'x') {
			base = 16;
			p += 2;
		}
		for (; *p && *p != ' '; p++) {
			int d = *p >= '0' && *p <= '9'                     ? *p - '0'
			        : (*p | 0x20) >= 'a' && (*p | 0x20) <= 'f' ? (*p | 0x20) - 'a' + 10
			                                                   : 99;

			if (d >= base)
				break;
			v = v * (uint64_t)base + (uint64_t)d;
		}
		return v ? v : SEED;
	}
	return SEED;
}

// ---------------------------------------------------------------------------------------------
// Handles. The pool holds what the calls may use: copies, with various rights, of the base
// objects, and everything the calls create (the oldest evicted when full). The roots of the base
// objects and of every process the fuzzer creates stay out of the pool ("hidden"): delete, move
// and revoke only reach the pool's copies, the pool can be refilled from the roots, and no
// process can become unreachable (the clean-up kills each through its root).

#define POOL_MAX  160
#define STALE_MAX 64
#define BASE_MAX  48
#define PROCS_MAX 24

struct ent {
	uint64_t h;
	uint64_t type;
};

static struct ent pool[POOL_MAX];
static int npool, next_evict;
static uint64_t stale[STALE_MAX];
static int nstale, stale_at;
static struct ent base[BASE_MAX]; // hidden roots of the base objects
static int nbase;
static uint64_t procs[PROCS_MAX]; // hidden roots of the processes the fuzzer created
static int nprocs, procs_at;
static const struct exo_bootinfo *bi;
static uint64_t fq_root, cq_root; // the quotas of the run

static uint64_t type_of(uint64_t h)
{
	struct exo_cap_info i;

	return exo_cap_info(h, &i) == 0 ? i.type : EXO_OBJ_NONE;
}

static void add_stale(uint64_t h)
{
	stale[stale_at] = h;
	stale_at = (stale_at + 1) % STALE_MAX;
	if (nstale < STALE_MAX)
		nstale++;
}

// Deletes a handle for good and remembers it as a stale one.
static void retire(uint64_t h)
{
	exo_cap_delete(h);
	add_stale(h);
}

static void pool_add(uint64_t h, uint64_t type)
{
	if (npool < POOL_MAX) {
		pool[npool++] = (struct ent){ h, type };
		return;
	}
	retire(pool[next_evict].h);
	pool[next_evict] = (struct ent){ h, type };
	next_evict = (next_evict + 1) % POOL_MAX;
}

// Keeps the root of a process the fuzzer created; the oldest one is killed when there are too many.
static void hide_process(uint64_t h)
{
	if (nprocs == PROCS_MAX) {
		exo_process_kill(procs[procs_at], 0);
		exo_cap_delete(procs[procs_at]);
		nprocs--;
	}
	procs[procs_at] = h;
	procs_at = (procs_at + 1) % PROCS_MAX;
	nprocs++;
}

// A capability a call put into our table. A process gets a hidden root; the pool gets a copy.
static void adopt(uint64_t h)
{
	uint64_t type = type_of(h);
	long c;

	if (type == EXO_OBJ_NONE)
		return;
	if (type == EXO_OBJ_PROCESS) {
		c = exo_cap_copy(h, 0, EXO_R_ALL);
		hide_process(h);
		if (c <= 0)
			return;
		h = (uint64_t)c;
	}
	pool_add(h, type);
}

// A pool copy of base object i, with all rights or fewer.
static void copy_base(int i)
{
	static const uint64_t fewer[] = { 0,
		                          EXO_R_READ,
		                          EXO_R_WRITE,
		                          EXO_R_CONTROL,
		                          EXO_R_GRANT,
		                          EXO_R_READ | EXO_R_GRANT,
		                          EXO_R_READ | EXO_R_WRITE,
		                          EXO_R_ALL & ~EXO_R_CONTROL,
		                          EXO_R_ALL & ~EXO_R_GRANT,
		                          EXO_R_ALL & ~EXO_R_WRITE };
	long c = exo_cap_copy(base[i].h, 0, chance(60) ? EXO_R_ALL : PICK(fewer));

	if (c > 0)
		pool_add((uint64_t)c, base[i].type);
}

static void add_base(uint64_t h)
{
	uint64_t type = type_of(h);

	if (type == EXO_OBJ_NONE || nbase == BASE_MAX) {
		TEST_FAIL("set-up: no capability %#lx", (unsigned long)h);
		return;
	}
	base[nbase] = (struct ent){ h, type };
	copy_base(nbase);
	copy_base(nbase);
	nbase++;
}

// Drops the pool's dead handles (deleted, revoked, moved away, or naming a dead object) to the
// stale list, and tops the pool up: copies of the base objects, and a fresh process with a thread
// when few live ones are left.
static void sweep(void)
{
	int live_procs = 0;
	long p, t;

	for (int i = 0; i < npool;) {
		uint64_t type = type_of(pool[i].h);

		if (type == EXO_OBJ_NONE) {
			retire(pool[i].h); // (deletes what names a dead object)
			pool[i] = pool[--npool];
			continue;
		}
		live_procs += type == EXO_OBJ_PROCESS;
		i++;
	}
	next_evict = 0;
	for (int i = 0; i < 8; i++)
		copy_base((int)below(nbase));
	if (live_procs < 3 && (p = exo_process_create(fq_root, "fz-fresh")) > 0) {
		adopt((uint64_t)p);
		t = exo_thread_create((uint64_t)p, 8);
		if (t > 0)
			pool_add((uint64_t)t, EXO_OBJ_THREAD);
	}
}

static uint64_t garbage_handle(void)
{
	static const uint64_t g[] = { 0,     1,          2,          1023,  1024,     0xffffffff,
		                      ~0ull, 1ull << 32, 1ull << 63, KADDR, NONCANON, 0x100000000ull + 1023 };
	uint64_t h;

	switch (below(4)) {
	case 0:
		return PICK(g);
	case 1:
		return below(1024); // generation 0: never valid
	case 2: // a pool handle with an older generation (generations only grow: never valid)
		h = npool ? pool[below(npool)].h : 5;
		return h - ((below(8) + 1) << 32);
	default:
		return rnd();
	}
}

// Any handle: live ones mostly, some stale, some garbage.
static uint64_t any_handle(void)
{
	unsigned r = (unsigned)below(100);

	if (r < 75 && npool)
		return pool[below(npool)].h;
	if (r < 88 && nstale)
		return stale[below(nstale)];
	return garbage_handle();
}

// A pool handle of type t if there is one (else any).
static uint64_t handle_of(uint64_t t)
{
	for (int tries = 0; tries < 24; tries++) {
		struct ent *e = &pool[below(npool)];

		if (e->type == t)
			return e->h;
	}
	return any_handle();
}

// A handle that does not name an object of type t (for calls that would block on one).
static uint64_t handle_not(uint64_t t)
{
	for (int tries = 0; tries < 8; tries++) {
		uint64_t h = any_handle();

		if (type_of(h) != t)
			return h;
	}
	return 0;
}

// ---------------------------------------------------------------------------------------------
// Arguments

static const uint64_t ro_data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }; // .rodata: read-only
static const char dots[] = "....";
static volatile uint64_t guard[64]; // canaries: no call may write the program's own memory

static uint64_t any_pointer(int output)
{
	static const uint64_t bad[] = { 0,
		                        1,
		                        8,
		                        0xff8,
		                        0xfff,
		                        ~0ull,
		                        ~0ull - 7,
		                        KADDR,
		                        KADDR2,
		                        0xffffffffffffe000ull,
		                        NONCANON,
		                        NONCANON - 8,
		                        NONCANON2,
		                        UNMAPPED,
		                        UNMAPPED + 0x123,
		                        USER_TOP,
		                        USER_TOP - 8,
		                        1ull << 62,
		                        SCRATCH + SCRATCH_SZ, // the unmapped page after the scratch area
		                        SCRATCH + SCRATCH_SZ - 8,
		                        SCRATCH + SCRATCH_SZ - 4,
		                        SCRATCH + SCRATCH_SZ - 24,
		                        SCRATCH - 8 };
	uint64_t ro[] = { RO_PAGE,           RO_PAGE + 8, (uint64_t)ro_data, (uint64_t)any_pointer,
		          EXO_BOOTINFO_ADDR, 0x400000 };
	unsigned r = (unsigned)below(100);

	if (r < 40)
		return PICK(bad);
	if (r < 55 || (!output && (r & 1)))
		return PICK(ro);
	if (r < 62)
		return SCRATCH + below(SCRATCH_SZ); // maybe unaligned
	return SCRATCH + below(16) * 8;
}

static uint64_t any_number(void)
{
	static const uint64_t n[] = {
		0,
		1,
		2,
		3,
		7,
		8,
		31,
		32,
		33,
		64,
		100,
		101,
		511,
		512,
		513,
		4095,
		4096,
		4097,
		0x60,
		0x80,
		0xffff,
		0x10000,
		0xb8000,
		0xb9000,
		0xa0000,
		0xfee00000,
		0xfec00000,
		0x100000,
		1ull << 31,
		1ull << 32,
		1ull << 52,
		1ull << 62,
		1ull << 63,
		~0ull,
		~0ull - 1,
		~0xfffull,
		0x7fffffffffffffffull,
	};

	switch (below(4)) {
	case 0:
	case 1:
		return PICK(n);
	case 2:
		return below(70);
	default:
		return rnd();
	}
}

// User addresses for code, stacks, FS base and mappings.
static uint64_t any_vaddr(void)
{
	static const uint64_t v[] = { 0,
		                      0x1000,
		                      0x400000,
		                      0x401000,
		                      0x7fffffeef000ull,
		                      USER_TOP,
		                      USER_TOP - EXO_PAGE_SIZE,
		                      USER_TOP + 1,
		                      KADDR,
		                      KADDR2,
		                      NONCANON,
		                      NONCANON2,
		                      ~0ull,
		                      0x7fffffffffffull,
		                      0x123 };

	switch (below(3)) {
	case 0:
		return PICK(v);
	case 1:
		return FUZZ_VA + below(16) * EXO_PAGE_SIZE + (chance(10) ? below(EXO_PAGE_SIZE) : 0);
	default:
		return rnd() & (chance(50) ? 0x00007ffffffff000ull : ~0ull);
	}
}

static uint64_t any_arg(void)
{
	switch (below(5)) {
	case 0:
		return any_handle();
	case 1:
		return any_pointer((int)below(2));
	case 2:
		return any_vaddr();
	default:
		return any_number();
	}
}

// Fills the scratch area with map operations and addresses (mostly plausible ones) and a name.
static void fill_scratch(void)
{
	struct exo_map_op *ops = (struct exo_map_op *)OPS;
	unsigned long *va = (unsigned long *)VAS;
	static const uint64_t prots[] = { 0, 1, 1, 3, 3, 5, 5, 2, 4, 6, 7, 8, 0x13, ~0ull };

	for (int i = 0; i < NFILL; i++) {
		ops[i].frame = chance(80) ? handle_of(EXO_OBJ_FRAME) : any_handle();
		ops[i].vaddr = chance(80) ? FUZZ_VA + below(4) * EXO_PAGE_SIZE : any_vaddr();
		ops[i].prot = PICK(prots);
		va[i] = chance(80) ? FUZZ_VA + below(4) * EXO_PAGE_SIZE : any_vaddr();
	}
	// Names at NAMES + 0, 8, 13 (16 characters and more) and 56 (ends at the unmapped page).
	static const char names[64] =
	    "fz-proc\0fz-a-rather-long-name-that-goes-on\0\0\0\0\0\0\0\0\0\0\0\0\0\0fz-edge";

	memcpy((void *)NAMES, names, sizeof(names));
}

// ---------------------------------------------------------------------------------------------
// Calls: argument kinds per call (none, any handle, in/out pointer, number, small number, rights,
// user address, anything, priority, map operations, address list, destination table (0 or a
// process), and a handle of one type: AT + EXO_OBJ_*).

enum kind { A0, AH, AP, AO, AN, AS, AR, AV, AI, APRIO, AOPS, AVAS, ADEST, APORT, APHYS, ASIZE, AT = 32 };
#define AQ   (AT + EXO_OBJ_QUOTA)
#define AF   (AT + EXO_OBJ_FRAME)
#define APR  (AT + EXO_OBJ_PROCESS)
#define ATH  (AT + EXO_OBJ_THREAD)
#define AIRQ (AT + EXO_OBJ_IRQ)
#define AIO  (AT + EXO_OBJ_IOPORT)
#define AMM  (AT + EXO_OBJ_MMIO)

static uint8_t sigs[EXO_NSYSCALLS][6];

static void set_sig(unsigned nr, int a0, int a1, int a2, int a3, int a4, int a5)
{
	const int k[6] = { a0, a1, a2, a3, a4, a5 };

	for (int i = 0; i < 6 && nr < EXO_NSYSCALLS; i++)
		sigs[nr][i] = (uint8_t)k[i];
}

static void init_sigs(void)
{
	set_sig(EXO_SYS_debug_write, AP, AN, 0, 0, 0, 0);
	set_sig(EXO_SYS_upcall_set, AV, AV, 0, 0, 0, 0);
	set_sig(EXO_SYS_upcall_return, AP, 0, 0, 0, 0, 0);
	set_sig(EXO_SYS_cap_copy, AH, ADEST, AR, 0, 0, 0);
	set_sig(EXO_SYS_cap_mint, AH, AR, AI, 0, 0, 0);
	set_sig(EXO_SYS_cap_move, AH, ADEST, 0, 0, 0, 0);
	set_sig(EXO_SYS_cap_delete, AH, 0, 0, 0, 0, 0);
	set_sig(EXO_SYS_cap_revoke, AH, 0, 0, 0, 0, 0);
	set_sig(EXO_SYS_cap_info, AH, AO, 0, 0, 0, 0);
	set_sig(EXO_SYS_quota_split, AQ, AS, 0, 0, 0, 0);
	set_sig(EXO_SYS_frame_alloc, AQ, AS, AO, 0, 0, 0);
	set_sig(EXO_SYS_vspace_map, APR, AOPS, AS, 0, 0, 0);
	set_sig(EXO_SYS_vspace_unmap, APR, AVAS, AS, 0, 0, 0);
	set_sig(EXO_SYS_vspace_protect, APR, AOPS, AS, 0, 0, 0);
	set_sig(EXO_SYS_vspace_unmap_range, APR, AV, AS, 0, 0, 0);
	set_sig(EXO_SYS_vspace_protect_range, APR, AV, AS, AR, 0, 0);
	set_sig(EXO_SYS_process_create, AQ, AP, 0, 0, 0, 0);
	set_sig(EXO_SYS_process_create_slots, AQ, AP, AN, 0, 0, 0);
	set_sig(EXO_SYS_vspace_share_range, APR, AV, AS, APR, AS, 0);
	set_sig(EXO_SYS_cap_copy_range, AH, AS, ADEST, AR, 0, 0);
	set_sig(EXO_SYS_vspace_copy_range, APR, AV, APR, AV, AS, AR);
	set_sig(EXO_SYS_process_watch, APR, AT + EXO_OBJ_NOTIFICATION, AI, 0, 0, 0);
	set_sig(EXO_SYS_notify_forward, AT + EXO_OBJ_NOTIFICATION, AT + EXO_OBJ_NOTIFICATION, AI, 0, 0, 0);
	set_sig(EXO_SYS_process_kill, APR, AI, 0, 0, 0, 0);
	set_sig(EXO_SYS_process_status, APR, AO, 0, 0, 0, 0);
	set_sig(EXO_SYS_thread_create, APR, APRIO, 0, 0, 0, 0);
	set_sig(EXO_SYS_thread_start, ATH, AV, AV, AI, 0, 0);
	set_sig(EXO_SYS_thread_suspend, ATH, 0, 0, 0, 0, 0);
	set_sig(EXO_SYS_thread_resume, ATH, 0, 0, 0, 0, 0);
	set_sig(EXO_SYS_thread_destroy, ATH, 0, 0, 0, 0, 0);
	set_sig(EXO_SYS_thread_set_prio, ATH, APRIO, 0, 0, 0, 0);
	set_sig(EXO_SYS_set_fs_base, AV, 0, 0, 0, 0, 0);
	set_sig(EXO_SYS_clock_params, AO, 0, 0, 0, 0, 0);
	set_sig(EXO_SYS_irq_ack, AIRQ, 0, 0, 0, 0, 0);
	set_sig(EXO_SYS_ioport_restrict, AIO, APORT, AS, 0, 0, 0);
	set_sig(EXO_SYS_ioport_enable, AIO, APORT, AS, 0, 0, 0);
	set_sig(EXO_SYS_mmio_restrict, AMM, APHYS, ASIZE, 0, 0, 0);
	set_sig(EXO_SYS_mmio_map, AMM, APR, AV, APHYS, AS, 0);
#ifdef EXO_SYS_timeslice_split
	set_sig(EXO_SYS_timeslice_split, AT + EXO_OBJ_TIMESLICE, AS, 0, 0, 0, 0);
	set_sig(EXO_SYS_process_set_timeslice, APR, AT + EXO_OBJ_TIMESLICE, 0, 0, 0, 0);
#endif
#ifdef EXO_SYS_ipc_send
	set_sig(EXO_SYS_ipc_send, AT + EXO_OBJ_ENDPOINT, AN, AI, AI, AI, AI);
	set_sig(EXO_SYS_ipc_call, AT + EXO_OBJ_ENDPOINT, AN, AI, AI, AI, AI);
	set_sig(EXO_SYS_ipc_recv, AT + EXO_OBJ_ENDPOINT, AN, 0, 0, 0, 0);
	set_sig(EXO_SYS_ipc_reply, AN, AI, AI, AI, AI, 0);
	set_sig(EXO_SYS_ipc_reply_recv, AT + EXO_OBJ_ENDPOINT, AN, AI, AI, AI, AI);
	set_sig(EXO_SYS_ipc_set_buffer, AP, 0, 0, 0, 0, 0);
	set_sig(EXO_SYS_notify_signal, AT + EXO_OBJ_NOTIFICATION, AI, 0, 0, 0, 0);
	set_sig(EXO_SYS_notify_wait, AT + EXO_OBJ_NOTIFICATION, 0, 0, 0, 0, 0);
	set_sig(EXO_SYS_notify_poll, AT + EXO_OBJ_NOTIFICATION, 0, 0, 0, 0, 0);
	set_sig(EXO_SYS_irq_bind, AIRQ, AT + EXO_OBJ_NOTIFICATION, AS, 0, 0, 0);
	set_sig(EXO_SYS_notify_timer, AT + EXO_OBJ_NOTIFICATION, AS, AI, AI, 0, 0);
#endif
}

static uint64_t gen_arg(int kind)
{
	static const uint64_t rights[] = { 0,    1,    2,    3,    5,    8,    9,    0x10,
		                           0x11, 0x13, 0x1b, 0x1f, 0x20, 0x3f, ~0ull };

	if (kind > AT)
		return chance(65) ? handle_of((uint64_t)(kind - AT)) : any_handle();
	switch (kind) {
	case AH:
		return any_handle();
	case AP:
		return any_pointer(0);
	case AO:
		return any_pointer(1);
	case AN:
		return any_number();
	case AS:
		return chance(70) ? below(9) : any_number();
	case AR:
		return PICK(rights);
	case AV:
		return any_vaddr();
	case APRIO:
		return chance(80) ? below(34) : any_number();
	case AOPS:
		return chance(75) ? OPS + (chance(10) ? 24 * below(NFILL) : 0) : any_pointer(0);
	case AVAS:
		return chance(75) ? VAS + (chance(10) ? 8 * below(NFILL) : 0) : any_pointer(0);
	case ADEST:
		return chance(45) ? 0 : chance(70) ? handle_of(EXO_OBJ_PROCESS) : any_handle();
	case APORT: // around the restricted range 0x80..0x83
		return chance(70) ? 0x7e + below(8) : any_number();
	case ASIZE:
		return chance(70) ? below(9) * EXO_PAGE_SIZE : any_number();
	case APHYS: // addresses around the restricted VGA range 0xb8000..0xc0000
		return chance(70) ? (0xb7000 + below(10) * EXO_PAGE_SIZE) & (chance(80) ? ~0ull : ~0xfull)
		                  : any_number();
	case AI:
		return chance(50) ? any_number() : any_arg();
	default:
		return chance(90) ? 0 : any_arg();
	}
}

#define MAX_NR (EXO_NSYSCALLS > 40 ? EXO_NSYSCALLS + 2 : 40)

static uint64_t pick_call(void)
{
	static const uint64_t odd[] = {
		~0ull, (uint64_t)-2,          1ull << 32, (1ull << 32) + 1, 1ull << 63,
		1000,  0x7fffffffffffffffull, 0xffffffff
	};

	return chance(3) ? PICK(odd) : below(MAX_NR + 1);
}

// Calls that return a new capability in the caller's table (cap_copy and cap_move: for dest 0).
static int is_creator(uint64_t nr)
{
	switch (nr) {
	case EXO_SYS_cap_copy:
	case EXO_SYS_cap_mint:
	case EXO_SYS_cap_move:
	case EXO_SYS_quota_split:
	case EXO_SYS_process_create:
	case EXO_SYS_process_create_slots:
	case EXO_SYS_cap_copy_range:
	case EXO_SYS_thread_create:
	case EXO_SYS_ioport_restrict:
	case EXO_SYS_mmio_restrict:
#ifdef EXO_SYS_timeslice_split
	case EXO_SYS_timeslice_split:
#endif
#ifdef EXO_SYS_endpoint_create
	case EXO_SYS_endpoint_create:
	case EXO_SYS_notify_create:
#endif
		return 1;
	}
	return 0;
}

static int is_error(long r)
{
	switch (-r) {
	case EXO_EINVAL:
	case EXO_ENOMEM:
	case EXO_EEXIST:
	case EXO_ENOENT:
	case EXO_EPERM:
	case EXO_EBADCAP:
	case EXO_EFAULT:
	case EXO_ENOSYS:
	case EXO_EBUSY:
	case EXO_ENOSPC:
	case EXO_EAGAIN:
	case EXO_ETYPE:
#ifdef EXO_EDEAD
	case EXO_EDEAD:
#endif
#ifdef EXO_ETIMEDOUT
	case EXO_ETIMEDOUT:
#endif
		return 1;
	}
	return 0;
}

#define NCODES 16
static uint64_t hist[NCODES + 1];        // [0] successes, [e] -e, [NCODES] anything else
static uint64_t per_call[MAX_NR + 2][2]; // ok, error; [MAX_NR + 1]: the odd call numbers
static long last_clock;
static struct exo_map_op last_map; // the last page mapped, and where
static uint64_t last_map_proc;

static int plausible_handle(long r)
{
	return r > 0 && (uint32_t)r >= 1 && (uint32_t)r < 1024 && (r >> 32) >= 1;
}

// Is r a plausible success of call nr with arguments a?
static int plausible(uint64_t nr, const uint64_t a[6], long r)
{
	if (nr >= EXO_NSYSCALLS)
		return 0; // must have been ENOSYS
	if (is_creator(nr))
		return plausible_handle(r);
	switch (nr) {
	case EXO_SYS_debug_write:
		return (uint64_t)r == a[1];
	case EXO_SYS_frame_alloc:
		return (uint64_t)r == a[1] && a[1] >= 1 && a[1] <= EXO_MAP_BATCH_MAX;
	case EXO_SYS_vspace_map:
	case EXO_SYS_vspace_unmap:
	case EXO_SYS_vspace_protect:
		return r >= 1 && (uint64_t)r <= a[2] && a[2] <= EXO_MAP_BATCH_MAX;
	case EXO_SYS_vspace_unmap_range: // holes are skipped: 0 pages is a success
	case EXO_SYS_vspace_protect_range:
	case EXO_SYS_vspace_share_range:
		return r >= 0 && (uint64_t)r <= a[2] && a[2] <= EXO_MAP_BATCH_MAX;
	case EXO_SYS_vspace_copy_range:
		return r >= 0 && (uint64_t)r <= a[4] && a[4] <= EXO_MAP_BATCH_MAX;
	case EXO_SYS_clock_ns:
		return r > 0 && r >= last_clock;
	case EXO_SYS_cpu_info: // this CPU's number below the count of CPUs
		return (uint32_t)r < (uint64_t)r >> 32;
	case EXO_SYS_upcall_return: // never in a fault handler here
	case EXO_SYS_irq_wait:      // never given an IRQ
	case EXO_SYS_exit:
		return 0;
#ifdef EXO_SYS_notify_poll
	case EXO_SYS_notify_poll:
	case EXO_SYS_notify_wait:
		return 1; // the notification word: any value
#endif
	}
	return r == 0;
}

static void report(const char *what, uint64_t i, uint64_t nr, const uint64_t a[6], long r);

// New capabilities a successful call gave us go into the pool.
static void collect(uint64_t nr, const uint64_t a[6], long r)
{
	if (nr == EXO_SYS_frame_alloc) {
		if (a[2] < SCRATCH || a[2] + (uint64_t)r * 8 > SCRATCH + SCRATCH_SZ) {
			report("frame_alloc wrote outside the only writable buffer", 0, nr, a, r);
			return;
		}
		for (long i = 0; i < r; i++) {
			uint64_t h;

			memcpy(&h, (const void *)(a[2] + (uint64_t)i * 8), 8); // maybe unaligned
			if (type_of(h) != EXO_OBJ_FRAME)
				TEST_FAIL("frame_alloc wrote %#lx, not a frame handle", (unsigned long)h);
			if (i < 4)
				pool_add(h, EXO_OBJ_FRAME);
			else
				retire(h);
		}
	} else if (nr == EXO_SYS_cap_copy_range) { // count capabilities from r, into the table a[2]
		for (uint64_t i = 0; i < a[1] && a[2] == 0; i++)
			if (i < 4)
				adopt((uint64_t)r + i);
			else
				retire((uint64_t)r + i);
	} else if (is_creator(nr) && !((nr == EXO_SYS_cap_copy || nr == EXO_SYS_cap_move) && a[1] != 0)) {
		adopt((uint64_t)r);
	}
}

static void report(const char *what, uint64_t i, uint64_t nr, const uint64_t a[6], long r)
{
	TEST_FAIL("call #%lu: nr %lu (%#lx, %#lx, %#lx, %#lx, %#lx, %#lx) returned %ld (%#lx): %s",
	          (unsigned long)i, (unsigned long)nr, (unsigned long)a[0], (unsigned long)a[1],
	          (unsigned long)a[2], (unsigned long)a[3], (unsigned long)a[4], (unsigned long)a[5], r,
	          (unsigned long)r, what);
}

static int is_user_readable_maybe(uint64_t p)
{
	return p >= 0x1000 && p < USER_TOP && !(p >= UNMAPPED && p < UNMAPPED + EXO_PAGE_SIZE) &&
	       !(p >= SCRATCH + SCRATCH_SZ && p < SCRATCH + SCRATCH_SZ + EXO_PAGE_SIZE);
}

static void one_call(uint64_t i)
{
	uint64_t nr = pick_call(), a[6];
	long r;

	if (nr == EXO_SYS_exit)
		nr = EXO_SYS_null;
	if (nr < EXO_NSYSCALLS && chance(80))
		for (int k = 0; k < 6; k++)
			a[k] = gen_arg(sigs[nr][k]);
	else
		for (int k = 0; k < 6; k++)
			a[k] = any_arg();
	// Calls that could block this thread for good get arguments that cannot.
	switch (nr) {
	case EXO_SYS_thread_sleep:
		a[0] = chance(50) ? (uint64_t)exo_clock_ns() + below(200000) : below(1000000);
		break;
	case EXO_SYS_irq_wait:
		a[0] = handle_not(EXO_OBJ_IRQ);
		break;
	case EXO_SYS_debug_write: // no garbage on the console: readable buffers become a dot
		if (a[1] && a[1] <= 4096 && is_user_readable_maybe(a[0])) {
			a[0] = (uint64_t)dots;
			a[1] = chance(2);
		}
		break;
#ifdef EXO_SYS_ipc_send
	case EXO_SYS_ipc_send:
	case EXO_SYS_ipc_call:
	case EXO_SYS_ipc_recv:
		a[1] |= EXO_IPC_NONBLOCK;
		break;
	case EXO_SYS_notify_wait: // on a notification only right after a signal set its word
		a[0] = handle_of(EXO_OBJ_NOTIFICATION);
		if (type_of(a[0]) == EXO_OBJ_NOTIFICATION && exo_notify_signal(a[0], 1 + below(1000)) != 0)
			a[0] = handle_not(EXO_OBJ_NOTIFICATION);
		break;
	case EXO_SYS_ipc_reply_recv: // waits for a message whatever the flags say
		a[0] = handle_not(EXO_OBJ_ENDPOINT);
		break;
	case EXO_SYS_ipc_set_buffer: // the kernel may write there: only the scratch area
		if (is_user_readable_maybe(a[0]) && (a[0] < SCRATCH || a[0] >= SCRATCH + SCRATCH_SZ))
			a[0] = SCRATCH + EXO_PAGE_SIZE * below(2);
		break;
#endif
	}
	if (nr == EXO_SYS_process_create && is_user_readable_maybe(a[1])) // printable names only
		a[1] = NAMES + PICK(((const uint64_t[]){ 0, 8, 13, 56 }));
	if (nr == EXO_SYS_vspace_map || nr == EXO_SYS_vspace_unmap || nr == EXO_SYS_vspace_protect ||
	    nr == EXO_SYS_process_create)
		fill_scratch();
	if ((nr == EXO_SYS_vspace_unmap || nr == EXO_SYS_vspace_protect) && last_map_proc && chance(40)) {
		// What was mapped last: the batch starts with it.
		a[0] = last_map_proc;
		a[1] = nr == EXO_SYS_vspace_unmap ? VAS : OPS;
		((struct exo_map_op *)OPS)[0] = last_map;
		((struct exo_map_op *)OPS)[0].prot = below(8);
		((unsigned long *)VAS)[0] = last_map.vaddr;
	}

	r = test_syscall(nr, a);

	if (nr == EXO_SYS_clock_ns && r > 0)
		last_clock = r;
	per_call[nr <= MAX_NR ? nr : MAX_NR + 1][r < 0]++;
	if (r < 0 && is_error(r)) {
		hist[-r < NCODES ? -r : NCODES]++;
		if (nr >= EXO_NSYSCALLS && r != -EXO_ENOSYS)
			report("no such call, but not ENOSYS", i, nr, a, r);
		return;
	}
	if (!plausible(nr, a, r)) {
		hist[NCODES]++;
		report(r < 0 ? "not an EXO_E* code" : "not a plausible success", i, nr, a, r);
		return;
	}
	hist[0]++;
	if (nr == EXO_SYS_vspace_map && a[1] == OPS) {
		last_map = *(struct exo_map_op *)OPS;
		last_map_proc = a[0];
	}
	collect(nr, a, r);
}

// ---------------------------------------------------------------------------------------------
// Set-up and clean-up

static int child_main(uint64_t role)
{
	if (role == CHILD_SLEEP)
		for (;;)
			exo_thread_sleep((uint64_t)exo_clock_ns() + 1000000000ull);
	return 1;
}

static long setup(void)
{
	unsigned long frames[6];
	uint64_t ts10 = 0;
	long r;

	// Memory of its own: the scratch area (followed by an unmapped page) and a read-only page.
	r = exo_frame_alloc(bi->quota, 3, frames);
	if (r != 3)
		return r;
	for (int i = 0; i < 3; i++) {
		struct exo_map_op op = { frames[i], i < 2 ? SCRATCH + (uint64_t)i * EXO_PAGE_SIZE : RO_PAGE,
			                 (i < 2 ? EXO_R_READ | EXO_R_WRITE : EXO_R_READ) | EXO_MAP_MOVE };

		if (exo_vspace_map(bi->self, &op, 1) != 1) // the mappings take them
			return -1;
	}
	fq_root = (uint64_t)exo_quota_split(bi->quota, FQ_FRAMES);
	cq_root = (uint64_t)exo_quota_split(bi->quota, CQ_FRAMES);
	if ((long)fq_root <= 0 || (long)cq_root <= 0)
		return -2;
	add_base(fq_root);
	add_base(cq_root);
#ifdef EXO_SYS_timeslice_split
	// The children may run 10 ticks per period: a thread the fuzzer starts in one cannot starve it.
	ts10 = (uint64_t)exo_timeslice_split(bi->timeslice, 10);
	add_base(ts10);
	add_base((uint64_t)exo_timeslice_split(bi->timeslice, 20));
#endif
	// Two children (copies of this program, asleep) to be targets.
	for (int i = 0; i < 2; i++) {
		uint64_t p, t;

		r = exo_spawn(bi->self, cq_root, &bi->modules[0], "fz-child", 16, CHILD_SLEEP, &p, &t);
		if (r)
			return r;
#ifdef EXO_SYS_timeslice_split
		r = exo_process_set_timeslice(p, ts10);
		if (r)
			return r;
#endif
		add_base(p);
		add_base(t);
	}
	// Capabilities of every type.
	add_base((uint64_t)exo_quota_split(fq_root, 8));
	r = exo_frame_alloc(fq_root, 4, frames);
	if (r != 4)
		return r;
	for (int i = 0; i < 4; i++)
		add_base(frames[i]);
	add_base(bi->modules[0].frames); // read-only, charged to nobody
	add_base((uint64_t)exo_ioport_restrict(bi->ioports, 0x80, 4));
	add_base((uint64_t)exo_mmio_restrict(bi->mmio, 0xb8000, 0x8000));
	for (uint64_t g = 0; g < bi->nirqs; g += 7)
		add_base(bi->irq_first + g);
#ifdef EXO_SYS_endpoint_create
	add_base((uint64_t)exo_endpoint_create());
	add_base((uint64_t)exo_notify_create());
#endif
	// Stale handles: made and deleted.
	for (int i = 0; i < 8; i++) {
		long c = exo_cap_copy(base[below(nbase)].h, 0, EXO_R_READ);

		if (c > 0)
			retire((uint64_t)c);
	}
	// It must not be able to end itself: its own process and thread capabilities go.
	if (exo_cap_delete(bi->self) || exo_cap_delete(bi->thread))
		return -3;
	return 0;
}

static void cleanup(void)
{
	uint64_t fq_used, cq_used;

	exo_upcall_set(0, 0);
	exo_set_fs_base(0);
#ifdef EXO_SYS_irq_bind
	// A binding belongs to the (global) IRQ object and outlives its notification's capabilities:
	// undo every one the fuzzer may have made.
	for (int i = 0; i < nbase; i++)
		if (base[i].type == EXO_OBJ_IRQ)
			exo_irq_bind(base[i].h, 0, 0);
#endif
	// Every process dies through its root; then every capability goes.
	for (int i = 0; i < nbase; i++)
		if (base[i].type == EXO_OBJ_PROCESS)
			exo_process_kill(base[i].h, 0);
	for (int i = 0; i < nprocs; i++) {
		int k = (procs_at + PROCS_MAX - 1 - i) % PROCS_MAX;

		exo_process_kill(procs[k], 0);
		exo_cap_delete(procs[k]);
	}
	for (int i = 0; i < npool; i++)
		exo_cap_delete(pool[i].h);
	for (int i = 0; i < nbase; i++)
		if (base[i].h != fq_root && base[i].h != cq_root)
			exo_cap_delete(base[i].h);
	// A root the fuzzer destroyed (quota_destroy) has nothing charged to it: its capability is
	// stale (~0 here).
	fq_used = test_used(fq_root);
	cq_used = test_used(cq_root);
	exo_printf("hostile: after the clean-up: %ld frames charged to the fuzz quota, %ld to the "
	           "children's (-1: destroyed by the fuzzer)\n",
	           (long)fq_used, (long)cq_used);
	if ((fq_used != 0 && fq_used != ~0ull) || (cq_used != 0 && cq_used != ~0ull))
		TEST_FAIL("frames still charged after the clean-up");
	exo_cap_delete(fq_root);
	exo_cap_delete(cq_root);
}

static const char *const code_names[NCODES] = { "ok",     "EINVAL", "ENOMEM",    "EEXIST",
	                                        "ENOENT", "EPERM",  "EBADCAP",   "EFAULT",
	                                        "ENOSYS", "EBUSY",  "ENOSPC",    "EAGAIN",
	                                        "ETYPE",  "EDEAD",  "ETIMEDOUT", "E15" };

static void print_results(uint64_t ms)
{
	exo_printf("hostile: %d calls in %lu ms; results:\n", CALLS, (unsigned long)ms);
	for (int c = 0; c <= NCODES; c++)
		if (hist[c])
			exo_printf("hostile:   %-10s %lu\n", c < NCODES ? code_names[c] : "other",
			           (unsigned long)hist[c]);
	exo_printf("hostile: per call number, ok/error:");
	for (int n = 0; n <= MAX_NR + 1; n++)
		exo_printf("%s %s%d:%lu/%lu", n % 8 ? "" : "\nhostile:  ", n <= MAX_NR ? "" : "odd",
		           n <= MAX_NR ? n : 0, (unsigned long)per_call[n][0], (unsigned long)per_call[n][1]);
	exo_printf("\n");
}

int main(uint64_t arg)
{
	uint64_t used0, t0;
	long r;

	if (arg < 4096)
		return child_main(arg);
	bi = test_begin("hostile", arg);
	if (!bi)
		return test_end();
	for (int k = 0; k < 64; k++)
		guard[k] = 0x600dc0de00000000ull + (uint64_t)k;
	rng_state = seed_from(bi->cmdline);
	exo_printf("hostile: seed %#lx, %d calls, call numbers 0..%d and odd ones\n",
	           (unsigned long)rng_state, CALLS, MAX_NR);
	init_sigs();
	r = setup();
	if (r) {
		exo_printf("hostile: set-up failed: %ld\n", r);
		return 1;
	}
	// What init's quota pays for without the two roots (their budgets count in it until the
	// clean-up deletes them): its pages, page tables, thread, process and capability table.
	used0 = test_used(bi->quota) - FQ_FRAMES - CQ_FRAMES;
	exo_printf("hostile: %d base objects, %d handles in the pool; own process and thread "
	           "capabilities deleted\n",
	           nbase, npool);
	t0 = (uint64_t)exo_clock_ns();
	for (uint64_t i = 0; i < CALLS; i++) {
		one_call(i);
		if ((i + 1) % 20000 == 0)
			exo_printf("hostile: %lu calls, %lu ok, %d failures, %lu ms\n",
			           (unsigned long)(i + 1), (unsigned long)hist[0], test_failures(),
			           (unsigned long)(((uint64_t)exo_clock_ns() - t0) / 1000000));
		if ((i & 511) == 511)
			sweep();
		if ((i & 1023) == 0)
			for (int k = 0; k < 64; k++)
				if (guard[k] != 0x600dc0de00000000ull + (uint64_t)k) {
					TEST_FAIL("the program's memory changed under it (guard %d)", k);
					guard[k] = 0x600dc0de00000000ull + (uint64_t)k;
				}
	}
	print_results(((uint64_t)exo_clock_ns() - t0) / 1000000);
	cleanup();
	if (test_used(bi->quota) != used0)
		TEST_FAIL("init's quota: %lu frames used, %lu expected", (unsigned long)test_used(bi->quota),
		          (unsigned long)used0);
	return test_end();
}
