// SPDX-License-Identifier: MIT
// Program start under libos: the kernel (or the spawner) enters _start with the boot information
// in rdi. libos keeps it (its capabilities are the process's resources), starts its components
// (memory map and fault handler, clocks, boot files, current directory), lays out what musl's
// start-up reads - argc, argv (exorun's argument file, or the kernel command line after "--"), a
// default environment and the auxiliary vector (AT_PHDR for musl's TLS set-up, AT_RANDOM, ids;
// no AT_SYSINFO_EHDR: there is no vDSO), in one array as a Linux initial stack would hold them -
// starts the console and hands over to musl's __libc_start_main, which sets up TLS (through
// arch_prctl, i.e. libos), runs constructors, main and exit. crt1.o passes main: the reference
// that makes the linker take main from an archive too.
#include <libos/file.h>
#include <libos/mem.h>
#include <libos/time.h>

typedef int main_fn(int argc, char **argv, char **envp);
int __libc_start_main(main_fn *main, int argc, char **argv, void (*init)(void), void (*fini)(void),
                      void (*ldso)(void));
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
#define NENV     (sizeof(environment) / sizeof(environment[0]) - 1)
#define NAUX     16
#define ARGS     "/boot/exorun.args" // exorun's: the arguments, each ending in a NUL
#define MAX_ARGS 32                  // from the kernel command line

// The arguments in memory of their own (programs may write to them): exorun's argument file if
// there is one, else the words after "--" on the kernel command line, else "init". The
// argument strings come first, then the vector for argc, argv, envp and auxv (argv points into it).
static char **arguments(int *argc)
{
	char *cmdline[MAX_ARGS];
	const uint8_t *file = NULL;
	uint64_t size = 0, strings, need;
	long at;
	char *s, **argv;

	if (libos_bootfs_contents(ARGS, &file, &size) == 0) {
		*argc = 0;
		for (uint64_t i = 0; i < size; i++)
			*argc += file[i] == 0;
	} else if (!(*argc = libos_cmdline_args(cmdline, MAX_ARGS))) {
		cmdline[(*argc)++] = program;
	}
	for (int i = 0; !file && i < *argc; i++)
		size += __builtin_strlen(cmdline[i]) + 1;
	need = size + 8 + (uint64_t)(1 + *argc + 1 + NENV + 1 + 2 * NAUX) * sizeof(long);
	at = libos_mmap(0, need, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (at < 0)
		libos_die(127, "no memory for %d arguments (%lu bytes)", *argc, (unsigned long)need);
	strings = (size + 7) & ~7ull;
	s = (char *)at;
	argv = (char **)(at + (long)strings) + 1;
	for (int i = 0; i < *argc; i++) {
		const char *from = file ? (const char *)file : cmdline[i];
		size_t n = __builtin_strlen(from) + 1;

		memcpy(s, from, n);
		argv[i] = s;
		s += n;
		if (file)
			file += n;
	}
	return argv;
}

static long *aux(long *p, long type, long value)
{
	p[0] = type;
	p[1] = value;
	return p + 2;
}

void _start_c(uint64_t arg, main_fn *main)
{
	char **argv;
	long *p;
	int argc;

	libos_boot = (const void *)arg;
	for (unsigned i = 0; i < sizeof(random_bytes); i++) // not secret: no entropy source yet
		random_bytes[i] = (uint8_t)(exo_clock_ns() >> (i % 8));
	libos_mem_init();
	libos_mem_thread_init(NULL);
	libos_time_init();
	libos_bootfs_init();
	libos_cwd_init();
	argv = arguments(&argc);
	libos_progname = argv[0];
	p = (long *)argv - 1;
	*p++ = argc;
	p += argc;
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
	p = aux(p, AT_EXECFN, (long)argv[0]);
	aux(p, AT_NULL, 0);
	libos_console_init();
	__libc_start_main(main, argc, argv, 0, 0, 0);
	for (;;)
		exo_exit(127);
}
