// SPDX-License-Identifier: MIT
// exo_module_load (see exo/modload.h): the module loader, built on exo_modelf_* for validation
// and relocation. Each image is placed by allocating frames for its span, mapping them at the
// caller's scratch range to copy and relocate, then mapping each page into the module's process
// with the protection of the segment that holds it (pages in no segment are never mapped).
#include <exo/modload.h>

struct placing {
	uint64_t self, quota, scratch, child;
	char *err;
	size_t errsize;
};

static long fail(struct placing *pl, long r, const char *what, const char *name)
{
	exo_snprintf(pl->err, pl->errsize, "%s: %s (error %ld)", name, what, r);
	return r;
}

static uint64_t rights_of(unsigned prot)
{
	return ((prot & ELF64_PROT_R) ? EXO_R_READ : 0) | ((prot & ELF64_PROT_W) ? EXO_R_WRITE : 0) |
	       ((prot & ELF64_PROT_X) ? EXO_R_EXEC : 0);
}

// The protection of the page at offset off of the span: that of the segment holding it, or 0.
static unsigned page_prot(const struct exo_modelf *m, uint64_t off)
{
	for (unsigned i = 0; i < m->nsegs; i++) {
		uint64_t lo = m->segs[i].vaddr & ~(EXO_PAGE_SIZE - 1),
		         hi = m->segs[i].vaddr + m->segs[i].memsz;

		if (off >= lo && off < hi)
			return m->segs[i].prot;
	}
	return 0;
}

// Copies and relocates img (validated as m) for base in fresh frames, maps them into the child.
static long place(struct placing *pl, const struct exo_image *img, const struct exo_modelf *m, uint64_t base,
                  exo_modelf_resolve_fn resolve, void *ctx)
{
	uint64_t npages = m->size / EXO_PAGE_SIZE, frames[64];
	long r = 0;

	if (npages > 64)
		return fail(pl, -EXO_EINVAL, "larger than 256 KiB", img->name);
	r = exo_frame_alloc(pl->quota, npages, frames);
	if (r < 0)
		return fail(pl, r, "no memory", img->name);
	for (uint64_t i = 0; i < npages && r >= 0; i++) {
		struct exo_map_op op = { frames[i], pl->scratch + i * EXO_PAGE_SIZE,
			                 EXO_R_READ | EXO_R_WRITE };

		r = exo_vspace_map(pl->self, &op, 1);
	}
	if (r >= 0) {
		exo_modelf_copy_segments(img->data, m, (void *)pl->scratch);
		r = exo_modelf_relocate(img->data, img->size, m, base, (void *)pl->scratch, resolve, ctx,
		                        pl->err, pl->errsize);
	}
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t va = pl->scratch + i * EXO_PAGE_SIZE;
		unsigned prot = page_prot(m, i * EXO_PAGE_SIZE);

		exo_vspace_unmap(pl->self, &va, 1);
		if (r >= 0 && prot) { // written, now sealed: the child's mapping takes the frame
			struct exo_map_op op = { frames[i], base + i * EXO_PAGE_SIZE,
				                 rights_of(prot) | EXO_MAP_MOVE };

			if (exo_vspace_map(pl->child, &op, 1) == 1)
				continue;
			r = fail(pl, -EXO_ENOMEM, "cannot map a page", img->name);
		}
		exo_cap_delete(frames[i]);
	}
	return r < 0 ? r : 0;
}

struct exo_image exo_boot_image(const struct exo_bootinfo *bi, unsigned i, uint64_t *at)
{
	const struct exo_boot_module *m = &bi->modules[i];
	struct exo_image img = { (const void *)*at, m->size, m->name };

	for (uint64_t p = 0; p < m->npages; p++) {
		struct exo_map_op op = { m->frames + p, *at + p * EXO_PAGE_SIZE, EXO_R_READ };

		if (exo_vspace_map(bi->self, &op, 1) != 1)
			img.size = 0;
	}
	*at += (m->npages + 1) * EXO_PAGE_SIZE;
	return img;
}

static uint64_t resolve_in_libexo(const char *name, void *ctx)
{
	const struct exo_image *lib = ((const struct exo_image **)ctx)[0];
	const struct exo_modelf *m = ((const struct exo_modelf **)ctx)[1];
	uint64_t off = exo_modelf_symbol(lib->data, lib->size, m, name);

	return off ? EXO_LIBEXO_BASE + off : 0;
}

static long fresh_pages(struct placing *pl, uint64_t va, uint64_t n, uint64_t rights, const void *src,
                        size_t len)
{
	for (uint64_t i = 0; i < n; i++) {
		struct exo_map_op op = { 0, va + i * EXO_PAGE_SIZE, rights };
		long r = exo_frame_alloc(pl->quota, 1, &op.frame);

		if (r < 0)
			return r;
		if (src && i == 0) { // fill it through the scratch range first
			struct exo_map_op tmp = { op.frame, pl->scratch, EXO_R_READ | EXO_R_WRITE };

			if (exo_vspace_map(pl->self, &tmp, 1) == 1) {
				memcpy((void *)pl->scratch, src, len);
				exo_vspace_unmap(pl->self, &tmp.vaddr, 1);
			}
		}
		op.prot |= EXO_MAP_MOVE; // the child's mapping takes the frame
		r = exo_vspace_map(pl->child, &op, 1);
		if (r != 1) {
			exo_cap_delete(op.frame);
			return r < 0 ? r : -EXO_ENOMEM;
		}
	}
	return 0;
}

// The module's own view of env: capabilities copied into its table.
static long give_env(struct placing *pl, const struct exo_module_env *env, struct exo_module_env *out)
{
	long r;

	*out = *env;
	r = exo_cap_copy(pl->child, pl->child, EXO_R_CONTROL | EXO_R_READ);
	if (r < 0)
		return r;
	out->self = (uint64_t)r;
	r = exo_cap_copy(env->quota, pl->child, EXO_R_READ | EXO_R_WRITE);
	if (r < 0)
		return r;
	out->quota = (uint64_t)r;
	r = exo_cap_copy(env->service, pl->child, EXO_R_READ);
	if (r < 0)
		return r;
	out->service = (uint64_t)r;
	if (env->control) {
		r = exo_cap_copy(env->control, pl->child, EXO_R_READ);
		if (r < 0)
			return r;
		out->control = (uint64_t)r;
	}
	if (env->ready) {
		r = exo_cap_copy(env->ready, pl->child, EXO_R_WRITE);
		if (r < 0)
			return r;
		out->ready = (uint64_t)r;
	}
	return 0;
}

long exo_module_load(uint64_t self, uint64_t quota, uint64_t scratch, const struct exo_image *lib,
                     const struct exo_image *mod, const struct exo_module_env *env, uint64_t prio,
                     struct exo_loaded_module *out, char *err, size_t errsize)
{
	static struct exo_modelf libm;
	struct placing pl = { self, quota, scratch, 0, err, errsize };
	struct exo_module_start st = { 0 };
	const void *ctx[2] = { lib, &libm };
	uint64_t entry, area;
	long r, t;

	r = exo_modelf_parse_library(lib->data, lib->size, lib->name, &libm, err, errsize);
	if (!r)
		r = exo_modelf_parse(mod->data, mod->size, mod->name, &out->elf, err, errsize);
	if (r)
		return r;
	entry = exo_modelf_symbol(lib->data, lib->size, &libm, "exo_module_entry");
	if (!entry)
		return fail(&pl, -EXO_EINVAL, "no exo_module_entry", lib->name);
	r = exo_process_create(quota, out->elf.info.name);
	if (r < 0)
		return fail(&pl, r, "cannot create a process", mod->name);
	pl.child = (uint64_t)r;
	r = place(&pl, lib, &libm, EXO_LIBEXO_BASE, NULL, NULL);
	if (!r)
		r = place(&pl, mod, &out->elf, EXO_MODULE_BASE, resolve_in_libexo, ctx);
	if (!r)
		r = fresh_pages(&pl, EXO_MODULE_STACK - EXO_MODULE_STACK_PAGES * EXO_PAGE_SIZE,
		                EXO_MODULE_STACK_PAGES, EXO_R_READ | EXO_R_WRITE, NULL, 0);
	if (!r)
		r = give_env(&pl, env, &st.env);
	st.init = EXO_MODULE_BASE + out->elf.init;
	st.serve = EXO_MODULE_BASE + out->elf.serve;
	st.export_state = out->elf.export_state ? EXO_MODULE_BASE + out->elf.export_state : 0;
	// Optional and not among the entry points exo_modelf_parse checks: only the module calls it,
	// in its own address space, so a bad address hurts nobody else.
	area = exo_modelf_symbol(mod->data, mod->size, &out->elf, EXO_MODULE_EXPORT_AREA_SYMBOL);
	st.export_area = out->export_area = area ? EXO_MODULE_BASE + area : 0;
	if (!r)
		r = fresh_pages(&pl, EXO_MODULE_START, 1, EXO_R_READ, &st, sizeof(st));
	t = r ? r : exo_thread_create(pl.child, prio);
	if (!r && t < 0)
		r = fail(&pl, t, "cannot create its thread", mod->name);
	if (!r)
		r = exo_thread_start((uint64_t)t, EXO_LIBEXO_BASE + entry, EXO_MODULE_STACK - 8,
		                     EXO_MODULE_START);
	if (r) {
		exo_process_kill(pl.child, -1);
		exo_cap_delete(pl.child);
		if (t > 0)
			exo_cap_delete((uint64_t)t);
		return r;
	}
	out->process = pl.child;
	out->thread = (uint64_t)t;
	return 0;
}
