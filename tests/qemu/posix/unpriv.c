// SPDX-License-Identifier: MIT
// For tests/qemu/exorun: a program exorun starts holds no privilege. Its boot information names no
// device capability; its capability table holds one process (itself), no I/O port, IRQ, device
// memory or timeslice, and only send rights to the console and to the process manager (badged
// with its pid, without GRANT: it cannot lend its identity); and no kernel call - with every
// handle it has and every handle it could guess (each slot of its table, three generations, and
// beyond the table) - maps device memory, enables an I/O port, binds an IRQ or reaches another
// process: each fails with EBADCAP, EPERM or, for its own capabilities of other types, ETYPE.
// Linux's ioperm and iopl fail with EPERM. Prints "unpriv: ok ..." and exits 0, or says what
// succeeded and exits 1.
#include <errno.h>
#include <exo/bootinfo.h>
#include <exo/exo.h>
#include <stdio.h>
#include <sys/io.h>

#define SLACK     64                // slots tried beyond the table
#define MMIO_PAGE 0xfee00000ull     // the local APIC's registers
#define SCRATCH   0x300000000000ull // where a mapping would land
#define CMOS      0x70

static const struct exo_bootinfo *bi = (const void *)EXO_BOOTINFO_ADDR;
static int failures;

static void fail(const char *what, unsigned long h, long r)
{
	if (failures++ < 10)
		printf("unpriv: %s with handle %#lx gave %ld\n", what, h, r);
}

// A denial: EBADCAP, EPERM or ETYPE.
static void denied(const char *what, unsigned long h, long r)
{
	if (r != -EXO_EBADCAP && r != -EXO_EPERM && r != -EXO_ETYPE)
		fail(what, h, r);
}

// Checks one live capability: its type and rights may be what an unprivileged program holds.
static void check_held(unsigned long h, const struct exo_cap_info *info)
{
	switch (info->type) {
	case EXO_OBJ_PROCESS:
		if (h != bi->self)
			fail("a second PROCESS capability", h, 0);
		break;
	case EXO_OBJ_IOPORT:
	case EXO_OBJ_IRQ:
	case EXO_OBJ_MMIO:
	case EXO_OBJ_TIMESLICE:
		fail("a device or timeslice capability", h, (long)info->type);
		break;
	case EXO_OBJ_ENDPOINT: // send on the console (to hand on to its children) and the process manager
		if (!((h == bi->console && info->rights == (EXO_R_WRITE | EXO_R_GRANT)) ||
		      (h == bi->procmgr && info->rights == EXO_R_WRITE && info->badge == bi->pid)))
			fail("an endpoint capability beyond send on the console and the process manager", h,
			     (long)info->rights);
		break;
	default:
		break;
	}
}

// Every call that would need a privilege, with handle h; ntfn: a notification of our own.
static void try_handle(unsigned long h, unsigned long ntfn)
{
	struct exo_cap_info info;

	if (exo_cap_info(h, &info) == 0)
		check_held(h, &info);
	denied("ioport_enable", h, exo_ioport_enable(h, CMOS, 2));
	denied("ioport_restrict", h, exo_ioport_restrict(h, CMOS, 2));
	denied("mmio_map", h, exo_mmio_map(h, bi->self, SCRATCH, MMIO_PAGE, 1));
	denied("mmio_restrict", h, exo_mmio_restrict(h, MMIO_PAGE, 4096));
	denied("irq_bind", h, exo_irq_bind(h, ntfn, 0));
	denied("irq_ack", h, exo_irq_ack(h));
	denied("timeslice_split", h, exo_timeslice_split(h, 1));
	if (h == bi->self)
		return; // its own process: these are its rights
	denied("process_kill", h, exo_process_kill(h, 0));
	denied("thread_create", h, exo_thread_create(h, 1));
	denied("vspace_unmap_range", h, exo_vspace_unmap_range(h, 0x400000, 1));
	denied("cap_copy into another process", h, exo_cap_copy(ntfn, h, EXO_R_READ));
	denied("process_set_timeslice", h, exo_process_set_timeslice(h, h));
}

int main(void)
{
	unsigned long slots = 1024 + SLACK, tried = 0;
	long ntfn = exo_notify_create();

	if (bi->ioports || bi->mmio || bi->timeslice || bi->nirqs)
		fail("device capabilities in the boot information", bi->ioports, (long)bi->nirqs);
	for (unsigned long i = 0; i < bi->nmodules; i++)
		slots += bi->modules[i].npages;
	for (unsigned long gen = 1; gen <= 3; gen++)
		for (unsigned long i = 1; i < slots; i++, tried++)
			try_handle(gen << 32 | i, (unsigned long)ntfn);
	errno = 0;
	if (ioperm(CMOS, 2, 1) != -1 || errno != EPERM)
		fail("ioperm", CMOS, errno);
	errno = 0;
	if (iopl(3) != -1 || errno != EPERM)
		fail("iopl", 3, errno);
	if (failures)
		return 1;
	printf("unpriv: ok: %lu handles tried, every privileged call denied\n", tried);
	return 0;
}
