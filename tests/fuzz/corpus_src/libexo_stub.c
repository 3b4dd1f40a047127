// SPDX-License-Identifier: MIT
// A stand-in libexo.so for linking the corpus modules: it gives them their DT_NEEDED entry
// ("libexo.so", via -soname) and defines the imports, which the loader resolves at load time.
#include <exo/libexo.h>

int exo_printf(const char *fmt, ...)
{
	(void)fmt;
	return 0;
}

long exo_recv(uint64_t ep, struct exo_msg *m)
{
	(void)ep;
	(void)m;
	return -1;
}

long exo_reply(const struct exo_msg *m)
{
	(void)m;
	return 0;
}
