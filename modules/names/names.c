// SPDX-License-Identifier: MIT
// The name server: a table from names to endpoint capabilities, served on one endpoint (the
// protocol is modules/names/names.idl, see docs/protocols/names.md). Each entry remembers its
// registrant by the badge of the capability it registered through; only that badge may replace or
// remove the entry, so a restarted service, given the same badge by its supervisor, takes its name
// back, and nobody else can take the name while the service is down. Lookups copy the stored
// capability with the registered rights into the caller's table (capability transfer in the reply).
//
// One thread, one request at a time; every request gets a reply. The generated dispatch
// (<proto/names_server.h>) checks each request against the definition and deletes every
// capability a request brings that a handler does not keep (a registration).
#include <exo/libexo.h>
#include <exo/names.h>
#include <proto/names_server.h>

#define MAX_ENTRIES 64

struct entry {
	char name[EXO_NAMES_WORDS * 8]; // all zero: a free entry
	uint64_t ep;                    // our capability (the registrant's rights | GRANT)
	uint64_t rights;                // what clients get
	uint64_t owner;                 // the registrant's badge (never 0)
};

static struct entry table[MAX_ENTRIES];
static uint8_t ipc_page[4096] __attribute__((aligned(4096)));
#define BUF ((struct exo_ipc_buffer *)ipc_page)

static struct entry *find(const char *name)
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

// The dispatch checked that the endpoint carries EXO_R_GRANT; clients' rights must be there too.
long names_on_register(uint64_t badge, const struct exo_names_register_in *in,
                       struct exo_names_register_in_caps *caps)
{
	long r = exo_proto_cap_ok(caps->ep.handle, EXO_OBJ_ENDPOINT, in->rights | EXO_R_GRANT);
	struct entry *e;

	if (r)
		return r;
	e = find(in->name);
	if (e && e->owner != badge)
		return -EXO_EEXIST;
	if (e) // the same registrant again (a restart): the new endpoint replaces the old one
		exo_cap_delete(e->ep);
	else if (!(e = find_free()))
		return -EXO_ENOSPC;
	memcpy(e->name, in->name, sizeof(e->name));
	e->ep = caps->ep.handle;
	e->rights = in->rights;
	e->owner = badge;
	caps->ep.handle = 0; // the entry owns it
	return 0;
}

long names_on_lookup(const struct exo_names_lookup_in *in, struct exo_names_lookup_out *out,
                     struct exo_names_lookup_out_caps *caps)
{
	struct exo_cap_info info;
	struct entry *e = find(in->name);

	if (!e)
		return -EXO_ENOENT;
	if (exo_cap_info(e->ep, &info)) // the endpoint died with its service
		return -EXO_EDEAD;
	caps->ep = (struct exo_cap_xfer){ e->ep, e->rights, 0 };
	out->rights = e->rights;
	return 0;
}

long names_on_unregister(uint64_t badge, const struct exo_names_unregister_in *in)
{
	struct entry *e = find(in->name);

	if (!e)
		return -EXO_ENOENT;
	if (e->owner != badge)
		return -EXO_EPERM;
	exo_cap_delete(e->ep);
	memset(e, 0, sizeof(*e));
	return 0;
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
		names_dispatch(&m, BUF);
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
