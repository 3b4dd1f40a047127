// SPDX-License-Identifier: MIT
// Unit tests for the module loader core (libexo/modelf.c).
//
// Each test starts from a small valid module built in memory the way GNU ld lays one out: a
// read-only segment with the headers, the notes (a GNU build-id note, then the .exo.module note),
// .dynsym, .dynstr, .hash, .rela.dyn, .rela.plt and .gnu.hash; a text segment with the five entry
// points; a data segment with the GOT slots, .dynamic, an exported table and bss. The tests change
// one field and check the result and the reason, relocate the valid module and check every
// relocated word, cut the file at every length, and run a deterministic random-mutation loop.
// Every parse runs on a heap copy of exactly the file's size so AddressSanitizer reports a read
// past its end, and every relocation on a heap buffer of exactly the module's span.
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// cmocka.h needs the headers above.

#include <cmocka.h>

#include <exo/exo.h>
#include <exo/modelf.h>

// The ELF64 layout, written out again here so the tests do not share the code under test.
struct t_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct t_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct t_sym {
	uint32_t name;
	uint8_t info, other;
	uint16_t shndx;
	uint64_t value, size;
};

struct t_rela {
	uint64_t offset, info;
	int64_t addend;
};

struct t_dyn {
	uint64_t tag, val;
};

enum { PT_NULL = 0, PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_TLS = 7 };
#define PT_GNU_STACK 0x6474e551u
#define PT_GNU_RELRO 0x6474e552u
enum { PF_X = 1, PF_W = 2, PF_R = 4 };
enum {
	DT_NULL = 0,
	DT_NEEDED = 1,
	DT_PLTRELSZ = 2,
	DT_PLTGOT = 3,
	DT_HASH = 4,
	DT_STRTAB = 5,
	DT_SYMTAB = 6,
	DT_RELA = 7,
	DT_RELASZ = 8,
	DT_RELAENT = 9,
	DT_STRSZ = 10,
	DT_SYMENT = 11,
	DT_INIT = 12,
	DT_SONAME = 14,
	DT_REL = 17,
	DT_PLTREL = 20,
	DT_DEBUG = 21,
	DT_TEXTREL = 22,
	DT_JMPREL = 23,
	DT_INIT_ARRAY = 25,
	DT_FLAGS = 30,
	DT_RELR = 36,
};
#define DT_GNU_HASH 0x6ffffef5u
enum { R_NONE = 0, R_64 = 1, R_PC32 = 2, R_GLOB_DAT = 6, R_JUMP_SLOT = 7, R_RELATIVE = 8, R_IRELATIVE = 37 };
enum { STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2 };
enum { STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_TLS = 6, STT_GNU_IFUNC = 10 };
#define SHN_ABS    0xfff1
#define SHN_COMMON 0xfff2
#define SHN_TEXT   7 // section indices of the defined symbols: any ordinary value
#define SHN_DATA   9

// --- the file layout (file offsets; in the first three segments vaddr = offset) ---
#define PHOFF        0x40
#define NPH          7 // LOAD R, LOAD RX, LOAD RW, DYNAMIC, NOTE, GNU_RELRO, GNU_STACK
#define NOTE_OFF     0x1d0
#define GNU_NOTE_SZ  36 // "GNU" build-id note: 12 + 4 + 20
#define EXO_NOTE_OFF (NOTE_OFF + GNU_NOTE_SZ)
#define NOTE_SZ      (GNU_NOTE_SZ + 200)
#define SYMTAB_OFF   0x2c0
#define NSYMS        13
#define STRTAB_OFF   0x400
#define HASH_OFF     0x500
#define RELA_OFF     0x580
#define NRELA        8
#define JMPREL_OFF   0x640
#define NJMPREL      2
#define GNU_HASH_OFF 0x7c0 // 64 bytes, ending the read-only segment's file part
#define SEG0_SZ      0x800
#define TEXT_OFF     0x1000
#define TEXT_SZ      0x100
#define DATA_OFF     0x2000
#define DATA_FILESZ  0x200
#define DATA_MEMSZ   0x1100
#define DYN_OFF      0x2080
#define NDYN         15
#define TABLE_VA     0x2180
#define FILE_SZ      0x2200
#define SPAN         0x4000
#define FILE_MAX     0x3000
#define BASE         0x7f1234560000ull

// Program header, dynamic entry, symbol and relocation indices of the valid module.
enum { PH_R, PH_RX, PH_RW, PH_DYN, PH_NOTE, PH_RELRO, PH_STACK };
enum {
	DY_NEEDED,
	DY_SONAME,
	DY_HASH,
	DY_STRTAB,
	DY_SYMTAB,
	DY_STRSZ,
	DY_SYMENT,
	DY_RELA,
	DY_RELASZ,
	DY_RELAENT,
	DY_JMPREL,
	DY_PLTRELSZ,
	DY_PLTREL,
	DY_PLTGOT,
	DY_NULL,
};
enum {
	SY_NULL,
	SY_RECV,    // exo_ipc_recv, undefined
	SY_PRINTF,  // exo_printf, undefined
	SY_MISSING, // exo_weak_missing, undefined weak
	SY_ABS,     // abs_sym = 0x1234 (SHN_ABS); the first symbol .gnu.hash covers
	SY_INIT,
	SY_SERVE,
	SY_QUIESCE,
	SY_EXPORT,
	SY_IMPORT,
	SY_TABLE,  // module_table, an object in the data segment
	SY_HIDDEN, // hidden_helper, STV_HIDDEN
	SY_WEAK,   // weak_export, a defined weak function
};
#define GNU_SYMOFFSET SY_ABS

// Offsets of fields, for the table-driven tests.
#define EH(f)    offsetof(struct t_ehdr, f)
#define PH(i, f) (PHOFF + (i) * sizeof(struct t_phdr) + offsetof(struct t_phdr, f))
#define DY(i, f) (DYN_OFF + (i) * sizeof(struct t_dyn) + offsetof(struct t_dyn, f))
#define SY(i, f) (SYMTAB_OFF + (i) * sizeof(struct t_sym) + offsetof(struct t_sym, f))
#define RE(i, f) (RELA_OFF + (i) * sizeof(struct t_rela) + offsetof(struct t_rela, f))
#define JR(i, f) (JMPREL_OFF + (i) * sizeof(struct t_rela) + offsetof(struct t_rela, f))
#define DESC(f)  (EXO_NOTE_OFF + 16 + offsetof(struct exo_module_desc, f))

// The file under construction and its size.
static uint8_t file[FILE_MAX];
static size_t file_size;
static size_t strsz;

static void put(size_t off, const void *v, size_t n)
{
	assert_true(off + n <= FILE_MAX);
	memcpy(file + off, v, n);
}

static void put64(size_t off, uint64_t v)
{
	put(off, &v, 8);
}

static void put32(size_t off, uint32_t v)
{
	put(off, &v, 4);
}

static void put16(size_t off, uint16_t v)
{
	put(off, &v, 2);
}

static uint32_t get32(size_t off)
{
	uint32_t v;

	memcpy(&v, file + off, 4);
	return v;
}

static uint64_t get64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static void set_ph(unsigned i, struct t_phdr ph)
{
	put(PHOFF + i * sizeof(ph), &ph, sizeof(ph));
}

static struct t_phdr get_ph(unsigned i)
{
	struct t_phdr ph;

	memcpy(&ph, file + PHOFF + i * sizeof(ph), sizeof(ph));
	return ph;
}

static void set_dyn(unsigned i, uint64_t tag, uint64_t val)
{
	struct t_dyn d = { tag, val };

	put(DYN_OFF + i * sizeof(d), &d, sizeof(d));
}

static void set_rela(size_t tab, unsigned i, uint64_t offset, uint64_t sym, uint32_t type, int64_t addend)
{
	struct t_rela r = { offset, sym << 32 | type, addend };

	put(tab + i * sizeof(r), &r, sizeof(r));
}

static void set_sym(unsigned i, uint32_t name, unsigned bind, unsigned type, uint16_t shndx, uint64_t value)
{
	struct t_sym s = {
		.name = name, .info = (uint8_t)(bind << 4 | type), .shndx = shndx, .value = value
	};

	put(SYMTAB_OFF + i * sizeof(s), &s, sizeof(s));
}

static uint32_t add_str(const char *s)
{
	uint32_t at = (uint32_t)strsz;

	put(STRTAB_OFF + strsz, s, strlen(s) + 1);
	strsz += strlen(s) + 1;
	assert_true(STRTAB_OFF + strsz <= HASH_OFF);
	return at;
}

static struct t_phdr phdr(uint32_t type, uint32_t flags, uint64_t off, uint64_t filesz, uint64_t memsz,
                          uint64_t align)
{
	return (struct t_phdr){ .type = type,
		                .flags = flags,
		                .offset = off,
		                .vaddr = off,
		                .paddr = off,
		                .filesz = filesz,
		                .memsz = memsz,
		                .align = align };
}

static uint32_t gnu_hash(const char *s)
{
	uint32_t h = 5381;

	for (; *s; s++)
		h = h * 33 + (uint8_t)*s;
	return h;
}

static const char *const sym_names[NSYMS] = {
	"",
	"exo_ipc_recv",
	"exo_printf",
	"exo_weak_missing",
	"abs_sym",
	"exo_module_init",
	"exo_module_serve",
	"exo_module_quiesce",
	"exo_module_export_state",
	"exo_module_import_state",
	"module_table",
	"hidden_helper",
	"weak_export",
};

// The .exo.module note, as EXO_MODULE_NOTE("testmod", 7, 0x5, "fs.test", "fs") makes it.
EXO_MODULE_NOTE("testmod", 7, 0x5, "fs.test", "fs");

// .gnu.hash with one bucket: the symbols from GNU_SYMOFFSET on form one chain.
static void put_gnu_hash(void)
{
	size_t off = GNU_HASH_OFF;

	put32(off, 1);                 // nbuckets
	put32(off + 4, GNU_SYMOFFSET); // symoffset
	put32(off + 8, 1);             // bloom_size
	put32(off + 12, 6);            // bloom_shift
	put64(off + 16, ~0ull);        // bloom: every name may be present
	put32(off + 24, GNU_SYMOFFSET);
	for (unsigned i = GNU_SYMOFFSET; i < NSYMS; i++)
		put32(off + 28 + 4 * (i - GNU_SYMOFFSET),
		      (gnu_hash(sym_names[i]) & ~1u) | (i == NSYMS - 1 ? 1u : 0u));
}

// Builds the valid module; gnu: its symbol count comes from DT_GNU_HASH instead of DT_HASH.
static void build(bool gnu)
{
	struct t_ehdr eh = { .ident = { 0x7f, 'E', 'L', 'F', 2, 1, 1 },
		             .type = 3,
		             .machine = 62,
		             .version = 1,
		             .phoff = PHOFF,
		             .ehsize = sizeof(struct t_ehdr),
		             .phentsize = sizeof(struct t_phdr),
		             .phnum = NPH };
	uint32_t names[NSYMS], needed, soname;
	static const uint8_t build_id_hdr[16] = { 4, 0, 0, 0, 20, 0, 0, 0, 3, 0, 0, 0, 'G', 'N', 'U', 0 };

	memset(file, 0, sizeof(file));
	file_size = FILE_SZ;
	strsz = 0;
	put(0, &eh, sizeof(eh));
	set_ph(PH_R, phdr(PT_LOAD, PF_R, 0, SEG0_SZ, SEG0_SZ, 0x1000));
	set_ph(PH_RX, phdr(PT_LOAD, PF_R | PF_X, TEXT_OFF, TEXT_SZ, TEXT_SZ, 0x1000));
	set_ph(PH_RW, phdr(PT_LOAD, PF_R | PF_W, DATA_OFF, DATA_FILESZ, DATA_MEMSZ, 0x1000));
	set_ph(PH_DYN, phdr(PT_DYNAMIC, PF_R | PF_W, DYN_OFF, NDYN * 16, NDYN * 16, 8));
	set_ph(PH_NOTE, phdr(PT_NOTE, PF_R, NOTE_OFF, NOTE_SZ, NOTE_SZ, 4));
	set_ph(PH_RELRO, phdr(PT_GNU_RELRO, PF_R, DATA_OFF, 0x180, 0x180, 1));
	set_ph(PH_STACK, (struct t_phdr){ .type = PT_GNU_STACK, .flags = PF_R | PF_W, .align = 16 });

	put(NOTE_OFF, build_id_hdr, sizeof(build_id_hdr));
	memset(file + NOTE_OFF + 16, 0xab, 20);
	put(EXO_NOTE_OFF, &exo_module_note_, sizeof(exo_module_note_));

	add_str("");
	for (unsigned i = 1; i < NSYMS; i++)
		names[i] = add_str(sym_names[i]);
	needed = add_str("libexo.so");
	soname = add_str("test.so");
	set_sym(SY_RECV, names[SY_RECV], STB_GLOBAL, STT_FUNC, 0, 0);
	set_sym(SY_PRINTF, names[SY_PRINTF], STB_GLOBAL, STT_FUNC, 0, 0);
	set_sym(SY_MISSING, names[SY_MISSING], STB_WEAK, STT_NOTYPE, 0, 0);
	set_sym(SY_ABS, names[SY_ABS], STB_GLOBAL, STT_NOTYPE, SHN_ABS, 0x1234);
	for (unsigned i = SY_INIT; i <= SY_IMPORT; i++)
		set_sym(i, names[i], STB_GLOBAL, STT_FUNC, SHN_TEXT, 0x1000 + 0x10 * (i - SY_INIT));
	set_sym(SY_TABLE, names[SY_TABLE], STB_GLOBAL, STT_OBJECT, SHN_DATA, TABLE_VA);
	set_sym(SY_HIDDEN, names[SY_HIDDEN], STB_GLOBAL, STT_FUNC, SHN_TEXT, 0x1050);
	file[SY(SY_HIDDEN, other)] = 2; // STV_HIDDEN
	set_sym(SY_WEAK, names[SY_WEAK], STB_WEAK, STT_FUNC, SHN_TEXT, 0x1060);

	put32(HASH_OFF, 1); // nbucket; the buckets and chains are not used by the loader
	put32(HASH_OFF + 4, NSYMS);
	put_gnu_hash();

	set_rela(RELA_OFF, 0, 0x2000, 0, R_RELATIVE, 0x1010);
	set_rela(RELA_OFF, 1, 0x2008, SY_PRINTF, R_64, 0x10);
	set_rela(RELA_OFF, 2, 0x2010, SY_TABLE, R_64, 8);
	set_rela(RELA_OFF, 3, 0x2018, SY_RECV, R_GLOB_DAT, 0);
	set_rela(RELA_OFF, 4, 0x2020, SY_MISSING, R_GLOB_DAT, 0);
	set_rela(RELA_OFF, 5, 0xdeadbeef, 0, R_NONE, 0);
	set_rela(RELA_OFF, 6, 0x3000, 0, R_RELATIVE, TABLE_VA); // in bss
	set_rela(RELA_OFF, 7, 0x2030, SY_ABS, R_64, 1);
	set_rela(JMPREL_OFF, 0, 0x2040, SY_PRINTF, R_JUMP_SLOT, 0);
	set_rela(JMPREL_OFF, 1, 0x2048, SY_INIT, R_JUMP_SLOT, 0);

	set_dyn(DY_NEEDED, DT_NEEDED, needed);
	set_dyn(DY_SONAME, DT_SONAME, soname);
	set_dyn(DY_HASH, gnu ? DT_GNU_HASH : DT_HASH, gnu ? GNU_HASH_OFF : HASH_OFF);
	set_dyn(DY_STRTAB, DT_STRTAB, STRTAB_OFF);
	set_dyn(DY_SYMTAB, DT_SYMTAB, SYMTAB_OFF);
	set_dyn(DY_STRSZ, DT_STRSZ, strsz);
	set_dyn(DY_SYMENT, DT_SYMENT, 24);
	set_dyn(DY_RELA, DT_RELA, RELA_OFF);
	set_dyn(DY_RELASZ, DT_RELASZ, NRELA * 24);
	set_dyn(DY_RELAENT, DT_RELAENT, 24);
	set_dyn(DY_JMPREL, DT_JMPREL, JMPREL_OFF);
	set_dyn(DY_PLTRELSZ, DT_PLTRELSZ, NJMPREL * 24);
	set_dyn(DY_PLTREL, DT_PLTREL, DT_RELA);
	set_dyn(DY_PLTGOT, DT_PLTGOT, 0x2038);
	set_dyn(DY_NULL, DT_NULL, 0);

	memset(file + TEXT_OFF, 0xcc, TEXT_SZ);            // int3
	memset(file + DATA_OFF, 0x11, DYN_OFF - DATA_OFF); // GOT slots before relocation
	memset(file + TABLE_VA, 0x42, 16);
}

static int setup_valid(void **state)
{
	(void)state;
	build(false);
	return 0;
}

static int setup_gnu(void **state)
{
	(void)state;
	build(true);
	return 0;
}

// Parses the first size bytes of file from an exact-size heap copy at an offset of skew bytes.
static int parse_at(size_t size, size_t skew, const char *name, struct exo_modelf *m, char *err,
                    size_t errsize)
{
	uint8_t *copy = malloc(size + skew ? size + skew : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy + skew, file, size);
	r = exo_modelf_parse(copy + skew, size, name, m, err, errsize);
	free(copy);
	return r;
}

static bool str_ok(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

static bool in_x_segment(const struct exo_modelf *m, uint64_t va)
{
	for (unsigned j = 0; j < m->nsegs; j++)
		if ((m->segs[j].prot & ELF64_PROT_X) && va >= m->segs[j].vaddr &&
		    va - m->segs[j].vaddr < m->segs[j].memsz)
			return true;
	return false;
}

// Checks everything modelf.h promises about a successful parse of a size-byte image.
static void check_invariants(const struct exo_modelf *m, size_t size)
{
	assert_true(m->nsegs >= 1 && m->nsegs <= EXO_MODELF_MAX_SEGMENTS);
	assert_true(m->size > 0 && m->size <= EXO_MODELF_MAX_SIZE && m->size % 0x1000 == 0);
	for (unsigned i = 0; i < m->nsegs; i++) {
		const struct elf64_segment *s = &m->segs[i];

		assert_true(s->memsz > 0 && s->filesz <= s->memsz);
		if (s->filesz)
			assert_true(s->offset <= size && s->filesz <= size - s->offset);
		assert_true(s->vaddr <= m->size && s->memsz <= m->size - s->vaddr);
		assert_int_equal(s->vaddr & 0xfff, s->offset & 0xfff);
		assert_true(s->prot != 0 && (s->prot & ~7u) == 0);
		assert_false((s->prot & ELF64_PROT_W) && (s->prot & ELF64_PROT_X));
		for (unsigned j = 0; j < i; j++) {
			const struct elf64_segment *o = &m->segs[j];

			assert_true((s->vaddr + s->memsz - 1) >> 12 < o->vaddr >> 12 ||
			            (o->vaddr + o->memsz - 1) >> 12 < s->vaddr >> 12);
		}
	}
	assert_true(m->nsyms < size && m->symtab <= size && m->nsyms * 24 <= size - m->symtab);
	assert_true(m->strsz > 0 && m->strtab <= size && m->strsz <= size - m->strtab);
	assert_true(m->nrela < size && m->rela <= size && m->nrela * 24 <= size - m->rela);
	assert_true(m->njmprel < size && m->jmprel <= size && m->njmprel * 24 <= size - m->jmprel);
	assert_true(m->init != 0 && in_x_segment(m, m->init));
	assert_true(m->serve != 0 && in_x_segment(m, m->serve));
	assert_true(m->quiesce == 0 || in_x_segment(m, m->quiesce));
	assert_true(m->export_state == 0 || in_x_segment(m, m->export_state));
	assert_true(m->import_state == 0 || in_x_segment(m, m->import_state));
	assert_true(m->relro <= m->size && m->relro_size <= m->size - m->relro);
	assert_true(str_ok(m->info.name, sizeof(m->info.name)) && m->info.name[0]);
	assert_true(m->info.nservices <= 4);
	for (unsigned k = 0; k < 4; k++)
		assert_true(str_ok(m->info.services[k], 32) &&
		            (k < m->info.nservices) == (m->info.services[k][0] != 0));
	assert_true(m->info.abi_version >= 1 && m->info.abi_version <= EXO_MODULE_ABI_VERSION);
	assert_true(str_ok(m->file, sizeof(m->file)));
}

static void expect_ok(struct exo_modelf *m)
{
	char err[200] = "";
	int r = parse_at(file_size, 0, "test.so", m, err, sizeof(err));

	if (r != 0)
		fail_msg("expected success, got %d: %s", r, err);
	assert_string_equal(err, "");
	check_invariants(m, file_size);
}

static void expect_fail(const char *want)
{
	struct exo_modelf m;
	char err[200];
	int r;

	memset(err, 'x', sizeof(err));
	r = parse_at(file_size, 0, "test.so", &m, err, sizeof(err));
	if (r == 0)
		fail_msg("expected \"%s\", but the module was accepted", want);
	assert_int_equal(r, -EXO_EINVAL);
	assert_int_equal(m.nsegs, 0);
	assert_non_null(memchr(err, '\0', sizeof(err)));
	assert_null(strchr(err, '\n'));
	assert_memory_equal(err, "test.so: ", 9);
	if (!strstr(err, want))
		fail_msg("expected \"%s\" in \"%s\"", want, err);
}

// --- relocation ---

struct resolver {
	unsigned calls;
	bool know_all; // resolve every name (the fuzz loop), not only libexo's two
};

static uint64_t resolve(const char *name, void *ctx)
{
	struct resolver *r = ctx;

	r->calls++;
	if (strcmp(name, "exo_printf") == 0)
		return 0x500000001000ull;
	if (strcmp(name, "exo_ipc_recv") == 0)
		return 0x500000002000ull;
	if (r->know_all)
		return 0x600000000000ull + strlen(name);
	return 0;
}

// Parses, copies and relocates the file at BASE into a fresh buffer of the span; returns the
// relocation result and the buffer (freed by the caller).
static int load(struct exo_modelf *m, uint8_t **memp, exo_modelf_resolve_fn fn, struct resolver *rs,
                char *err, size_t errsize)
{
	uint8_t *mem;

	expect_ok(m);
	mem = malloc(m->size);
	assert_non_null(mem);
	memset(mem, 0xee, m->size);
	exo_modelf_copy_segments(file, m, mem);
	*memp = mem;
	return exo_modelf_relocate(file, file_size, m, BASE, mem, fn, rs, err, errsize);
}

static void expect_reloc_fail(const char *want)
{
	struct resolver rs = { 0 };
	struct exo_modelf m;
	uint8_t *mem;
	char err[200];
	int r;

	memset(err, 'x', sizeof(err));
	r = load(&m, &mem, resolve, &rs, err, sizeof(err));
	free(mem);
	assert_int_equal(r, -EXO_EINVAL);
	assert_non_null(memchr(err, '\0', sizeof(err)));
	if (!strstr(err, want))
		fail_msg("expected \"%s\" in \"%s\"", want, err);
}

// --- the valid module ---

static void test_valid_parses(void **state)
{
	struct exo_modelf m;

	(void)state;
	expect_ok(&m);
	assert_int_equal(m.nsegs, 3);
	assert_int_equal(m.size, SPAN);
	assert_int_equal(m.segs[0].vaddr, 0);
	assert_int_equal(m.segs[0].memsz, SEG0_SZ);
	assert_int_equal(m.segs[0].prot, ELF64_PROT_R);
	assert_int_equal(m.segs[1].vaddr, TEXT_OFF);
	assert_int_equal(m.segs[1].offset, TEXT_OFF);
	assert_int_equal(m.segs[1].filesz, TEXT_SZ);
	assert_int_equal(m.segs[1].prot, ELF64_PROT_R | ELF64_PROT_X);
	assert_int_equal(m.segs[2].vaddr, DATA_OFF);
	assert_int_equal(m.segs[2].filesz, DATA_FILESZ);
	assert_int_equal(m.segs[2].memsz, DATA_MEMSZ);
	assert_int_equal(m.segs[2].prot, ELF64_PROT_R | ELF64_PROT_W);
	assert_int_equal(m.init, 0x1000);
	assert_int_equal(m.serve, 0x1010);
	assert_int_equal(m.quiesce, 0x1020);
	assert_int_equal(m.export_state, 0x1030);
	assert_int_equal(m.import_state, 0x1040);
	assert_int_equal(m.relro, DATA_OFF);
	assert_int_equal(m.relro_size, 0x180);
	assert_int_equal(m.nsyms, NSYMS);
	assert_int_equal(m.symtab, SYMTAB_OFF);
	assert_int_equal(m.strtab, STRTAB_OFF);
	assert_int_equal(m.strsz, strsz);
	assert_int_equal(m.nrela, NRELA);
	assert_int_equal(m.njmprel, NJMPREL);
	assert_string_equal(m.info.name, "testmod");
	assert_int_equal(m.info.version, 7);
	assert_int_equal(m.info.abi_version, EXO_MODULE_ABI_VERSION);
	assert_int_equal(m.info.caps_requested, 0x5);
	assert_int_equal(m.info.nservices, 2);
	assert_string_equal(m.info.services[0], "fs.test");
	assert_string_equal(m.info.services[1], "fs");
	assert_string_equal(m.info.services[2], "");
	assert_string_equal(m.file, "test.so");
}

static void test_gnu_hash_count(void **state)
{
	struct exo_modelf m;

	(void)state;
	expect_ok(&m);
	assert_int_equal(m.nsyms, NSYMS);
	// No bucket used: only the symbols before symoffset.
	put32(GNU_HASH_OFF + 24, 0);
	expect_fail("relocation 2: symbol index 10 outside the symbol table (4 symbols)");
}

static void test_gnu_hash_count_shorter(void **state)
{
	struct exo_modelf m;

	(void)state;
	// The chain ends at exo_module_serve: later symbols are outside the table; the relocation
	// against module_table (symbol 10) now names a symbol out of range.
	put32(GNU_HASH_OFF + 28 + 4 * (SY_SERVE - GNU_SYMOFFSET), 1);
	expect_fail("relocation 2: symbol index 10 outside the symbol table (7 symbols)");
	// Without the relocations that need them, the module parses with 7 symbols.
	set_rela(RELA_OFF, 2, 0x2010, 0, R_NONE, 0);
	set_rela(RELA_OFF, 7, 0x2030, 0, R_NONE, 0);
	expect_ok(&m);
	assert_int_equal(m.nsyms, SY_SERVE + 1);
	assert_int_equal(m.quiesce, 0);
	assert_int_equal(m.export_state, 0);
	assert_int_equal(m.import_state, 0);
}

static void test_gnu_hash_bad(void **state)
{
	(void)state;
	put32(GNU_HASH_OFF + 24, 2); // bucket below symoffset
	expect_fail("DT_GNU_HASH: bucket 0 starts at symbol 2, below symoffset=4");
	build(true);
	put32(GNU_HASH_OFF + 28 + 4 * (NSYMS - 1 - GNU_SYMOFFSET), 0); // chain never ends
	expect_fail("DT_GNU_HASH: the chain from symbol 4 runs past the end of its segment");
	put32(SEG0_SZ, 1); // just past the segment's file part, still in the file: not read
	expect_fail("DT_GNU_HASH: the chain from symbol 4 runs past the end of its segment");
	build(true);
	put32(GNU_HASH_OFF, 0x1000); // nbuckets: the buckets leave the segment
	expect_fail("DT_GNU_HASH (0x7c0, 0x4018 bytes) is not inside the file-backed part of a segment");
	build(true);
	put32(GNU_HASH_OFF + 8, 0xffffffff); // bloom_size
	expect_fail("DT_GNU_HASH (0x7c0, 0x80000000c bytes)");
	build(true);
	set_dyn(DY_HASH, DT_GNU_HASH, SEG0_SZ - 8);
	expect_fail("DT_GNU_HASH (0x7f8, 0x10 bytes) is not inside");
}

static void test_both_hashes(void **state)
{
	struct exo_modelf m;

	(void)state;
	// DT_HASH is preferred when both are present.
	set_dyn(DY_PLTGOT, DT_GNU_HASH, 0x3000); // would fail if read
	expect_ok(&m);
	assert_int_equal(m.nsyms, NSYMS);
}

static void test_relocate(void **state)
{
	struct resolver rs = { 0 };
	struct exo_modelf m;
	uint8_t *mem;
	char err[200] = "x";

	(void)state;
	assert_int_equal(load(&m, &mem, resolve, &rs, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(get64(mem + 0x2000), BASE + 0x1010);         // RELATIVE
	assert_int_equal(get64(mem + 0x2008), 0x500000001010ull);     // 64: exo_printf + 0x10
	assert_int_equal(get64(mem + 0x2010), BASE + TABLE_VA + 8);   // 64: module_table + 8
	assert_int_equal(get64(mem + 0x2018), 0x500000002000ull);     // GLOB_DAT: exo_ipc_recv
	assert_int_equal(get64(mem + 0x2020), 0);                     // GLOB_DAT: weak, unresolved
	assert_int_equal(get64(mem + 0x2028), 0x1111111111111111ull); // NONE: untouched
	assert_int_equal(get64(mem + 0x3000), BASE + TABLE_VA);       // RELATIVE in bss
	assert_int_equal(get64(mem + 0x2030), 0x1235);                // 64: SHN_ABS + 1
	assert_int_equal(get64(mem + 0x2038), 0x1111111111111111ull); // not a target
	assert_int_equal(get64(mem + 0x2040), 0x500000001000ull);     // JUMP_SLOT: exo_printf
	assert_int_equal(get64(mem + 0x2048), BASE + 0x1000);         // JUMP_SLOT: exo_module_init
	assert_int_equal(rs.calls, 4); // exo_printf twice, exo_ipc_recv, exo_weak_missing
	// Everything else is the file's bytes or zero.
	for (size_t i = 0; i < SPAN; i++) {
		uint8_t want = 0;

		if ((i >= 0x2000 && i < 0x2050) || (i >= 0x3000 && i < 0x3008))
			continue;
		if (i < SEG0_SZ || (i >= TEXT_OFF && i < TEXT_OFF + TEXT_SZ) ||
		    (i >= DATA_OFF && i < DATA_OFF + DATA_FILESZ))
			want = file[i];
		if (mem[i] != want)
			fail_msg("mem[%#zx] = %#x, expected %#x", i, mem[i], want);
	}
	free(mem);
}

static void test_relocate_gnu(void **state)
{
	test_relocate(state);
}

static void test_relocate_weak_resolved(void **state)
{
	struct resolver rs = { .know_all = true };
	struct exo_modelf m;
	uint8_t *mem;
	char err[200];

	(void)state;
	assert_int_equal(load(&m, &mem, resolve, &rs, err, sizeof(err)), 0);
	assert_int_equal(get64(mem + 0x2020), 0x600000000000ull + strlen("exo_weak_missing"));
	free(mem);
}

static void test_relocate_undefined(void **state)
{
	struct resolver rs = { 0 };
	struct exo_modelf m;
	uint8_t *mem;
	char err[200];

	(void)state;
	// Without a resolver the first import fails, named.
	assert_int_equal(load(&m, &mem, NULL, NULL, err, sizeof(err)), -EXO_EINVAL);
	assert_string_equal(err, "test.so: undefined symbol 'exo_printf'");
	free(mem);
	// A strong symbol the resolver does not know.
	set_sym(SY_MISSING, get32(SY(SY_MISSING, name)), STB_GLOBAL, STT_NOTYPE, 0, 0);
	expect_reloc_fail("undefined symbol 'exo_weak_missing'");
	// In the PLT relocations.
	build(false);
	set_rela(JMPREL_OFF, 1, 0x2048, SY_MISSING, R_JUMP_SLOT, 0);
	set_sym(SY_MISSING, get32(SY(SY_MISSING, name)), STB_GLOBAL, STT_NOTYPE, 0, 0);
	set_rela(RELA_OFF, 4, 0x2020, 0, R_NONE, 0);
	assert_int_equal(load(&m, &mem, resolve, &rs, err, sizeof(err)), -EXO_EINVAL);
	assert_string_equal(err, "test.so: undefined symbol 'exo_weak_missing'");
	free(mem);
}

static void test_relocate_bad_base(void **state)
{
	struct resolver rs = { 0 };
	struct exo_modelf m, bad;
	uint8_t *mem;
	char err[200];

	(void)state;
	assert_int_equal(load(&m, &mem, resolve, &rs, err, sizeof(err)), 0);
	assert_int_equal(
	    exo_modelf_relocate(file, file_size, &m, BASE + 8, mem, resolve, &rs, err, sizeof(err)),
	    -EXO_EINVAL);
	assert_string_equal(err, "test.so: load base 0x7f1234560008 is not page aligned");
	assert_int_equal(exo_modelf_relocate(file, file_size, &m, UINT64_MAX & ~0xfffull, mem, resolve, &rs,
	                                     err, sizeof(err)),
	                 -EXO_EINVAL);
	assert_non_null(strstr(err, "would wrap around"));
	// A description that does not match the image is refused before any write.
	bad = m;
	bad.nsegs = 0;
	assert_int_equal(
	    exo_modelf_relocate(file, file_size, &bad, BASE, mem, resolve, &rs, err, sizeof(err)),
	    -EXO_EINVAL);
	assert_non_null(strstr(err, "does not match"));
	bad = m;
	assert_int_equal(
	    exo_modelf_relocate(file, JMPREL_OFF + 24, &bad, BASE, mem, resolve, &rs, err, sizeof(err)),
	    -EXO_EINVAL);
	assert_non_null(strstr(err, "does not match"));
	assert_int_equal(exo_modelf_symbol(file, JMPREL_OFF + 24, &bad, "exo_module_init"), 0);
	// A relocation changed after parse is checked again.
	set_rela(RELA_OFF, 3, 0x1000, SY_RECV, R_GLOB_DAT, 0);
	assert_int_equal(exo_modelf_relocate(file, file_size, &m, BASE, mem, resolve, &rs, err, sizeof(err)),
	                 -EXO_EINVAL);
	assert_string_equal(err,
	                    "test.so: relocation 3: target 0x1000 is not 8 bytes inside a writable segment");
	free(mem);
}

static void test_symbol_lookup(void **state)
{
	struct exo_modelf m;

	(void)state;
	expect_ok(&m);
	assert_int_equal(exo_modelf_symbol(file, file_size, &m, "exo_module_init"), 0x1000);
	assert_int_equal(exo_modelf_symbol(file, file_size, &m, "exo_module_import_state"), 0x1040);
	assert_int_equal(exo_modelf_symbol(file, file_size, &m, "module_table"), TABLE_VA);
	assert_int_equal(exo_modelf_symbol(file, file_size, &m, "weak_export"), 0x1060);
	assert_int_equal(exo_modelf_symbol(file, file_size, &m, "hidden_helper"), 0); // STV_HIDDEN
	assert_int_equal(exo_modelf_symbol(file, file_size, &m, "exo_printf"), 0);    // undefined
	assert_int_equal(exo_modelf_symbol(file, file_size, &m, "abs_sym"), 0);       // not an offset
	assert_int_equal(exo_modelf_symbol(file, file_size, &m, "exo_module"), 0);
	assert_int_equal(exo_modelf_symbol(file, file_size, &m, ""), 0);
	assert_int_equal(exo_modelf_symbol(file, file_size, &m, "no_such_symbol"), 0);
	// A local symbol is not exported.
	file[SY(SY_TABLE, info)] = STB_LOCAL << 4 | STT_OBJECT;
	expect_ok(&m);
	assert_int_equal(exo_modelf_symbol(file, file_size, &m, "module_table"), 0);
}

static void test_optional_entry_points(void **state)
{
	struct exo_modelf m;

	(void)state;
	put32(SY(SY_QUIESCE, name), 0); // nameless
	put32(SY(SY_EXPORT, name), 0);
	file[SY(SY_IMPORT, other)] = 2; // hidden
	expect_ok(&m);
	assert_int_equal(m.quiesce, 0);
	assert_int_equal(m.export_state, 0);
	assert_int_equal(m.import_state, 0);
	// Assembly without .type: STT_NOTYPE is a function too.
	file[SY(SY_SERVE, info)] = STB_GLOBAL << 4 | STT_NOTYPE;
	expect_ok(&m);
	assert_int_equal(m.serve, 0x1010);
}

static void test_unaligned_image(void **state)
{
	struct exo_modelf m;
	char err[200];

	(void)state;
	for (size_t skew = 1; skew < 8; skew++) {
		memset(&m, 0xa5, sizeof(m));
		assert_int_equal(parse_at(file_size, skew, NULL, &m, err, sizeof(err)), 0);
		check_invariants(&m, file_size);
		assert_int_equal(m.nsyms, NSYMS);
	}
}

static void test_messages(void **state)
{
	struct exo_modelf m;
	char err[200], small[12];
	char longname[100];

	(void)state;
	file[0] = 0;
	// Without a file name there is no prefix.
	assert_int_equal(parse_at(file_size, 0, NULL, &m, err, sizeof(err)), -EXO_EINVAL);
	assert_memory_equal(err, "not an ELF file", 15);
	assert_int_equal(parse_at(file_size, 0, "", &m, err, sizeof(err)), -EXO_EINVAL);
	assert_memory_equal(err, "not an ELF file", 15);
	// No buffer at all.
	assert_int_equal(parse_at(file_size, 0, "x.so", &m, NULL, 0), -EXO_EINVAL);
	assert_int_equal(parse_at(file_size, 0, "x.so", &m, NULL, 100), -EXO_EINVAL);
	// Truncated, still terminated.
	memset(small, 'x', sizeof(small));
	assert_int_equal(parse_at(file_size, 0, "test.so", &m, small, sizeof(small)), -EXO_EINVAL);
	assert_string_equal(small, "test.so: no");
	memset(small, 'x', sizeof(small));
	assert_int_equal(parse_at(file_size, 0, "a-long-name.so", &m, small, sizeof(small)), -EXO_EINVAL);
	assert_string_equal(small, "a-long-name");
	assert_int_equal(parse_at(file_size, 0, "a.so", &m, small, 1), -EXO_EINVAL);
	assert_int_equal(small[0], '\0');
	// A long file name is kept truncated.
	memset(longname, 'n', sizeof(longname));
	longname[sizeof(longname) - 1] = '\0';
	build(false);
	assert_int_equal(parse_at(file_size, 0, longname, &m, err, sizeof(err)), 0);
	assert_int_equal(strlen(m.file), EXO_MODELF_FILE_SIZE - 1);
	assert_string_equal(err, "");
}

static void test_copy_segments_zeroes(void **state)
{
	struct exo_modelf m;
	uint8_t *mem;

	(void)state;
	expect_ok(&m);
	mem = malloc(m.size);
	assert_non_null(mem);
	memset(mem, 0xee, m.size);
	exo_modelf_copy_segments(file, &m, mem);
	assert_memory_equal(mem, file, SEG0_SZ);
	assert_memory_equal(mem + TEXT_OFF, file + TEXT_OFF, TEXT_SZ);
	assert_memory_equal(mem + DATA_OFF, file + DATA_OFF, DATA_FILESZ);
	for (size_t i = 0; i < m.size; i++)
		if ((i >= SEG0_SZ && i < TEXT_OFF) || (i >= TEXT_OFF + TEXT_SZ && i < DATA_OFF) ||
		    i >= DATA_OFF + DATA_FILESZ)
			assert_int_equal(mem[i], 0);
	free(mem);
}

// libexo.so: the same checks, without the module's note and entry points.
static void test_library(void **state)
{
	struct resolver rs = { 0 };
	struct exo_modelf m;
	uint8_t *mem;
	char err[200];

	(void)state;
	// A module is a library too.
	assert_int_equal(exo_modelf_parse_library(file, file_size, "lib.so", &m, err, sizeof(err)), 0);
	assert_string_equal(m.info.name, "testmod");
	assert_int_equal(m.init, 0x1000);
	// Without a note and without entry points.
	put32(PH(PH_NOTE, type), PT_NULL);
	put32(SY(SY_INIT, name), 0);
	put32(SY(SY_SERVE, name), 0);
	expect_fail("no .exo.module note");
	memset(err, 'x', sizeof(err));
	assert_int_equal(exo_modelf_parse_library(file, file_size, "lib.so", &m, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(m.info.name[0], 0);
	assert_int_equal(m.info.nservices, 0);
	assert_int_equal(m.init, 0);
	assert_int_equal(m.serve, 0);
	assert_int_equal(m.quiesce, 0x1020);
	assert_int_equal(m.nsyms, NSYMS);
	mem = malloc(m.size);
	assert_non_null(mem);
	exo_modelf_copy_segments(file, &m, mem);
	assert_int_equal(exo_modelf_relocate(file, file_size, &m, BASE, mem, resolve, &rs, err, sizeof(err)),
	                 0);
	assert_int_equal(get64(mem + 0x2048), BASE + 0x1000);
	free(mem);
	assert_int_equal(exo_modelf_symbol(file, file_size, &m, "exo_module_init"), 0);
	assert_int_equal(exo_modelf_symbol(file, file_size, &m, "weak_export"), 0x1060);
	// A note that is there is still checked, and so are the entry points.
	build(false);
	put32(DESC(magic), 0);
	assert_int_equal(exo_modelf_parse_library(file, file_size, "lib.so", &m, err, sizeof(err)),
	                 -EXO_EINVAL);
	assert_string_equal(err, "lib.so: .exo.module note: magic=0, expected 0x4d4f5845");
	build(false);
	put64(SY(SY_SERVE, value), TABLE_VA);
	assert_int_equal(exo_modelf_parse_library(file, file_size, "lib.so", &m, err, sizeof(err)),
	                 -EXO_EINVAL);
	assert_non_null(
	    strstr(err, "exo_module_serve (st_value=0x2180) is not inside an executable segment"));
	assert_int_equal(m.nsegs, 0);
}

// --- one field at a time ---

struct poke {
	size_t off;       // where in the file
	unsigned width;   // 1, 2, 4 or 8 bytes
	uint64_t value;   // what to write there
	const char *want; // expected in the message; NULL: still valid
};

static void poke(const struct poke *p)
{
	switch (p->width) {
	case 1:
		file[p->off] = (uint8_t)p->value;
		break;
	case 2:
		put16(p->off, (uint16_t)p->value);
		break;
	case 4:
		put32(p->off, (uint32_t)p->value);
		break;
	default:
		put64(p->off, p->value);
		break;
	}
}

static void run_pokes(const struct poke *pokes, size_t n, bool gnu)
{
	struct exo_modelf m;

	for (size_t i = 0; i < n; i++) {
		build(gnu);
		poke(&pokes[i]);
		if (pokes[i].want)
			expect_fail(pokes[i].want);
		else
			expect_ok(&m);
	}
}

#define RUN_POKES(t) run_pokes(t, sizeof(t) / sizeof(t[0]), false)

static void test_header_fields(void **state)
{
	static const struct poke t[] = {
		{ 0, 1, 0x7e, "not an ELF file (magic 7e 45 4c 46, expected 7f 45 4c 46)" },
		{ 3, 1, 'f', "not an ELF file (magic 7f 45 4c 66" },
		{ 4, 1, 1, "bad ELF header (EI_CLASS=1): modules are 64-bit ELF" },
		{ 5, 1, 2, "bad ELF header (EI_DATA=2)" },
		{ 6, 1, 0, "bad ELF header (EI_VERSION=0, expected 1)" },
		{ EH(version), 4, 2, "bad ELF header (e_version=2, expected 1)" },
		{ EH(machine), 2, 3, "bad ELF header (e_machine=3)" },
		{ EH(type), 2, 2, "bad ELF header (e_type=ET_EXEC): an executable, not a module" },
		{ EH(type), 2, 1, "bad ELF header (e_type=1): not a shared object (ET_DYN=3)" },
		{ EH(phentsize), 2, 64, "bad ELF header (e_phentsize=64, expected 56)" },
		{ EH(phnum), 2, 0, "bad ELF header (e_phnum=0, expected 1..64)" },
		{ EH(phnum), 2, 65, "bad ELF header (e_phnum=65, expected 1..64)" },
		{ EH(phoff), 8, FILE_SZ - 7 * 56 + 1,
		  "program header table outside the file (e_phoff=0x2079, e_phnum=7, file size 8704)" },
		{ EH(phoff), 8, UINT64_MAX - 8, "program header table outside the file" },
		{ EH(phoff), 8, NOTE_OFF + 16, "no loadable segment" }, // the build-id bytes: no PT_LOAD
		{ EH(entry), 8, 0x12345, NULL },                        // e_entry is not used
		{ EH(shoff), 8, UINT64_MAX, NULL },                     // nor are section headers
		{ EH(shnum), 2, 0xffff, NULL },
	};

	(void)state;
	RUN_POKES(t);
}

static void test_too_small(void **state)
{
	(void)state;
	file_size = 63;
	expect_fail("file too small for an ELF header (63 bytes, need 64)");
	file_size = 0;
	expect_fail("file too small for an ELF header (0 bytes");
}

static void test_segment_fields(void **state)
{
	static const struct poke t[] = {
		{ PH(PH_R, type), 4, PT_INTERP, "program header 0: PT_INTERP" },
		{ PH(PH_STACK, type), 4, PT_INTERP, "program header 6: PT_INTERP" },
		{ PH(PH_STACK, type), 4, PT_TLS,
		  "program header 6: PT_TLS: thread-local storage is not supported" },
		{ PH(PH_RW, filesz), 8, DATA_MEMSZ + 1,
		  "segment 2: p_filesz=0x1101 is larger than p_memsz=0x1100" },
		{ PH(PH_RW, offset), 8, FILE_SZ - DATA_FILESZ + 0x1000,
		  "segment 2: file range (p_offset=0x3000, p_filesz=0x200) outside the file (size 8704)" },
		{ PH(PH_RW, offset), 8, UINT64_MAX & ~0xfffull, "segment 2: file range" },
		{ PH(PH_RW, memsz), 8, EXO_MODELF_MAX_SIZE,
		  "segment 2: [0x2000, +0x10000000) does not fit in a module span" },
		{ PH(PH_RW, memsz), 8, EXO_MODELF_MAX_SIZE - DATA_OFF, NULL },
		{ PH(PH_RW, memsz), 8, UINT64_MAX,
		  "does not fit in a module span (at most 0x10000000 bytes)" },
		{ PH(PH_RW, vaddr), 8, UINT64_MAX & ~0xfffull, "does not fit in a module span" },
		{ PH(PH_RW, align), 8, 0x3000, "segment 2: p_align=0x3000 is not a power of two" },
		{ PH(PH_RW, align), 8, 0x200000, NULL },
		{ PH(PH_RW, align), 8, 0, NULL },
		{ PH(PH_RW, vaddr), 8, 0x2008,
		  "segment 2: p_vaddr=0x2008 and p_offset=0x2000 differ modulo the page size" },
		{ PH(PH_RX, flags), 4, PF_R | PF_W | PF_X,
		  "segment 1 is writable and executable (p_flags=0x7)" },
		{ PH(PH_RX, flags), 4, 0, "segment 1 has no access flags (p_flags=0)" },
		{ PH(PH_RX, flags), 4, 0xf0000000 | PF_R | PF_X, NULL }, // unknown flag bits are ignored
		{ PH(PH_RW, vaddr), 8, 0x1000,
		  "segment 2 overlaps segment 1 (sharing a page is not allowed)" },
		{ PH(PH_RX, vaddr), 8, 0x0, "segment 1 overlaps segment 0" },
		{ PH(PH_STACK, type), 4, PT_LOAD, NULL }, // p_memsz == 0: maps nothing
		{ PH(PH_STACK, type), 4, PT_DYNAMIC,
		  "program header 6: a second PT_DYNAMIC (the first is 3)" },
		{ PH(PH_STACK, type), 4, PT_GNU_RELRO,
		  "program header 6: a second PT_GNU_RELRO (the first is 5)" },
		{ PH(PH_STACK, type), 4, 0x60000000, NULL }, // unknown types are ignored
	};

	(void)state;
	RUN_POKES(t);
}

// A table may end exactly where its segment's file-backed part ends, not a byte later.
static void test_table_at_segment_end(void **state)
{
	struct exo_modelf m;

	(void)state;
	put64(PH(PH_R, filesz), JMPREL_OFF + NJMPREL * 24);
	expect_ok(&m);
	assert_int_equal(m.njmprel, NJMPREL);
	put64(PH(PH_R, filesz), JMPREL_OFF + NJMPREL * 24 - 1);
	expect_fail("DT_JMPREL (0x640, 0x30 bytes) is not inside the file-backed part of a segment");
}

static void test_no_load_segment(void **state)
{
	(void)state;
	put32(PH(PH_R, type), PT_NULL);
	put32(PH(PH_RX, type), PT_NULL);
	put32(PH(PH_RW, type), PT_NULL);
	expect_fail("no loadable segment (no PT_LOAD with p_memsz > 0)");
}

// Moves the program header table to the end of the file and adds PT_LOAD segments after the
// valid ones: n in all.
static void add_loads(unsigned n)
{
	size_t phoff = FILE_SZ;
	unsigned k = NPH;

	memcpy(file + phoff, file + PHOFF, NPH * sizeof(struct t_phdr));
	put64(EH(phoff), phoff);
	for (unsigned extra = 3; extra < n; extra++, k++) {
		struct t_phdr ph = phdr(PT_LOAD, PF_R, 0, 0, 0x10, 0x1000);

		ph.vaddr = 0x10000 + 0x1000 * extra;
		memcpy(file + phoff + k * sizeof(ph), &ph, sizeof(ph));
	}
	put16(EH(phnum), (uint16_t)k);
	file_size = phoff + k * sizeof(struct t_phdr);
}

static void test_max_segments(void **state)
{
	struct exo_modelf m;

	(void)state;
	add_loads(EXO_MODELF_MAX_SEGMENTS);
	expect_ok(&m);
	assert_int_equal(m.nsegs, EXO_MODELF_MAX_SEGMENTS);
	assert_int_equal(m.size, 0x10000 + 0x1000 * EXO_MODELF_MAX_SEGMENTS);
	build(false);
	add_loads(EXO_MODELF_MAX_SEGMENTS + 1);
	expect_fail("segment 12: too many PT_LOAD segments (at most 8)");
}

static void test_relro(void **state)
{
	static const struct poke t[] = {
		{ PH(PH_RELRO, vaddr), 8, 0x1000,
		  "program header 5: PT_GNU_RELRO (0x1000, 0x180 bytes) is not inside a writable segment" },
		{ PH(PH_RELRO, memsz), 8, DATA_MEMSZ + 1, "PT_GNU_RELRO (0x2000, 0x1101 bytes)" },
		{ PH(PH_RELRO, memsz), 8, DATA_MEMSZ, NULL },
		{ PH(PH_RELRO, memsz), 8, 0, NULL },
		{ PH(PH_RELRO, vaddr), 8, UINT64_MAX, "PT_GNU_RELRO" },
	};
	struct exo_modelf m;

	(void)state;
	RUN_POKES(t);
	build(false);
	put64(PH(PH_RELRO, memsz), 0);
	expect_ok(&m);
	assert_int_equal(m.relro, 0);
	assert_int_equal(m.relro_size, 0);
}

static void test_dynamic_header(void **state)
{
	static const struct poke t[] = {
		{ PH(PH_DYN, type), 4, PT_NULL, "no PT_DYNAMIC: not a shared object" },
		{ PH(PH_DYN, filesz), 8, NDYN * 16 + 8,
		  "PT_DYNAMIC: p_filesz=0xf8 is not a positive multiple of 16" },
		{ PH(PH_DYN, filesz), 8, 0, "PT_DYNAMIC: p_filesz=0 is not a positive multiple of 16" },
		{ PH(PH_DYN, filesz), 8, 0x200,
		  "PT_DYNAMIC (0x2080, 0x200 bytes) is not inside the file-backed part of a segment" },
		{ PH(PH_DYN, vaddr), 8, 0x3000, "PT_DYNAMIC (0x3000, 0xf0 bytes)" }, // bss: not in the file
		{ PH(PH_DYN, vaddr), 8, UINT64_MAX - 8, "PT_DYNAMIC" },
		{ PH(PH_DYN, offset), 8, 0x80,
		  "PT_DYNAMIC: p_offset=0x80, but its segment puts p_vaddr=0x2080 at offset 0x2080" },
		{ PH(PH_DYN, filesz), 8, (NDYN - 1) * 16,
		  "dynamic section (14 entries) has no DT_NULL terminator" },
		{ DY(DY_NULL, tag), 8, DT_DEBUG, "dynamic section (15 entries) has no DT_NULL terminator" },
	};

	(void)state;
	RUN_POKES(t);
}

static void test_dynamic_tags(void **state)
{
	static const struct poke t[] = {
		{ DY(DY_PLTGOT, tag), 8, DT_TEXTREL,
		  "dynamic entry 13: DT_TEXTREL: text relocations are not supported" },
		{ DY(DY_PLTGOT, tag), 8, DT_INIT_ARRAY,
		  "DT_INIT_ARRAY: constructors are not run (use exo_module_init)" },
		{ DY(DY_PLTGOT, tag), 8, DT_INIT, "DT_INIT: constructors are not run" },
		{ DY(DY_PLTGOT, tag), 8, DT_REL, "DT_REL: REL relocations are not used on x86-64" },
		{ DY(DY_PLTGOT, tag), 8, DT_RELR, "DT_RELR: packed relative relocations are not supported" },
		{ DY(DY_PLTGOT, tag), 8, DT_FLAGS, NULL }, // 0x2038: no DF_TEXTREL
		{ DY(DY_PLTGOT, tag), 8, DT_SYMTAB, "dynamic entry 13: DT_SYMTAB appears twice" },
		{ DY(DY_PLTGOT, tag), 8, DT_NEEDED, "DT_NEEDED: string index 0x2038 outside DT_STRTAB" },
		{ DY(DY_PLTGOT, tag), 8, 0x6ffffff9, NULL }, // DT_RELACOUNT and other tags are ignored
		{ DY(DY_PLTGOT, tag), 8, DT_DEBUG, NULL },
		{ DY(DY_STRTAB, tag), 8, DT_DEBUG, "dynamic section without DT_STRTAB" },
		{ DY(DY_STRSZ, tag), 8, DT_DEBUG, "dynamic section without DT_STRSZ" },
		{ DY(DY_SYMTAB, tag), 8, DT_DEBUG, "dynamic section without DT_SYMTAB" },
		{ DY(DY_SYMENT, tag), 8, DT_DEBUG, "DT_SYMENT=0, expected 24" },
		{ DY(DY_SYMENT, val), 8, 16, "DT_SYMENT=16, expected 24" },
		{ DY(DY_HASH, tag), 8, DT_DEBUG, "dynamic section without DT_HASH or DT_GNU_HASH" },
		{ DY(DY_STRTAB, val), 8, 0x780,
		  "DT_STRTAB (0x780, 0xcf bytes) is not inside the file-backed part of a segment" },
		{ DY(DY_STRTAB, val), 8, 0x3000, "DT_STRTAB (0x3000" },
		{ DY(DY_STRSZ, val), 8, 0, "DT_STRTAB (DT_STRSZ=0) does not end with a NUL" },
		{ DY(DY_STRSZ, val), 8, 0xce, "DT_STRTAB (DT_STRSZ=206) does not end with a NUL" },
		{ DY(DY_STRSZ, val), 8, UINT64_MAX, "DT_STRTAB (0x400, 0xffffffffffffffff bytes)" },
		{ DY(DY_SONAME, val), 8, 0xcf,
		  "DT_SONAME: string index 0xcf outside DT_STRTAB (DT_STRSZ=207)" },
		{ DY(DY_SONAME, val), 8, 0xce, NULL }, // the empty string at the end
		{ DY(DY_NEEDED, val), 8, 0xc7,
		  "needs 'test.so' (DT_NEEDED): modules may only link against libexo.so" },
		{ DY(DY_NEEDED, val), 8, 0xce, "needs '' (DT_NEEDED)" },
		{ DY(DY_NEEDED, tag), 8, DT_DEBUG, NULL }, // DT_NEEDED is optional
		{ DY(DY_HASH, val), 8, SEG0_SZ - 4, "DT_HASH (0x7fc, 0x8 bytes) is not inside" },
		{ HASH_OFF + 4, 4, 0x40000000, "DT_HASH (0x500, 0x10000000c bytes) is not inside" },
		{ HASH_OFF + 4, 4, NSYMS + 1, NULL }, // symbol 13 reads as an undefined one
		{ HASH_OFF + 4, 4, 80, "DT_SYMTAB (0x2c0, 0x780 bytes) is not inside" },
		{ HASH_OFF, 4, 0xffffffff, "DT_HASH (0x500, 0x400000038 bytes)" },
		{ DY(DY_SYMTAB, val), 8, 0x7f8, "DT_SYMTAB (0x7f8, 0x138 bytes)" },
	};

	(void)state;
	assert_int_equal(strsz, 0xcf); // the offsets above
	RUN_POKES(t);
}

static void test_dynamic_misc(void **state)
{
	struct exo_modelf m;

	(void)state;
	memcpy(file + STRTAB_OFF + 0xbd, "libc.so", 8); // over "libexo.so"
	expect_fail("needs 'libc.so' (DT_NEEDED): modules may only link against libexo.so");
	build(false);
	set_dyn(DY_PLTGOT, DT_FLAGS, 0x4);
	expect_fail("DT_FLAGS=0x4 has DF_TEXTREL: text relocations are not supported");
	build(false);
	set_dyn(DY_PLTGOT, DT_FLAGS, 0x8); // DF_BIND_NOW: binding is always eager
	expect_ok(&m);
}

static void test_symbols(void **state)
{
	static const struct poke t[] = {
		{ SY(SY_TABLE, name), 4, 0xcf, "symbol 10: st_name=0xcf outside DT_STRTAB (DT_STRSZ=207)" },
		{ SY(SY_NULL, name), 4, 0xffffffff, "symbol 0: st_name=0xffffffff" },
		{ SY(SY_TABLE, info), 1, STB_GLOBAL << 4 | STT_TLS,
		  "symbol 10 'module_table': thread-local storage is not supported" },
		{ SY(SY_RECV, info), 1, STB_GLOBAL << 4 | STT_GNU_IFUNC,
		  "symbol 1 'exo_ipc_recv': indirect functions (STT_GNU_IFUNC) are not supported" },
		{ SY(SY_TABLE, shndx), 2, SHN_COMMON,
		  "symbol 10 'module_table': reserved section index st_shndx=0xfff2" },
		{ SY(SY_TABLE, shndx), 2, 0xffff, "st_shndx=0xffff" },
		{ SY(SY_TABLE, value), 8, SPAN + 1,
		  "symbol 10 'module_table': st_value=0x4001 outside the module (span 0x4000)" },
		{ SY(SY_TABLE, value), 8, SPAN, NULL },     // like _end
		{ SY(SY_ABS, value), 8, UINT64_MAX, NULL }, // absolute: any value
		{ SY(SY_INIT, name), 4, 0, "does not export exo_module_init (every module must)" },
		{ SY(SY_SERVE, name), 4, 0, "does not export exo_module_serve (every module must)" },
		{ SY(SY_INIT, shndx), 2, 0, "does not export exo_module_init" },
		{ SY(SY_INIT, other), 1, 1, "does not export exo_module_init" }, // STV_INTERNAL
		{ SY(SY_INIT, info), 1, STB_LOCAL << 4 | STT_FUNC, "does not export exo_module_init" },
		{ SY(SY_INIT, info), 1, STB_WEAK << 4 | STT_FUNC, NULL },
		{ SY(SY_INIT, info), 1, STB_GLOBAL << 4 | STT_OBJECT,
		  "exo_module_init (symbol 5) is not a function (st_info=0x11)" },
		{ SY(SY_INIT, value), 8, TABLE_VA,
		  "exo_module_init (st_value=0x2180) is not inside an executable segment" },
		{ SY(SY_SERVE, value), 8, TEXT_OFF + TEXT_SZ,
		  "exo_module_serve (st_value=0x1100) is not inside an executable" },
		{ SY(SY_QUIESCE, value), 8, 0,
		  "exo_module_quiesce (st_value=0) is not inside an executable segment" },
		{ SY(SY_IMPORT, shndx), 2, SHN_ABS, NULL }, // not an export: absent
	};

	(void)state;
	RUN_POKES(t);
}

// The reason quotes symbol names from the file: control characters in them become '?'.
static void test_message_one_line(void **state)
{
	struct exo_modelf m;
	char err[200];

	(void)state;
	file[STRTAB_OFF + get32(SY(SY_ABS, name)) + 3] = '\n';
	file[STRTAB_OFF + get32(SY(SY_ABS, name)) + 1] = 0x1b;
	file[SY(SY_ABS, info)] = STB_GLOBAL << 4 | STT_TLS;
	expect_fail("symbol 4 'a?s?sym': thread-local storage is not supported");
	assert_int_equal(parse_at(file_size, 0, "bad\tname.so", &m, err, sizeof(err)), -EXO_EINVAL);
	assert_string_equal(err, "bad?name.so: symbol 4 'a?s?sym': thread-local storage is not supported");
}

static void test_init_undefined(void **state)
{
	struct exo_modelf m;

	(void)state;
	// An undefined exo_module_init is an import, not an export.
	put16(SY(SY_INIT, shndx), 0);
	set_rela(JMPREL_OFF, 1, 0x2048, 0, R_NONE, 0);
	expect_fail("does not export exo_module_init");
	// A second definition after an undefined one is found.
	build(false);
	put16(SY(SY_INIT, shndx), 0);
	put32(SY(SY_WEAK, name), get32(SY(SY_INIT, name)));
	expect_ok(&m);
	assert_int_equal(m.init, 0x1060);
}

static void test_relocation_tables(void **state)
{
	static const struct poke t[] = {
		{ DY(DY_RELASZ, val), 8, NRELA * 24 - 1, "DT_RELA: size 0xbf is not a multiple of 24" },
		{ DY(DY_RELAENT, val), 8, 16, "DT_RELAENT=16, expected 24" },
		{ DY(DY_RELASZ, tag), 8, DT_DEBUG, "DT_RELA without DT_RELASZ" },
		{ DY(DY_RELAENT, tag), 8, DT_DEBUG, "DT_RELA without DT_RELAENT" },
		{ DY(DY_RELA, tag), 8, DT_DEBUG, "DT_RELASZ without DT_RELA" },
		{ DY(DY_RELA, val), 8, SEG0_SZ - 24,
		  "DT_RELA (0x7e8, 0xc0 bytes) is not inside the file-backed part of a segment" },
		{ DY(DY_RELASZ, val), 8, UINT64_MAX - 15,
		  "DT_RELA (0x580, 0xfffffffffffffff0 bytes) is not inside" },
		{ DY(DY_RELASZ, val), 8, 24ull << 32, "DT_RELA (0x580, 0x1800000000 bytes) is not inside" },
		{ DY(DY_RELASZ, val), 8, 0, NULL },
		{ DY(DY_PLTREL, val), 8, DT_REL, "DT_PLTREL=17, expected DT_RELA (7)" },
		{ DY(DY_PLTRELSZ, tag), 8, DT_DEBUG, "DT_JMPREL without DT_PLTRELSZ" },
		{ DY(DY_PLTREL, tag), 8, DT_DEBUG, "DT_JMPREL without DT_PLTREL" },
		{ DY(DY_JMPREL, tag), 8, DT_DEBUG, "DT_PLTRELSZ without DT_JMPREL" },
		{ DY(DY_PLTRELSZ, val), 8, 47, "DT_JMPREL: size 0x2f is not a multiple of 24" },
		{ DY(DY_JMPREL, val), 8, 0x1000, "PLT relocation 0: type 3435973836 not supported" }, // int3s
		{ DY(DY_JMPREL, val), 8, 0x3000, "DT_JMPREL (0x3000, 0x30 bytes) is not inside" },
	};

	(void)state;
	RUN_POKES(t);
}

static void test_relocation_entries(void **state)
{
	static const struct poke t[] = {
		{ RE(7, info), 8, R_IRELATIVE, "relocation 7: type 37 not supported (R_X86_64_IRELATIVE)" },
		{ RE(7, info), 8, (uint64_t)SY_PRINTF << 32 | R_PC32,
		  "relocation 7: type 2 not supported (R_X86_64_PC32)" },
		{ RE(0, info), 8, 5, "relocation 0: type 5 not supported (R_X86_64_COPY)" },
		{ RE(0, info), 8, 18,
		  "relocation 0: type 18 not supported (R_X86_64_TPOFF64: thread-local storage)" },
		{ RE(0, info), 8, 0xffffffff, "relocation 0: type 4294967295 not supported" },
		{ RE(1, info), 8, (uint64_t)NSYMS << 32 | R_64,
		  "relocation 1: symbol index 13 outside the symbol table (13 symbols)" },
		{ RE(1, info), 8, UINT64_MAX << 32 | R_64, "relocation 1: symbol index 4294967295 outside" },
		{ RE(0, info), 8, (uint64_t)NSYMS << 32 | R_RELATIVE, NULL }, // RELATIVE ignores its symbol
		{ RE(3, info), 8, R_GLOB_DAT, NULL },                         // symbol 0: the value 0
		{ RE(3, offset), 8, 0x1000,
		  "relocation 3: target 0x1000 is not 8 bytes inside a writable segment" },
		{ RE(3, offset), 8, 0x800,
		  "relocation 3: target 0x800 is not 8 bytes inside a writable segment" },
		{ RE(3, offset), 8, 0x2000 + DATA_MEMSZ - 7, "target 0x30f9 is not 8 bytes inside" },
		{ RE(3, offset), 8, 0x2000 + DATA_MEMSZ - 8, NULL }, // the last 8 bytes of bss
		{ RE(3, offset), 8, 0x1ff8, "target 0x1ff8" },
		{ RE(3, offset), 8, SPAN, "target 0x4000" },
		{ RE(3, offset), 8, UINT64_MAX - 3, "target 0xfffffffffffffffc" },
		{ RE(3, offset), 8, 0x2003, NULL },                      // unaligned targets are allowed
		{ RE(5, info), 8, (uint64_t)9999 << 32 | R_NONE, NULL }, // NONE: nothing checked
		{ JR(1, info), 8, (uint64_t)SY_INIT << 32 | R_PC32,
		  "PLT relocation 1: type 2 not supported" },
		{ JR(0, offset), 8, 0x1008,
		  "PLT relocation 0: target 0x1008 is not 8 bytes inside a writable segment" },
	};

	(void)state;
	RUN_POKES(t);
}

// --- the .exo.module note ---

static void test_note_fields(void **state)
{
	static const struct poke t[] = {
		{ PH(PH_NOTE, type), 4, PT_NULL,
		  "no .exo.module note (a module declares itself with EXO_MODULE_NOTE)" },
		{ EXO_NOTE_OFF + 8, 4, 2, "no .exo.module note" },    // another type
		{ EXO_NOTE_OFF + 12, 1, 'E', "no .exo.module note" }, // another owner
		{ EXO_NOTE_OFF + 4, 4, 180, ".exo.module note: n_descsz=180, expected 184" },
		{ EXO_NOTE_OFF + 4, 4, 188,
		  "program header 4: PT_NOTE: note at +0x24 (n_namesz=4, n_descsz=188) runs past the end "
		  "(0xec bytes)" },
		{ EXO_NOTE_OFF, 4, 0xffffffff, "runs past the end" },
		{ EXO_NOTE_OFF + 4, 4, 0xffffffff, "n_descsz=4294967295" },
		{ NOTE_OFF, 4, 8,
		  "PT_NOTE: note at +0x28 (n_namesz=184, n_descsz=1) runs past the end" }, // misread
		{ PH(PH_NOTE, filesz), 8, NOTE_SZ - 1, "runs past the end (0xeb bytes)" },
		{ PH(PH_NOTE, filesz), 8, GNU_NOTE_SZ + 8,
		  "program header 4: PT_NOTE: truncated note header at +0x24" },
		{ PH(PH_NOTE, filesz), 8, GNU_NOTE_SZ, "no .exo.module note" },
		{ PH(PH_NOTE, filesz), 8, 0, "no .exo.module note" },
		{ PH(PH_NOTE, offset), 8, FILE_SZ - NOTE_SZ + 1,
		  "program header 4: PT_NOTE (p_offset=0x2115, p_filesz=0xec) outside the file (size 8704)" },
		{ PH(PH_NOTE, align), 8, 16, "program header 4: PT_NOTE p_align=0x10, expected 4 or 8" },
		{ PH(PH_NOTE, align), 8, 8,
		  "note at +0x28 (n_namesz=184" }, // 8-byte padding misreads 4-byte notes
		{ PH(PH_NOTE, align), 8, 0, NULL },
		{ PH(PH_STACK, type), 4, PT_NOTE, "program header 6: PT_NOTE p_align=0x10, expected 4 or 8" },
		{ PH(PH_RELRO, type), 4, PT_NOTE,
		  "program header 5: PT_NOTE: note at +0 (n_namesz=286331153" },
		{ DESC(magic), 4, 0x12345678, ".exo.module note: magic=0x12345678, expected 0x4d4f5845" },
		{ DESC(abi_version), 4, 0, ".exo.module note: abi_version=0, this loader knows 1..1" },
		{ DESC(abi_version), 4, EXO_MODULE_ABI_VERSION + 1, "abi_version=2" },
		{ DESC(reserved), 4, 1, ".exo.module note: reserved=0x1, expected 0" },
		{ DESC(version), 4, 0xffffffff, NULL },
		{ DESC(caps), 8, UINT64_MAX, NULL },
		{ DESC(name), 1, 0,
		  ".exo.module note: the module name is empty, not NUL-padded in 32 bytes or not printable" },
		{ DESC(name) + 3, 1, ' ', "the module name is empty, not NUL-padded" },
		{ DESC(name) + 3, 1, 0x7f, "the module name is empty" },
		{ DESC(name) + 3, 1, 0xc3, "the module name is empty" },
		{ DESC(name) + 31, 1, 'x', "the module name is empty" }, // garbage after the NUL
		{ DESC(name) + 7, 1, 'x', NULL },                        // "testmodx"
		{ DESC(services) + 6, 1, 0x09,
		  ".exo.module note: service 0 is not NUL-padded in 32 bytes or not printable" },
		{ DESC(services) + 32 + 31, 1, '!', "service 1 is not NUL-padded" },
		{ DESC(services) + 32 + 1, 1, 0, NULL },                                        // "f"
		{ DESC(services) + 32, 1, 0, ".exo.module note: service 1 is not NUL-padded" }, // "\0s"
		{ DESC(services) + 96 + 5, 1, 'z',
		  ".exo.module note: service 3 follows an empty service slot" },
		{ DESC(services) + 64, 1, 'z', NULL }, // a third service, "z"
	};

	(void)state;
	RUN_POKES(t);
}

static void test_note_services(void **state)
{
	struct exo_modelf m;

	(void)state;
	// Service 1 emptied while service 0 stays: one service.
	memset(file + DESC(services) + 32, 0, 32);
	expect_ok(&m);
	assert_int_equal(m.info.nservices, 1);
	// Service 0 emptied: the second one follows an empty slot.
	build(false);
	memset(file + DESC(services), 0, 32);
	expect_fail(".exo.module note: service 1 follows an empty service slot");
	// No services at all.
	build(false);
	memset(file + DESC(services), 0, 4 * 32);
	expect_ok(&m);
	assert_int_equal(m.info.nservices, 0);
	// Four, the last exactly 31 characters.
	build(false);
	memcpy(file + DESC(services) + 64, "a", 2);
	memcpy(file + DESC(services) + 96, "0123456789012345678901234567890", 32);
	expect_ok(&m);
	assert_int_equal(m.info.nservices, 4);
	assert_string_equal(m.info.services[3], "0123456789012345678901234567890");
	// 32 characters leave no room for the NUL.
	file[DESC(services) + 127] = 'x';
	expect_fail(".exo.module note: service 3 is not NUL-padded");
	// A name listed twice.
	build(false);
	memcpy(file + DESC(services) + 32, "fs.test", 8);
	expect_fail(".exo.module note: service 'fs.test' is listed twice");
}

static void test_note_placement(void **state)
{
	struct t_phdr ph = get_ph(PH_NOTE);
	struct exo_modelf m;

	(void)state;
	// The module note alone in an 8-aligned PT_NOTE (its layout is the same with 8-byte padding).
	ph.offset = ph.vaddr = EXO_NOTE_OFF;
	ph.filesz = ph.memsz = 200;
	ph.align = 8;
	set_ph(PH_NOTE, ph);
	expect_ok(&m);
	assert_string_equal(m.info.name, "testmod");
	// A longer descriptor, inside its PT_NOTE.
	build(false);
	put32(EXO_NOTE_OFF + 4, 188);
	put64(PH(PH_NOTE, filesz), NOTE_SZ + 4);
	expect_fail(".exo.module note: n_descsz=188, expected 184");
	build(false);
	ph = get_ph(PH_NOTE);
	ph.offset = ph.vaddr = EXO_NOTE_OFF;
	ph.filesz = ph.memsz = 200;
	ph.align = 8;
	set_ph(PH_NOTE, ph);
	// A second PT_NOTE over the same note: two module notes.
	set_ph(PH_STACK, ph);
	expect_fail("program header 6: a second .exo.module note");
	// An "exo" note of another type is skipped.
	build(false);
	memcpy(file + NOTE_OFF + 12, "exo", 4);
	expect_ok(&m);
	// Two PT_NOTE headers, each with one note.
	build(false);
	ph = get_ph(PH_NOTE);
	ph.filesz = ph.memsz = GNU_NOTE_SZ;
	set_ph(PH_NOTE, ph);
	ph.offset = ph.vaddr = EXO_NOTE_OFF;
	ph.filesz = ph.memsz = 200;
	set_ph(PH_STACK, ph);
	expect_ok(&m);
	assert_int_equal(m.info.version, 7);
}

static void test_note_macro(void **state)
{
	(void)state;
	assert_int_equal(sizeof(exo_module_note_), 200);
	assert_int_equal(exo_module_note_.namesz, 4);
	assert_int_equal(exo_module_note_.descsz, 184);
	assert_int_equal(exo_module_note_.type, EXO_MODULE_NOTE_TYPE);
	assert_string_equal(exo_module_note_.owner, "exo");
	assert_int_equal(exo_module_note_.desc.magic, EXO_MODULE_NOTE_MAGIC);
	assert_memory_equal(&exo_module_note_.desc.magic, "EXOM", 4);
	assert_int_equal(exo_module_note_.desc.abi_version, EXO_MODULE_ABI_VERSION);
	assert_int_equal(exo_module_note_.desc.version, 7);
	assert_int_equal(exo_module_note_.desc.reserved, 0);
	assert_int_equal(exo_module_note_.desc.caps, 5);
	assert_string_equal(exo_module_note_.desc.name, "testmod");
	assert_string_equal(exo_module_note_.desc.services[1], "fs");
	assert_int_equal(exo_module_note_.desc.services[2][0], 0);
	assert_int_equal((uintptr_t)&exo_module_note_ % 4, 0);
}

// --- truncation and random mutation ---

static void test_truncated(void **state)
{
	struct exo_modelf m;
	char err[200];

	(void)state;
	for (size_t n = 0; n < file_size; n++) {
		err[0] = 'x';
		assert_int_equal(parse_at(n, 0, "t.so", &m, err, sizeof(err)), -EXO_EINVAL);
		assert_true(err[0] != '\0' && err[0] != 'x');
		assert_int_equal(m.nsegs, 0);
	}
	assert_int_equal(parse_at(file_size, 0, "t.so", &m, err, sizeof(err)), 0);
}

// A deterministic PRNG (xorshift64*).
static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t interesting(void)
{
	static const uint64_t v[] = {
		0,
		1,
		2,
		3,
		4,
		5,
		6,
		7,
		8,
		16,
		24,
		37,
		56,
		64,
		0xc4,
		0xff,
		0x1000,
		0x2000,
		0x2080,
		0x3000,
		SPAN,
		SEG0_SZ,
		FILE_SZ,
		SYMTAB_OFF,
		RELA_OFF,
		HASH_OFF,
		GNU_HASH_OFF,
		NSYMS,
		0xfff1,
		0xff00,
		0xffff,
		0x7fffffff,
		0xffffffff,
		1ull << 32,
		1ull << 63,
		EXO_MODELF_MAX_SIZE,
		UINT64_MAX - 0xfff,
		UINT64_MAX - 7,
		UINT64_MAX,
	};
	uint64_t x = v[rng() % (sizeof(v) / sizeof(v[0]))];

	return (rng() & 3) == 0 ? x + (rng() % 17) - 8 : x;
}

// The structured parts of the file that mutations aim at.
static const struct {
	size_t off, len;
} regions[] = {
	{ 0, PHOFF + NPH * sizeof(struct t_phdr) },
	{ NOTE_OFF, NOTE_SZ },
	{ SYMTAB_OFF, NSYMS * sizeof(struct t_sym) },
	{ HASH_OFF, 8 },
	{ RELA_OFF, (NRELA + NJMPREL) * sizeof(struct t_rela) + 0x10 },
	{ GNU_HASH_OFF, 64 },
	{ DYN_OFF, NDYN * sizeof(struct t_dyn) },
	{ STRTAB_OFF, 0xcf },
};

// One random change: a byte, a bit, or a 2/4/8-byte field set to a boundary value.
static void mutate(void)
{
	size_t k = rng() % (sizeof(regions) / sizeof(regions[0]));
	size_t off = regions[k].off + rng() % regions[k].len, end = regions[k].off + regions[k].len;
	uint64_t v;
	size_t w;

	switch (rng() % 4) {
	case 0:
		file[off] = (uint8_t)rng();
		break;
	case 1:
		file[off] ^= (uint8_t)(1u << (rng() % 8));
		break;
	default:
		w = (size_t)1 << (1 + rng() % 3);
		off = off / w * w; // fields are naturally aligned
		if (off + w > end)
			off = end - w;
		v = interesting();
		memcpy(file + off, &v, w);
		break;
	}
}

static void test_fuzz_mutations(void **state)
{
	static uint8_t pristine[2][FILE_MAX];
	unsigned ok = 0, failed = 0, relocated = 0;
	struct resolver rs = { .know_all = true };
	struct exo_modelf m;
	char err[200];

	(void)state;
	build(false);
	memcpy(pristine[0], file, FILE_MAX);
	build(true);
	memcpy(pristine[1], file, FILE_MAX);
	rng_state = 0x9e3779b97f4a7c15ull;
	for (int iter = 0; iter < 20000; iter++) {
		size_t size = FILE_SZ;
		uint8_t *copy;
		int r;

		memcpy(file, pristine[iter & 1], FILE_MAX);
		for (unsigned n = 1 + rng() % 3; n; n--)
			mutate();
		if (rng() % 16 == 0)
			size = rng() % (FILE_SZ + 1);
		copy = malloc(size ? size : 1);
		assert_non_null(copy);
		memcpy(copy, file, size);
		memset(err, 'x', sizeof(err));
		r = exo_modelf_parse(copy, size, "f.so", &m, err, sizeof(err));
		if (r == 0) {
			check_invariants(&m, size);
			assert_string_equal(err, "");
			ok++;
			if (m.size <= (1u << 20)) {
				uint8_t *mem = malloc(m.size);

				assert_non_null(mem);
				exo_modelf_copy_segments(copy, &m, mem);
				r = exo_modelf_relocate(copy, size, &m, BASE, mem, resolve, &rs, err,
				                        sizeof(err));
				assert_true(r == 0 || (r == -EXO_EINVAL && strncmp(err, "f.so: ", 6) == 0));
				assert_null(strchr(err, '\n'));
				relocated += r == 0;
				exo_modelf_symbol(copy, size, &m, "module_table");
				free(mem);
			}
		} else {
			assert_int_equal(r, -EXO_EINVAL);
			assert_int_equal(m.nsegs, 0);
			assert_non_null(memchr(err, '\0', sizeof(err)));
			assert_memory_equal(err, "f.so: ", 6);
			assert_null(strchr(err, '\n'));
			assert_true(err[6] != '\0');
			failed++;
		}
		free(copy);
	}
	// Both outcomes must be common, or the mutations are not exercising the loader.
	print_message("%u accepted (%u relocated), %u refused\n", ok, relocated, failed);
	assert_true(ok > 2000);
	assert_true(relocated > 2000);
	assert_true(failed > 2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_valid_parses, setup_valid),
		cmocka_unit_test_setup(test_gnu_hash_count, setup_gnu),
		cmocka_unit_test_setup(test_gnu_hash_count_shorter, setup_gnu),
		cmocka_unit_test_setup(test_gnu_hash_bad, setup_gnu),
		cmocka_unit_test_setup(test_both_hashes, setup_valid),
		cmocka_unit_test_setup(test_relocate, setup_valid),
		cmocka_unit_test_setup(test_relocate_gnu, setup_gnu),
		cmocka_unit_test_setup(test_relocate_weak_resolved, setup_valid),
		cmocka_unit_test_setup(test_relocate_undefined, setup_valid),
		cmocka_unit_test_setup(test_relocate_bad_base, setup_valid),
		cmocka_unit_test_setup(test_symbol_lookup, setup_valid),
		cmocka_unit_test_setup(test_optional_entry_points, setup_valid),
		cmocka_unit_test_setup(test_unaligned_image, setup_valid),
		cmocka_unit_test_setup(test_messages, setup_valid),
		cmocka_unit_test_setup(test_copy_segments_zeroes, setup_valid),
		cmocka_unit_test_setup(test_library, setup_valid),
		cmocka_unit_test_setup(test_header_fields, setup_valid),
		cmocka_unit_test_setup(test_too_small, setup_valid),
		cmocka_unit_test_setup(test_segment_fields, setup_valid),
		cmocka_unit_test_setup(test_table_at_segment_end, setup_valid),
		cmocka_unit_test_setup(test_no_load_segment, setup_valid),
		cmocka_unit_test_setup(test_max_segments, setup_valid),
		cmocka_unit_test_setup(test_relro, setup_valid),
		cmocka_unit_test_setup(test_dynamic_header, setup_valid),
		cmocka_unit_test_setup(test_dynamic_tags, setup_valid),
		cmocka_unit_test_setup(test_dynamic_misc, setup_valid),
		cmocka_unit_test_setup(test_symbols, setup_valid),
		cmocka_unit_test_setup(test_message_one_line, setup_valid),
		cmocka_unit_test_setup(test_init_undefined, setup_valid),
		cmocka_unit_test_setup(test_relocation_tables, setup_valid),
		cmocka_unit_test_setup(test_relocation_entries, setup_valid),
		cmocka_unit_test_setup(test_note_fields, setup_valid),
		cmocka_unit_test_setup(test_note_services, setup_valid),
		cmocka_unit_test_setup(test_note_placement, setup_valid),
		cmocka_unit_test_setup(test_note_macro, setup_valid),
		cmocka_unit_test_setup(test_truncated, setup_valid),
		cmocka_unit_test_setup(test_fuzz_mutations, setup_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
