// SPDX-License-Identifier: MIT
// What the kernel needs from ACPI: the interrupt controllers listed in the MADT and the FADT's
// soft-off (S5) registers.
#pragma once

#include <kern/types.h>

#define ACPI_MAX_CPUS    64
#define ACPI_MAX_IOAPICS 8

struct acpi_ioapic {
	uint8_t id;
	paddr_t addr;
	uint32_t gsi_base;
};

struct acpi_info {
	bool found; // an RSDP and a MADT were found
	paddr_t lapic_addr;
	size_t ncpus;
	uint8_t cpu_apic_ids[ACPI_MAX_CPUS];
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	size_t nioapics;
	// ISA IRQ -> GSI and polarity/trigger flags from interrupt source overrides.
	uint32_t isa_gsi[16];
	uint16_t isa_flags[16];
	// Soft-off: write SLP_TYP|SLP_EN to the PM1 control ports (FADT; sleep types from \_S5).
	bool can_poweroff;
	uint16_t pm1a_cnt, pm1b_cnt;
	uint8_t slp_typ_a, slp_typ_b;
};

extern struct acpi_info acpi;

// Finds the RSDP (from the boot loader, else by scanning the BIOS area) and parses the MADT.
// Without ACPI, falls back to the PC defaults (one IOAPIC at 0xfec00000, identity ISA routing).
void acpi_init(void);

// Turns the machine off through ACPI S5 if the FADT and DSDT allow it; returns if the machine is
// still on 100 ms later.
void acpi_poweroff(void);
