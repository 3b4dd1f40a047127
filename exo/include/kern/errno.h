// SPDX-License-Identifier: MIT
// Kernel-side view of the ABI constants (error codes, object types, rights, the page), generated from
// exo/abi/exo.abi into $(BUILD)/gen/exo/exo.h.
#pragma once

#ifndef EXO_KERNEL
#define EXO_KERNEL
#endif
#include <exo/exo.h>
#include <kern/types.h>

_Static_assert(PAGE_SIZE == EXO_PAGE_SIZE && PAGE_SHIFT == EXO_PAGE_SHIFT, "the kernel's page is the ABI's");
