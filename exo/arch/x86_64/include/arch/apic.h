// SPDX-License-Identifier: MIT
// Local APIC (timer, EOI) and IOAPIC (device interrupt routing).
#pragma once

#include <kern/types.h>

void lapic_init(void);     // maps the local APIC (boot CPU) and enables this CPU's
void lapic_init_cpu(void); // enables this CPU's local APIC (the others, once mapped)
void lapic_eoi(void);
uint32_t lapic_id(void);
// Writes the interrupt command register (ICR_* | vector) for the CPU of apic_id and waits until
// the local APIC has sent it.
void lapic_send_ipi(uint32_t apic_id, uint32_t icr);
#define ICR_FIXED  0x00000u
#define ICR_INIT   0x00500u
#define ICR_SIPI   0x00600u
#define ICR_ASSERT 0x04000u
// Calibrates the APIC timer (and the TSC) against the PIT and starts a periodic tick at hz on
// the boot CPU; lapic_timer_start_cpu starts the same tick on another CPU.
void lapic_timer_start(unsigned hz);
void lapic_timer_start_cpu(void);
uint64_t lapic_timer_hz(void); // APIC timer input clock after the divider

void ioapic_init(void);
// Routes ISA IRQ irq (0..15, after source overrides) or a GSI to vector on the boot CPU.
int ioapic_route_isa(unsigned irq, unsigned vector);
int ioapic_route_gsi(uint32_t gsi, unsigned vector, bool level, bool active_low);
int ioapic_mask_gsi(uint32_t gsi, bool masked);
uint32_t ioapic_gsi_count(void);
