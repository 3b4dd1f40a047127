// SPDX-License-Identifier: MIT
// A tiny module built with `gcc -shared -fPIC -nostdlib` by tests/fuzz/build.mk: the seed of the
// fuzz corpus and the check that libexo/modelf.c accepts what the real toolchain produces. It
// carries every relocation type the loader supports: RELATIVE (greetings), 64 against an import
// (hello_print), GLOB_DAT (hello_count, exported data used by PIC code) and JUMP_SLOT (calls).
#include <exo/libexo.h>
#include <exo/modelf.h>

EXO_MODULE_NOTE("hello", 1, 0, "hello", "hello.echo");

static const char *const greetings[] = { "hello", "bonjour" };
int (*hello_print)(const char *fmt, ...) = exo_printf;
unsigned long hello_count;

int exo_module_init(uint64_t arg)
{
	exo_printf("%s\n", greetings[arg & 1]);
	hello_count = 0;
	return 0;
}

int exo_module_serve(uint64_t ep)
{
	struct exo_msg m;

	for (;;) {
		m.tag = 0;
		if (exo_recv(ep, &m) < 0)
			return hello_print("hello: recv failed\n");
		hello_count++;
		exo_reply(&m);
	}
}

int exo_module_quiesce(void)
{
	return 0;
}
