// SPDX-License-Identifier: MIT
// The module side of the module protocol, in libexo.so: the first code a module's thread runs
// (init, ready, serve, exit with the result) and the receive wrappers that answer the manager's
// quiesce request for hot-swap and its heartbeat pings, and turn away requests badged with the
// generation of an instance that died (see exo/module.h).
#include <exo/module.h>
#include <stdbool.h>

static const struct exo_module_start *start; // set once, before init

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

// A quiesce request (w[0]: bytes of the state area lent, 0 for none): reply with the state, then
// wait for the verdict. Returns when the module must go on serving (RESUME, or it refused to
// export its area); the process ends otherwise.
static void quiesce(const struct exo_module_env *env, uint64_t room)
{
	int (*export_state)(uint64_t *) = (void *)start->export_state;
	struct exo_msg m = { EXO_TAG(0, 0, 0), 0, { 0 } };
	long refused = export_area(room);
	int n;

	if (refused < 0) { // the label says why; nothing to wait for
		m.tag = EXO_TAG(-refused, 0, 0);
		exo_reply(&m);
		return;
	}
	n = export_state ? export_state(m.w) : 0;
	m.tag = EXO_TAG(EXO_MODULE_QUIESCE, n, 0); // the label says: quiesced, state follows
	exo_reply(&m);
	m.tag = 0;
	if (exo_recv(env->control, &m) || EXO_TAG_LABEL(m.tag) != EXO_MODULE_RESUME)
		exo_exit(0);
}

static bool from_manager(const struct exo_msg *m, uint64_t label)
{
	return EXO_TAG_LABEL(m->tag) == label && m->badge == EXO_MODULE_MANAGER_BADGE;
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

// Answers what the manager sends on the service endpoint (quiesce, ping) and stale requests until
// a request to serve comes.
static long requests_only(const struct exo_module_env *env, struct exo_msg *m, long r)
{
	for (; r == 0; r = exo_recv(env->service, m)) {
		if (from_manager(m, EXO_MODULE_QUIESCE)) {
			quiesce(env, m->w[0]);
		} else if (from_manager(m, EXO_MODULE_PING)) {
			answer(EXO_MODULE_PING);
		} else if (stale(env, m)) {
			answer(EXO_EDEAD);
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
