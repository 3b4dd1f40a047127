// SPDX-License-Identifier: MIT
// Unit tests for the module side of the module protocol (libexo/module_entry.c): what the
// receive wrappers answer themselves - the manager's heartbeat pings and quiesce requests (with
// its badge only), requests through a copy badged with a dead instance's generation - and what
// they hand to the module: every other request, in order. The IPC calls are simulated: a script
// of incoming messages and a record of the replies.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

// cmocka.h needs the headers above.

#include <cmocka.h>

#define main libexo_main // <exo/libexo.h> declares the programs' main(uint64_t); not this one's
#include <exo/module.h>
#undef main

#define SERVICE 7
#define CONTROL 8

static struct exo_msg incoming[16]; // on SERVICE, in order
static int nin, next_in;
static struct exo_msg control_msg; // what arrives on CONTROL
static uint64_t replies[16];       // the labels replied, in order
static uint64_t reply_words[16];   // their word counts
static int nreplies;
static long exit_status = -1;

long exo_recv(uint64_t ep, struct exo_msg *m)
{
	if (ep == CONTROL) {
		*m = control_msg;
		return 0;
	}
	assert_int_equal(ep, SERVICE);
	if (next_in == nin)
		return -EXO_EDEAD; // the endpoint died: the end of the script
	*m = incoming[next_in++];
	return 0;
}

long exo_reply(const struct exo_msg *m)
{
	assert_true(nreplies < 16);
	reply_words[nreplies] = EXO_TAG_WORDS(m->tag);
	replies[nreplies++] = EXO_TAG_LABEL(m->tag);
	return 0;
}

long exo_reply_recv(uint64_t ep, struct exo_msg *m)
{
	exo_reply(m);
	return exo_recv(ep, m);
}

long exo_cap_delete(uint64_t cap) // of capabilities a message brought: none here
{
	fail_msg("deleted capability %lu", (unsigned long)cap);
	return 0;
}

long exo_exit(long status)
{
	exit_status = status;
	return 0;
}

long exo_notify_signal(unsigned long ntfn, unsigned long bits)
{
	(void)ntfn;
	(void)bits;
	return 0;
}

static void script(const struct exo_msg *msgs, int n)
{
	memcpy(incoming, msgs, (size_t)n * sizeof(*msgs));
	nin = n, next_in = 0, nreplies = 0;
}

static struct exo_msg msg(uint64_t label, uint64_t badge)
{
	return (struct exo_msg){ EXO_TAG(label, 0, 0), badge, { 0 } };
}

static const struct exo_module_env env = { .service = SERVICE, .control = CONTROL, .generation = 3 };

static void test_ping_and_stale_generations_are_answered(void **state)
{
	struct exo_msg m, in[] = {
		msg(EXO_MODULE_PING, EXO_MODULE_MANAGER_BADGE),
		msg(5, EXO_MODULE_GEN_BADGE(2)), // an instance that died
		msg(6, EXO_MODULE_GEN_BADGE(1)),
		msg(7, EXO_MODULE_GEN_BADGE(3)), // the current one: served
		msg(8, EXO_MODULE_SLOT_BADGE),
		msg(EXO_MODULE_PING, EXO_MODULE_SLOT_BADGE), // not the manager: refused
		msg(9, 0),
	};

	(void)state;
	script(in, 7);
	assert_int_equal(exo_module_recv(&env, &m), 0);
	assert_int_equal(EXO_TAG_LABEL(m.tag), 7);
	assert_int_equal(nreplies, 3);
	assert_int_equal(replies[0], EXO_MODULE_PING);
	assert_int_equal(replies[1], EXO_EDEAD);
	assert_int_equal(replies[2], EXO_EDEAD);
	m.tag = EXO_TAG(0, 0, 0);
	assert_int_equal(exo_module_reply_recv(&env, &m), 0); // answers 7, gets 8
	assert_int_equal(EXO_TAG_LABEL(m.tag), 8);
	assert_int_equal(exo_module_reply_recv(&env, &m), 0); // the forged ping is refused for it
	assert_int_equal(EXO_TAG_LABEL(m.tag), 9);
	assert_int_equal(replies[5], EXO_EPERM);
	assert_int_equal(exo_module_reply_recv(&env, &m), -EXO_EDEAD); // the script ended
	assert_int_equal(nreplies, 7);                                 // 4 by the wrappers, 3 by the module
}

static void test_generation_wraps_modulo_2_31(void **state)
{
	const struct exo_module_env wrapped = { .service = SERVICE, .generation = (1ull << 31) + 3 };
	struct exo_msg m, in[] = { msg(4, EXO_MODULE_GEN_BADGE(3)) };

	(void)state;
	script(in, 1);
	assert_int_equal(exo_module_recv(&wrapped, &m), 0); // the same generation, modulo 2^31
	assert_int_equal(EXO_TAG_LABEL(m.tag), 4);
}

static int counter_state = 41;

static int export_state(uint64_t state[4])
{
	state[0] = (uint64_t)counter_state;
	state[1] = 1;
	return 2;
}

static int init_ok(const struct exo_module_env *e)
{
	(void)e;
	return 0;
}

// The module's serve: one quiesce the manager rolls back (RESUME), then requests.
static int serve_with_quiesce(const struct exo_module_env *e)
{
	struct exo_msg m;

	control_msg = msg(EXO_MODULE_RESUME, 0);
	assert_int_equal(exo_module_recv(e, &m), 0);
	assert_int_equal(EXO_TAG_LABEL(m.tag), 10);
	assert_int_equal(replies[0], EXO_MODULE_QUIESCE); // quiesced, with its state
	assert_int_equal(reply_words[0], 2);
	return 5;
}

static void test_quiesce_hands_over_state_and_resumes(void **state)
{
	struct exo_module_start st = { .init = (uint64_t)init_ok,
		                       .serve = (uint64_t)serve_with_quiesce,
		                       .export_state = (uint64_t)export_state,
		                       .env = env };
	struct exo_msg in[] = {
		msg(EXO_MODULE_QUIESCE, EXO_MODULE_SLOT_BADGE + 0), // forged by a client: refused
		{ EXO_TAG(EXO_MODULE_QUIESCE, 1, 0), EXO_MODULE_MANAGER_BADGE, { 0 } }, // no area lent
		msg(10, EXO_MODULE_SLOT_BADGE),
	};

	(void)state;
	script(in + 1, 2);
	exo_module_entry(&st);
	assert_int_equal(exit_status, 5); // serve's result
	assert_int_equal(nreplies, 1);

	// A quiesce without the manager's badge is refused by the wrappers, not handed to the module.
	struct exo_msg m;
	script(in, 3);
	assert_int_equal(exo_module_recv(&env, &m), 0);
	assert_int_equal(EXO_TAG_LABEL(m.tag), 10);
	assert_int_equal(replies[0], EXO_EPERM);
	assert_int_equal(reply_words[0], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ping_and_stale_generations_are_answered),
		cmocka_unit_test(test_generation_wraps_modulo_2_31),
		cmocka_unit_test(test_quiesce_hands_over_state_and_resumes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
