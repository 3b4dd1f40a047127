// SPDX-License-Identifier: MIT
// Endpoints (synchronous IPC) and notifications (asynchronous signal words).
#pragma once

#include <common/list.h>
#include <exo/exo.h>
#include <kern/kobj.h>
#include <kern/quota.h>

struct thread;
struct process;
struct irq;

// Who waits on an endpoint (as seL4's endpoints): nobody, senders (and callers) waiting for a
// receiver, or receivers waiting for a message, never both. A busy state's value is the thread
// state of the threads in the queue.
enum ep_state {
	EP_IDLE = 0,                   // the queue is empty
	EP_SEND = EXO_THREAD_IPC_SEND, // the queue holds threads in T_IPC_SEND
	EP_RECV = EXO_THREAD_IPC_RECV, // the queue holds threads in T_IPC_RECV
};

struct endpoint {
	struct kobj obj;
	enum ep_state state;
	struct list queue;           // the waiting threads, first come first served (wait_link)
	struct charge charge;        // on its owner's quota
	struct process *owner;       // dies with it; NULL once it has
	struct endpoint *owner_next; // the owner's list
};

#define NTFN_FORWARDS 4 // targets a notification forwards its signals to at once

struct notification {
	struct kobj obj;
	struct charge charge; // on its creator's quota
	uint64_t word;
	struct list waiters; // threads in notify_wait, first come first served (wait_link)
	bool timer_armed;
	uint64_t timer_deadline, timer_period; // period 0: one-shot
	uint64_t timer_bits;
	struct notification *timer_next; // list of notifications with a timer
	struct irq *irqs;                // IRQs bound to it (irq->ntfn_next)
	struct ntfn_forward {            // notify_forward: each signal also signals these
		struct notification *to; // a reference; NULL: a free entry
		uint64_t bits;
	} forwards[NTFN_FORWARDS];
	uint32_t targeted;      // forwards to it: a target forwards nothing (no chains, no cycles)
	uint32_t forwards_used; // entries of forwards[] in use
};

// Kernel side of signalling (IRQs and timers use it too).
void notify_signal(struct notification *n, uint64_t bits);
// Timer expiry, called on every tick.
void notify_timers_tick(uint64_t now_ns);
// A blocked IPC or notification wait of t ends: -EXO_ETIMEDOUT (deadline) or removal (death).
void ipc_timeout(struct thread *t);
void ipc_cancel(struct thread *t);
// Takes t (blocked.kind BLOCK_NOTIFICATION) off its notification's queue.
void notify_cancel(struct thread *t);
// The process's endpoints die with it: every thread queued on them gets -EXO_EDEAD.
void endpoints_owner_exit(struct process *p);
// Drops the thread's IPC buffer registration.
void ipc_buffer_release(struct thread *t);
// A thread dies: a caller waiting for its reply gets -EXO_EDEAD; its buffer is released.
void ipc_thread_dies(struct thread *t);
