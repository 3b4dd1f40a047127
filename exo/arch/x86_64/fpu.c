// SPDX-License-Identifier: MIT
// FPU state with XSAVE (x87, SSE and AVX when present) or FXSAVE. Each thread's area is one
// frame (XSAVE areas for these components are < 1 KiB); a template captured right after
// initialisation gives new threads a clean state (FCW 0x37f, MXCSR 0x1f80).
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <common/string.h>
#include <kern/frame.h>
#include <kern/panic.h>
#include <kern/physmap.h>

#define CR0_MP         (1ull << 1)
#define CR0_EM         (1ull << 2)
#define CR0_TS         (1ull << 3)
#define CR0_NE         (1ull << 5)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_OSXSAVE    (1ull << 18)
#define XCR0_X87       1
#define XCR0_SSE       2
#define XCR0_AVX       4

bool fpu_use_xsave, fpu_use_xsaveopt;
uint64_t fpu_xcr0;
#define use_xsave fpu_use_xsave
#define xcr0      fpu_xcr0
static uint8_t template_area[4096] __aligned(64);

void fpu_init_cpu(void)
{
	uint32_t mxcsr = 0x1f80;

	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	if (cpu.xsave) {
		write_cr4(read_cr4() | CR4_OSXSAVE);
		xcr0 = XCR0_X87 | XCR0_SSE | (cpu.avx ? XCR0_AVX : 0);
		__asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)xcr0), "d"((uint32_t)(xcr0 >> 32)));
	}
	__asm__ volatile("fninit\n\tldmxcsr %0" : : "m"(mxcsr));
}

void fpu_init(void)
{
	uint32_t r[4];

	fpu_init_cpu();
	if (cpu.xsave) {
		cpuid(0xd, 0, r);
		if (r[1] > sizeof(template_area))
			panic("fpu: XSAVE area of %u bytes does not fit a frame", r[1]);
		use_xsave = true;
		cpuid(0xd, 1, r);
		fpu_use_xsaveopt = r[0] & 1;
	}
	fpu_save(template_area);
}

void *fpu_state_alloc(void)
{
	paddr_t pa = frame_alloc();
	void *area;

	if (!pa)
		return NULL;
	area = phys_to_virt(pa);
	memcpy(area, template_area, sizeof(template_area));
	return area;
}

void fpu_state_free(void *area)
{
	frame_free(virt_to_phys(area));
}
