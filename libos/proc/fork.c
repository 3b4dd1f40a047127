// SPDX-License-Identifier: MIT
// fork in user space. The parent builds the child: a process charged to the same quota (a fork
// bomb runs out of it, or of the process manager's table: EAGAIN), a thread, copies of its
// capabilities (itself and its thread for the child, the quota, the console, the boot files - in
// one kernel call per 512 pages), a notification for its signals, a pid from the process manager
// and a boot information page naming them at the usual address. Then the address space goes
// over (libos_mem_fork: data copied, the rest copy-on-write, MAP_SHARED shared) and the child's
// thread starts on its copy of the forking thread's fault stack (libos_fork_entry, forkctx.S),
// installs its fault handler and TLS and resumes the forking thread's registers inside
// libos_fork, which returns 0 there after each component forgot what was only the parent's
// (other threads, pending signals, timers, locks, the frame pool). musl runs the pthread_atfork
// handlers and resets its own thread list around the call.
#include "internal.h"
#include <exo/libexo.h>
#include <libos/console.h>
#include <libos/file.h>
#include <libos/mem.h>
#include <libos/proc.h>
#include <libos/signal.h>
#include <libos/thread.h>

#define ENTRY_SPACE 8192 // how far below its top the child's first code runs on the fault stack
#define FORK_PAIRS  64   // capabilities handed over besides the boot information's (a pipe's each)

struct libos_fork_ctx {
	uint64_t rip, rsp, rbx, rbp, r12, r13, r14, r15;
	uint32_t mxcsr;
	uint16_t fcw;
	uint64_t fs;
	uint8_t *handler_top; // the fault stack: the child's own copy
	long parent;          // the forking process's pid
	int npairs;           // capabilities the child got beyond its boot information's:
	struct {              // the parent's handle, the child's
		uint64_t parent, child;
	} pairs[FORK_PAIRS];
};
_Static_assert(__builtin_offsetof(struct libos_fork_ctx, mxcsr) == 64, "forkctx.S's offsets");

__attribute__((returns_twice)) int libos_fork_save(struct libos_fork_ctx *ctx);
_Noreturn void libos_fork_resume(const struct libos_fork_ctx *ctx);
void libos_fork_entry(void);

_Noreturn void libos_fork_child_start(const struct libos_fork_ctx *ctx);

_Noreturn void libos_fork_child_start(const struct libos_fork_ctx *ctx)
{
	libos_mem_thread_init(ctx->handler_top);
	exo_set_fs_base(ctx->fs);
	// Before the first fault: the map's lock was held when its page was copied.
	libos_mem_fork_child((uint64_t)ctx->handler_top - 1);
	libos_fork_resume(ctx);
}

static void note(uint64_t parent, uint64_t child, void *arg)
{
	struct libos_fork_ctx *ctx = arg;

	if (ctx->npairs < FORK_PAIRS)
		ctx->pairs[ctx->npairs++].parent = parent, ctx->pairs[ctx->npairs - 1].child = child;
}

static uint64_t xlat(uint64_t parent, void *arg)
{
	const struct libos_fork_ctx *ctx = arg;

	for (int i = 0; i < ctx->npairs; i++)
		if (ctx->pairs[i].parent == parent)
			return ctx->pairs[i].child;
	return 0;
}

// What only the parent had: each component forgets it in the child.
static void child_side(const struct libos_fork_ctx *ctx)
{
	libos_thread_fork_child();
	libos_signal_fork_child();
	libos_file_fork_child();
	libos_pipe_fork_child(xlat, (void *)ctx);
	libos_mem_fork_translate(xlat, (void *)ctx);
	libos_console_fork_child();
	libos_pm_fork_child();
	libos_proc_parent(ctx->parent);
}

static long errno_of(long r)
{
	return r == -ENOMEM ? -ENOMEM : -EAGAIN; // the kernel's ENOMEM and ENOSPC too: out of resources
}

// fork, or (fn) posix_spawn's clone: the child runs fn(arg) and exits with what it returns.
static long fork_with(int (*fn)(void *), void *arg)
{
	struct libos_fork_ctx ctx;
	struct exo_bootinfo bi;
	char name[LIBOS_CHILD_NAME + 1] = { 0 };
	uint64_t pid = 0;
	long child, r;
	volatile long thread = -1, ntfn = -1; // kept in memory across libos_fork_save
	volatile int counted = 0;             // the child's pipe ends are counted

	if (!libos_pm_present())
		return -ENOSYS; // no process manager: a lone program (docs/libos.md)
	libos_child_name(libos_progname, name);
	child = exo_process_create_slots(libos_boot->quota, name, LIBOS_CHILD_SLOTS);
	if (child < 0)
		return errno_of(child);
	r = thread = exo_thread_create((uint64_t)child, LIBOS_CHILD_PRIO);
	if (r >= 0)
		r = ntfn = exo_notify_create();
	if (r >= 0)
		r = libos_child_equip((uint64_t)child, (uint64_t)thread, (uint64_t)ntfn, &bi);
	if (r >= 0)
		r = libos_pm_fork((uint64_t)child, (uint64_t)ntfn, &pid, &bi.procmgr);
	if (r >= 0) {
		bi.pid = pid;
		r = exo_child_page(libos_boot->self, libos_boot->quota, (uint64_t)child, EXO_BOOTINFO_ADDR,
		                   EXO_R_READ, &bi, sizeof(bi));
	}
	ctx.npairs = 0;
	if (r >= 0 && (r = libos_pipe_fork((uint64_t)child, note, &ctx)) >= 0)
		counted = 1;
	if (r >= 0)
		r = libos_mem_fork_shared((uint64_t)child, note, &ctx);
	if (r >= 0) {
		ctx.handler_top = libos_thread_handler_top();
		ctx.parent = libos_getpid();
		ctx.fs = libos_thread_tls();
		if (libos_fork_save(&ctx)) {
			child_side(&ctx);
			if (fn)
				libos_exit_group(fn(arg));
			return 0;
		}
		r = libos_mem_fork((uint64_t)child, (uint64_t)ctx.handler_top - LIBOS_HANDLER_STACK,
		                   libos_thread_handler_wired() ? LIBOS_HANDLER_STACK / EXO_PAGE_SIZE : 0);
	}
	if (r >= 0)
		r = exo_thread_start((uint64_t)thread, (uint64_t)libos_fork_entry,
		                     (uint64_t)ctx.handler_top - ENTRY_SPACE, (uint64_t)&ctx);
	if (r < 0 && counted)
		libos_pipe_fork_failed();
	if (r < 0) // a registered child is reported as killed: its parent's wait takes it
		exo_process_kill((uint64_t)child, EXO_STATUS_SIGNAL(9));
	exo_cap_delete((uint64_t)child);
	if (thread > 0)
		exo_cap_delete((uint64_t)thread);
	if (ntfn > 0)
		exo_cap_delete((uint64_t)ntfn);
	return r < 0 ? errno_of(r) : (long)pid;
}

long libos_fork(void)
{
	return fork_with(NULL, NULL);
}

long libos_fork_call(int (*fn)(void *), void *arg)
{
	return fork_with(fn, arg);
}
