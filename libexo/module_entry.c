// SPDX-License-Identifier: MIT
// The module side of the module protocol, in libexo.so: the first code a module's thread runs
// (init, ready, serve, exit with the result) and the receive wrappers that answer the manager's
// quiesce request for hot-swap and its heartbeat pings (libexo/module.idl: the generated dispatch
// checks them), and turn away requests badged with the generation of an instance that died (see
// exo/module.h).
#include <exo/module.h>
#include <proto/module_server.h>
#include <stdbool.h>

static const struct exo_module_start *start; // set once, before init
static bool quiesced;                        // the last message answered was a quiesce

void exo_module_entry(const struct exo_module_start *st)
{
	int (*init)(const struct exo_module_env *) = (void *)st->init;
	int (*serve)(const struct exo_module_env *) = (void *)st->serve;
	int r;

	start = st;
	r = init(&st->env);
	if (r)
		exo_exit(r);
	if (st->env.ready)
		exo_notify_signal(st->env.ready, 1);
	exo_exit(serve(&st->env));
}

// Fills the state area the manager lent (room bytes at EXO_MODULE_AREA) through the module's
// exo_module_export_area; returns the bytes written (0 without an area or that function), or its
// error. The size goes in the area's header, where the manager reads it.
static long export_area(uint64_t room)
{
	long (*export)(void *, uint64_t) = (void *)start->export_area;
	uint64_t *header = (uint64_t *)EXO_MODULE_AREA;
	long n;

	if (!export || room != EXO_MODULE_AREA_PAGES * 4096ull)
		return 0;
	n = export((void *)(EXO_MODULE_AREA + EXO_MODULE_AREA_HEADER), EXO_MODULE_AREA_ROOM);
	if (n > (long)EXO_MODULE_AREA_ROOM)
		n = -EXO_EINVAL; // it wrote past the area: refuse rather than hand over garbage
	header[0] = n > 0 ? (uint64_t)n : 0;
	header[1] = 0;
	return n;
}

// QUIESCE (in->area: bytes of the state area lent, 0 for none): the state goes in the reply; then
// the wrappers wait for the verdict. A refusal to export the area is the reply's error, and the
// module goes on serving.
// The handlers are libexo.so's own: hidden, they cost the loader no symbol and no relocation.
__attribute__((visibility("hidden"))) long
module_on_quiesce(const struct exo_module_quiesce_in *in, struct exo_module_quiesce_out *out, unsigned *count)
{
	int (*export_state)(uint64_t *) = (void *)start->export_state;
	long refused = export_area(in->area);

	if (refused < 0)
		return refused;
	*count = export_state ? (unsigned)export_state(out->state) : 0;
	quiesced = true;
	return 0;
}

__attribute__((visibility("hidden"))) long module_on_ping(void)
{
	return 0;
}

// After the quiesce reply: the manager's verdict - EXO_MODULE_RESUME (the new version failed: go
// on serving) or the end of the process.
static void wait_verdict(const struct exo_module_env *env)
{
	struct exo_msg m = { 0, 0, { 0 } };

	quiesced = false;
	if (exo_recv(env->control, &m) || EXO_TAG_LABEL(m.tag) != EXO_MODULE_RESUME)
		exo_exit(0);
}

static void answer(uint64_t label)
{
	struct exo_msg m = { EXO_TAG(label, 0, 0), 0, { 0 } };

	exo_reply(&m);
}

// A request through a copy badged with another generation: its sender knew an instance that died.
static bool stale(const struct exo_module_env *env, const struct exo_msg *m)
{
	return EXO_MODULE_BADGE_IS_GEN(m->badge) &&
	       EXO_MODULE_BADGE_GEN(m->badge) != EXO_MODULE_BADGE_GEN(EXO_MODULE_GEN_BADGE(env->generation));
}

// Answers the module protocol's messages (the generated dispatch checks them: the manager's badge,
// the words) and stale requests until a request to serve comes. A module needs no IPC buffer for
// them: none carries more than 4 words or a capability (a message that does lies partly in the
// module's own buffer, which the wrappers do not know: the module refuses it as any unknown label).
static long requests_only(const struct exo_module_env *env, struct exo_msg *m, long r)
{
	for (; r == 0; r = exo_recv(env->service, m)) {
		if (stale(env, m)) {
			answer(EXO_EDEAD);
		} else if (module_owns(m) && EXO_TAG_WORDS(m->tag) <= EXO_MSG_REG_WORDS) {
			module_dispatch(m, NULL);
			exo_reply(m);
			if (quiesced)
				wait_verdict(env);
		} else {
			return 0;
		}
		m->tag = 0;
	}
	return r;
}

long exo_module_recv(const struct exo_module_env *env, struct exo_msg *m)
{
	m->tag = 0;
	return requests_only(env, m, exo_recv(env->service, m));
}

long exo_module_reply_recv(const struct exo_module_env *env, struct exo_msg *m)
{
	return requests_only(env, m, exo_reply_recv(env->service, m));
}
