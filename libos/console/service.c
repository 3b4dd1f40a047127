// SPDX-License-Identifier: MIT
// The console service's client: the program's reads and writes go to the endpoint its boot
// information names (exo_bootinfo.console: exorun's launcher starts the service and gives the
// program a send-only copy; protocol: exo/console.h). libos threads have no IPC buffer of their
// own yet: the console's page is registered by whichever thread holds the console lock.
#include <exo/console.h>
#include <exo/libexo.h>
#include <libos/console.h>

static union {
	struct exo_ipc_buffer b;
	uint8_t page[EXO_PAGE_SIZE];
} ipc __attribute__((aligned(EXO_PAGE_SIZE)));
static volatile int lock;

bool libos_console_service(void)
{
	return libos_boot->console != 0;
}

// One call with the console's IPC buffer; the reply's label (status) negated, or the call's error.
static long call(struct exo_msg *m)
{
	long r = exo_ipc_set_buffer(&ipc);

	if (!r)
		r = exo_call(libos_boot->console, m);
	return r ? r : -(long)EXO_TAG_LABEL(m->tag);
}

long libos_console_service_write(long stream, const void *buf, uint64_t len)
{
	struct exo_msg m = { EXO_TAG(CONSOLE_WRITE, CONSOLE_WORDS(len), 0), 0, { (uint64_t)stream, len } };
	long r;

	libos_lock(&lock);
	if (libos_copy(CONSOLE_DATA(&ipc.b), buf, len)) {
		libos_unlock(&lock);
		return -EFAULT;
	}
	console_pack(&m, &ipc.b);
	r = call(&m);
	libos_unlock(&lock);
	return r ? -EIO : (long)m.w[0];
}

long libos_console_service_read(long fd, void *buf, uint64_t len, bool wait)
{
	struct exo_msg m = { EXO_TAG(CONSOLE_READ, 3, 0),
		             0,
		             { (uint64_t)fd, len, wait ? 0 : CONSOLE_NOWAIT } };
	long r;

	libos_lock(&lock);
	r = call(&m);
	if (!r && m.w[0] > len)
		r = -EXO_EINVAL;
	if (!r) {
		console_unpack(&ipc.b, &m);
		if (libos_copy(buf, CONSOLE_DATA(&ipc.b), m.w[0]))
			r = -EXO_EFAULT;
	}
	libos_unlock(&lock);
	return r == -EXO_EAGAIN ? -EAGAIN : r == -EXO_EFAULT ? -EFAULT : r ? -EIO : (long)m.w[0];
}
