// SPDX-License-Identifier: MIT
// Kernel-side view of the ABI error codes.
#pragma once

#include "../../abi/errno.h"
