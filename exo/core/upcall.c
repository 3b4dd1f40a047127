// SPDX-License-Identifier: MIT
// Faults of user threads. With an upcall handler registered, the kernel writes a struct
// exo_fault on the handler's stack and resumes the thread in the handler, which may fix the
// cause and return with exo_upcall_return. Without one, or when the handler itself faults or its
// stack is unusable, the process is killed with a one-line reason on the console.
#include <arch/context.h>
#include <arch/cpu.h>
#include <arch/trap.h>
#include <common/string.h>
#include <exo/upcall.h>
#include <kern/printf.h>
#include <kern/syscall.h>

static int deliver(struct thread *t, struct trap_frame *tf, uint64_t addr)
{
	uint64_t at = ALIGN_DOWN(t->upcall_sp - sizeof(struct exo_fault), 16);

	if (copyout_fault(at, tf, addr)) // the record, straight from the frame
		return -EXO_EFAULT;
	tf->rip = t->upcall_rip;
	tf->rsp = at - 8; // as if called: rsp + 8 is 16-byte aligned at the handler's entry
	tf->rdi = at;
	tf->rflags = RFLAGS_FIXED;
	t->in_upcall = true;
	return 0;
}

static void describe(char *buf, size_t size, const struct trap_frame *tf, uint64_t addr)
{
	if (tf->vector == VEC_PF)
		ksnprintf(buf, size, "page fault at 0x%lx (%s, %s) rip=%#lx", addr,
		          (tf->error & 16)  ? "exec"
		          : (tf->error & 2) ? "write"
		                            : "read",
		          (tf->error & 1) ? "protection" : "not mapped", tf->rip);
	else
		ksnprintf(buf, size, "%s (error %#lx) rip=%#lx", trap_name((unsigned)tf->vector), tf->error,
		          tf->rip);
}

// The fault could not be delivered: the process ends with a reason.
static __attribute__((noinline)) void fault_kills(struct thread *t, struct trap_frame *tf, uint64_t addr)
{
	char why[160];

	describe(why, sizeof(why), tf, addr);
	if (t->in_upcall) {
		size_t n = strlen(why);

		ksnprintf(why + n, sizeof(why) - n, " in its fault handler");
	}
	process_exit(t->proc, EXO_STATUS_FAULT(tf->vector), why);
}

void user_fault(struct trap_frame *tf)
{
	struct thread *t = current_thread();
	uint64_t addr = tf->vector == VEC_PF ? read_cr2() : 0;

	if (!t->upcall_rip || t->in_upcall || deliver(t, tf, addr))
		fault_kills(t, tf, addr);
}

long sys_upcall_set(uint64_t rip, uint64_t stack_top)
{
	struct thread *t = current_thread();

	if (rip == 0 && stack_top == 0) { // unregister
		t->upcall_rip = t->upcall_sp = 0;
		return 0;
	}
	if (!user_range_ok(rip, 1) || !user_range_ok(stack_top - PAGE_SIZE, PAGE_SIZE))
		return -EXO_EINVAL;
	t->upcall_rip = rip;
	t->upcall_sp = stack_top;
	return 0;
}

long sys_upcall_return(uint64_t record)
{
	struct thread *t = current_thread();
	int err;

	if (!t->in_upcall)
		return -EXO_EINVAL;
	err = copyin_fault_regs(thread_frame(t), record); // checks rip, sanitises rflags, cs and ss
	if (err)
		return err;
	t->in_upcall = false;
	percpu()->frame_replaced = true; // syscall_entry returns with iretq
	return 0;
}
