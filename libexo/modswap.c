// SPDX-License-Identifier: MIT
// Hot-swap of a module behind a service endpoint the manager owns (see exo/modload.h), and the
// heartbeat that travels the same way. The quiesce request travels on the service endpoint
// itself, so FIFO order puts it behind every request already queued: the old version answers
// those, then hands over its state - up to 4 words in the reply to the quiesce call, and the
// bytes it wrote into a state area of frames lent for the swap - and waits for a verdict;
// requests sent meanwhile wait in the endpoint for the new version. Ready is a notification the
// new version signals after its init.
#include <exo/modload.h>

#define CHECK_NS 1000000ull // while a new version starts: how often to look whether it ended

// The state area of one hot-swap: frames of the slot's quota, mapped at EXO_MODULE_AREA.
struct area {
	uint64_t frames[EXO_MODULE_AREA_PAGES];
	uint64_t npages; // 0: none lent (the old version has no exo_module_export_area)
	uint64_t size;   // bytes the old version wrote after the header
};

static long area_map(uint64_t process, const struct area *a, uint64_t rights)
{
	for (uint64_t i = 0; i < a->npages; i++) {
		struct exo_map_op op = { a->frames[i], EXO_MODULE_AREA + i * EXO_PAGE_SIZE, rights };

		if (exo_vspace_map(process, &op, 1) != 1)
			return -EXO_ENOMEM;
	}
	return 0;
}

static void area_unmap(uint64_t process, const struct area *a)
{
	for (uint64_t i = 0; i < a->npages; i++) {
		uint64_t va = EXO_MODULE_AREA + i * EXO_PAGE_SIZE;

		exo_vspace_unmap(process, &va, 1); // fails for a process that ended: fine
	}
}

static void area_free(struct area *a)
{
	for (uint64_t i = 0; i < a->npages; i++)
		exo_cap_delete(a->frames[i]);
	a->npages = 0;
}

// Lends the running version an area to export into (if it exports one at all).
static long area_lend(struct exo_module_slot *s, struct area *a)
{
	long r;

	if (!s->cur.export_area)
		return 0;
	r = exo_frame_alloc(s->quota, EXO_MODULE_AREA_PAGES, a->frames);
	if (r < 0)
		return r;
	a->npages = EXO_MODULE_AREA_PAGES;
	r = area_map(s->cur.process, a, EXO_R_READ | EXO_R_WRITE);
	if (r) {
		area_unmap(s->cur.process, a);
		area_free(a);
	}
	return r;
}

// Reads the size the old version wrote into the area's header (through the scratch range).
static long area_read_size(struct exo_module_slot *s, struct area *a)
{
	struct exo_map_op op = { a->frames[0], s->scratch, EXO_R_READ };

	if (exo_vspace_map(s->self, &op, 1) != 1)
		return -EXO_ENOMEM;
	a->size = *(volatile const uint64_t *)s->scratch;
	exo_vspace_unmap(s->self, &op.vaddr, 1);
	return a->size <= EXO_MODULE_AREA_ROOM ? 0 : -EXO_EINVAL;
}

// Loads mod as the slot's next instance with the state (words, and the area if a->size) and
// waits until its init succeeded. It runs its init at the lowest priority - it cannot run before
// the area is mapped into it, and its ready signal wakes the waiting caller at once - then gets
// the slot's.
static long start_version(struct exo_module_slot *s, const struct exo_image *mod, const uint64_t *state,
                          uint64_t nstate, const struct area *a, struct exo_loaded_module *out, char *err,
                          size_t errsize)
{
	struct exo_module_env env = { 0 };
	long status, r;

	env.quota = s->quota;
	env.service = s->service;
	env.control = s->control;
	env.ready = s->ready;
	env.generation = s->generation;
	env.nstate = nstate;
	for (uint64_t i = 0; i < nstate && i < 4; i++)
		env.state[i] = state[i];
	if (a && a->size) {
		env.area = EXO_MODULE_AREA + EXO_MODULE_AREA_HEADER;
		env.area_size = a->size;
	}
	uint64_t deadline = (uint64_t)exo_clock_ns() + EXO_MODULE_INIT_NS;

	exo_notify_poll(s->ready); // forget a stale signal
	if (exo_module_load(s->self, s->quota, s->scratch, s->lib, mod, &env, 1, out, err, errsize))
		return -EXO_EINVAL;
	r = env.area ? area_map(out->process, a, EXO_R_READ) : 0;
	if (r)
		exo_snprintf(err, errsize, "%s: cannot map the state area (error %ld)", mod->name, r);
	// Wait on ready itself (the module's signal wakes us at once), with a periodic timer on
	// another bit of it to look at whether the new version ended or is too slow.
	if (!r)
		exo_notify_timer(s->ready, 1, (uint64_t)exo_clock_ns() + CHECK_NS, CHECK_NS);
	while (!r) { // ready, or ended during init, or too slow
		if (exo_notify_wait(s->ready) & 1) {
			exo_notify_timer(s->ready, 1, 0, 0);
			r = exo_thread_set_prio(out->thread, s->prio);
			if (!r)
				return 0;
			exo_snprintf(err, errsize, "%s: cannot set its priority (error %ld)", mod->name, r);
			break;
		}
		if (exo_process_status(out->process, &status) == 0)
			exo_snprintf(err, errsize, "%s: init failed with status %ld", mod->name, status);
		else if ((uint64_t)exo_clock_ns() > deadline)
			exo_snprintf(err, errsize, "%s: init did not finish in %lu ms", mod->name,
			             (unsigned long)(EXO_MODULE_INIT_NS / 1000000));
		else
			continue;
		break;
	}
	exo_notify_timer(s->ready, 1, 0, 0);
	exo_process_kill(out->process, -1);
	exo_cap_delete(out->thread);
	exo_cap_delete(out->process);
	out->process = out->thread = 0;
	return -EXO_EINVAL;
}

long exo_module_slot_init(struct exo_module_slot *s, uint64_t self, uint64_t quota, uint64_t scratch,
                          const struct exo_image *lib, uint64_t prio)
{
	long r;

	*s = (struct exo_module_slot){
		.self = self, .quota = quota, .scratch = scratch, .prio = prio, .lib = lib, .generation = 1
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
	return start_version(s, mod, NULL, 0, NULL, &s->cur, err, errsize);
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

// Asks the running version to quiesce, lending it a state area. 0: it replied with its state
// (*nstate words in out, and the area) and waits for the verdict; otherwise it goes on serving
// (or is gone) and the area is freed.
static long quiesce(struct exo_module_slot *s, struct exo_module_quiesce_out *out, unsigned *nstate,
                    struct area *a, char *err, size_t errsize)
{
	struct exo_module_quiesce_in in;
	long r = area_lend(s, a);

	if (r) {
		exo_snprintf(err, errsize, "no memory for the state area (error %ld)", r);
		return r;
	}
	in.area = a->npages * EXO_PAGE_SIZE;
	// A bounded wait with a buffer: a version that is dead or stuck must not hang the manager.
	r = exo_module_call_quiesce(s->quiesce_cap, s->buf, &in, out, nstate,
	                            s->buf ? (uint64_t)exo_clock_ns() + EXO_MODULE_QUIESCE_NS : 0);
	if (r) { // it refused, is gone, or served the quiesce as a request of its own: it goes on
		exo_snprintf(err, errsize,
		             "the running version did not quiesce (error %ld): it refused or does not "
		             "support hot-swap",
		             r);
		area_unmap(s->cur.process, a);
		area_free(a);
	}
	return r;
}

// Rollback: tells the quiesced old version, which waits on control, to go on serving. Never
// blocking: it may have died after quiescing (then nobody receives, and the supervisor restarts
// it), so the send is retried without waiting while it lives, up to the quiesce deadline.
static void resume_old(struct exo_module_slot *s)
{
	struct exo_msg resume = { EXO_TAG(EXO_MODULE_RESUME, 0, 0) | EXO_IPC_NONBLOCK, 0, { 0 } };
	uint64_t deadline = (uint64_t)exo_clock_ns() + EXO_MODULE_QUIESCE_NS;
	long status;

	while (exo_send(s->control, &resume) == -EXO_EAGAIN && exo_process_status(s->cur.process, &status) &&
	       (uint64_t)exo_clock_ns() < deadline)
		exo_thread_sleep((uint64_t)exo_clock_ns() + 1000000);
}

long exo_module_replace(struct exo_module_slot *s, const struct exo_image *mod, char *err, size_t errsize)
{
	struct exo_module_quiesce_out state;
	unsigned nstate;
	struct exo_loaded_module next;
	struct area a = { .npages = 0 };
	long r = quiesce(s, &state, &nstate, &a, err, errsize);

	if (r)
		return r;
	if (a.npages && (r = area_read_size(s, &a)))
		exo_snprintf(err, errsize,
		             "the running version's state area is bad (%lu bytes, room for %lu)",
		             (unsigned long)a.size, (unsigned long)EXO_MODULE_AREA_ROOM);
	else
		r = start_version(s, mod, state.state, nstate, &a, &next, err, errsize);
	area_unmap(s->cur.process, &a); // the old version's view; the new one's went with its init
	if (r) {                        // rollback: the old version goes on serving
		area_free(&a);
		resume_old(s);
		return r;
	}
	area_unmap(next.process, &a); // its init has read it
	area_free(&a);
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
	if (!s->buf)
		return -EXO_EINVAL;
	return exo_module_call_ping(s->quiesce_cap, s->buf, (uint64_t)exo_clock_ns() + timeout_ns);
}
