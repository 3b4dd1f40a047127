// SPDX-License-Identifier: MIT
// modctl inside exo, as init (boot modules: this program, modmgr, libexo.so, counter.so,
// counter2.so, modctl): with the manager running counter.so as module 1, modctl replaces it by
// counter2.so (the total survives), loads and unloads another, lists, refuses a bad command and
// prints why the manager refused a file.
#include "testlib.h"

#define MGR_PAGE 0x600000000ull // the manager's start page, as we see it
#define ARGS_VA  0x610000000ull // modctl's argument page, at the same address in both

static const struct exo_bootinfo *bi;

// Runs modctl with command against the manager mgr; returns its exit status.
static long modctl(uint64_t mgr, const char *command)
{
	struct exo_map_op op = { 0, ARGS_VA, EXO_R_READ | EXO_R_WRITE };
	struct exo_modctl_args *a = (void *)ARGS_VA;
	uint64_t p, t;
	long status, h;

	CHECK(exo_frame_alloc(bi->quota, 1, &op.frame) == 1 && exo_vspace_map(bi->self, &op, 1) == 1);
	memset(a, 0, sizeof(*a));
	memcpy(a->command, command, strlen(command) + 1);
	// Started at the lowest priority: it runs once its page is ready and we wait.
	CHECK(exo_spawn(bi->self, bi->quota, &bi->modules[5], "modctl", 1, ARGS_VA, &p, &t) == 0);
	h = exo_cap_copy(mgr, p, EXO_R_WRITE);
	CHECK(h > 0);
	a->mgr = (uint64_t)h;
	op.prot = EXO_R_READ;
	CHECK(exo_vspace_map(p, &op, 1) == 1);
	status = test_wait_status(p, 10000);
	exo_cap_delete(t);
	exo_cap_delete(p);
	exo_vspace_unmap(bi->self, &op.vaddr, 1);
	exo_cap_delete(op.frame);
	return status;
}

static uint64_t counter(uint64_t ep, uint64_t op, uint64_t n, uint64_t *version)
{
	struct exo_msg m = { EXO_TAG(op, 1, 0), 0, { n } };

	CHECK(exo_call(ep, &m) == 0);
	*version = m.w[1];
	return m.w[0];
}

int main(uint64_t arg)
{
	struct exo_modmgr_config c = { .program = 1,
		                       .lib = 2,
		                       .modules = (1u << 3) | (1u << 4),
		                       .boot = "counter.so",
		                       .page = MGR_PAGE };
	struct exo_modmgr_proc mgr;
	uint64_t ep = 0, version;

	bi = test_begin("modctl", arg);
	if (!bi)
		return test_end();
	CHECK(bi->nmodules == 6 && exo_ipc_set_buffer(test_ipc_page) == 0);
	exo_modmgr_use_buffer(TEST_BUF);
	c.quota = (uint64_t)exo_quota_split(bi->quota, 2048);
	CHECK(exo_modmgr_spawn(bi, &c, &mgr) == 0 && mgr.loaded == 1);
	CHECK(exo_modmgr_connect(mgr.ep, 1, &ep) == 0);
	CHECK(counter(ep, 1, 5, &version) == 5 && version == 1);

	CHECK(modctl(mgr.ep, "replace 1 counter2.so") == 0);
	CHECK(counter(ep, 2, 0, &version) == 5 && version == 2);
	CHECK(modctl(mgr.ep, "load counter.so") == 0);
	CHECK(modctl(mgr.ep, "list") == 0);
	CHECK(modctl(mgr.ep, "unload 2") == 0);
	CHECK(modctl(mgr.ep, "unload 2") == EXO_ENOENT);
	CHECK(modctl(mgr.ep, "load nope.so") == EXO_ENOENT); // prints the manager's reason
	CHECK(modctl(mgr.ep, "frobnicate") == EXO_EINVAL);

	exo_cap_delete(ep);
	test_modmgr_stop(&mgr, c.quota);
	exo_ipc_set_buffer(0);
	return test_end();
}
