// SPDX-License-Identifier: MIT
// Hot-swap of a state larger than 4 words, as init (boot modules: this program, libexo.so, kv.so,
// kv2.so, counter_bad.so). The key-value module is filled with 1,000 keys, then two client threads
// add 500 more (reading each back) and go on reading while the main thread replaces the module
// six times (kv -> kv2 -> kv ...) and once tries a version whose init fails (rollback). The keys
// (24 KB at the end) cross each swap in the state area, the count of requests in the 4 words. At
// the end every key must hold its value, the module must count exactly the keys and the requests
// sent, both versions must have answered, and the memory of every version and area must be back.
#include "testlib.h"

#define IMAGES  0x200000000ull
#define SCRATCH 0x300000000ull
#define STACKS  0x400000000ull
#define PRIO    16
#define CLIENTS 2
#define FILLED  1000 // keys 1..FILLED, put before the swaps
#define ADDED   500  // keys FILLED+1..FILLED+ADDED, put by the clients during the swaps
#define KEYS    (FILLED + ADDED)

enum { PUT = 1, GET = 2, COUNT = 3 }; // the kv module's operations

static const struct exo_bootinfo *bi;
static struct exo_module_slot slot;
static uint64_t ep; // the clients' copy of the service endpoint
static volatile uint64_t swapping = 1, done, sent, versions_seen, bad_replies;

static uint64_t value_of(uint64_t key)
{
	return key * key * 31 + 7;
}

// One request: 0 and the reply's words, or the call's error, or -label.
static long kv(uint64_t ep, uint64_t op, uint64_t key, uint64_t value, uint64_t w[4])
{
	struct exo_msg m = { EXO_TAG(op, 2, 0), 0, { key, value } };
	long r = exo_call(ep, &m);

	__atomic_add_fetch(&sent, 1, __ATOMIC_SEQ_CST);
	if (r)
		return r;
	memcpy(w, m.w, sizeof(m.w));
	if (w[3] == 1 || w[3] == 2)
		__atomic_or_fetch(&versions_seen, 1ull << w[3], __ATOMIC_SEQ_CST);
	return -(long)EXO_TAG_LABEL(m.tag);
}

// Puts its share of the added keys, reading each back at once, and one of the filled keys; then
// reads filled keys until the swaps are over, so that every swap happens under requests.
static void client(uint64_t i)
{
	uint64_t first = FILLED + 1 + i * (ADDED / CLIENTS), w[4];

	for (uint64_t key = first; key < first + ADDED / CLIENTS; key++) {
		uint64_t old = key * 7 % FILLED + 1;

		if (kv(ep, PUT, key, value_of(key), w) || kv(ep, GET, key, 0, w) || w[0] != value_of(key) ||
		    kv(ep, GET, old, 0, w) || w[0] != value_of(old))
			__atomic_add_fetch(&bad_replies, 1, __ATOMIC_SEQ_CST);
	}
	for (uint64_t key = 1; swapping; key = key % FILLED + 1)
		if (kv(ep, GET, key, 0, w) || w[0] != value_of(key))
			__atomic_add_fetch(&bad_replies, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&done, 1, __ATOMIC_SEQ_CST);
	for (;;) // destroyed by main; sleeping, not spinning, so that lower priorities still run
		exo_thread_sleep(~0ull);
}

static void swaps(const struct exo_image *v1, const struct exo_image *v2, const struct exo_image *bad)
{
	char err[160];
	int swapped = 0;

	for (int round = 0; round < 7; round++) {
		const struct exo_image *to = round == 3 ? bad : (round % 2 ? v1 : v2);
		long r;

		test_sleep_ms(1); // let the clients run a little
		r = exo_module_replace(&slot, to, err, sizeof(err));
		if (to == bad) {
			exo_printf("kvswap: %s refused, the old version resumes: %s\n", bad->name, err);
			CHECK_EQ(r, -EXO_EINVAL);
		} else {
			CHECK_EQ(r, 0);
			swapped += !r;
		}
	}
	CHECK_EQ(swapped, 6);
	exo_printf("kvswap: %d swaps under requests\n", swapped);
}

int main(uint64_t arg)
{
	struct exo_image img[5]; // this program, libexo.so, kv.so, kv2.so, counter_bad.so
	struct test_thread threads[CLIENTS];
	uint64_t q, w[4] = { 0 };
	int wrong = 0;

	bi = test_begin("kvswap", arg);
	if (!bi || test_boot_images(img, 5, IMAGES))
		return test_end();
	q = (uint64_t)exo_quota_split(bi->quota, 1024);
	ep = test_slot_start(&slot, q, SCRATCH, &img[1], &img[2], PRIO);

	for (uint64_t key = 1; key <= FILLED; key++)
		wrong += kv(ep, PUT, key, value_of(key), w) != 0 || w[0] != key;
	CHECK_EQ(wrong, 0);
	for (uint64_t i = 0; i < CLIENTS; i++)
		test_thread_new(&threads[i], q, STACKS + i * 0x10000, PRIO, client, i, "client");
	swaps(&img[2], &img[3], &img[4]);
	swapping = 0;
	while (done < CLIENTS)
		test_sleep_ms(1);
	for (int i = 0; i < CLIENTS; i++)
		test_thread_end(&threads[i]);

	CHECK_EQ(bad_replies, 0);
	CHECK(kv(ep, COUNT, 0, 0, w) == 0 && w[0] == KEYS && w[1] == sent); // this request counted too
	exo_printf("kvswap: %lu keys, %lu requests served across the swaps (state %lu bytes)\n",
	           (unsigned long)w[0], (unsigned long)w[1], (unsigned long)(w[0] * 16));
	for (uint64_t key = 1, got[4]; key <= KEYS; key++)
		wrong += kv(ep, GET, key, 0, got) != 0 || got[0] != value_of(key);
	CHECK_EQ(wrong, 0);
	CHECK_EQ(kv(ep, GET, KEYS + 1, 0, w), -EXO_ENOENT);
	CHECK((versions_seen & 6) == 6); // both versions answered
	exo_printf("kvswap: every key checked\n");

	exo_cap_delete(ep);
	exo_module_slot_destroy(&slot);
	test_boot_images_unmap();
	CHECK_EQ(test_used(q), 0); // every version's and area's memory went back
	exo_cap_delete(q);
	return test_end();
}
