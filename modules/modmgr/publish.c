// SPDX-License-Identifier: MIT
// The manager's entries in the name server (when its starter gave it one, cfg.names): each
// module's service names, from its note, registered with the endpoint copy that carries the
// module's generation badge. A name belongs to the first module that publishes it; another module
// listing the same name is reachable by id only. All entries are the manager's (one registrant
// badge), so this table, not the name server, says which module owns which name.
#include <exo/names.h>

#include "modmgr.h"

#define MAX_NAMES (EXO_MODMGR_MAX_MODULES * EXO_MODULE_MAX_SERVICES)

static struct {
	uint64_t name[EXO_NAMES_WORDS];
	uint64_t id; // 0: a free entry
} owned[MAX_NAMES];

// The entry for name (packed), or -1.
static int owner_index(const uint64_t name[EXO_NAMES_WORDS])
{
	for (int i = 0; i < MAX_NAMES; i++)
		if (owned[i].id && !memcmp(owned[i].name, name, sizeof(owned[i].name)))
			return i;
	return -1;
}

// A free entry: there is one for each service of each module.
static int free_index(void)
{
	int i = 0;

	while (owned[i].id)
		i++;
	return i;
}

static int lists(const struct exo_module_info *info, const uint64_t name[EXO_NAMES_WORDS])
{
	for (unsigned i = 0; i < info->nservices; i++)
		if (!strcmp(info->services[i], (const char *)name))
			return 1;
	return 0;
}

static void drop(int i)
{
	long r = exo_names_unregister(cfg.names, (const char *)owned[i].name);

	if (r && r != -EXO_ENOENT)
		exo_printf("modmgr: cannot unpublish service %s: error %ld\n", (const char *)owned[i].name,
		           r);
	owned[i].id = 0;
}

// One service name of module id: registered (again) with ep, unless another module owns it.
static void publish_one(uint64_t id, const char *file, uint64_t ep, const char *service)
{
	uint64_t name[EXO_NAMES_WORDS];
	int i;
	long r;

	if (exo_names_pack(service, name))
		return; // the note's names are checked by the loader: cannot happen
	i = owner_index(name);
	if (i >= 0 && owned[i].id != id) {
		exo_printf("modmgr: %s (id %lu): service %s is published by id %lu already; reach it by id\n",
		           file, (unsigned long)id, service, (unsigned long)owned[i].id);
		return;
	}
	r = exo_names_register(cfg.names, service, ep, EXO_R_WRITE);
	if (r) {
		exo_printf("modmgr: %s (id %lu): cannot publish service %s: error %ld\n", file,
		           (unsigned long)id, service, r);
		if (i >= 0)
			owned[i].id = 0;
		return;
	}
	if (i < 0)
		i = free_index();
	memcpy(owned[i].name, name, sizeof(name));
	owned[i].id = id;
}

void modmgr_publish(uint64_t id, const char *file, uint64_t ep, const struct exo_module_info *info)
{
	if (!cfg.names)
		return;
	for (int i = 0; i < MAX_NAMES; i++) // names the running version no longer lists (a swap)
		if (owned[i].id == id && !lists(info, owned[i].name))
			drop(i);
	for (unsigned i = 0; i < info->nservices; i++)
		publish_one(id, file, ep, info->services[i]);
}

void modmgr_unpublish(uint64_t id)
{
	for (int i = 0; cfg.names && id && i < MAX_NAMES; i++)
		if (owned[i].id == id)
			drop(i);
}
