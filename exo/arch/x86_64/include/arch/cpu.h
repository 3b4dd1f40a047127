// SPDX-License-Identifier: MIT
// x86-64 instructions the kernel uses, as inline functions, and the CPU feature probe.
#pragma once

#include <kern/types.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#define DEFINE_CR(n)                                                       \
	static inline uint64_t read_cr##n(void)                            \
	{                                                                  \
		uint64_t v;                                                \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));          \
		return v;                                                  \
	}                                                                  \
	static inline void write_cr##n(uint64_t v)                         \
	{                                                                  \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)

static inline void invlpg(vaddr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

// Waits for an interrupt with interrupts enabled just for the wait (sti's one-instruction
// shadow makes the pair atomic: no wake-up is lost between them).
static inline void irq_enable_and_halt(void)
{
	__asm__ volatile("sti\n\thlt\n\tcli" ::: "memory");
}

static inline void halt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}

#define MSR_EFER      0xc0000080
#define MSR_APIC_BASE 0x1b
#define EFER_NXE      (1ull << 11)
#define CR4_PGE       (1ull << 7)
#define CR4_OSFXSR    (1ull << 9)
#define CR4_UMIP      (1ull << 11)
#define CR4_SMEP      (1ull << 20)
#define CR4_SMAP      (1ull << 21)

// CPU features the kernel cares about, filled by cpu_probe().
struct cpu_features {
	char vendor[13];
	char brand[49];
	bool nx, smep, smap, umip, pge, apic, x2apic, tsc, invariant_tsc, pdpe1gb, xsave, avx;
};
extern struct cpu_features cpu;

void cpu_probe(void);
// Turns on SMEP/SMAP/UMIP/PGE where present.
void cpu_enable_protections(void);
// Writes the feature list into buf ("nx smep smap ...").
void cpu_features_string(char *buf, size_t size);
// Ends the QEMU process via isa-debug-exit (port 0xf4): code 0x10 exits with status 33.
void __noreturn qemu_exit(uint8_t code);
