// SPDX-License-Identifier: MIT
// Unit tests for the kernel's formatted output (exo/lib/printf.c) against the host's snprintf.
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#include "mock_console.h"
#include <kern/printf.h>

#define CANARY 0x5c

static unsigned checks;

// Formats with kvsnprintf and the host's vsnprintf and compares the output and the return value,
// then again for every buffer size up to the full length: the result must be the truncated prefix,
// always NUL terminated, and nothing past the buffer may be written.
static void vcheck(const char *fmt, va_list ap)
{
	char want[512], got[512 + 16];
	va_list aq;
	int wn, gn;

	va_copy(aq, ap);
	wn = vsnprintf(want, sizeof(want), fmt, aq);
	va_end(aq);
	assert_true(wn >= 0 && wn < (int)sizeof(want));
	for (size_t size = 0; size <= (size_t)wn + 1; size++) {
		memset(got, CANARY, sizeof(got));
		va_copy(aq, ap);
		gn = kvsnprintf(size ? got : NULL, size, fmt, aq);
		va_end(aq);
		if (gn != wn)
			fail_msg("format \"%s\" size %zu: returned %d, expected %d", fmt, size, gn, wn);
		if (size == 0)
			continue;
		if (strlen(got) != MIN((size_t)wn, size - 1) || strncmp(got, want, size - 1) != 0)
			fail_msg("format \"%s\" size %zu: got \"%s\", expected \"%.*s\"", fmt, size, got,
			         (int)(size - 1), want);
		for (size_t i = size; i < sizeof(got); i++)
			if ((uint8_t)got[i] != CANARY)
				fail_msg("format \"%s\" size %zu: wrote past the buffer at %zu", fmt, size,
				         i);
	}
	checks++;
}

static void __attribute__((format(printf, 1, 2))) check(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcheck(fmt, ap);
	va_end(ap);
}

// The same without the compiler's format checks: for tables of formats, and for the well-defined
// cases GCC warns about (an empty format, '0' ignored with a precision, NULL for %s).
static void check_any(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcheck(fmt, ap);
	va_end(ap);
}

static void test_plain_and_percent(void **state)
{
	(void)state;
	check_any("");
	check("hello, world");
	check("%%");
	check("100%% sure %%%%");
	check("tab\there\nnewline");
}

static void test_signed(void **state)
{
	static const int vals[] = { 0, 1, -1, 7, -42, 12345, -99999, INT_MAX, INT_MIN };
	static const char *const fmts[] = {
		"%d",    "%i",      "%5d",  "%-5d|", "%05d",  "%+d",       "% d",    "%+5d",  "%-+6d|",
		"%+05d", "% 05d",   "%.0d", "%.3d",  "%8.3d", "%-8.3d|",   "%08.3d", "%+.3d", "% .0d",
		"%012d", "%-012d|", "%+ d", "%1d",   "%.12d", "%+-12.5d|", "%0-8d|",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(fmts); i++)
		for (size_t j = 0; j < ARRAY_SIZE(vals); j++)
			check_any(fmts[i], vals[j]);
}

static void test_unsigned_hex_octal(void **state)
{
	static const unsigned vals[] = { 0, 1, 7, 8, 9, 15, 16, 255, 256, 0xdeadbeef, 01234567, UINT_MAX };
	static const char *const fmts[] = {
		"%u",    "%x",      "%X",      "%o",     "%#x",  "%#X",   "%#o",   "%8x",
		"%-8x|", "%08x",    "%#08x",   "%#-8x|", "%.0x", "%#.0x", "%.0o",  "%#.0o",
		"%.5x",  "%#.5x",   "%#10.5x", "%#010x", "%#5o", "%#.3o", "%#.8o", "%010u",
		"%.0u",  "%12.10o", "%-#12o|", "%+u",    "% u",  "%+x",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(fmts); i++)
		for (size_t j = 0; j < ARRAY_SIZE(vals); j++)
			check_any(fmts[i], vals[j]);
}

static void test_length_modifiers(void **state)
{
	(void)state;
	// hh and h truncate the promoted int.
	check("%hhd %hhd %hhd %hhd", 127, 128, 300, -129);
	check("%hhu %hhx %hho", 255, 0x1ff, 0777);
	check("%hhu", -1);
	check("%hd %hd %hd", 32767, 32768, -70000);
	check("%hu %hx %ho %hX", 65535, 0x12345, 0123456, 0xfffff);
	check("%hu", -1);
	check("%ld %ld %ld", 0L, LONG_MAX, LONG_MIN);
	check("%lu %lx %lo %lX", ULONG_MAX, 0xfedcba9876543210UL, ULONG_MAX, 0xabcdefUL);
	check("%lld %lld %lld", 0LL, LLONG_MAX, LLONG_MIN);
	check("%llu %llx %llo", ULLONG_MAX, ULLONG_MAX, ULLONG_MAX);
	check("%#llo %#llx %#llX", ULLONG_MAX, ULLONG_MAX, 0x8000000000000000ULL);
	check("%30lld|%-30lld|%030lld", LLONG_MIN, LLONG_MIN, LLONG_MIN);
	check("%+lli % lli %.25lli", LLONG_MAX, LLONG_MAX, LLONG_MIN);
	check("%zu %zx %zd %zd", SIZE_MAX, (size_t)0x1000, (ssize_t)-1, (ssize_t)SSIZE_MAX);
	check("%td %tu", (ptrdiff_t)-12345, (ptrdiff_t)12345);
	check("%jd %ju %jx", INTMAX_MIN, UINTMAX_MAX, (uintmax_t)0x1234);
	check("%ld %d %lld %hd", -1L, 2, -3LL, (short)4); // mixed: argument sizes stay in step
	check("%lx %x %llx %hhx", 0x1122334455667788UL, 0x9abcdef0u, 0xfULL, 0xab);
}

static void test_pointers(void **state)
{
	int x;

	(void)state;
	check("%p", (void *)&x);
	check("%p", (void *)0x1);
	check("%p", (void *)0xffff800000000000);
	check("%20p|%-20p|", (void *)0xdeadbeef, (void *)0xdeadbeef);
	check("[%p %p]", (void *)check, (void *)&checks);
}

static void test_strings_and_chars(void **state)
{
	const char *null = NULL;
	char buf[64];

	(void)state;
	check("%s", "");
	check("%s", "abc");
	check("%10s|%-10s|", "abc", "abc");
	check("%.2s|%.0s|%.10s|", "abcdef", "abcdef", "abc");
	check("%8.3s|%-8.3s|", "abcdef", "abcdef");
	check("%2s", "longer than width");
	check("%c%c%c", 'a', 'b', 'c');
	check("%5c|%-5c|%1c|", 'x', 'y', 'z');
	check("%c", 0xe9);
	check("[%s] [%d] [%c]", "mixed", 42, '!');
	// A NULL string prints "(null)" like the host's C library.
	check_any("%s", null);
	check_any("%10s|%-8s|", null, null);
	// A NUL character counts but ends the visible string.
	assert_int_equal(ksnprintf(buf, sizeof(buf), "a%cb", 0), 3);
	assert_memory_equal(buf, "a\0b\0", 4);
}

static void test_star_width_precision(void **state)
{
	(void)state;
	check("%*d|", 6, 42);
	check("%*d|", -6, 42); // negative width: left adjust
	check("%-*d|", 6, 42);
	check("%.*d|", 4, 42);
	check("%.*d|", -1, 42); // negative precision: as if omitted
	check("%0*d|", 6, -42);
	check("%*.*d|", 8, 5, -42);
	check("%*.*s|", 10, 2, "abcdef");
	check("%-*.*s|", 10, 2, "abcdef");
	check("%.*s|", -3, "abcdef");
	check("%*s|%*s|", 3, "a", 0, "b");
	check("%*x|%*u|", -10, 0xbeefu, 10, 7u);
	check_any("%0*.*x|", 12, 6, 0xabcu);
}

static void test_zero_and_precision_zero(void **state)
{
	(void)state;
	check("[%.0d] [%.0i] [%.0u] [%.0x] [%.0o]", 0, 0, 0u, 0u, 0u);
	check("[%5.0d] [%-5.0d] [%+.0d] [% .0d]", 0, 0, 0, 0);
	check("[%#.0x] [%#.0o] [%#x] [%#o] [%#5x]", 0u, 0u, 0u, 0u, 0u);
	check_any("[%.1d] [%05.0d] [%0d]", 0, 0, 0);
}

static void test_truncation_and_return(void **state)
{
	char buf[16];
	int n;

	(void)state;
	memset(buf, 'X', sizeof(buf));
	n = ksnprintf(buf, 5, "%d-%s", 12345, "abc");
	assert_int_equal(n, 9);
	assert_string_equal(buf, "1234");
	assert_int_equal(buf[5], 'X');

	memset(buf, 'X', sizeof(buf));
	n = ksnprintf(buf, 1, "anything %d", 7);
	assert_int_equal(n, 10);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'X');

	memset(buf, 'X', sizeof(buf));
	n = ksnprintf(buf, 0, "%s", "not written");
	assert_int_equal(n, 11);
	assert_int_equal(buf[0], 'X');
	assert_int_equal(ksnprintf(NULL, 0, "%08x%s", 1u, "abc"), 11);

	n = ksnprintf(buf, sizeof(buf), "%s", "exactly 15 char");
	assert_int_equal(n, 15);
	assert_string_equal(buf, "exactly 15 char");
	n = ksnprintf(buf, sizeof(buf), "%s", "exactly 16 chars");
	assert_int_equal(n, 16);
	assert_string_equal(buf, "exactly 16 char");
}

static void test_unknown_conversion_and_trailing_percent(void **state)
{
	char buf[32];

	(void)state;
	// Not C: the kernel prints an unknown conversion as written, and a lone '%' at the end as
	// nothing. Neither may consume an argument or run past the format.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
	assert_int_equal(ksnprintf(buf, sizeof(buf), "a%qb%d", 5), 5);
	assert_string_equal(buf, "a%qb5");
	assert_int_equal(ksnprintf(buf, sizeof(buf), "end%"), 3);
	assert_string_equal(buf, "end");
	assert_int_equal(ksnprintf(buf, sizeof(buf), "end%-08"), 3);
	assert_string_equal(buf, "end");
#pragma GCC diagnostic pop
}

static void test_big_mixed(void **state)
{
	(void)state;
	check("%s=%#010llx (%+d, %-6u|%5.2s|%c|%%|%o|%p)", "reg", 0xdeadbeefcafeULL, -3, 17u, "xyz", 'Q', 8u,
	      (void *)0x1000);
	assert_true(checks > 0);
}

static void test_kprintf_to_console(void **state)
{
	char big[700];
	int n;

	(void)state;
	console_reset();
	n = kprintf("boot %s: %d MiB\n", "ok", 64);
	assert_int_equal(n, 16);
	assert_string_equal(console_buf, "boot ok: 64 MiB\n");
	// Longer than the internal buffer: what is written is a prefix; the length is the full one.
	console_reset();
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	n = kprintf("%s!", big);
	assert_int_equal(n, 700);
	assert_true(console_len > 0 && console_len < 700);
	for (size_t i = 0; i < console_len; i++)
		assert_int_equal(console_buf[i], 'y');
}

static void test_klog_levels(void **state)
{
	(void)state;
	// The default level is LOG_INFO (runs first, before anything changes it).
	console_reset();
	klog(LOG_DEBUG, "hidden %d\n", 1);
	assert_int_equal(console_len, 0);
	klog(LOG_INFO, "shown %d\n", 2);
	assert_string_equal(console_buf, "exo: shown 2\n");

	console_reset();
	klog(LOG_WARN, "disk %s\n", "slow");
	klog(LOG_ERROR, "disk %s\n", "gone");
	assert_string_equal(console_buf, "exo: warning: disk slow\nexo: error: disk gone\n");

	klog_set_level(LOG_WARN);
	console_reset();
	klog(LOG_DEBUG, "no\n");
	klog(LOG_INFO, "no\n");
	assert_int_equal(console_len, 0);
	assert_int_equal(console_writes, 0);
	klog(LOG_WARN, "yes\n");
	assert_string_equal(console_buf, "exo: warning: yes\n");

	klog_set_level(LOG_ERROR);
	console_reset();
	klog(LOG_WARN, "no\n");
	klog(LOG_ERROR, "%d%%\n", 99);
	assert_string_equal(console_buf, "exo: error: 99%\n");

	klog_set_level(LOG_DEBUG);
	console_reset();
	klog(LOG_DEBUG, "x=%#x\n", 255u);
	assert_string_equal(console_buf, "exo: debug: x=0xff\n");
	klog_set_level(LOG_INFO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_klog_levels),
		cmocka_unit_test(test_plain_and_percent),
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_unsigned_hex_octal),
		cmocka_unit_test(test_length_modifiers),
		cmocka_unit_test(test_pointers),
		cmocka_unit_test(test_strings_and_chars),
		cmocka_unit_test(test_star_width_precision),
		cmocka_unit_test(test_zero_and_precision_zero),
		cmocka_unit_test(test_truncation_and_return),
		cmocka_unit_test(test_unknown_conversion_and_trailing_percent),
		cmocka_unit_test(test_big_mixed),
		cmocka_unit_test(test_kprintf_to_console),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
