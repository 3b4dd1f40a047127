// SPDX-License-Identifier: MIT
// The module side of the module protocol, in libexo.so: the first code a module's thread runs
// (init, ready, serve, exit with the result) and the receive wrappers that answer the manager's
// quiesce request for hot-swap and its heartbeat pings (see exo/module.h).
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

// A quiesce request: reply with the state, then wait for the verdict. Returns when the module
// must go on serving (RESUME); the process ends otherwise.
static void quiesce(const struct exo_module_env *env)
{
	int (*export_state)(uint64_t *) = (void *)start->export_state;
	struct exo_msg m = { EXO_TAG(0, 0, 0), 0, { 0 } };
	int n = export_state ? export_state(m.w) : 0;

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

// Answers what the manager sends on the service endpoint (quiesce, ping) until a request comes.
static long requests_only(const struct exo_module_env *env, struct exo_msg *m, long r)
{
	for (; r == 0; r = exo_recv(env->service, m)) {
		if (from_manager(m, EXO_MODULE_QUIESCE)) {
			quiesce(env);
		} else if (from_manager(m, EXO_MODULE_PING)) {
			struct exo_msg pong = { EXO_TAG(EXO_MODULE_PING, 0, 0), 0, { 0 } };

			exo_reply(&pong);
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
