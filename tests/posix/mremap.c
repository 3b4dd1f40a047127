// SPDX-License-Identifier: MIT
// mremap, mincore and sigaltstack: a mapping shrunk, grown in place, grown by moving past a
// neighbour (contents kept, the old addresses gone), refused without MREMAP_MAYMOVE, bad
// arguments; mincore telling touched pages from untouched ones, before and after
// MADV_DONTNEED, and its errors; sigaltstack set, read back, disabled, and its errors.
#define _GNU_SOURCE
#include "check.h"
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096ul

static unsigned char *map(size_t pages)
{
	unsigned char *p =
	    mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	return p;
}

static void remap(void)
{
	unsigned char *p = map(8), *q, *next;

	for (size_t i = 0; i < 8 * PAGE; i++)
		p[i] = (unsigned char)(i * 13);
	q = mremap(p, 8 * PAGE, 4 * PAGE, 0); // shrink: same place, the tail gone
	CHECK(q == p);
	CHECK(munmap(p + 4 * PAGE, 4 * PAGE) == 0);
	q = mremap(p, 4 * PAGE, 6 * PAGE, 0); // grow in place: the pages after it are free
	CHECK(q == p);
	for (size_t i = 0; i < 4 * PAGE; i++)
		CHECK(p[i] == (unsigned char)(i * 13));
	for (size_t i = 4 * PAGE; i < 6 * PAGE; i++)
		CHECK(p[i] == 0);
	// A neighbour right after it: growing needs a move, which MREMAP_MAYMOVE allows.
	next = mmap(p + 6 * PAGE, PAGE, PROT_READ | PROT_WRITE,
	            MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(next == p + 6 * PAGE);
	next[0] = 77;
	errno = 0;
	CHECK(mremap(p, 6 * PAGE, 64 * PAGE, 0) == MAP_FAILED && errno == ENOMEM);
	q = mremap(p, 6 * PAGE, 64 * PAGE, MREMAP_MAYMOVE);
	CHECK(q != MAP_FAILED && q != p);
	for (size_t i = 0; i < 4 * PAGE; i++)
		CHECK(q[i] == (unsigned char)(i * 13));
	for (size_t i = 4 * PAGE; i < 64 * PAGE; i++)
		CHECK(q[i] == 0);
	q[64 * PAGE - 1] = 1; // all of it writable
	CHECK(next[0] == 77);
	CHECK(mincore(p, PAGE, (unsigned char[1]){ 0 }) == -1 && errno == ENOMEM); // moved away
	CHECK(munmap(q, 64 * PAGE) == 0 && munmap(next, PAGE) == 0);
	printf("mremap ok\n");

	p = map(2);
	errno = 0;
	CHECK(mremap(p + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE) == MAP_FAILED && errno == EINVAL);
	CHECK(mremap(p, PAGE, 0, MREMAP_MAYMOVE) == MAP_FAILED && errno == EINVAL);
	CHECK(mremap(p, PAGE, 2 * PAGE, 0x80) == MAP_FAILED && errno == EINVAL);
	CHECK(mremap(p, PAGE, 2 * PAGE, MREMAP_FIXED, p + 8 * PAGE) == MAP_FAILED && errno == EINVAL);
	CHECK(munmap(p, 2 * PAGE) == 0);
	CHECK(mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE) == MAP_FAILED && errno == EFAULT);
	printf("mremap errors ok\n");
}

static void residency(void)
{
	unsigned char *p = map(6), vec[6];

	p[0] = 1;
	p[2 * PAGE + 5] = 2;
	p[5 * PAGE] = 3;
	CHECK(mincore(p, 6 * PAGE, vec) == 0);
	CHECK(memcmp(vec, (unsigned char[]){ 1, 0, 1, 0, 0, 1 }, 6) == 0);
	CHECK(madvise(p + 2 * PAGE, PAGE, MADV_DONTNEED) == 0);
	CHECK(mincore(p, 6 * PAGE - 100, vec) == 0); // a partial last page counts whole
	CHECK(memcmp(vec, (unsigned char[]){ 1, 0, 0, 0, 0, 1 }, 6) == 0);
	CHECK(mprotect(p, 6 * PAGE, PROT_READ) == 0);
	CHECK(mincore(p, 6 * PAGE, vec) == 0);
	CHECK(memcmp(vec, (unsigned char[]){ 1, 0, 0, 0, 0, 1 }, 6) == 0);
	CHECK(p[0] == 1 && p[5 * PAGE] == 3); // and the protection is still read-only's
	errno = 0;
	CHECK(mincore(p + 1, PAGE, vec) == -1 && errno == EINVAL);
	CHECK(mincore(p, 6 * PAGE, (unsigned char *)8) == -1 && errno == EFAULT);
	CHECK(munmap(p + 3 * PAGE, PAGE) == 0);
	CHECK(mincore(p, 6 * PAGE, vec) == -1 && errno == ENOMEM);
	CHECK(munmap(p, 6 * PAGE) == 0);
	printf("mincore ok\n");
}

static void altstack(void)
{
	static char stack[65536];
	stack_t ss = { 0 }, old;

	CHECK(sigaltstack(NULL, &old) == 0);
	CHECK(old.ss_flags == SS_DISABLE && old.ss_size == 0);
	ss.ss_sp = stack;
	ss.ss_size = sizeof(stack);
	CHECK(sigaltstack(&ss, &old) == 0 && old.ss_flags == SS_DISABLE);
	CHECK(sigaltstack(NULL, &old) == 0);
	CHECK(old.ss_sp == stack && old.ss_size == sizeof(stack) && old.ss_flags == 0);
	// The errors, from the system call itself (musl's wrapper checks size and flags first).
	errno = 0;
	ss.ss_size = 1024;
	CHECK(syscall(SYS_sigaltstack, &ss, NULL) == -1 && errno == ENOMEM);
	ss.ss_size = sizeof(stack);
	ss.ss_flags = 7;
	CHECK(syscall(SYS_sigaltstack, &ss, NULL) == -1 && errno == EINVAL);
	CHECK(syscall(SYS_sigaltstack, (stack_t *)8, NULL) == -1 && errno == EFAULT);
	CHECK(syscall(SYS_sigaltstack, NULL, (stack_t *)8) == -1 && errno == EFAULT);
	CHECK(sigaltstack(NULL, &old) == 0 && old.ss_sp == stack); // unchanged by the errors
	ss.ss_flags = SS_DISABLE;
	CHECK(sigaltstack(&ss, NULL) == 0);
	CHECK(sigaltstack(NULL, &old) == 0 && old.ss_flags == SS_DISABLE && old.ss_size == 0);
	printf("sigaltstack ok\n");
}

int main(void)
{
	remap();
	residency();
	altstack();
	return 0;
}
