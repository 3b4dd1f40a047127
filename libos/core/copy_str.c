// SPDX-License-Identifier: MIT
// Path names and other strings programs pass to system calls, copied in with libos_copy so that
// a bad pointer gives EFAULT, as on Linux, rather than a fault in libos.
#include <libos/libos.h>

long libos_copy_str(char *dst, const char *src, size_t size)
{
	if (!src)
		return -EFAULT;
	for (size_t i = 0; i < size; i++) {
		if (libos_copy(&dst[i], &src[i], 1))
			return -EFAULT;
		if (!dst[i])
			return 0;
	}
	return -ENAMETOOLONG;
}
