// SPDX-License-Identifier: MIT
// The guest side of the exoctl test (tests/qemu/exoctl): init starts the module manager with the
// control channel on COM2 and counter.so loaded (id 1), adds 42 to the counter, then waits until
// the host has replaced the module through exoctl (the counter answers version 2) and checks the
// total survived the swap. Boot modules: this program, modmgr, libexo.so, counter.so. The kernel
// runs init twice (exact accounting), so the host replaces the module twice.
#include "testlib.h"

#define PAGE_VA 0x600000000ull
#define WAIT_S  60

static long counter(uint64_t ep, uint64_t op, uint64_t n, uint64_t *version)
{
	struct exo_msg m = { EXO_TAG(op, 1, 0), 0, { n } };
	long r = exo_call(ep, &m);

	*version = m.w[1];
	return r ? r : (long)m.w[0];
}

int main(uint64_t arg)
{
	const struct exo_bootinfo *bi = test_begin("exoctl", arg);
	struct exo_modmgr_config c = {
		.program = 1, .lib = 2, .modules = 1u << 3, .boot = "counter.so", .page = PAGE_VA
	};
	struct exo_modmgr_proc mgr;
	uint64_t ep = 0, version = 0, deadline = (uint64_t)exo_clock_ns() + WAIT_S * 1000000000ull;
	long total = 0, ports = exo_ioport_restrict(bi->ioports, 0x2f8, 8);

	CHECK(exo_ipc_set_buffer(test_ipc_page) == 0 && ports > 0);
	exo_modmgr_use_buffer(TEST_BUF);
	c.quota = (uint64_t)exo_quota_split(bi->quota, 2048);
	c.control = (uint64_t)ports;
	CHECK(exo_modmgr_spawn(bi, &c, &mgr) == 0 && mgr.loaded == 1);
	CHECK(exo_modmgr_connect(mgr.ep, 1, &ep) == 0);
	CHECK(counter(ep, 1, 42, &version) == 42 && version == 1);
	exo_printf("exoctl: counter.so running as id 1; waiting for the host to replace it\n");
	while (version != 2 && (uint64_t)exo_clock_ns() < deadline) {
		exo_thread_sleep((uint64_t)exo_clock_ns() + 10000000);
		total = counter(ep, 2, 0, &version);
	}
	CHECK(version == 2 && total == 42);
	exo_printf("exoctl: %s\n", test_failures() ? "FAILED" : "replaced from the host, state kept");
	exo_thread_sleep((uint64_t)exo_clock_ns() + 300000000); // let the manager answer exoctl
	exo_cap_delete(ep);
	exo_modmgr_stop(&mgr);
	exo_cap_delete(c.quota);
	exo_cap_delete((uint64_t)ports);
	exo_ipc_set_buffer(0);
	return test_end();
}
