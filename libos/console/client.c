// SPDX-License-Identifier: MIT
// The console service's client: the program's reads and writes go to the endpoint its boot
// information names (exo_bootinfo.console: exorun's launcher starts the service and gives the
// program a send-only copy; protocol: modules/console/console.idl). libos threads have no IPC
// buffer of their own yet: the console's page is registered by whichever thread holds the console
// lock.
#include <exo/console.h>
#include <libos/console.h>

static union {
	struct exo_ipc_buffer b;
	uint8_t page[EXO_PAGE_SIZE];
} ipc __attribute__((aligned(EXO_PAGE_SIZE)));
static volatile int lock;
static union { // the message being sent or received (held by the console lock)
	struct console_write_in write;
	struct console_read_out read;
} msg;

// Registers the page for the calling thread, written first: after a fork it may be copy-on-write,
// and the kernel writes replies into it.
static long ready_buffer(void)
{
	*(volatile uint8_t *)ipc.page = 0;
	return exo_ipc_set_buffer(&ipc);
}

bool libos_console_service(void)
{
	return libos_boot->console != 0;
}

long libos_console_service_write(long stream, const void *buf, uint64_t len)
{
	struct console_write_out out;
	long r;

	libos_lock(&lock);
	msg.write = (struct console_write_in){ (uint64_t)stream, len, { 0 } };
	r = len > CONSOLE_MAX_DATA ? -EXO_EINVAL : libos_copy(msg.write.data, buf, len) ? -EXO_EFAULT : 0;
	if (!r)
		r = ready_buffer();
	if (!r)
		r = console_call_write(libos_boot->console, &ipc.b, &msg.write, &out);
	libos_unlock(&lock);
	return r == -EXO_EFAULT ? -EFAULT : r ? -EIO : (long)out.n;
}

long libos_console_service_read(long fd, void *buf, uint64_t len, bool wait)
{
	struct console_read_in in = { (uint64_t)fd, len, wait ? 0 : CONSOLE_NOWAIT };
	long r;

	libos_lock(&lock);
	r = ready_buffer();
	if (!r)
		r = console_call_read(libos_boot->console, &ipc.b, &in, &msg.read);
	if (!r && msg.read.n > len)
		r = -EXO_EINVAL;
	if (!r && libos_copy(buf, msg.read.data, msg.read.n))
		r = -EXO_EFAULT;
	libos_unlock(&lock);
	return r == -EXO_EAGAIN ? -EAGAIN : r == -EXO_EFAULT ? -EFAULT : r ? -EIO : (long)msg.read.n;
}

void libos_console_fork_child(void)
{
	lock = 0;
}
