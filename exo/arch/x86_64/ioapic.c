// SPDX-License-Identifier: MIT
// IOAPIC routing for device interrupts. At boot every redirection entry of every IOAPIC the MADT
// lists is masked; drivers (through IRQ capabilities, later) route a GSI to a vector on a CPU.
// ISA IRQs go through the MADT's interrupt source overrides (IRQ 0 is usually GSI 2).
#include <arch/acpi.h>
#include <arch/apic.h>
#include <arch/paging.h>
#include <arch/trap.h>
#include <kern/errno.h>
#include <kern/panic.h>
#include <kern/spinlock.h>

#define IOREGSEL     0x00
#define IOWIN        0x10
#define REG_VER      0x01
#define REG_REDIR(n) (0x10 + 2 * (n))

#define REDIR_MASKED     (1u << 16)
#define REDIR_LEVEL      (1u << 15)
#define REDIR_ACTIVE_LOW (1u << 13)

static struct {
	volatile uint32_t *regs;
	uint32_t gsi_base, count;
} ioapics[ACPI_MAX_IOAPICS];
static size_t nioapics;
static spinlock_t ioapic_lock = SPINLOCK_INIT;

static uint32_t rd(unsigned i, uint32_t reg)
{
	ioapics[i].regs[IOREGSEL / 4] = reg;
	return ioapics[i].regs[IOWIN / 4];
}

static void wr(unsigned i, uint32_t reg, uint32_t v)
{
	ioapics[i].regs[IOREGSEL / 4] = reg;
	ioapics[i].regs[IOWIN / 4] = v;
}

void ioapic_init(void)
{
	for (size_t i = 0; i < acpi.nioapics; i++) {
		volatile uint32_t *r =
		    mmio_map(acpi.ioapics[i].addr, PAGE_SIZE, VM_READ | VM_WRITE | VM_UNCACHED);

		if (!r)
			panic("ioapic: cannot map IOAPIC %zu at %#lx", i, acpi.ioapics[i].addr);
		ioapics[nioapics].regs = r;
		ioapics[nioapics].gsi_base = acpi.ioapics[i].gsi_base;
		ioapics[nioapics].count = ((rd(nioapics, REG_VER) >> 16) & 0xff) + 1;
		for (uint32_t n = 0; n < ioapics[nioapics].count; n++) {
			wr(nioapics, REG_REDIR(n), REDIR_MASKED);
			wr(nioapics, REG_REDIR(n) + 1, 0);
		}
		nioapics++;
	}
}

uint32_t ioapic_gsi_count(void)
{
	uint32_t n = 0;

	for (size_t i = 0; i < nioapics; i++)
		n = MAX(n, ioapics[i].gsi_base + ioapics[i].count);
	return n;
}

// Finds the IOAPIC and pin for gsi; -1 if none has it.
static int find(uint32_t gsi, uint32_t *pin)
{
	for (size_t i = 0; i < nioapics; i++) {
		if (gsi >= ioapics[i].gsi_base && gsi - ioapics[i].gsi_base < ioapics[i].count) {
			*pin = gsi - ioapics[i].gsi_base;
			return (int)i;
		}
	}
	return -1;
}

int ioapic_route_gsi(uint32_t gsi, unsigned vector, bool level, bool active_low)
{
	uint32_t pin, lo;
	int i = find(gsi, &pin);

	if (i < 0 || vector < 32 || vector > 254)
		return -EXO_EINVAL;
	lo = vector | (level ? REDIR_LEVEL : 0) | (active_low ? REDIR_ACTIVE_LOW : 0);
	spin_lock(&ioapic_lock);
	wr(i, REG_REDIR(pin) + 1, lapic_id() << 24); // physical destination: this CPU
	wr(i, REG_REDIR(pin), lo);
	spin_unlock(&ioapic_lock);
	return 0;
}

int ioapic_route_isa(unsigned irq, unsigned vector)
{
	uint16_t flags;

	if (irq >= 16)
		return -EXO_EINVAL;
	flags = acpi.isa_flags[irq];
	// MPS INTI flags: polarity bits 0-1 (3 = active low), trigger bits 2-3 (3 = level).
	return ioapic_route_gsi(acpi.isa_gsi[irq], vector, ((flags >> 2) & 3) == 3, (flags & 3) == 3);
}

int ioapic_mask_gsi(uint32_t gsi, bool masked)
{
	uint32_t pin, lo;
	int i = find(gsi, &pin);

	if (i < 0)
		return -EXO_EINVAL;
	spin_lock(&ioapic_lock);
	lo = rd(i, REG_REDIR(pin));
	wr(i, REG_REDIR(pin), masked ? lo | REDIR_MASKED : lo & ~REDIR_MASKED);
	spin_unlock(&ioapic_lock);
	return 0;
}
