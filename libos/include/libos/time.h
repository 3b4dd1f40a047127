// SPDX-License-Identifier: MIT
// The time component (libos-time.a): clocks and sleeps, from the kernel's monotonic clock.
#pragma once

#include <libos/libos.h>

long libos_clock_gettime(long clock, struct linux_timespec *ts);
long libos_clock_getres(long clock, struct linux_timespec *ts);
long libos_gettimeofday(struct linux_timeval *tv, void *tz);
long libos_nanosleep(const struct linux_timespec *req, struct linux_timespec *rem);
long libos_clock_nanosleep(long clock, long flags, const struct linux_timespec *req,
                           struct linux_timespec *rem);
// Reads the clock calibration and the realtime offset of the boot information (at start-up).
void libos_time_init(void);
// Nanoseconds on clock (-EINVAL for an unknown clock).
long libos_clock_ns(long clock, uint64_t *ns);
