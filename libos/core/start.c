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

const struct exo_bootinfo *libos_boot;
static char program[] = "init";
static uint8_t random_bytes[16];
static long start_stack[] = {
	1,         (long)program, 0, // argc, argv[0], end of argv
	0,                           // end of envp (no variables yet)
	AT_PAGESZ, 4096,          AT_RANDOM, (long)random_bytes, AT_NULL, 0,
};

void _start_c(uint64_t arg)
{
	libos_boot = (const void *)arg;
	for (unsigned i = 0; i < sizeof(random_bytes); i++) // not secret: no entropy source yet
		random_bytes[i] = (uint8_t)(exo_clock_ns() >> (i % 8));
	__libc_start_main(main, (int)start_stack[0], (char **)&start_stack[1], 0, 0, 0);
	for (;;)
		exo_exit(127);
}
