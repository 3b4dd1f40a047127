// SPDX-License-Identifier: MIT
// Per-CPU area and the SYSCALL/SYSRET setup: STAR selects kernel CS 0x08/SS 0x10 on entry and
// user SS 0x1b/CS 0x23 on return, LSTAR is syscall_entry, SFMASK clears IF, DF, TF and AC.
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/trap.h>

#define MSR_STAR           0xc0000081
#define MSR_LSTAR          0xc0000082
#define MSR_SFMASK         0xc0000084
#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define EFER_SCE           (1ull << 0)

static struct percpu cpu0;

// entry.S reaches these fields by offset.
_Static_assert(offsetof(struct percpu, kstack_top) == 8, "PERCPU_KSTACK");
_Static_assert(offsetof(struct percpu, user_rsp) == 16, "PERCPU_URSP");
_Static_assert(offsetof(struct percpu, need_resched) == 40, "PERCPU_RESCHED");
void syscall_entry(void);

void percpu_init(void)
{
	cpu0.self = &cpu0;
	wrmsr(MSR_GS_BASE, (uint64_t)&cpu0);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, (0x10ull << 48) | (0x08ull << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_SFMASK, (1 << 9) | (1 << 10) | (1 << 8) | (1 << 18)); // IF DF TF AC
}
