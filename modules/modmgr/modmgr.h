// SPDX-License-Identifier: MIT
// Inside the module manager: what the exoctl channel (ctl.c) uses of the manager (modmgr.c), and
// what the manager uses of its name server entries (publish.c).
#pragma once

#include <exo/modload.h>
#include <exo/modmgr.h>
#include <stdbool.h>

extern struct exo_modmgr_start cfg;

// Keeps a received image for the life of the manager (restarts need it); NULL if the table is full.
const struct exo_image *modmgr_keep_image(const void *data, uint64_t size, const char *name);
// LOAD / REPLACE as the IPC requests do them: 0 (and *id for a load), or -EXO_E* and the reason
// in why (EXO_PROTO_REASON_SIZE bytes).
long modmgr_load_image(const struct exo_image *img, uint64_t *id, char *why);
long modmgr_replace_image(uint64_t id, const struct exo_image *img, char *why);

// The name server (publish.c): registers the service names of module id's running version
// (info, its note) with ep, dropping those it no longer lists; without a name server, nothing.
void modmgr_publish(uint64_t id, const char *file, uint64_t ep, const struct exo_module_info *info);
// Removes module id's names from the name server.
void modmgr_unpublish(uint64_t id);

// The channel: set up from cfg.control (nothing if 0); poll between requests; busy while a
// module file is arriving (then the manager polls without waiting).
void ctl_init(void);
void ctl_poll(void);
bool ctl_busy(void);
