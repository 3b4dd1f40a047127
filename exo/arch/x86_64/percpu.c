// SPDX-License-Identifier: MIT
// Per-CPU areas and the SYSCALL/SYSRET setup: STAR selects the kernel's code and data selectors on
// entry and the user's on return, LSTAR is syscall_entry (syscall_entry_up while one CPU runs:
// no kernel lock), SFMASK clears IF, DF, TF and AC.
#include <arch/cpu.h>
#include <arch/pagetable.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <kern/bkl.h>

#define MSR_STAR           0xc0000081
#define MSR_LSTAR          0xc0000082
#define MSR_SFMASK         0xc0000084
#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define EFER_SCE           (1ull << 0)

struct percpu cpus[MAX_CPUS];
unsigned ncpus = 1;

// SYSRET loads user data from STAR's base + 8 and user code from base + 16 (both RPL 3); SYSCALL
// loads kernel code from its own field and kernel data from it + 8.
#define STAR_USER_BASE SEL_KDATA
_Static_assert(SEL_UDATA == ((STAR_USER_BASE + 8) | 3) && SEL_UCODE == ((STAR_USER_BASE + 16) | 3) &&
                   SEL_KDATA == SEL_KCODE + 8,
               "the GDT's order is the one SYSCALL and SYSRET assume");
void syscall_entry(void);      // with the kernel lock
void syscall_entry_up(void);   // without: one CPU runs (kern/bkl.h)
void syscall_entry_exit(void); // their ways out (entry.S), for syscall_switch_frame
extern void *syscall_exit_path;

void percpu_init(unsigned id)
{
	struct percpu *cpu = &cpus[id];

	cpu->self = cpu;
	cpu->cpu_id = id;
	cpu->cr3 = read_cr3() & PTE_ADDR;
	wrmsr(MSR_GS_BASE, (uint64_t)cpu);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, ((uint64_t)STAR_USER_BASE << 48) | ((uint64_t)SEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)(bkl_on ? syscall_entry : syscall_entry_up));
	wrmsr(MSR_SFMASK, (1 << 9) | (1 << 10) | (1 << 8) | (1 << 18)); // IF DF TF AC
#ifdef SPIN_ORDER_CHECKS
	if (id == 0)
		spin_order_on = true; // GS works: the lock-order checks can count (kern/spinlock.h)
#endif
}

void percpu_lock_syscalls(void)
{
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	syscall_exit_path = (void *)syscall_entry_exit;
}
