// SPDX-License-Identifier: MIT
// libexo: the user side of the kernel interface - generated call stubs (<exo/exo.h>), the ABI
// records, program start-up and a few helpers for programs that run directly on the kernel
// (init, services, kernel tests). POSIX programs use libos instead.
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <exo/bootinfo.h>
#include <exo/exo.h>
#include <exo/ipc.h>
#include <exo/types.h>
#include <exo/upcall.h>

// Formats (kernel printf subset: flags, width, precision, hh h l ll z, d i u x X o p s c) and
// writes to the kernel console. Returns the formatted length.
int exo_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int exo_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

// The program's entry point, called by crt0 with the value its first thread got in rdi: for
// init, the address of its struct exo_bootinfo (EXO_BOOTINFO_ADDR); for a spawned process,
// the spawner's argument. The result is the exit status.
int main(uint64_t arg);

// IPC (libexo/ipc.S; the message format is in exo/ipc.h). Each returns 0 or -EXO_E*.
long exo_send(exo_endpoint_t ep, const struct exo_msg *m);
long exo_call(exo_endpoint_t ep, struct exo_msg *m); // m: the request, then the reply
long exo_recv(exo_endpoint_t ep, struct exo_msg *m); // m->tag: flags in; the message out
long exo_reply(const struct exo_msg *m);
long exo_reply_recv(exo_endpoint_t ep, struct exo_msg *m); // m: the reply, then the next message

// Starts a process from the ELF executable in a boot module (as init received it): validates it,
// copies its segments into fresh frames charged to quota, gives it a stack and starts one thread
// at priority prio with rdi = arg. self: the caller's own PROCESS capability (for the scratch
// mappings). On success *process and *thread name the new process and its thread.
long exo_spawn(uint64_t self, uint64_t quota, const struct exo_boot_module *m, const char *name,
               uint64_t prio, uint64_t arg, uint64_t *process, uint64_t *thread);
// exo_spawn's first part: the process (with a capability table of slots, 0: the usual) and its
// thread, not started. The caller equips it, then starts the thread at *entry with
// exo_thread_start(*thread, *entry, EXO_INIT_STACK_TOP, arg). An ELF file the validator refuses
// gives -EXO_EINVAL and the reason in why.
long exo_spawn_inactive(uint64_t self, uint64_t quota, const struct exo_boot_module *m, const char *name,
                        uint64_t slots, uint64_t prio, uint64_t *process, uint64_t *thread, uint64_t *entry,
                        char *why, size_t whysize);
// Maps a fresh frame of quota at va in process child with prot, holding len (<= 4096) bytes of
// src (filled through a scratch mapping in self).
long exo_child_page(uint64_t self, uint64_t quota, uint64_t child, uint64_t va, uint64_t prot,
                    const void *src, size_t len);

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
