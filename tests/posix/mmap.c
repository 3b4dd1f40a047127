// SPDX-License-Identifier: MIT
// mmap: anonymous mappings read and written, MAP_FIXED over part of a mapping, mprotect to
// read-only, to PROT_NONE and back keeping the data, brk grown and shrunk (musl's brk() and
// sbrk(n) always fail, so the system call is used directly), madvise(MADV_DONTNEED) zeroing a
// page, and a 64 MiB mapping touched sparsely.
#include "check.h"
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096ul

static void check_fill(const unsigned char *p, size_t n, unsigned char c)
{
	for (size_t i = 0; i < n; i++)
		CHECK(p[i] == c);
}

static void anonymous(void)
{
	unsigned char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	CHECK(((uintptr_t)p & (PAGE - 1)) == 0);
	check_fill(p, 4 * PAGE, 0);
	for (size_t i = 0; i < 4 * PAGE; i++)
		p[i] = (unsigned char)(i * 7);
	for (size_t i = 0; i < 4 * PAGE; i++)
		CHECK(p[i] == (unsigned char)(i * 7));
	CHECK(munmap(p, 4 * PAGE) == 0);
	printf("anonymous mmap ok\n");
}

static void fixed(void)
{
	unsigned char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	memset(p, 0xaa, 4 * PAGE);
	unsigned char *q =
	    mmap(p + PAGE, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(q == p + PAGE);
	check_fill(p, PAGE, 0xaa);
	check_fill(p + PAGE, 2 * PAGE, 0);
	check_fill(p + 3 * PAGE, PAGE, 0xaa);
	memset(q, 0x55, 2 * PAGE);
	check_fill(p, PAGE, 0xaa);
	check_fill(p + 3 * PAGE, PAGE, 0xaa);
	CHECK(munmap(p, 4 * PAGE) == 0);
	printf("MAP_FIXED ok\n");
}

static void protect(void)
{
	unsigned char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	memset(p, 0x3c, 2 * PAGE);
	CHECK(mprotect(p, 2 * PAGE, PROT_READ) == 0);
	check_fill(p, 2 * PAGE, 0x3c);
	CHECK(mprotect(p, 2 * PAGE, PROT_READ | PROT_WRITE) == 0);
	check_fill(p, 2 * PAGE, 0x3c);
	memset(p + PAGE, 0xc3, PAGE);
	check_fill(p, PAGE, 0x3c);
	check_fill(p + PAGE, PAGE, 0xc3);
	// PROT_NONE and back keeps the contents.
	CHECK(mprotect(p, 2 * PAGE, PROT_NONE) == 0);
	CHECK(mprotect(p, 2 * PAGE, PROT_READ) == 0);
	check_fill(p, PAGE, 0x3c);
	check_fill(p + PAGE, PAGE, 0xc3);
	CHECK(munmap(p, 2 * PAGE) == 0);
	printf("mprotect ok\n");
}

static uintptr_t brk_to(uintptr_t addr)
{
	return (uintptr_t)syscall(SYS_brk, addr);
}

static void program_break(void)
{
	uintptr_t start = brk_to(0);
	CHECK(start != 0);
	uintptr_t base = (start + PAGE - 1) & ~(PAGE - 1);

	CHECK(brk_to(base + 16 * PAGE) == base + 16 * PAGE);
	CHECK(brk_to(0) == base + 16 * PAGE);
	memset((void *)base, 0x77, 16 * PAGE);
	CHECK(brk_to(base + 8 * PAGE) == base + 8 * PAGE);
	check_fill((void *)base, 8 * PAGE, 0x77);
	CHECK(brk_to(base + 16 * PAGE) == base + 16 * PAGE);
	check_fill((void *)base, 8 * PAGE, 0x77);
	check_fill((void *)(base + 8 * PAGE), 8 * PAGE, 0); // given back, so new zero pages
	CHECK(brk_to(start) == start);
	CHECK(brk_to(0) == start);
	printf("brk ok\n");
}

static void dontneed(void)
{
	unsigned char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	memset(p, 0xee, 3 * PAGE);
	CHECK(madvise(p + PAGE, PAGE, MADV_DONTNEED) == 0);
	check_fill(p, PAGE, 0xee);
	check_fill(p + PAGE, PAGE, 0);
	check_fill(p + 2 * PAGE, PAGE, 0xee);
	CHECK(munmap(p, 3 * PAGE) == 0);
	printf("madvise ok\n");
}

static void large(void)
{
	size_t size = 64ul << 20;
	unsigned char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	for (size_t off = 0; off < size; off += 1 << 20)
		p[off + (off >> 20) * 8] = (unsigned char)(off >> 20 | 1);
	for (size_t off = 0; off < size; off += 1 << 20) {
		CHECK(p[off + (off >> 20) * 8] == (unsigned char)(off >> 20 | 1));
		CHECK(p[off + PAGE / 2 * 3] == 0);
	}
	p[size - 1] = 9;
	CHECK(p[size - 1] == 9);
	CHECK(munmap(p, size) == 0);
	printf("64 MiB sparse ok\n");
}

int main(void)
{
	program_break(); // first: nothing has called malloc, which may use brk itself
	anonymous();
	fixed();
	protect();
	dontneed();
	large();
	return 0;
}
