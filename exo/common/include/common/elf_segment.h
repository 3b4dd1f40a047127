// SPDX-License-Identifier: MIT
// A loadable segment as exo's ELF loaders describe it (exo/common/elf.c, libexo/modelf.c), apart
// from the ELF format itself (<common/elf64.h>) so that users of the loaders need not see it.
#pragma once

#include <stdint.h>

// Segment protections (the same values as enum vm_prot in <arch/pagetable.h>).
#define ELF64_PROT_R 1
#define ELF64_PROT_W 2
#define ELF64_PROT_X 4

// One PT_LOAD segment to map: [vaddr, vaddr + memsz), whose first filesz bytes come from the file
// at offset and the rest are zero; prot is ELF64_PROT_* bits, never both W and X.
struct elf64_segment {
	uint64_t vaddr, memsz, offset, filesz;
	unsigned prot;
};
