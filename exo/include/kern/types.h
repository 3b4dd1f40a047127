// SPDX-License-Identifier: MIT
// Basic kernel types: physical/virtual addresses, on top of the helpers shared with user space.
#pragma once

#include <common/types.h>

typedef uint64_t paddr_t;
typedef uint64_t vaddr_t;
