// SPDX-License-Identifier: MIT
// Loading a module into a process of its own (user space, with kernel calls only): libexo.so is
// mapped at EXO_LIBEXO_BASE, the module at EXO_MODULE_BASE, both relocated, the module's imports
// bound to libexo.so's exports, and one thread started in exo_module_entry. Used by the module
// manager; the images are read from memory the caller has mapped (e.g. boot module frames).
#pragma once

#include <exo/module.h>

#define EXO_LIBEXO_BASE        0x7e0000000000ull
#define EXO_MODULE_BASE        0x10000000ull
#define EXO_MODULE_START       0x7fffffd00000ull // the struct exo_module_start page
#define EXO_MODULE_STACK       0x7ffffff00000ull // top of the module's stack
#define EXO_MODULE_STACK_PAGES 16

struct exo_image {
	const void *data; // the ELF file, mapped readable in the caller
	uint64_t size;
	const char *name; // for messages ("counter.so")
};

struct exo_loaded_module {
	uint64_t process, thread; // capabilities in the caller's table
	struct exo_modelf elf;    // what the module's image said (name, version, services)
	uint64_t export_area;     // address of its exo_module_export_area, 0: none
};

// Maps boot module i of bi read-only at *at (page aligned) and moves *at past it and a guard
// page; returns its image (size 0 if a page could not be mapped).
struct exo_image exo_boot_image(const struct exo_bootinfo *bi, unsigned i, uint64_t *at);

// Loads mod with lib as libexo.so into a new process charged to quota, scratch mappings at
// scratch (a free, page-aligned range of the caller as large as the biggest image) in self.
// env: the module's environment as the caller sees it (handles in the caller's table: quota,
// service, arg, state); the loader copies the capabilities into the module and fixes the
// handles. prio: the thread's priority. Returns 0, or -EXO_E* with a one-line reason in err.
long exo_module_load(uint64_t self, uint64_t quota, uint64_t scratch, const struct exo_image *lib,
                     const struct exo_image *mod, const struct exo_module_env *env, uint64_t prio,
                     struct exo_loaded_module *out, char *err, size_t errsize);

// A service slot for hot-swap: the endpoint clients call lives in the caller (the manager), so it
// outlives each version of the module behind it.
struct exo_module_slot {
	uint64_t self, quota, scratch, prio;
	const struct exo_image *lib;
	uint64_t service;     // ENDPOINT, all rights: hand clients copies with EXO_R_WRITE
	uint64_t quiesce_cap; // the same endpoint minted with EXO_MODULE_MANAGER_BADGE
	uint64_t control;     // ENDPOINT for the verdict after a quiesce
	uint64_t ready;       // NOTIFICATION a new version signals once its init succeeded
	struct exo_loaded_module cur;
	struct exo_ipc_buffer *buf; // the caller's IPC buffer, if any: then the quiesce has a deadline
	// Of the instances it starts (env->generation): 1 after exo_module_slot_init; the caller bumps
	// it before starting an instance that does not inherit its predecessor's state (a restart
	// after a crash); a hot-swap keeps it.
	uint32_t generation;
};

#define EXO_MODULE_INIT_NS    10000000000ull // a new version must be ready within 10 s
#define EXO_MODULE_QUIESCE_NS 10000000000ull // and the old one quiesce within 10 s (needs buf)

// Creates the slot's endpoints and notification (nothing runs yet).
long exo_module_slot_init(struct exo_module_slot *s, uint64_t self, uint64_t quota, uint64_t scratch,
                          const struct exo_image *lib, uint64_t prio);
// Starts mod in the slot and waits until its init succeeded (or failed: then -EXO_EINVAL).
long exo_module_slot_start(struct exo_module_slot *s, const struct exo_image *mod, char *err, size_t errsize);
// Hot-swap: quiesces the running version (behind the requests already queued), starts mod with
// its state, and ends the old version once the new one is ready; if the new one fails to start,
// the old one resumes (rollback) and -EXO_EINVAL says why. Requests keep queueing meanwhile:
// none is lost, none reordered. The state: up to 4 words in the quiesce reply, and if the running
// version has exo_module_export_area, a state area of EXO_MODULE_AREA_PAGES fresh frames (from
// the slot's quota) mapped writable at EXO_MODULE_AREA in it for the quiesce, then read-only in
// the new version for its init, then freed.
long exo_module_replace(struct exo_module_slot *s, const struct exo_image *mod, char *err, size_t errsize);
// Heartbeat: sends EXO_MODULE_PING through the slot's endpoint and waits at most timeout_ns
// (the slot needs buf) for the answer. 0: it answered; -EXO_ETIMEDOUT: it did not get to it;
// another error: it answered, but not as the module protocol says.
long exo_module_ping(struct exo_module_slot *s, uint64_t timeout_ns);
// Ends the running version and frees the slot.
void exo_module_slot_destroy(struct exo_module_slot *s);
