// SPDX-License-Identifier: MIT
// Module images: validating, planning and relocating an ELF64 ET_DYN module (a shared object run
// as an isolated service) and the `.exo.module` note that describes it. Pure functions of their
// input, no kernel calls, no allocation: the module manager maps what they describe.
//
// Loading a module, in the manager:
//   exo_modelf_parse(image, size, "ramfs.so", &m, err, sizeof(err))  validate, fill m
//   mem = m.size bytes of fresh memory (frames mapped writable somewhere in the manager)
//   exo_modelf_copy_segments(image, &m, mem)                         file bytes, zeroes
//   exo_modelf_relocate(image, size, &m, base, mem, resolve, ctx, err, sizeof(err))
//   map the pages of each m.segs[i] at base + vaddr with m.segs[i].prot (relro: read-only)
//   start the module: call base + m.init, then base + m.serve (libexo.so's exo_module_entry)
#pragma once

#include <common/elf_segment.h>
#include <stddef.h>
#include <stdint.h>

// --- the .exo.module note ---
//
// An ELF note (System V gABI "Note Section"): namesz, descsz, type (4 bytes each), the owner name
// "exo" with its NUL (4 bytes), then the descriptor; a module's C file emits it with
// EXO_MODULE_NOTE, which puts it in the allocated section ".note.exo.module" (SHT_NOTE: the
// linker gives it a PT_NOTE program header). The loader requires exactly one such note, with
// namesz = 4, descsz = sizeof(struct exo_module_desc), type EXO_MODULE_NOTE_TYPE, and a
// descriptor where:
//   magic is EXO_MODULE_NOTE_MAGIC, 1 <= abi_version <= EXO_MODULE_ABI_VERSION, reserved is 0;
//   name and each service name are NUL-terminated inside their 32 bytes and zero after the NUL
//   ("NUL-padded"), of printable ASCII without spaces (0x21..0x7e);
//   name is not empty; the services are listed first, the unused slots are all zero, and no
//   service name appears twice.
// caps is not interpreted here: its bits are the module manager's policy.
#define EXO_MODULE_NOTE_OWNER   "exo"
#define EXO_MODULE_NOTE_TYPE    1
#define EXO_MODULE_NOTE_MAGIC   0x4d4f5845u // "EXOM" in memory
#define EXO_MODULE_ABI_VERSION  1           // the newest layout and libexo ABI this loader knows
#define EXO_MODULE_NAME_SIZE    32          // bytes of a name field, NUL included
#define EXO_MODULE_MAX_SERVICES 4

struct exo_module_desc {
	uint32_t magic;       // EXO_MODULE_NOTE_MAGIC
	uint32_t abi_version; // EXO_MODULE_ABI_VERSION the module was built against
	uint32_t version;     // the module's own version (hot-swap replaces N by N + 1)
	uint32_t reserved;    // 0
	uint64_t caps;        // capabilities requested (bits defined by the module manager)
	char name[EXO_MODULE_NAME_SIZE];
	char services[EXO_MODULE_MAX_SERVICES][EXO_MODULE_NAME_SIZE];
} __attribute__((packed, aligned(4)));

struct exo_module_note {
	uint32_t namesz; // 4: "exo" and its NUL
	uint32_t descsz; // sizeof(struct exo_module_desc)
	uint32_t type;   // EXO_MODULE_NOTE_TYPE
	char owner[4];   // "exo"
	struct exo_module_desc desc;
} __attribute__((packed, aligned(4)));

_Static_assert(sizeof(struct exo_module_desc) == 184, "the note descriptor is part of the module ABI");
_Static_assert(sizeof(struct exo_module_note) == 200, "the note is part of the module ABI");

// Emits the module's note, once, at file scope:
//   EXO_MODULE_NOTE("ramfs", 3, 0, "fs.ramfs", "fs");  // name, version, caps, services (0-4)
// The name must be a string literal; a service name longer than 31 characters is refused by the
// loader (or by the compiler when it does not fit at all).
#define EXO_MODULE_NOTE(name_, version_, caps_, ...)                                         \
	_Static_assert(sizeof(name_) <= EXO_MODULE_NAME_SIZE, "module name too long");       \
	__attribute__((section(".note.exo.module"), used,                                    \
	               aligned(4))) static const struct exo_module_note exo_module_note_ = { \
		4,                                                                           \
		sizeof(struct exo_module_desc),                                              \
		EXO_MODULE_NOTE_TYPE,                                                        \
		EXO_MODULE_NOTE_OWNER,                                                       \
		{ EXO_MODULE_NOTE_MAGIC,                                                     \
		  EXO_MODULE_ABI_VERSION,                                                    \
		  (version_),                                                                \
		  0,                                                                         \
		  (caps_),                                                                   \
		  name_,                                                                     \
		  { __VA_ARGS__ } }                                                          \
	}

// What the note says, after validation (strings NUL-terminated; nservices <= 4).
struct exo_module_info {
	char name[32];
	uint32_t version;
	uint32_t abi_version;
	uint64_t caps_requested;
	char services[4][32];
	unsigned nservices;
};

// The functions a module exports by these names (offsets in struct exo_modelf).
#define EXO_MODULE_INIT_SYMBOL         "exo_module_init"         // required
#define EXO_MODULE_SERVE_SYMBOL        "exo_module_serve"        // required
#define EXO_MODULE_QUIESCE_SYMBOL      "exo_module_quiesce"      // hot-swap, optional
#define EXO_MODULE_EXPORT_STATE_SYMBOL "exo_module_export_state" // hot-swap, optional
#define EXO_MODULE_IMPORT_STATE_SYMBOL "exo_module_import_state" // hot-swap, optional
#define EXO_MODULE_EXPORT_AREA_SYMBOL  "exo_module_export_area"  // hot-swap, optional (modload.c)

// --- the image ---

#define EXO_MODELF_MAX_SEGMENTS 8
#define EXO_MODELF_MAX_SIZE     (256ull << 20) // the largest span a module may have
#define EXO_MODELF_FILE_SIZE    64             // bytes of the file name kept for messages

// The PT_LOAD segments (struct elf64_segment, <common/elf_segment.h>) are relative to the load base.
// After exo_modelf_parse succeeded: 0 < memsz, filesz <= memsz, offset + filesz <= size,
// vaddr + memsz <= m->size, vaddr and offset congruent modulo the page size, prot non-zero and
// never both W and X, no two segments share a page (so each page of the span has one protection).

// A validated module. Offsets of tables are file offsets, checked to lie inside the file and
// inside the file-backed part of one segment; counts are entries.
struct exo_modelf {
	struct exo_module_info info;
	uint64_t size; // span of all segments, page aligned: [0, size) relative to the base
	struct elf64_segment segs[EXO_MODELF_MAX_SEGMENTS];
	unsigned nsegs; // PT_LOAD segments with p_memsz > 0, in program header order
	// Offsets (relative to the base) of the exported functions, inside an executable segment;
	// 0 when absent (init and serve are never absent in a module, only in a library).
	uint64_t init, serve, quiesce, export_state, import_state;
	// PT_GNU_RELRO: [relro, relro + relro_size), inside one writable segment, may be made
	// read-only after relocation; page granular as ld.so does it: both ends rounded down (GNU ld
	// starts the segment with it, so the partial first page holds nothing else). 0, 0 when absent.
	uint64_t relro, relro_size;
	// For relocation and lookup.
	uint64_t symtab, nsyms;          // Elf64_Sym[nsyms]; every st_name < strsz
	uint64_t strtab, strsz;          // strsz > 0, last byte NUL
	uint64_t rela, nrela;            // DT_RELA: Elf64_Rela[nrela]
	uint64_t jmprel, njmprel;        // DT_JMPREL: Elf64_Rela[njmprel]
	char file[EXO_MODELF_FILE_SIZE]; // for messages (truncated)
};

// Resolves an imported symbol name to an address, or returns 0 if unknown.
typedef uint64_t (*exo_modelf_resolve_fn)(const char *name, void *ctx);

// Validates the module image of size bytes (any alignment; file names it in messages and may be
// NULL) and fills *m. Checks the ELF header (ELF64, little-endian, ET_DYN, EM_X86_64), the
// program headers (PT_LOAD as described above, at most 8; exactly one PT_DYNAMIC inside a
// segment; PT_INTERP and PT_TLS refused; PT_NOTE entries well formed, one .exo.module note), the
// dynamic section (see modelf.c), every symbol and every relocation (type supported, symbol in
// range, target inside a writable segment), and the exported entry points. Returns 0, or
// -EXO_EINVAL with a one-line reason in err (NUL terminated, truncated to errsize; err may be NULL
// when errsize is 0) such as "ramfs.so: segment 2 overlaps segment 1"; on failure m->nsegs is 0.
int exo_modelf_parse(const void *image, size_t size, const char *file, struct exo_modelf *m, char *err,
                     size_t errsize);

// The same checks for a shared library the modules link against (libexo.so): the .exo.module note
// and the entry points are optional (validated when present; m->info is zero without a note).
int exo_modelf_parse_library(const void *image, size_t size, const char *file, struct exo_modelf *m,
                             char *err, size_t errsize);

// Copies the file bytes of every segment into mem (m->size bytes, the span) and zeroes the rest
// of the span (bss, gaps, the start of each first page).
void exo_modelf_copy_segments(const void *image, const struct exo_modelf *m, void *mem);

// Applies the module's relocations (DT_RELA, then DT_JMPREL, eagerly) to mem, the span filled by
// exo_modelf_copy_segments, as it will be mapped at base (page aligned). Supported: R_X86_64_NONE,
// RELATIVE (base + addend), 64 (S + addend), GLOB_DAT and JUMP_SLOT (S). S is base + st_value for
// a symbol the module defines (SHN_ABS: st_value), else resolve(name, ctx); an unresolved weak
// symbol is 0, an unresolved other one an error ("undefined symbol 'exo_foo'"); resolve may be
// NULL. Each target is 8 bytes inside one writable segment (checked by parse and again here).
// Tables are read from image (the file), never from mem. Returns 0 or -EXO_EINVAL with a reason;
// on failure mem is partly relocated and must be discarded.
int exo_modelf_relocate(const void *image, size_t size, const struct exo_modelf *m, uint64_t base, void *mem,
                        exo_modelf_resolve_fn resolve, void *ctx, char *err, size_t errsize);

// Looks up a symbol the module exports by name, with a linear scan of the dynamic symbol table
// (the first match): defined (not SHN_UNDEF, not absolute or another reserved index), STB_GLOBAL
// or STB_WEAK, visibility default or protected, not a section or file symbol. Returns its offset
// from the base (parse checked it is <= m->size), or 0 if there is none.
uint64_t exo_modelf_symbol(const void *image, size_t size, const struct exo_modelf *m, const char *name);
