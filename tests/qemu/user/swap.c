// SPDX-License-Identifier: MIT
// Hot-swap under load, as init (boot modules: this program, libexo.so, counter.so, counter2.so,
// counter_bad.so). Two client threads send 10,000 ADD(1) requests to the counter service while
// the main thread replaces it six times (1 -> 2 -> 1 -> 2 ...) and once tries a version whose
// init fails (rollback). Every request must be answered exactly once - the totals seen are exactly
// 1..10,000 - so no request was lost or duplicated and the state moved across every swap.
#include <exo/modload.h>

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
static int failures;

#define TEST_NAME "swap"
#include "check.h"

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
	for (;;)
		exo_thread_yield(); // destroyed by main
}

int main(uint64_t arg)
{
	struct exo_image lib, v1, v2, bad;
	uint64_t next = IMAGES, ep, threads[CLIENTS], swaps = 0;
	uint64_t q = 0;
	char err[160];

	bi = (const void *)arg;
	CHECK(bi->nmodules == 5);
	if (bi->nmodules != 5)
		return 1;
	exo_boot_image(bi, 0, &next);
	lib = exo_boot_image(bi, 1, &next);
	v1 = exo_boot_image(bi, 2, &next);
	v2 = exo_boot_image(bi, 3, &next);
	bad = exo_boot_image(bi, 4, &next);
	q = (uint64_t)exo_quota_split(bi->quota, 1024);
	CHECK(exo_module_slot_init(&slot, bi->self, q, SCRATCH, &lib, PRIO) == 0);
	CHECK(exo_module_slot_start(&slot, &v1, err, sizeof(err)) == 0);
	ep = (uint64_t)exo_cap_copy(slot.service, 0, EXO_R_WRITE);

	for (int i = 0; i < CLIENTS; i++) {
		struct exo_map_op op = { 0, STACKS + (uint64_t)i * 0x10000, EXO_R_READ | EXO_R_WRITE };

		CHECK(exo_frame_alloc(q, 1, &op.frame) == 1 && exo_vspace_map(bi->self, &op, 1) == 1);
		exo_cap_delete(op.frame);
		threads[i] = (uint64_t)exo_thread_create(bi->self, PRIO);
		CHECK(exo_thread_start(threads[i], (uint64_t)client, op.vaddr + 4096 - 8, ep) == 0);
	}
	for (int round = 0; done < CLIENTS && round < 7; round++) {
		const struct exo_image *to = round == 3 ? &bad : (round % 2 ? &v1 : &v2);
		uint64_t t0 = (uint64_t)exo_clock_ns();
		long r;

		exo_thread_sleep(t0 + 3000000); // let the clients run a little
		t0 = (uint64_t)exo_clock_ns();
		r = exo_module_replace(&slot, to, err, sizeof(err));
		if (to == &bad) {
			exo_printf("swap: %s refused, the old version resumes: %s\n", bad.name, err);
			CHECK(r == -EXO_EINVAL);
		} else {
			CHECK(r == 0);
			swaps += !r;
			exo_printf("swap: now %s, swap took %lu us\n", to->name,
			           (unsigned long)(((uint64_t)exo_clock_ns() - t0) / 1000));
		}
	}
	while (done < CLIENTS)
		exo_thread_sleep((uint64_t)exo_clock_ns() + 1000000);
	for (int i = 0; i < CLIENTS; i++) {
		exo_thread_destroy(threads[i]);
		exo_cap_delete(threads[i]);
	}

	struct exo_msg m = { EXO_TAG(2, 0, 0), 0, { 0 } };
	CHECK(exo_call(ep, &m) == 0 && m.w[0] == REQUESTS);
	CHECK(bad_replies == 0);
	for (int i = 1; i <= REQUESTS; i++)
		CHECK(seen[i] == 1);
	CHECK(swaps >= 2 && (versions_seen & 6) == 6); // both versions answered requests
	exo_printf("swap: %lu swaps under load, %d requests answered exactly once\n", (unsigned long)swaps,
	           REQUESTS);

	exo_cap_delete(ep);
	exo_module_slot_destroy(&slot);
	for (uint64_t va = IMAGES; va < next; va += 4096)
		exo_vspace_unmap(bi->self, &va, 1);
	for (int i = 0; i < CLIENTS; i++) {
		uint64_t va = STACKS + (uint64_t)i * 0x10000;

		exo_vspace_unmap(bi->self, &va, 1);
	}
	struct exo_cap_info info;
	CHECK(exo_cap_info(q, &info) == 0 && info.b == 0); // every version's memory went back
	exo_cap_delete(q);
	for (int i = 0; i <= REQUESTS; i++)
		seen[i] = 0;
	done = versions_seen = bad_replies = 0;
	exo_printf("swap: %s\n", failures ? "FAILED" : "all checks passed");
	return failures;
}
