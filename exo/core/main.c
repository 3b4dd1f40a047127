// SPDX-License-Identifier: MIT
// kmain: brings the machine up in order (console, CPU tables, memory, paging, interrupt
// controllers, timer, threads), prints the banner, then runs the selected in-kernel test or
// starts init and becomes the idle thread.
#include <arch/acpi.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/layout.h>
#include <arch/paging.h>
#include <arch/percpu.h>
#include <arch/serial.h>
#include <arch/smp.h>
#include <arch/trap.h>
#include <common/string.h>
#include <kern/bkl.h>
#include <kern/bootinfo.h>
#include <kern/clock.h>
#include <kern/frame.h>
#include <kern/init.h>
#include <kern/irq.h>
#include <kern/ktest.h>
#include <kern/panic.h>
#include <kern/printf.h>
#include <kern/quota.h>
#include <kern/sched.h>

#define TIMER_HZ    1000
#define EXO_VERSION "0.1"

extern char _boot_start[], _kernel_end[];

// Hands all usable RAM except low memory, the kernel image, the boot information and the boot
// modules to the frame allocator, and reports the totals.
static void memory_init(void)
{
	struct mem_range usable[BOOT_MAX_MMAP], excluded[BOOT_MAX_MODULES + 3];
	size_t nusable = 0, nexcluded = 0;
	uint64_t reserved = 0, top = 0;
	struct frame_stats st;

	for (size_t i = 0; i < boot_info.nmmap; i++) {
		const struct boot_mmap_entry *e = &boot_info.mmap[i];

		if (e->type == MMAP_USABLE) {
			usable[nusable++] = (struct mem_range){ e->base, e->len };
			top = MAX(top, e->base + e->len);
		}
	}
	// Reserved: what the map withholds below the top of RAM (address-space holes such as
	// QEMU's HyperTransport window far above RAM are not memory).
	for (size_t i = 0; i < boot_info.nmmap; i++) {
		const struct boot_mmap_entry *e = &boot_info.mmap[i];

		if (e->type != MMAP_USABLE && e->base < top)
			reserved += MIN(e->len, top - e->base);
	}
	excluded[nexcluded++] = (struct mem_range){ 0, 1 * MiB }; // BIOS data, EBDA, ROMs
	excluded[nexcluded++] = (struct mem_range){ (paddr_t)_boot_start, (paddr_t)_kernel_end - KERNEL_VMA -
		                                                              (paddr_t)_boot_start };
	excluded[nexcluded++] =
	    (struct mem_range){ boot_info.info_start, boot_info.info_end - boot_info.info_start };
	for (size_t i = 0; i < boot_info.nmodules; i++)
		excluded[nexcluded++] =
		    (struct mem_range){ boot_info.modules[i].start,
			                boot_info.modules[i].end - boot_info.modules[i].start };
	if (frame_init(usable, nusable, excluded, nexcluded, reserved))
		panic("memory: no usable RAM for the frame allocator (memory map has %zu entries)",
		      boot_info.nmmap);
	frame_get_stats(&st);
	klog(LOG_INFO, "memory: %lu MiB usable, %lu MiB reserved\n", st.total * PAGE_SIZE / MiB,
	     st.reserved / MiB);
}

static paddr_t max_ram_address(void)
{
	paddr_t top = 0;

	for (size_t i = 0; i < boot_info.nmmap; i++)
		if (boot_info.mmap[i].type == MMAP_USABLE)
			top = MAX(top, boot_info.mmap[i].base + boot_info.mmap[i].len);
	return top;
}

void kmain(uint32_t magic, uint64_t info)
{
	uint64_t tsc_start = rdtsc();
	struct process *init;
	char buf[160];
	int err;

	serial_init();
	err = bootinfo_parse(magic, info);
	if (err)
		panic("boot: unusable boot information (magic %#x, error %d): exo needs a Multiboot1 or "
		      "Multiboot2 loader that provides a memory map",
		      magic, err);
	kprintf("\nexo " EXO_VERSION " (x86_64) booted by %s; command line '%s'\n", boot_info.loader,
	        boot_info.cmdline);
	cpu_probe();
	gdt_init(0);
	percpu_init(0);
	idt_init();
	memory_init();
	paging_init();
	cpu_enable_protections();
	acpi_init();
	pic_disable();
	lapic_init();
	ioapic_init();
	lapic_timer_start(TIMER_HZ);
	fpu_init();
	uframe_init(max_ram_address());
	sched_init_cpu();
	irq_init();
	smp_init(); // from a second CPU on, the boot thread holds the kernel lock until it idles
	irq_enable();

	cpu_features_string(buf, sizeof(buf));
	klog(LOG_INFO, "cpu: %s %s, %u of %zu CPU(s) online; features: %s\n", cpu.vendor, cpu.brand, ncpus,
	     acpi.ncpus, buf);
	klog(LOG_INFO, "timer: APIC timer %lu.%03lu MHz, tick %u Hz; TSC %lu.%03lu MHz\n",
	     lapic_timer_hz() / 1000000, lapic_timer_hz() / 1000 % 1000, clock_tick_hz(),
	     clock_tsc_hz() / 1000000, clock_tsc_hz() / 1000 % 1000);
	klog(LOG_INFO, "interrupts: %zu IOAPIC(s), %u GSIs; legacy PIC masked\n", acpi.nioapics,
	     ioapic_gsi_count());
	if (clock_tsc_hz())
		klog(LOG_INFO, "boot: %lu us from kmain to banner\n",
		     (rdtsc() - tsc_start) * 1000000 / clock_tsc_hz());

	irq_disable(); // from here on, the kernel runs with interrupts off outside the idle loop
	init_exit_ends_machine = bootinfo_arg("exorun", buf, sizeof(buf));
	sched_balance_check = bootinfo_arg("balance_check", buf, sizeof(buf));
	sched_balance_off = bootinfo_arg("balance", buf, sizeof(buf)) && !strcmp(buf, "off");
	if (bootinfo_arg("test", buf, sizeof(buf)))
		ktest_run(buf);
	init_exit_powers_off = !init_exit_ends_machine;
	if (init_start(&init) == 0)
		kobj_put(&init->obj);
	else if (init_exit_ends_machine) // exorun reads the reason from the log
		qemu_exit(0x10);
	else if (boot_info.nmodules == 0)
		klog(LOG_INFO, "no init module given: nothing to run (Ctrl-A X quits QEMU)\n");
	sched_idle_loop();
}
