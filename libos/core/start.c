// SPDX-License-Identifier: MIT
// Program start under libos: the kernel (or the spawner) enters _start with the boot information
// in rdi. libos keeps it (its capabilities are the process's resources), lays out what musl's
// start-up reads - argc, argv, envp and the auxiliary vector, in one array as a Linux initial
// stack would hold them - and hands over to musl's __libc_start_main, which sets up TLS (through
// arch_prctl, i.e. libos), runs constructors, main and exit.
#include <libos/libos.h>

int main(int argc, char **argv, char **envp);
int __libc_start_main(int (*main)(int, char **, char **), int argc, char **argv, void (*init)(void),
                      void (*fini)(void), void (*ldso)(void));

#define AT_NULL   0
#define AT_PAGESZ 6
#define AT_RANDOM 25

#define MAX_ARGS 32

const struct exo_bootinfo *libos_boot;
static char program[] = "init";
static char cmdline[sizeof(((struct exo_bootinfo *)0)->cmdline)];
static uint8_t random_bytes[16];
// argc, argv[0..argc), NULL, envp (empty), NULL, then the auxiliary vector.
static long start_stack[1 + MAX_ARGS + 1 + 1 + 6];

// Is s the start of a word "--" in line?
static int is_separator(const char *line, const char *s)
{
	return s[0] == '-' && s[1] == '-' && (s[2] == ' ' || !s[2]) && (s == line || s[-1] == ' ');
}

// argv: the words after " -- " on the kernel command line (exorun puts the program's command
// there), else just "init".
static int arguments(long *argv)
{
	const char *line = libos_boot->cmdline, *s = line;
	int argc = 0;

	while (*s && !is_separator(line, s))
		s++;
	if (*s) {
		memcpy(cmdline, s + 2, sizeof(cmdline) - (size_t)(s + 2 - line));
		cmdline[sizeof(cmdline) - 1] = 0;
	}
	for (char *p = cmdline; *p && argc < MAX_ARGS;) {
		while (*p == ' ')
			*p++ = 0;
		if (!*p)
			break;
		argv[argc++] = (long)p;
		while (*p && *p != ' ')
			p++;
	}
	if (!argc)
		argv[argc++] = (long)program;
	return argc;
}

void _start_c(uint64_t arg)
{
	long *p;
	int argc;

	libos_boot = (const void *)arg;
	for (unsigned i = 0; i < sizeof(random_bytes); i++) // not secret: no entropy source yet
		random_bytes[i] = (uint8_t)(exo_clock_ns() >> (i % 8));
	argc = arguments(&start_stack[1]);
	start_stack[0] = argc;
	p = &start_stack[1 + argc];
	*p++ = 0; // end of argv
	*p++ = 0; // end of envp
	*p++ = AT_PAGESZ, *p++ = 4096, *p++ = AT_RANDOM, *p++ = (long)random_bytes, *p++ = AT_NULL, *p = 0;
	__libc_start_main(main, argc, (char **)&start_stack[1], 0, 0, 0);
	for (;;)
		exo_exit(127);
}
