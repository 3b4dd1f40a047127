// SPDX-License-Identifier: MIT
// Endpoints (synchronous IPC) and notifications (asynchronous signal words).
#pragma once

#include <kern/quota.h>

#include <kern/kobj.h>

struct thread;
struct process;
struct irq;

struct endpoint {
	struct kobj obj;
	struct charge charge;                 // on its owner's quota
	struct process *owner;                // dies with it; NULL once it has
	struct endpoint *owner_next;          // the owner's list
	struct thread *send_head, *send_tail; // senders and callers waiting for a receiver
	struct thread *recv_head, *recv_tail; // receivers waiting for a message
};

struct notification {
	struct kobj obj;
	struct charge charge; // on its creator's quota
	uint64_t word;
	struct thread *wait_head, *wait_tail; // threads in notify_wait
	bool timer_armed;
	uint64_t timer_deadline, timer_period; // period 0: one-shot
	uint64_t timer_bits;
	struct notification *timer_next; // list of notifications with a timer
	struct irq *irqs;                // IRQs bound to it (irq->ntfn_next)
};

// Kernel side of signalling (IRQs and timers use it too).
void notify_signal(struct notification *n, uint64_t bits);
// Timer expiry, called on every tick.
void notify_timers_tick(uint64_t now_ns);
// A blocked IPC or notification wait of t ends: -EXO_ETIMEDOUT (deadline) or removal (death).
void ipc_timeout(struct thread *t);
void ipc_cancel(struct thread *t);
// The process's endpoints die with it: every thread queued on them gets -EXO_EDEAD.
void endpoints_owner_exit(struct process *p);
// Drops the thread's IPC buffer registration.
void ipc_buffer_release(struct thread *t);
// A thread dies: a caller waiting for its reply gets -EXO_EDEAD; its buffer is released.
void ipc_thread_dies(struct thread *t);
// Queue helpers shared by endpoints and notifications.
void ipc_queue_push(struct thread **head, struct thread **tail, struct thread *t, void *owner);
struct thread *ipc_queue_pop(struct thread **head, struct thread **tail);
