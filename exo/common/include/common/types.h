// SPDX-License-Identifier: MIT
// Types and helpers of the code the kernel and user space both compile (exo/common): fixed-width
// integers, the page size of x86-64, alignment and attribute macros. Freestanding.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1ul << PAGE_SHIFT)
#define PAGE_MASK  (PAGE_SIZE - 1)

#define ALIGN_UP(x, a)   (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)        ((a) < (b) ? (a) : (b))
#define MAX(a, b)        ((a) > (b) ? (a) : (b))

#define KiB (1ul << 10)
#define MiB (1ul << 20)
#define GiB (1ul << 30)

#define __noreturn     __attribute__((noreturn))
#define __printf(f, a) __attribute__((format(printf, f, a)))
#define __unused       __attribute__((unused))
#define __section(s)   __attribute__((section(s)))
#define __aligned(n)   __attribute__((aligned(n)))
#define __packed       __attribute__((packed))
