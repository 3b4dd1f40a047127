// SPDX-License-Identifier: MIT
// The memory component (libos-mem.a): the process's address-space map. Anonymous mappings and
// the brk heap are reserved here and filled on first touch by the fault upcall (demand paging);
// the main stack grows down the same way.
#pragma once

#include <libos/libos.h>

long libos_mmap(uint64_t addr, uint64_t len, long prot, long flags, long fd, long off);
long libos_munmap(uint64_t addr, uint64_t len);
long libos_mprotect(uint64_t addr, uint64_t len, long prot);
long libos_madvise(uint64_t addr, uint64_t len, long advice);
long libos_brk(uint64_t addr);
long libos_mremap(uint64_t old, uint64_t old_len, uint64_t new_len, long flags, uint64_t new_addr);
long libos_mincore(uint64_t addr, uint64_t len, uint8_t *vec);

// Installs the calling thread's fault handler on a stack of its own (each thread calls it once).
void libos_mem_thread_init(void *handler_stack_top);

// From the fault handler: fills the page at addr if the address-space map allows the access
// (error: the CPU's page-fault error code). 0 when it did; else why not (a SIGSEGV).
const char *libos_mem_fill(uint64_t addr, uint64_t error);
// Whether addr lies in a mapping (SIGSEGV's si_code: SEGV_ACCERR, else SEGV_MAPERR).
int libos_mem_mapped(uint64_t addr);

// fork (libos/proc/fork.c): libos_mem_fork gives the child process the address space - the
// program's data and the wired pages [wired, + wired_pages pages) (the forking thread's fault
// stack, if it is not in the data) copied, anonymous memory, heap and stacks copy-on-write,
// MAP_SHARED memory shared - with batched kernel calls. 0 or an error. In the child,
// libos_mem_fork_child forgets what was only the parent's (its frame pool, the other threads'
// wired stacks: all but the one containing keep_wired).
long libos_mem_fork(uint64_t child, uint64_t wired, uint64_t wired_pages);
void libos_mem_fork_child(uint64_t keep_wired);
// exec: the new image takes [at, at + len) - MAP_SHARED memory its maker already shared into it
// (a pipe's) - into its map before anything else is mapped. 0 or -EINVAL.
long libos_mem_adopt_shared(uint64_t at, uint64_t len);
// Futexes across processes: the notification of the MAP_SHARED region addr lies in (0: none).
// fork gives the child copies of these notifications (libos_mem_fork_shared, noting each pair)
// and the child takes its handles (libos_mem_fork_translate: the parent's -> the child's).
uint64_t libos_mem_shared_ntfn(uint64_t addr);
long libos_mem_fork_shared(uint64_t child, void (*note)(uint64_t parent, uint64_t child, void *ctx),
                           void *ctx);
void libos_mem_fork_translate(uint64_t (*xlat)(uint64_t parent, void *ctx), void *ctx);
// Reserves len bytes of wired memory (mapped now, never shared with a child): a fault-handler
// stack. Its address, or -ENOMEM.
long libos_mem_map_wired(uint64_t len);
// The top of the main thread's fault-handler stack.
void *libos_mem_main_handler_top(void);
