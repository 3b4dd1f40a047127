// SPDX-License-Identifier: MIT
// CPU time capabilities. A timeslice object is a budget of timer ticks per scheduling period;
// the threads of every process bound to it may run that many ticks per period, then wait
// (throttled) for the next period. Splitting carves part of a budget into a child budget, given
// back when the child goes, so a parent hands a child a bounded share and a busy loop in the
// child cannot starve anyone. Processes bound to no timeslice (init) are not limited.
#pragma once

#include <common/list.h>
#include <kern/kobj.h>

#define TIMESLICE_PERIOD 100 // ticks (100 ms at 1 kHz)

struct thread;

struct timeslice {
	struct kobj obj;
	struct timeslice *parent;  // holds a reference while the child lives
	uint32_t budget;           // ticks per period this object may use (its own and children's)
	uint32_t reserved;         // of the budget, moved into children
	uint32_t used;             // ticks used in this period
	uint64_t throttles;        // periods in which it ran out (cap_info)
	struct list throttled;     // threads waiting for the next period (thread.throttle_link)
	struct list_node all_link; // every live timeslice, for the period reset
};

struct timeslice *timeslice_create_root(void);
int timeslice_split(struct timeslice *ts, uint32_t ticks, struct timeslice **out);
// Scheduler hooks: charge a tick; true when the budget is exhausted.
bool timeslice_charge(struct timeslice *ts);
bool timeslice_exhausted(const struct timeslice *ts);
void timeslice_park(struct timeslice *ts, struct thread *t); // t waits for the next period
void timeslice_unpark(struct thread *t);                     // t leaves the waiting list
// Starts a new period: resets every budget and makes the waiting threads runnable.
void timeslice_new_period(void);
