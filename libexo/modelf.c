// SPDX-License-Identifier: MIT
// ELF64 module loader core: validates an untrusted ET_DYN module, plans its memory, applies its
// relocations and finds its exports. No kernel calls: the module manager does the mapping.
//
// The image comes from outside (a boot module, a file, exoctl on the host) and is not trusted: a
// bad file must end in a clear message, never in a wild read or write. As in exo/common/elf.c every
// header and table entry is copied with memcpy into a local struct before use (the image may be
// unaligned) and every bound is checked in a form that cannot overflow: `off > size || len > size
// - off` rather than `off + len > size`.
//
// exo_modelf_parse checks, in this order, each failure reported with the field and value:
//   1. the ELF header and the program header table (the checks shared with exo/common/elf.c in
//      exo/common/elf64.c, then ET_DYN);
//   2. the program headers: PT_LOAD (file range, span, alignment, W^X, no shared page, at most
//      EXO_MODELF_MAX_SEGMENTS), PT_INTERP and PT_TLS refused, one PT_DYNAMIC, PT_GNU_RELRO;
//   3. the PT_NOTE entries: every note well formed, exactly one .exo.module note, fully valid;
//   4. the dynamic section: inside a segment, terminated, no tag twice, no tag that asks for
//      something this loader does not do (REL, RELR, TEXTREL, constructors);
//   5. the tables it points to, each inside the file-backed part of one segment (so inside the
//      file): the string table (ending in NUL, so every string in it is terminated), the hash
//      table (DT_HASH, or DT_GNU_HASH walked to its last chain, giving the symbol count), the
//      symbol table, DT_NEEDED (only "libexo.so"), every symbol and every relocation;
//   6. the entry points exo_module_init and exo_module_serve (required) and the hot-swap ones.
// A relocation may only target 8 bytes inside one writable PT_LOAD segment (file-backed or
// bss): no text relocations, nothing outside the span, nothing in a gap between segments.
// exo_modelf_relocate reads the tables from the image again (never from the module's memory,
// which the relocations themselves change) and re-checks every relocation before writing.
#include <common/elf64.h>
#include <common/printf.h>
#include <common/string.h>
#include <exo/exo.h>
#include <exo/modelf.h>

// The ELF64 structures and constants used here beyond <common/elf64.h> (System V gABI and the
// x86-64 psABI).
#define SHN_UNDEF          0
#define SHN_LORESERVE      0xff00
#define SHN_ABS            0xfff1
#define SHN_COMMON         0xfff2
#define STB_GLOBAL         1
#define STB_WEAK           2
#define STT_SECTION        3
#define STT_FILE           4
#define STT_TLS            6
#define STT_GNU_IFUNC      10
#define STT_FUNC           2
#define STT_NOTYPE         0
#define STV_HIDDEN         2
#define STV_INTERNAL       1
#define R_X86_64_NONE      0
#define R_X86_64_64        1
#define R_X86_64_GLOB_DAT  6
#define R_X86_64_JUMP_SLOT 7
#define R_X86_64_RELATIVE  8
#define DF_TEXTREL         0x4

// Dynamic tags (DT_*).
enum {
	DT_NULL = 0,
	DT_NEEDED = 1,
	DT_PLTRELSZ = 2,
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
	DT_RELSZ = 18,
	DT_RELENT = 19,
	DT_PLTREL = 20,
	DT_TEXTREL = 22,
	DT_JMPREL = 23,
	DT_INIT_ARRAY = 25,
	DT_INIT_ARRAYSZ = 27,
	DT_FLAGS = 30,
	DT_PREINIT_ARRAY = 32,
	DT_PREINIT_ARRAYSZ = 33,
	DT_RELRSZ = 35,
	DT_RELR = 36,
	DT_RELRENT = 37,
};
#define DT_GNU_HASH 0x6ffffef5u

struct elf64_dyn {
	uint64_t d_tag;
	uint64_t d_val;
};

struct elf64_sym {
	uint32_t st_name;
	uint8_t st_info;
	uint8_t st_other;
	uint16_t st_shndx;
	uint64_t st_value;
	uint64_t st_size;
};

struct elf64_rela {
	uint64_t r_offset;
	uint64_t r_info;
	int64_t r_addend;
};

struct elf64_nhdr {
	uint32_t n_namesz;
	uint32_t n_descsz;
	uint32_t n_type;
};

_Static_assert(sizeof(struct elf64_dyn) == 16, "ELF64 dynamic entry is 16 bytes");
_Static_assert(sizeof(struct elf64_sym) == 24, "ELF64 symbol is 24 bytes");
_Static_assert(sizeof(struct elf64_rela) == 24, "ELF64 RELA entry is 24 bytes");

// The dynamic tags kept by parse_dynamic, each at most once.
enum dyn_slot {
	D_PLTRELSZ,
	D_HASH,
	D_STRTAB,
	D_SYMTAB,
	D_RELA,
	D_RELASZ,
	D_RELAENT,
	D_STRSZ,
	D_SYMENT,
	D_SONAME,
	D_PLTREL,
	D_JMPREL,
	D_FLAGS,
	D_GNU_HASH,
	D_NSLOTS,
};

static const struct {
	uint64_t tag;
	const char *name;
} dyn_slots[D_NSLOTS] = {
	[D_PLTRELSZ] = { DT_PLTRELSZ, "DT_PLTRELSZ" },
	[D_HASH] = { DT_HASH, "DT_HASH" },
	[D_STRTAB] = { DT_STRTAB, "DT_STRTAB" },
	[D_SYMTAB] = { DT_SYMTAB, "DT_SYMTAB" },
	[D_RELA] = { DT_RELA, "DT_RELA" },
	[D_RELASZ] = { DT_RELASZ, "DT_RELASZ" },
	[D_RELAENT] = { DT_RELAENT, "DT_RELAENT" },
	[D_STRSZ] = { DT_STRSZ, "DT_STRSZ" },
	[D_SYMENT] = { DT_SYMENT, "DT_SYMENT" },
	[D_SONAME] = { DT_SONAME, "DT_SONAME" },
	[D_PLTREL] = { DT_PLTREL, "DT_PLTREL" },
	[D_JMPREL] = { DT_JMPREL, "DT_JMPREL" },
	[D_FLAGS] = { DT_FLAGS, "DT_FLAGS" },
	[D_GNU_HASH] = { DT_GNU_HASH, "DT_GNU_HASH" },
};

// Dynamic tags that ask for something this loader does not do, and why.
static const struct {
	uint64_t tag;
	const char *what;
} dyn_refused[] = {
	{ DT_REL, "DT_REL: REL relocations are not used on x86-64 (expected DT_RELA)" },
	{ DT_RELSZ, "DT_RELSZ: REL relocations are not used on x86-64 (expected DT_RELA)" },
	{ DT_RELENT, "DT_RELENT: REL relocations are not used on x86-64 (expected DT_RELA)" },
	{ DT_TEXTREL, "DT_TEXTREL: text relocations are not supported (build with -fPIC)" },
	{ DT_INIT, "DT_INIT: constructors are not run (use exo_module_init)" },
	{ DT_INIT_ARRAY, "DT_INIT_ARRAY: constructors are not run (use exo_module_init)" },
	{ DT_INIT_ARRAYSZ, "DT_INIT_ARRAYSZ: constructors are not run (use exo_module_init)" },
	{ DT_PREINIT_ARRAY, "DT_PREINIT_ARRAY: constructors are not run (use exo_module_init)" },
	{ DT_PREINIT_ARRAYSZ, "DT_PREINIT_ARRAYSZ: constructors are not run (use exo_module_init)" },
	{ DT_RELR,
	  "DT_RELR: packed relative relocations are not supported (link without -z pack-relative-relocs)" },
	{ DT_RELRSZ,
	  "DT_RELRSZ: packed relative relocations are not supported (link without -z pack-relative-relocs)" },
	{ DT_RELRENT, "DT_RELRENT: packed relative relocations are not supported (link without -z "
	              "pack-relative-relocs)" },
};

// The relocation types an x86-64 shared object may carry that this loader refuses, by name.
static const char *rela_type_name(uint32_t type)
{
	switch (type) {
	case 2:
		return " (R_X86_64_PC32)";
	case 5:
		return " (R_X86_64_COPY)";
	case 10:
		return " (R_X86_64_32)";
	case 11:
		return " (R_X86_64_32S)";
	case 16:
		return " (R_X86_64_DTPMOD64: thread-local storage)";
	case 17:
		return " (R_X86_64_DTPOFF64: thread-local storage)";
	case 18:
		return " (R_X86_64_TPOFF64: thread-local storage)";
	case 37:
		return " (R_X86_64_IRELATIVE)";
	default:
		return "";
	}
}

// Where a failure's reason goes: err[0, errsize), prefixed with "FILE: " when there is a file. A
// reason may quote the file's own strings (symbol names), so control characters become '?': the
// reason stays one line whatever the file holds.
struct msg {
	char *err;
	size_t errsize;
	const char *file;
};

static int vfail(const struct msg *o, const char *fmt, va_list ap)
{
	int n = 0;

	if (o->errsize == 0)
		return -EXO_EINVAL;
	if (o->file[0])
		n = ksnprintf(o->err, o->errsize, "%.*s: ", EXO_MODELF_FILE_SIZE - 1, o->file);
	if (n >= 0 && (size_t)n < o->errsize)
		kvsnprintf(o->err + n, o->errsize - (size_t)n, fmt, ap);
	for (size_t k = 0; k < o->errsize && o->err[k]; k++)
		if ((unsigned char)o->err[k] < 0x20 || o->err[k] == 0x7f)
			o->err[k] = '?';
	return -EXO_EINVAL;
}

// Records the reason for a failure; returns -EXO_EINVAL so callers can `return fail(...)`.
static int __printf(2, 3) fail(const struct msg *o, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(o, fmt, ap);
	va_end(ap);
	return r;
}

// The raw dynamic section values parse_dynamic keeps.
struct dyn {
	uint64_t val[D_NSLOTS];
	bool have[D_NSLOTS];
	uint64_t off, n; // file offset, and entries before DT_NULL
};

// One parse: the input, the output, and where the reason for a failure goes.
struct parse {
	const uint8_t *data;
	size_t size;
	struct exo_modelf *m;
	struct msg msg;
	struct elf64_check check;                // the shared checks (common/elf64.h), failing through msg
	unsigned phidx[EXO_MODELF_MAX_SEGMENTS]; // program header index of m->segs[i], for messages
	int dynamic, relro;                      // program header index, or -1
	struct elf64_phdr dyn_ph, relro_ph;
	bool library; // exo_modelf_parse_library: no note or entry points required
	bool have_note;
	struct dyn dyn;
};

// The shared checks' way to fail (common/elf64.h): ctx is the parse.
static int check_vfail(void *ctx, const char *fmt, va_list ap)
{
	return vfail(&((const struct parse *)ctx)->msg, fmt, ap);
}

#define FAIL(p, ...) fail(&(p)->msg, __VA_ARGS__)

static uint32_t rd32(const uint8_t *data, uint64_t off)
{
	uint32_t v;

	memcpy(&v, data + off, sizeof(v));
	return v;
}

static void read_sym(const uint8_t *data, const struct exo_modelf *m, uint64_t i, struct elf64_sym *s)
{
	memcpy(s, data + m->symtab + i * sizeof(*s), sizeof(*s));
}

// The name of a symbol whose st_name was checked against strsz (the table ends in NUL).
static const char *str_at(const uint8_t *data, const struct exo_modelf *m, uint64_t idx)
{
	return (const char *)data + m->strtab + idx;
}

// True if [off, off + len) lies inside [0, size).
static bool in_file(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

// --- 1. the ELF header ---

// The shared header checks, then the type: modules are shared objects.
static int check_header(struct parse *p, const struct elf64_ehdr *eh)
{
	int r = elf64_check_header(&p->check, eh, "modules");

	if (r)
		return r;
	if (eh->e_type == ET_EXEC)
		return FAIL(p, "bad ELF header (e_type=ET_EXEC): an executable, not a module (build with "
		               "-shared -fPIC)");
	if (eh->e_type != ET_DYN)
		return FAIL(p, "bad ELF header (e_type=%u): not a shared object (ET_DYN=%u)", eh->e_type,
		            ET_DYN);
	return 0;
}

// --- 2. the program headers ---

// The address range [p_vaddr, p_vaddr + p_memsz) relative to the base: inside the largest span.
static int check_load_addr(void *ctx, unsigned i, const struct elf64_phdr *ph)
{
	struct parse *p = ctx;

	if (ph->p_vaddr > EXO_MODELF_MAX_SIZE || ph->p_memsz > EXO_MODELF_MAX_SIZE - ph->p_vaddr)
		return FAIL(p,
		            "segment %u: [%#lx, +%#lx) does not fit in a module span (at most %#llx bytes)",
		            i, ph->p_vaddr, ph->p_memsz, EXO_MODELF_MAX_SIZE);
	return 0;
}

// Program header i, a PT_LOAD (the shared checks, with the module span as its bounds); the
// span grows to cover it.
static int add_load(struct parse *p, unsigned i, const struct elf64_phdr *ph)
{
	size_t n = p->m->nsegs;
	int r = elf64_add_load(&p->check, i, ph, check_load_addr, p->m->segs, p->phidx, &n,
	                       EXO_MODELF_MAX_SEGMENTS);
	const struct elf64_segment *s;
	uint64_t end;

	if (r || n == p->m->nsegs) // refused, or it maps nothing
		return r;
	p->m->nsegs = (unsigned)n;
	s = &p->m->segs[n - 1];
	end = ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE); // <= EXO_MODELF_MAX_SIZE, a page multiple
	if (end > p->m->size)
		p->m->size = end;
	return 0;
}

static int check_phdrs(struct parse *p, const struct elf64_ehdr *eh)
{
	struct elf64_phdr ph;
	int r;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		memcpy(&ph, p->data + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		switch (ph.p_type) {
		case PT_INTERP:
			return FAIL(p,
			            "program header %u: PT_INTERP: a module is loaded by the module manager, "
			            "not by an interpreter",
			            i);
		case PT_TLS:
			return FAIL(p, "program header %u: PT_TLS: thread-local storage is not supported", i);
		case PT_LOAD:
			if ((r = add_load(p, i, &ph)) != 0)
				return r;
			break;
		case PT_DYNAMIC:
			if (p->dynamic >= 0)
				return FAIL(p, "program header %u: a second PT_DYNAMIC (the first is %d)", i,
				            p->dynamic);
			p->dynamic = (int)i;
			p->dyn_ph = ph;
			break;
		case PT_GNU_RELRO:
			if (p->relro >= 0)
				return FAIL(p, "program header %u: a second PT_GNU_RELRO (the first is %d)",
				            i, p->relro);
			p->relro = (int)i;
			p->relro_ph = ph;
			break;
		default:
			break; // PT_NOTE is read below; the rest (PT_PHDR, PT_GNU_STACK, ...) map nothing
		}
	}
	if (p->m->nsegs == 0)
		return FAIL(p, "no loadable segment (no PT_LOAD with p_memsz > 0)");
	return 0;
}

// The segment whose file-backed part [vaddr, vaddr + filesz) holds [va, va + len), or NULL.
// *off: the file offset of va, *room: bytes from va to the end of that part (>= len).
static const struct elf64_segment *locate(const struct exo_modelf *m, uint64_t va, uint64_t len,
                                          uint64_t *off, uint64_t *room)
{
	for (unsigned j = 0; j < m->nsegs; j++) {
		const struct elf64_segment *s = &m->segs[j];

		if (va >= s->vaddr && va - s->vaddr <= s->filesz && len <= s->filesz - (va - s->vaddr)) {
			*off = s->offset + (va - s->vaddr);
			*room = s->filesz - (va - s->vaddr);
			return s;
		}
	}
	return NULL;
}

// A table [va, va + len) the loader reads: inside the file-backed part of one segment, hence
// inside the file. *off: its file offset.
static int table_at(struct parse *p, const char *what, uint64_t va, uint64_t len, uint64_t *off)
{
	uint64_t room;

	if (!locate(p->m, va, len, off, &room))
		return FAIL(p, "%s (%#lx, %#lx bytes) is not inside the file-backed part of a segment", what,
		            va, len);
	return 0;
}

static int check_relro(struct parse *p)
{
	const struct elf64_phdr *ph = &p->relro_ph;
	const struct exo_modelf *m = p->m;

	if (p->relro < 0 || ph->p_memsz == 0)
		return 0;
	for (unsigned j = 0; j < m->nsegs; j++) {
		const struct elf64_segment *s = &m->segs[j];

		if ((s->prot & ELF64_PROT_W) && ph->p_vaddr >= s->vaddr &&
		    ph->p_vaddr - s->vaddr <= s->memsz &&
		    ph->p_memsz <= s->memsz - (ph->p_vaddr - s->vaddr)) {
			p->m->relro = ph->p_vaddr;
			p->m->relro_size = ph->p_memsz;
			return 0;
		}
	}
	return FAIL(p, "program header %d: PT_GNU_RELRO (%#lx, %#lx bytes) is not inside a writable segment",
	            p->relro, ph->p_vaddr, ph->p_memsz);
}

// --- 3. the notes ---

// A name field of the module note: NUL-terminated, zero after the NUL, printable without spaces.
// Returns its length, or -1.
static int check_name(const char *f)
{
	size_t n = strnlen(f, EXO_MODULE_NAME_SIZE);

	if (n == EXO_MODULE_NAME_SIZE)
		return -1;
	for (size_t k = 0; k < n; k++)
		if (f[k] < 0x21 || f[k] > 0x7e)
			return -1;
	for (size_t k = n; k < EXO_MODULE_NAME_SIZE; k++)
		if (f[k])
			return -1;
	return (int)n;
}

static int check_module_desc(struct parse *p, const struct exo_module_desc *d)
{
	struct exo_module_info *info = &p->m->info;
	unsigned k;

	if (d->magic != EXO_MODULE_NOTE_MAGIC)
		return FAIL(p, ".exo.module note: magic=%#x, expected %#x", d->magic, EXO_MODULE_NOTE_MAGIC);
	if (d->abi_version < 1 || d->abi_version > EXO_MODULE_ABI_VERSION)
		return FAIL(p, ".exo.module note: abi_version=%u, this loader knows 1..%u", d->abi_version,
		            EXO_MODULE_ABI_VERSION);
	if (d->reserved)
		return FAIL(p, ".exo.module note: reserved=%#x, expected 0", d->reserved);
	if (check_name(d->name) <= 0)
		return FAIL(p,
		            ".exo.module note: the module name is empty, not NUL-padded in %u bytes or not "
		            "printable",
		            EXO_MODULE_NAME_SIZE);
	for (k = 0; k < EXO_MODULE_MAX_SERVICES; k++) {
		int n = check_name(d->services[k]);

		if (n < 0)
			return FAIL(
			    p, ".exo.module note: service %u is not NUL-padded in %u bytes or not printable",
			    k, EXO_MODULE_NAME_SIZE);
		if (n == 0)
			break;
		for (unsigned j = 0; j < k; j++)
			if (strcmp(d->services[j], d->services[k]) == 0)
				return FAIL(p, ".exo.module note: service '%s' is listed twice",
				            d->services[k]);
	}
	info->nservices = k;
	for (; k < EXO_MODULE_MAX_SERVICES; k++)
		if (check_name(d->services[k]) != 0)
			return FAIL(p, ".exo.module note: service %u follows an empty service slot", k);
	memcpy(info->name, d->name, sizeof(info->name));
	memcpy(info->services, d->services, sizeof(info->services));
	info->version = d->version;
	info->abi_version = d->abi_version;
	info->caps_requested = d->caps;
	return 0;
}

// The notes of program header i, [off, off + len) in the file, each padded to align.
static int check_notes(struct parse *p, unsigned i, uint64_t off, uint64_t len, uint64_t align)
{
	static const char owner[4] = EXO_MODULE_NOTE_OWNER;
	struct exo_module_desc d;
	struct elf64_nhdr nh;
	uint64_t pos = 0, desc, end;
	int r;

	while (pos < len) {
		if (len - pos < sizeof(nh))
			return FAIL(p, "program header %u: PT_NOTE: truncated note header at +%#lx", i, pos);
		memcpy(&nh, p->data + off + pos, sizeof(nh));
		desc = ALIGN_UP(pos + sizeof(nh) + nh.n_namesz, align); // < 2^33 + len: no overflow
		end = desc + ALIGN_UP((uint64_t)nh.n_descsz, align);
		if (desc > len || nh.n_descsz > len - desc)
			return FAIL(
			    p,
			    "program header %u: PT_NOTE: note at +%#lx (n_namesz=%u, n_descsz=%u) runs "
			    "past the end (%#lx bytes)",
			    i, pos, nh.n_namesz, nh.n_descsz, len);
		if (nh.n_namesz == sizeof(owner) &&
		    memcmp(p->data + off + pos + sizeof(nh), owner, sizeof(owner)) == 0 &&
		    nh.n_type == EXO_MODULE_NOTE_TYPE) {
			if (p->have_note)
				return FAIL(p, "program header %u: a second .exo.module note", i);
			if (nh.n_descsz != sizeof(d))
				return FAIL(p, ".exo.module note: n_descsz=%u, expected %zu", nh.n_descsz,
				            sizeof(d));
			memcpy(&d, p->data + off + desc, sizeof(d));
			if ((r = check_module_desc(p, &d)) != 0)
				return r;
			p->have_note = true;
		}
		pos = end; // may pass len only by the last note's padding
	}
	return 0;
}

static int find_note(struct parse *p, const struct elf64_ehdr *eh)
{
	struct elf64_phdr ph;
	int r;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		memcpy(&ph, p->data + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_NOTE)
			continue;
		if (!in_file(ph.p_offset, ph.p_filesz, p->size))
			return FAIL(
			    p,
			    "program header %u: PT_NOTE (p_offset=%#lx, p_filesz=%#lx) outside the file "
			    "(size %zu)",
			    i, ph.p_offset, ph.p_filesz, p->size);
		if (ph.p_align != 0 && ph.p_align != 1 && ph.p_align != 2 && ph.p_align != 4 &&
		    ph.p_align != 8)
			return FAIL(p, "program header %u: PT_NOTE p_align=%#lx, expected 4 or 8", i,
			            ph.p_align);
		if ((r = check_notes(p, i, ph.p_offset, ph.p_filesz, ph.p_align == 8 ? 8 : 4)) != 0)
			return r;
	}
	if (!p->have_note && !p->library)
		return FAIL(p, "no .exo.module note (a module declares itself with EXO_MODULE_NOTE)");
	return 0;
}

// --- 4. the dynamic section ---

static int dyn_slot(uint64_t tag)
{
	for (int k = 0; k < D_NSLOTS; k++)
		if (dyn_slots[k].tag == tag)
			return k;
	return -1;
}

static int parse_dynamic(struct parse *p)
{
	const struct elf64_phdr *ph = &p->dyn_ph;
	struct dyn *d = &p->dyn;
	struct elf64_dyn e;
	uint64_t off, n;
	int r, k;

	if (p->dynamic < 0)
		return FAIL(p, "no PT_DYNAMIC: not a shared object (build with -shared -fPIC)");
	if (ph->p_filesz == 0 || ph->p_filesz % sizeof(e))
		return FAIL(p, "PT_DYNAMIC: p_filesz=%#lx is not a positive multiple of %zu", ph->p_filesz,
		            sizeof(e));
	if ((r = table_at(p, "PT_DYNAMIC", ph->p_vaddr, ph->p_filesz, &off)) != 0)
		return r;
	if (off != ph->p_offset)
		return FAIL(p, "PT_DYNAMIC: p_offset=%#lx, but its segment puts p_vaddr=%#lx at offset %#lx",
		            ph->p_offset, ph->p_vaddr, off);
	d->off = off;
	for (n = 0; n < ph->p_filesz / sizeof(e); n++) {
		memcpy(&e, p->data + off + n * sizeof(e), sizeof(e));
		if (e.d_tag == DT_NULL)
			break;
		for (size_t j = 0; j < ARRAY_SIZE(dyn_refused); j++)
			if (e.d_tag == dyn_refused[j].tag)
				return FAIL(p, "dynamic entry %lu: %s", n, dyn_refused[j].what);
		if ((k = dyn_slot(e.d_tag)) < 0)
			continue; // DT_NEEDED is read below; the rest (DT_PLTGOT, versions, ...) is not used
		if (d->have[k])
			return FAIL(p, "dynamic entry %lu: %s appears twice", n, dyn_slots[k].name);
		d->have[k] = true;
		d->val[k] = e.d_val;
	}
	if (n == ph->p_filesz / sizeof(e))
		return FAIL(p, "dynamic section (%lu entries) has no DT_NULL terminator", n);
	d->n = n;
	if (d->have[D_FLAGS] && (d->val[D_FLAGS] & DF_TEXTREL))
		return FAIL(
		    p, "DT_FLAGS=%#lx has DF_TEXTREL: text relocations are not supported (build with -fPIC)",
		    d->val[D_FLAGS]);
	return 0;
}

// Checks that the tags in need[] are present when the first one is.
static int need_tags(struct parse *p, const enum dyn_slot *need, size_t n)
{
	const struct dyn *d = &p->dyn;

	for (size_t j = 0; j < n; j++)
		if (!d->have[need[j]])
			return FAIL(p, "%s without %s", dyn_slots[need[0]].name, dyn_slots[need[j]].name);
	return 0;
}

// --- 5. the tables ---

static int check_strtab(struct parse *p)
{
	const struct dyn *d = &p->dyn;
	uint64_t off;
	int r;

	if (!d->have[D_STRTAB] || !d->have[D_STRSZ])
		return FAIL(p, "dynamic section without %s", d->have[D_STRTAB] ? "DT_STRSZ" : "DT_STRTAB");
	if ((r = table_at(p, "DT_STRTAB", d->val[D_STRTAB], d->val[D_STRSZ], &off)) != 0)
		return r;
	if (d->val[D_STRSZ] == 0 || p->data[off + d->val[D_STRSZ] - 1] != '\0')
		return FAIL(p, "DT_STRTAB (DT_STRSZ=%lu) does not end with a NUL", d->val[D_STRSZ]);
	p->m->strtab = off;
	p->m->strsz = d->val[D_STRSZ];
	return 0;
}

// A string table index from the dynamic section or a symbol.
static int check_str(struct parse *p, const char *what, uint64_t idx)
{
	if (idx >= p->m->strsz)
		return FAIL(p, "%s: string index %#lx outside DT_STRTAB (DT_STRSZ=%lu)", what, idx,
		            p->m->strsz);
	return 0;
}

static int check_needed(struct parse *p)
{
	const struct dyn *d = &p->dyn;
	struct elf64_dyn e;
	const char *name;
	int r;

	if (d->have[D_SONAME] && (r = check_str(p, "DT_SONAME", d->val[D_SONAME])) != 0)
		return r;
	for (uint64_t n = 0; n < d->n; n++) {
		memcpy(&e, p->data + d->off + n * sizeof(e), sizeof(e));
		if (e.d_tag != DT_NEEDED)
			continue;
		if ((r = check_str(p, "DT_NEEDED", e.d_val)) != 0)
			return r;
		name = str_at(p->data, p->m, e.d_val);
		if (strcmp(name, "libexo.so") != 0)
			return FAIL(p, "needs '%.48s' (DT_NEEDED): modules may only link against libexo.so",
			            name);
	}
	return 0;
}

// DT_HASH: nbucket, nchain, bucket[nbucket], chain[nchain]; nchain is the number of symbols.
static int count_sysv_hash(struct parse *p, uint64_t *nsyms)
{
	uint64_t va = p->dyn.val[D_HASH], off;
	uint32_t nbucket, nchain;
	int r;

	if ((r = table_at(p, "DT_HASH", va, 8, &off)) != 0)
		return r;
	nbucket = rd32(p->data, off);
	nchain = rd32(p->data, off + 4);
	if ((r = table_at(p, "DT_HASH", va, 8 + 4 * ((uint64_t)nbucket + nchain), &off)) != 0)
		return r;
	*nsyms = nchain;
	return 0;
}

// DT_GNU_HASH: nbuckets, symoffset, bloom_size, bloom_shift, bloom[bloom_size] (64-bit words),
// buckets[nbuckets], chain[] for the symbols from symoffset on. The symbols are the first
// symoffset (not hashed) and the hashed ones up to the end of the chain that starts at the largest
// bucket: an entry with bit 0 set ends a chain.
static int count_gnu_hash(struct parse *p, uint64_t *nsyms)
{
	uint64_t va = p->dyn.val[D_GNU_HASH], off, room, hdr, max = 0, chain, k;
	uint32_t nbuckets, symoffset, bloom_size;
	int r;

	if ((r = table_at(p, "DT_GNU_HASH", va, 16, &off)) != 0)
		return r;
	nbuckets = rd32(p->data, off);
	symoffset = rd32(p->data, off + 4);
	bloom_size = rd32(p->data, off + 8);
	hdr = 16 + 8 * (uint64_t)bloom_size + 4 * (uint64_t)nbuckets;
	if ((r = table_at(p, "DT_GNU_HASH", va, hdr, &off)) != 0)
		return r;
	for (k = 0; k < nbuckets; k++) {
		uint32_t b = rd32(p->data, off + 16 + 8 * (uint64_t)bloom_size + 4 * k);

		if (b && b < symoffset)
			return FAIL(p, "DT_GNU_HASH: bucket %lu starts at symbol %u, below symoffset=%u", k,
			            b, symoffset);
		if (b > max)
			max = b;
	}
	if (max == 0) {
		*nsyms = symoffset;
		return 0;
	}
	locate(p->m, va, hdr, &off, &room); // found above
	chain = off + hdr;
	room = (room - hdr) / 4; // chain entries inside the segment
	for (k = max - symoffset;; k++) {
		if (k >= room)
			return FAIL(p,
			            "DT_GNU_HASH: the chain from symbol %lu runs past the end of its segment",
			            max);
		if (rd32(p->data, chain + 4 * k) & 1)
			break;
	}
	*nsyms = symoffset + k + 1;
	return 0;
}

static int check_symtab(struct parse *p)
{
	const struct dyn *d = &p->dyn;
	uint64_t nsyms = 0, off;
	int r;

	if (!d->have[D_SYMTAB])
		return FAIL(p, "dynamic section without DT_SYMTAB");
	if (!d->have[D_SYMENT] || d->val[D_SYMENT] != sizeof(struct elf64_sym))
		return FAIL(p, "DT_SYMENT=%lu, expected %zu", d->have[D_SYMENT] ? d->val[D_SYMENT] : 0,
		            sizeof(struct elf64_sym));
	if (d->have[D_HASH])
		r = count_sysv_hash(p, &nsyms);
	else if (d->have[D_GNU_HASH])
		r = count_gnu_hash(p, &nsyms);
	else
		return FAIL(p, "dynamic section without DT_HASH or DT_GNU_HASH (the symbol count)");
	if (r)
		return r;
	// nsyms < 2^33: the product cannot overflow.
	if ((r = table_at(p, "DT_SYMTAB", d->val[D_SYMTAB], nsyms * sizeof(struct elf64_sym), &off)) != 0)
		return r;
	p->m->symtab = off;
	p->m->nsyms = nsyms;
	return 0;
}

static int check_symbols(struct parse *p)
{
	const struct exo_modelf *m = p->m;
	struct elf64_sym s;
	const char *name;
	unsigned type;

	for (uint64_t i = 0; i < m->nsyms; i++) {
		read_sym(p->data, m, i, &s);
		if (s.st_name >= m->strsz)
			return FAIL(p, "symbol %lu: st_name=%#x outside DT_STRTAB (DT_STRSZ=%lu)", i,
			            s.st_name, m->strsz);
		name = str_at(p->data, m, s.st_name);
		type = s.st_info & 0xf;
		if (type == STT_TLS)
			return FAIL(p, "symbol %lu '%.48s': thread-local storage is not supported", i, name);
		if (type == STT_GNU_IFUNC)
			return FAIL(
			    p, "symbol %lu '%.48s': indirect functions (STT_GNU_IFUNC) are not supported", i,
			    name);
		if (s.st_shndx == SHN_UNDEF || s.st_shndx == SHN_ABS)
			continue;
		if (s.st_shndx >= SHN_LORESERVE)
			return FAIL(p, "symbol %lu '%.48s': reserved section index st_shndx=%#x", i, name,
			            s.st_shndx);
		if (s.st_value > m->size)
			return FAIL(p, "symbol %lu '%.48s': st_value=%#lx outside the module (span %#lx)", i,
			            name, s.st_value, m->size);
	}
	return 0;
}

// A relocation table: sz bytes of Elf64_Rela at the address in dynamic slot addr.
static int check_rela_table(struct parse *p, enum dyn_slot addr, uint64_t sz, uint64_t *off, uint64_t *n)
{
	const char *name = dyn_slots[addr].name;
	int r;

	if (sz % sizeof(struct elf64_rela))
		return FAIL(p, "%s: size %#lx is not a multiple of %zu", name, sz, sizeof(struct elf64_rela));
	if ((r = table_at(p, name, p->dyn.val[addr], sz, off)) != 0)
		return r;
	*n = sz / sizeof(struct elf64_rela);
	return 0;
}

// Checks one relocation against the validated module; shared by parse and relocate. which:
// "relocation" (DT_RELA) or "PLT relocation" (DT_JMPREL), i its index in that table.
static int check_rela(const struct msg *o, const struct exo_modelf *m, const char *which, uint64_t i,
                      const struct elf64_rela *r)
{
	uint32_t type = (uint32_t)r->r_info;
	uint64_t sym = r->r_info >> 32, va = r->r_offset;

	switch (type) {
	case R_X86_64_NONE:
		return 0;
	case R_X86_64_64:
	case R_X86_64_GLOB_DAT:
	case R_X86_64_JUMP_SLOT:
	case R_X86_64_RELATIVE:
		break;
	default:
		return fail(o, "%s %lu: type %u not supported%s", which, i, type, rela_type_name(type));
	}
	if (type != R_X86_64_RELATIVE && sym >= m->nsyms)
		return fail(o, "%s %lu: symbol index %lu outside the symbol table (%lu symbols)", which, i,
		            sym, m->nsyms);
	for (unsigned j = 0; j < m->nsegs; j++) {
		const struct elf64_segment *s = &m->segs[j];

		if ((s->prot & ELF64_PROT_W) && va >= s->vaddr && s->memsz >= 8 &&
		    va - s->vaddr <= s->memsz - 8 && va <= m->size - 8)
			return 0;
	}
	return fail(o, "%s %lu: target %#lx is not 8 bytes inside a writable segment", which, i, va);
}

static int check_relocs(struct parse *p)
{
	static const enum dyn_slot rela[] = { D_RELA, D_RELASZ, D_RELAENT };
	static const enum dyn_slot jmprel[] = { D_JMPREL, D_PLTRELSZ, D_PLTREL };
	const struct dyn *d = &p->dyn;
	struct exo_modelf *m = p->m;
	struct elf64_rela e;
	int r;

	if (d->have[D_RELASZ] || d->have[D_RELAENT] || d->have[D_RELA]) {
		if (!d->have[D_RELA])
			return FAIL(p, "%s without DT_RELA", d->have[D_RELASZ] ? "DT_RELASZ" : "DT_RELAENT");
		if ((r = need_tags(p, rela, ARRAY_SIZE(rela))) != 0)
			return r;
		if (d->val[D_RELAENT] != sizeof(e))
			return FAIL(p, "DT_RELAENT=%lu, expected %zu", d->val[D_RELAENT], sizeof(e));
		if ((r = check_rela_table(p, D_RELA, d->val[D_RELASZ], &m->rela, &m->nrela)) != 0)
			return r;
	}
	if (d->have[D_PLTRELSZ] || d->have[D_PLTREL] || d->have[D_JMPREL]) {
		if (!d->have[D_JMPREL])
			return FAIL(p, "%s without DT_JMPREL",
			            d->have[D_PLTRELSZ] ? "DT_PLTRELSZ" : "DT_PLTREL");
		if ((r = need_tags(p, jmprel, ARRAY_SIZE(jmprel))) != 0)
			return r;
		if (d->val[D_PLTREL] != DT_RELA)
			return FAIL(p, "DT_PLTREL=%lu, expected DT_RELA (%u)", d->val[D_PLTREL], DT_RELA);
		if ((r = check_rela_table(p, D_JMPREL, d->val[D_PLTRELSZ], &m->jmprel, &m->njmprel)) != 0)
			return r;
	}
	for (uint64_t i = 0; i < m->nrela; i++) {
		memcpy(&e, p->data + m->rela + i * sizeof(e), sizeof(e));
		if ((r = check_rela(&p->msg, m, "relocation", i, &e)) != 0)
			return r;
	}
	for (uint64_t i = 0; i < m->njmprel; i++) {
		memcpy(&e, p->data + m->jmprel + i * sizeof(e), sizeof(e));
		if ((r = check_rela(&p->msg, m, "PLT relocation", i, &e)) != 0)
			return r;
	}
	return 0;
}

// --- 6. the entry points ---

// The index of the exported symbol called name, or 0 (the null symbol) when there is none.
static uint64_t find_export(const uint8_t *data, const struct exo_modelf *m, const char *name)
{
	struct elf64_sym s;

	for (uint64_t i = 1; i < m->nsyms; i++) {
		unsigned bind, type, vis;

		read_sym(data, m, i, &s);
		bind = s.st_info >> 4;
		type = s.st_info & 0xf;
		vis = s.st_other & 3;
		if (s.st_shndx == SHN_UNDEF || s.st_shndx >= SHN_LORESERVE || s.st_name >= m->strsz)
			continue;
		if ((bind != STB_GLOBAL && bind != STB_WEAK) || vis == STV_HIDDEN || vis == STV_INTERNAL ||
		    type == STT_SECTION || type == STT_FILE)
			continue;
		if (strcmp(str_at(data, m, s.st_name), name) == 0)
			return i;
	}
	return 0;
}

static int entry_point(struct parse *p, const char *name, bool required, uint64_t *out)
{
	const struct exo_modelf *m = p->m;
	uint64_t i = find_export(p->data, m, name);
	struct elf64_sym s;
	unsigned type;

	*out = 0;
	if (i == 0) {
		if (required)
			return FAIL(p, "does not export %s (every module must)", name);
		return 0;
	}
	read_sym(p->data, m, i, &s);
	type = s.st_info & 0xf;
	if (type != STT_FUNC && type != STT_NOTYPE)
		return FAIL(p, "%s (symbol %lu) is not a function (st_info=%#x)", name, i, s.st_info);
	for (unsigned j = 0; j < m->nsegs; j++) {
		const struct elf64_segment *g = &m->segs[j];

		if ((g->prot & ELF64_PROT_X) && s.st_value >= g->vaddr && s.st_value - g->vaddr < g->memsz &&
		    s.st_value != 0) {
			*out = s.st_value;
			return 0;
		}
	}
	return FAIL(p, "%s (st_value=%#lx) is not inside an executable segment", name, s.st_value);
}

static int check_entry_points(struct parse *p)
{
	struct exo_modelf *m = p->m;
	int r;

	if ((r = entry_point(p, EXO_MODULE_INIT_SYMBOL, !p->library, &m->init)) != 0 ||
	    (r = entry_point(p, EXO_MODULE_SERVE_SYMBOL, !p->library, &m->serve)) != 0 ||
	    (r = entry_point(p, EXO_MODULE_QUIESCE_SYMBOL, false, &m->quiesce)) != 0 ||
	    (r = entry_point(p, EXO_MODULE_EXPORT_STATE_SYMBOL, false, &m->export_state)) != 0 ||
	    (r = entry_point(p, EXO_MODULE_IMPORT_STATE_SYMBOL, false, &m->import_state)) != 0)
		return r;
	return 0;
}

static int parse(struct parse *p)
{
	struct elf64_ehdr eh;
	int r;

	if (p->size < sizeof(eh))
		return FAIL(p, "file too small for an ELF header (%zu bytes, need %zu)", p->size, sizeof(eh));
	memcpy(&eh, p->data, sizeof(eh));
	if ((r = check_header(p, &eh)) != 0 || (r = check_phdrs(p, &eh)) != 0 || (r = check_relro(p)) != 0 ||
	    (r = find_note(p, &eh)) != 0 || (r = parse_dynamic(p)) != 0 || (r = check_strtab(p)) != 0 ||
	    (r = check_needed(p)) != 0 || (r = check_symtab(p)) != 0 || (r = check_symbols(p)) != 0 ||
	    (r = check_relocs(p)) != 0 || (r = check_entry_points(p)) != 0)
		return r;
	return 0;
}

static void copy_file_name(char *dst, const char *file)
{
	size_t n = 0;

	if (file)
		for (; n < EXO_MODELF_FILE_SIZE - 1 && file[n]; n++)
			dst[n] = file[n];
	dst[n] = '\0';
}

static int parse_image(const void *image, size_t size, const char *file, struct exo_modelf *m, char *err,
                       size_t errsize, bool library)
{
	struct parse p = {
		.data = image,
		.size = size,
		.m = m,
		.msg = { .err = err, .errsize = err ? errsize : 0, .file = m->file },
		.check = { .size = size, .vfail = check_vfail, .ctx = &p },
		.dynamic = -1,
		.relro = -1,
		.library = library,
	};
	int r;

	memset(m, 0, sizeof(*m));
	copy_file_name(m->file, file);
	if (err && errsize)
		err[0] = '\0';
	r = parse(&p);
	if (r)
		m->nsegs = 0;
	return r;
}

int exo_modelf_parse(const void *image, size_t size, const char *file, struct exo_modelf *m, char *err,
                     size_t errsize)
{
	return parse_image(image, size, file, m, err, errsize, false);
}

int exo_modelf_parse_library(const void *image, size_t size, const char *file, struct exo_modelf *m,
                             char *err, size_t errsize)
{
	return parse_image(image, size, file, m, err, errsize, true);
}

void exo_modelf_copy_segments(const void *image, const struct exo_modelf *m, void *mem)
{
	memset(mem, 0, m->size);
	for (unsigned j = 0; j < m->nsegs; j++) {
		const struct elf64_segment *s = &m->segs[j];

		memcpy((uint8_t *)mem + s->vaddr, (const uint8_t *)image + s->offset, s->filesz);
	}
}

// The value S of symbol sym for a relocation at base.
static int symbol_value(const struct msg *o, const uint8_t *data, const struct exo_modelf *m, uint64_t base,
                        uint64_t sym, exo_modelf_resolve_fn resolve, void *ctx, uint64_t *v)
{
	struct elf64_sym s;
	const char *name;

	*v = 0;
	if (sym == 0)
		return 0; // STN_UNDEF: the value 0
	read_sym(data, m, sym, &s);
	if (s.st_name >= m->strsz)
		return fail(o, "symbol %lu: st_name=%#x outside DT_STRTAB", sym, s.st_name);
	if (s.st_shndx == SHN_ABS) {
		*v = s.st_value;
		return 0;
	}
	if (s.st_shndx != SHN_UNDEF) {
		*v = base + s.st_value;
		return 0;
	}
	name = str_at(data, m, s.st_name);
	*v = resolve ? resolve(name, ctx) : 0;
	if (*v == 0 && (s.st_info >> 4) != STB_WEAK)
		return fail(o, "undefined symbol '%.48s'", name);
	return 0;
}

// Applies the n relocations at file offset off.
static int apply(const struct msg *o, const uint8_t *data, const struct exo_modelf *m, uint64_t base,
                 uint8_t *mem, const char *which, uint64_t off, uint64_t n, exo_modelf_resolve_fn resolve,
                 void *ctx)
{
	struct elf64_rela e;
	uint64_t s, v;
	int r;

	for (uint64_t i = 0; i < n; i++) {
		memcpy(&e, data + off + i * sizeof(e), sizeof(e));
		if ((r = check_rela(o, m, which, i, &e)) != 0)
			return r;
		switch ((uint32_t)e.r_info) {
		case R_X86_64_NONE:
			continue;
		case R_X86_64_RELATIVE:
			v = base + (uint64_t)e.r_addend;
			break;
		case R_X86_64_64:
			if ((r = symbol_value(o, data, m, base, e.r_info >> 32, resolve, ctx, &s)) != 0)
				return r;
			v = s + (uint64_t)e.r_addend;
			break;
		default: // GLOB_DAT, JUMP_SLOT: S, without the addend (x86-64 psABI)
			if ((r = symbol_value(o, data, m, base, e.r_info >> 32, resolve, ctx, &v)) != 0)
				return r;
			break;
		}
		memcpy(mem + e.r_offset, &v, sizeof(v));
	}
	return 0;
}

// The tables recorded in m must still lie in this image (m describes it, but checking is cheap).
static bool tables_fit(const struct exo_modelf *m, size_t size)
{
	return m->nsyms < (1ull << 40) && in_file(m->symtab, m->nsyms * sizeof(struct elf64_sym), size) &&
	       m->strsz > 0 && in_file(m->strtab, m->strsz, size) && m->nrela < (1ull << 40) &&
	       in_file(m->rela, m->nrela * sizeof(struct elf64_rela), size) && m->njmprel < (1ull << 40) &&
	       in_file(m->jmprel, m->njmprel * sizeof(struct elf64_rela), size);
}

int exo_modelf_relocate(const void *image, size_t size, const struct exo_modelf *m, uint64_t base, void *mem,
                        exo_modelf_resolve_fn resolve, void *ctx, char *err, size_t errsize)
{
	const struct msg o = { .err = err, .errsize = err ? errsize : 0, .file = m->file };
	const uint8_t *data = image;
	int r;

	if (err && errsize)
		err[0] = '\0';
	if (m->nsegs == 0 || !tables_fit(m, size) || data[m->strtab + m->strsz - 1] != '\0')
		return fail(&o, "module image does not match its description (parse it first)");
	if (base & PAGE_MASK)
		return fail(&o, "load base %#lx is not page aligned", base);
	if (base > UINT64_MAX - m->size)
		return fail(&o, "load base %#lx: the module (%#lx bytes) would wrap around", base, m->size);
	if ((r = apply(&o, data, m, base, mem, "relocation", m->rela, m->nrela, resolve, ctx)) != 0)
		return r;
	return apply(&o, data, m, base, mem, "PLT relocation", m->jmprel, m->njmprel, resolve, ctx);
}

uint64_t exo_modelf_symbol(const void *image, size_t size, const struct exo_modelf *m, const char *name)
{
	struct elf64_sym s;
	uint64_t i;

	if (m->nsegs == 0 || !tables_fit(m, size) ||
	    ((const uint8_t *)image)[m->strtab + m->strsz - 1] != '\0')
		return 0;
	i = find_export(image, m, name);
	if (i == 0)
		return 0;
	read_sym(image, m, i, &s);
	return s.st_value;
}
