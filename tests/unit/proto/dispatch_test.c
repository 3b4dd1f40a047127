// SPDX-License-Identifier: MIT
// Unit tests for the dispatch toolchain/scripts/gen-proto generates, on the real services'
// definitions (names, modmgr, console, the module protocol): hostile requests - an unknown label, a short or
// long message, a missing, extra or wrong capability, fields out of range - are answered with an error and
// never reach a handler, and the capabilities they brought are deleted; good requests reach their handler and
// come back as the definition says, an error with its reason text. The kernel calls are simulated: a table of
// capabilities and a record of the deleted ones.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

// cmocka.h needs the headers above.

#include <cmocka.h>

#define main libexo_main // <exo/libexo.h> declares the programs' main(uint64_t); not this one's
#include <proto/console_server.h>
#include <proto/modmgr_server.h>
#include <proto/module_server.h>
#include <proto/names_server.h>
#undef main

enum { EP = 1, EP_NOGRANT, NTFN, PORTS, IRQ, NCAPS }; // handles of the simulated table

static int calls;                               // handler calls
static uint64_t deleted[8], ndeleted;           // handles exo_cap_delete was given
static struct exo_ipc_buffer buffer;            // the server's IPC buffer
static const char *refusal;                     // what the modmgr handlers answer (NULL: success)
static const uint64_t zeros[EXO_MSG_MAX_WORDS]; // words of requests whose content does not matter

long exo_cap_info(uint64_t cap, struct exo_cap_info *info)
{
	static const uint64_t types[NCAPS] = { [EP] = EXO_OBJ_ENDPOINT,
		                               [EP_NOGRANT] = EXO_OBJ_ENDPOINT,
		                               [NTFN] = EXO_OBJ_NOTIFICATION,
		                               [PORTS] = EXO_OBJ_IOPORT,
		                               [IRQ] = EXO_OBJ_IRQ };

	if (cap == 0 || cap >= NCAPS)
		return -EXO_EBADCAP;
	*info = (struct exo_cap_info){ .type = types[cap], .rights = EXO_R_ALL };
	if (cap == EP_NOGRANT)
		info->rights &= ~(uint64_t)EXO_R_GRANT;
	return 0;
}

long exo_cap_delete(uint64_t cap)
{
	assert_true(ndeleted < 8);
	deleted[ndeleted++] = cap;
	return 0;
}

// ---- handlers: each counts its call ----

long names_on_register(uint64_t badge, const struct exo_names_register_in *in,
                       struct exo_names_register_in_caps *caps)
{
	assert_true(badge && in->name[0]);
	calls++;
	caps->ep.handle = 0; // kept
	return 0;
}

long names_on_lookup(const struct exo_names_lookup_in *in, struct exo_names_lookup_out *out,
                     struct exo_names_lookup_out_caps *caps)
{
	assert_string_equal(in->name, "echo");
	calls++;
	out->rights = EXO_R_WRITE;
	caps->ep = (struct exo_cap_xfer){ EP, EXO_R_WRITE, 0 };
	return 0;
}

long names_on_unregister(uint64_t badge, const struct exo_names_unregister_in *in)
{
	(void)badge, (void)in;
	calls++;
	return 0;
}

long modmgr_on_load(const struct exo_modmgr_load_in *in, struct exo_modmgr_load_out *out,
                    struct exo_modmgr_load_out_caps *caps, char why[EXO_PROTO_REASON_SIZE])
{
	calls++;
	if (refusal) {
		strcpy(why, refusal);
		return -EXO_EINVAL;
	}
	(void)in;
	out->id = 7;
	caps->ep = (struct exo_cap_xfer){ EP, EXO_R_WRITE, 0 };
	return 0;
}

long modmgr_on_connect(const struct exo_modmgr_connect_in *in, struct exo_modmgr_connect_out_caps *caps)
{
	(void)in, (void)caps;
	calls++;
	return -EXO_ENOENT;
}

long modmgr_on_unload(const struct exo_modmgr_unload_in *in)
{
	(void)in;
	calls++;
	return 0;
}

long modmgr_on_replace(const struct exo_modmgr_replace_in *in, char why[EXO_PROTO_REASON_SIZE])
{
	(void)in, (void)why;
	calls++;
	return 0;
}

long modmgr_on_list(const struct exo_modmgr_list_in *in, struct exo_modmgr_list_out *out)
{
	calls++;
	out->total = 3;
	out->n = 3 - in->first;
	out->entries[0].id = 1;
	return 0;
}

long console_on_setup(struct console_setup_in_caps *caps)
{
	calls++;
	caps->com2.handle = caps->irq.handle = 0;
	return 0;
}

long console_on_write(const struct console_write_in *in, struct console_write_out *out)
{
	calls++;
	out->n = in->n;
	return 0;
}

long console_on_read(const struct console_read_in *in, struct console_read_out *out)
{
	calls++;
	out->n = in->max;
	return 0;
}

long module_on_quiesce(const struct exo_module_quiesce_in *in, struct exo_module_quiesce_out *out,
                       unsigned *count)
{
	calls++;
	out->state[0] = in->area;
	*count = 1;
	return 0;
}

long module_on_ping(void)
{
	calls++;
	return 0;
}

// ---- requests ----

static int setup(void **state)
{
	(void)state;
	calls = 0;
	ndeleted = 0;
	refusal = NULL;
	memset(&buffer, 0, sizeof(buffer));
	return 0;
}

// A request: label, words (from w, 0..3 in registers, the rest in the buffer), capabilities.
static struct exo_msg request(uint64_t label, unsigned words, const void *w, unsigned ncaps,
                              const uint64_t *caps, uint64_t badge)
{
	struct exo_msg m = { EXO_TAG(label, words, ncaps), badge, { 0 } };

	exo_proto_put(&m, &buffer, w, words);
	for (unsigned i = 0; i < ncaps; i++)
		buffer.caps[i].handle = caps[i];
	return m;
}

// Dispatches m with the names, modmgr or console dispatch; checks the refusal with code and that
// no handler ran.
#define REFUSED(dispatch, m, code)                                 \
	do {                                                       \
		struct exo_msg m_ = (m);                           \
		assert_int_equal(dispatch(&m_, &buffer), -(code)); \
		assert_int_equal(EXO_TAG_LABEL(m_.tag), (code));   \
		assert_int_equal(EXO_TAG_CAPS(m_.tag), 0);         \
		assert_int_equal(calls, 0);                        \
	} while (0)

static void test_names_hostile(void **state)
{
	struct exo_names_register_in reg = { "echo", EXO_R_WRITE };
	char bad[32] = "echo\0x"; // garbage after the NUL: not the one encoding of "echo"
	char full[32];
	uint64_t ep = EP;

	(void)state;
	memset(full, 'a', sizeof(full));
	REFUSED(names_dispatch, request(99, 4, &reg, 0, NULL, 5), EXO_ENOSYS);
	REFUSED(names_dispatch, request(99, 0, &reg, 1, &ep, 5), EXO_ENOSYS); // its capability goes
	assert_int_equal(ndeleted, 1);
	assert_int_equal(deleted[0], EP);
	REFUSED(names_dispatch, request(EXO_NAMES_REGISTER, 5, &reg, 1, &ep, 0), EXO_EPERM);   // unbadged
	REFUSED(names_dispatch, request(EXO_NAMES_REGISTER, 4, &reg, 1, &ep, 5), EXO_EINVAL);  // short
	REFUSED(names_dispatch, request(EXO_NAMES_REGISTER, 6, zeros, 1, &ep, 5), EXO_EINVAL); // long
	REFUSED(names_dispatch, request(EXO_NAMES_REGISTER, 5, &reg, 0, NULL, 5), EXO_EINVAL); // no cap
	ep = NTFN;
	REFUSED(names_dispatch, request(EXO_NAMES_REGISTER, 5, &reg, 1, &ep, 5), EXO_ETYPE);
	ep = EP_NOGRANT;
	REFUSED(names_dispatch, request(EXO_NAMES_REGISTER, 5, &reg, 1, &ep, 5), EXO_EPERM);
	ep = 99;
	REFUSED(names_dispatch, request(EXO_NAMES_REGISTER, 5, &reg, 1, &ep, 5), EXO_EBADCAP);
	ep = EP;
	reg.rights = 1ull << 40;
	REFUSED(names_dispatch, request(EXO_NAMES_REGISTER, 5, &reg, 1, &ep, 5), EXO_EINVAL);
	assert_int_equal(ndeleted, 8); // every refused request's capability
	REFUSED(names_dispatch, request(EXO_NAMES_LOOKUP, 4, bad, 0, NULL, 0), EXO_EINVAL);
	REFUSED(names_dispatch, request(EXO_NAMES_LOOKUP, 4, full, 0, NULL, 0), EXO_EINVAL);
	memset(full, 0, sizeof(full));
	REFUSED(names_dispatch, request(EXO_NAMES_LOOKUP, 4, full, 0, NULL, 0), EXO_EINVAL); // empty
	REFUSED(names_dispatch, request(EXO_NAMES_UNREGISTER, 4, &reg, 0, NULL, 0), EXO_EPERM);
}

static void test_names_served(void **state)
{
	struct exo_names_register_in reg = { "echo", EXO_R_WRITE };
	struct exo_names_lookup_in look = { "echo" };
	uint64_t ep = EP;
	struct exo_msg m = request(EXO_NAMES_REGISTER, 5, &reg, 1, &ep, 5);

	(void)state;
	assert_int_equal(names_dispatch(&m, &buffer), 0);
	assert_int_equal(m.tag, EXO_TAG(0, 0, 0));
	assert_int_equal(ndeleted, 0); // the handler kept it
	m = request(EXO_NAMES_LOOKUP, 4, &look, 0, NULL, 0);
	assert_int_equal(names_dispatch(&m, &buffer), 0);
	assert_int_equal(m.tag, EXO_TAG(0, 1, 1));
	assert_int_equal(m.w[0], EXO_R_WRITE);
	assert_int_equal(buffer.caps[0].handle, EP);
	assert_int_equal(calls, 2);
}

static void test_modmgr_hostile(void **state)
{
	struct exo_modmgr_replace_in rep = { 1, "counter.so" };
	struct exo_modmgr_load_in load = { "counter.so" };
	uint64_t ep = EP;

	(void)state;
	REFUSED(modmgr_dispatch, request(EXO_MODMGR_LOAD, 4, &load, 1, &ep, 0), EXO_EINVAL);
	assert_int_equal(ndeleted, 1); // no request carries capabilities
	REFUSED(modmgr_dispatch, request(EXO_MODMGR_LOAD, 3, &load, 0, NULL, 0), EXO_EINVAL);
	REFUSED(modmgr_dispatch, request(EXO_MODMGR_REPLACE, 4, &rep, 0, NULL, 0), EXO_EINVAL);
	REFUSED(modmgr_dispatch, request(EXO_MODMGR_LIST, 2, zeros, 0, NULL, 0), EXO_EINVAL);
	REFUSED(modmgr_dispatch, request(EXO_MODMGR_UNLOAD, 0, zeros, 0, NULL, 0), EXO_EINVAL);
	REFUSED(modmgr_dispatch, request(EXO_MODMGR_HELLO, 2, zeros, 0, NULL, 0), EXO_ENOSYS);
}

static void test_modmgr_served(void **state)
{
	struct exo_modmgr_load_in load = { "bad.so" };
	struct exo_modmgr_list_out page;
	uint64_t first = 1;
	char text[EXO_PROTO_REASON_SIZE];
	struct exo_msg m = request(EXO_MODMGR_LOAD, 4, &load, 0, NULL, 0);

	(void)state;
	refusal = "bad.so: bad ELF header (e_machine=3): modules are x86-64 (62) code";
	assert_int_equal(modmgr_dispatch(&m, &buffer), -EXO_EINVAL);
	assert_int_equal(EXO_TAG_LABEL(m.tag), EXO_EINVAL);
	assert_int_equal(EXO_TAG_WORDS(m.tag), (strlen(refusal) + 8) / 8); // the text, NUL-terminated
	assert_int_equal(exo_proto_status(&m, &buffer, 0, text, sizeof(text)), -EXO_EINVAL);
	assert_string_equal(text, refusal);
	refusal = NULL;
	m = request(EXO_MODMGR_LOAD, 4, &load, 0, NULL, 0);
	assert_int_equal(modmgr_dispatch(&m, &buffer), 0);
	assert_int_equal(m.tag, EXO_TAG(0, 1, 1));
	assert_int_equal(m.w[0], 7);
	m = request(EXO_MODMGR_LIST, 1, &first, 0, NULL, 0);
	assert_int_equal(modmgr_dispatch(&m, &buffer), 0);
	assert_int_equal(m.tag, EXO_TAG(0, 2 + 2 * 13, 0)); // two entries of 13 words
	exo_proto_get(&page, &m, &buffer, EXO_TAG_WORDS(m.tag));
	assert_int_equal(page.total, 3);
	assert_int_equal(page.entries[0].id, 1);
	m = request(EXO_MODMGR_CONNECT, 1, &first, 0, NULL, 0); // the handler's error, no text
	assert_int_equal(modmgr_dispatch(&m, &buffer), -EXO_ENOENT);
	assert_int_equal(m.tag, EXO_TAG(EXO_ENOENT, 0, 0));
}

static void test_console_hostile(void **state)
{
	struct console_write_in w = { 1, 10, "0123456789" };
	struct console_read_in r = { 0, 16, 0 };
	uint64_t devices[3] = { PORTS, IRQ, IRQ };

	(void)state;
	w.stream = 4; // not a stream's bit, nor CONSOLE_MORE
	REFUSED(console_dispatch, request(CONSOLE_WRITE, 4, &w, 0, NULL, 0), EXO_EINVAL);
	w.stream = CONSOLE_STDOUT;
	REFUSED(console_dispatch, request(CONSOLE_WRITE, 3, &w, 0, NULL, 0), EXO_EINVAL); // 10 bytes: 4
	REFUSED(console_dispatch, request(CONSOLE_WRITE, 5, &w, 0, NULL, 0), EXO_EINVAL);
	REFUSED(console_dispatch, request(CONSOLE_WRITE, 1, &w, 0, NULL, 0), EXO_EINVAL);
	w.n = CONSOLE_MAX_DATA + 1;
	REFUSED(console_dispatch, request(CONSOLE_WRITE, 64, &w, 0, NULL, 0), EXO_EINVAL);
	r.max = 0;
	REFUSED(console_dispatch, request(CONSOLE_READ, 3, &r, 0, NULL, 0), EXO_EINVAL);
	r.max = 16;
	r.flags = 2;
	REFUSED(console_dispatch, request(CONSOLE_READ, 3, &r, 0, NULL, 0), EXO_EINVAL);
	r.flags = 0;
	r.fd = 1;
	REFUSED(console_dispatch, request(CONSOLE_READ, 3, &r, 0, NULL, 0), EXO_EINVAL);
	REFUSED(console_dispatch, request(CONSOLE_SETUP, 0, &r, 3, devices, 0), EXO_EINVAL);
	devices[1] = PORTS;
	REFUSED(console_dispatch, request(CONSOLE_SETUP, 0, &r, 2, devices, 0), EXO_ETYPE);
	assert_int_equal(ndeleted, 5); // all the capabilities of both SETUPs
}

static void test_console_served(void **state)
{
	struct console_write_in w = { CONSOLE_STDERR | CONSOLE_MORE, 10, "0123456789" };
	struct console_read_in r = { 0, 9, CONSOLE_NOWAIT };
	uint64_t devices[2] = { PORTS, IRQ };
	struct exo_msg m = request(CONSOLE_SETUP, 0, &r, 2, devices, 0);

	(void)state;
	assert_int_equal(console_dispatch(&m, &buffer), 0);
	assert_int_equal(ndeleted, 0); // kept
	m = request(CONSOLE_WRITE, 4, &w, 0, NULL, 0);
	assert_int_equal(console_dispatch(&m, &buffer), 0);
	assert_int_equal(m.tag, EXO_TAG(0, 1, 0));
	assert_int_equal(m.w[0], 10);
	m = request(CONSOLE_READ, 3, &r, 0, NULL, 0);
	assert_int_equal(console_dispatch(&m, &buffer), 0);
	assert_int_equal(m.tag, EXO_TAG(0, 1 + 2, 0)); // 9 bytes after one word
	assert_int_equal(calls, 3);
}

static void test_module_hostile(void **state)
{
	struct exo_modmgr_load_in name = { "x" };

	(void)state;
	REFUSED(module_dispatch, request(EXO_MODULE_PING, 0, zeros, 0, NULL, 5), EXO_EPERM);
	REFUSED(module_dispatch, request(EXO_MODULE_QUIESCE, 1, zeros, 0, NULL, 0), EXO_EPERM);
	REFUSED(module_dispatch, request(EXO_MODULE_QUIESCE, 0, zeros, 0, NULL, EXO_MODULE_MANAGER_BADGE),
	        EXO_EINVAL);
	REFUSED(module_dispatch, request(EXO_MODULE_PING, 4, &name, 0, NULL, EXO_MODULE_MANAGER_BADGE),
	        EXO_EINVAL);
	assert_false(module_owns(&(struct exo_msg){ EXO_TAG(7, 0, 0), 0, { 0 } })); // the module's own
}

static void test_module_served(void **state)
{
	uint64_t area = 4096;
	struct exo_msg m = request(EXO_MODULE_QUIESCE, 1, &area, 0, NULL, EXO_MODULE_MANAGER_BADGE);

	(void)state;
	assert_int_equal(module_dispatch(&m, NULL), 0);             // no buffer needed
	assert_int_equal(m.tag, EXO_TAG(EXO_MODULE_QUIESCE, 1, 0)); // acknowledged with its label
	assert_int_equal(m.w[0], 4096);
	m = request(EXO_MODULE_PING, 0, zeros, 0, NULL, EXO_MODULE_MANAGER_BADGE);
	assert_int_equal(module_dispatch(&m, NULL), 0);
	assert_int_equal(m.tag, EXO_TAG(EXO_MODULE_PING, 0, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_names_hostile, setup),
		cmocka_unit_test_setup(test_names_served, setup),
		cmocka_unit_test_setup(test_modmgr_hostile, setup),
		cmocka_unit_test_setup(test_modmgr_served, setup),
		cmocka_unit_test_setup(test_console_hostile, setup),
		cmocka_unit_test_setup(test_console_served, setup),
		cmocka_unit_test_setup(test_module_hostile, setup),
		cmocka_unit_test_setup(test_module_served, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
