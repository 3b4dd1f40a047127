// SPDX-License-Identifier: MIT
// Loading a module into a process of its own (user space, with kernel calls only): libexo.so is
// mapped at EXO_LIBEXO_BASE, the module at EXO_MODULE_BASE, both relocated, the module's imports
// bound to libexo.so's exports, and one thread started in exo_module_entry. Used by the module
// manager; the images are read from memory the caller has mapped (e.g. boot module frames).
#pragma once

#include <exo/module.h>

#define EXO_LIBEXO_BASE   0x7e0000000000ull
#define EXO_MODULE_BASE   0x10000000ull
#define EXO_MODULE_START  0x7fffffd00000ull // the struct exo_module_start page
#define EXO_MODULE_STACK  0x7ffffff00000ull // top of the module's stack
#define EXO_MODULE_STACK_PAGES 16

struct exo_image {
	const void *data; // the ELF file, mapped readable in the caller
	uint64_t size;
	const char *name; // for messages ("counter.so")
};

struct exo_loaded_module {
	uint64_t process, thread; // capabilities in the caller's table
	struct exo_modelf elf;    // what the module's image said (name, version, services)
};

// Loads mod with lib as libexo.so into a new process charged to quota, scratch mappings at
// scratch (a free, page-aligned range of the caller as large as the biggest image) in self.
// env: the module's environment as the caller sees it (handles in the caller's table: quota,
// service, arg, state); the loader copies the capabilities into the module and fixes the
// handles. prio: the thread's priority. Returns 0, or -EXO_E* with a one-line reason in err.
long exo_module_load(uint64_t self, uint64_t quota, uint64_t scratch, const struct exo_image *lib,
                     const struct exo_image *mod, const struct exo_module_env *env, uint64_t prio,
                     struct exo_loaded_module *out, char *err, size_t errsize);
