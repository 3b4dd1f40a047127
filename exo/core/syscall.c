// SPDX-License-Identifier: MIT
// syscall_entry's slow way out (C side) and the calls that concern the caller itself.
#include <arch/percpu.h>
#include <arch/trap.h>
#include <kern/printf.h>
#include <kern/sched.h>
#include <kern/syscall.h>

#define DEBUG_WRITE_MAX 4096

// The C side of syscall_entry's slow way out (entry.S), taken when percpu's need_resched or
// frame_replaced is set or the frame's rip is not below USER_TOP: the call's result goes into the
// frame (unless the call replaced it) and a pending reschedule happens. Returns non-zero when the
// frame must go back with iretq instead of sysretq: the call rewrote the frame (upcall return),
// or rip is not a user address - SYSRET to a non-canonical rip would fault in kernel mode with the
// user's stack (the SYSRET hazard).
int syscall_exit_slow(struct trap_frame *tf, long result)
{
	struct percpu *cpu = percpu();
	bool iret = cpu->frame_replaced;

	cpu->frame_replaced = false; // before a switch: the flag is this CPU's, the frame this thread's
	if (!iret)
		tf->rax = (uint64_t)result;
	if (cpu->need_resched)
		schedule();
	return iret || tf->rip >= USER_TOP;
}

long sys_enosys(void)
{
	return -EXO_ENOSYS;
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
