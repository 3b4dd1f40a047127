// SPDX-License-Identifier: MIT
// Client side of the module manager (protocol: modules/modmgr/modmgr.idl): each helper packs its
// arguments and calls the generated stub (<proto/modmgr.h>); words past the fourth and capabilities
// go through the caller's IPC buffer. Also how a manager is started: spawned from its boot module at the
// lowest priority, given a start page naming its quota and the images it may load (copies of their frames in
// its table), raised to its priority, and heard from once (the hello with its endpoint).
#include <exo/libexo.h>
#include <exo/modmgr.h>

static struct exo_ipc_buffer *buffer;
static char reason[EXO_PROTO_REASON_SIZE]; // of the last refused LOAD or REPLACE

void exo_modmgr_use_buffer(struct exo_ipc_buffer *buf)
{
	buffer = buf;
}

const char *exo_modmgr_state_name(uint32_t state)
{
	switch (state) {
	case EXO_MODMGR_RUNNING:
		return "running";
	case EXO_MODMGR_RESTARTING:
		return "restarting";
	case EXO_MODMGR_FAILED:
		return "failed";
	default:
		return "?";
	}
}

long exo_modmgr_load(uint64_t mgr, const char *file, uint64_t *id, uint64_t *ep)
{
	struct exo_modmgr_load_in in;
	struct exo_modmgr_load_out out;
	struct exo_modmgr_load_out_caps caps;
	long r = exo_proto_string_put(in.file, sizeof(in.file), file);

	reason[0] = 0;
	if (!r)
		r = exo_modmgr_call_load(mgr, buffer, &in, &out, &caps, reason, sizeof(reason));
	if (r)
		return r;
	*id = out.id;
	*ep = caps.ep.handle;
	return 0;
}

long exo_modmgr_connect(uint64_t mgr, uint64_t id, uint64_t *ep)
{
	struct exo_modmgr_connect_in in = { id };
	struct exo_modmgr_connect_out_caps caps;
	long r = exo_modmgr_call_connect(mgr, buffer, &in, &caps);

	if (!r)
		*ep = caps.ep.handle;
	return r;
}

long exo_modmgr_unload(uint64_t mgr, uint64_t id)
{
	struct exo_modmgr_unload_in in = { id };

	return exo_modmgr_call_unload(mgr, buffer, &in);
}

long exo_modmgr_replace(uint64_t mgr, uint64_t id, const char *file)
{
	struct exo_modmgr_replace_in in = { .id = id };
	long r = exo_proto_string_put(in.file, sizeof(in.file), file);

	reason[0] = 0;
	return r ? r : exo_modmgr_call_replace(mgr, buffer, &in, reason, sizeof(reason));
}

const char *exo_modmgr_reason(void)
{
	return reason;
}

long exo_modmgr_list(uint64_t mgr, struct exo_modmgr_info *out, unsigned max)
{
	struct exo_modmgr_list_out page;
	uint64_t total = 0, got = 0;

	do {
		struct exo_modmgr_list_in in = { got };
		long r = exo_modmgr_call_list(mgr, buffer, &in, &page);

		if (r)
			return r;
		total = page.total;
		for (uint64_t i = 0; i < page.n && got + i < max; i++)
			out[got + i] = page.entries[i];
		if (page.n == 0)
			break;
		got += page.n;
	} while (got < total && got < max);
	return (long)total;
}

// ---- starting a manager ----

static long map_page(uint64_t process, uint64_t frame, uint64_t va, uint64_t prot)
{
	struct exo_map_op op = { frame, va, prot };
	long r = exo_vspace_map(process, &op, 1);

	return r == 1 ? 0 : (r < 0 ? r : -EXO_ENOMEM);
}

static const char *base_name(const char *path)
{
	const char *b = path;

	for (const char *s = path; *s; s++)
		if (*s == '/')
			b = s + 1;
	return b;
}

// Copies boot module m's frames into the manager's table; they must get consecutive handles.
static long give_module(struct exo_modmgr_proc *p, const struct exo_boot_module *m,
                        struct exo_boot_module *to)
{
	size_t n = strlen(base_name(m->name));

	if (n >= EXO_MODMGR_FILE_SIZE)
		return -EXO_EINVAL;
	memcpy(to->name, base_name(m->name), n + 1);
	to->npages = m->npages;
	to->size = m->size;
	for (uint64_t i = 0; i < m->npages; i++) {
		long h = exo_cap_copy(m->frames + i, p->process, EXO_R_READ);

		if (h < 0)
			return h;
		if (i == 0)
			to->frames = (uint64_t)h;
		else if ((uint64_t)h != to->frames + i)
			return -EXO_EINVAL;
	}
	return 0;
}

static uint64_t prio_of(const struct exo_modmgr_config *c)
{
	return c->prio ? c->prio : 16;
}

static long fill_start(const struct exo_bootinfo *bi, const struct exo_modmgr_config *c,
                       struct exo_modmgr_proc *p, uint64_t boot_ep)
{
	struct exo_modmgr_start *st = (struct exo_modmgr_start *)p->page;
	long r = exo_cap_copy(p->process, p->process, EXO_R_CONTROL | EXO_R_READ);

	if (r < 0)
		return r;
	st->self = (uint64_t)r;
	if ((r = exo_cap_copy(boot_ep, p->process, EXO_R_WRITE)) < 0)
		return r;
	st->parent = (uint64_t)r;
	if ((r = exo_cap_copy(c->quota, p->process, EXO_R_READ | EXO_R_WRITE)) < 0)
		return r;
	st->quota = (uint64_t)r;
	if (c->control && (r = exo_cap_copy(c->control, p->process, EXO_R_READ | EXO_R_WRITE)) < 0)
		return r;
	st->control = c->control ? (uint64_t)r : 0;
	if (c->names && (r = exo_cap_copy(c->names, p->process, EXO_R_WRITE)) < 0)
		return r;
	st->names = c->names ? (uint64_t)r : 0;
	st->policy = c->policy;
	st->prio = prio_of(c);
	st->stable_ms = c->stable_ms;
	st->heartbeat_ms = c->heartbeat_ms;
	st->max_crashes = c->max_crashes;
	st->module_frames = c->module_frames;
	if (c->boot && strlen(c->boot) >= sizeof(st->boot))
		return -EXO_EINVAL;
	if (c->boot)
		memcpy(st->boot, c->boot, strlen(c->boot) + 1);
	for (unsigned i = 0; i < bi->nmodules && i < EXO_MAX_BOOT_MODULES; i++) {
		if (i != c->lib && !(c->modules & (1ull << i)))
			continue;
		if (i == c->lib)
			st->lib = st->nmods;
		if ((r = give_module(p, &bi->modules[i], &st->mods[st->nmods++])))
			return r;
	}
	return c->lib < bi->nmodules ? 0 : -EXO_EINVAL;
}

// Waits for the hello on boot_ep (the caller's buffer receives the endpoint).
static long hear_hello(const struct exo_modmgr_config *c, struct exo_modmgr_proc *p, uint64_t boot_ep)
{
	struct exo_msg m = { EXO_IPC_TIMEOUT, 0, { 0 } };
	long r;

	buffer->deadline = (uint64_t)exo_clock_ns() + (c->timeout_ns ? c->timeout_ns : 10000000000ull);
	r = exo_recv(boot_ep, &m);
	if (r)
		return r;
	if (EXO_TAG_LABEL(m.tag) != EXO_MODMGR_HELLO || EXO_TAG_CAPS(m.tag) != 1) {
		for (unsigned i = 0; i < EXO_TAG_CAPS(m.tag); i++)
			exo_cap_delete(buffer->caps[i].handle);
		return -EXO_EINVAL;
	}
	p->ep = buffer->caps[0].handle;
	p->loaded = m.w[0];
	p->refused = m.w[1];
	return 0;
}

// Undoes what a failed spawn left (also the end of exo_modmgr_stop).
static void release(struct exo_modmgr_proc *p)
{
	if (p->thread)
		exo_cap_delete(p->thread);
	if (p->process)
		exo_cap_delete(p->process);
	if (p->frame) {
		exo_vspace_unmap(p->self, &p->page, 1);
		exo_cap_delete(p->frame);
	}
	if (p->ep)
		exo_cap_delete(p->ep);
	*p = (struct exo_modmgr_proc){ 0 };
}

long exo_modmgr_spawn(const struct exo_bootinfo *bi, const struct exo_modmgr_config *c,
                      struct exo_modmgr_proc *out)
{
	struct exo_modmgr_proc p = { .self = bi->self, .page = c->page };
	long boot_ep, r;

	if (!buffer || c->program >= bi->nmodules)
		return -EXO_EINVAL;
	r = exo_frame_alloc(c->quota, 1, &p.frame);
	if (r < 0)
		return r;
	if ((r = map_page(p.self, p.frame, p.page, EXO_R_READ | EXO_R_WRITE))) {
		exo_cap_delete(p.frame);
		return r;
	}
	memset((void *)p.page, 0, 4096);
	boot_ep = exo_endpoint_create();
	if (boot_ep < 0) {
		release(&p);
		return boot_ep;
	}
	r = exo_spawn(bi->self, c->quota, &bi->modules[c->program], "modmgr", 1, EXO_MODMGR_START_ADDR,
	              &p.process, &p.thread);
	if (!r)
		r = map_page(p.process, p.frame, EXO_MODMGR_START_ADDR, EXO_R_READ);
	if (!r)
		r = fill_start(bi, c, &p, (uint64_t)boot_ep);
	if (!r) // it cannot have run before: it waited at the lowest priority
		r = exo_thread_set_prio(p.thread, prio_of(c));
	if (!r)
		r = hear_hello(c, &p, (uint64_t)boot_ep);
	exo_cap_delete((uint64_t)boot_ep);
	if (r) {
		if (p.process)
			exo_process_kill(p.process, -1);
		release(&p);
		return r;
	}
	*out = p;
	return 0;
}

long exo_modmgr_stop(struct exo_modmgr_proc *p)
{
	long status = -1;

	exo_process_kill(p->process, 9);
	while (exo_process_status(p->process, &status) == -EXO_EAGAIN)
		exo_thread_sleep((uint64_t)exo_clock_ns() + 1000000);
	release(p);
	return status;
}
