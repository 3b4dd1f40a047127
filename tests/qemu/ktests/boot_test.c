// SPDX-License-Identifier: MIT
// Boot checks after a full start: boot information, memory accounting, W^X and guard pages in
// the kernel page tables, CPU protections switched on, ACPI/IOAPIC found, and a ticking timer.
#include <arch/acpi.h>
#include <arch/cpu.h>
#include <arch/paging.h>
#include <kern/bootinfo.h>
#include <kern/clock.h>
#include <kern/frame.h>
#include <kern/ktest.h>
#include <kern/physmap.h>
#include <kern/printf.h>

extern char _text_start[], _rodata_start[], _data_start[], boot_stack_guard[];
extern uint8_t ist_stacks[3][PAGE_SIZE + 16 * 1024];
void kmain(uint32_t magic, uint64_t info);

static unsigned prot_at(const void *va)
{
	unsigned prot = 0;

	KCHECK(pt_translate(kernel_root, (vaddr_t)va, NULL, &prot));
	return prot;
}

KTEST(boot)
{
	struct frame_stats st;
	char mem[16];
	uint64_t usable = 0;

	KCHECK(boot_info.nmmap > 0);
	frame_get_stats(&st);
	KCHECK(st.total > 0 && st.free <= st.total);
	for (size_t i = 0; i < boot_info.nmmap; i++)
		if (boot_info.mmap[i].type == MMAP_USABLE)
			usable += boot_info.mmap[i].len;
	// Managed frames: usable RAM minus low memory, kernel, boot data and the bitmap.
	KCHECK(st.total * PAGE_SIZE <= usable && st.total * PAGE_SIZE + 8 * MiB >= usable);
	if (bootinfo_arg("mem_mib", mem, sizeof(mem))) { // the harness passes QEMU's -m
		uint64_t mib = 0;

		for (const char *p = mem; *p; p++)
			mib = mib * 10 + (uint64_t)(*p - '0');
		KCHECK(usable <= mib * MiB && usable + 64 * MiB >= mib * MiB);
	}

	// W^X: text is read+exec, rodata read-only, data writable and never executable.
	KCHECK_EQ(prot_at(kmain) & (VM_WRITE | VM_EXEC), VM_EXEC);
	KCHECK_EQ(prot_at(_rodata_start) & (VM_WRITE | VM_EXEC), 0);
	KCHECK_EQ(prot_at(_data_start) & (VM_WRITE | VM_EXEC), VM_WRITE);
	KCHECK_EQ(prot_at(phys_to_virt(frame_alloc())) & (VM_WRITE | VM_EXEC), VM_WRITE);
	// Guard pages below the boot stack and the IST stacks; nothing at 0.
	KCHECK(!pt_translate(kernel_root, (vaddr_t)boot_stack_guard, NULL, NULL));
	for (int i = 0; i < 3; i++)
		KCHECK(!pt_translate(kernel_root, (vaddr_t)ist_stacks[i], NULL, NULL));
	KCHECK(!pt_translate(kernel_root, 0, NULL, NULL));

	KCHECK(rdmsr(MSR_EFER) & EFER_NXE);
	KCHECK(read_cr0() & (1 << 16)); // WP: the kernel cannot write read-only pages either
	if (cpu.smep)
		KCHECK(read_cr4() & CR4_SMEP);
	if (cpu.smap)
		KCHECK(read_cr4() & CR4_SMAP);
	KCHECK(acpi.found && acpi.ncpus >= 1 && acpi.nioapics >= 1);

	uint64_t t0 = clock_ticks(), ns0 = clock_ns();
	ktest_wait_ticks(5);
	KCHECK(clock_ticks() >= t0 + 5 && clock_ns() > ns0);
	kprintf("boot: loader %s, %zu memory map entries, %lu frames\n", boot_info.loader, boot_info.nmmap,
	        st.total);
}
