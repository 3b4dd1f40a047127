// SPDX-License-Identifier: MIT
// What fork and exec both give a new process: a name, a capability table with room for the boot
// files, and the capabilities its boot information names - itself and its first thread, the
// quota it is charged to, the console, its notification and every boot file page (one kernel
// call per 512 pages) - with the handles written into the boot information bi.
#include "internal.h"

uint64_t libos_child_slots(void)
{
	uint64_t n = 1024; // besides one per boot file page

	for (uint64_t i = 0; i < libos_boot->nmodules && i < EXO_MAX_BOOT_MODULES; i++)
		n += libos_boot->modules[i].npages;
	return n;
}

void libos_child_name(const char *path, char *name)
{
	const char *b = path;

	for (const char *p = b; *p; p++)
		if (*p == '/')
			b = p + 1;
	for (int i = 0; i < LIBOS_CHILD_NAME && b[i]; i++)
		name[i] = b[i];
}

// Copies cap into the child with rights; its handle there (0 for none), or an error.
static long give(uint64_t cap, uint64_t child, uint64_t rights)
{
	return cap ? exo_cap_copy(cap, child, rights) : 0;
}

// The child's handles for the boot files, in bi (the parent's handles at first).
static long give_files(struct exo_bootinfo *bi, uint64_t child)
{
	for (uint64_t i = 0; i < bi->nmodules && i < EXO_MAX_BOOT_MODULES; i++) {
		struct exo_boot_module *m = &bi->modules[i];
		uint64_t first = 0;

		for (uint64_t p = 0; p < m->npages; p += EXO_MAP_BATCH_MAX) {
			uint64_t n = m->npages - p < EXO_MAP_BATCH_MAX ? m->npages - p : EXO_MAP_BATCH_MAX;
			long h = exo_cap_copy_range(m->frames + p, n, child, EXO_R_READ | EXO_R_GRANT);

			if (h < 0)
				return h;
			if (p == 0)
				first = (uint64_t)h;
			else if ((uint64_t)h != first + p)
				return -EXO_ENOSPC; // not consecutive
		}
		m->frames = first;
	}
	return 0;
}

long libos_child_equip(uint64_t child, uint64_t thread, uint64_t ntfn, struct exo_bootinfo *bi)
{
	long r;

	*bi = *libos_boot;
	bi->args = bi->args_size = 0; // start-up is over
	if ((r = give(child, child, EXO_R_READ | EXO_R_WRITE | EXO_R_CONTROL)) < 0)
		return r;
	bi->self = (uint64_t)r;
	if ((r = give(thread, child, EXO_R_READ | EXO_R_WRITE | EXO_R_CONTROL)) < 0)
		return r;
	bi->thread = (uint64_t)r;
	if ((r = give(libos_boot->quota, child, EXO_R_READ | EXO_R_WRITE | EXO_R_GRANT)) < 0)
		return r;
	bi->quota = (uint64_t)r;
	if ((r = give(libos_boot->console, child, EXO_R_WRITE | EXO_R_GRANT)) < 0)
		return r;
	bi->console = (uint64_t)r;
	if ((r = give(ntfn, child, EXO_R_READ | EXO_R_WRITE)) < 0)
		return r;
	bi->ntfn = (uint64_t)r;
	return give_files(bi, child);
}
