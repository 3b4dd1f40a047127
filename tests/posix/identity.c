// SPDX-License-Identifier: MIT
// identity: uname fills its strings (sysname differs between systems, so only its presence is
// printed), getpid is positive and stable and is the main thread's id, and the user and group
// ids are consistent, and umask returns the mask set before it, the permission bits only.
#include "check.h"
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(void)
{
	struct utsname u;

	memset(&u, 0, sizeof(u));
	CHECK(uname(&u) == 0);
	CHECK(u.sysname[0] != '\0');
	CHECK(memchr(u.sysname, '\0', sizeof(u.sysname)) != NULL);
	printf("uname ok\n");

	pid_t pid = getpid();
	CHECK(pid > 0);
	CHECK(getpid() == pid);
	CHECK(syscall(SYS_gettid) == pid);
	CHECK(getppid() >= 0);
	printf("getpid ok\n");

	CHECK(getuid() == geteuid());
	CHECK(getgid() == getegid());
	CHECK(getuid() != (uid_t)-1 && getgid() != (gid_t)-1);
	printf("getuid ok\n");

	mode_t old = umask(027);
	CHECK((old & ~0777) == 0);
	CHECK(umask(07777) == 027);
	CHECK(umask(old) == 0777);
	printf("umask ok\n");
	return 0;
}
