// SPDX-License-Identifier: MIT
// String and memory functions for the kernel and libexo (GCC may emit calls to memcpy/memset
// itself). The bulk operations are x86 string instructions, eight bytes a step then the tail
// (a page is 512 steps - what an instruction count sees, too - rather than 4,096).
#include <common/string.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	void *d = dst;
	size_t words = n / 8, tail = n % 8;

	__asm__ volatile("rep movsq\n\tmov %3, %%rcx\n\trep movsb"
	                 : "+D"(d), "+S"(src), "+c"(words)
	                 : "r"(tail)
	                 : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	const unsigned char *s = src;
	unsigned char *d = dst;

	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	// Overlapping with dst above src: copy backwards, from the last byte.
	s += n - 1;
	d += n - 1;
	__asm__ volatile("std\n\trep movsb\n\tcld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	size_t words = n / 8, tail = n % 8;
	uint64_t v = 0x0101010101010101ull * (uint8_t)c;

	__asm__ volatile("rep stosq\n\tmov %3, %%rcx\n\trep stosb"
	                 : "+D"(d), "+c"(words), "+a"(v)
	                 : "r"(tail)
	                 : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
