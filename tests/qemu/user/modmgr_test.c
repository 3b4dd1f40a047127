// SPDX-License-Identifier: MIT
// The module manager (modules/modmgr) and its client helpers, as init. Boot modules: this program,
// modmgr, libexo.so, counter.so, counter2.so, counter_bad.so, counter_crash.so, hello. A manager
// started with the boot configuration "counter.so" serves it at once; counter_crash.so is loaded
// and made to crash 101 times: the crashing call gets -EXO_EDEAD, calls queued meanwhile are
// served by the next instance (whose total starts again from 0), and the module's memory comes
// back to the same number of frames each time; then ten crashes in a row make the supervisor give
// up. A second manager with policy 0 refuses counter_crash.so (its note asks for caps bit 0) and
// is killed with a module loaded. Hot-swap through the manager keeps the counter's total and
// rolls back a version whose init fails; invalid images are refused; LIST pages through many
// modules; unloading revokes the clients' endpoints; killing a manager leaves nothing behind (its
// quota goes back to zero frames, and the init test checks the kernel's frames on the 2nd run).
#include "testlib.h"

#define PAGE1        0x300000000ull // our views of the managers' start pages
#define PAGE2        0x300001000ull
#define STACK        0x400000000ull // a caller thread's stack page
#define PRIO         16
#define STABLE_MS    20  // the test's managers reset a module's crash count after 20 ms of running
#define CRASHES      100 // after the first one
#define HEARTBEAT_MS 200 // a module that does not answer a ping this long is hung
#define MGR_FRAMES   4096
#define MS           1000000ull

enum { ADD = 1, GET = 2, CRASH = 3, HANG = 4 }; // the counter's operations
enum { PROGRAM = 1, LIB = 2, MODULES = 0xf8 };  // boot module indices; 3..7 may be loaded

static const struct exo_bootinfo *bi;
#define BUF TEST_BUF

static uint64_t add(uint64_t ep, uint64_t n)
{
	uint64_t total = ~0ull;

	CHECK(test_counter(ep, ADD, n, &total, NULL) == 0);
	return total;
}

// CRASH or HANG: -EXO_EDEAD when the instance died serving it, the reply's label otherwise
// (EXO_EDEAD when the manager answered for a failed module).
static long misbehave(uint64_t ep, uint64_t op)
{
	struct exo_msg m = { EXO_TAG(op, 0, 0), 0, { 0 } };
	long r = exo_call(ep, &m);

	return r ? r : (long)EXO_TAG_LABEL(m.tag);
}

// Module id's LIST entry: 1, or 0 if it is not listed.
static int info_of(uint64_t mgr, uint64_t id, struct exo_modmgr_info *out)
{
	static struct exo_modmgr_info all[EXO_MODMGR_MAX_MODULES];
	long n = exo_modmgr_list(mgr, all, EXO_MODMGR_MAX_MODULES);

	for (long i = 0; i < n && i < EXO_MODMGR_MAX_MODULES; i++)
		if (all[i].id == id) {
			*out = all[i];
			return 1;
		}
	return 0;
}

// Waits (5 s at most) until module id is in state with at least generation gen.
static int wait_for(uint64_t mgr, uint64_t id, uint32_t state, uint32_t gen, struct exo_modmgr_info *out)
{
	uint64_t deadline = test_now() + 5000 * MS;

	while (test_now() < deadline) {
		if (info_of(mgr, id, out) && out->state == state && out->generation >= gen)
			return 1;
		test_sleep_ms(1);
	}
	return 0;
}

static long start(struct exo_modmgr_proc *p, uint64_t quota, uint64_t page, uint64_t policy, const char *boot)
{
	struct exo_modmgr_config c = { .program = PROGRAM,
		                       .lib = LIB,
		                       .modules = MODULES,
		                       .quota = quota,
		                       .policy = policy,
		                       .boot = boot,
		                       .stable_ms = STABLE_MS,
		                       .heartbeat_ms = HEARTBEAT_MS,
		                       .prio = PRIO,
		                       .page = page };

	return exo_modmgr_spawn(bi, &c, p);
}

// ---- manager 1: policy 1, boot configuration "counter.so" ----

static struct exo_modmgr_proc m1;
static uint64_t q1, counter_ep, crash_id, crash_ep, crash_frames, start_used;

static void test_boot(void)
{
	struct exo_modmgr_info info;
	uint64_t total = 0, version = 0;

	CHECK(m1.loaded == 1 && m1.refused == 0);
	CHECK(exo_modmgr_list(m1.ep, &info, 1) == 1);
	CHECK(info.id == 1 && !strcmp(info.file, "counter.so") && !strcmp(info.name, "counter"));
	CHECK(info.version == 1 && info.state == EXO_MODMGR_RUNNING && info.restarts == 0 &&
	      info.generation == 1 && info.crashes == 0 && info.frames > 0);
	exo_printf("modmgr: LIST: id %lu %s (%s) v%u %s, %lu frames\n", (unsigned long)info.id, info.file,
	           info.name, info.version, exo_modmgr_state_name(info.state), (unsigned long)info.frames);
	CHECK(exo_modmgr_connect(m1.ep, 1, &counter_ep) == 0);
	CHECK(add(counter_ep, 5) == 5);
	CHECK(test_counter(counter_ep, GET, 0, &total, &version) == 0 && total == 5 && version == 1);
}

// The first crash, with a request queued while the module is down.
static void test_first_crash(void)
{
	struct exo_modmgr_info info = { 0 };

	CHECK(exo_modmgr_load(m1.ep, "counter_crash.so", &crash_id, &crash_ep) == 0);
	CHECK(add(crash_ep, 1) == 1 && add(crash_ep, 2) == 3 && add(crash_ep, 3) == 6);
	CHECK(info_of(m1.ep, crash_id, &info) && info.version == 4 && info.state == EXO_MODMGR_RUNNING);
	crash_frames = info.frames;
	CHECK(misbehave(crash_ep, CRASH) == -EXO_EDEAD);
	CHECK(add(crash_ep, 10) == 10); // queued until the next instance, which starts from 0
	CHECK(info_of(m1.ep, crash_id, &info));
	CHECK(info.state == EXO_MODMGR_RUNNING && info.restarts == 1 && info.generation == 2 &&
	      info.status == 270 && info.frames == crash_frames);
	exo_printf("modmgr: after a crash: restarts %u, generation %u, status %d, %lu frames\n",
	           info.restarts, info.generation, info.status, (unsigned long)info.frames);
}

// CRASHES more, each after the instance ran STABLE_MS (so that none counts as in a row).
static void test_crashes(void)
{
	struct exo_modmgr_info info = { 0 };
	uint64_t before = test_used(q1), t0 = test_now();
	int i, bad = 0;

	for (i = 0; i < CRASHES && !bad; i++) {
		test_sleep_ms(STABLE_MS + 5);
		bad |= misbehave(crash_ep, CRASH) != -EXO_EDEAD;
		bad |= !wait_for(m1.ep, crash_id, EXO_MODMGR_RUNNING, (uint32_t)i + 3, &info);
		bad |= info.frames != crash_frames || info.restarts != (uint32_t)i + 2;
		bad |= add(crash_ep, 7) != 7;
	}
	CHECK(!bad && i == CRASHES);
	CHECK(test_used(q1) == before); // the manager's own memory did not grow either
	exo_printf("modmgr: %d more crashes in %lu ms: restarts %u, %lu frames each time\n", i,
	           (unsigned long)((test_now() - t0) / MS), info.restarts, (unsigned long)info.frames);
}

// A module that spins is found by the heartbeat, killed and restarted like a crash.
static void test_hang(void)
{
	struct exo_modmgr_info info = { 0 }, before = { 0 };
	uint64_t t0;

	test_sleep_ms(STABLE_MS + 5);
	CHECK(info_of(m1.ep, crash_id, &before));
	t0 = test_now();
	CHECK(misbehave(crash_ep, HANG) == -EXO_EDEAD); // served by the instance that was killed
	CHECK(wait_for(m1.ep, crash_id, EXO_MODMGR_RUNNING, before.generation + 1, &info));
	CHECK(info.status == EXO_MODMGR_STATUS_HUNG && info.frames == crash_frames &&
	      info.restarts == before.restarts + 1);
	CHECK(test_now() - t0 >= HEARTBEAT_MS * MS); // not before the heartbeat time
	CHECK(add(crash_ep, 5) == 5);
	CHECK(add(counter_ep, 0) > 0); // the other module was not disturbed
	exo_printf("modmgr: a hung module was restarted after %lu ms (heartbeat %d ms)\n",
	           (unsigned long)((test_now() - t0) / MS), HEARTBEAT_MS);
}

// Crashes in a row, each call queued behind the backoff, until the supervisor gives up.
static void test_give_up(void)
{
	struct exo_modmgr_info info = { 0 };
	struct exo_msg m = { EXO_TAG(GET, 0, 0), 0, { 0 } };
	uint64_t ep, t0 = test_now();
	long r = 0;
	int n = 0, seen_restarting = 0;

	test_sleep_ms(STABLE_MS + 5);
	while (n < 40 && (r = misbehave(crash_ep, CRASH)) == -EXO_EDEAD) { // each waits for the next instance
		n++;
		// The first LIST may come before the manager looked; the second comes after (backoff
		// 16 ms and more from the 5th crash on).
		for (int i = 0; i < 2 && n >= 5 && n < EXO_MODMGR_MAX_CRASHES; i++)
			seen_restarting |=
			    info_of(m1.ep, crash_id, &info) && info.state == EXO_MODMGR_RESTARTING;
	}
	CHECK(r == EXO_EDEAD && n >= EXO_MODMGR_MAX_CRASHES); // then the manager answers for it
	CHECK(seen_restarting);
	CHECK(info_of(m1.ep, crash_id, &info) && info.state == EXO_MODMGR_FAILED);
	CHECK(info.crashes == EXO_MODMGR_MAX_CRASHES && info.frames == 0 && info.status == 270 &&
	      info.restarts == info.generation - 1);
	exo_printf("modmgr: %s after %d crashes in a row in %lu ms: restarts %u\n",
	           exo_modmgr_state_name(info.state), n, (unsigned long)((test_now() - t0) / MS),
	           info.restarts);
	CHECK(exo_modmgr_connect(m1.ep, crash_id, &ep) == 0);
	CHECK(exo_call(ep, &m) == 0 && EXO_TAG_LABEL(m.tag) == EXO_EDEAD);
	CHECK(exo_cap_delete(ep) == 0);
	CHECK(exo_modmgr_replace(m1.ep, crash_id, "counter.so") == -EXO_EBUSY);
}

static void test_replace(void)
{
	struct exo_modmgr_info info = { 0 };
	uint64_t total = 0, version = 0;

	CHECK(exo_modmgr_replace(m1.ep, 1, "counter2.so") == 0);
	CHECK(test_counter(counter_ep, GET, 0, &total, &version) == 0 && total == 5 && version == 2);
	CHECK(info_of(m1.ep, 1, &info) && !strcmp(info.file, "counter2.so") && info.version == 2 &&
	      info.generation == 1 && info.restarts == 0 && info.state == EXO_MODMGR_RUNNING);
	CHECK(exo_modmgr_replace(m1.ep, 1, "counter_bad.so") == -EXO_EINVAL);
	CHECK(test_counter(counter_ep, ADD, 1, &total, &version) == 0 && total == 6 && version == 2);
	CHECK(exo_modmgr_replace(m1.ep, 1, "hello") == -EXO_EINVAL);
	CHECK(exo_modmgr_replace(m1.ep, 1, "nope.so") == -EXO_ENOENT);
	CHECK(exo_modmgr_replace(m1.ep, 99, "counter.so") == -EXO_ENOENT);
	CHECK(exo_modmgr_replace(m1.ep, 1, "") == -EXO_EINVAL);
	CHECK(info_of(m1.ep, 1, &info) && !strcmp(info.file, "counter2.so") && info.generation == 1);
}

// Refused requests leave nothing behind.
static void test_refused(void)
{
	uint64_t before = test_used(q1), id = 0, ep = 0;
	struct exo_msg m = { EXO_TAG(99, 0, 0), 0, { 0 } };

	CHECK(exo_modmgr_load(m1.ep, "hello", &id, &ep) == -EXO_EINVAL); // ET_EXEC
	exo_printf("modmgr: the manager refused hello: %s\n", exo_modmgr_reason());
	CHECK(exo_modmgr_load(m1.ep, "counter_bad.so", &id, &ep) == -EXO_EINVAL);
	CHECK(exo_modmgr_load(m1.ep, "libexo.so", &id, &ep) == -EXO_EINVAL);
	CHECK(exo_modmgr_load(m1.ep, "modmgr_test", &id, &ep) == -EXO_ENOENT); // not given to it
	CHECK(exo_modmgr_load(m1.ep, "", &id, &ep) == -EXO_EINVAL);
	CHECK(exo_modmgr_unload(m1.ep, 99) == -EXO_ENOENT);
	CHECK(exo_modmgr_connect(m1.ep, 0, &ep) == -EXO_ENOENT);
	CHECK(exo_call(m1.ep, &m) == 0 && EXO_TAG_LABEL(m.tag) == EXO_ENOSYS);
	m = (struct exo_msg){ EXO_TAG(EXO_MODMGR_LIST, 2, 0), 0, { 0 } };
	CHECK(exo_call(m1.ep, &m) == 0 && EXO_TAG_LABEL(m.tag) == EXO_EINVAL);
	CHECK(exo_ipc_set_buffer(NULL) == 0); // the endpoint cannot come: the load is undone
	m = (struct exo_msg){ EXO_TAG(EXO_MODMGR_LOAD, 4, 0), 0, { 0 } };
	memcpy(m.w, "counter.so", 11);
	CHECK(exo_call(m1.ep, &m) == 0 && EXO_TAG_LABEL(m.tag) == EXO_EINVAL);
	CHECK(exo_ipc_set_buffer(test_ipc_page) == 0);
	CHECK(test_used(q1) == before);
}

// More modules than one LIST reply holds; ids in order.
static void test_list(void)
{
	struct exo_modmgr_info all[EXO_MODMGR_MAX_MODULES];
	uint64_t ids[5], eps[5];
	long n;

	for (int i = 0; i < 5; i++)
		CHECK(exo_modmgr_load(m1.ep, "counter.so", &ids[i], &eps[i]) == 0);
	n = exo_modmgr_list(m1.ep, all, EXO_MODMGR_MAX_MODULES);
	CHECK(n == 7);
	for (long i = 1; i < n && i < EXO_MODMGR_MAX_MODULES; i++)
		CHECK(all[i].id > all[i - 1].id);
	CHECK(n == 7 && all[0].id == 1 && all[1].id == crash_id && all[2].id == ids[0] &&
	      all[6].id == ids[4]);
	CHECK(n == 7 && all[6].state == EXO_MODMGR_RUNNING && all[1].state == EXO_MODMGR_FAILED);
	CHECK(exo_modmgr_list(m1.ep, all, 3) == 7);
	for (int i = 0; i < 5; i++) {
		CHECK(add(eps[i], (uint64_t)i) == (uint64_t)i);
		CHECK(exo_modmgr_unload(m1.ep, ids[i]) == 0);
	}
}

static volatile long queued_result;
static volatile uint64_t queued_label, queued_done;

static void queued_caller(uint64_t ep)
{
	struct exo_msg m = { EXO_TAG(GET, 0, 0), 0, { 0 } };

	queued_result = exo_call(ep, &m);
	queued_label = EXO_TAG_LABEL(m.tag);
	__atomic_store_n(&queued_done, 1, __ATOMIC_SEQ_CST);
	for (;;)
		exo_thread_sleep(test_now() + 1000 * MS); // destroyed by main
}

// A thread of ours that calls ep; returns once it waits in the endpoint (or has its answer).
static void start_caller(struct test_thread *t, uint64_t ep)
{
	struct exo_cap_info info = { 0 };

	queued_done = 0;
	test_thread_new(t, bi->quota, STACK, PRIO, queued_caller, ep, "caller");
	for (int i = 0; i < 1000 && info.b != EXO_THREAD_IPC_SEND && !queued_done; i++) {
		exo_thread_yield();
		CHECK(exo_cap_info(t->thread, &info) == 0);
	}
}

static void test_unload(void)
{
	struct exo_modmgr_info info;
	struct test_thread t;
	uint64_t total, deadline;

	CHECK(exo_modmgr_unload(m1.ep, 1) == 0);
	CHECK(test_counter(counter_ep, GET, 0, &total, NULL) == -EXO_EBADCAP); // revoked
	// A caller waiting in the failed module's endpoint when it is unloaded: the endpoint dies
	// under it (-EXO_EDEAD), unless the manager answered for the module first (label EXO_EDEAD).
	start_caller(&t, crash_ep);
	CHECK(exo_modmgr_unload(m1.ep, crash_id) == 0);
	for (deadline = test_now() + 1000 * MS; !queued_done && test_now() < deadline;)
		test_sleep_ms(1);
	CHECK(queued_done &&
	      (queued_result == -EXO_EDEAD || (queued_result == 0 && queued_label == EXO_EDEAD)));
	exo_printf("modmgr: a caller waiting at unload got %s\n",
	           queued_result ? "-EXO_EDEAD: the endpoint died" : "label EXO_EDEAD: the manager answered");
	CHECK(exo_thread_destroy(t.thread) == 0); // it still waits
	test_thread_end(&t);
	CHECK(test_counter(crash_ep, GET, 0, &total, NULL) == -EXO_EBADCAP);
	CHECK(exo_modmgr_unload(m1.ep, 1) == -EXO_ENOENT);
	CHECK(exo_modmgr_list(m1.ep, &info, 1) == 0);
	// Only the manager's own memory is left: every module's quota went back.
	CHECK(test_used(q1) == start_used - EXO_MODMGR_MODULE_QUOTA);
}

// ---- manager 2: policy 0 ----

static void test_policy(void)
{
	struct exo_modmgr_proc m2;
	struct exo_modmgr_info info;
	uint64_t q2 = (uint64_t)exo_quota_split(bi->quota, 1024), id, ep, total = 0;

	CHECK(start(&m2, q2, PAGE2, 0, "counter_crash.so  counter.so nope.so") == 0);
	CHECK(m2.loaded == 1 && m2.refused == 2);
	CHECK(exo_modmgr_list(m2.ep, &info, 1) == 1 && !strcmp(info.file, "counter.so"));
	CHECK(exo_modmgr_load(m2.ep, "counter_crash.so", &id, &ep) == -EXO_EPERM);
	CHECK(exo_modmgr_load(m2.ep, "nope.so", &id, &ep) == -EXO_ENOENT);
	CHECK(exo_modmgr_connect(m2.ep, info.id, &ep) == 0);
	CHECK(add(ep, 3) == 3);
	CHECK_EQ(exo_modmgr_stop(&m2), 9); // with its counter loaded: it ends too
	CHECK(test_counter(ep, GET, 0, &total, NULL) == -EXO_EDEAD);
	CHECK(exo_cap_delete(ep) == 0); // the dead endpoint was charged to q2 while we named it
	test_quota_drained(q2);
}

int main(uint64_t arg)
{
	static const struct test_case cases[] = {
		TEST_CASE(test_boot),    TEST_CASE(test_first_crash), TEST_CASE(test_crashes),
		TEST_CASE(test_hang),    TEST_CASE(test_give_up),     TEST_CASE(test_policy),
		TEST_CASE(test_replace), TEST_CASE(test_refused),     TEST_CASE(test_list),
		TEST_CASE(test_unload),
	};

	bi = test_begin("modmgr", arg);
	if (!bi)
		return test_end();
	CHECK(bi->nmodules == 8);
	if (bi->nmodules != 8 || exo_ipc_set_buffer(test_ipc_page))
		return test_end();
	exo_modmgr_use_buffer(BUF);
	q1 = (uint64_t)exo_quota_split(bi->quota, MGR_FRAMES);
	CHECK(start(&m1, q1, PAGE1, 1, "counter.so") == 0);
	if (!m1.ep)
		return test_end();
	start_used = test_used(q1);
	TEST_RUN(cases);
	test_modmgr_stop(&m1, q1);
	return test_end();
}
