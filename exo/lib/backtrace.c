// SPDX-License-Identifier: MIT
// Backtraces: follows the frame-pointer chain (the kernel is built with frame pointers) and names
// each return address with the kernel symbol table that the build links into section .ksyms
// (generated from the kernel's own text symbols by toolchain/scripts/gen-ksyms).
#include <arch/cpu.h>
#include <arch/pagetable.h>
#include <kern/backtrace.h>
#include <kern/printf.h>

struct ksym {
	uint64_t addr;
	uint32_t name; // offset in ksyms_names
	uint32_t pad;
};

extern const uint64_t ksyms_count;
extern const struct ksym ksyms_table[];
extern const char ksyms_names[];
extern const char _text_start[], _text_end[];

#define MAX_FRAMES 32

void backtrace_symbol(uint64_t addr, char *buf, size_t size)
{
	size_t lo = 0, hi = ksyms_count;

	if (addr < (uint64_t)_text_start || addr >= (uint64_t)_text_end || ksyms_count == 0) {
		ksnprintf(buf, size, "?");
		return;
	}
	// Last symbol with address <= addr.
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (ksyms_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (ksyms_table[lo].addr > addr) {
		ksnprintf(buf, size, "?");
		return;
	}
	ksnprintf(buf, size, "%s+%#lx", ksyms_names + ksyms_table[lo].name, addr - ksyms_table[lo].addr);
}

// A frame is followed only if both of its words are on mapped kernel memory.
static bool frame_readable(uint64_t rbp)
{
	paddr_t root = read_cr3() & PTE_ADDR;

	return rbp >= 0xffff800000000000ull && !(rbp & 7) && pt_translate(root, rbp, NULL, NULL) &&
	       pt_translate(root, rbp + 8, NULL, NULL);
}

void backtrace_print(uint64_t rip, uint64_t rbp)
{
	char sym[96];

	kprintf("  backtrace:\n");
	backtrace_symbol(rip, sym, sizeof(sym));
	kprintf("    #0  %016lx %s\n", rip, sym);
	for (int i = 1; i < MAX_FRAMES && rbp && frame_readable(rbp); i++) {
		uint64_t ret = ((uint64_t *)rbp)[1];

		if (ret < (uint64_t)_text_start || ret >= (uint64_t)_text_end)
			break;
		backtrace_symbol(ret, sym, sizeof(sym));
		kprintf("    #%-2d %016lx %s\n", i, ret, sym);
		rbp = ((uint64_t *)rbp)[0];
	}
}
