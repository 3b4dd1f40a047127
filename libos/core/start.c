// SPDX-License-Identifier: MIT
// Program start under libos: the kernel (or the spawner) enters _start with the boot information
// in rdi. libos keeps it (its capabilities are the process's resources), lays out what musl's
// start-up reads - argc, argv, a default environment and the auxiliary vector (AT_PHDR for
// musl's TLS set-up, AT_RANDOM, ids; no AT_SYSINFO_EHDR: there is no vDSO), in one array as a
// Linux initial stack would hold them - starts its components (memory map and fault handler,
// console) and hands over to musl's __libc_start_main, which sets up TLS (through arch_prctl,
// i.e. libos), runs constructors, main and exit.
#include <libos/file.h>
#include <libos/mem.h>
#include <libos/time.h>

int main(int argc, char **argv, char **envp);
int __libc_start_main(int (*main)(int, char **, char **), int argc, char **argv, void (*init)(void),
                      void (*fini)(void), void (*ldso)(void));
void _start(void);

enum {
	AT_NULL = 0,
	AT_PHDR = 3,
	AT_PHENT = 4,
	AT_PHNUM = 5,
	AT_PAGESZ = 6,
	AT_BASE = 7,
	AT_FLAGS = 8,
	AT_ENTRY = 9,
	AT_UID = 11,
	AT_EUID = 12,
	AT_GID = 13,
	AT_EGID = 14,
	AT_HWCAP = 16,
	AT_CLKTCK = 17,
	AT_SECURE = 23,
	AT_RANDOM = 25,
	AT_EXECFN = 31
};

#define MAX_ARGS 32

struct elf_header { // the fields of the ELF64 file header libos reads
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum;
};
extern const struct elf_header __ehdr_start; // the linker's: the program's own ELF header

const struct exo_bootinfo *libos_boot;
const char *libos_progname = "init";
static char program[] = "init";
static uint8_t random_bytes[16];
static char *environment[] = { "HOME=/", "PATH=/bin:/usr/bin", "TERM=dumb", "LANG=C", NULL };
#define NENV (sizeof(environment) / sizeof(environment[0]) - 1)
#define NAUX 16
// argc, argv[0..argc), NULL, envp, NULL, then the auxiliary vector - as on a Linux stack.
static long start_stack[1 + MAX_ARGS + 1 + NENV + 1 + 2 * NAUX];

static long *aux(long *p, long type, long value)
{
	p[0] = type;
	p[1] = value;
	return p + 2;
}

void _start_c(uint64_t arg)
{
	long *p;
	int argc;

	libos_boot = (const void *)arg;
	for (unsigned i = 0; i < sizeof(random_bytes); i++) // not secret: no entropy source yet
		random_bytes[i] = (uint8_t)(exo_clock_ns() >> (i % 8));
	argc = libos_cmdline_args((char **)&start_stack[1], MAX_ARGS);
	if (!argc) // booted without "--": a program as init
		start_stack[1 + argc++] = (long)program;
	libos_progname = (const char *)start_stack[1];
	start_stack[0] = argc;
	p = &start_stack[1 + argc];
	*p++ = 0; // end of argv
	for (unsigned i = 0; i < NENV; i++)
		*p++ = (long)environment[i];
	*p++ = 0; // end of envp
	p = aux(p, AT_PHDR, (long)&__ehdr_start + (long)__ehdr_start.phoff);
	p = aux(p, AT_PHENT, __ehdr_start.phentsize);
	p = aux(p, AT_PHNUM, __ehdr_start.phnum);
	p = aux(p, AT_PAGESZ, 4096);
	p = aux(p, AT_BASE, 0);
	p = aux(p, AT_FLAGS, 0);
	p = aux(p, AT_ENTRY, (long)_start);
	p = aux(p, AT_UID, 0);
	p = aux(p, AT_EUID, 0);
	p = aux(p, AT_GID, 0);
	p = aux(p, AT_EGID, 0);
	p = aux(p, AT_CLKTCK, 100);
	p = aux(p, AT_SECURE, 0);
	p = aux(p, AT_RANDOM, (long)random_bytes);
	p = aux(p, AT_EXECFN, start_stack[1]);
	aux(p, AT_NULL, 0);
	libos_mem_init();
	libos_mem_thread_init(NULL);
	libos_time_init();
	libos_bootfs_init();
	libos_cwd_init();
	libos_console_init();
	__libc_start_main(main, argc, (char **)&start_stack[1], 0, 0, 0);
	for (;;)
		exo_exit(127);
}
