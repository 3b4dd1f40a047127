// SPDX-License-Identifier: MIT
// Writing a module: one C file that includes this header, declares itself with EXO_MODULE_NOTE and
// defines the entry points below. It is built as an ET_DYN shared object (see docs/modules.md)
// and imports kernel calls and libexo functions by name from libexo.so, which the loader maps
// into every module's address space.
#pragma once

#include <exo/libexo.h>
#include <exo/modelf.h>
#include <proto/module.h>

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
	// Hot-swap, larger state: what exo_module_export_area of the previous version wrote - address
	// and bytes, readable during exo_module_init only (the pages go once it returned); 0, 0: none.
	uint64_t area, area_size;
	uint64_t generation; // of this instance: 1, + 1 per restart after a crash; a hot-swap keeps it
};

// The module protocol - quiesce and ping, what the manager sends on the service endpoint - is
// libexo/module.idl (<proto/module.h>, docs/protocols/module.md).
//
// Hot-swap (optional): the manager asks the running version to stop with a message carrying
// label EXO_MODULE_QUIESCE on the service endpoint, badged EXO_MODULE_MANAGER_BADGE - behind every
// request already queued, so none is lost or reordered. exo_module_recv/exo_module_reply_recv
// answer it for the module: they call exo_module_export_state (the words travel in the reply) and,
// if the request's w[0] says the manager lent a state area of that many bytes, exo_module_export_area
// (the bytes stay in the area's frames, which the manager maps into the next version), reply,
// and wait for the manager's verdict on env->control - EXO_MODULE_RESUME (the new version failed: go on
// serving) or the end of the process. A module that supports hot-swap serves with these two.
int exo_module_export_state(uint64_t state[4]); // returns how many words it wrote (0..4)
// Larger state (optional, with or without exo_module_export_state): the manager lends the old
// version EXO_MODULE_AREA_PAGES pages at EXO_MODULE_AREA for the quiesce; the wrappers call this
// with the room after the area's header. It returns the bytes it wrote (0..size), or a negative
// -EXO_E* to refuse the hot-swap (the quiesce is then answered with that error as the label and
// the module goes on serving). The next version finds the bytes at env->area during its init.
long exo_module_export_area(void *area, uint64_t size);
#define EXO_MODULE_AREA            0x7fffff000000ull // where the area is mapped in both versions
#define EXO_MODULE_AREA_PAGES      16
#define EXO_MODULE_AREA_HEADER     16 // bytes: the size the old version wrote (a word), a zero word
#define EXO_MODULE_AREA_ROOM       (EXO_MODULE_AREA_PAGES * 4096ull - EXO_MODULE_AREA_HEADER)
// Heartbeat: the manager also sends label EXO_MODULE_PING, badged the same way, behind the
// queued requests; the two receive wrappers answer it at once with the same label. A module
// that does not get to it within the manager's heartbeat time is taken as hung and restarted.
// Generations. Clients that find a module through the name server call it through a copy badged
// with the generation of the instance they found: bit 63 set, the generation (modulo 2^31) in
// bits 32..62, bits 0..31 zero. The receive wrappers answer a request whose generation badge is
// not env->generation with label EXO_EDEAD at once (its sender knew an instance that died: its
// state is gone, it must look the name up again) and serve every other badge: the manager's,
// EXO_MODULE_SLOT_BADGE (the copies the manager's LOAD and CONNECT give, which follow the slot
// across restarts), the current generation's. A hot-swap keeps the generation, so it
// invalidates nobody. Clients only ever hold badged copies, and a badged capability cannot be
// minted again: nobody but the manager can send with the manager's badge or a chosen generation.
#define EXO_MODULE_GEN_BADGE(gen)  ((1ull << 63) | ((uint64_t)(gen)&0x7fffffffull) << 32)
#define EXO_MODULE_BADGE_IS_GEN(b) (((b) >> 63) != 0)
#define EXO_MODULE_SLOT_BADGE      0x736c6f74ull // "slot"
#define EXO_MODULE_BADGE_GEN(b)    (((b) >> 32) & 0x7fffffffull)
long exo_module_recv(const struct exo_module_env *env, struct exo_msg *m);
long exo_module_reply_recv(const struct exo_module_env *env, struct exo_msg *m);

// Required: prepare; a non-zero result means the module failed to start (it then exits with it).
int exo_module_init(const struct exo_module_env *env);
// Required: serve requests on env->service; its result is the module's exit status.
int exo_module_serve(const struct exo_module_env *env);

// Where the loader starts a module's first thread: libexo.so's exo_module_entry(start page).
struct exo_module_start {
	uint64_t init, serve, export_state, export_area; // the module's entry points (absolute, 0: none)
	struct exo_module_env env;
};
void exo_module_entry(const struct exo_module_start *st);
