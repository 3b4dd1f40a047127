// SPDX-License-Identifier: MIT
// Loadable modules, as init: the boot modules are this program, libexo.so, counter.so and hello
// (an ET_EXEC program, which must be refused). counter.so is loaded into a process of its own
// with libexo.so, serves calls on an endpoint this program owns, keeps its state across calls,
// and is killed; bad images are refused with a reason and leave nothing behind.
#include "testlib.h"

#define IMAGES  0x200000000ull // boot module images, mapped read-only one after the other
#define SCRATCH 0x300000000ull // the loader's scratch range
#define PRIO    16

static const struct exo_bootinfo *bi;

static uint64_t counter_call(uint64_t ep, uint64_t op, uint64_t n)
{
	struct exo_msg m = { EXO_TAG(op, 1, 0), 0, { n } };

	CHECK(exo_call(ep, &m) == 0);
	CHECK(EXO_TAG_LABEL(m.tag) == 0);
	return m.w[0];
}

int main(uint64_t arg)
{
	struct exo_image img[4], lib, counter, hello, cut; // img: this program, lib, counter, hello
	struct exo_loaded_module mod;
	struct exo_module_env env = { 0 };
	uint64_t q, ep;
	char err[160];
	long r;

	bi = test_begin("modules", arg);
	if (!bi || test_boot_images(img, 4, IMAGES))
		return test_end();
	lib = img[1];
	counter = img[2];
	hello = img[3];
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
		CHECK_EQ(test_wait_status(mod.process, 3000), 9);
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

	CHECK_EQ(test_used(q), 0); // nothing of the module is left
	exo_cap_delete(ep);
	exo_cap_delete(q);
	test_boot_images_unmap();
	return test_end();
}
