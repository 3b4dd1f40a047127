// SPDX-License-Identifier: MIT
// Kernel call entry (C side of syscall_entry) and the calls that concern the caller itself.
#include <arch/percpu.h>
#include <arch/trap.h>
#include <kern/printf.h>
#include <kern/sched.h>
#include <kern/syscall.h>

#define DEBUG_WRITE_MAX 4096

// Returns non-zero when the frame must go back with iretq instead of sysretq: the call rewrote
// the frame (upcall return), or rip is not a canonical user address - SYSRET to a non-canonical
// rip would fault in kernel mode with the user's stack (the SYSRET hazard).
int syscall_handler(struct trap_frame *tf)
{
	struct thread *t = current_thread();
	long r = syscall_dispatch(tf->rax, tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9);
	bool iret = false;

	if (t->frame_replaced) {
		t->frame_replaced = false;
		iret = true;
	} else {
		tf->rax = (uint64_t)r;
	}
	if (percpu()->need_resched)
		schedule();
	return iret || tf->rip >= USER_TOP;
}

long sys_null(void)
{
	return 0;
}

long sys_debug_write(uint64_t buf, uint64_t len)
{
	char tmp[256];

	if (len > DEBUG_WRITE_MAX)
		return -EXO_EINVAL;
	for (uint64_t done = 0; done < len;) {
		size_t n = MIN(len - done, sizeof(tmp));
		int err = copyin(tmp, buf + done, n);

		if (err)
			return err;
		console_write(tmp, n);
		done += n;
	}
	return (long)len;
}

long sys_exit(uint64_t status)
{
	process_exit(current_process(), (long)status, NULL);
	return 0; // not reached
}
