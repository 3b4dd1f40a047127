// SPDX-License-Identifier: MIT
// An application's own libos memory component (it replaces libos-mem.a, see docs/libos.md):
// an eager arena. Every mmap takes the next addresses of a fixed arena and is backed by frames
// at once, allocated and mapped 512 at a time, so the program never takes a page fault after
// mmap returns - what a latency-sensitive program wants, at the price of memory it may never
// touch. Addresses are never reused, there is no brk heap (musl's malloc then uses mmap) and the
// main stack does not grow: any fault ends the program with a message.
#include <libos/mem.h>

#define PAGE        4096ull
#define ARENA_BASE  0x200000000000ull
#define ARENA_LIMIT (1ull << 36) // 64 GiB of addresses
#define BATCH       EXO_MAP_BATCH_MAX

const uint64_t eagermem_arena = ARENA_BASE; // main.c checks its memory comes from here
static uint64_t arena_next = ARENA_BASE;
static volatile int arena_lock;
static uint8_t fault_stack[16384] __attribute__((aligned(16)));

static uint64_t rights(long prot)
{
	return EXO_R_READ | (prot & PROT_WRITE ? EXO_R_WRITE : 0) | (prot & PROT_EXEC ? EXO_R_EXEC : 0);
}

// Backs [va, va + pages * PAGE) with fresh frames; -ENOMEM (and nothing left mapped) on failure.
static long back(uint64_t va, uint64_t pages, long prot)
{
	static uint64_t frames[BATCH];
	static struct exo_map_op ops[BATCH];

	for (uint64_t done = 0; done < pages;) {
		uint64_t n = pages - done < BATCH ? pages - done : BATCH;
		long mapped;

		if (exo_frame_alloc(libos_boot->quota, n, frames) != (long)n) {
			libos_munmap(va, done * PAGE);
			return -ENOMEM;
		}
		for (uint64_t i = 0; i < n; i++)
			ops[i] = (struct exo_map_op){ frames[i], va + (done + i) * PAGE,
				                      rights(prot) | EXO_MAP_MOVE }; // the mappings take the frames
		mapped = exo_vspace_map(libos_boot->self, ops, n);
		for (uint64_t i = mapped > 0 ? (uint64_t)mapped : 0; i < n; i++)
			exo_cap_delete(frames[i]); // those not mapped
		if (mapped != (long)n) {
			libos_munmap(va, done * PAGE + (mapped > 0 ? (uint64_t)mapped * PAGE : 0));
			return -ENOMEM;
		}
		done += n;
	}
	return 0;
}

long libos_mmap(uint64_t addr, uint64_t len, long prot, long flags, long fd, long off)
{
	uint64_t pages = (len + PAGE - 1) / PAGE, va;
	long err;

	(void)addr; // hints are ignored; MAP_FIXED is not offered by this component
	if (!len || off || (flags & MAP_FIXED))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS) || fd != -1)
		return -ENODEV;
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -EACCES;
	libos_lock(&arena_lock);
	va = arena_next;
	if (pages > (ARENA_BASE + ARENA_LIMIT - va) / PAGE) {
		libos_unlock(&arena_lock);
		return -ENOMEM;
	}
	arena_next += pages * PAGE + PAGE; // an unmapped page between mappings catches overruns
	// PROT_NONE reserves addresses only (musl's thread stacks start so, then mprotect).
	err = prot ? back(va, pages, prot) : 0;
	libos_unlock(&arena_lock);
	return err ? err : (long)va;
}

static void each_chunk(uint64_t addr, uint64_t len, long prot, int unmap)
{
	for (uint64_t va = addr; va < addr + len; va += BATCH * PAGE) {
		uint64_t n = (addr + len - va + PAGE - 1) / PAGE;

		n = n < BATCH ? n : BATCH;
		if (unmap)
			exo_vspace_unmap_range(libos_boot->self, va, n);
		else
			exo_vspace_protect_range(libos_boot->self, va, n, rights(prot));
	}
}

long libos_munmap(uint64_t addr, uint64_t len)
{
	if ((addr & (PAGE - 1)) || !len)
		return -EINVAL;
	each_chunk(addr, len, 0, 1);
	return 0;
}

// Pages reserved with PROT_NONE are backed when they are first made accessible; pages already
// backed change protection (PROT_NONE unmaps them: a page cannot be mapped inaccessible).
long libos_mprotect(uint64_t addr, uint64_t len, long prot)
{
	long err = 0;

	if ((addr & (PAGE - 1)) || addr < ARENA_BASE || addr + len > arena_next)
		return -EINVAL;
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -EACCES;
	libos_lock(&arena_lock);
	if (!prot)
		each_chunk(addr, len, 0, 1);
	else
		for (uint64_t va = addr; va < addr + len && !err; va += PAGE)
			if (exo_vspace_protect_range(libos_boot->self, va, 1, rights(prot)) == 0)
				err = back(va, 1, prot); // not backed yet
	libos_unlock(&arena_lock);
	return err;
}

// The pages stay (eager); DONTNEED's promise that they read as zero is kept by clearing them.
long libos_madvise(uint64_t addr, uint64_t len, long advice)
{
	if (advice == MADV_DONTNEED && addr >= ARENA_BASE && addr + len <= arena_next)
		memset((void *)addr, 0, len);
	return 0;
}

long libos_brk(uint64_t addr)
{
	(void)addr;
	return 0; // no brk heap: musl's malloc falls back to mmap
}

static void on_fault(struct exo_fault *f)
{
	libos_die(EXO_STATUS_FAULT(f->vector), "'%s' (eager memory) killed: fault %lu at 0x%lx rip 0x%lx",
	          libos_progname, (unsigned long)f->vector, (unsigned long)f->addr,
	          (unsigned long)f->regs.rip);
}

void libos_mem_init(void)
{
}

void libos_mem_thread_init(void *handler_stack_top)
{
	exo_upcall_set((void *)on_fault,
	               handler_stack_top ? handler_stack_top : fault_stack + sizeof(fault_stack));
}
