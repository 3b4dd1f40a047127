// SPDX-License-Identifier: MIT
// Program start under libos: the kernel (or the spawner) enters _start with the boot information
// in rdi. libos keeps it (its capabilities are the process's resources), starts its components
// (memory map and fault handler, clocks, boot files, current directory), lays out what musl's
// start-up reads - argc, argv (exorun's argument file, or the kernel command line after "--"),
// the environment (exorun's environment file, or a default one) and the auxiliary vector (AT_PHDR
// for musl's TLS set-up, AT_RANDOM, ids; no AT_SYSINFO_EHDR: there is no vDSO), in one writable
// array as a Linux initial stack would hold them - starts the console and hands over to musl's
// __libc_start_main, which sets up TLS (through arch_prctl, i.e. libos), runs constructors, main
// and exit. crt1.o passes main: the reference that makes the linker take main from an archive too.
#include <libos/file.h>
#include <libos/libos.h>
#include <libos/mem.h>
#include <libos/proc.h>
#include <libos/signal.h>
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

const struct exo_bootinfo *libos_boot;
const char *libos_progname = "init";
static char program[] = "init";
static uint8_t random_bytes[16];
static const char default_env[] = "HOME=/\0PATH=/bin:/usr/bin\0TERM=dumb\0LANG=C"; // NUL-ended each
// exorun looks for this mark to tell a program built for exo from a Linux one.
__attribute__((used)) static const char mark[] = "exo libos program";
#define NAUX     16
#define ARGS     "/boot/exorun.args" // exorun's: the arguments, each ending in a NUL
#define ENV      "/boot/exorun.env"  // exorun's: the environment, each string ending in a NUL
#define MAX_ARGS 32                  // from the kernel command line

// Strings, each ending in a NUL, one after the other.
struct strings {
	const char *data;
	uint64_t size;
	int n;
};

static struct strings strings_of(const char *data, uint64_t size)
{
	struct strings s = { data, size, 0 };

	for (uint64_t i = 0; i < size; i++)
		s.n += data[i] == 0;
	return s;
}

// What an exec left (NULL: the program was started by exorun or the kernel).
static const struct libos_exec_args *exec_args(void)
{
	return libos_boot->args ? (const struct libos_exec_args *)libos_boot->args : NULL;
}

// The first n strings of an exec's block from *at, which moves past them.
static struct strings exec_strings(const char **at, uint64_t n)
{
	struct strings s = { *at, 0, (int)n };

	for (uint64_t i = 0; i < n; i++)
		s.size += __builtin_strlen(*at + s.size) + 1;
	*at += s.size;
	return s;
}

static const struct libos_passed_file *exec_files(const struct libos_exec_args *ea)
{
	return (const void *)(((uint64_t)(ea + 1) + ea->strings + 7) & ~7ull);
}

// Before anything is mapped: the shared memory an exec passed (pipes) is where it was.
static void exec_adopt(const struct libos_exec_args *ea)
{
	for (uint64_t i = 0; ea && i < ea->nfiles; i++)
		if (exec_files(ea)[i].kind == LIBOS_PASS_PIPE)
			libos_mem_adopt_shared(exec_files(ea)[i].a, exec_files(ea)[i].off);
}

// After the start: the exec's descriptors, signals, umask and directory; its block goes.
static void exec_finish(const struct libos_exec_args *ea)
{
	if (!ea)
		return;
	libos_file_import(exec_files(ea), (long)ea->nfiles);
	libos_signal_exec_init(ea->sigign, ea->sigmask);
	libos_rlimits_set(ea->rlimits);
	libos_umask((long)ea->umask);
	if (ea->cwd[0])
		libos_chdir(ea->cwd);
	exo_vspace_unmap_range(libos_boot->self, LIBOS_EXEC_ARGS,
	                       (libos_boot->args_size + EXO_PAGE_SIZE - 1) / EXO_PAGE_SIZE);
}

// The arguments: an exec's, exorun's argument file if there is one, else the words after "--"
// on the kernel command line (copied into buf), else "init".
static struct strings arguments(char *buf)
{
	char *cmdline[MAX_ARGS];
	const uint8_t *file;
	uint64_t size = 0;
	int n;

	if (exec_args()) {
		const char *at = (const char *)(exec_args() + 1);

		return exec_strings(&at, exec_args()->argc);
	}
	if (libos_bootfs_contents(ARGS, &file, &size) == 0)
		return strings_of((const char *)file, size);
	n = libos_cmdline_args(cmdline, MAX_ARGS);
	if (!n)
		return (struct strings){ program, sizeof(program), 1 };
	for (int i = 0; i < n; i++) {
		memcpy(buf + size, cmdline[i], __builtin_strlen(cmdline[i]) + 1);
		size += __builtin_strlen(cmdline[i]) + 1;
	}
	return strings_of(buf, size);
}

// Copies the strings to *at and points vector[0..n) at them; *at moves past them.
static void place(const struct strings *s, char **at, char **vector)
{
	memcpy(*at, s->data, s->size);
	for (int i = 0; i < s->n; i++) {
		vector[i] = *at;
		*at += __builtin_strlen(*at) + 1;
	}
}

// The arguments and the environment in memory of their own (programs may write to them): the
// strings first, then the vector for argc, argv, envp and auxv. Returns argv; *envp is set.
static char **start_vector(int *argc, char ***envp)
{
	char cmdline[sizeof(libos_boot->cmdline) + MAX_ARGS], *s, **argv;
	const uint8_t *file;
	uint64_t size = 0, strings, need;
	struct strings args = arguments(cmdline), env = { default_env, sizeof(default_env), 4 };
	long at;

	if (exec_args()) {
		const char *at = (const char *)(exec_args() + 1);

		exec_strings(&at, exec_args()->argc);
		env = exec_strings(&at, exec_args()->envc);
	} else if (libos_bootfs_contents(ENV, &file, &size) == 0) {
		env = strings_of((const char *)file, size);
	}
	strings = (args.size + env.size + 7) & ~7ull;
	need = strings + 8 + (uint64_t)(1 + args.n + 1 + env.n + 1 + 2 * NAUX) * sizeof(long);
	at = libos_mmap(0, need, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (at < 0)
		libos_die(127, "no memory for %d arguments and %d environment strings (%lu bytes)", args.n,
		          env.n, (unsigned long)need);
	s = (char *)at;
	argv = (char **)(at + (long)strings) + 1;
	*envp = argv + args.n + 1;
	place(&args, &s, argv);
	place(&env, &s, *envp);
	*argc = args.n;
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
	char **argv, **envp;
	long *p;
	int argc;

	libos_boot = (const void *)arg;
	for (unsigned i = 0; i < sizeof(random_bytes); i++) // not secret: no entropy source yet
		random_bytes[i] = (uint8_t)(exo_clock_ns() >> (i % 8));
	libos_mem_init();
	exec_adopt(exec_args());
	libos_mem_thread_init(NULL);
	libos_time_init();
	libos_bootfs_init();
	libos_cwd_init();
	argv = start_vector(&argc, &envp);
	libos_progname = argv[0];
	p = (long *)argv - 1;
	*p++ = argc;
	p += argc;
	*p++ = 0;  // end of argv
	while (*p) // the environment is in place; its end is still 0
		p++;
	p++;
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
	libos_console_init(!exec_args());
	exec_finish(exec_args());
	__libc_start_main(main, argc, argv, 0, 0, 0);
	for (;;)
		exo_exit(127);
}
