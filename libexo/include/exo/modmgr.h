// SPDX-License-Identifier: MIT
// The module manager's protocol (server: modules/modmgr/modmgr.c; client helpers:
// libexo/modmgr_client.c). The manager loads modules (<exo/module.h>) from the boot modules it was
// given, each into a service slot of its own (<exo/modload.h>): the manager owns the endpoint
// clients call, so the endpoint outlives every instance behind it - a hot-swap or a restart after
// a crash changes the instance, never the endpoint. It supervises them: a module that ends is
// restarted in its slot with exponential backoff and given up after too many crashes in a row.
//
// Messages: modules/modmgr/modmgr.idl defines them - LOAD, CONNECT, UNLOAD, REPLACE, LIST, their
// words, checks and errors - and generates <proto/modmgr.h> (labels, struct exo_modmgr_info, the
// stubs the helpers below call) and docs/protocols/modmgr.md. A refused LOAD or REPLACE carries
// the reason as text (exo_modmgr_reason). A request to a failed module's endpoint is answered by
// the manager with label EXO_EDEAD.
//
// Supervision. The manager waits for requests at most EXO_MODMGR_POLL_NS at a time and, between
// requests, checks the process of every module. One that ended (a fault, or an exit) is
// restarted in the same slot: callers queued on the endpoint meanwhile are served by the new
// instance; the caller whose request the instance was serving gets -EXO_EDEAD from the kernel.
// The state of the lost instance is lost (the new one starts as after LOAD). Restarts wait 1, 2,
// 4, 8 ... ms after each crash in a row; the count of crashes in a row is reset once an instance
// has run stable_ms; after max_crashes in a row the module is marked failed (it stays listed,
// with its endpoint answered by the manager, until UNLOAD). Every heartbeat_ms the manager pings
// each running module through its endpoint (behind the queued requests, see exo/module.h) and
// waits up to heartbeat_ms for the answer; one that does not answer (it spins, or waits on
// something that never comes) is killed with status EXO_MODMGR_STATUS_HUNG and restarted like a
// crash. Each module has a quota of its own
// (split from the manager's), so LIST reports its memory exactly.
//
// Names and generations. Given a name server (struct exo_modmgr_start.names: a capability badged
// with the manager's identity, see <exo/names.h>), the manager registers every service name in
// the note of each module it loads (EXO_MODULE_NOTE's services) with a copy of the module's
// endpoint minted with the generation badge (<exo/module.h>):
//   bit 63 = 1 | generation (31 bits, modulo 2^31) << 32 | 0 in bits 0..31.
// Clients find a module with exo_names_lookup and get a copy with EXO_R_WRITE carrying that badge.
// A module's generation is 1 at LOAD and goes up by one with each restart after a crash (the new
// instance starts without its predecessor's state); a hot-swap (REPLACE) keeps it, as the state
// moves on: the clients' copies go on working, no message is lost. When an instance dies the
// manager revokes the copies of its generation (later calls: -EXO_EBADCAP; lookups meanwhile:
// EXO_EDEAD), and once the next instance runs, registers the names again with the new badge.
// A request sent through an old generation's copy before the revoke waits in the endpoint and is
// answered by the next instance's receive wrappers with label EXO_EDEAD, not served. So a client
// that gets -EXO_EDEAD, -EXO_EBADCAP or label EXO_EDEAD from a call looks the name up again
// (retrying while the lookup says EXO_EDEAD) and talks to the new instance. A name belongs to the
// first module that lists it; a later module listing it too is reachable by id only (the
// manager says so on the console). UNLOAD removes the module's names. Copies from LOAD and
// CONNECT carry EXO_MODULE_SLOT_BADGE: they follow the slot across restarts.
//
// Start-up. The program that starts the manager (init, a supervisor) maps a read-only struct
// exo_modmgr_start at EXO_MODMGR_START_ADDR in the manager and passes that address as its
// argument. The manager loads the modules of its boot configuration, then sends its endpoint,
// once, to parent: label EXO_MODMGR_HELLO, w[0] modules loaded, w[1] modules refused, capability
// 0 the endpoint with EXO_R_WRITE | EXO_R_GRANT (unbadged). Then it serves forever.
#pragma once

#include <exo/bootinfo.h>
#include <exo/ipc.h>
#include <proto/modmgr.h>
#include <stdint.h>

#define EXO_MODMGR_MAX_MODULES  16         // modules loaded at a time
#define EXO_MODMGR_POLL_NS      5000000ull // longest wait for a request between checks (5 ms)
#define EXO_MODMGR_START_ADDR   0x7fffffc00000ull
#define EXO_MODMGR_STABLE_MS    1000 // defaults of struct exo_modmgr_start (fields left 0)
#define EXO_MODMGR_MAX_CRASHES  10
#define EXO_MODMGR_HEARTBEAT_MS 1000
#define EXO_MODMGR_STATUS_HUNG  0x200 // the exit status of an instance killed as hung
#define EXO_MODMGR_MODULE_QUOTA 320   // frames: two versions of the largest module during a swap

enum exo_modmgr_state {
	EXO_MODMGR_RUNNING = 1,
	EXO_MODMGR_RESTARTING = 2, // ended; waits for its backoff before the next instance
	EXO_MODMGR_FAILED = 3,     // gave up after max_crashes in a row
};

// What the manager finds at EXO_MODMGR_START_ADDR. Handles are in the manager's table.
struct exo_modmgr_start {
	uint64_t self;          // PROCESS (EXO_R_CONTROL): the manager itself (it maps images)
	uint64_t parent;        // ENDPOINT (EXO_R_WRITE): where the hello goes
	uint64_t quota;         // QUOTA the modules' quotas are split from
	uint64_t policy;        // the caps bits a module's note may request
	uint64_t prio;          // of the modules' threads (at most the manager's own)
	uint32_t stable_ms;     // run time that resets the crash count (0: EXO_MODMGR_STABLE_MS)
	uint32_t max_crashes;   // crashes in a row before giving up (0: EXO_MODMGR_MAX_CRASHES)
	uint32_t module_frames; // quota of each module (0: EXO_MODMGR_MODULE_QUOTA)
	uint32_t lib;           // index in mods[] of libexo.so
	uint32_t nmods;
	uint32_t heartbeat_ms; // a module silent this long is hung (0: EXO_MODMGR_HEARTBEAT_MS)
	uint64_t control;      // IOPORT for COM2 (0x2f8..0x2ff): exoctl's channel from the host; 0: none
	uint64_t names;        // ENDPOINT (EXO_R_WRITE), badged: the name server to publish in; 0: none
	char boot[256];        // file names of the modules to load at start, separated by spaces
	// The images it may load: name (a file name, no directory), frames = the handle of the
	// first of npages read-only frames with consecutive handles, size in bytes.
	struct exo_boot_module mods[EXO_MAX_BOOT_MODULES];
};
_Static_assert(sizeof(struct exo_modmgr_start) <= 4096, "the start page is one page");

// What modctl (apps/modctl) finds at the address it is started with.
struct exo_modctl_args {
	uint64_t mgr;      // ENDPOINT of the manager (EXO_R_WRITE), in modctl's table
	char command[120]; // "load FILE", "replace ID FILE", "unload ID" or "list"
};

// --- client helpers ---

// The helpers carry words and capabilities through the caller's IPC buffer: tell them which (the
// one registered with exo_ipc_set_buffer). One per process, like exo_names_use_buffer.
void exo_modmgr_use_buffer(struct exo_ipc_buffer *buf);

// LOAD: 0, *id and *ep (a new capability in the caller's table), or -EXO_E*.
long exo_modmgr_load(uint64_t mgr, const char *file, uint64_t *id, uint64_t *ep);
// CONNECT: 0 and *ep, or -EXO_E*.
long exo_modmgr_connect(uint64_t mgr, uint64_t id, uint64_t *ep);
long exo_modmgr_unload(uint64_t mgr, uint64_t id);
long exo_modmgr_replace(uint64_t mgr, uint64_t id, const char *file);
// Why the last LOAD or REPLACE of this process was refused, as the manager said ("" if it said
// nothing more than the error code).
const char *exo_modmgr_reason(void);
// LIST, every page: fills out[0..max) and returns the number of modules (which may be more than
// max), or -EXO_E*. The table may change between pages.
long exo_modmgr_list(uint64_t mgr, struct exo_modmgr_info *out, unsigned max);
// "running", "restarting", "failed" or "?".
const char *exo_modmgr_state_name(uint32_t state);

// --- starting and stopping a manager (for init or a supervisor) ---

struct exo_modmgr_config {
	unsigned program;   // boot module index of the manager's program
	unsigned lib;       // boot module index of libexo.so
	uint64_t modules;   // bit i: boot module i may be loaded
	uint64_t quota;     // QUOTA (with EXO_R_GRANT) for the manager and all its modules
	uint64_t policy;    // see struct exo_modmgr_start
	const char *boot;   // modules to load at start ("counter.so names.so"), or NULL
	uint32_t stable_ms; // 0: default
	uint32_t max_crashes;
	uint32_t module_frames;
	uint32_t heartbeat_ms; // 0: default
	uint64_t prio;         // of the manager's thread and its modules' (0: 16)
	uint64_t page;         // a free page-aligned address of the caller: its view of the start page
	uint64_t timeout_ns;   // wait for the hello at most this long (0: 10 s)
	uint64_t control;      // IOPORT covering COM2 (0x2f8..0x2ff) for exoctl's channel, or 0
	uint64_t names;        // the name server (badged, EXO_R_WRITE | EXO_R_GRANT) it publishes in, or 0
};

struct exo_modmgr_proc {
	uint64_t process, thread; // the manager
	uint64_t frame, page;     // its start page, also mapped in the caller at page
	uint64_t self;            // the caller's PROCESS capability
	uint64_t ep;              // the manager's endpoint (EXO_R_WRITE | EXO_R_GRANT)
	uint64_t loaded, refused; // what the hello said about the boot configuration
};

// Spawns the manager from boot module c->program (its memory charged to c->quota), fills its
// start page (copies of the quota and of the allowed boot modules' frames into its table) and
// waits for its hello. The caller needs an IPC buffer (exo_modmgr_use_buffer). Returns 0 or
// -EXO_E*; on failure nothing is left.
long exo_modmgr_spawn(const struct exo_bootinfo *bi, const struct exo_modmgr_config *c,
                      struct exo_modmgr_proc *out);
// Kills the manager (status 9), waits for its end and deletes the process, its thread, its start
// page and its endpoint; returns its exit status. Its modules end when it does: their service
// endpoints die with it, so they return from serving (a module that ignores that is not reaped).
long exo_modmgr_stop(struct exo_modmgr_proc *p);
