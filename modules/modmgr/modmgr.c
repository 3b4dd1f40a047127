// SPDX-License-Identifier: MIT
// The module manager (protocol in <exo/modmgr.h>): loads modules from the boot images it was given
// into service slots whose endpoints it owns, hot-swaps them, and supervises them. One thread does
// everything, one request at a time: it waits for a request at most EXO_MODMGR_POLL_NS (or until
// the next restart is due), answers it, then looks at every module's process. A module that ended
// is reaped and started again in its slot after a backoff that doubles with each crash in a row;
// the endpoint stays, so callers queued meanwhile are served by the next instance. Each module
// has a quota of its own, split from the manager's, which makes its memory exact and its end
// complete: when a module is unloaded its quota, its slot and every copy of its endpoint go.
// Given a name server, it publishes each module's service names there with a copy of the endpoint
// badged with the module's generation (publish.c); a crash revokes those copies, the restart
// bumps the generation and publishes new ones, and a hot-swap keeps them.
#include <exo/names.h>
#include <proto/modmgr_server.h>

#include "modmgr.h"

#define IMAGES    0x200000000ull // the boot images it may load, read-only, one after the other
#define SCRATCH   0x300000000ull // the loader's scratch range (one, as there is one thread)
#define MS        1000000ull
#define MIN(a, b) ((a) < (b) ? (a) : (b))

struct module {
	uint64_t id; // 0: a free entry
	const struct exo_image *img;
	uint64_t quota;              // the module's own, split from cfg.quota
	struct exo_module_slot slot; // slot.generation: the module's
	uint64_t clients; // the endpoint minted with the generation's badge, root of the name server's
	                  // copies; 0: none (no name server, or the instance died)
	uint64_t direct;  // the endpoint minted with EXO_MODULE_SLOT_BADGE, what LOAD and CONNECT give
	char name[EXO_MODMGR_FILE_SIZE]; // from the note of the image it runs
	uint32_t version, state, restarts, crashes;
	long status;         // of the last instance that ended
	uint64_t started;    // when the running instance started (ns)
	uint64_t pinged;     // when it was last sent a heartbeat
	uint64_t restart_at; // RESTARTING: when to start the next one
};

#define MAX_KEPT 8 // files received through the exoctl channel (ctl.c)

struct exo_modmgr_start cfg;
static struct exo_image images[EXO_MAX_BOOT_MODULES + MAX_KEPT];
static char kept_names[MAX_KEPT][32];
static unsigned nkept;
static struct module table[EXO_MODMGR_MAX_MODULES];
static struct exo_modelf probe; // what check_image read
static uint64_t next_id = 1;
static uint8_t ipc_page[4096] __attribute__((aligned(4096)));
#define BUF ((struct exo_ipc_buffer *)ipc_page)

static uint64_t now(void)
{
	return (uint64_t)exo_clock_ns();
}

// ---- images ----

static int map_images(void)
{
	uint64_t va = IMAGES;

	for (uint32_t i = 0; i < cfg.nmods; i++) {
		struct exo_boot_module *m = &cfg.mods[i];

		for (uint64_t p = 0; p < m->npages; p++) {
			struct exo_map_op op = { m->frames + p, va + p * 4096, EXO_R_READ };

			if (exo_vspace_map(cfg.self, &op, 1) != 1)
				return -1;
		}
		m->name[sizeof(m->name) - 1] = 0;
		images[i] = (struct exo_image){ (const void *)va, m->size, m->name };
		va += (m->npages + 1) * 4096;
	}
	return 0;
}

static const struct exo_image *find_image(const char *file)
{
	for (uint32_t i = 0; i < cfg.nmods; i++)
		if (!strcmp(images[i].name, file))
			return &images[i];
	return NULL;
}

// Validates img as a module and applies the policy to the capabilities its note requests; why
// (EXO_PROTO_REASON_SIZE bytes) says what is wrong, also on the console.
static long check_image(const struct exo_image *img, char *why)
{
	long r = 0;

	if (exo_modelf_parse(img->data, img->size, img->name, &probe, why, EXO_PROTO_REASON_SIZE)) {
		r = -EXO_EINVAL;
	} else if (probe.info.caps_requested & ~cfg.policy) {
		exo_snprintf(why, EXO_PROTO_REASON_SIZE, "%s: requests caps %#lx outside the policy %#lx",
		             img->name, (unsigned long)probe.info.caps_requested, (unsigned long)cfg.policy);
		r = -EXO_EPERM;
	}
	if (r)
		exo_printf("modmgr: %s: refused\n", why);
	return r;
}

// ---- modules ----

static struct module *find(uint64_t id)
{
	for (int i = 0; id && i < EXO_MODMGR_MAX_MODULES; i++)
		if (table[i].id == id)
			return &table[i];
	return NULL;
}

static struct module *free_entry(void)
{
	for (int i = 0; i < EXO_MODMGR_MAX_MODULES; i++)
		if (!table[i].id)
			return &table[i];
	return NULL;
}

static void took_image(struct module *md, const struct exo_image *img)
{
	md->img = img;
	memcpy(md->name, md->slot.cur.elf.info.name, sizeof(md->name));
	md->name[sizeof(md->name) - 1] = 0;
	md->version = md->slot.cur.elf.info.version;
	md->state = EXO_MODMGR_RUNNING;
	md->crashes = 0;
	md->started = now();
}

// Publishes md's service names with an endpoint copy badged with its generation (minted once per
// generation).
static void publish(struct module *md)
{
	long r;

	if (!cfg.names)
		return;
	if (!md->clients) {
		r = exo_cap_mint(md->slot.service, EXO_R_WRITE | EXO_R_GRANT,
		                 EXO_MODULE_GEN_BADGE(md->slot.generation));
		if (r < 0) {
			exo_printf("modmgr: %s (id %lu): cannot mint its clients' endpoint: error %ld\n",
			           md->img->name, (unsigned long)md->id, r);
			return;
		}
		md->clients = (uint64_t)r;
	}
	modmgr_publish(md->id, md->img->name, md->clients, &md->slot.cur.elf.info);
}

// The instance behind md's generation is gone: every copy of its badged endpoint goes (callers
// get -EXO_EBADCAP; requests already queued are answered EXO_EDEAD by the next instance), and the
// name server's entries with them, so lookups say EXO_EDEAD until the restart publishes again.
static void revoke_clients(struct module *md)
{
	if (!md->clients)
		return;
	exo_cap_revoke(md->clients);
	exo_cap_delete(md->clients);
	md->clients = 0;
}

// Frees everything of md: its names, its running instance (if any), its slot, every copy of its
// endpoint (revoked first, so that nobody keeps the endpoint alive), its quota.
static void release(struct module *md)
{
	modmgr_unpublish(md->id);
	revoke_clients(md);
	exo_cap_revoke(md->slot.service); // every client's copy: callers learn it is gone
	exo_module_slot_destroy(&md->slot);
	exo_cap_delete(md->quota);
	*md = (struct module){ 0 };
}

static uint64_t frames_of(const struct module *md)
{
	struct exo_cap_info info;

	return exo_cap_info(md->quota, &info) ? 0 : info.b;
}

// Loads img into a new slot: 0 and *out, or -EXO_E* and the reason in why.
static long load(const struct exo_image *img, struct module **out, char *why)
{
	struct module *md = free_entry();
	long r = check_image(img, why);

	if (r)
		return r;
	if (!md) {
		exo_snprintf(why, EXO_PROTO_REASON_SIZE, "the manager's table is full (%d modules)",
		             EXO_MODMGR_MAX_MODULES);
		return -EXO_ENOSPC;
	}
	r = exo_quota_split(cfg.quota, cfg.module_frames);
	if (r < 0)
		return r;
	md->quota = (uint64_t)r;
	r = exo_module_slot_init(&md->slot, cfg.self, md->quota, SCRATCH, &images[cfg.lib], cfg.prio);
	md->slot.buf = BUF; // quiesce requests get a deadline
	if (!r && (r = exo_module_slot_start(&md->slot, img, why, EXO_PROTO_REASON_SIZE)))
		exo_printf("modmgr: %s\n", why);
	if (r) {
		release(md);
		return r;
	}
	r = exo_cap_mint(md->slot.service, EXO_R_WRITE | EXO_R_GRANT, EXO_MODULE_SLOT_BADGE);
	if (r < 0) {
		release(md);
		return r;
	}
	md->direct = (uint64_t)r;
	md->id = next_id++;
	took_image(md, img);
	publish(md);
	exo_printf("modmgr: loaded %s as id %lu: %s version %u, %lu frames\n", img->name,
	           (unsigned long)md->id, md->name, md->version, (unsigned long)frames_of(md));
	*out = md;
	return 0;
}

static void unload(struct module *md)
{
	exo_printf("modmgr: unloading %s (id %lu)\n", md->img->name, (unsigned long)md->id);
	release(md); // ends the running instance, if any
}

static int is_running(struct module *md)
{
	long status;

	return md->state == EXO_MODMGR_RUNNING &&
	       exo_process_status(md->slot.cur.process, &status) == -EXO_EAGAIN;
}

// Hot-swaps md to img: 0, or -EXO_E* and the reason in why.
static long replace(struct module *md, const struct exo_image *img, char *why)
{
	const struct exo_image *old = md->img;
	long r = check_image(img, why);

	if (r)
		return r;
	if (!is_running(md)) { // its quiesce would wait for an instance that is not there
		exo_snprintf(why, EXO_PROTO_REASON_SIZE, "module %lu is not running", (unsigned long)md->id);
		return -EXO_EBUSY;
	}
	r = exo_module_replace(&md->slot, img, why, EXO_PROTO_REASON_SIZE);
	if (r) {
		exo_printf("modmgr: %s (id %lu) not replaced by %s, rolled back: %s\n", old->name,
		           (unsigned long)md->id, img->name, why);
		return r;
	}
	took_image(md, img);
	publish(md); // the same badge: its clients go on; names the new note adds or drops
	exo_printf("modmgr: %s (id %lu) replaced by %s: %s version %u\n", old->name, (unsigned long)md->id,
	           img->name, md->name, md->version);
	return 0;
}

// ---- supervision ----

static const char *why(long status)
{
	static const char *const faults[32] = {
		[0] = "divide error",     [3] = "breakpoint",
		[6] = "invalid opcode",   [13] = "general protection fault",
		[14] = "page fault",      [16] = "x87 exception",
		[17] = "alignment check", [19] = "SIMD exception",
	};

	if (status >= EXO_STATUS_FAULT(0) && status < EXO_STATUS_FAULT(32))
		return faults[status - EXO_STATUS_FAULT(0)] ? faults[status - EXO_STATUS_FAULT(0)] : "fault";
	return "exited";
}

// An instance ended (or could not start): count the crash, then back off or give up.
static void ended(struct module *md, uint64_t t)
{
	uint64_t delay;

	if (t - md->started >= cfg.stable_ms * MS)
		md->crashes = 0;
	md->crashes++;
	if (md->crashes >= cfg.max_crashes) {
		md->state = EXO_MODMGR_FAILED;
		exo_printf("modmgr: %s gave up after %u crashes (status %ld: %s); %s (id %lu) is failed\n",
		           md->name, md->crashes, md->status, why(md->status), md->img->name,
		           (unsigned long)md->id);
		return;
	}
	delay = MS << MIN(md->crashes - 1, 20u); // 1, 2, 4 ... ms
	md->state = EXO_MODMGR_RESTARTING;
	md->restart_at = t + delay;
	exo_printf("modmgr: %s (id %lu) ended with status %ld (%s); restart in %lu ms\n", md->img->name,
	           (unsigned long)md->id, md->status, why(md->status), (unsigned long)(delay / MS));
}

static void reap(struct module *md, long status)
{
	exo_cap_delete(md->slot.cur.thread);
	exo_cap_delete(md->slot.cur.process);
	md->slot.cur.process = md->slot.cur.thread = 0;
	md->status = status;
	revoke_clients(md);
	ended(md, now());
}

static void restart(struct module *md)
{
	char err[160];

	md->slot.generation++; // its state is lost: clients of the last instance must look it up again
	if (exo_module_slot_start(&md->slot, md->img, err, sizeof(err))) {
		md->slot.generation--;
		md->slot.cur.process = md->slot.cur.thread = 0;
		exo_printf("modmgr: %s (id %lu) cannot restart: %s\n", md->img->name, (unsigned long)md->id,
		           err);
		md->started = now(); // it did not run at all: a crash in a row
		ended(md, md->started);
		return;
	}
	md->state = EXO_MODMGR_RUNNING;
	md->started = now();
	md->restarts++;
	publish(md);
}

static void drop_caps(const struct exo_msg *m)
{
	for (unsigned i = 0; i < EXO_TAG_CAPS(m->tag); i++)
		exo_cap_delete(BUF->caps[i].handle);
}

// A failed module's endpoint: the manager answers for it, so that nobody waits forever.
static void drain(struct module *md)
{
	struct exo_msg m = { EXO_IPC_NONBLOCK, 0, { 0 } };

	while (exo_recv(md->slot.service, &m) == 0) {
		drop_caps(&m);
		m = (struct exo_msg){ EXO_TAG(EXO_EDEAD, 0, 0), 0, { 0 } };
		exo_reply(&m); // -EXO_ENOENT after a send: fine
		m.tag = EXO_IPC_NONBLOCK;
	}
}

// A running module that does not answer a ping within heartbeat_ms is hung: it is killed, and
// the next look reaps and restarts it like a crash. (The manager waits for the answer: a hung
// module delays other requests by up to heartbeat_ms.)
static void heartbeat(struct module *md, uint64_t t)
{
	uint64_t hb = cfg.heartbeat_ms * MS;

	if (t - md->pinged < hb || t - md->started < hb)
		return;
	md->pinged = t;
	if (exo_module_ping(&md->slot, hb) == -EXO_ETIMEDOUT) {
		exo_printf("modmgr: %s (id %lu) hung: no answer to a heartbeat in %u ms; restarting it\n",
		           md->img->name, (unsigned long)md->id, cfg.heartbeat_ms);
		exo_process_kill(md->slot.cur.process, EXO_MODMGR_STATUS_HUNG);
	}
}

static void supervise(void)
{
	for (int i = 0; i < EXO_MODMGR_MAX_MODULES; i++) {
		struct module *md = &table[i];
		uint64_t t = now();
		long status;

		if (!md->id)
			continue;
		if (md->state == EXO_MODMGR_RUNNING && exo_process_status(md->slot.cur.process, &status) == 0)
			reap(md, status);
		else if (md->state == EXO_MODMGR_RUNNING && t - md->started >= cfg.stable_ms * MS)
			md->crashes = 0;
		if (md->state == EXO_MODMGR_RUNNING)
			heartbeat(md, t);
		if (md->state == EXO_MODMGR_RESTARTING && t >= md->restart_at)
			restart(md);
		if (md->state == EXO_MODMGR_FAILED)
			drain(md);
	}
}

// When to stop waiting for a request: the next poll, or the next restart if sooner.
static uint64_t next_wakeup(void)
{
	uint64_t t = now() + EXO_MODMGR_POLL_NS;

	for (int i = 0; i < EXO_MODMGR_MAX_MODULES; i++)
		if (table[i].id && table[i].state == EXO_MODMGR_RESTARTING && table[i].restart_at < t)
			t = table[i].restart_at;
	return t;
}

// ---- requests ----

// The module the LOAD being answered loaded: undone if its reply cannot be delivered.
static struct module *just_loaded;

long modmgr_on_load(const struct exo_modmgr_load_in *in, struct exo_modmgr_load_out *out,
                    struct exo_modmgr_load_out_caps *caps, char why[EXO_PROTO_REASON_SIZE])
{
	const struct exo_image *img = find_image(in->file);
	struct module *md;
	long r;

	if (!img) {
		exo_snprintf(why, EXO_PROTO_REASON_SIZE, "%s: no such file among the manager's images",
		             in->file);
		return -EXO_ENOENT;
	}
	r = load(img, &md, why);
	if (r)
		return r;
	just_loaded = md;
	out->id = md->id;
	caps->ep = (struct exo_cap_xfer){ md->direct, EXO_R_WRITE, 0 };
	return 0;
}

long modmgr_on_connect(const struct exo_modmgr_connect_in *in, struct exo_modmgr_connect_out_caps *caps)
{
	struct module *md = find(in->id);

	if (!md)
		return -EXO_ENOENT;
	caps->ep = (struct exo_cap_xfer){ md->direct, EXO_R_WRITE, 0 };
	return 0;
}

long modmgr_on_unload(const struct exo_modmgr_unload_in *in)
{
	struct module *md = find(in->id);

	if (!md)
		return -EXO_ENOENT;
	unload(md);
	return 0;
}

long modmgr_on_replace(const struct exo_modmgr_replace_in *in, char why[EXO_PROTO_REASON_SIZE])
{
	struct module *md = find(in->id);
	const struct exo_image *img = find_image(in->file);

	if (!md || !img)
		return -EXO_ENOENT;
	return replace(md, img, why);
}

// The used entry with the smallest id above after (LIST goes in id order), or NULL.
static struct module *next_by_id(uint64_t after)
{
	struct module *best = NULL;

	for (int i = 0; i < EXO_MODMGR_MAX_MODULES; i++)
		if (table[i].id > after && (!best || table[i].id < best->id))
			best = &table[i];
	return best;
}

static void describe(const struct module *md, struct exo_modmgr_info *info)
{
	*info = (struct exo_modmgr_info){ .id = md->id,
		                          .version = md->version,
		                          .state = md->state,
		                          .restarts = md->restarts,
		                          .generation = md->slot.generation,
		                          .crashes = md->crashes,
		                          .status = (int32_t)md->status,
		                          .frames = frames_of(md) };
	memcpy(info->file, md->img->name, MIN(strlen(md->img->name), sizeof(info->file) - 1));
	memcpy(info->name, md->name, sizeof(info->name));
}

long modmgr_on_list(const struct exo_modmgr_list_in *in, struct exo_modmgr_list_out *out)
{
	uint64_t pos = 0;

	for (struct module *md = next_by_id(0); md; md = next_by_id(md->id), pos++) {
		out->total++;
		if (pos >= in->first && out->n < EXO_MODMGR_LIST_PAGE)
			describe(md, &out->entries[out->n++]);
	}
	return 0;
}

// Answers the request in m (the generated dispatch checks it and calls the handlers above).
static void answer(struct exo_msg *m)
{
	long r;

	just_loaded = NULL;
	modmgr_dispatch(m, BUF);
	r = exo_reply(m);
	if (r && EXO_TAG_LABEL(m->tag)) { // the caller cannot take the reason text: the code alone
		*m = (struct exo_msg){ EXO_TAG(EXO_TAG_LABEL(m->tag), 0, 0), 0, { 0 } };
		exo_reply(m);
	} else if (r && EXO_TAG_CAPS(m->tag)) { // the endpoint could not be delivered (no IPC buffer,
		if (just_loaded)                // full table); nobody knows the module: undo the load
			unload(just_loaded);
		*m = (struct exo_msg){ EXO_TAG(-r, 0, 0), 0, { 0 } };
		exo_reply(m);
	}
}

// ---- the exoctl channel's view (modmgr.h) ----

const struct exo_image *modmgr_keep_image(const void *data, uint64_t size, const char *name)
{
	struct exo_image *img = &images[cfg.nmods + nkept];

	if (nkept == MAX_KEPT)
		return NULL;
	memcpy(kept_names[nkept], name, strlen(name) + 1);
	*img = (struct exo_image){ data, size, kept_names[nkept++] };
	return img;
}

long modmgr_load_image(const struct exo_image *img, uint64_t *id, char *why)
{
	struct module *md;
	long r = load(img, &md, why);

	if (r)
		nkept--; // not kept after all: the channel reuses the memory
	else
		*id = md->id;
	return r;
}

long modmgr_replace_image(uint64_t id, const struct exo_image *img, char *why)
{
	struct module *md = find(id);
	long r = md ? replace(md, img, why) : -EXO_ENOENT;

	if (r)
		nkept--;
	return r;
}

__attribute__((noreturn)) static void serve(uint64_t ep)
{
	for (;;) {
		struct exo_msg m = { EXO_IPC_TIMEOUT, 0, { 0 } };

		// While a file arrives through the channel, look at the UART every 100 us.
		BUF->deadline = ctl_busy() ? now() + 100000 : next_wakeup();
		if (exo_recv(ep, &m) == 0)
			answer(&m);
		ctl_poll();
		supervise();
	}
}

// ---- start-up ----

static int configure(const struct exo_modmgr_start *st)
{
	cfg = *st; // the start page is the parent's too: keep our own copy
	if (cfg.nmods > EXO_MAX_BOOT_MODULES || cfg.lib >= cfg.nmods)
		return -1;
	if (!cfg.stable_ms)
		cfg.stable_ms = EXO_MODMGR_STABLE_MS;
	if (!cfg.heartbeat_ms)
		cfg.heartbeat_ms = EXO_MODMGR_HEARTBEAT_MS;
	if (!cfg.max_crashes)
		cfg.max_crashes = EXO_MODMGR_MAX_CRASHES;
	if (!cfg.module_frames)
		cfg.module_frames = EXO_MODMGR_MODULE_QUOTA;
	cfg.boot[sizeof(cfg.boot) - 1] = 0;
	return map_images();
}

// Loads one module of the boot configuration: 0, or -EXO_E* (the reason is on the console).
static long load_boot_module(const char *file)
{
	const struct exo_image *img = find_image(file);
	struct module *md;
	char why[EXO_PROTO_REASON_SIZE];

	if (!img) {
		exo_printf("modmgr: boot module %s: no such image\n", file);
		return -EXO_ENOENT;
	}
	return load(img, &md, why);
}

// Loads the boot configuration: file names separated by spaces. Returns how many loaded; *refused
// counts the others.
static uint64_t load_boot(uint64_t *refused)
{
	uint64_t loaded = 0;
	char *s = cfg.boot;

	while (*s) {
		char *end = s;

		while (*end && *end != ' ')
			end++;
		if (*end)
			*end++ = 0;
		if (*s && load_boot_module(s))
			++*refused;
		else if (*s)
			loaded++;
		s = end;
	}
	return loaded;
}

int main(uint64_t arg)
{
	struct exo_msg hello = { EXO_TAG(EXO_MODMGR_HELLO, 2, 1), 0, { 0 } };
	long ep, r = exo_ipc_set_buffer(ipc_page);

	if (r)
		return 1;
	exo_names_use_buffer(BUF);
	if (configure((const struct exo_modmgr_start *)arg)) {
		exo_printf("modmgr: bad start page\n");
		return 2;
	}
	ctl_init();
	ep = exo_endpoint_create();
	if (ep < 0)
		return 3;
	hello.w[0] = load_boot(&hello.w[1]);
	BUF->caps[0] = (struct exo_cap_xfer){ (uint64_t)ep, EXO_R_WRITE | EXO_R_GRANT, 0 };
	r = exo_send(cfg.parent, &hello);
	if (r) {
		exo_printf("modmgr: cannot reach the parent: %ld\n", r);
		return 4;
	}
	exo_cap_delete(cfg.parent);
	exo_printf("modmgr: serving, %lu modules loaded at start, %lu refused\n", (unsigned long)hello.w[0],
	           (unsigned long)hello.w[1]);
	serve((uint64_t)ep);
}
