// SPDX-License-Identifier: MIT
// Inside libos: the library OS every program links (POSIX on top of libexo's kernel calls).
#pragma once

#include <exo/bootinfo.h>
#include <exo/exo.h>
#include <exo/types.h>
#include <stddef.h>
#include <stdint.h>

extern const struct exo_bootinfo *libos_boot; // what the program was started with

void *memcpy(void *restrict dst, const void *restrict src, size_t n); // musl's, at link time

// musl's system calls arrive here: Linux numbers and arguments, a Linux result (-errno).
long __libos_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
