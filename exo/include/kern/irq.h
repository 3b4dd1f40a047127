// SPDX-License-Identifier: MIT
// IRQ objects: one per interrupt line (GSI). The holder of a capability waits for the line with
// irq_wait and re-enables it with irq_ack once the device has been serviced.
#pragma once

#include <kern/kobj.h>

struct thread;
struct notification;

struct irq {
	struct kobj obj;
	uint32_t gsi;
	bool routed;
	uint64_t pending;          // interrupts since the last wait returned
	struct thread *waiter;     // blocked in irq_wait, or NULL
	struct notification *ntfn; // bound (not a reference: the notification unbinds on release)
	struct irq *ntfn_next;     // the notification's list of bound IRQs
	uint64_t ntfn_bits;
};

// Creates the IRQ objects for every GSI the IOAPICs have; returns how many.
size_t irq_init(void);
struct irq *irq_get(uint32_t gsi);
// Removes t from whatever IRQ it waits for (thread death).
void irq_cancel_wait(struct thread *t);
// A notification goes away: every IRQ bound to it becomes unbound.
void irq_unbind_all(struct notification *n);
