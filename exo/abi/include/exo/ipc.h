// SPDX-License-Identifier: MIT
// Part of the exo ABI: the IPC message format (like MINIX's ipc.h, a documented structure).
//
// A message is a tag word, up to EXO_MSG_MAX_WORDS payload words and up to EXO_MSG_MAX_CAPS
// capabilities, plus an optional memory grant. The tag's fields (words, caps, the flags
// EXO_IPC_NONBLOCK / TIMEOUT / GRANT and the label) are defined in exo/abi/exo.abi and generated
// into <exo/exo.h> (EXO_TAG_WORDS(tag), EXO_TAG_CAPS_SHIFT, ...; docs/abi.md lists them).
// Words 0..3 travel in registers, the rest in the sender's and the receiver's IPC buffers
// (w[4..words)). The receiver gets the tag as sent (flags cleared), the badge of the capability the sender
// used, the payload, the handles of the capabilities now in its own table (buffer caps[].handle),
// and the address of granted pages (buffer.grant.vaddr). Errors come back as negative results:
// the message was then not delivered.
#pragma once

#include <exo/exo.h>
#include <stddef.h>
#include <stdint.h>

#define EXO_MSG_REG_WORDS   4
#define EXO_MSG_MAX_WORDS   64
#define EXO_MSG_MAX_CAPS    3
#define EXO_GRANT_MAX_PAGES 16

_Static_assert(EXO_MSG_MAX_WORDS <= EXO_TAG_WORDS_MASK >> EXO_TAG_WORDS_SHIFT, "words fit the tag");
_Static_assert(EXO_MSG_MAX_CAPS <= EXO_TAG_CAPS_MASK >> EXO_TAG_CAPS_SHIFT, "caps fit the tag");

#define EXO_TAG(label, words, caps)                                                              \
	(((uint64_t)(label) << EXO_TAG_LABEL_SHIFT) | ((uint64_t)(caps) << EXO_TAG_CAPS_SHIFT) | \
	 ((uint64_t)(words) << EXO_TAG_WORDS_SHIFT))

// How a capability travels: copied with rights (a subset of the sender's), or moved.
struct exo_cap_xfer {
	exo_handle_t handle; // in: the sender's handle; out (receiver): the new handle in its table
	uint64_t rights;     // copy with these rights (ignored for a move)
	uint64_t move;       // non-zero: move instead of copy
};

struct exo_grant {
	uint64_t vaddr;  // sender: first page; receiver (out): where the pages were mapped
	uint64_t pages;  // 1..EXO_GRANT_MAX_PAGES
	uint64_t rights; // EXO_R_READ [| EXO_R_WRITE]: at most what the sender's mappings allow
};

// The per-thread IPC buffer: one page registered with exo_ipc_set_buffer.
struct exo_ipc_buffer {
	uint64_t w[EXO_MSG_MAX_WORDS]; // payload; w[0..3] are carried in registers, not here
	struct exo_cap_xfer caps[EXO_MSG_MAX_CAPS];
	struct exo_grant grant;
	uint64_t deadline;          // for EXO_IPC_TIMEOUT
	uint64_t recv_window;       // receiver: page-aligned address where grants may be mapped
	uint64_t recv_window_pages; // 0: grants to this thread are refused
};

// A message as libexo's IPC calls take and return it.
struct exo_msg {
	uint64_t tag;
	uint64_t badge; // out: badge of the sender's capability
	uint64_t w[EXO_MSG_REG_WORDS];
};

// The layout is ABI: pinned here so a change cannot slip through.
_Static_assert(sizeof(struct exo_cap_xfer) == 24 && offsetof(struct exo_cap_xfer, move) == 16,
               "exo_cap_xfer");
_Static_assert(sizeof(struct exo_grant) == 24 && offsetof(struct exo_grant, rights) == 16, "exo_grant");
_Static_assert(offsetof(struct exo_ipc_buffer, caps) == 512 &&
                   offsetof(struct exo_ipc_buffer, grant) == 584 &&
                   offsetof(struct exo_ipc_buffer, deadline) == 608 &&
                   offsetof(struct exo_ipc_buffer, recv_window) == 616 &&
                   offsetof(struct exo_ipc_buffer, recv_window_pages) == 624 &&
                   sizeof(struct exo_ipc_buffer) == 632,
               "exo_ipc_buffer");
_Static_assert(sizeof(struct exo_ipc_buffer) <= EXO_PAGE_SIZE, "an IPC buffer is one page");
_Static_assert(sizeof(struct exo_msg) == 48 && offsetof(struct exo_msg, badge) == 8 &&
                   offsetof(struct exo_msg, w) == 16,
               "exo_msg");
