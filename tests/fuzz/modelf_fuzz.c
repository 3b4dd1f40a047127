// SPDX-License-Identifier: MIT
// Fuzz target for the module loader core (libexo/modelf.c): every input goes through parse, and
// every accepted one through copy, relocate and symbol lookup, with the invariants of
// <exo/modelf.h> checked (abort on violation, so the fuzzer reports it). Built with
// -DMODELF_CHECK it is instead a command-line check: `modelf_check [--library] FILE...` loads
// real modules (or, after --library, shared libraries such as libexo.so) and fails unless each is
// accepted, relocated, and its relocated words equal those of the system's ld.so. See
// tests/fuzz/README.md.
#ifdef MODELF_CHECK
#define _GNU_SOURCE // dlinfo
#include <dlfcn.h>
#include <link.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exo/exo.h>
#include <exo/modelf.h>

#define BASE     0x7f0000000000ull // page aligned, like a real load address
#define MAX_SPAN (16u << 20)       // relocate only modules this small (the limit is 256 MiB)

#define CHECK(c)                                                                                          \
	do {                                                                                              \
		if (!(c)) {                                                                               \
			fprintf(stderr, "modelf invariant failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); \
			abort();                                                                          \
		}                                                                                         \
	} while (0)

// libexo's names resolve to made-up addresses; anything else is unknown (weak: 0; else an error).
static uint64_t resolve(const char *name, void *ctx)
{
	(void)ctx;
	if (strncmp(name, "exo_", 4) == 0 || strncmp(name, "mem", 3) == 0)
		return 0x7e0000000000ull + 16 * strlen(name);
	return 0;
}

static int in_x_segment(const struct exo_modelf *m, uint64_t va)
{
	for (unsigned j = 0; j < m->nsegs; j++)
		if ((m->segs[j].prot & ELF64_PROT_X) && va >= m->segs[j].vaddr &&
		    va - m->segs[j].vaddr < m->segs[j].memsz)
			return 1;
	return 0;
}

static void check_invariants(const struct exo_modelf *m, size_t size, int library)
{
	CHECK(m->nsegs >= 1 && m->nsegs <= EXO_MODELF_MAX_SEGMENTS);
	CHECK(m->size > 0 && m->size <= EXO_MODELF_MAX_SIZE && m->size % 4096 == 0);
	for (unsigned i = 0; i < m->nsegs; i++) {
		const struct elf64_segment *s = &m->segs[i];

		CHECK(s->memsz > 0 && s->filesz <= s->memsz);
		CHECK(s->filesz == 0 || (s->offset <= size && s->filesz <= size - s->offset));
		CHECK(s->vaddr <= m->size && s->memsz <= m->size - s->vaddr);
		CHECK((s->vaddr & 0xfff) == (s->offset & 0xfff));
		CHECK(s->prot != 0 && (s->prot & ~7u) == 0 && (s->prot & 6) != 6);
		for (unsigned j = 0; j < i; j++) {
			const struct elf64_segment *o = &m->segs[j];

			CHECK((s->vaddr + s->memsz - 1) >> 12 < o->vaddr >> 12 ||
			      (o->vaddr + o->memsz - 1) >> 12 < s->vaddr >> 12);
		}
	}
	CHECK(m->symtab <= size && m->nsyms <= (size - m->symtab) / 24);
	CHECK(m->strsz > 0 && m->strtab <= size && m->strsz <= size - m->strtab);
	CHECK(m->rela <= size && m->nrela <= (size - m->rela) / 24);
	CHECK(m->jmprel <= size && m->njmprel <= (size - m->jmprel) / 24);
	CHECK(library || (m->init && m->serve));
	CHECK(!m->init || in_x_segment(m, m->init));
	CHECK(!m->serve || in_x_segment(m, m->serve));
	CHECK(!m->quiesce || in_x_segment(m, m->quiesce));
	CHECK(!m->export_state || in_x_segment(m, m->export_state));
	CHECK(!m->import_state || in_x_segment(m, m->import_state));
	CHECK(m->relro <= m->size && m->relro_size <= m->size - m->relro);
	CHECK(memchr(m->info.name, 0, sizeof(m->info.name)) && (library || m->info.name[0]));
	CHECK(m->info.nservices <= 4);
	for (unsigned k = 0; k < 4; k++)
		CHECK(memchr(m->info.services[k], 0, 32) &&
		      (k < m->info.nservices) == (m->info.services[k][0] != 0));
}

// One input: parse (as a module, or as a library); if accepted, check, copy, relocate and look
// up. *relocated: the relocation result (1 when not attempted). Returns the parse result.
static int run(const uint8_t *data, size_t size, const char *file, int library, struct exo_modelf *m,
               char *err, size_t errsize, int *relocated)
{
	int r = library ? exo_modelf_parse_library(data, size, file, m, err, errsize)
	                : exo_modelf_parse(data, size, file, m, err, errsize);
	uint8_t *mem;

	*relocated = 1;
	if (r) {
		CHECK(r == -EXO_EINVAL && m->nsegs == 0 && memchr(err, 0, errsize) && err[0]);
		return r;
	}
	check_invariants(m, size, library);
	if (m->size > MAX_SPAN)
		return 0;
	mem = malloc(m->size);
	CHECK(mem != NULL);
	exo_modelf_copy_segments(data, m, mem);
	*relocated = exo_modelf_relocate(data, size, m, BASE, mem, resolve, NULL, err, errsize);
	CHECK(*relocated == 0 || (*relocated == -EXO_EINVAL && err[0]));
	CHECK(exo_modelf_symbol(data, size, m, EXO_MODULE_INIT_SYMBOL) == m->init);
	CHECK(exo_modelf_symbol(data, size, m, EXO_MODULE_SERVE_SYMBOL) == m->serve);
	free(mem);
	return 0;
}

#ifndef MODELF_CHECK
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct exo_modelf m;
	char err[160];
	int relocated;

	// Odd sizes go through the library parse: both paths, deterministically per input.
	run(data, size, "fuzz.so", size & 1, &m, err, sizeof(err), &relocated);
	return 0;
}
#else

// Imports resolve as ld.so resolves them for a library opened with RTLD_LOCAL: in the global
// scope (this program and libc), then in the library's own (it and its DT_NEEDED).
static uint64_t dl_resolve(const char *name, void *handle)
{
	void *v = dlsym(RTLD_DEFAULT, name);

	return (uint64_t)(uintptr_t)(v ? v : dlsym(handle, name));
}

// ld.so lets the global scope interpose on a symbol the module defines (libexo.so's memcpy
// becomes libc's); the exo loader binds it to the module's own definition. Such words differ by
// design and are not compared.
static int interposed(const uint8_t *data, const struct exo_modelf *m, uint64_t sym)
{
	uint8_t s[24];
	uint32_t name;
	uint16_t shndx;

	if (sym == 0 || sym >= m->nsyms)
		return 0;
	memcpy(s, data + m->symtab + 24 * sym, sizeof(s));
	memcpy(&name, s, 4);
	memcpy(&shndx, s + 6, 2);
	return shndx != 0 && dlsym(RTLD_DEFAULT, (const char *)data + m->strtab + name) != NULL;
}

// Loads the module with the system's ld.so too (RTLD_NOW: every relocation applied, PLT slots
// included) and relocates it here at the same base with the same symbol values: every word a
// relocation targets must be the same in both. Returns the number of mismatches (or 1).
static int compare_with_ld_so(const char *path, const uint8_t *data, size_t size, const struct exo_modelf *m)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	struct link_map *lm = NULL;
	int bad = 0, same = 0, skipped = 0;
	char err[200];
	uint8_t *mem;

	if (!h || dlinfo(h, RTLD_DI_LINKMAP, &lm) != 0 || !lm) {
		printf("FAIL %s: dlopen: %s (is libexo.so on LD_LIBRARY_PATH?)\n", path, dlerror());
		return 1;
	}
	mem = malloc(m->size);
	CHECK(mem != NULL);
	exo_modelf_copy_segments(data, m, mem);
	if (exo_modelf_relocate(data, size, m, lm->l_addr, mem, dl_resolve, h, err, sizeof(err)) != 0) {
		printf("FAIL %s (at ld.so's base %#lx)\n", err, (unsigned long)lm->l_addr);
		bad = 1;
	}
	for (int t = 0; t < 2 && !bad; t++) {
		uint64_t off = t ? m->jmprel : m->rela, n = t ? m->njmprel : m->nrela;

		for (uint64_t i = 0; i < n; i++) {
			uint64_t r[3], ours, theirs;

			memcpy(r, data + off + 24 * i, sizeof(r));
			if ((uint32_t)r[1] == 0)
				continue;
			if (interposed(data, m, r[1] >> 32)) {
				skipped++;
				continue;
			}
			memcpy(&ours, mem + r[0], 8);
			memcpy(&theirs, (const uint8_t *)lm->l_addr + r[0], 8);
			if (ours != theirs) {
				printf(
				    "FAIL %s: %srelocation %lu (type %u) at %#lx: %#lx here, %#lx by ld.so\n",
				    path, t ? "PLT " : "", i, (unsigned)r[1], r[0], ours, theirs);
				bad++;
			} else {
				same++;
			}
		}
	}
	if (!bad)
		printf(
		    "ok   %s: the %d relocated words match ld.so's (%d interposed by ld.so, not compared)\n",
		    path, same, skipped);
	free(mem);
	dlclose(h);
	return bad;
}

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc(n ? (size_t)n : 1)) != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n)
		*size = (size_t)n;
	else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	int failed = 0, library = 0, files = 0;

	for (int i = 1; i < argc; i++) {
		struct exo_modelf m;
		char err[200];
		size_t size = 0;
		uint8_t *data = strcmp(argv[i], "--library") ? read_file(argv[i], &size) : NULL;
		int relocated;

		if (strcmp(argv[i], "--library") == 0) {
			library = 1;
			continue;
		}
		files++;
		if (!data) {
			printf("FAIL %s: cannot read\n", argv[i]);
			failed++;
			continue;
		}
		if (run(data, size, argv[i], library, &m, err, sizeof(err), &relocated) || relocated) {
			printf("FAIL %s\n", err);
			failed++;
		} else {
			printf("ok   %s: module '%s' v%u, %u segments, span %#lx, %lu symbols, %lu+%lu "
			       "relocations, init %#lx serve %#lx quiesce %#lx, %u services\n",
			       argv[i], m.info.name, m.info.version, m.nsegs, m.size, m.nsyms, m.nrela,
			       m.njmprel, m.init, m.serve, m.quiesce, m.info.nservices);
			failed += compare_with_ld_so(argv[i], data, size, &m) != 0;
		}
		free(data);
	}
	printf("modelf_check: %d passed, %d failed\n", files - failed, failed);
	return failed ? 1 : 0;
}
#endif
