// SPDX-License-Identifier: MIT
// The fault handler every libos thread installs: page faults the address-space map allows are
// served (demand paging, stack growth), one in libos_copy makes that copy return EFAULT; any
// other fault becomes its signal - the program's handler runs if it has one - or ends the process
// the way a signal would, with a one-line reason ("libos: 'prog' killed by SIGSEGV: write to
// read-only memory at 0x... (rip 0x...)") and the kernel's fault status (exorun turns it into 128
// + signal).
#include <libos/mem.h>
#include <libos/signal.h>

#define HANDLER_STACK 16384

static uint8_t main_handler_stack[HANDLER_STACK] LIBOS_WIRED __attribute__((aligned(16)));

struct fault_signal {
	int sig, code; // as Linux raises them
	const char *name;
};

static struct fault_signal signal_of(const struct exo_fault *f)
{
	switch (f->vector) {
	case 0:
		return (struct fault_signal){ SIGFPE, FPE_INTDIV, "SIGFPE" };
	case 16:
	case 19:
		return (struct fault_signal){ SIGFPE, FPE_FLTINV, "SIGFPE" };
	case 6:
		return (struct fault_signal){ SIGILL, ILL_ILLOPN, "SIGILL" };
	case 3:
		return (struct fault_signal){ SIGTRAP, SI_KERNEL, "SIGTRAP" };
	case 1:
		return (struct fault_signal){ SIGTRAP, TRAP_TRACE, "SIGTRAP" };
	case 17:
		return (struct fault_signal){ SIGBUS, BUS_ADRALN, "SIGBUS" };
	case 14:
		return (struct fault_signal){ SIGSEGV, libos_mem_mapped(f->addr) ? SEGV_ACCERR : SEGV_MAPERR,
			                      "SIGSEGV" };
	default:
		return (struct fault_signal){ SIGSEGV, SI_KERNEL, "SIGSEGV" };
	}
}

// Runs the program's handler for the fault's signal if it has one (does not return then).
static void signal_fault(struct exo_fault *f)
{
	struct fault_signal s = signal_of(f);

	libos_signal_fault(f, s.sig, s.code, libos_mem_fill);
}

static const char *exception_name(uint64_t vector)
{
	switch (vector) {
	case 0:
		return "divide error";
	case 6:
		return "invalid opcode";
	case 13:
		return "general protection fault";
	case 16:
	case 19:
		return "floating-point exception";
	default:
		return "exception";
	}
}

// A fault in libos_copy on the program's behalf: the copy returns -EFAULT instead.
static void copy_fault(struct exo_fault *f)
{
	if (f->regs.rip >= (uint64_t)libos_copy_begin && f->regs.rip < (uint64_t)libos_copy_end) {
		f->regs.rip = (uint64_t)libos_copy_fault;
		exo_upcall_return(f);
	}
}

static void on_fault(struct exo_fault *f)
{
	const char *why;

	if (f->vector == 13) // a non-canonical address
		copy_fault(f);
	if (f->vector == 14) {
		why = libos_mem_fill(f->addr, f->error);
		if (!why)
			exo_upcall_return(f);
		copy_fault(f);
		signal_fault(f);
		libos_die(EXO_STATUS_FAULT(f->vector), "'%s' killed by SIGSEGV: %s at 0x%lx (rip 0x%lx)",
		          libos_progname, why, (unsigned long)f->addr, (unsigned long)f->regs.rip);
	}
	signal_fault(f);
	libos_die(EXO_STATUS_FAULT(f->vector), "'%s' killed by %s: %s (vector %lu) at rip 0x%lx",
	          libos_progname, signal_of(f).name, exception_name(f->vector), (unsigned long)f->vector,
	          (unsigned long)f->regs.rip);
}

void *libos_mem_main_handler_top(void)
{
	return main_handler_stack + HANDLER_STACK;
}

void libos_mem_thread_init(void *handler_stack_top)
{
	if (!handler_stack_top)
		handler_stack_top = main_handler_stack + HANDLER_STACK;
	exo_upcall_set((void *)on_fault, handler_stack_top);
}
