// SPDX-License-Identifier: MIT
// Inside libos: the library OS every program links (POSIX on top of libexo's kernel calls). libos
// is built as one archive per component (core, mem, thread, time, file, console, proc, signal:
// see docs/libos.md); a program replaces a component by defining that component's functions itself.
#pragma once

#include <exo/bootinfo.h>
#include <exo/exo.h>
#include <exo/types.h>
#include <exo/upcall.h>
#include <libos/linux.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// The program's own ELF file header (the fields libos reads) and program headers, in memory from
// 4 MiB: the linker defines __ehdr_start.
struct libos_elf_header {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum;
};
struct libos_elf_phdr {
	uint32_t type, flags; // PT_LOAD 1; PF_X 1, PF_W 2, PF_R 4
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
extern const struct libos_elf_header __ehdr_start;

// Wired data: what the fault handler writes (its stack, the memory map's lock and frame pool,
// the signal actions and masks) and the stacks of threads without a fault handler. It lies in
// pages of its own ([__libos_wired_start, __libos_wired_end), toolchain/ld/user.ld) that a fork
// copies into the child at once; the rest of the program's data is copy-on-write, and a fault
// handler that hit a copy-on-write page of its own would be killed by the kernel.
#define LIBOS_WIRED __attribute__((section(".libos_wired")))
extern char __libos_wired_start[], __libos_wired_end[];

extern const struct exo_bootinfo *libos_boot; // what the program was started with
extern const char *libos_progname;            // argv[0]

// A lock for libos's own tables: threads that find it taken yield until it is free.
static inline void libos_lock(volatile int *lock)
{
	while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE))
		exo_thread_yield();
}

static inline void libos_unlock(volatile int *lock)
{
	__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n); // musl's, at link time
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
int strcmp(const char *a, const char *b);

// musl's system calls arrive here: Linux numbers and arguments, a Linux result (-errno).
long __libos_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);

// Copies n bytes between a program's buffer and libos: 0, or -EFAULT if the program's memory is
// not there (usercopy.S; the fault handler resumes it). libos_copy_str copies a NUL-terminated
// string of at most size bytes (NUL included): 0, -EFAULT, or -ENAMETOOLONG.
long libos_copy(void *dst, const void *src, size_t n);
long libos_copy_str(char *dst, const char *src, size_t size);
// Where usercopy.S's copy may fault, and where such a fault resumes.
extern const char libos_copy_begin[], libos_copy_end[], libos_copy_fault[];

// Writes "libos: " and a printf-formatted line to the kernel log (musl's vsnprintf into a stack
// buffer: no stdio lock, no malloc, so safe in a fault handler).
__attribute__((format(printf, 1, 2))) void libos_log(const char *fmt, ...);
// Like libos_log, but only the first time for kind (a string constant naming what failed): for a
// call that fails where Linux would succeed, so that the program's error has a reason in the log.
__attribute__((format(printf, 2, 3))) void libos_log_once(const char *kind, const char *fmt, ...);

// Ends the whole process with a message (a fatal fault, a broken invariant); status as the kernel
// reports it (EXO_STATUS_FAULT(vector) for faults).
__attribute__((format(printf, 2, 3))) _Noreturn void libos_die(long status, const char *fmt, ...);

// The kernel command line (cmdline.c): the program's arguments (the words after "--", %XX
// decoded; at most max; their storage is libos's), and the value of an option word NAME=VALUE
// before "--" (false if there is none).
int libos_cmdline_args(char **argv, int max);
bool libos_cmdline_option(const char *name, char *value, size_t size);

// The program entry, from crt1.S's _start with the boot information and main (core/start.c).
void _start_c(uint64_t arg, int (*main)(int argc, char **argv, char **envp)) __attribute__((noreturn));
// Component start-up, called in this order by the program entry before main.
void libos_mem_init(void);
void libos_console_init(bool files); // files: fds 0-2 on the console (not after an exec: passed)
