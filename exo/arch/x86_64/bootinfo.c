// SPDX-License-Identifier: MIT
// Reads the Multiboot2 (GRUB) or Multiboot1 (qemu -kernel) information into struct boot_info.
// Runs on the boot page tables, where the low 4 GiB are identity mapped.
#include <common/string.h>
#include <kern/bootinfo.h>
#include <kern/errno.h>

#define MB2_BOOT_MAGIC 0x36d76289
#define MB1_BOOT_MAGIC 0x2badb002

struct boot_info boot_info;

struct mb2_tag {
	uint32_t type, size;
};

static void add_mmap(uint64_t base, uint64_t len, uint32_t type)
{
	if (boot_info.nmmap < BOOT_MAX_MMAP && len)
		boot_info.mmap[boot_info.nmmap++] = (struct boot_mmap_entry){ base, len, type };
}

static void add_module(uint64_t start, uint64_t end, const char *name)
{
	struct boot_module *m;

	if (boot_info.nmodules >= BOOT_MAX_MODULES)
		return;
	m = &boot_info.modules[boot_info.nmodules++];
	m->start = start;
	m->end = end;
	strlcpy(m->name, name ? name : "", sizeof(m->name));
}

static int parse_mb2(uint64_t info)
{
	uint32_t total = *(const uint32_t *)info;
	uint64_t p = info + 8;

	boot_info.loader = "multiboot2";
	boot_info.info_start = info;
	boot_info.info_end = info + total;
	while (p + 8 <= info + total) {
		const struct mb2_tag *t = (const void *)p;

		if (t->type == 0 || t->size < 8)
			break;
		switch (t->type) {
		case 1: // command line
			strlcpy(boot_info.cmdline, (const char *)(t + 1), sizeof(boot_info.cmdline));
			break;
		case 3: { // module
			const uint32_t *m = (const uint32_t *)(t + 1);

			add_module(m[0], m[1], (const char *)(m + 2));
			break;
		}
		case 6: { // memory map
			const uint32_t *hdr = (const uint32_t *)(t + 1);
			uint32_t esize = hdr[0];

			for (uint64_t e = p + 16; esize >= 24 && e + esize <= p + t->size; e += esize) {
				const uint64_t *ent = (const uint64_t *)e;

				add_mmap(ent[0], ent[1], *(const uint32_t *)(e + 16));
			}
			break;
		}
		case 14: // ACPI 1.0 RSDP copy
		case 15: // ACPI 2.0+ RSDP copy (preferred)
			if (t->type == 15 || !boot_info.acpi_rsdp)
				boot_info.acpi_rsdp = p + 8;
			break;
		}
		p += ALIGN_UP(t->size, 8);
	}
	return 0;
}

static int parse_mb1(uint64_t info)
{
	const uint32_t *mbi = (const uint32_t *)info;
	uint32_t flags = mbi[0];

	boot_info.loader = "multiboot1";
	boot_info.info_start = info;
	boot_info.info_end = info + 120;
	if (flags & (1 << 2))
		strlcpy(boot_info.cmdline, (const char *)(uint64_t)mbi[4], sizeof(boot_info.cmdline));
	if (flags & (1 << 3)) {
		const uint32_t *m = (const uint32_t *)(uint64_t)mbi[6];

		for (uint32_t i = 0; i < mbi[5]; i++, m += 4)
			add_module(m[0], m[1], (const char *)(uint64_t)m[2]);
	}
	if (flags & (1 << 6)) {
		uint64_t p = mbi[12], end = p + mbi[11];

		while (p < end) {
			uint32_t size = *(const uint32_t *)p;
			const uint32_t *e = (const uint32_t *)(p + 4);

			add_mmap(e[0] | ((uint64_t)e[1] << 32), e[2] | ((uint64_t)e[3] << 32), e[4]);
			p += size + 4;
		}
	} else if (flags & (1 << 0)) { // only lower/upper memory sizes
		add_mmap(0, (uint64_t)mbi[1] * 1024, MMAP_USABLE);
		add_mmap(1 * MiB, (uint64_t)mbi[2] * 1024, MMAP_USABLE);
	}
	return 0;
}

int bootinfo_parse(uint32_t magic, uint64_t info)
{
	int err;

	memset(&boot_info, 0, sizeof(boot_info));
	if (magic == MB2_BOOT_MAGIC)
		err = parse_mb2(info);
	else if (magic == MB1_BOOT_MAGIC)
		err = parse_mb1(info);
	else
		return -EXO_EINVAL;
	if (!err && boot_info.nmmap == 0)
		err = -EXO_ENOENT;
	return err;
}

bool bootinfo_arg(const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *p = boot_info.cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			size_t n = 0;

			p += klen + 1;
			while (p[n] && p[n] != ' ')
				n++;
			if (size) {
				n = MIN(n, size - 1);
				memcpy(buf, p, n);
				buf[n] = '\0';
			}
			return true;
		}
		while (*p && *p != ' ')
			p++;
	}
	return false;
}
