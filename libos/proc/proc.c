// SPDX-License-Identifier: MIT
// Process identity, the file-creation mask and exit. A program started by the kernel (or by
// exorun) is process 1 with no parent (ppid 0), run by root; there is one user until the process
// issues bring fork and credentials. The umask starts as 022, as Linux's first process gets it;
// libos keeps it for the file services to apply once files can be created.
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

static unsigned int umask_bits = 022;

long libos_umask(unsigned long mask)
{
	unsigned int old = umask_bits;

	umask_bits = mask & 0777;
	return old;
}

static void copy(char *dst, const char *src)
{
	while ((*dst++ = *src++))
		;
}

long libos_uname(struct linux_utsname *u)
{
	struct linux_utsname mine;

	memset(&mine, 0, sizeof(mine));
	copy(mine.sysname, "exo");
	copy(mine.nodename, "exo");
	copy(mine.release, "0.1");
	copy(mine.version, "exo exokernel with libos");
	copy(mine.machine, "x86_64");
	copy(mine.domainname, "(none)");
	return libos_copy(u, &mine, sizeof(mine));
}

_Noreturn void libos_exit_group(long status)
{
	for (;;)
		exo_exit(status & 0xff);
}
