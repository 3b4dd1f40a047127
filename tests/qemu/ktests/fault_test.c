// SPDX-License-Identifier: MIT
// Faults the kernel must catch and report (each test is expected to end in a panic with an
// exception report; tests/qemu/tests.list says which report).
#include <arch/paging.h>
#include <kern/frame.h>
#include <kern/ktest.h>
#include <kern/physmap.h>
#include <kern/spinlock.h>

void kmain(uint32_t magic, uint64_t info);

KTEST(fault_divide)
{
	volatile int zero = 0;
	volatile int x = 42 / zero;

	(void)x;
}

KTEST(fault_unmapped)
{
	(void)*(volatile uint64_t *)0xdead000;
}

KTEST(fault_write_text)
{
	*(volatile uint8_t *)kmain = 0xcc;
}

KTEST(fault_exec_data)
{
	static const uint8_t ret = 0xc3; // "ret", in rodata: executing it must fault (NX)
	((void (*)(void)) & ret)();
}

static volatile int stop_depth = -1; // never reached; hides the endless recursion from GCC

static int recurse(int depth)
{
	volatile char pad[512];

	pad[0] = (char)depth;
	if (depth == stop_depth)
		return 0;
	return recurse(depth + 1) + pad[0];
}

KTEST(fault_stack_overflow)
{
	// Runs into the guard page under the boot stack: the page fault cannot be delivered on the
	// dead stack, so the CPU raises a double fault, which runs on its own IST stack.
	recurse(0);
}

KTEST(fault_smap)
{
	// With SMAP, the kernel must not read user pages (without stac).
	paddr_t pa = frame_alloc();

	KCHECK(pa && pt_map(kernel_root, 0x400000, pa, PAGE_SIZE, VM_READ | VM_USER) == 0);
	(void)*(volatile uint64_t *)0x400000;
}

KTEST(fault_assert)
{
	KASSERT(1 + 1 == 3);
}

KTEST(triple_fault)
{
	// An empty IDT turns the breakpoint into a triple fault: QEMU (-no-reboot) exits with 0,
	// which the harness must never count as a pass.
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed empty = { 0, 0 };

	__asm__ volatile("lidt %0\n\tint3" : : "m"(empty));
}

// A spin lock taken inside one of the same or a higher rank breaks the lock order (debug kernels
// check it).
KTEST(fault_lock_order)
{
	static spinlock_t a = SPINLOCK_INIT_RANK(LOCK_RANK_FRAME), b = SPINLOCK_INIT_RANK(LOCK_RANK_HEAP);

	spin_lock(&a);
	spin_lock(&b);
	spin_unlock(&b);
	spin_unlock(&a);
}
