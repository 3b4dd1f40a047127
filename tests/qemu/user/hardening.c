// SPDX-License-Identifier: MIT
// Regression tests for the kernel defects of issue 12, run as init (and, for (8), as apps/launch
// starts a program): each is a small function with one pass condition. A check whose defect the
// kernel still has is marked `known` and skipped unless hardening_all=1 is on the kernel command
// line, which runs every check and reports each; clear `known` once the fix lands.
#include "testlib.h"

#include "kid.h"

#define SHARED   0x0000000800000000ull // a page shared with the kid of the running check
#define SCRATCH  0x0000000900000000ull // the checks' own mappings
#define PT_SPAN  (2ull << 20)          // one page table's reach
#define PT_VA    0x0000010000000000ull
#define TIMEOUT  2000000000ull // ns a kid may take
#define KID_PRIO 8
#define KID_Q    256 // frames of a kid's own quota (its image, tables and threads)

// What init and the running check's kid share: the kid's handles in, its results out.
struct shared {
	uint64_t h[3];
	volatile long result;
	volatile uint64_t count;
	volatile uint64_t done;
};

static const struct exo_bootinfo *bi;
static struct shared *const sh = (struct shared *)SHARED;
static uint64_t shared_frame;

// A kid charged to quota with a view of the shared page; its handles to the given capabilities go
// to sh->h.
static long kid_with(uint64_t *kid, uint64_t quota, const uint64_t *caps, int ncaps)
{
	struct exo_map_op op = { shared_frame, SHARED, EXO_R_READ | EXO_R_WRITE };
	long r = kid_spawn(bi, quota, "hardening-kid", KID_PRIO, kid);

	memset(sh, 0, sizeof(*sh));
	if (!r && exo_vspace_map(*kid, &op, 1) != 1)
		r = -EXO_EINVAL;
	for (int i = 0; !r && i < ncaps; i++) {
		long h = exo_cap_copy(caps[i] ? caps[i] : *kid, *kid, EXO_R_ALL); // 0: the kid itself

		if (h < 0)
			r = h;
		sh->h[i] = (uint64_t)h;
	}
	return r;
}

// Starts fn as a thread of the kid (its capability is not kept: it would keep the thread's kernel
// stack alive after the kid's end).
static int kid_start(uint64_t kid, void (*fn)(uint64_t))
{
	long t = kid_run(kid, bi->quota, 0, fn, 0, KID_PRIO);

	if (t > 0)
		exo_cap_delete((uint64_t)t);
	return t > 0;
}

static void kid_end(uint64_t kid)
{
	exo_process_kill(kid, 0);
	exo_cap_delete(kid);
}

// Waits until the kid says it is done; 0 if it did not in time.
static int wait_done(void)
{
	uint64_t end = test_now() + TIMEOUT;

	while (!sh->done && test_now() < end)
		test_sleep_ms(1);
	return sh->done != 0;
}

static void stats(struct exo_kernel_stats *s)
{
	exo_kernel_stats(bi->quota, s);
}

// Whether the kernel's memory came back to what it was before (the reaper may need a moment).
static int memory_back(const struct exo_kernel_stats *before)
{
	struct exo_kernel_stats now;

	for (int tries = 0; tries < 20; tries++) {
		stats(&now);
		if (kid_stats_equal(&now, before))
			return 1;
		test_sleep_ms(1);
	}
	exo_printf("hardening:   %ld frames, %ld heap bytes not back\n",
	           (long)(before->free_frames - now.free_frames),
	           (long)(now.heap_bytes - before->heap_bytes));
	return 0;
}

// ---------------------------------------------------------------------------------------------
// (1) Processes that hold their own capability, in a 4-frame quota, then the kid is killed.

static void k_self_holders(uint64_t unused)
{
	(void)unused;
	for (int i = 0; i < 200; i++) {
		long r = exo_process_create(sh->h[0], "c");

		exo_cap_move((uint64_t)r, (uint64_t)r);
	}
	sh->done = 1;
	kid_sleep();
}

static int check_self_holders(void)
{
	struct exo_kernel_stats before;
	uint64_t q, kid;
	int ok;

	stats(&before);
	q = (uint64_t)exo_quota_split(bi->quota, 4);
	ok = kid_with(&kid, bi->quota, &q, 1) == 0 && kid_start(kid, k_self_holders) && wait_done();
	kid_end(kid);
	ok = ok && test_used(q) == 0;
	exo_cap_delete(q);
	return memory_back(&before) && ok;
}

// ---------------------------------------------------------------------------------------------
// (2) Page tables are charged: a kid whose quota is used up but for the frame it holds maps that
// frame one page table apart again and again; it must get ENOMEM, and all must come back.

static void k_page_tables(uint64_t unused)
{
	struct exo_map_op op = { 0, 0, EXO_R_READ | EXO_R_WRITE };
	uint64_t f;

	(void)unused;
	while (exo_frame_alloc(sh->h[0], 1, &f) == 1) // the last one is the kid's frame
		op.frame = f;
	sh->result = op.frame ? 1 : -1;
	for (uint64_t i = 0; sh->result == 1 && i < 256; i++) {
		long r;

		op.vaddr = PT_VA + i * PT_SPAN;
		r = exo_vspace_map(sh->h[1], &op, 1);
		if (r != 1) {
			sh->result = r;
			break;
		}
		exo_vspace_unmap(sh->h[1], &op.vaddr, 1);
		sh->count++;
	}
	sh->done = 1;
	kid_sleep();
}

static int check_page_tables(void)
{
	struct exo_kernel_stats before;
	uint64_t caps[2], kid;
	int ok;

	stats(&before);
	caps[0] = (uint64_t)exo_quota_split(bi->quota, KID_Q);
	caps[1] = 0; // the kid's own process
	ok = kid_with(&kid, caps[0], caps, 2) == 0 && kid_start(kid, k_page_tables) && wait_done();
	exo_printf("hardening:   %lu maps, then %ld\n", (unsigned long)sh->count, sh->result);
	ok = ok && sh->result == -EXO_ENOMEM;
	kid_end(kid);
	ok = test_used(caps[0]) == 0 && ok;
	exo_cap_delete(caps[0]);
	return memory_back(&before) && ok;
}

// ---------------------------------------------------------------------------------------------
// (3) Creating and deleting threads in a loop must not use up a global table: afterwards another
// process can still create a thread.

static void k_thread_loop(uint64_t unused)
{
	(void)unused;
	while (sh->count < 100000) { // its quota should end it long before
		long r = exo_thread_create(sh->h[0], 1);

		if (r < 0) {
			sh->result = r;
			break;
		}
		exo_cap_delete((uint64_t)r);
		sh->count++;
	}
	sh->done = 1;
	kid_sleep();
}

// The kid pays for its threads: when its quota is used up, another process still creates one, and
// the quota is empty again once the kid is gone. (The kernel-stack region's page tables may stay.)
static int check_thread_loop(void)
{
	uint64_t caps[1] = { 0 }, kid, q = (uint64_t)exo_quota_split(bi->quota, KID_Q);
	long other, t = -1;
	int ok;

	ok = kid_with(&kid, q, caps, 1) == 0 && kid_start(kid, k_thread_loop) && wait_done();
	exo_printf("hardening:   %lu threads created and deleted, then %ld\n", (unsigned long)sh->count,
	           sh->result);
	other = exo_process_create(bi->quota, "other");
	if (other > 0)
		t = exo_thread_create((uint64_t)other, 1);
	ok = ok && t > 0;
	if (other > 0)
		kid_end((uint64_t)other);
	kid_end(kid);
	ok = test_used(q) == 0 && ok;
	exo_cap_delete(q);
	return ok;
}

// ---------------------------------------------------------------------------------------------
// (4) Revoking a frame capability unmaps what the copies mapped: the kid's next read faults.

static void k_reader(uint64_t unused)
{
	struct exo_map_op op = { 0, SCRATCH, EXO_R_READ };

	(void)unused;
	op.frame = sh->h[0];
	if (exo_vspace_map(sh->h[1], &op, 1) != 1) {
		sh->result = -1;
		sh->done = 1;
	}
	for (;;) {
		sh->count += *(volatile uint64_t *)SCRATCH + 1;
		sh->done = 1;
		exo_thread_yield();
	}
}

static int check_revoke_unmaps(void)
{
	struct exo_kernel_stats before;
	uint64_t caps[2], kid;
	long status, r;
	int ok;

	stats(&before);
	if (exo_frame_alloc(bi->quota, 1, &caps[0]) != 1)
		return 0;
	caps[1] = 0;
	ok = kid_with(&kid, bi->quota, caps, 2) == 0 && kid_start(kid, k_reader) && wait_done() &&
	     sh->result == 0;
	exo_cap_revoke(caps[0]);
	test_sleep_ms(20);
	r = exo_process_status(kid, &status);
	exo_printf("hardening:   %lu reads, then the kid's status: %ld\n", (unsigned long)sh->count, r);
	ok = ok && r == 0; // the kid has ended (it faulted)
	kid_end(kid);
	exo_cap_delete(caps[0]);
	return memory_back(&before) && ok;
}

// ---------------------------------------------------------------------------------------------
// (5) A page set to no access is no buffer for the kernel either.

static int check_noaccess_copyin(void)
{
	struct exo_map_op op = { 0, SCRATCH, EXO_R_READ | EXO_R_WRITE | EXO_MAP_MOVE };
	long w, p;

	if (exo_frame_alloc(bi->quota, 1, &op.frame) != 1 || exo_vspace_map(bi->self, &op, 1) != 1)
		return 0;
	memcpy((void *)SCRATCH, "hardening-name", 15);
	exo_vspace_protect_range(bi->self, SCRATCH, 1, 0);
	w = exo_debug_write((const void *)SCRATCH, 17);
	p = exo_process_create(bi->quota, (const char *)SCRATCH);
	exo_printf("\nhardening:   debug_write gave %ld, process_create %ld\n", w, p);
	if (p > 0)
		kid_end((uint64_t)p);
	exo_vspace_unmap_range(bi->self, SCRATCH, 1);
	return w == -EXO_EFAULT && p == -EXO_EFAULT;
}

// ---------------------------------------------------------------------------------------------
// (6) W^X per frame: a frame mapped writable at one address cannot be executable at another.

static int check_wx_per_frame(void)
{
	struct exo_map_op w = { 0, SCRATCH, EXO_R_READ | EXO_R_WRITE };
	struct exo_map_op x = { 0, SCRATCH + KID_PAGE, EXO_R_READ | EXO_R_EXEC };
	long r;

	if (exo_frame_alloc(bi->quota, 1, &w.frame) != 1)
		return 0;
	x.frame = w.frame;
	r = exo_vspace_map(bi->self, &w, 1) == 1 ? exo_vspace_map(bi->self, &x, 1) : 0;
	exo_vspace_unmap_range(bi->self, SCRATCH, 2);
	exo_cap_delete(w.frame);
	return r < 0;
}

// ---------------------------------------------------------------------------------------------
// (8) A program started as exorun starts one (apps/launch, init, starts it as a child; test
// user-hardening-launch runs this check so) reaches no device and no other process: its boot
// information names no device, and no capability in its table is one, or another process.

static int check_exorun_devices(void)
{
	struct exo_cap_info self = { 0 }, info;
	long m = exo_mmio_map(bi->mmio, bi->self, SCRATCH, 0xb8000, 1);
	long io = exo_ioport_enable(bi->ioports, 0x80, 1);
	int found = 0;

	exo_cap_info(bi->self, &self);
	for (uint64_t gen = 1; gen <= 2; gen++) // the launcher's copies went into fresh slots
		for (uint64_t i = 1; i < 4096; i++) {
			if (exo_cap_info(gen << 32 | i, &info) != 0)
				continue;
			if (info.type == EXO_OBJ_IOPORT || info.type == EXO_OBJ_MMIO ||
			    info.type == EXO_OBJ_IRQ || (info.type == EXO_OBJ_PROCESS && info.a != self.a)) {
				exo_printf("hardening:   handle %#lx is of type %lu\n",
				           (unsigned long)(gen << 32 | i), (unsigned long)info.type);
				found++;
			}
		}
	exo_printf("hardening:   mmio_map %ld, ioport_enable %ld, %d device or process capabilities\n", m, io,
	           found);
	return m < 0 && io < 0 && !found;
}

// ---------------------------------------------------------------------------------------------
// (9) A destroyed thread gives back its kernel stack at once, even while a capability names it
// (else kept capabilities pin kernel memory no quota pays for, and the global kernel-stack slots).

static int check_dead_thread_stack(void)
{
	struct exo_kernel_stats before, after;
	long p = exo_process_create(bi->quota, "stacks"), t;

	if (p < 0)
		return 0;
	stats(&before);
	t = exo_thread_create((uint64_t)p, 1);
	if (t > 0)
		exo_thread_destroy((uint64_t)t);
	stats(&after);
	exo_printf("hardening:   %ld frames still held by the dead thread\n",
	           (long)(before.free_frames - after.free_frames));
	exo_cap_delete((uint64_t)t);
	kid_end((uint64_t)p);
	return t > 0 && after.free_frames == before.free_frames;
}

// ---------------------------------------------------------------------------------------------

struct check {
	const char *name;
	int (*fn)(void);
	const char *known; // the defect the kernel still has (the check is skipped), or NULL
};

static const struct check checks[] = {
	{ "(1) self-holding processes in a 4-frame quota come back", check_self_holders, NULL },
	{ "(2) page tables are charged to the mapping process's quota", check_page_tables, NULL },
	{ "(3) a thread create/delete loop leaves threads for others", check_thread_loop, NULL },
	{ "(4) revoking a frame capability unmaps the copies' mappings", check_revoke_unmaps, NULL },
	{ "(5) no-access pages are no kernel buffers", check_noaccess_copyin, NULL },
	{ "(6) W^X holds per frame", check_wx_per_frame, NULL },
	{ "(8) an exorun program reaches no device and no other process", check_exorun_devices, NULL },
	{ "(9) a destroyed thread gives back its kernel stack at once", check_dead_thread_stack, NULL },
};

// Maps the shared page and spawns and ends a kid once, so the first check's baseline does not see
// the page tables the spawner's scratch mappings make.
static int warm_up(void)
{
	struct exo_map_op op = { 0, SHARED, EXO_R_READ | EXO_R_WRITE };
	uint64_t kid;

	if (exo_frame_alloc(bi->quota, 1, &op.frame) != 1 || exo_vspace_map(bi->self, &op, 1) != 1)
		return 0;
	shared_frame = op.frame;
	if (kid_with(&kid, bi->quota, NULL, 0))
		return 0;
	kid_end(kid);
	op.vaddr = SCRATCH;
	return exo_vspace_map(bi->self, &op, 1) == 1 && exo_vspace_unmap_range(bi->self, SCRATCH, 1) == 1;
}

int main(uint64_t arg)
{
	int all = 0, known = 0, passed = 0, launched;
	char only = 0; // hardening_only=N: check (N) alone

	kid_main(arg);
	bi = test_begin("hardening", arg);
	if (!bi)
		return 1;
	for (const char *p = bi->cmdline; *p; p++) {
		all |= memcmp(p, "hardening_all=1", 15) == 0;
		if (memcmp(p, "hardening_only=", 15) == 0)
			only = p[15];
	}
	// Started by exorun (through apps/launch): no device in the boot information, and no root
	// quota for the checks that count the kernel's memory: (8) alone. As init: all but (8).
	launched = !bi->ioports && !bi->mmio && !bi->nirqs;
	if (launched)
		only = '8';
	else
		CHECK(warm_up());
	for (size_t i = 0; !test_failures() && i < TEST_NELEM(checks); i++) {
		const struct check *c = &checks[i];
		int ok;

		if ((only && c->name[1] != only) || (c->fn == check_exorun_devices && !launched)) {
			if (!only)
				exo_printf("hardening: %s: in user-hardening-launch, which starts this "
				           "program as exorun does\n",
				           c->name);
			continue;
		}
		if (c->known && !all && !only) {
			exo_printf("hardening: KNOWN: %s: skipped (%s)\n", c->name, c->known);
			known++;
			continue;
		}
		exo_printf("hardening: %s ...\n", c->name);
		ok = c->fn();
		passed += ok;
		exo_printf("hardening: %s: %s\n", c->name, ok ? "pass" : c->known ? "FAIL (known)" : "FAIL");
		if (!ok && !c->known)
			TEST_FAIL("%s", c->name);
	}
	exo_printf("hardening: %d passed, %d known defects skipped\n", passed, known);
	return test_end();
}
