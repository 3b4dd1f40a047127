// SPDX-License-Identifier: MIT
// The name server (modules/names, boot module 1) and its client helpers (libexo/names.c), as
// init, which plays the supervisor: it starts the server, receives its endpoint and mints one
// badged capability per identity (the echo service, the client, an impostor). Children are
// spawned from this same program (module 0) in roles: an echo service that registers "echo",
// and a client that looks "echo" up and calls it. The service is killed and restarted with the
// same identity: the client's calls fail with -EXO_EDEAD, it looks the name up again and goes on
// with the new incarnation, while an impostor cannot take the name in between. Error replies
// (unknown and malformed names, unbadged or wrong registrant, wrong capability type, full table)
// and unregistering are checked from here. Then a module manager (boot modules 2..6: modmgr,
// libexo.so, counter.so, counter2.so, counter_crash.so) publishes its modules' services here:
// clients find "counter" by name with a badge of its generation, a hot-swap keeps that copy
// working, a crash makes it stale (revoked, or a request turned away with EXO_EDEAD) and a new
// lookup finds the restarted instance under the next generation.
#include "testlib.h"

#include <exo/module.h>
#include <exo/names.h>

#define PAGES      0x300000000ull // our view of the children's start pages, one per slot
#define MGR_PAGE   0x300010000ull // our view of the module manager's start page
#define START_ADDR 0x500000000ull // in a child: its start page (its argument)
#define PRIO       16
#define TIMEOUT_MS 10000
#define ECHO_CALL  0x11
#define ECHO_REPLY 0x12
#define CALLS      50 // calls the client makes to each incarnation

enum role { ECHO = 1, CLIENT };
enum identity { ID_ECHO = 1, ID_CLIENT, ID_OTHER, ID_MGR };
enum { MGR = 2, LIB, COUNTER, COUNTER2, CRASHY }; // boot modules of the manager's part
enum { ADD = 1, GET = 2, CRASH = 3 };             // the counter module's operations

// What a child finds at START_ADDR (the name server finds a struct exo_names_start there).
struct start {
	uint64_t role;
	uint64_t ns;         // badged name server capability in the child's table
	uint64_t generation; // ECHO: which incarnation (answered in w[3])
	// Written by the child:
	long reg_result;      // ECHO: what registering "echo" gave
	uint64_t registered;  // ECHO: reg_result is valid
	uint64_t calls[3];    // CLIENT: answers by incarnation
	uint64_t deads;       // CLIENT: calls that found the endpoint dead
	uint64_t relookups;   // CLIENT: lookups that found "echo" gone or dead
	uint64_t looked_up;   // CLIENT: the first lookup worked
	uint64_t rights_seen; // CLIENT: rights of the capability it got
};

static const struct exo_bootinfo *bi;
#define BUF TEST_BUF

static volatile uint64_t *vol(uint64_t *p)
{
	return (volatile uint64_t *)p;
}

// ---- the children ----

static int echo_service(struct start *st)
{
	struct exo_msg m = { 0 };
	long ep = exo_endpoint_create();

	st->reg_result = ep < 0 ? ep : exo_names_register(st->ns, "echo", (uint64_t)ep, EXO_R_WRITE);
	__atomic_store_n(&st->registered, 1, __ATOMIC_SEQ_CST);
	if (st->reg_result)
		return 1;
	exo_recv((uint64_t)ep, &m);
	for (;;) { // the words back, and who answered
		m.tag = EXO_TAG(ECHO_REPLY, 4, 0);
		m.w[3] = st->generation;
		if (exo_reply_recv((uint64_t)ep, &m))
			exo_recv((uint64_t)ep, &m);
	}
}

// Looks "echo" up until it is (again) registered and alive.
static long find_echo(struct start *st, uint64_t *ep)
{
	struct exo_cap_info info;

	for (int i = 0; i < 5000; i++) {
		long r = exo_names_lookup(st->ns, "echo", ep);

		if (r == 0) {
			st->rights_seen = exo_cap_info(*ep, &info) ? 0 : info.rights;
			return 0;
		}
		if (r != -EXO_ENOENT && r != -EXO_EDEAD)
			return r;
		st->relookups++;
		test_sleep_ms(1);
	}
	return -EXO_ETIMEDOUT;
}

static int echo_client(struct start *st)
{
	uint64_t ep;

	if (exo_names_lookup(st->ns, "no-such-service", &ep) != -EXO_ENOENT)
		return 10;
	if (find_echo(st, &ep))
		return 11;
	st->looked_up = 1;
	for (uint64_t i = 0; *vol(&st->calls[2]) < CALLS; i++) {
		struct exo_msg m = { EXO_TAG(ECHO_CALL, 3, 0), 0, { i, ~i, i * 7, 0 } };
		long r = exo_call(ep, &m);

		if (r == -EXO_EDEAD) { // the service died: find its successor
			st->deads++;
			exo_cap_delete(ep);
			if (find_echo(st, &ep))
				return 12;
			continue;
		}
		if (r || EXO_TAG_LABEL(m.tag) != ECHO_REPLY || m.w[0] != i || m.w[1] != ~i ||
		    m.w[2] != i * 7 || m.w[3] < 1 || m.w[3] > 2)
			return 13;
		(*vol(&st->calls[m.w[3]]))++;
	}
	exo_cap_delete(ep);
	return 0;
}

static int child(struct start *st)
{
	if (exo_ipc_set_buffer(test_ipc_page))
		return 20;
	exo_names_use_buffer(BUF);
	return st->role == ECHO ? echo_service(st) : echo_client(st);
}

// ---- spawning and reaping, seen from init ----

// Spawns module m in its start page at slot.
static int child_spawn(struct test_child *c, int slot, const struct exo_boot_module *m, const char *name)
{
	return test_child_spawn(c, m, name, PAGES + (uint64_t)slot * 4096, START_ADDR);
}

// Kills the child if asked; returns its exit status once it ended and is gone.
static long child_reap(struct test_child *c, int kill)
{
	if (kill)
		CHECK(exo_process_kill(c->proc, 9) == 0);
	return test_child_reap(c, TIMEOUT_MS);
}

// Waits until *flag is at least at_least (or TIMEOUT_MS passed); returns it.
static uint64_t wait_for(uint64_t *flag, uint64_t at_least)
{
	uint64_t deadline = test_now() + TIMEOUT_MS * TEST_MS;

	while (__atomic_load_n(flag, __ATOMIC_SEQ_CST) < at_least && test_now() < deadline)
		test_sleep_ms(1);
	return __atomic_load_n(flag, __ATOMIC_SEQ_CST);
}

// ---- the test ----

static struct test_child server;
static uint64_t ns, ids[ID_MGR + 1]; // ns: unbadged; ids[i]: badged with identity i

// Starts the name server from module 1 and receives its endpoint (EXO_NAMES_HELLO).
static int start_server(void)
{
	struct exo_msg m = { EXO_IPC_TIMEOUT, 0, { 0 } };
	struct exo_names_start *st;
	struct exo_cap_info info;
	long boot = exo_endpoint_create(), parent;

	CHECK(bi->nmodules == 7);
	if (bi->nmodules != 7 || boot < 0 || child_spawn(&server, 0, &bi->modules[1], "names"))
		return -1;
	parent = exo_cap_copy((uint64_t)boot, server.proc, EXO_R_WRITE);
	CHECK(parent > 0);
	st = server.page;
	st->parent = (uint64_t)parent;
	test_child_run(&server, PRIO);
	BUF->deadline = test_now() + TIMEOUT_MS * TEST_MS;
	CHECK(exo_recv((uint64_t)boot, &m) == 0);
	CHECK(EXO_TAG_LABEL(m.tag) == EXO_NAMES_HELLO && EXO_TAG_CAPS(m.tag) == 1);
	CHECK(exo_cap_delete((uint64_t)boot) == 0);
	if (EXO_TAG_CAPS(m.tag) != 1)
		return -1;
	ns = BUF->caps[0].handle;
	CHECK(exo_cap_info(ns, &info) == 0 && info.type == EXO_OBJ_ENDPOINT && info.badge == 0 &&
	      info.rights == (EXO_R_WRITE | EXO_R_GRANT));
	for (uint64_t id = ID_ECHO; id <= ID_MGR; id++) {
		ids[id] = (uint64_t)exo_cap_mint(ns, EXO_R_WRITE | EXO_R_GRANT, id);
		CHECK((long)ids[id] > 0);
	}
	return 0;
}

// A request built by hand: the reply's label (the error code), or ~0 if the call failed.
static uint64_t raw(uint64_t label, unsigned words, const char name[32])
{
	struct exo_msg m = { EXO_TAG(label, words, 0), 0, { 0 } };

	memcpy(m.w, name, 32);
	return exo_call(ids[ID_OTHER], &m) ? ~0ull : EXO_TAG_LABEL(m.tag);
}

static void test_errors(void)
{
	uint64_t h = 0, ep = (uint64_t)exo_endpoint_create(), weak, ntfn = (uint64_t)exo_notify_create();
	char name[32] = "abc", abc[32] = "abc";

	CHECK(exo_names_lookup(ns, "nope", &h) == -EXO_ENOENT);
	CHECK(exo_names_lookup(ns, "", &h) == -EXO_EINVAL);
	CHECK(exo_names_lookup(ns, "0123456789012345678901234567890", &h) == -EXO_ENOENT); // 31: fits
	CHECK(exo_names_lookup(ns, "01234567890123456789012345678901", &h) == -EXO_EINVAL);
	CHECK(exo_names_register(ns, "x", ep, EXO_R_WRITE) == -EXO_EPERM); // unbadged: no identity
	CHECK(exo_names_unregister(ns, "x") == -EXO_EPERM);
	CHECK(exo_names_register(ids[ID_OTHER], "x", ntfn, EXO_R_WRITE) == -EXO_ETYPE);
	weak = (uint64_t)exo_cap_copy(ep, 0, EXO_R_WRITE); // no GRANT: cannot even be sent
	CHECK(exo_names_register(ids[ID_OTHER], "x", weak, EXO_R_WRITE) == -EXO_EPERM);
	CHECK(exo_names_register(ids[ID_OTHER], "x", ep, 0x20) == -EXO_EINVAL);

	// The server checks for itself what the helpers would not send.
	CHECK(raw(EXO_NAMES_LOOKUP, 4, name) == EXO_ENOENT);
	name[5] = 'z'; // garbage after the NUL
	CHECK(raw(EXO_NAMES_LOOKUP, 4, name) == EXO_EINVAL);
	memset(name, 'a', sizeof(name)); // no NUL at all
	CHECK(raw(EXO_NAMES_LOOKUP, 4, name) == EXO_EINVAL);
	CHECK(raw(EXO_NAMES_LOOKUP, 2, abc) == EXO_EINVAL);
	CHECK(raw(EXO_NAMES_REGISTER, 4, abc) == EXO_EINVAL); // no rights word, no capability
	CHECK(raw(99, 4, abc) == EXO_ENOSYS);
	CHECK(exo_cap_delete(weak) == 0);
	CHECK(exo_cap_delete(ntfn) == 0);
	CHECK(exo_cap_delete(ep) == 0);
}

// More requests carrying capabilities than the server's table has slots (1024): it keeps each
// one at most until it is replaced, or deletes it at once, else these would fail with ENOSPC.
static void test_churn(uint64_t ep)
{
	uint64_t ntfn = (uint64_t)exo_notify_create(), h;
	int i;

	for (i = 0; i < 1100; i++) {
		if (exo_names_register(ids[ID_OTHER], "churn", ep, EXO_R_WRITE) ||
		    exo_names_register(ids[ID_OTHER], "churn", ntfn, EXO_R_WRITE) != -EXO_ETYPE ||
		    exo_names_lookup(ns, "churn", &h) || exo_cap_delete(h))
			break;
	}
	CHECK(i == 1100);
	CHECK(exo_names_unregister(ids[ID_OTHER], "churn") == 0);
	CHECK(exo_cap_delete(ntfn) == 0);
}

// Registrants: the same badge replaces its entry, another one is refused; unregistering; a full
// table. The endpoints are ours, told apart by their badges.
static void test_registrants(void)
{
	uint64_t ep = (uint64_t)exo_endpoint_create(), a, b, h;
	struct exo_cap_info info;
	char name[8], tmp[32] = "tmp";
	int n;

	a = (uint64_t)exo_cap_mint(ep, EXO_R_WRITE | EXO_R_GRANT, 0xa);
	b = (uint64_t)exo_cap_mint(ep, EXO_R_READ | EXO_R_WRITE | EXO_R_GRANT, 0xb);
	CHECK(exo_names_register(ids[ID_OTHER], "tmp", a, EXO_R_WRITE) == 0);
	CHECK(exo_names_lookup(ns, "tmp", &h) == 0);
	CHECK(exo_cap_info(h, &info) == 0 && info.type == EXO_OBJ_ENDPOINT && info.badge == 0xa &&
	      info.rights == EXO_R_WRITE);
	CHECK(exo_cap_delete(h) == 0);
	CHECK(exo_ipc_set_buffer(NULL) == 0); // the capability cannot come: the server says why
	CHECK(raw(EXO_NAMES_LOOKUP, 4, tmp) == EXO_EINVAL);
	CHECK(exo_ipc_set_buffer(test_ipc_page) == 0);
	CHECK(exo_names_register(ids[ID_ECHO], "tmp", b, EXO_R_WRITE) == -EXO_EEXIST); // not its name
	CHECK(exo_names_unregister(ids[ID_ECHO], "tmp") == -EXO_EPERM);
	CHECK(exo_names_register(ids[ID_OTHER], "tmp", b, EXO_R_READ | EXO_R_WRITE) == 0); // replaces
	CHECK(exo_names_lookup(ids[ID_CLIENT], "tmp", &h) == 0);
	CHECK(exo_cap_info(h, &info) == 0 && info.badge == 0xb && info.rights == (EXO_R_READ | EXO_R_WRITE));
	CHECK(exo_cap_delete(h) == 0);
	CHECK(exo_names_unregister(ids[ID_OTHER], "tmp") == 0);
	CHECK(exo_names_lookup(ns, "tmp", &h) == -EXO_ENOENT);
	CHECK(exo_names_unregister(ids[ID_OTHER], "tmp") == -EXO_ENOENT);
	CHECK(exo_names_register(ids[ID_ECHO], "tmp", a, EXO_R_WRITE) == 0); // free for anyone now
	CHECK(exo_names_unregister(ids[ID_ECHO], "tmp") == 0);

	for (n = 0; n < 100; n++) { // the table holds 64
		exo_snprintf(name, sizeof(name), "n%d", n);
		if (exo_names_register(ids[ID_OTHER], name, a, EXO_R_WRITE))
			break;
	}
	CHECK(n == 64 && exo_names_register(ids[ID_OTHER], "one-more", a, EXO_R_WRITE) == -EXO_ENOSPC);
	while (n-- > 0) {
		exo_snprintf(name, sizeof(name), "n%d", n);
		CHECK(exo_names_unregister(ids[ID_OTHER], name) == 0);
	}
	test_churn(a);
	CHECK(exo_cap_delete(a) == 0);
	CHECK(exo_cap_delete(b) == 0);
	CHECK(exo_cap_delete(ep) == 0);
}

// Spawns an echo service of identity id; waits until it has tried to register.
static long start_echo(struct test_child *c, uint64_t id, uint64_t generation)
{
	struct start *st;
	long h;

	if (child_spawn(c, 1, &bi->modules[0], "echo"))
		return -1;
	st = c->page;
	h = exo_cap_copy(ids[id], c->proc, EXO_R_WRITE);
	CHECK(h > 0);
	*st = (struct start){ .role = ECHO, .ns = (uint64_t)h, .generation = generation };
	test_child_run(c, PRIO);
	CHECK(wait_for(&st->registered, 1) == 1);
	return st->reg_result;
}

static void test_restart(void)
{
	struct test_child echo, client, impostor;
	struct start *cs;
	uint64_t h;
	long copy;

	CHECK(start_echo(&echo, ID_ECHO, 1) == 0);
	if (child_spawn(&client, 2, &bi->modules[0], "client"))
		return;
	cs = client.page;
	copy = exo_cap_copy(ids[ID_CLIENT], client.proc, EXO_R_WRITE);
	CHECK(copy > 0);
	*cs = (struct start){ .role = CLIENT, .ns = (uint64_t)copy };
	test_child_run(&client, PRIO);
	CHECK(wait_for(&cs->calls[1], CALLS) >= CALLS);

	// The service dies: its name stays reserved for it; lookups say it is dead.
	CHECK(child_reap(&echo, 1) == 9);
	CHECK(exo_names_lookup(ns, "echo", &h) == -EXO_EDEAD);
	CHECK(start_echo(&impostor, ID_OTHER, 2) == -EXO_EEXIST);
	CHECK(child_reap(&impostor, 0) == 1);
	CHECK(exo_names_lookup(ns, "echo", &h) == -EXO_EDEAD);

	// Restarted with its identity, it registers again; the client finds it and carries on.
	CHECK(start_echo(&echo, ID_ECHO, 2) == 0);
	CHECK(test_wait_status(client.proc, TIMEOUT_MS) == 0);
	CHECK(cs->looked_up && cs->rights_seen == EXO_R_WRITE);
	CHECK(cs->calls[1] >= CALLS && cs->calls[2] == CALLS && cs->deads >= 1 && cs->relookups >= 1);
	exo_printf("names: client: %lu calls to the first echo, %lu to the second, %lu dead calls, "
	           "%lu lookups found it gone\n",
	           (unsigned long)cs->calls[1], (unsigned long)cs->calls[2], (unsigned long)cs->deads,
	           (unsigned long)cs->relookups);
	test_child_reap(&client, TIMEOUT_MS); // ended: gone at once

	// The supervisor holds the service's identity: it may take the name away.
	CHECK(exo_names_unregister(ids[ID_CLIENT], "echo") == -EXO_EPERM);
	CHECK(exo_names_unregister(ids[ID_ECHO], "echo") == 0);
	CHECK(exo_names_lookup(ns, "echo", &h) == -EXO_ENOENT);
	CHECK(child_reap(&echo, 1) == 9);
}

// ---- modules published by the module manager ----

static uint64_t badge_of(uint64_t cap)
{
	struct exo_cap_info info;

	return exo_cap_info(cap, &info) ? ~0ull : info.badge;
}

// Module 1's LIST entry (0 if there is none).
static struct exo_modmgr_info first_module(uint64_t mgr)
{
	struct exo_modmgr_info info = { 0 };

	exo_modmgr_list(mgr, &info, 1);
	return info;
}

// Looks name up until its service is published (again): lookups say EXO_EDEAD meanwhile.
static long lookup_live(const char *name, uint64_t *ep)
{
	long r = -EXO_EDEAD;

	for (int i = 0; i < 5000 && r == -EXO_EDEAD; i++)
		if ((r = exo_names_lookup(ns, name, ep)) == -EXO_EDEAD)
			test_sleep_ms(1);
	return r;
}

// A crash makes the copies of the dead instance's generation stale; reconnecting by name works.
static void test_module_crash(uint64_t mgr, uint64_t ep)
{
	uint64_t again = 0, direct = 0, total = 0, h;
	long r;

	CHECK(test_counter(ep, CRASH, 0, &total, NULL) == -EXO_EDEAD); // the instance died serving it
	r = test_counter(ep, GET, 0, &total, NULL);
	CHECK(r == -EXO_EBADCAP || r == -EXO_EDEAD); // revoked, or queued before that and turned away
	exo_printf("names: a stale copy got %s\n", r == -EXO_EBADCAP ? "-EXO_EBADCAP" : "label EXO_EDEAD");
	CHECK(lookup_live("counter", &again) == 0 && badge_of(again) == EXO_MODULE_GEN_BADGE(2));
	CHECK(test_counter(again, ADD, 3, &total, NULL) == 0 &&
	      total == 3); // a new instance: its state is new
	CHECK(first_module(mgr).generation == 2 && first_module(mgr).restarts == 1);

	// Clients hold badged copies only, so none can mint the manager's badge or a generation's
	// (the receive wrappers' own check of stale generations has a host unit test).
	CHECK(exo_modmgr_connect(mgr, 1, &direct) == 0 && badge_of(direct) == EXO_MODULE_SLOT_BADGE);
	CHECK(exo_cap_mint(direct, EXO_R_WRITE, EXO_MODULE_GEN_BADGE(2)) < 0);
	CHECK(exo_cap_mint(direct, EXO_R_WRITE, EXO_MODULE_MANAGER_BADGE) < 0);
	CHECK(exo_cap_mint(again, EXO_R_WRITE, EXO_MODULE_MANAGER_BADGE) < 0);
	CHECK(test_counter(direct, GET, 0, &total, NULL) == 0 &&
	      total == 3); // the slot's copy follows restarts

	CHECK(exo_modmgr_unload(mgr, 1) == 0); // its names go with it
	CHECK(exo_names_lookup(ns, "counter", &h) == -EXO_ENOENT);
	CHECK(test_counter(again, GET, 0, &total, NULL) == -EXO_EBADCAP); // revoked: gone from our table
	CHECK(badge_of(direct) == ~0ull);
}

static void test_modules(void)
{
	uint64_t q = (uint64_t)exo_quota_split(bi->quota, 2048), ep = 0, h = 0, id2, ep2, total = 0;
	struct exo_modmgr_config c = { .program = MGR,
		                       .lib = LIB,
		                       .modules = 1u << COUNTER | 1u << COUNTER2 | 1u << CRASHY,
		                       .quota = q,
		                       .policy = 1, // counter_crash.so asks for caps bit 0
		                       .boot = "counter_crash.so",
		                       .stable_ms = 20,
		                       .prio = PRIO,
		                       .page = MGR_PAGE,
		                       .names = ids[ID_MGR] };
	struct exo_modmgr_proc mgr = { 0 };

	exo_modmgr_use_buffer(BUF);
	CHECK(exo_modmgr_spawn(bi, &c, &mgr) == 0 && mgr.loaded == 1);
	if (!mgr.ep)
		return;
	// Published under the note's service name, with the badge of generation 1.
	CHECK(exo_names_lookup(ns, "counter", &ep) == 0 && badge_of(ep) == EXO_MODULE_GEN_BADGE(1));
	CHECK(test_counter(ep, ADD, 5, &total, NULL) == 0 && total == 5);
	// Hot-swaps keep the generation: the same copy goes on, and so does the state.
	CHECK(exo_modmgr_replace(mgr.ep, 1, "counter2.so") == 0);
	CHECK(test_counter(ep, ADD, 1, &total, NULL) == 0 && total == 6);
	CHECK(exo_modmgr_replace(mgr.ep, 1, "counter_crash.so") == 0);
	CHECK(test_counter(ep, GET, 0, &total, NULL) == 0 && total == 6 &&
	      first_module(mgr.ep).generation == 1);
	// Another module listing "counter": reachable by id, the name stays the first one's.
	CHECK(exo_modmgr_load(mgr.ep, "counter.so", &id2, &ep2) == 0);
	CHECK(test_counter(ep2, ADD, 100, &total, NULL) == 0 && total == 100);
	CHECK(exo_names_lookup(ns, "counter", &h) == 0 && test_counter(h, GET, 0, &total, NULL) == 0 &&
	      total == 6);
	CHECK(exo_cap_delete(h) == 0);

	test_module_crash(mgr.ep, ep);

	CHECK(badge_of(ep) == ~0ull); // revoked at the crash
	CHECK(exo_cap_delete(ep2) == 0);
	test_modmgr_stop(&mgr, q); // the manager and its modules are gone
}

int main(uint64_t arg)
{
	static const struct test_case cases[] = { TEST_CASE(test_errors), TEST_CASE(test_registrants),
		                                  TEST_CASE(test_restart), TEST_CASE(test_modules) };

	if (arg == START_ADDR)
		return child((struct start *)arg);
	bi = test_begin("names", arg);
	if (!bi)
		return test_end();
	CHECK(exo_ipc_set_buffer(test_ipc_page) == 0);
	exo_names_use_buffer(BUF);
	if (start_server() == 0)
		TEST_RUN(cases);
	if (server.proc)
		CHECK(child_reap(&server, 1) == 9);
	for (int id = ID_ECHO; id <= ID_MGR; id++)
		if (ids[id])
			CHECK(exo_cap_delete(ids[id]) == 0);
	if (ns)
		CHECK(exo_cap_delete(ns) == 0);
	return test_end();
}
