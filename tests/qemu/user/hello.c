// SPDX-License-Identifier: MIT
// The smallest init: proves user mode, kernel calls, the boot information and a clean exit.
#include <exo/libexo.h>

int main(uint64_t arg)
{
	const struct exo_bootinfo *bi = (const void *)arg;

	if (bi->magic != EXO_BOOTINFO_MAGIC)
		return 1;
	exo_printf("hello from user space: quota of %lu frames, %s\n", (unsigned long)bi->quota_frames,
	           exo_null() == 0 ? "null call ok" : "null call FAILED");
	return exo_null();
}
