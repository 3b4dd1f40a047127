// SPDX-License-Identifier: MIT
// Process identity, the file-creation mask and exit. The pid is the boot information's (the
// process manager's: 1 for the program exorun runs, and for init or a lone program, which have
// no manager); the parent is the manager's to say, as it changes when a parent ends. Everyone is
// root until credentials come. The umask starts as 022, as Linux's first process gets it; libos
// keeps it for the file services to apply once files can be created.
#include <libos/file.h>
#include <libos/proc.h>

long libos_getpid(void)
{
	return libos_boot->pid ? (long)libos_boot->pid : 1;
}

// The parent, as the manager last said (-1: not asked yet). It changes when the parent ends: the
// manager then wakes this process, which takes the news with its signals (libos_proc_parent).
static long parent = -1;

void libos_proc_parent(long ppid)
{
	parent = ppid;
}

long libos_getppid(void)
{
	struct libos_ids ids;

	if (parent < 0)
		parent = libos_pm_ids(0, &ids) ? 0 : ids.ppid;
	return parent;
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
	libos_file_exit(); // the other ends of its pipes learn it
	for (;;)
		exo_exit(status & 0xff);
}
