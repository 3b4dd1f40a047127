// SPDX-License-Identifier: MIT
// Kernel virtual memory layout (shared by C and assembly).
#pragma once

#define KERNEL_PHYS 0x200000
#define KERNEL_VMA  0xffffffff80000000
#define KSTACK_SIZE (16 * 1024)

// Thread kernel stacks (kstack.c), each with a guard page below it.
#define KSTACK_BASE 0xffffe00000000000

// Window for mappings of device registers and firmware tables (mmio_map).
#define MMIO_BASE 0xffffc00000000000
#define MMIO_SIZE 0x0000004000000000
