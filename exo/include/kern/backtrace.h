// SPDX-License-Identifier: MIT
// Symbolic frame-pointer backtraces from the kernel's own symbol table (generated at link time).
#pragma once

#include <kern/types.h>

// Writes "name+0xoff" for addr (or "?" when outside the kernel text) into buf.
void backtrace_symbol(uint64_t addr, char *buf, size_t size);
// Prints the frames starting at rip, following the rbp chain while it stays on mapped kernel memory.
void backtrace_print(uint64_t rip, uint64_t rbp);
