// SPDX-License-Identifier: MIT
// malloc: a stress of malloc/realloc/calloc/free driven by a fixed-seed PRNG - a table of live
// blocks of random sizes up to 1 MiB (log-uniform), each filled with its own byte and checked
// whole before it is freed and after every realloc (the common prefix must survive).
#include "check.h"
#include <stdint.h>
#include <string.h>

#define SLOTS    256
#define STEPS    6000
#define MAX_SIZE (1u << 20)

struct block {
	unsigned char *p;
	size_t size;
	unsigned char fill;
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t next(void) // xorshift64*
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

static size_t random_size(void)
{
	size_t size = next() % ((1u << (next() % 21)) + 1); // 0 .. 1 MiB, small sizes common
	return size ? size : 1;
}

static int all_bytes(const unsigned char *p, size_t n, unsigned char c)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

int main(void)
{
	static struct block b[SLOTS];
	unsigned long mallocs = 0, reallocs = 0, callocs = 0, frees = 0;

	for (int step = 0; step < STEPS; step++) {
		struct block *s = &b[next() % SLOTS];
		unsigned op = next() % 4;

		if (s->p && op == 0) {
			CHECK(all_bytes(s->p, s->size, s->fill));
			free(s->p);
			s->p = NULL;
			frees++;
		} else if (s->p && op == 1) {
			size_t size = random_size();
			unsigned char *p = realloc(s->p, size);
			CHECK(p != NULL);
			CHECK(all_bytes(p, size < s->size ? size : s->size, s->fill));
			memset(p, s->fill, size);
			s->p = p;
			s->size = size;
			reallocs++;
		} else if (s->p) {
			CHECK(all_bytes(s->p, s->size, s->fill));
		} else if (op == 2) {
			s->size = random_size();
			s->p = calloc(1, s->size);
			CHECK(s->p != NULL);
			CHECK(all_bytes(s->p, s->size, 0));
			s->fill = 0;
			callocs++;
		} else {
			s->size = random_size();
			s->p = malloc(s->size);
			CHECK(s->p != NULL);
			CHECK(((uintptr_t)s->p & 15) == 0);
			s->fill = (unsigned char)(next() | 1);
			memset(s->p, s->fill, s->size);
			mallocs++;
		}
	}
	for (int i = 0; i < SLOTS; i++) {
		if (b[i].p) {
			CHECK(all_bytes(b[i].p, b[i].size, b[i].fill));
			free(b[i].p);
		}
	}
	CHECK(mallocs > 1000 && reallocs > 500 && callocs > 100 && frees > 500);
	printf("malloc ok: %lu malloc, %lu calloc, %lu realloc, %lu free\n", mallocs, callocs, reallocs,
	       frees);

	void *big = malloc(MAX_SIZE); // and a freed 1 MiB block is reusable
	CHECK(big != NULL);
	memset(big, 0x5a, MAX_SIZE);
	free(big);
	CHECK(malloc(SIZE_MAX / 2) == NULL);
	printf("huge malloc fails\n");
	return 0;
}
