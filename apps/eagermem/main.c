// SPDX-License-Identifier: MIT
// eagermem: shows an application bringing its own libos component. It links mem.c (an eager
// arena in place of libos-mem.a) and then does what a latency-sensitive program does: allocates
// its working set, touches all of it, runs threads with malloc'd data. With this component a
// page fault ends the program, so reaching the end proves every page was mapped up front.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define MIB (1024 * 1024)

extern const unsigned long eagermem_arena; // mem.c's: proves this component is the one linked

static void *worker(void *arg)
{
	size_t n = (size_t)arg * MIB;
	unsigned char *p = malloc(n);

	if (!p)
		return NULL;
	memset(p, 0x5a, n);
	for (size_t i = 0; i < n; i += 4096)
		if (p[i] != 0x5a)
			return NULL;
	free(p);
	return arg;
}

int main(int argc, char **argv)
{
	size_t size = 16 * MIB;
	unsigned char *p;
	pthread_t t[4];
	void *ret;
	int ok = 1;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: eagermem   (allocates and touches 16 MiB and 4 threads' buffers; a\n"
		       "                  program with its own libos memory component, see docs/libos.md)\n");
		return 0;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "eagermem: mmap of %zu bytes failed\n", size);
		return 1;
	}
	ok &= (unsigned long)p >= eagermem_arena;
	for (size_t i = 0; i < size; i += 4096)
		ok &= p[i] == 0, p[i] = (unsigned char)i;
	madvise(p, 4096, MADV_DONTNEED);
	ok &= p[0] == 0 && p[4096] == (unsigned char)4096;
	munmap(p, size);
	for (long i = 0; i < 4; i++)
		ok &= pthread_create(&t[i], NULL, worker, (void *)(i + 1)) == 0;
	for (long i = 0; i < 4; i++)
		ok &= pthread_join(t[i], &ret) == 0 && ret == (void *)(i + 1);
	printf("eagermem: %s: 16 MiB and 4 threads' buffers used without a page fault\n",
	       ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}
