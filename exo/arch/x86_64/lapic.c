// SPDX-License-Identifier: MIT
// Local APIC in xAPIC (MMIO) mode: enable, EOI, inter-processor interrupts, and the timer. The
// timer's input clock is measured against PIT channel 2 over 10 ms (once, on the boot CPU), the
// TSC at the same time, and then every CPU's timer runs periodically at the requested rate,
// driving its tick. Every CPU sees its own local APIC at the same address.
#include <arch/acpi.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/paging.h>
#include <arch/percpu.h>
#include <arch/pit.h>
#include <arch/trap.h>
#include <kern/clock.h>
#include <kern/panic.h>
#include <kern/sched.h>

enum {
	LAPIC_ID = 0x20,
	LAPIC_EOI = 0xb0,
	LAPIC_ICR_LO = 0x300,
	LAPIC_ICR_HI = 0x310,
	LAPIC_SVR = 0xf0,
	LAPIC_LVT_TIMER = 0x320,
	LAPIC_LVT_LINT0 = 0x350,
	LAPIC_LVT_LINT1 = 0x360,
	LAPIC_LVT_ERROR = 0x370,
	LAPIC_TIMER_INIT = 0x380,
	LAPIC_TIMER_CUR = 0x390,
	LAPIC_TIMER_DIV = 0x3e0,
};
#define LVT_MASKED   (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define CALIBRATE_MS 10
#define ICR_PENDING  (1u << 12)

static volatile uint32_t *lapic;
static uint64_t timer_hz;
static uint32_t timer_count; // initial count of the periodic timer

static inline uint32_t rd(unsigned reg)
{
	return lapic[reg / 4];
}

static inline void wr(unsigned reg, uint32_t v)
{
	lapic[reg / 4] = v;
}

void lapic_init(void)
{
	lapic = mmio_map(acpi.lapic_addr, PAGE_SIZE, VM_READ | VM_WRITE | VM_UNCACHED);
	if (!lapic)
		panic("lapic: cannot map the local APIC at %#lx", acpi.lapic_addr);
	lapic_init_cpu();
}

void lapic_init_cpu(void)
{
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1 << 11)); // global enable (xAPIC mode)
	wr(LAPIC_SVR, 0x100 | VEC_SPURIOUS);                    // software enable
	wr(LAPIC_LVT_LINT0, LVT_MASKED);
	wr(LAPIC_LVT_LINT1, LVT_MASKED);
	wr(LAPIC_LVT_ERROR, LVT_MASKED);
	wr(LAPIC_LVT_TIMER, LVT_MASKED);
}

void lapic_eoi(void)
{
	wr(LAPIC_EOI, 0);
}

void lapic_send_ipi(uint32_t apic_id, uint32_t icr)
{
	wr(LAPIC_ICR_HI, apic_id << 24);
	wr(LAPIC_ICR_LO, icr);
	while (rd(LAPIC_ICR_LO) & ICR_PENDING)
		__builtin_ia32_pause();
}

uint32_t lapic_id(void)
{
	return rd(LAPIC_ID) >> 24;
}

uint64_t lapic_timer_hz(void)
{
	return timer_hz;
}

static uint32_t cal_apic[2];
static uint64_t cal_tsc[2];

static void sample(int phase)
{
	cal_apic[phase] = rd(LAPIC_TIMER_CUR);
	cal_tsc[phase] = rdtsc();
}

static void timer_tick(struct trap_frame *tf)
{
	(void)tf;
	if (cpu_self() == 0)
		clock_tick();
	sched_tick();
	lapic_eoi();
}

void lapic_timer_start(unsigned hz)
{
	wr(LAPIC_TIMER_DIV, 0x3); // divide by 16
	wr(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	wr(LAPIC_TIMER_INIT, 0xffffffff);
	pit_wait_ms(CALIBRATE_MS, sample);
	timer_hz = (uint64_t)(cal_apic[0] - cal_apic[1]) * 1000 / CALIBRATE_MS;
	if (timer_hz < 1000)
		panic("lapic: timer calibration failed (%lu Hz)", timer_hz);
	clock_init((cal_tsc[1] - cal_tsc[0]) * 1000 / CALIBRATE_MS, hz);

	if (trap_set_handler(VEC_TIMER, timer_tick))
		panic("lapic: timer vector %d already taken", VEC_TIMER);
	timer_count = (uint32_t)(timer_hz / hz);
	lapic_timer_start_cpu();
}

void lapic_timer_start_cpu(void)
{
	wr(LAPIC_TIMER_DIV, 0x3);
	wr(LAPIC_TIMER_INIT, timer_count);
	wr(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_TIMER);
}
