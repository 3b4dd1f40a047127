// SPDX-License-Identifier: MIT
// CPU feature probe (CPUID) and enabling of the protection features the CPU offers.
#include <arch/cpu.h>
#include <arch/pagetable.h>
#include <common/string.h>
#include <kern/printf.h>

struct cpu_features cpu;

void cpu_probe(void)
{
	uint32_t r[4], max, maxext;

	cpuid(0, 0, r);
	max = r[0];
	memcpy(cpu.vendor, &r[1], 4);
	memcpy(cpu.vendor + 4, &r[3], 4);
	memcpy(cpu.vendor + 8, &r[2], 4);
	cpuid(1, 0, r);
	cpu.tsc = r[3] & (1 << 4);
	cpu.apic = r[3] & (1 << 9);
	cpu.pge = r[3] & (1 << 13);
	cpu.x2apic = r[2] & (1 << 21);
	cpu.xsave = r[2] & (1 << 26);
	cpu.avx = r[2] & (1 << 28);
	if (max >= 7) {
		cpuid(7, 0, r);
		cpu.smep = r[1] & (1 << 7);
		cpu.smap = r[1] & (1 << 20);
		cpu.umip = r[2] & (1 << 2);
	}
	cpuid(0x80000000, 0, r);
	maxext = r[0];
	if (maxext >= 0x80000001) {
		cpuid(0x80000001, 0, r);
		cpu.nx = r[3] & (1 << 20);
		cpu.pdpe1gb = r[3] & (1 << 26);
	}
	if (maxext >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			cpuid(0x80000002 + i, 0, r);
			memcpy(cpu.brand + 16 * i, r, 16);
		}
	}
	if (maxext >= 0x80000007) {
		cpuid(0x80000007, 0, r);
		cpu.invariant_tsc = r[3] & (1 << 8);
	}
	pte_nx = cpu.nx ? PTE_NX : 0;
}

void cpu_enable_protections(void)
{
	uint64_t cr4 = read_cr4() | CR4_OSFXSR;

	if (cpu.smep)
		cr4 |= CR4_SMEP;
	if (cpu.smap)
		cr4 |= CR4_SMAP;
	if (cpu.umip)
		cr4 |= CR4_UMIP;
	if (cpu.pge)
		cr4 |= CR4_PGE;
	write_cr4(cr4);
}

void cpu_features_string(char *buf, size_t size)
{
	static const struct {
		const char *name;
		size_t offset;
	} names[] = {
#define F(x) { #x, offsetof(struct cpu_features, x) }
		F(nx),     F(smep), F(smap),          F(umip),    F(pge),   F(apic),
		F(x2apic), F(tsc),  F(invariant_tsc), F(pdpe1gb), F(xsave), F(avx),
#undef F
	};
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(names) && len < size; i++)
		if (*(const bool *)((const char *)&cpu + names[i].offset))
			len += ksnprintf(buf + len, size - len, "%s%s", len ? " " : "", names[i].name);
}

void qemu_exit(uint8_t code)
{
	outb(0xf4, code);
	for (;;) { // not under QEMU (or no isa-debug-exit device): stop here
		irq_disable();
		halt();
	}
}
