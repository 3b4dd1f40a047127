// SPDX-License-Identifier: MIT
// The name server: a table from names to endpoint capabilities, served on one endpoint (the
// protocol is in <exo/names.h>). Each entry remembers its registrant by the badge of the
// capability it registered through; only that badge may replace or remove the entry, so a
// restarted service, given the same badge by its supervisor, takes its name back, and nobody
// else can take the name while the service is down. Lookups copy the stored capability with
// the registered rights into the caller's table (capability transfer in the reply).
//
// One thread, one request at a time; every request gets a reply, and every capability a request
// brings is either kept (a registration) or deleted at once.
#include <exo/libexo.h>
#include <exo/names.h>

#define MAX_ENTRIES 64

struct entry {
	uint64_t name[EXO_NAMES_WORDS]; // all zero: a free entry
	uint64_t ep;                    // our capability (the registrant's rights | GRANT)
	uint64_t rights;                // what clients get
	uint64_t owner;                 // the registrant's badge (never 0)
};

static struct entry table[MAX_ENTRIES];
static uint8_t ipc_page[4096] __attribute__((aligned(4096)));
#define BUF ((struct exo_ipc_buffer *)ipc_page)

static struct entry *find(const uint64_t name[EXO_NAMES_WORDS])
{
	for (int i = 0; i < MAX_ENTRIES; i++)
		if (table[i].name[0] && !memcmp(table[i].name, name, sizeof(table[i].name)))
			return &table[i];
	return NULL;
}

static struct entry *find_free(void)
{
	for (int i = 0; i < MAX_ENTRIES; i++)
		if (!table[i].name[0])
			return &table[i];
	return NULL;
}

// Checks that cap is an endpoint carrying at least rights | GRANT.
static long check_endpoint(uint64_t cap, uint64_t rights)
{
	struct exo_cap_info info;
	long r = exo_cap_info(cap, &info);
	uint64_t need = rights | EXO_R_GRANT;

	if (r)
		return r;
	if (info.type != EXO_OBJ_ENDPOINT)
		return -EXO_ETYPE;
	return (info.rights & need) == need ? 0 : -EXO_EPERM;
}

// REGISTER: on success the entry owns *cap (set to 0 so that the caller does not delete it).
static long do_register(const struct exo_msg *m, uint64_t *cap)
{
	uint64_t rights = BUF->w[EXO_NAMES_WORDS];
	struct entry *e;
	long r;

	if (m->badge == 0)
		return -EXO_EPERM;
	if (EXO_TAG_WORDS(m->tag) != EXO_NAMES_WORDS + 1 || EXO_TAG_CAPS(m->tag) != 1 ||
	    !exo_names_valid(m->w) || (rights & ~(uint64_t)EXO_R_ALL))
		return -EXO_EINVAL;
	r = check_endpoint(*cap, rights);
	if (r)
		return r;
	e = find(m->w);
	if (e && e->owner != m->badge)
		return -EXO_EEXIST;
	if (e) // the same registrant again (a restart): the new endpoint replaces the old one
		exo_cap_delete(e->ep);
	else if (!(e = find_free()))
		return -EXO_ENOSPC;
	memcpy(e->name, m->w, sizeof(e->name));
	e->ep = *cap;
	e->rights = rights;
	e->owner = m->badge;
	*cap = 0;
	return 0;
}

// LOOKUP: the reply carries a copy of the entry's capability.
static long do_lookup(struct exo_msg *m)
{
	struct exo_cap_info info;
	struct entry *e;

	if (EXO_TAG_WORDS(m->tag) != EXO_NAMES_WORDS || !exo_names_valid(m->w))
		return -EXO_EINVAL;
	e = find(m->w);
	if (!e)
		return -EXO_ENOENT;
	if (exo_cap_info(e->ep, &info)) // the endpoint died with its service
		return -EXO_EDEAD;
	BUF->caps[0] = (struct exo_cap_xfer){ e->ep, e->rights, 0 };
	m->tag = EXO_TAG(0, 1, 1);
	m->w[0] = e->rights;
	return 0;
}

static long do_unregister(const struct exo_msg *m)
{
	struct entry *e;

	if (m->badge == 0)
		return -EXO_EPERM;
	if (EXO_TAG_WORDS(m->tag) != EXO_NAMES_WORDS || !exo_names_valid(m->w))
		return -EXO_EINVAL;
	e = find(m->w);
	if (!e)
		return -EXO_ENOENT;
	if (e->owner != m->badge)
		return -EXO_EPERM;
	exo_cap_delete(e->ep);
	memset(e, 0, sizeof(*e));
	return 0;
}

// Turns the request in m into its reply.
static void handle(struct exo_msg *m)
{
	uint64_t caps[EXO_MSG_MAX_CAPS] = { 0 };
	unsigned ncaps = EXO_TAG_CAPS(m->tag);
	uint64_t op = EXO_TAG_LABEL(m->tag);
	long r;

	for (unsigned i = 0; i < ncaps; i++)
		caps[i] = BUF->caps[i].handle;
	switch (op) {
	case EXO_NAMES_REGISTER:
		r = do_register(m, &caps[0]);
		break;
	case EXO_NAMES_LOOKUP:
		r = do_lookup(m);
		break;
	case EXO_NAMES_UNREGISTER:
		r = do_unregister(m);
		break;
	default:
		r = -EXO_ENOSYS;
	}
	for (unsigned i = 0; i < ncaps; i++)
		if (caps[i])
			exo_cap_delete(caps[i]);
	if (r || op != EXO_NAMES_LOOKUP) // a successful lookup has set its reply
		m->tag = EXO_TAG(r < 0 ? -r : 0, 0, 0);
}

__attribute__((noreturn)) static void serve(uint64_t ep)
{
	struct exo_msg m = { 0 };
	long r = exo_recv(ep, &m);

	for (;;) {
		if (r) { // the reply could not be delivered (the caller cannot take a capability)
			m = (struct exo_msg){ EXO_TAG(-r, 0, 0), 0, { 0 } };
			exo_reply(&m); // -EXO_ENOENT if nobody waits: fine
			m.tag = 0;
			r = exo_recv(ep, &m);
			continue;
		}
		handle(&m);
		r = exo_reply_recv(ep, &m);
	}
}

int main(uint64_t arg)
{
	const struct exo_names_start *start = (const struct exo_names_start *)arg;
	struct exo_msg hello = { EXO_TAG(EXO_NAMES_HELLO, 0, 1), 0, { 0 } };
	long ep, r = exo_ipc_set_buffer(ipc_page);

	if (r)
		return 1;
	ep = exo_endpoint_create();
	if (ep < 0)
		return 2;
	BUF->caps[0] = (struct exo_cap_xfer){ (uint64_t)ep, EXO_R_WRITE | EXO_R_GRANT, 0 };
	r = exo_send(start->parent, &hello);
	if (r) {
		exo_printf("names: cannot reach the parent: %ld\n", r);
		return 3;
	}
	exo_cap_delete(start->parent);
	serve((uint64_t)ep);
}
