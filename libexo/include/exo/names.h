// SPDX-License-Identifier: MIT
// The name server's protocol (server: modules/names/names.c; client helpers: libexo/names.c).
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
// Messages. A name is 1..EXO_NAMES_MAX_LEN characters, NUL-padded to 32 bytes in w[0..3] (so the
// last byte is always NUL). Requests (label = operation):
//   EXO_NAMES_REGISTER    w[0..3] name, w[4] rights for clients (in the IPC buffer), capability 0:
//                         the endpoint, with at least those rights and EXO_R_GRANT (the helper
//                         sends it so). 5 words, 1 capability.
//   EXO_NAMES_LOOKUP      w[0..3] name. Reply: w[0] the rights, capability 0 a copy with them
//                         (the caller needs an IPC buffer to receive it).
//   EXO_NAMES_UNREGISTER  w[0..3] name.
// Reply label: 0 on success, else the error code (a positive EXO_E* value; the helpers return it
// negated):
//   EXO_EINVAL   malformed name, words or capability count, rights outside EXO_R_ALL
//   EXO_ETYPE    the capability to register is not an endpoint
//   EXO_EPERM    unbadged caller (register, unregister); the capability lacks rights | GRANT;
//                unregister of another registrant's name
//   EXO_EEXIST   register of a name that another registrant holds
//   EXO_ENOENT   unknown name
//   EXO_EDEAD    lookup of a name whose endpoint is gone (its service ended and has not
//                registered again yet: a restarting service keeps its name)
//   EXO_ENOSPC   the server's table is full
//   EXO_ENOSYS   unknown operation
//
// Start-up. The server's argument is the address of a read-only struct exo_names_start in its
// address space. It creates its endpoint and sends it, once, to parent: label EXO_NAMES_HELLO,
// capability 0 = the endpoint with EXO_R_WRITE | EXO_R_GRANT, unbadged. Then it serves forever.
#pragma once

#include <exo/ipc.h>
#include <stdint.h>

#define EXO_NAMES_MAX_LEN 31 // characters of a name
#define EXO_NAMES_WORDS   4  // words of a NUL-padded name

enum exo_names_op {
	EXO_NAMES_REGISTER = 1,
	EXO_NAMES_LOOKUP = 2,
	EXO_NAMES_UNREGISTER = 3,
	EXO_NAMES_HELLO = 4, // server -> parent, once
};

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

// The encoding shared by helpers and server: packs name into w (0 or -EXO_EINVAL), and checks
// that w holds a well-formed name (1 or 0).
long exo_names_pack(const char *name, uint64_t w[EXO_NAMES_WORDS]);
int exo_names_valid(const uint64_t w[EXO_NAMES_WORDS]);
