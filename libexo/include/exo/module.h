// SPDX-License-Identifier: MIT
// Writing a module: one C file that includes this header, declares itself with EXO_MODULE_NOTE and
// defines the entry points below. It is built as an ET_DYN shared object (see docs/modules.md)
// and imports kernel calls and libexo functions by name from libexo.so, which the loader maps
// into every module's address space.
#pragma once

#include <exo/libexo.h>
#include <exo/modelf.h>

// What a module receives (in its own address space, read-only).
struct exo_module_env {
	uint64_t self;     // PROCESS capability of the module itself (map its own memory)
	uint64_t quota;    // QUOTA it may allocate from
	uint64_t service;  // ENDPOINT it serves (EXO_R_READ); the manager owns it, so it outlives us
	uint64_t arg;      // free for the loader and the module (e.g. a start-up option)
	uint64_t state[4]; // hot-swap: what exo_module_export_state of the previous version left
	uint64_t nstate;
	uint64_t control; // ENDPOINT (EXO_R_READ) where the manager's verdict arrives after a quiesce
	uint64_t ready;   // NOTIFICATION (EXO_R_WRITE) signalled once init succeeded
};

// Hot-swap (optional): the manager asks the running version to stop with a message carrying
// label EXO_MODULE_QUIESCE on the service endpoint, badged EXO_MODULE_MANAGER_BADGE - behind every
// request already queued, so none is lost or reordered. exo_module_recv/exo_module_reply_recv
// answer it for the module: they call exo_module_export_state, reply with the state, and wait for
// the manager's verdict on env->control - EXO_MODULE_RESUME (the new version failed: go on
// serving) or the end of the process. A module that supports hot-swap serves with these two.
#define EXO_MODULE_QUIESCE       0xfffe
#define EXO_MODULE_RESUME        0xfffd
#define EXO_MODULE_MANAGER_BADGE 0x6d6f646d6772ull // "modmgr"
int exo_module_export_state(uint64_t state[4]);    // returns how many words it wrote (0..4)
// Heartbeat: the manager also sends label EXO_MODULE_PING, badged the same way, behind the
// queued requests; the two receive wrappers answer it at once with the same label. A module
// that does not get to it within the manager's heartbeat time is taken as hung and restarted.
#define EXO_MODULE_PING 0xfffc
long exo_module_recv(const struct exo_module_env *env, struct exo_msg *m);
long exo_module_reply_recv(const struct exo_module_env *env, struct exo_msg *m);

// Required: prepare; a non-zero result means the module failed to start (it then exits with it).
int exo_module_init(const struct exo_module_env *env);
// Required: serve requests on env->service; its result is the module's exit status.
int exo_module_serve(const struct exo_module_env *env);

// Where the loader starts a module's first thread: libexo.so's exo_module_entry(start page).
struct exo_module_start {
	uint64_t init, serve, export_state; // absolute addresses of the module's entry points
	struct exo_module_env env;
};
