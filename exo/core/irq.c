// SPDX-License-Identifier: MIT
// IRQ objects and their kernel calls. A line is routed through the IOAPIC on the first irq_wait
// (vector VEC_IOAPIC_BASE + gsi); when it fires the kernel masks it, counts it and wakes the
// waiter; irq_ack unmasks it once the driver has serviced the device.
#include <arch/acpi.h>
#include <arch/apic.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <kern/heap.h>
#include <kern/ipc.h>
#include <kern/irq.h>
#include <kern/sched.h>
#include <kern/syscall.h>

#define MAX_GSI (VEC_SHOOTDOWN - VEC_IOAPIC_BASE) // vectors below the IPIs

static struct irq *irqs[MAX_GSI];
static size_t nirqs;

static void irq_release(struct kobj *o)
{
	kfree(o); // only at shutdown: the table below keeps one reference to each
}

size_t irq_init(void)
{
	nirqs = MIN(ioapic_gsi_count(), (uint32_t)MAX_GSI);
	for (size_t i = 0; i < nirqs; i++) {
		irqs[i] = kzalloc(sizeof(*irqs[i]));
		if (!irqs[i]) {
			nirqs = i;
			break;
		}
		kobj_init(&irqs[i]->obj, EXO_OBJ_IRQ, irq_release);
		irqs[i]->gsi = (uint32_t)i;
	}
	return nirqs;
}

struct irq *irq_get(uint32_t gsi)
{
	return gsi < nirqs ? irqs[gsi] : NULL;
}

static void irq_fired(struct trap_frame *tf)
{
	struct irq *q = irqs[tf->vector - VEC_IOAPIC_BASE];

	ioapic_mask_gsi(q->gsi, true);
	lapic_eoi();
	q->pending++;
	if (q->ntfn) {
		notify_signal(q->ntfn, q->ntfn_bits);
		q->pending = 0;
	} else if (q->waiter) {
		sched_enqueue(q->waiter);
		q->waiter = NULL;
		percpu()->need_resched = true;
	}
}

void irq_cancel_wait(struct thread *t)
{
	for (size_t i = 0; i < nirqs; i++)
		if (irqs[i]->waiter == t)
			irqs[i]->waiter = NULL;
}

// ISA lines (0..15) follow the MADT's source overrides: GSI g carries ISA IRQ i when the
// override maps i to g. Other GSIs are level-triggered, active-low PCI lines.
static int route(struct irq *q)
{
	int err;

	err = trap_set_handler(VEC_IOAPIC_BASE + q->gsi, irq_fired);
	if (err)
		return err;
	for (unsigned isa = 0; isa < 16; isa++)
		if (acpi.isa_gsi[isa] == q->gsi)
			return ioapic_route_isa(isa, VEC_IOAPIC_BASE + q->gsi);
	return ioapic_route_gsi(q->gsi, VEC_IOAPIC_BASE + q->gsi, q->gsi >= 16, q->gsi >= 16);
}

static int route_once(struct irq *q)
{
	int err = 0;

	if (!q->routed) {
		err = route(q);
		q->routed = !err;
	}
	return err;
}

static void unbind(struct irq *q)
{
	struct irq **pp;

	if (!q->ntfn)
		return;
	for (pp = &q->ntfn->irqs; *pp != q; pp = &(*pp)->ntfn_next)
		;
	*pp = q->ntfn_next;
	q->ntfn = NULL;
}

void irq_unbind_all(struct notification *n)
{
	while (n->irqs)
		unbind(n->irqs);
}

long sys_irq_bind(exo_irq_t irq, exo_notification_t ntfn, uint64_t bit)
{
	struct cap *c, *nc;
	struct irq *q;
	int err = lookup(irq, EXO_OBJ_IRQ, EXO_R_WRITE, &c);

	if (err)
		return err;
	q = (struct irq *)c->obj;
	if (ntfn) {
		err = lookup(ntfn, EXO_OBJ_NOTIFICATION, EXO_R_WRITE, &nc);
		if (!err && bit > 62)
			err = -EXO_EINVAL;
		if (!err && q->waiter)
			err = -EXO_EBUSY;
		if (err)
			return err;
	}
	unbind(q);
	if (!ntfn)
		return 0;
	err = route_once(q);
	if (err)
		return err;
	q->ntfn = (struct notification *)nc->obj;
	q->ntfn_bits = 1ull << bit;
	q->ntfn_next = q->ntfn->irqs;
	q->ntfn->irqs = q;
	if (q->pending) { // fired while unbound (the line is masked): tell the new listener
		q->pending = 0;
		notify_signal(q->ntfn, q->ntfn_bits);
	}
	return 0;
}

long sys_irq_wait(exo_irq_t irq)
{
	struct thread *t = current_thread();
	struct cap *c;
	struct irq *q;
	long n;
	int err = lookup(irq, EXO_OBJ_IRQ, EXO_R_READ, &c);

	if (err)
		return err;
	q = (struct irq *)c->obj;
	if (q->waiter || q->ntfn)
		return -EXO_EBUSY;
	err = route_once(q);
	if (err)
		return err;
	if (!q->pending) {
		q->waiter = t;
		t->state = T_WAIT_IRQ;
		schedule();
		if (t->state == T_DEAD)
			return -EXO_EBADCAP;
	}
	n = (long)q->pending;
	q->pending = 0;
	return n;
}

long sys_irq_ack(exo_irq_t irq)
{
	struct cap *c;
	int err = lookup(irq, EXO_OBJ_IRQ, EXO_R_WRITE, &c);

	if (err)
		return err;
	if (!((struct irq *)c->obj)->routed)
		return -EXO_EINVAL;
	return ioapic_mask_gsi(((struct irq *)c->obj)->gsi, false);
}
