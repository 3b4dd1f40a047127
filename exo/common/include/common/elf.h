// SPDX-License-Identifier: MIT
// ELF64 executable validation: checks a user program image (init, from a boot module) and
// describes the segments the loader must map. Pure function of its input; no allocation.
#pragma once

#include <common/elf_segment.h>
#include <common/types.h>

// Most PT_LOAD segments an image may have (a static executable has 2-4).
#define ELF_MAX_SEGMENTS 16

// The segments of an image (struct elf64_segment, <common/elf_segment.h>) after elf_parse succeeded:
//   0 < memsz, filesz <= memsz, offset + filesz <= size (checked without overflow),
//   0x1000 <= vaddr, vaddr + memsz <= user_top (the last page too), vaddr and offset are
//   congruent modulo PAGE_SIZE, prot is non-zero and never both ELF64_PROT_W and ELF64_PROT_X,
//   and no two segments share a page.

// A validated executable: its entry point (inside a segment with ELF64_PROT_X) and its PT_LOAD
// segments in program header order (1 <= nsegs <= ELF_MAX_SEGMENTS).
struct elf_image {
	uint64_t entry;
	struct elf64_segment segs[ELF_MAX_SEGMENTS];
	size_t nsegs;
};

// Validates an ELF64 little-endian x86-64 ET_EXEC image of size bytes (any alignment) and
// describes its PT_LOAD segments. user_top: first address user code may not use. Returns 0, or
// -EXO_EINVAL with a one-line reason in err (NUL terminated, truncated to errsize; err may be
// NULL when errsize is 0), e.g. "bad ELF header (e_machine=3): ...", "segment 2 overlaps
// segment 1". Segments are numbered by program header index, as `readelf -l` prints them.
// PT_LOAD segments with p_memsz == 0 map nothing and are skipped. On failure img->nsegs is 0.
int elf_parse(const void *data, size_t size, uint64_t user_top, struct elf_image *img, char *err,
              size_t errsize);
