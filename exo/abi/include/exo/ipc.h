// SPDX-License-Identifier: MIT
// Part of the exo ABI: the IPC message format (like MINIX's ipc.h, a documented structure).
//
// A message is a tag word, up to EXO_MSG_MAX_WORDS payload words and up to EXO_MSG_MAX_CAPS
// capabilities, plus an optional memory grant. The tag:
//   bits  0..6   length: payload words (0..64); words 0..3 travel in registers, the rest in the
//                sender's and the receiver's IPC buffers (w[4..length))
//   bits  8..9   number of capabilities (0..3), described in the sender's buffer caps[]
//   bit  12      EXO_IPC_NONBLOCK: fail with -EXO_EAGAIN instead of waiting
//   bit  13      EXO_IPC_TIMEOUT: give up with -EXO_ETIMEDOUT at buffer.deadline (ns, monotonic)
//   bit  14      EXO_IPC_GRANT: map buffer.grant's pages of the sender into the receiver's window
//   bits 16..63  label: free for the protocol (operation code, error code of a reply, ...)
// The receiver gets the tag as sent (flags cleared), the badge of the capability the sender
// used, the payload, the handles of the capabilities now in its own table (buffer caps[].handle),
// and the address of granted pages (buffer.grant.vaddr). Errors come back as negative results:
// the message was then not delivered.
#pragma once

#include <stdint.h>

#define EXO_MSG_REG_WORDS   4
#define EXO_MSG_MAX_WORDS   64
#define EXO_MSG_MAX_CAPS    3
#define EXO_GRANT_MAX_PAGES 16

#define EXO_IPC_NONBLOCK (1ull << 12)
#define EXO_IPC_TIMEOUT  (1ull << 13)
#define EXO_IPC_GRANT    (1ull << 14)
#define EXO_IPC_FLAGS    (EXO_IPC_NONBLOCK | EXO_IPC_TIMEOUT | EXO_IPC_GRANT)

#define EXO_TAG(label, words, caps) (((uint64_t)(label) << 16) | ((uint64_t)(caps) << 8) | (uint64_t)(words))
#define EXO_TAG_LABEL(tag)          ((tag) >> 16)
#define EXO_TAG_WORDS(tag)          ((tag)&0x7f)
#define EXO_TAG_CAPS(tag)           (((tag) >> 8) & 3)

// How a capability travels: copied with rights (a subset of the sender's), or moved.
struct exo_cap_xfer {
	uint64_t handle; // in: the sender's handle; out (receiver): the new handle in its table
	uint64_t rights; // copy with these rights (ignored for a move)
	uint64_t move;   // non-zero: move instead of copy
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
