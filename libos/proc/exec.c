// SPDX-License-Identifier: MIT
// execve (in progress).
#include <libos/proc.h>

long libos_execve(const char *path, char *const *argv, char *const *envp)
{
	(void)path, (void)argv, (void)envp;
	return -ENOSYS;
}
