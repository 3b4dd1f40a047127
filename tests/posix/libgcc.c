// SPDX-License-Identifier: MIT
// libgcc: code gcc compiles into calls to libgcc - 128-bit division and remainder (__udivti3,
// __umodti3, __divti3), population count without POPCNT (__popcountdi2) - links and computes
// the same as on Linux. The operands come from argc, so nothing is folded at compile time.
#include "check.h"

static void print_u128(const char *what, unsigned __int128 v)
{
	printf("%s %016llx%016llx\n", what, (unsigned long long)(v >> 64), (unsigned long long)v);
}

int main(int argc, char **argv)
{
	(void)argv;
	unsigned __int128 a = ((unsigned __int128)0x0123456789abcdefull << 64) | 0xfedcba9876543210ull;
	unsigned long long b = 0xf0f0f0f0f0f0f0f0ull * (unsigned)argc + 7;
	__int128 s = -(__int128)a / 3 * argc;

	CHECK(a / b * b + a % b == a);
	print_u128("udiv", a / b);
	print_u128("umod", a % b);
	print_u128("sdiv", (unsigned __int128)(s / (__int128)(b >> 3)));
	print_u128("smod", (unsigned __int128)(s % (__int128)(b >> 3)));
	printf("popcount %d %d\n", __builtin_popcountll(b), __builtin_popcountll(b * argc - 8));
	printf("clz %d ctz %d\n", __builtin_clzll(b), __builtin_ctzll(b - 7));
	return 0;
}
