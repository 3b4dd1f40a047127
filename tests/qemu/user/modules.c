// SPDX-License-Identifier: MIT
// Loadable modules, as init: the boot modules are this program, libexo.so, counter.so and hello
// (an ET_EXEC program, which must be refused). counter.so is loaded into a process of its own
// with libexo.so, serves calls on an endpoint this program owns, keeps its state across calls,
// and is killed; bad images are refused with a reason and leave nothing behind.
#include <exo/modload.h>

#define IMAGES  0x200000000ull // boot module images, mapped read-only one after the other
#define SCRATCH 0x300000000ull // the loader's scratch range
#define PRIO    16

static const struct exo_bootinfo *bi;
static int failures;

#define TEST_NAME "modules"
#include "check.h"

static uint64_t counter_call(uint64_t ep, uint64_t op, uint64_t n)
{
	struct exo_msg m = { EXO_TAG(op, 1, 0), 0, { n } };

	CHECK(exo_call(ep, &m) == 0);
	CHECK(EXO_TAG_LABEL(m.tag) == 0);
	return m.w[0];
}

static long wait_status(uint64_t p)
{
	long status;

	while (exo_process_status(p, &status) == -EXO_EAGAIN)
		exo_thread_sleep((uint64_t)exo_clock_ns() + 1000000);
	return status;
}

int main(uint64_t arg)
{
	struct exo_image lib, counter, hello, cut;
	struct exo_loaded_module mod;
	struct exo_module_env env = { 0 };
	uint64_t next = IMAGES, q, ep;
	char err[160];
	long r;

	bi = (const void *)arg;
	CHECK(bi->nmodules == 4);
	if (bi->nmodules != 4)
		return 1;
	exo_boot_image(bi, 0, &next); // this program: not needed, but keeps the indices simple
	lib = exo_boot_image(bi, 1, &next);
	counter = exo_boot_image(bi, 2, &next);
	hello = exo_boot_image(bi, 3, &next);
	q = (uint64_t)exo_quota_split(bi->quota, 256);
	ep = (uint64_t)exo_endpoint_create();
	CHECK((long)q > 0 && (long)ep > 0);
	env.quota = q;
	env.service = ep;

	r = exo_module_load(bi->self, q, SCRATCH, &lib, &counter, &env, PRIO, &mod, err, sizeof(err));
	if (r)
		exo_printf("modules: loading counter.so failed: %s\n", err);
	CHECK(r == 0);
	CHECK(strcmp(mod.elf.info.name, "counter") == 0 && mod.elf.info.version == 1);
	if (r == 0) {
		CHECK(counter_call(ep, 1, 5) == 5);
		CHECK(counter_call(ep, 1, 7) == 12);
		CHECK(counter_call(ep, 2, 0) == 12);
		CHECK(exo_process_kill(mod.process, 9) == 0);
		CHECK(wait_status(mod.process) == 9);
		exo_cap_delete(mod.thread);
		exo_cap_delete(mod.process);
	}

	// Refused images: an ET_EXEC program, a truncated module, a module posing as libexo.so.
	r = exo_module_load(bi->self, q, SCRATCH, &lib, &hello, &env, PRIO, &mod, err, sizeof(err));
	exo_printf("modules: hello refused: %s\n", err);
	CHECK(r == -EXO_EINVAL);
	cut = counter;
	cut.size = 100;
	r = exo_module_load(bi->self, q, SCRATCH, &lib, &cut, &env, PRIO, &mod, err, sizeof(err));
	exo_printf("modules: truncated counter.so refused: %s\n", err);
	CHECK(r == -EXO_EINVAL);
	r = exo_module_load(bi->self, q, SCRATCH, &counter, &counter, &env, PRIO, &mod, err, sizeof(err));
	exo_printf("modules: counter.so as libexo.so: %s\n", r ? err : "loaded?!");
	CHECK(r != 0);

	struct exo_cap_info info;
	CHECK(exo_cap_info(q, &info) == 0 && info.b == 0); // nothing of the module is left
	exo_cap_delete(ep);
	exo_cap_delete(q);
	for (uint64_t va = IMAGES; va < next; va += 4096)
		exo_vspace_unmap(bi->self, &va, 1);
	exo_printf("modules: %s\n", failures ? "FAILED" : "all checks passed");
	return failures;
}
