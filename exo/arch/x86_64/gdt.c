// SPDX-License-Identifier: MIT
// Each CPU's GDT with kernel and user segments and its TSS, whose IST stacks (each with an unmapped guard
// page below it, see paging.c) catch double faults, NMIs and machine checks on a known-good stack.
#include <arch/layout.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <common/string.h>

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

// The TSS with its I/O permission bitmap (one bit per port, 1 = denied) and the 0xff byte the
// CPU needs after it. While iomap_base points past the limit, every port is denied in ring 3.
#define IOMAP_BYTES 8192
struct tss_area {
	struct tss tss;
	uint8_t iomap[IOMAP_BYTES + 1];
} __packed;
#define IOMAP_OFF  offsetof(struct tss_area, iomap)
#define IOMAP_NONE sizeof(struct tss_area)

// Each CPU's GDT, entries in the order of the selectors of arch/asm-defs.h (kernel code and
// data, user data and code, the 16-byte descriptor of its own TSS), and its TSS.
static struct cpu_tables {
	uint64_t gdt[7];
	struct tss_area area;
	const void *iomap_loaded; // whose bitmap area.iomap holds
} tables[MAX_CPUS];

void tss_load_iomap(const void *map)
{
	struct percpu *cpu = percpu();
	struct cpu_tables *t = &tables[cpu->cpu_id];

	cpu->iomap_live = map;
	if (!map) {
		t->area.tss.iomap_base = IOMAP_NONE;
		return;
	}
	if (map != t->iomap_loaded) {
		memcpy(t->area.iomap, map, IOMAP_BYTES);
		t->iomap_loaded = map;
	}
	t->area.tss.iomap_base = IOMAP_OFF;
}

void tss_forget_iomap(const void *map)
{
	for (unsigned i = 0; i < ncpus; i++) {
		if (cpus[i].iomap_live == map) {
			tables[i].area.tss.iomap_base = IOMAP_NONE;
			cpus[i].iomap_live = NULL;
		}
		if (tables[i].iomap_loaded == map)
			tables[i].iomap_loaded = NULL;
	}
}

void tss_update_iomap(const void *map)
{
	for (unsigned i = 0; i < ncpus; i++)
		if (tables[i].iomap_loaded == map)
			memcpy(tables[i].area.iomap, map, IOMAP_BYTES);
}

// IST stacks live in their own section so paging_init can unmap a guard page under each.
__section(".bss.ist_stacks") __aligned(4096) uint8_t ist_stacks[MAX_CPUS][3][PAGE_SIZE + KSTACK_SIZE];

void gdt_init(unsigned id)
{
	struct cpu_tables *t = &tables[id];
	uint64_t *gdt = t->gdt;
	struct tss *tss = &t->area.tss;
	uint64_t base = (uint64_t)tss, limit = sizeof(t->area) - 1;
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed ptr = { sizeof(t->gdt) - 1, (uint64_t)gdt };

	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffff; // kernel code, 64-bit
	gdt[2] = 0x00cf92000000ffff; // kernel data
	gdt[3] = 0x00cff2000000ffff; // user data (DPL 3)
	gdt[4] = 0x00affa000000ffff; // user code, 64-bit (DPL 3)
	gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
	         (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[6] = base >> 32;

	memset(&t->area, 0, sizeof(t->area));
	t->area.iomap[IOMAP_BYTES] = 0xff;
	tss->iomap_base = IOMAP_NONE;
	tss->ist[IST_DF - 1] = (uint64_t)(ist_stacks[id][0] + sizeof(ist_stacks[id][0]));
	tss->ist[IST_NMI - 1] = (uint64_t)(ist_stacks[id][1] + sizeof(ist_stacks[id][1]));
	tss->ist[IST_MC - 1] = (uint64_t)(ist_stacks[id][2] + sizeof(ist_stacks[id][2]));
	cpus[id].tss_rsp0 = (unaligned_u64 *)&tss->rsp[0];

	__asm__ volatile(
	    "lgdt %[ptr]\n\t"
	    "mov %[kdata], %%ax\n\t"
	    "mov %%ax, %%ds\n\t"
	    "mov %%ax, %%es\n\t"
	    "mov %%ax, %%ss\n\t"
	    "pushq %[kcode]\n\t"
	    "lea 1f(%%rip), %%rax\n\t"
	    "pushq %%rax\n\t"
	    "lretq\n"
	    "1:\n\t"
	    "mov %[tss_sel], %%ax\n\t"
	    "ltr %%ax"
	    :
	    : [ptr] "m"(ptr), [kdata] "i"(SEL_KDATA), [kcode] "i"(SEL_KCODE), [tss_sel] "i"(SEL_TSS)
	    : "rax", "memory");
}
