// SPDX-License-Identifier: MIT
// The console service, started by the launcher: console.so and libexo.so (boot modules found by
// name) in a process of their own with a small memory quota, then SETUP hands the service COM2's
// port range and a copy of its IRQ - nothing else of init's capabilities (protocol:
// modules/console/console.idl).
// The launcher owns the endpoint; the program it starts gets a send-only copy.
#include "launch.h"
#include <exo/console.h>
#include <exo/modload.h>

#define QUOTA   128               // frames for the service: its images, stack, page tables
#define PRIO    16                // the program's
#define SCRATCH 0x200000000000ull // the images, then the loader's scratch pages

static union {
	struct exo_ipc_buffer b;
	uint8_t page[EXO_PAGE_SIZE];
} ipc __attribute__((aligned(EXO_PAGE_SIZE)));

// The boot module whose name (a path) ends in "/name" or is name, or -1.
static int boot_module(const struct exo_bootinfo *bi, const char *name)
{
	size_t len = strlen(name);

	for (unsigned i = 0; i < bi->nmodules && i < EXO_MAX_BOOT_MODULES; i++) {
		const char *m = bi->modules[i].name;
		size_t mlen = strlen(m); // the kernel ends every name with a NUL

		if (mlen >= len && !memcmp(m + mlen - len, name, len) &&
		    (mlen == len || m[mlen - len - 1] == '/'))
			return (int)i;
	}
	return -1;
}

// SETUP: moves COM2's port range and a copy of its IRQ into the service.
static long send_devices(const struct exo_bootinfo *bi, uint64_t endpoint)
{
	long com2 = exo_ioport_restrict(bi->ioports, CONSOLE_COM2, 8), r;
	struct console_setup_in_caps caps = {
		{ (uint64_t)com2, 0, 1 },
		{ bi->irq_first + CONSOLE_COM2_IRQ, EXO_R_READ | EXO_R_WRITE, 0 },
	};

	if (com2 < 0 || bi->nirqs <= CONSOLE_COM2_IRQ)
		return com2 < 0 ? com2 : -EXO_ENOENT;
	r = exo_ipc_set_buffer(&ipc);
	return r ? r : console_call_setup(endpoint, &ipc.b, &caps);
}

// Loads console.so (boot module mod) with libexo.so (lib) into a new process serving endpoint.
static long load(const struct exo_bootinfo *bi, unsigned lib, unsigned mod, uint64_t endpoint, char *err,
                 size_t errsize)
{
	struct exo_module_env env = { 0 };
	struct exo_loaded_module loaded;
	uint64_t next = SCRATCH;
	struct exo_image lib_image = exo_boot_image(bi, lib, &next),
	                 mod_image = exo_boot_image(bi, mod, &next);
	long r = exo_quota_split(bi->quota, QUOTA);

	env.quota = (uint64_t)r;
	env.service = endpoint;
	if (r > 0)
		r = exo_module_load(bi->self, env.quota, next, &lib_image, &mod_image, &env, PRIO, &loaded,
		                    err, errsize);
	return r < 0 ? r : 0;
}

uint64_t launch_console(const struct exo_bootinfo *bi)
{
	int lib = boot_module(bi, "libexo.so"), mod = boot_module(bi, "console.so");
	char err[160] = "";
	long endpoint, r;

	if (lib < 0 || mod < 0)
		return 0; // no service: the program writes to the kernel console
	r = endpoint = exo_endpoint_create();
	if (r > 0)
		r = load(bi, (unsigned)lib, (unsigned)mod, (uint64_t)endpoint, err, sizeof(err));
	if (!r)
		r = send_devices(bi, (uint64_t)endpoint);
	if (!r)
		return (uint64_t)endpoint;
	exo_printf("launch: cannot start console.so (error %ld) %s; using the kernel console\n", r, err);
	return 0;
}
