// SPDX-License-Identifier: MIT
// IDT for all 256 vectors, trap dispatch, and the exception report. A CPU exception in the
// kernel is fatal: it prints vector name, error code, RIP, RSP, CR2, CR3, all general registers
// and a symbolic backtrace, then panics. Device vectors go to handlers registered here.
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/paging.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <arch/usercopy.h>
#include <kern/backtrace.h>
#include <kern/bkl.h>
#include <kern/errno.h>
#include <kern/panic.h>
#include <kern/printf.h>
#include <kern/sched.h>

struct idt_entry {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
} __packed;

static struct idt_entry idt[256] __aligned(16);
static irq_handler_t handlers[256];
extern const char trap_stubs[]; // 256 entry stubs, 16 bytes apart (entry.S)
#define STUB(v) ((uint64_t)trap_stubs + 16 * (v))

static const char *const exception_names[32] = {
	"divide error",
	"debug",
	"non-maskable interrupt",
	"breakpoint",
	"overflow",
	"bound range exceeded",
	"invalid opcode",
	"device not available",
	"double fault",
	"coprocessor segment overrun",
	"invalid TSS",
	"segment not present",
	"stack-segment fault",
	"general protection fault",
	"page fault",
	"reserved (15)",
	"x87 floating-point error",
	"alignment check",
	"machine check",
	"SIMD floating-point error",
	"virtualization exception",
	"control protection exception",
};

const char *trap_name(unsigned vector)
{
	if (vector < 32)
		return exception_names[vector] ? exception_names[vector] : "reserved exception";
	if (vector == VEC_SPURIOUS)
		return "spurious interrupt";
	return "interrupt";
}

// dpl 3 lets user code raise the vector itself (int3), else doing so is a #GP.
static void set_gate(unsigned vec, uint64_t handler, unsigned ist, unsigned dpl)
{
	idt[vec] = (struct idt_entry){
		.off_lo = handler & 0xffff,
		.sel = SEL_KCODE,
		.ist = ist,
		.type = 0x8e | dpl << 5, // present, DPL, 64-bit interrupt gate
		.off_mid = (handler >> 16) & 0xffff,
		.off_hi = handler >> 32,
	};
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed ptr = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lidt %0" : : "m"(ptr));
}

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		set_gate(v, STUB(v), 0, 0);
	set_gate(VEC_BP, STUB(VEC_BP), 0, 3); // a breakpoint: the thread's upcall (SIGTRAP)
	set_gate(VEC_DF, STUB(VEC_DF), IST_DF, 0);
	set_gate(VEC_NMI, STUB(VEC_NMI), IST_NMI, 0);
	set_gate(VEC_MC, STUB(VEC_MC), IST_MC, 0);
	idt_load();
}

int trap_set_handler(unsigned vector, irq_handler_t h)
{
	if (vector < 32 || vector > 255)
		return -EXO_EINVAL;
	if (handlers[vector])
		return -EXO_EEXIST;
	handlers[vector] = h;
	return 0;
}

void trap_clear_handler(unsigned vector)
{
	if (vector < 256)
		handlers[vector] = NULL;
}

static void page_fault_detail(const struct trap_frame *tf)
{
	uint64_t e = tf->error;

	kprintf("  page fault: %s %s in %s mode%s%s\n", (e & 1) ? "protection violation on" : "no page at",
	        (e & 16)  ? "instruction fetch"
	        : (e & 2) ? "write"
	                  : "read",
	        (e & 4) ? "user" : "kernel", (e & 8) ? ", reserved bit set" : "",
	        (e & 32) ? ", protection key" : "");
}

void trap_report(const struct trap_frame *tf)
{
	char sym[96];

	kprintf("\nexo: %s (vector %lu) error=%#lx in %s mode\n", trap_name(tf->vector), tf->vector,
	        tf->error, (tf->cs & 3) ? "user" : "kernel");
	backtrace_symbol(tf->rip, sym, sizeof(sym));
	kprintf("  RIP=%016lx %s\n", tf->rip, sym);
	kprintf("  RSP=%016lx RFLAGS=%016lx CS=%lx SS=%lx\n", tf->rsp, tf->rflags, tf->cs, tf->ss);
	kprintf("  CR2=%016lx CR3=%016lx CR0=%016lx CR4=%016lx\n", read_cr2(), read_cr3(), read_cr0(),
	        read_cr4());
	if (tf->vector == VEC_PF)
		page_fault_detail(tf);
	kprintf("  RAX=%016lx RBX=%016lx RCX=%016lx RDX=%016lx\n", tf->rax, tf->rbx, tf->rcx, tf->rdx);
	kprintf("  RSI=%016lx RDI=%016lx RBP=%016lx R8 =%016lx\n", tf->rsi, tf->rdi, tf->rbp, tf->r8);
	kprintf("  R9 =%016lx R10=%016lx R11=%016lx R12=%016lx\n", tf->r9, tf->r10, tf->r11, tf->r12);
	kprintf("  R13=%016lx R14=%016lx R15=%016lx\n", tf->r13, tf->r14, tf->r15);
	backtrace_print(tf->rip, tf->rbp);
}

// An exception of user code (vectors 0-31 from user mode, sent here by trap_common): reflected to
// the thread's upcall handler (or its process killed). Takes the kernel lock; trap_return drops it.
void user_exception(struct trap_frame *tf)
{
	kernel_lock();
	sched_entry_check(); // a thread stopped meanwhile does not get its fault handled
	user_fault(tf);      // returns only if the fault went to the handler: the thread runs on
	if (percpu()->need_resched)
		schedule();
}

// Interrupts, and exceptions in kernel mode: those are fatal unless raised by a checked user
// copy. On the way back to user mode the scheduler may switch threads. An entry from user mode
// takes the kernel lock (trap_return drops it), so does an interrupt of the idle loop, which
// halts without it; a TLB shootdown is served first, without the lock: its sender holds the lock
// and waits for it.
void trap_dispatch(struct trap_frame *tf)
{
	unsigned v = (unsigned)tf->vector;
	bool from_user = tf->cs & 3;
	bool entered = from_user || !kernel_lock_held();

	if (v == VEC_SHOOTDOWN) {
		tlb_shootdown_serve();
		lapic_eoi();
		if (!from_user)
			return;
	}
	if (v == VEC_TIMER && entered && !from_user && cpu_self() != 0) {
		lapic_eoi(); // an idle CPU's tick has nothing to count: keep off the lock
		return;
	}
	if (entered)
		kernel_lock();
	if (v < 32) {
		KASSERT(!from_user); // trap_common sends those to user_exception
		if (!(v == VEC_PF && usercopy_fixup_fault(tf))) {
			trap_report(tf);
			panic("unhandled %s in kernel mode", trap_name(v));
		}
	} else if (handlers[v]) {
		handlers[v](tf);
	} else if (v != VEC_SPURIOUS && v != VEC_SHOOTDOWN && (v < VEC_IRQ_BASE || v >= VEC_IRQ_BASE + 16)) {
		klog(LOG_WARN, "unexpected interrupt on vector %u\n", v);
	} // else: spurious APIC / masked legacy PIC interrupt, nothing to acknowledge
	if (from_user) {
		sched_entry_check(); // only now: an interrupt's handler has acknowledged it
		if (percpu()->need_resched)
			schedule();
	}
	if (entered && !from_user)
		kernel_unlock();
}
