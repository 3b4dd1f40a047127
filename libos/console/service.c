// SPDX-License-Identifier: MIT
// The console service's client: when the boot modules include console.so and libexo.so (exorun
// gives them), libos starts the service in a process of its own at start-up - with a small
// memory quota, COM2's ports and IRQ, nothing else - and sends it the
// program's reads and writes (protocol: modules/console/console.idl). libos threads have no IPC buffer of
// their own yet: the console's page is registered by whichever thread holds the console lock.
#include <exo/console.h>
#include <exo/modload.h>
#include <libos/console.h>
#include <libos/mem.h>

#define QUOTA     128 // frames for the service: its images, stack, page tables
#define PRIO      16  // the program's own
#define MAX_PAGES 64  // the loader's limit for one image (256 KiB)

static union {
	struct exo_ipc_buffer b;
	uint8_t page[EXO_PAGE_SIZE];
} ipc __attribute__((aligned(EXO_PAGE_SIZE)));
static volatile int lock;
static union { // the message being sent or received (held by the console lock)
	struct console_write_in write;
	struct console_read_out read;
} msg;
static uint64_t endpoint; // 0: no service

bool libos_console_service(void)
{
	return endpoint != 0;
}

// The boot module whose name (a path) ends in "/name" or is name, or -1.
static int boot_module(const char *name)
{
	size_t len = strlen(name);

	for (unsigned i = 0; i < libos_boot->nmodules && i < EXO_MAX_BOOT_MODULES; i++) {
		const char *m = libos_boot->modules[i].name;
		size_t mlen = strlen(m); // the kernel ends every name with a NUL

		if (mlen >= len && !memcmp(m + mlen - len, name, len) &&
		    (mlen == len || m[mlen - len - 1] == '/'))
			return (int)i;
	}
	return -1;
}

// SETUP: moves COM2's port range and a copy of its IRQ into the service.
static long send_devices(void)
{
	long com2 = exo_ioport_restrict(libos_boot->ioports, CONSOLE_COM2, 8);
	struct console_setup_in_caps caps = {
		{ (uint64_t)com2, 0, 1 },
		{ libos_boot->irq_first + CONSOLE_COM2_IRQ, EXO_R_READ | EXO_R_WRITE, 0 },
	};
	long r;

	if (com2 < 0 || libos_boot->nirqs <= CONSOLE_COM2_IRQ)
		return com2 < 0 ? com2 : -EXO_ENOENT;
	r = exo_ipc_set_buffer(&ipc);
	return r ? r : console_call_setup(endpoint, &ipc.b, &caps);
}

// Loads console.so (boot module mod) with libexo.so (lib) into a new process serving endpoint.
static long load(unsigned lib, unsigned mod, char *err, size_t errsize)
{
	uint64_t span = (libos_boot->modules[lib].npages + libos_boot->modules[mod].npages + 2 + MAX_PAGES) *
	                EXO_PAGE_SIZE;
	long at = libos_mmap(0, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct exo_module_env env = { 0 };
	struct exo_loaded_module loaded;
	struct exo_image lib_image, mod_image;
	uint64_t next = (uint64_t)at;
	long r;

	if (at < 0) // the images and the loader's scratch pages go in addresses reserved here
		return -EXO_ENOMEM;
	lib_image = exo_boot_image(libos_boot, lib, &next);
	mod_image = exo_boot_image(libos_boot, mod, &next);
	r = exo_quota_split(libos_boot->quota, QUOTA);
	env.quota = (uint64_t)r;
	env.service = endpoint;
	if (r > 0)
		r = exo_module_load(libos_boot->self, env.quota, next, &lib_image, &mod_image, &env, PRIO,
		                    &loaded, err, errsize);
	libos_munmap((uint64_t)at, span);
	return r < 0 ? r : 0;
}

void libos_console_service_start(void)
{
	int lib = boot_module("libexo.so"), mod = boot_module("console.so");
	char err[160] = "";
	long r;

	if (lib < 0 || mod < 0)
		return; // no service: the kernel console
	ipc.page[0] = 0;
	r = exo_endpoint_create();
	endpoint = r > 0 ? (uint64_t)r : 0;
	if (r > 0)
		r = load((unsigned)lib, (unsigned)mod, err, sizeof(err));
	if (!r)
		r = send_devices();
	if (r) {
		libos_log("console: cannot start console.so (error %ld) %s; using the kernel console", r,
		          err);
		endpoint = 0;
	}
}

long libos_console_service_write(long stream, const void *buf, uint64_t len)
{
	struct console_write_out out;
	long r;

	libos_lock(&lock);
	msg.write = (struct console_write_in){ (uint64_t)stream, len, { 0 } };
	r = len > CONSOLE_MAX_DATA ? -EXO_EINVAL : libos_copy(msg.write.data, buf, len) ? -EXO_EFAULT : 0;
	if (!r)
		r = exo_ipc_set_buffer(&ipc);
	if (!r)
		r = console_call_write(endpoint, &ipc.b, &msg.write, &out);
	libos_unlock(&lock);
	return r == -EXO_EFAULT ? -EFAULT : r ? -EIO : (long)out.n;
}

long libos_console_service_read(long fd, void *buf, uint64_t len, bool wait)
{
	struct console_read_in in = { (uint64_t)fd, len, wait ? 0 : CONSOLE_NOWAIT };
	long r;

	libos_lock(&lock);
	r = exo_ipc_set_buffer(&ipc);
	if (!r)
		r = console_call_read(endpoint, &ipc.b, &in, &msg.read);
	if (!r && msg.read.n > len)
		r = -EXO_EINVAL;
	if (!r && libos_copy(buf, msg.read.data, msg.read.n))
		r = -EXO_EFAULT;
	libos_unlock(&lock);
	return r == -EXO_EAGAIN ? -EAGAIN : r == -EXO_EFAULT ? -EFAULT : r ? -EIO : (long)msg.read.n;
}
