// SPDX-License-Identifier: MIT
// Local APIC (timer, EOI) and IOAPIC (device interrupt routing).
#pragma once

#include <kern/types.h>

void lapic_init(void);
void lapic_eoi(void);
uint32_t lapic_id(void);
// Calibrates the APIC timer (and the TSC) against the PIT and starts a periodic tick at hz.
void lapic_timer_start(unsigned hz);
uint64_t lapic_timer_hz(void); // APIC timer input clock after the divider

void ioapic_init(void);
// Routes ISA IRQ irq (0..15, after source overrides) or a GSI to vector on the boot CPU.
int ioapic_route_isa(unsigned irq, unsigned vector);
int ioapic_route_gsi(uint32_t gsi, unsigned vector, bool level, bool active_low);
int ioapic_mask_gsi(uint32_t gsi, bool masked);
uint32_t ioapic_gsi_count(void);
