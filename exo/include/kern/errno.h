// SPDX-License-Identifier: MIT
// Kernel-side view of the ABI constants (error codes, object types, rights), generated from
// exo/abi/exo.abi into $(BUILD)/gen/exo/exo.h.
#pragma once

#ifndef EXO_KERNEL
#define EXO_KERNEL
#endif
#include <exo/exo.h>
