// SPDX-License-Identifier: MIT
// Process identity and exit. A program started by the kernel (or by exorun) is process 1 with
// no parent (ppid 0), run by root; there is one user until the process issues bring fork and
// credentials.
#include <libos/proc.h>

long libos_getpid(void)
{
	return 1;
}

long libos_getppid(void)
{
	return 0;
}

long libos_getuid(void)
{
	return 0;
}

static void copy(char *dst, const char *src)
{
	while ((*dst++ = *src++))
		;
}

long libos_uname(struct linux_utsname *u)
{
	if (!u)
		return -EFAULT;
	memset(u, 0, sizeof(*u));
	copy(u->sysname, "exo");
	copy(u->nodename, "exo");
	copy(u->release, "0.1");
	copy(u->version, "exo exokernel with libos");
	copy(u->machine, "x86_64");
	copy(u->domainname, "(none)");
	return 0;
}

_Noreturn void libos_exit_group(long status)
{
	for (;;)
		exo_exit(status & 0xff);
}
