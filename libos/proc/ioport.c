// SPDX-License-Identifier: MIT
// Linux's ioperm and iopl: port access through the process's I/O-port capability
// (exo_bootinfo.ioports), which only a program booted as init holds. Programs that exorun starts
// run unprivileged: both calls fail with EPERM and say why, once.
#include <libos/proc.h>

static long unprivileged(const char *call)
{
	libos_log_once("ioport",
	               "%s: EPERM: this program holds no I/O port capability (it runs unprivileged)", call);
	return -EPERM;
}

long libos_ioperm(uint64_t from, uint64_t num, long turn_on)
{
	if (from > 65536 || num > 65536 - from)
		return -EINVAL;
	if (!libos_boot->ioports)
		return unprivileged("ioperm");
	if (!turn_on) {
		libos_log_once("ioperm off", "ioperm: EINVAL: port access cannot be given up on exo");
		return -EINVAL;
	}
	return exo_ioport_enable(libos_boot->ioports, from, num) ? -EPERM : 0;
}

long libos_iopl(long level)
{
	if (level < 0 || level > 3)
		return -EINVAL;
	if (!libos_boot->ioports)
		return unprivileged("iopl");
	return level == 3 ? libos_ioperm(0, 65536, 1) : 0; // 3: every port, as Linux since 5.5
}
