// SPDX-License-Identifier: MIT
// Brings up the application processors the MADT lists, one at a time, with INIT-SIPI-SIPI through
// trampoline.S: each gets a kernel stack (its idle thread's), its own GDT, TSS and IST stacks,
// its per-CPU data, its local APIC and timer, and then joins the scheduler in its idle loop.
#include <arch/acpi.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/trap.h>
#include <common/string.h>
#include <kern/bkl.h>
#include <kern/clock.h>
#include <kern/kstack.h>
#include <kern/physmap.h>
#include <kern/printf.h>
#include <kern/sched.h>

#define TRAMP_BASE    0x8000 // trampoline.S's; SIPI vector = TRAMP_BASE >> 12
#define AP_TIMEOUT_US 500000

extern const char trampoline_start[], trampoline_end[], trampoline_efer[];
uint64_t ap_stack_top;           // the stack ap_entry switches to
static volatile unsigned ap_cpu; // the number of the CPU being started
static volatile bool ap_up;      // it reached its idle loop's door

static void delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + clock_tsc_hz() / 1000000 * us;

	while (rdtsc() < end)
		__builtin_ia32_pause();
}

void __noreturn ap_main(void);
void ap_main(void)
{
	unsigned id = ap_cpu;

	gdt_init(id);
	idt_load();
	percpu_init(id);
	cpu_enable_protections();
	fpu_init_cpu();
	lapic_init_cpu();
	cpus[id].apic_id = lapic_id();
	sched_init_cpu();
	klog(LOG_INFO, "cpu %u (APIC id %u) online\n", id, cpus[id].apic_id);
	lapic_timer_start_cpu();
	__atomic_store_n(&ap_up, true, __ATOMIC_RELEASE);
	kernel_lock();
	sched_idle_loop();
}

static bool start_ap(unsigned id, uint32_t apic_id)
{
	uint64_t top = kstack_alloc();

	if (!top)
		return false;
	ap_stack_top = top;
	ap_cpu = id;
	ap_up = false;
	lapic_send_ipi(apic_id, ICR_INIT | ICR_ASSERT);
	delay_us(10000);
	for (int i = 0; i < 2 && !ap_up; i++) {
		lapic_send_ipi(apic_id, ICR_SIPI | (TRAMP_BASE >> 12));
		delay_us(200);
	}
	for (uint64_t waited = 0; !__atomic_load_n(&ap_up, __ATOMIC_ACQUIRE) && waited < AP_TIMEOUT_US;
	     waited += 100)
		delay_us(100);
	if (!ap_up)
		kstack_free(top);
	return ap_up;
}

static void resched_ipi(struct trap_frame *tf)
{
	(void)tf; // the sender set need_resched; the way out of the interrupt acts on it
	lapic_eoi();
}

void smp_init(void)
{
	uint8_t *tramp = phys_to_virt(TRAMP_BASE);

	cpus[0].apic_id = lapic_id();
	if (trap_set_handler(VEC_RESCHED, resched_ipi))
		panic("smp: vector %d already taken", VEC_RESCHED);
	if (acpi.ncpus > 1) { // several CPUs will run: the kernel lock is on from here, held by boot
		bkl_on = true;
		kernel_lock();
		percpu_lock_syscalls();
	}
	memcpy(tramp, trampoline_start, (size_t)(trampoline_end - trampoline_start));
	*(uint32_t *)(tramp + (trampoline_efer - trampoline_start)) = (1u << 8) | (cpu.nx ? EFER_NXE : 0);
	for (size_t i = 0; i < acpi.ncpus; i++) {
		uint32_t apic_id = acpi.cpu_apic_ids[i];

		if (apic_id == cpus[0].apic_id)
			continue;
		if (ncpus == MAX_CPUS) {
			klog(LOG_WARN, "cpu with APIC id %u not started: exo supports %d CPUs\n", apic_id,
			     MAX_CPUS);
			continue;
		}
		if (start_ap(ncpus, apic_id))
			ncpus++;
		else
			klog(LOG_WARN, "cpu with APIC id %u did not start\n", apic_id);
	}
}

void smp_send_resched(unsigned id)
{
	cpus[id].need_resched = true;
	if (id != cpu_self())
		lapic_send_ipi(cpus[id].apic_id, ICR_FIXED | VEC_RESCHED);
}
