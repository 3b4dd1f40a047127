// SPDX-License-Identifier: MIT
// Inside the module manager: what the exoctl channel (ctl.c) uses of the manager (modmgr.c).
#pragma once

#include <exo/modload.h>
#include <exo/modmgr.h>
#include <stdbool.h>

extern struct exo_modmgr_start cfg;

// Keeps a received image for the life of the manager (restarts need it); NULL if the table is full.
const struct exo_image *modmgr_keep_image(const void *data, uint64_t size, const char *name);
// LOAD / REPLACE as the IPC requests do them: 0 (and *id for a load) or -EXO_E*.
long modmgr_load_image(const struct exo_image *img, uint64_t *id);
long modmgr_replace_image(uint64_t id, const struct exo_image *img);

// The channel: set up from cfg.control (nothing if 0); poll between requests; busy while a
// module file is arriving (then the manager polls without waiting).
void ctl_init(void);
void ctl_poll(void);
bool ctl_busy(void);
