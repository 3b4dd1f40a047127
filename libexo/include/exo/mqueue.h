// SPDX-License-Identifier: MIT
// Message queues: bounded rings of fixed-size messages in memory that two or more processes map,
// for streams where a rendezvous (an IPC call) per message costs too much. Sending and receiving
// touch only shared memory; a kernel call happens only when a side has to sleep (the ring is full
// or empty) or has to wake a sleeper.
//
// Layout. A ring is 1..EXO_MQ_MAX_PAGES pages (so it also fits one IPC grant): struct exo_mq_ring
// (256 bytes, one cache line per party that writes it), then nslots slots, each a 64-bit sequence
// number followed by slot_size bytes of message, rounded up to 8 bytes (the stride):
//
//   offset 0    magic, slot_size, nslots, mode, npages     written once, by the creator
//   offset 64   tail: the next position to fill            producers
//   offset 128  head: the next position to empty           consumers
//   offset 192  rx_waiting, tx_waiting: sleepers           whoever is about to sleep
//   offset 256  slot[0] = { seq, message }, slot[1], ...   slot[i] at 256 + i * stride
//
// Positions are free-running 64-bit counters; position p lives in slot p & (nslots - 1). A slot's
// sequence number says whose turn it is (the per-slot sequence idea of Vyukov's bounded MPMC
// queue): seq == p means "empty, the producer of position p may fill it"; seq == p + 1 means
// "holds the message of p, its consumer may take it"; after taking it, the consumer sets
// seq = p + nslots, handing the slot to the producer of the next lap. A producer that finds
// seq < p (compared as a signed difference, so the counters may wrap) sees the message of
// p - nslots still there: the ring is full, with exactly nslots messages in it. A consumer that
// finds seq < p + 1 sees an empty ring. Claiming a position is a plain store of tail (head) for a
// single producer (consumer) and a compare-and-swap in the multi-producer (-consumer) modes.
//
// Memory ordering. The message is handed over by the slot's sequence number alone: the writer of
// a slot stores seq with release after copying the message in (or out), and the next owner loads
// seq with acquire before touching the message, so the copy happens-before the next owner's use.
// tail and head are relaxed: they only decide which party owns a position, never publish data.
// Sleeping uses two notifications (data: "the ring went non-empty", space: "a slot was freed")
// and the waiter counts, in the store-buffer (Dekker) pattern: a sleeper increments its count,
// issues a seq_cst fence and looks at the slot again before exo_notify_wait; a waker publishes
// its slot, issues a seq_cst fence and signals if the count is non-zero. One of the two sees the
// other, so no wake-up is lost; a notification word stays set until waited for, so a signal sent
// before the sleeper waits is not lost either. A signal wakes one sleeper; one that succeeds
// passes the wake-up on when more work and more sleepers remain (several sleepers, one signal
// word). Spurious wake-ups are harmless: every operation retries in a loop.
//
// Sharing. The creator allocates and maps the ring (exo_mq_create) and either maps it into a
// process it controls (exo_mq_share: the frames go by capability) or sends it in an IPC message
// (exo_mq_offer / exo_mq_accept: the pages go as a grant); either way the peer also gets copies
// of both notifications, then attaches with a private copy of the geometry.
//
// Trust. The processes sharing a ring trust each other with its contents (a corrupted ring gives
// wrong messages, -EXO_EAGAIN or -EXO_EINVAL), never with memory safety: each side keeps the
// geometry in its private struct exo_mq, read once, and masks every position. A party that dies
// while it owns a position (between claim and publish) stalls the ring at that slot.
#pragma once

#include <exo/ipc.h>
#include <stdint.h>

#define EXO_MQ_MAGIC     0x31716d6f7865ull   // "exomq1"
#define EXO_MQ_MAX_PAGES EXO_GRANT_MAX_PAGES // a ring fits one grant
#define EXO_MQ_HEADER    256                 // bytes before slot 0
#define EXO_MQ_MAX_SLOT  4096                // largest message (bytes)

// Modes (exo_mq_create): who may use the ring concurrently.
#define EXO_MQ_SPSC           0u // one producer, one consumer (at a time)
#define EXO_MQ_MULTI_PRODUCER 1u // producers claim positions with compare-and-swap
#define EXO_MQ_MULTI_CONSUMER 2u // consumers claim positions with compare-and-swap
#define EXO_MQ_MPMC           (EXO_MQ_MULTI_PRODUCER | EXO_MQ_MULTI_CONSUMER)

// Flags of exo_mq_send / exo_mq_recv.
#define EXO_MQ_NONBLOCK 1u // fail with -EXO_EAGAIN instead of sleeping when full / empty

// The shared header, at the ring's first byte.
struct exo_mq_ring {
	uint64_t magic;
	uint32_t slot_size; // bytes of one message
	uint32_t nslots;    // a power of two, >= 2
	uint32_t mode;      // EXO_MQ_*
	uint32_t npages;    // pages of the ring
	uint8_t pad0[40];
	uint64_t tail __attribute__((aligned(64))); // next position to fill
	uint8_t pad1[56];
	uint64_t head; // next position to empty
	uint8_t pad2[56];
	uint32_t rx_waiting; // consumers announced to sleep on the data notification
	uint32_t tx_waiting; // producers announced to sleep on the space notification
	uint8_t pad3[56];
};

_Static_assert(sizeof(struct exo_mq_ring) == EXO_MQ_HEADER, "ring header layout");

struct exo_mq_slot {
	uint64_t seq;
	uint8_t msg[];
};

// What a peer needs to attach: three words, small enough for one IPC message.
struct exo_mq_share {
	uint64_t addr;      // where the ring is mapped in the peer
	uint64_t data_ntfn; // handles in the peer's table (READ | WRITE)
	uint64_t space_ntfn;
};

// One process's private handle on a ring. Its geometry is a copy, taken once.
struct exo_mq {
	struct exo_mq_ring *ring;
	uint8_t *slots;
	uint64_t mask;      // nslots - 1
	uint64_t stride;    // bytes per slot
	uint64_t slot_size; // bytes per message
	uint32_t mode;
	uint64_t data_ntfn, space_ntfn;
	// The creator's own resources (zero for a peer).
	uint64_t self; // PROCESS whose address space maps the ring
	uint64_t npages;
	uint64_t frames[EXO_MQ_MAX_PAGES];
};

// Creates a ring of nslots (a power of two) messages of slot_size bytes: allocates its frames
// from quota, maps them read-write at addr (page aligned) in process self, creates both
// notifications. Returns 0 or -EXO_EINVAL (geometry, or more than EXO_MQ_MAX_PAGES), -EXO_ENOMEM.
long exo_mq_create(struct exo_mq *q, uint64_t self, uint64_t quota, uint64_t addr, uint32_t slot_size,
                   uint32_t nslots, uint32_t mode);

// Gives process peer (a PROCESS capability with CONTROL) access to the ring: maps its frames at
// addr in the peer and copies both notifications into the peer's table; *out tells the peer how
// to attach (pass it on by any channel). On failure nothing stays mapped, but a notification copy
// may stay in the peer's table (it goes with the peer).
long exo_mq_share(const struct exo_mq *q, uint64_t peer, uint64_t addr, struct exo_mq_share *out);

// Sharing by IPC, with a peer the creator has no CONTROL over: exo_mq_offer fills the sender's
// IPC buffer so that the next message it sends, with the returned bits ORed into its tag, carries
// the ring as a grant of its pages (read-write) and both notifications as capabilities 0 and 1
// (copies with READ | WRITE). The receiver opens a window of at least the ring's pages
// (recv_window, recv_window_pages) before it receives, then calls exo_mq_accept with the tag and
// its buffer. Returns 0 or -EXO_EINVAL (not such a message, or a grant smaller than the ring).
uint64_t exo_mq_offer(const struct exo_mq *q, struct exo_ipc_buffer *buf);
long exo_mq_accept(struct exo_mq *q, uint64_t tag, const struct exo_ipc_buffer *buf);

// Attaches to a ring already mapped in the caller (by exo_mq_share): checks the header and takes
// a private copy of the geometry. Returns 0 or -EXO_EINVAL.
long exo_mq_attach(struct exo_mq *q, const struct exo_mq_share *s);

// A peer lets go: deletes its notification handles and, when self (its own PROCESS capability)
// is non-zero, unmaps the ring. A process that ends lets go by ending.
void exo_mq_detach(struct exo_mq *q, uint64_t self);

// The creator lets go: unmaps the ring and deletes its frames and notifications. The memory
// lives on as long as a peer maps it; the notifications as long as a peer holds them.
void exo_mq_destroy(struct exo_mq *q);

// Empties the ring and restarts its positions at first (normally 0). Only while nobody else
// uses the ring; tests use it to cross the 64-bit wrap of the positions.
void exo_mq_reset(struct exo_mq *q, uint64_t first);

// Copies one message (slot_size bytes) in / out. Without EXO_MQ_NONBLOCK, sleeps while the ring
// is full / empty; never overwrites. Returns 0, -EXO_EAGAIN (full / empty with EXO_MQ_NONBLOCK),
// -EXO_EINVAL (the ring is corrupt) or the error of a notification call.
long exo_mq_send(struct exo_mq *q, const void *msg, unsigned flags);
long exo_mq_recv(struct exo_mq *q, void *msg, unsigned flags);
