// SPDX-License-Identifier: MIT
// Multiprocessor start-up and the reschedule interrupt.
#pragma once

// Starts every other CPU of the MADT (the boot CPU holds the kernel lock); ncpus counts them.
void smp_init(void);
// Makes CPU id reschedule on its way out of the kernel (an IPI when it is another CPU).
void smp_send_resched(unsigned id);
