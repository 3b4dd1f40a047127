// SPDX-License-Identifier: MIT
// The name server's client helpers and start-up (server: modules/names/names.c; helpers:
// libexo/names.c). The protocol - messages, checks, errors - is modules/names/names.idl, from which
// <proto/names.h> (labels, message structs, stubs) and docs/protocols/names.md are generated.
// Services register a name with an endpoint capability and the rights clients may get; clients
// look a name up and receive a copy of that capability with those rights.
//
// Identity. The server knows its callers only by the badge of the capability they call it
// through. It hands out no capabilities to itself: the program that starts the server (init,
// a supervisor) receives its unbadged endpoint (EXO_NAMES_HELLO) and mints one badged copy per
// identity, with exo_cap_mint, for the processes it starts. A service restarted with the same
// badge is the same registrant: it may register its name again, which replaces the entry. Badge 0
// (the unbadged capability) may look up but not register or unregister.
//
// Start-up. The server's argument is the address of a read-only struct exo_names_start in its
// address space. It creates its endpoint and sends it, once, to parent: label EXO_NAMES_HELLO,
// capability 0 = the endpoint with EXO_R_WRITE | EXO_R_GRANT, unbadged. Then it serves forever.
#pragma once

#include <exo/ipc.h>
#include <proto/names.h>
#include <stdint.h>

struct exo_names_start {
	uint64_t parent; // endpoint handle (EXO_R_WRITE) in the server's table
};

// The helpers carry the rights word and capabilities through the caller's IPC buffer: tell them
// which (the one registered with exo_ipc_set_buffer). One per process: programs calling the
// helpers from several threads set it before each use.
void exo_names_use_buffer(struct exo_ipc_buffer *buf);

// Registers name for endpoint ep (a copy with rights | EXO_R_GRANT goes to the server); clients
// will get rights. Returns 0 or -EXO_E*.
long exo_names_register(uint64_t ns, const char *name, uint64_t ep, uint64_t rights);

// Looks name up: 0 and *handle (a new capability in the caller's table), or -EXO_E*.
long exo_names_lookup(uint64_t ns, const char *name, uint64_t *handle);

// Removes the caller's registration of name. Returns 0 or -EXO_E*.
long exo_names_unregister(uint64_t ns, const char *name);

// Packs name NUL-padded into w, as names travel: 0, or -EXO_EINVAL if it is empty or too long.
long exo_names_pack(const char *name, uint64_t w[EXO_NAMES_WORDS]);
