// SPDX-License-Identifier: MIT
// Hot-swap under load, as init (boot modules: this program, libexo.so, counter.so, counter2.so,
// counter_bad.so). Two client threads send 10,000 ADD(1) requests to the counter service while
// the main thread replaces it six times (1 -> 2 -> 1 -> 2 ...) and once tries a version whose
// init fails (rollback). Every request must be answered exactly once - the totals seen are exactly
// 1..10,000 - so no request was lost or duplicated and the state moved across every swap.
#include "testlib.h"

#define IMAGES   0x200000000ull
#define SCRATCH  0x300000000ull
#define STACKS   0x400000000ull
#define PRIO     16
#define CLIENTS  2
#define REQUESTS 10000

static const struct exo_bootinfo *bi;
static struct exo_module_slot slot;
static uint8_t seen[REQUESTS + 1];
static volatile uint64_t done, versions_seen, bad_replies;

static void client(uint64_t ep)
{
	for (int i = 0; i < REQUESTS / CLIENTS; i++) {
		struct exo_msg m = { EXO_TAG(1, 1, 0), 0, { 1 } };

		if (exo_call(ep, &m) || EXO_TAG_LABEL(m.tag) || m.w[0] == 0 || m.w[0] > REQUESTS ||
		    seen[m.w[0]]++) {
			bad_replies++;
			continue;
		}
		versions_seen |= 1ull << m.w[1];
	}
	__atomic_add_fetch(&done, 1, __ATOMIC_SEQ_CST);
	for (;;) // destroyed by main; sleeping, not spinning, so that lower priorities still run
		exo_thread_sleep(~0ull);
}

int main(uint64_t arg)
{
	struct exo_image img[5]; // this program, libexo.so, counter.so, counter2.so, counter_bad.so
	struct test_thread threads[CLIENTS];
	uint64_t ep, swaps = 0, q;
	char err[160];

	bi = test_begin("swap", arg);
	if (!bi || test_boot_images(img, 5, IMAGES))
		return test_end();
	q = (uint64_t)exo_quota_split(bi->quota, 1024);
	ep = test_slot_start(&slot, q, SCRATCH, &img[1], &img[2], PRIO);
	for (int i = 0; i < CLIENTS; i++)
		test_thread_new(&threads[i], q, STACKS + (uint64_t)i * 0x10000, PRIO, client, ep, "client");
	for (int round = 0; done < CLIENTS && round < 7; round++) {
		const struct exo_image *to = round == 3 ? &img[4] : &img[round % 2 ? 2 : 3];
		uint64_t t0 = test_now();
		long r;

		exo_thread_sleep(t0 + 3000000); // let the clients run a little
		t0 = test_now();
		r = exo_module_replace(&slot, to, err, sizeof(err));
		if (to == &img[4]) {
			exo_printf("swap: %s refused, the old version resumes: %s\n", to->name, err);
			CHECK_EQ(r, -EXO_EINVAL);
		} else {
			if (r)
				exo_printf("swap: replacing by %s failed: %s\n", to->name, err);
			CHECK_EQ(r, 0);
			swaps += !r;
			exo_printf("swap: now %s, swap took %lu us\n", to->name,
			           (unsigned long)((test_now() - t0) / 1000));
		}
	}
	while (done < CLIENTS)
		test_sleep_ms(1);
	for (int i = 0; i < CLIENTS; i++)
		test_thread_end(&threads[i]);

	struct exo_msg m = { EXO_TAG(2, 0, 0), 0, { 0 } };
	CHECK(exo_call(ep, &m) == 0 && m.w[0] == REQUESTS);
	CHECK_EQ(bad_replies, 0);
	for (int i = 1; i <= REQUESTS; i++)
		CHECK(seen[i] == 1);
	CHECK(swaps >= 2 && (versions_seen & 6) == 6); // both versions answered requests
	exo_printf("swap: %lu swaps under load, %d requests answered exactly once\n", (unsigned long)swaps,
	           REQUESTS);

	exo_cap_delete(ep);
	exo_module_slot_destroy(&slot);
	test_boot_images_unmap();
	CHECK_EQ(test_used(q), 0); // every version's memory went back
	exo_cap_delete(q);
	for (int i = 0; i <= REQUESTS; i++)
		seen[i] = 0;
	done = versions_seen = bad_replies = 0;
	return test_end();
}
