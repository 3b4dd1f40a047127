// SPDX-License-Identifier: MIT
// Minimal ACPI table reader: RSDP -> RSDT/XSDT -> MADT (local APICs, IOAPICs, interrupt source
// overrides) and FADT (the PM1 control ports and the DSDT's \_S5 sleep type, for power-off).
// Tables are mapped read-only through mmio_map and checksummed before use.
#include <arch/acpi.h>
#include <arch/cpu.h>
#include <arch/paging.h>
#include <common/string.h>
#include <kern/bootinfo.h>
#include <kern/clock.h>
#include <kern/printf.h>

struct acpi_info acpi;

struct rsdp {
	char sig[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t xchecksum;
	uint8_t reserved[3];
} __packed;

struct sdt {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __packed;

static bool checksum_ok(const void *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += ((const uint8_t *)p)[i];
	return sum == 0;
}

// Maps a whole table (header first, to learn its length); NULL if it is bad.
static const struct sdt *map_table(paddr_t pa)
{
	const struct sdt *h = mmio_map(pa, sizeof(*h), VM_READ);

	if (!h || h->length < sizeof(*h) || h->length > 1 * MiB)
		return NULL;
	h = mmio_map(pa, h->length, VM_READ);
	return h && checksum_ok(h, h->length) ? h : NULL;
}

static paddr_t scan_rsdp(paddr_t start, size_t len)
{
	const uint8_t *p = mmio_map(start, len, VM_READ);

	for (size_t off = 0; p && off + 20 <= len; off += 16)
		if (!memcmp(p + off, "RSD PTR ", 8) && checksum_ok(p + off, 20))
			return start + off;
	return 0;
}

static paddr_t find_rsdp(void)
{
	const uint16_t *ebda_seg;
	paddr_t pa;

	if (boot_info.acpi_rsdp)
		return boot_info.acpi_rsdp;
	ebda_seg = mmio_map(0x40e, 2, VM_READ);
	if (ebda_seg && *ebda_seg && (pa = scan_rsdp((paddr_t)*ebda_seg << 4, 1024)))
		return pa;
	return scan_rsdp(0xe0000, 0x20000);
}

static void parse_madt(const struct sdt *madt)
{
	const uint8_t *p = (const uint8_t *)madt + sizeof(*madt) + 8;
	const uint8_t *end = (const uint8_t *)madt + madt->length;

	acpi.lapic_addr = *(const uint32_t *)((const uint8_t *)madt + sizeof(*madt));
	for (; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
		switch (p[0]) {
		case 0: // processor local APIC
			if ((p[4] & 1) && acpi.ncpus < ACPI_MAX_CPUS)
				acpi.cpu_apic_ids[acpi.ncpus++] = p[3];
			break;
		case 1: // IOAPIC
			if (acpi.nioapics < ACPI_MAX_IOAPICS)
				acpi.ioapics[acpi.nioapics++] =
				    (struct acpi_ioapic){ p[2], *(const uint32_t *)(p + 4),
					                  *(const uint32_t *)(p + 8) };
			break;
		case 2: // interrupt source override
			if (p[2] == 0 && p[3] < 16) {
				acpi.isa_gsi[p[3]] = *(const uint32_t *)(p + 4);
				acpi.isa_flags[p[3]] = *(const uint16_t *)(p + 8);
			}
			break;
		case 5: // local APIC address override
			acpi.lapic_addr = *(const uint64_t *)(p + 4);
			break;
		}
	}
}

// FADT fields used for power-off (ACPI 6.x table 5.9 offsets).
#define FADT_DSDT     40
#define FADT_PM1A_CNT 64
#define FADT_PM1B_CNT 68
#define FADT_X_DSDT   140
#define SLP_EN        (1u << 13)
#define SLP_TYP_SHIFT 10

// Reads one AML integer (ZeroOp, OneOp or BytePrefix n); -1 for anything else.
static int aml_small_int(const uint8_t *p, const uint8_t *end)
{
	if (p >= end)
		return -1;
	if (*p == 0x00 || *p == 0x01)
		return *p;
	return *p == 0x0a && p + 1 < end ? p[1] : -1;
}

// Finds "Name(_S5_, Package(){a, b, ...})" in the DSDT: the sleep types for soft-off.
static void parse_s5(const struct sdt *dsdt)
{
	const uint8_t *p = (const uint8_t *)dsdt + sizeof(*dsdt);
	const uint8_t *end = (const uint8_t *)dsdt + dsdt->length;

	for (; p + 8 <= end; p++) {
		if (memcmp(p, "_S5_", 4) || p[4] != 0x12) // PackageOp
			continue;
		p += 5;
		p += 1 + (*p >> 6); // PkgLength: 1 to 4 bytes
		p++;                // NumElements
		int a = aml_small_int(p, end);
		int b = aml_small_int(p + (p < end && *p == 0x0a ? 2 : 1), end);
		if (a >= 0 && b >= 0) {
			acpi.slp_typ_a = a;
			acpi.slp_typ_b = b;
			acpi.can_poweroff = acpi.pm1a_cnt != 0;
		}
		return;
	}
}

static void parse_fadt(const struct sdt *fadt)
{
	const uint8_t *f = (const uint8_t *)fadt;
	paddr_t dsdt = 0;
	const struct sdt *t;

	if (fadt->length < FADT_PM1B_CNT + 4)
		return;
	uint32_t pm1a = *(const uint32_t *)(f + FADT_PM1A_CNT);
	uint32_t pm1b = *(const uint32_t *)(f + FADT_PM1B_CNT);
	if (fadt->length >= FADT_X_DSDT + 8)
		dsdt = *(const uint64_t *)(f + FADT_X_DSDT);
	if (!dsdt)
		dsdt = *(const uint32_t *)(f + FADT_DSDT);
	if (pm1a <= 0xffff && pm1b <= 0xffff) { // I/O ports only
		acpi.pm1a_cnt = (uint16_t)pm1a;
		acpi.pm1b_cnt = (uint16_t)pm1b;
	}
	if (dsdt && (t = map_table(dsdt)) && !memcmp(t->sig, "DSDT", 4))
		parse_s5(t);
}

void acpi_poweroff(void)
{
	if (!acpi.can_poweroff)
		return;
	outw(acpi.pm1a_cnt, (uint16_t)(acpi.slp_typ_a << SLP_TYP_SHIFT | SLP_EN));
	if (acpi.pm1b_cnt)
		outw(acpi.pm1b_cnt, (uint16_t)(acpi.slp_typ_b << SLP_TYP_SHIFT | SLP_EN));
	// The firmware (or QEMU's main loop) takes a moment to act: give it 100 ms.
	for (uint64_t end = rdtsc() + clock_tsc_hz() / 10; rdtsc() < end;)
		__asm__ volatile("pause");
}

void acpi_init(void)
{
	paddr_t rsdp_pa = find_rsdp();
	const struct rsdp *rsdp = rsdp_pa ? mmio_map(rsdp_pa, sizeof(*rsdp), VM_READ) : NULL;
	const struct sdt *root = NULL;
	size_t entry_size = 4;

	for (unsigned i = 0; i < 16; i++)
		acpi.isa_gsi[i] = i;
	acpi.lapic_addr = 0xfee00000;
	if (rsdp && rsdp->revision >= 2 && rsdp->xsdt && checksum_ok(rsdp, sizeof(*rsdp))) {
		root = map_table(rsdp->xsdt);
		entry_size = 8;
	}
	if (!root && rsdp)
		root = map_table(rsdp->rsdt);
	for (size_t off = sizeof(*root); root && off + entry_size <= root->length; off += entry_size) {
		const uint8_t *e = (const uint8_t *)root + off;
		paddr_t pa = entry_size == 8 ? *(const uint64_t *)e : *(const uint32_t *)e;
		const struct sdt *t = map_table(pa);

		if (t && !memcmp(t->sig, "APIC", 4)) {
			parse_madt(t);
			acpi.found = true;
		} else if (t && !memcmp(t->sig, "FACP", 4)) {
			parse_fadt(t);
		}
	}
	if (!acpi.found) {
		klog(LOG_WARN, "acpi: no MADT found; assuming one CPU and an IOAPIC at 0xfec00000\n");
		acpi.ncpus = 1;
	}
	if (acpi.nioapics == 0)
		acpi.ioapics[acpi.nioapics++] = (struct acpi_ioapic){ 0, 0xfec00000, 0 };
}
