// SPDX-License-Identifier: MIT
// launch: the first user program when exorun runs a POSIX program. It keeps init's root
// capabilities so that the program does not hold them: it starts the console service (COM2's
// ports and IRQ only), reads the RTC for CLOCK_REALTIME, and starts the program - boot module 1 -
// as a child process with its own quota (nearly all memory), capabilities to itself and its
// thread, a send-only copy of the console endpoint, read-only frames of boot modules 1.. (the
// program, exorun's manifest, arguments and environment, the --file files: the child's modules
// 0..), a notification for its signals and a capability to the process manager (badged pid 1),
// and a struct exo_bootinfo naming them, its device fields zero. No I/O port, IRQ or device
// memory, no capability to the launcher's other parts, no timeslice. The quota, the console
// endpoint and the files come with EXO_R_GRANT: the program hands them on to the processes it
// forks. The launcher then serves as the process manager (procmgr.c) and exits with the program's
// status when it ends, which ends the machine (the kernel's exorun mode).
#include "launch.h"

#define KEEP   512  // frames the launcher keeps: page tables of its scratch mappings
#define SLOTS  1024 // the child's capability slots besides one per boot file page
#define PRIO   16   // the program's threads (libos's default)
#define FAILED 125  // exorun's status for a program that could not start

static struct exo_bootinfo child_bi; // the program's boot information, in the launcher's terms first

// The part of path after its last '/'.
static const char *base_name(const char *path)
{
	const char *b = path;

	for (; *path; path++)
		if (*path == '/')
			b = path + 1;
	return b;
}

static const char *error_text(long err)
{
	switch (err) {
	case -EXO_ENOMEM:
		return "not enough memory";
	case -EXO_ENOSPC:
		return "the capability table is full";
	case -EXO_EINVAL:
		return "not a valid program";
	default:
		return "internal error";
	}
}

// Copies cap into the child with rights into *out (its handle there).
static long give(uint64_t cap, uint64_t child, uint64_t rights, uint64_t *out)
{
	long r = exo_cap_copy(cap, child, rights);

	*out = r > 0 ? (uint64_t)r : 0;
	return r < 0 ? r : 0;
}

// The boot files: modules 1.. become the child's 0.., each page a read-only frame capability,
// consecutive in the child's table as in the launcher's.
static long give_files(const struct exo_bootinfo *bi, uint64_t child)
{
	for (uint64_t i = 1; i < bi->nmodules && i < EXO_MAX_BOOT_MODULES; i++) {
		const struct exo_boot_module *m = &bi->modules[i];
		struct exo_boot_module *c = &child_bi.modules[child_bi.nmodules++];

		*c = *m;
		for (uint64_t p = 0; p < m->npages; p++) {
			uint64_t h;
			long r = give(m->frames + p, child, EXO_R_READ | EXO_R_GRANT, &h);

			if (r)
				return r;
			if (p == 0)
				c->frames = h;
			else if (h != c->frames + p)
				return -EXO_ENOSPC; // not consecutive: the table was not fresh
		}
	}
	return 0;
}

// Pages of boot modules 1..: the child's capability table has a slot for each.
static uint64_t file_pages(const struct exo_bootinfo *bi)
{
	uint64_t n = 0;

	for (uint64_t i = 1; i < bi->nmodules && i < EXO_MAX_BOOT_MODULES; i++)
		n += bi->modules[i].npages;
	return n;
}

// A quota of all but KEEP of the launcher's free frames; its handle, or -EXO_E*.
static long child_quota(const struct exo_bootinfo *bi)
{
	struct exo_cap_info info;
	long r = exo_cap_info(bi->quota, &info);
	uint64_t free;

	if (r)
		return r;
	free = info.a - info.b;
	if (free <= KEEP)
		return -EXO_ENOMEM;
	child_bi.quota_frames = free - KEEP;
	return exo_quota_split(bi->quota, free - KEEP);
}

// exorun's status for the program's kernel exit status: 128 + N for signal N.
static int exorun_status(long status)
{
	return status >= EXO_STATUS_SIGNAL(0) && status < EXO_STATUS_SIGNAL(128)
	           ? (int)(128 + status - EXO_STATUS_SIGNAL(0))
	           : (int)status;
}

static int first_ended(long status)
{
	exo_exit(exorun_status(status));
	return -1; // not reached: the launcher, and with it the machine, ends
}

// Registers the program with the process manager as pid 1, with a notification for its signals.
static long manage(const struct exo_bootinfo *bi, uint64_t child)
{
	long n = exo_notify_create(), r = n < 0 ? n : 0;

	if (!r)
		r = give((uint64_t)n, child, EXO_R_READ | EXO_R_WRITE, &child_bi.ntfn);
	if (!r)
		r = procmgr_start(bi->self, child, (uint64_t)n, &child_bi.procmgr, first_ended);
	child_bi.pid = 1;
	return r;
}

// Builds and starts the program; *child names it.
static long start(const struct exo_bootinfo *bi, uint64_t console, uint64_t *child, char *why, size_t whysize)
{
	const struct exo_boot_module *prog = &bi->modules[1];
	long quota = child_quota(bi), r = quota < 0 ? quota : 0;
	uint64_t thread, entry;

	if (!r)
		r = exo_spawn_inactive(bi->self, (uint64_t)quota, prog, base_name(prog->name),
		                       SLOTS + file_pages(bi), PRIO, child, &thread, &entry, why, whysize);
	if (r)
		return r;
	child_bi.magic = EXO_BOOTINFO_MAGIC;
	memcpy(child_bi.cmdline, bi->cmdline, sizeof(child_bi.cmdline));
	r = give(*child, *child, EXO_R_READ | EXO_R_WRITE | EXO_R_CONTROL, &child_bi.self);
	if (!r)
		r = give(thread, *child, EXO_R_READ | EXO_R_WRITE | EXO_R_CONTROL, &child_bi.thread);
	if (!r)
		r = give((uint64_t)quota, *child, EXO_R_READ | EXO_R_WRITE | EXO_R_GRANT, &child_bi.quota);
	if (!r && console)
		r = give(console, *child, EXO_R_WRITE | EXO_R_GRANT, &child_bi.console);
	if (!r)
		r = manage(bi, *child);
	if (!r)
		r = give_files(bi, *child);
	if (!r)
		r = exo_child_page(bi->self, (uint64_t)quota, *child, EXO_BOOTINFO_ADDR, EXO_R_READ,
		                   &child_bi, sizeof(child_bi));
	if (!r)
		r = exo_thread_start(thread, entry, EXO_INIT_STACK_TOP, EXO_BOOTINFO_ADDR);
	if (r)
		exo_process_kill(*child, -1);
	return r;
}

int main(uint64_t arg)
{
	const struct exo_bootinfo *bi = (const void *)arg;
	uint64_t console, secs, child;
	char why[128] = "";
	long r;

	if (bi->nmodules < 2) {
		exo_printf("launch: cannot start '': no program (boot module 1)\n");
		return FAILED;
	}
	console = launch_console(bi);
	secs = launch_rtc_seconds(bi->ioports);
	if (secs) // CLOCK_REALTIME = the monotonic clock + this
		child_bi.realtime_ns = secs * 1000000000ull - (uint64_t)exo_clock_ns();
	r = start(bi, console, &child, why, sizeof(why));
	if (r) { // exorun reads the reason
		exo_printf("launch: cannot start '%s': %s%s%s (error %ld)\n", bi->modules[1].name,
		           error_text(r), why[0] ? ": " : "", why, r);
		return FAILED;
	}
	procmgr_serve(); // until the program ends (first_ended)
}
