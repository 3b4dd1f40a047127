# SPDX-License-Identifier: MIT
# Host unit tests (cmocka): included by the top-level Makefile, which builds every test T from
# $(T_SRCS) with $(T_CFLAGS) added to the common flags. This file only appends to variables.

UNIT_SUPPORT_SRCS := tests/unit/support/physmem.c tests/unit/support/panic.c

UNIT_TESTS += frame_test
frame_test_SRCS := tests/unit/exo/core/frame_test.c exo/core/frame.c $(UNIT_SUPPORT_SRCS)
frame_test_CFLAGS :=

UNIT_TESTS += pagetable_test
pagetable_test_SRCS := tests/unit/exo/arch/x86_64/pagetable_test.c exo/arch/x86_64/pagetable.c \
	exo/core/frame.c $(UNIT_SUPPORT_SRCS) tests/unit/support/tlb.c
pagetable_test_CFLAGS :=

UNIT_TESTS += heap_test
heap_test_SRCS := tests/unit/exo/core/heap_test.c exo/core/heap.c exo/core/frame.c $(UNIT_SUPPORT_SRCS)
heap_test_CFLAGS :=

UNIT_TESTS += printf_test
printf_test_SRCS := tests/unit/exo/lib/printf_test.c exo/lib/printf.c exo/common/printf.c \
	tests/unit/support/console.c
printf_test_CFLAGS :=

# The kernel's string functions have libc's names: rename them so the test compares the kernel's.
UNIT_TESTS += string_test
string_test_SRCS := tests/unit/exo/common/string_test.c exo/common/string.c
string_test_CFLAGS := -fno-builtin -Dmemcpy=kmemcpy -Dmemmove=kmemmove -Dmemset=kmemset \
	-Dmemcmp=kmemcmp -Dstrlen=kstrlen -Dstrnlen=kstrnlen -Dstrcmp=kstrcmp -Dstrncmp=kstrncmp \
	-Dstrchr=kstrchr -Dstrlcpy=kstrlcpy

# The ELF validator formats its errors with ksnprintf; libc provides memcpy and friends.
UNIT_TESTS += elf_test
elf_test_SRCS := tests/unit/exo/common/elf_test.c exo/common/elf.c exo/common/elf64.c exo/common/printf.c
elf_test_CFLAGS :=

# Capability tables over the real heap (simulated physical memory); pthread runs the deep-chain
# operations on a small stack.
UNIT_TESTS += cap_test
cap_test_SRCS := tests/unit/exo/core/cap_test.c exo/core/cap.c exo/core/heap.c exo/core/frame.c $(UNIT_SUPPORT_SRCS)
cap_test_CFLAGS :=

# Address spaces and quotas together: real page tables, heap, frames and capability tables.
UNIT_TESTS += vspace_test
vspace_test_SRCS := tests/unit/exo/core/vspace_test.c exo/core/vspace.c exo/core/quota.c \
	exo/arch/x86_64/pagetable.c exo/core/cap.c exo/core/heap.c exo/core/frame.c \
	$(UNIT_SUPPORT_SRCS) tests/unit/support/tlb.c
vspace_test_CFLAGS :=

# The module loader core (libexo): parse, plan, relocate and look up ET_DYN modules built in
# memory; ksnprintf formats its errors, libc provides memcpy and friends.
UNIT_TESTS += modelf_test
modelf_test_SRCS := tests/unit/libexo/modelf_test.c libexo/modelf.c exo/common/elf64.c exo/common/printf.c
modelf_test_CFLAGS := -Ilibexo/include

# libos's address-space map; the kernel calls it makes are simulated by the test.
UNIT_TESTS += map_test
map_test_SRCS := tests/unit/libos/mem/map_test.c libos/mem/map.c
map_test_CFLAGS := -Ilibos/include -Ilibexo/include

# libos's path names and current directory.
UNIT_TESTS += path_test
path_test_SRCS := tests/unit/libos/file/path_test.c libos/file/path.c
path_test_CFLAGS := -Ilibos/include -Ilibexo/include

# The module side of the module protocol: its receive wrappers over simulated IPC.
UNIT_TESTS += module_entry_test
module_entry_test_SRCS := tests/unit/libexo/module_entry_test.c libexo/module_entry.c
module_entry_test_CFLAGS := -Ilibexo/include

# The intrusive list of exo/common (header-only); its checks fail through the support panic().
UNIT_TESTS += list_test
list_test_SRCS := tests/unit/exo/common/list_test.c tests/unit/support/panic.c
list_test_CFLAGS :=

# The dispatch gen-proto generates, on the services' definitions: hostile requests never reach a
# handler (the generated headers come from toolchain/mk/proto.mk).
UNIT_TESTS += dispatch_test
dispatch_test_SRCS := tests/unit/proto/dispatch_test.c
dispatch_test_CFLAGS := -Ilibexo/include
