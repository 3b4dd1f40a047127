// SPDX-License-Identifier: MIT
// Hot-swap of a module behind a service endpoint the manager owns (see exo/modload.h), and the
// heartbeat that travels the same way. The
// quiesce request travels on the service endpoint itself, so FIFO order puts it behind every
// request already queued: the old version answers those, then hands over its state in the reply
// to the quiesce call and waits for a verdict; requests sent meanwhile wait in the endpoint for
// the new version. Ready is a notification the new version signals after its init.
#include <exo/modload.h>

static long start_version(struct exo_module_slot *s, const struct exo_image *mod, const uint64_t *state,
                          uint64_t nstate, struct exo_loaded_module *out, char *err, size_t errsize)
{
	struct exo_module_env env = { 0 };
	long status;

	env.quota = s->quota;
	env.service = s->service;
	env.control = s->control;
	env.ready = s->ready;
	env.nstate = nstate;
	for (uint64_t i = 0; i < nstate && i < 4; i++)
		env.state[i] = state[i];
	uint64_t deadline = (uint64_t)exo_clock_ns() + EXO_MODULE_INIT_NS;

	exo_notify_poll(s->ready); // forget a stale signal
	if (exo_module_load(s->self, s->quota, s->scratch, s->lib, mod, &env, s->prio, out, err, errsize))
		return -EXO_EINVAL;
	for (;;) { // ready, or ended during init, or too slow
		if (exo_notify_poll(s->ready) > 0)
			return 0;
		if (exo_process_status(out->process, &status) == 0)
			exo_snprintf(err, errsize, "%s: init failed with status %ld", mod->name, status);
		else if ((uint64_t)exo_clock_ns() > deadline)
			exo_snprintf(err, errsize, "%s: init did not finish in %lu ms", mod->name,
			             (unsigned long)(EXO_MODULE_INIT_NS / 1000000));
		else {
			exo_thread_sleep((uint64_t)exo_clock_ns() + 200000);
			continue;
		}
		exo_process_kill(out->process, -1);
		exo_cap_delete(out->thread);
		exo_cap_delete(out->process);
		out->process = out->thread = 0;
		return -EXO_EINVAL;
	}
}

long exo_module_slot_init(struct exo_module_slot *s, uint64_t self, uint64_t quota, uint64_t scratch,
                          const struct exo_image *lib, uint64_t prio)
{
	long r;

	*s = (struct exo_module_slot){
		.self = self, .quota = quota, .scratch = scratch, .prio = prio, .lib = lib
	};
	if ((r = exo_endpoint_create()) < 0)
		return r;
	s->service = (uint64_t)r;
	if ((r = exo_cap_mint(s->service, EXO_R_WRITE, EXO_MODULE_MANAGER_BADGE)) < 0)
		return r;
	s->quiesce_cap = (uint64_t)r;
	if ((r = exo_endpoint_create()) < 0)
		return r;
	s->control = (uint64_t)r;
	if ((r = exo_notify_create()) < 0)
		return r;
	s->ready = (uint64_t)r;
	return 0;
}

long exo_module_slot_start(struct exo_module_slot *s, const struct exo_image *mod, char *err, size_t errsize)
{
	return start_version(s, mod, NULL, 0, &s->cur, err, errsize);
}

static void end_version(struct exo_loaded_module *m)
{
	long status;

	exo_process_kill(m->process, 0);
	while (exo_process_status(m->process, &status) == -EXO_EAGAIN)
		exo_thread_yield();
	exo_cap_delete(m->thread);
	exo_cap_delete(m->process);
}

long exo_module_replace(struct exo_module_slot *s, const struct exo_image *mod, char *err, size_t errsize)
{
	struct exo_msg m = { EXO_TAG(EXO_MODULE_QUIESCE, 0, 0), 0, { 0 } };
	struct exo_loaded_module next;
	long r;

	if (s->buf) { // bounded wait: a version that is dead or stuck must not hang the manager
		m.tag |= EXO_IPC_TIMEOUT;
		s->buf->deadline = (uint64_t)exo_clock_ns() + EXO_MODULE_QUIESCE_NS;
	}
	r = exo_call(s->quiesce_cap, &m);
	if (r) {
		exo_snprintf(err, errsize, "the running version did not quiesce (error %ld)", r);
		return r;
	}
	if (EXO_TAG_LABEL(m.tag) != EXO_MODULE_QUIESCE) { // served it as a request: no hot-swap
		exo_snprintf(err, errsize, "the running version does not support hot-swap");
		return -EXO_EINVAL;
	}
	r = start_version(s, mod, m.w, EXO_TAG_WORDS(m.tag), &next, err, errsize);
	if (r) { // rollback: the old version goes on serving
		struct exo_msg resume = { EXO_TAG(EXO_MODULE_RESUME, 0, 0), 0, { 0 } };

		exo_send(s->control, &resume);
		return r;
	}
	end_version(&s->cur);
	s->cur = next;
	return 0;
}

void exo_module_slot_destroy(struct exo_module_slot *s)
{
	if (s->cur.process)
		end_version(&s->cur);
	exo_cap_delete(s->ready);
	exo_cap_delete(s->control);
	exo_cap_delete(s->quiesce_cap);
	exo_cap_delete(s->service);
}

long exo_module_ping(struct exo_module_slot *s, uint64_t timeout_ns)
{
	struct exo_msg m = { EXO_TAG(EXO_MODULE_PING, 0, 0) | EXO_IPC_TIMEOUT, 0, { 0 } };

	if (!s->buf)
		return -EXO_EINVAL;
	s->buf->deadline = (uint64_t)exo_clock_ns() + timeout_ns;
	return exo_call(s->quiesce_cap, &m);
}
