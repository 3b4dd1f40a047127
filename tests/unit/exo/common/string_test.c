// SPDX-License-Identifier: MIT
// Unit tests for the kernel's string and memory functions (exo/common/string.c), built as k* names.
// No libc string functions here: build.mk renames the kernel's (and the libc names) to k*.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <common/string.h>

#define GUARD 0xee

static void fill(uint8_t *b, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i * 7);
}

static void test_memcpy(void **state)
{
	uint8_t src[80], dst[96];

	(void)state;
	fill(src, sizeof(src), 3);
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n <= 64; n++) {
			for (size_t i = 0; i < sizeof(dst); i++)
				dst[i] = GUARD;
			assert_ptr_equal(kmemcpy(dst + off, src + (n % 5), n), dst + off);
			for (size_t i = 0; i < off; i++)
				assert_int_equal(dst[i], GUARD);
			for (size_t i = 0; i < n; i++)
				assert_int_equal(dst[off + i], src[n % 5 + i]);
			for (size_t i = off + n; i < sizeof(dst); i++)
				assert_int_equal(dst[i], GUARD);
		}
}

// memmove within one buffer, checked against a copy made through a separate buffer.
static void move_and_check(size_t dst, size_t src, size_t n)
{
	uint8_t buf[128], want[128], tmp[128];

	fill(buf, sizeof(buf), (uint8_t)(dst * 3 + src));
	for (size_t i = 0; i < sizeof(buf); i++)
		want[i] = buf[i];
	for (size_t i = 0; i < n; i++)
		tmp[i] = want[src + i];
	for (size_t i = 0; i < n; i++)
		want[dst + i] = tmp[i];
	assert_ptr_equal(kmemmove(buf + dst, buf + src, n), buf + dst);
	for (size_t i = 0; i < sizeof(buf); i++)
		if (buf[i] != want[i])
			fail_msg("memmove(+%zu, +%zu, %zu): byte %zu is %#x, expected %#x", dst, src, n, i,
			         buf[i], want[i]);
}

static void test_memmove_overlap_both_directions(void **state)
{
	(void)state;
	for (size_t n = 0; n <= 48; n++)
		for (size_t src = 0; src <= 40; src += 5)
			for (size_t dst = 0; dst <= 40; dst++)
				move_and_check(dst, src, n);
	// The classic cases, spelled out.
	move_and_check(1, 0, 100);  // forward overlap by all but one byte
	move_and_check(0, 1, 100);  // backward overlap
	move_and_check(10, 10, 50); // same place
	move_and_check(64, 0, 64);  // adjacent, no overlap
	move_and_check(0, 64, 64);
}

static void test_memmove_strings(void **state)
{
	char s[16] = "abcdefgh";
	char t[16] = "abcdefgh";

	(void)state;
	kmemmove(s + 2, s, 6);
	assert_string_equal(s, "ababcdef");
	kmemmove(t, t + 3, 5);
	assert_string_equal(t, "defghfgh");
}

static void test_memset(void **state)
{
	uint8_t b[80];

	(void)state;
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n <= 64; n++) {
			for (size_t i = 0; i < sizeof(b); i++)
				b[i] = GUARD;
			assert_ptr_equal(kmemset(b + off, (int)(0x100 + n), n), b + off);
			for (size_t i = 0; i < sizeof(b); i++)
				assert_int_equal(b[i], i >= off && i < off + n ? (uint8_t)n : GUARD);
		}
	kmemset(b, -1, 4);
	assert_int_equal(b[0], 0xff);
	assert_int_equal(b[3], 0xff);
	kmemset(b, 0, sizeof(b));
	for (size_t i = 0; i < sizeof(b); i++)
		assert_int_equal(b[i], 0);
}

static void test_memcmp_sign(void **state)
{
	const uint8_t a[] = { 1, 2, 3, 0x80, 5 };
	const uint8_t b[] = { 1, 2, 3, 0x01, 9 };
	const uint8_t c[] = { 1, 2, 3, 0x80, 6 };

	(void)state;
	assert_int_equal(kmemcmp(a, a, sizeof(a)), 0);
	assert_int_equal(kmemcmp(a, b, 0), 0);
	assert_int_equal(kmemcmp(a, b, 3), 0);
	// Bytes compare as unsigned char: 0x80 > 0x01.
	assert_true(kmemcmp(a, b, 4) > 0);
	assert_true(kmemcmp(b, a, 4) < 0);
	assert_true(kmemcmp(a, c, 5) < 0);
	assert_true(kmemcmp(c, a, 5) > 0);
	assert_true(kmemcmp("\xff", "\x00", 1) > 0);
	assert_true(kmemcmp("abc", "abd", 3) < 0);
	// Only the first difference counts.
	assert_true(kmemcmp("az", "by", 2) < 0);
	// Embedded NULs are compared like any byte.
	assert_true(kmemcmp("a\0b", "a\0c", 3) < 0);
}

static void test_strlen_strnlen(void **state)
{
	const char nonul[4] = { 'a', 'b', 'c', 'd' }; // no terminator: reading past it is a bug
	char big[300];

	(void)state;
	assert_int_equal(kstrlen(""), 0);
	assert_int_equal(kstrlen("a"), 1);
	assert_int_equal(kstrlen("hello, world"), 12);
	assert_int_equal(kstrlen("ab\0cd"), 2);
	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = 'x';
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(kstrlen(big), 299);
	assert_int_equal(kstrnlen("hello", 10), 5);
	assert_int_equal(kstrnlen("hello", 5), 5);
	assert_int_equal(kstrnlen("hello", 3), 3);
	assert_int_equal(kstrnlen("hello", 0), 0);
	assert_int_equal(kstrnlen("", 8), 0);
	assert_int_equal(kstrnlen(nonul, 4), 4);
	assert_int_equal(kstrnlen(nonul, 2), 2);
}

static void test_strcmp(void **state)
{
	(void)state;
	assert_int_equal(kstrcmp("", ""), 0);
	assert_int_equal(kstrcmp("abc", "abc"), 0);
	assert_true(kstrcmp("abc", "abd") < 0);
	assert_true(kstrcmp("abd", "abc") > 0);
	assert_true(kstrcmp("ab", "abc") < 0);
	assert_true(kstrcmp("abc", "ab") > 0);
	assert_true(kstrcmp("", "a") < 0);
	assert_true(kstrcmp("a", "") > 0);
	// Unsigned comparison of the differing characters.
	assert_true(kstrcmp("\xe9t\xe9", "ete") > 0);
	assert_true(kstrcmp("a\x01", "a\xff") < 0);
}

static void test_strncmp(void **state)
{
	const char x[3] = { 'a', 'b', 'c' }; // not terminated
	const char y[3] = { 'a', 'b', 'd' };

	(void)state;
	assert_int_equal(kstrncmp("abc", "abd", 0), 0);
	assert_int_equal(kstrncmp("abc", "abd", 2), 0);
	assert_true(kstrncmp("abc", "abd", 3) < 0);
	assert_true(kstrncmp("abd", "abc", 100) > 0);
	assert_int_equal(kstrncmp("abc", "abc", 100), 0); // stops at the NUL
	assert_true(kstrncmp("ab", "abc", 3) < 0);
	assert_true(kstrncmp("abc", "ab", 3) > 0);
	assert_int_equal(kstrncmp("ab", "abc", 2), 0);
	assert_true(kstrncmp("\x80", "\x7f", 1) > 0);
	assert_int_equal(kstrncmp(x, y, 2), 0);
	assert_true(kstrncmp(x, y, 3) < 0);
	assert_int_equal(kstrncmp("same\0X", "same\0Y", 6), 0); // nothing after the NUL counts
}

static void test_strchr(void **state)
{
	const char *s = "hello, w\xe9rld";

	(void)state;
	assert_ptr_equal(kstrchr(s, 'h'), s);
	assert_ptr_equal(kstrchr(s, 'l'), s + 2);
	assert_ptr_equal(kstrchr(s, 'd'), s + 11);
	assert_null(kstrchr(s, 'z'));
	assert_ptr_equal(kstrchr(s, '\0'), s + 12);
	assert_ptr_equal(kstrchr(s, 0xe9), s + 8); // int 0xe9 converts to the char '\xe9'
	assert_ptr_equal(kstrchr(s, 0x100 + 'o'), s + 4);
	assert_null(kstrchr("", 'a'));
	assert_ptr_equal(kstrchr(s + 12, '\0'), s + 12);
	assert_null(kstrchr("ab\0c", 'c'));
}

static void test_strlcpy(void **state)
{
	char d[16];

	(void)state;
	kmemset(d, 'X', sizeof(d));
	assert_int_equal(kstrlcpy(d, "abc", sizeof(d)), 3);
	assert_string_equal(d, "abc");
	assert_int_equal(d[4], 'X'); // nothing written past the NUL

	kmemset(d, 'X', sizeof(d));
	assert_int_equal(kstrlcpy(d, "abcdef", 4), 6); // truncated, returns the source length
	assert_string_equal(d, "abc");
	assert_int_equal(d[4], 'X');

	kmemset(d, 'X', sizeof(d));
	assert_int_equal(kstrlcpy(d, "abc", 4), 3); // exactly fits
	assert_string_equal(d, "abc");
	assert_int_equal(d[4], 'X');

	kmemset(d, 'X', sizeof(d));
	assert_int_equal(kstrlcpy(d, "abc", 1), 3);
	assert_int_equal(d[0], '\0');
	assert_int_equal(d[1], 'X');

	kmemset(d, 'X', sizeof(d));
	assert_int_equal(kstrlcpy(d, "abc", 0), 3); // size 0: nothing written
	assert_int_equal(d[0], 'X');

	kmemset(d, 'X', sizeof(d));
	assert_int_equal(kstrlcpy(d, "", sizeof(d)), 0);
	assert_int_equal(d[0], '\0');
	assert_int_equal(d[1], 'X');

	assert_int_equal(kstrlcpy(d, "0123456789abcdefghij", sizeof(d)), 20);
	assert_string_equal(d, "0123456789abcde");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy),
		cmocka_unit_test(test_memmove_overlap_both_directions),
		cmocka_unit_test(test_memmove_strings),
		cmocka_unit_test(test_memset),
		cmocka_unit_test(test_memcmp_sign),
		cmocka_unit_test(test_strlen_strnlen),
		cmocka_unit_test(test_strcmp),
		cmocka_unit_test(test_strncmp),
		cmocka_unit_test(test_strchr),
		cmocka_unit_test(test_strlcpy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
