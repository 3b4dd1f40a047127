// SPDX-License-Identifier: MIT
// Builds the kernel page tables: text read-only+executable, rodata read-only, data and bss
// read-write no-execute (W^X everywhere), no mapping under the boot and IST stacks (guard
// pages), and the direct map of all usable RAM at PHYSMAP_BASE. Nothing is identity mapped, so a
// NULL dereference faults. Device registers and firmware tables go through mmio_map().
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/layout.h>
#include <arch/paging.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <kern/bkl.h>
#include <kern/bootinfo.h>
#include <kern/panic.h>
#include <kern/physmap.h>
#include <kern/spinlock.h>

extern char _text_start[], _text_end[], _rodata_start[], _rodata_end[], _data_start[], _kernel_end[];
extern char boot_stack_guard[];
extern uint8_t ist_stacks[MAX_CPUS][3][PAGE_SIZE + KSTACK_SIZE];

paddr_t kernel_root;
static vaddr_t mmio_next = MMIO_BASE;
static spinlock_t mmio_lock = SPINLOCK_INIT;

// TLB shootdowns: the kernel lock's holder posts one request, sends VEC_SHOOTDOWN to every other
// CPU that may cache the address and waits until each has served it, in the interrupt handler or
// in kernel_lock's spin (a CPU waiting for the lock has interrupts off). Only the holder posts,
// and a CPU's CR3 changes only under the lock or by a request, so cpus[].cr3 is stable here.
static struct {
	paddr_t root; // the address space whose user half changed, or that is going away
	vaddr_t va;   // the page; one in the kernel half concerns every CPU
	bool leave;   // root is about to be freed: CPUs on it switch to kernel_root
} shoot;

void tlb_shootdown_serve(void)
{
	struct percpu *cpu = percpu();

	if (!__atomic_load_n(&cpu->tlb_pending, __ATOMIC_ACQUIRE))
		return;
	if (shoot.leave && cpu->cr3 == shoot.root) {
		write_cr3(kernel_root);
		cpu->cr3 = kernel_root;
	} else if (!shoot.leave && ((int64_t)shoot.va < 0 || cpu->cr3 == shoot.root)) {
		invlpg(shoot.va);
	}
	__atomic_store_n(&cpu->tlb_pending, false, __ATOMIC_RELEASE);
}

static void shootdown(paddr_t root, vaddr_t va, bool leave)
{
	unsigned me;

	if (ncpus == 1)
		return;
	KASSERT_LOCKED();
	me = cpu_self();
	shoot.root = root;
	shoot.va = va;
	shoot.leave = leave;
	for (unsigned i = 0; i < ncpus; i++) {
		if (i == me || (cpus[i].cr3 != root && (leave || (int64_t)va >= 0)))
			continue;
		__atomic_store_n(&cpus[i].tlb_pending, true, __ATOMIC_RELEASE);
		lapic_send_ipi(cpus[i].apic_id, ICR_FIXED | VEC_SHOOTDOWN);
	}
	for (unsigned i = 0; i < ncpus; i++)
		while (__atomic_load_n(&cpus[i].tlb_pending, __ATOMIC_ACQUIRE))
			__builtin_ia32_pause();
}

// The kernel half is shared by every address space (and its entries are global), so a change
// there must be flushed on every CPU whatever CR3 holds; a user-half change only matters where
// the tree is live.
void tlb_invalidate(paddr_t root, vaddr_t va)
{
	if ((int64_t)va < 0 || root == percpu()->cr3)
		invlpg(va);
	shootdown(root, va, false);
}

static paddr_t kphys(const void *va)
{
	return (vaddr_t)va - KERNEL_VMA;
}

static void map_or_panic(vaddr_t va, paddr_t pa, size_t len, unsigned prot, const char *what)
{
	int err;

	if (len == 0)
		return;
	err = pt_map(kernel_root, va, pa, len, prot);
	if (err)
		panic("paging: cannot map %s at %#lx (+%#lx): error %d", what, va, (unsigned long)len, err);
}

static bool is_guard(vaddr_t va)
{
	if (va == (vaddr_t)boot_stack_guard)
		return true;
	for (int c = 0; c < MAX_CPUS; c++)
		for (int i = 0; i < 3; i++)
			if (va == (vaddr_t)ist_stacks[c][i])
				return true;
	return false;
}

// Maps [start, end) of the kernel image page by page, leaving the guard pages out.
static void map_kernel_range(const char *start, const char *end, unsigned prot, const char *what)
{
	vaddr_t run = (vaddr_t)start;

	for (vaddr_t va = (vaddr_t)start; va < (vaddr_t)end; va += PAGE_SIZE) {
		if (!is_guard(va))
			continue;
		map_or_panic(run, kphys((void *)run), va - run, prot, what);
		run = va + PAGE_SIZE;
	}
	map_or_panic(run, kphys((void *)run), (vaddr_t)end - run, prot, what);
}

// The usable RAM of the memory map, page aligned inward, sorted and merged (firmware maps may
// list overlapping or adjacent ranges).
static void usable_ranges(struct mem_range *r, size_t *n)
{
	size_t k = 0;

	for (size_t i = 0; i < boot_info.nmmap; i++) {
		const struct boot_mmap_entry *e = &boot_info.mmap[i];
		paddr_t base = ALIGN_UP(e->base, PAGE_SIZE), end = ALIGN_DOWN(e->base + e->len, PAGE_SIZE);
		size_t j = k++;

		if (e->type != MMAP_USABLE || end <= base) {
			k--;
			continue;
		}
		for (; j > 0 && r[j - 1].base > base; j--) // insertion sort by base
			r[j] = r[j - 1];
		r[j] = (struct mem_range){ base, end - base };
	}
	*n = 0;
	for (size_t i = 0; i < k; i++) {
		struct mem_range *last = *n ? &r[*n - 1] : NULL;

		if (last && r[i].base <= last->base + last->len)
			last->len = MAX(last->base + last->len, r[i].base + r[i].len) - last->base;
		else
			r[(*n)++] = r[i];
	}
}

void paging_init(void)
{
	unsigned global = cpu.pge ? VM_GLOBAL : 0;
	struct mem_range ranges[BOOT_MAX_MMAP];
	size_t n;

	kernel_root = pt_create();
	if (!kernel_root)
		panic("paging: no memory for the kernel page tables");
	map_kernel_range(_text_start, _text_end, VM_READ | VM_EXEC | global, "kernel text");
	map_kernel_range(_rodata_start, _rodata_end, VM_READ | global, "kernel rodata");
	map_kernel_range(_data_start, _kernel_end, VM_READ | VM_WRITE | global, "kernel data");

	usable_ranges(ranges, &n);
	for (size_t i = 0; i < n; i++)
		map_or_panic(PHYSMAP_BASE + ranges[i].base, ranges[i].base, ranges[i].len,
		             VM_READ | VM_WRITE | global, "direct map");
	// Every kernel PML4 entry exists from now on, so user roots can share the kernel half by
	// copying entries 256..511 once.
	for (unsigned i = PT_ENTRIES / 2; i < PT_ENTRIES; i++) {
		uint64_t *e = (uint64_t *)phys_to_virt(kernel_root) + i;
		paddr_t t;

		if (*e & PTE_P)
			continue;
		t = pt_create();
		if (!t)
			panic("paging: no memory for the kernel half");
		*e = t | PTE_P | PTE_W;
	}
	write_cr3(kernel_root);
	percpu()->cr3 = kernel_root;
}

void paging_leave(paddr_t root)
{
	struct percpu *cpu = percpu();

	if (cpu->cr3 == root) {
		write_cr3(kernel_root);
		cpu->cr3 = kernel_root;
	}
	shootdown(root, 0, true);
}

void *mmio_map(paddr_t pa, size_t len, unsigned prot)
{
	paddr_t base = ALIGN_DOWN(pa, PAGE_SIZE);
	size_t size = ALIGN_UP(pa + len, PAGE_SIZE) - base;
	vaddr_t va;

	spin_lock(&mmio_lock);
	if (mmio_next + size > MMIO_BASE + MMIO_SIZE) {
		spin_unlock(&mmio_lock);
		return NULL;
	}
	va = mmio_next;
	mmio_next += size;
	spin_unlock(&mmio_lock);
	if (pt_map(kernel_root, va, base, size, prot & ~VM_EXEC))
		return NULL;
	return (void *)(va + (pa - base));
}
