// SPDX-License-Identifier: MIT
// The ELF64 format as exo's loaders read it (System V gABI and the x86-64 psABI), and the checks
// they share (exo/common/elf64.c): the identification and header fields every image must have, and
// each PT_LOAD segment on its own and against the segments accepted before it. exo/common/elf.c
// (the kernel's ET_EXEC loader) and libexo/modelf.c (the ET_DYN module loader) add their own:
// the file type, where a segment may lie, the dynamic section.
#pragma once

#include <common/elf_segment.h>
#include <common/types.h>
#include <stdarg.h>

#define EI_NIDENT       16
#define EI_CLASS        4
#define EI_DATA         5
#define EI_VERSION      6
#define ELFCLASS64      2
#define ELFDATA2LSB     1
#define EV_CURRENT      1
#define ET_EXEC         2
#define ET_DYN          3
#define EM_X86_64       62
#define PT_LOAD         1
#define PT_DYNAMIC      2
#define PT_INTERP       3
#define PT_NOTE         4
#define PT_TLS          7
#define PT_GNU_RELRO    0x6474e552u
#define PF_X            0x1
#define PF_W            0x2
#define PF_R            0x4
#define ELF64_MAX_PHNUM 64

struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");

// One image being checked: its size, and where a failed check's one-line reason goes (vfail
// records it and returns -EXO_EINVAL).
struct elf64_check {
	size_t size;
	int (*vfail)(void *ctx, const char *fmt, va_list ap);
	void *ctx;
};

// The identification (magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT; kind names what the loader
// loads in the messages, e.g. "executables"), e_version, e_machine (x86-64), e_phentsize,
// e_phnum (1..ELF64_MAX_PHNUM) and the program header table inside the file. Not e_type.
int elf64_check_header(const struct elf64_check *c, const struct elf64_ehdr *eh, const char *kind);

// Program header i, a PT_LOAD: checked and appended to segs[*n] (its index to phidx[*n]) unless
// it maps nothing (p_memsz == 0). In order: p_filesz <= p_memsz and the file range inside the
// file; addr, the loader's own check of where the segment may lie (called with c->ctx); p_align,
// p_vaddr congruent to p_offset modulo the page size, W^X and some access; no page shared with a
// segment accepted before (they are mapped page by page); at most max segments.
int elf64_add_load(const struct elf64_check *c, unsigned i, const struct elf64_phdr *ph,
                   int (*addr)(void *ctx, unsigned i, const struct elf64_phdr *ph),
                   struct elf64_segment *segs, unsigned *phidx, size_t *n, size_t max);
