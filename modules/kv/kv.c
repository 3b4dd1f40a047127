// SPDX-License-Identifier: MIT
// A key-value store module, the demo of a state larger than 4 words crossing a hot-swap: up to
// 2048 pairs of 64-bit keys and values (32 KiB, more than the quiesce reply's words could carry)
// handed to the next version in the state area (exo_module_export_area, env->area), and a count
// of the requests served in the 4 words of exo_module_export_state. PUT(key, value) answers the
// number of keys; GET(key) the value (EXO_ENOENT if absent); COUNT the number of keys and of
// requests served. Every answer carries the version in w[3]. kv.so and kv2.so are built from it.
#include <exo/module.h>

#ifndef KV_VERSION
#define KV_VERSION 1
#endif

EXO_MODULE_NOTE("kv", KV_VERSION, 0, "kv");

enum { KV_PUT = 1, KV_GET = 2, KV_COUNT = 3 };

#define CAPACITY 2048 // a power of two; key 0 marks a free slot, so it cannot be stored

struct pair {
	uint64_t key, value;
};

static struct pair table[CAPACITY]; // open addressing, linear probing
static uint64_t nkeys, served;

// The slot of key, or the free slot where it would go (NULL when the table is full).
static struct pair *slot_of(uint64_t key)
{
	uint64_t i = (key * 0x9e3779b97f4a7c15ull) >> 53; // top 11 bits: 0..2047

	for (uint64_t n = 0; n < CAPACITY; n++, i = (i + 1) % CAPACITY)
		if (table[i].key == key || table[i].key == 0)
			return &table[i];
	return NULL;
}

static long put(uint64_t key, uint64_t value)
{
	struct pair *p = key ? slot_of(key) : NULL;

	if (!p)
		return key ? -EXO_ENOSPC : -EXO_EINVAL;
	nkeys += p->key == 0;
	*p = (struct pair){ key, value };
	return 0;
}

int exo_module_init(const struct exo_module_env *env)
{
	const struct pair *in = (const struct pair *)env->area;

	for (uint64_t i = 0; i < env->area_size / sizeof(*in); i++)
		if (put(in[i].key, in[i].value))
			return 1; // a state it cannot hold: refuse to start, the old version resumes
	served = env->nstate ? env->state[0] : 0;
	exo_printf("kv: version %d serving, %lu keys, %lu requests served before\n", KV_VERSION,
	           (unsigned long)nkeys, (unsigned long)served);
	return 0;
}

long exo_module_export_area(void *area, uint64_t size)
{
	struct pair *out = area;
	uint64_t n = 0;

	if (nkeys * sizeof(*out) > size)
		return -EXO_ENOSPC;
	for (uint64_t i = 0; i < CAPACITY; i++)
		if (table[i].key)
			out[n++] = table[i];
	return (long)(n * sizeof(*out));
}

int exo_module_export_state(uint64_t state[4])
{
	state[0] = served;
	return 1;
}

int exo_module_serve(const struct exo_module_env *env)
{
	struct exo_msg m;
	long r = exo_module_recv(env, &m);

	while (r == 0) {
		struct pair *p = NULL;
		long status = 0;

		served++;
		switch (EXO_TAG_LABEL(m.tag)) {
		case KV_PUT:
			status = put(m.w[0], m.w[1]);
			m.w[0] = nkeys;
			break;
		case KV_GET:
			p = m.w[0] ? slot_of(m.w[0]) : NULL;
			status = p && p->key ? 0 : -EXO_ENOENT;
			m.w[0] = status ? 0 : p->value;
			break;
		case KV_COUNT:
			m.w[0] = nkeys;
			m.w[1] = served;
			break;
		default:
			status = -EXO_ENOSYS;
		}
		m.tag = EXO_TAG(-status, 4, 0);
		m.w[3] = KV_VERSION;
		r = exo_module_reply_recv(env, &m);
	}
	return (int)-r;
}
