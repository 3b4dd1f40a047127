// SPDX-License-Identifier: MIT
// The 8254 PIT, used only as a reference clock to calibrate the APIC timer and the TSC.
#pragma once

#include <kern/types.h>

#define PIT_HZ 1193182u

// Busy-waits for about ms milliseconds (at most 50) using PIT channel 2, calling sample() just
// after the countdown starts and just after it ends.
void pit_wait_ms(unsigned ms, void (*sample)(int phase));
// Programs channel 0 as a periodic rate generator (IRQ 0) at hz; used by IOAPIC tests.
void pit_start_periodic(unsigned hz);
void pit_stop(void);
