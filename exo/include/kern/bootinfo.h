// SPDX-License-Identifier: MIT
// What the boot loader told us, copied out of its structures before they may be overwritten.
#pragma once

#include <kern/frame.h>

#define BOOT_MAX_MMAP    128
#define BOOT_MAX_MODULES 24
#define BOOT_CMDLINE_MAX 256

enum mmap_type { MMAP_USABLE = 1, MMAP_RESERVED = 2, MMAP_ACPI = 3, MMAP_NVS = 4, MMAP_BAD = 5 };

struct boot_mmap_entry {
	paddr_t base;
	uint64_t len;
	uint32_t type; // enum mmap_type (other values are treated as reserved)
};

struct boot_module {
	paddr_t start, end;
	char name[64];
};

struct boot_info {
	const char *loader; // "multiboot2" or "multiboot1"
	char cmdline[BOOT_CMDLINE_MAX];
	struct boot_mmap_entry mmap[BOOT_MAX_MMAP];
	size_t nmmap;
	struct boot_module modules[BOOT_MAX_MODULES];
	size_t nmodules;
	paddr_t acpi_rsdp;            // physical address of the RSDP copy, or 0 (then scan the BIOS area)
	paddr_t info_start, info_end; // the loader's own structure
};

extern struct boot_info boot_info;

// Parses the Multiboot1/2 information at info (identity-mapped at this point). Returns 0, or a
// negative error if the magic is unknown or the memory map is missing.
int bootinfo_parse(uint32_t magic, uint64_t info);
// Value of "key=value" on the kernel command line, copied into buf; false if absent.
bool bootinfo_arg(const char *key, char *buf, size_t size);
