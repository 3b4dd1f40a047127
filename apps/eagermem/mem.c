// SPDX-License-Identifier: MIT
// An application's own libos memory component (it replaces libos-mem.a, see docs/libos.md):
// an eager arena. Every mmap takes the next addresses of a fixed arena and is backed by frames
// at once, allocated and mapped 512 at a time, so the program never takes a page fault after
// mmap returns - what a latency-sensitive program wants, at the price of memory it may never
// touch. Addresses are never reused, there is no brk heap (musl's malloc then uses mmap) and the
// main stack does not grow: any fault ends the program with a message.
#include <libos/mem.h>

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

// Backs [va, va + pages * EXO_PAGE_SIZE) with fresh frames; -ENOMEM (and nothing left mapped) on failure.
static long back(uint64_t va, uint64_t pages, long prot)
{
	static uint64_t frames[BATCH];
	static struct exo_map_op ops[BATCH];

	for (uint64_t done = 0; done < pages;) {
		uint64_t n = pages - done < BATCH ? pages - done : BATCH;
		long mapped;

		if (exo_frame_alloc(libos_boot->quota, n, frames) != (long)n) {
			libos_munmap(va, done * EXO_PAGE_SIZE);
			return -ENOMEM;
		}
		for (uint64_t i = 0; i < n; i++)
			ops[i] = (struct exo_map_op){
				frames[i], va + (done + i) * EXO_PAGE_SIZE, rights(prot) | EXO_MAP_MOVE
			}; // the mappings take the frames
		mapped = exo_vspace_map(libos_boot->self, ops, n);
		for (uint64_t i = mapped > 0 ? (uint64_t)mapped : 0; i < n; i++)
			exo_cap_delete(frames[i]); // those not mapped
		if (mapped != (long)n) {
			libos_munmap(va, done * EXO_PAGE_SIZE +
			                     (mapped > 0 ? (uint64_t)mapped * EXO_PAGE_SIZE : 0));
			return -ENOMEM;
		}
		done += n;
	}
	return 0;
}

long libos_mmap(uint64_t addr, uint64_t len, long prot, long flags, long fd, long off)
{
	uint64_t pages = (len + EXO_PAGE_SIZE - 1) / EXO_PAGE_SIZE, va;
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
	if (pages > (ARENA_BASE + ARENA_LIMIT - va) / EXO_PAGE_SIZE) {
		libos_unlock(&arena_lock);
		return -ENOMEM;
	}
	arena_next +=
	    pages * EXO_PAGE_SIZE + EXO_PAGE_SIZE; // an unmapped page between mappings catches overruns
	// PROT_NONE reserves addresses only (musl's thread stacks start so, then mprotect).
	err = prot ? back(va, pages, prot) : 0;
	libos_unlock(&arena_lock);
	return err ? err : (long)va;
}

static void each_chunk(uint64_t addr, uint64_t len, long prot, int unmap)
{
	for (uint64_t va = addr; va < addr + len; va += BATCH * EXO_PAGE_SIZE) {
		uint64_t n = (addr + len - va + EXO_PAGE_SIZE - 1) / EXO_PAGE_SIZE;

		n = n < BATCH ? n : BATCH;
		if (unmap)
			exo_vspace_unmap_range(libos_boot->self, va, n);
		else
			exo_vspace_protect_range(libos_boot->self, va, n, rights(prot));
	}
}

long libos_munmap(uint64_t addr, uint64_t len)
{
	if ((addr & (EXO_PAGE_SIZE - 1)) || !len)
		return -EINVAL;
	each_chunk(addr, len, 0, 1);
	return 0;
}

// Pages reserved with PROT_NONE are backed when they are first made accessible; pages already
// backed change protection (PROT_NONE unmaps them: a page cannot be mapped inaccessible).
long libos_mprotect(uint64_t addr, uint64_t len, long prot)
{
	long err = 0;

	if ((addr & (EXO_PAGE_SIZE - 1)) || addr < ARENA_BASE || addr + len > arena_next)
		return -EINVAL;
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -EACCES;
	libos_lock(&arena_lock);
	if (!prot)
		each_chunk(addr, len, 0, 1);
	else
		for (uint64_t va = addr; va < addr + len && !err; va += EXO_PAGE_SIZE)
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

// Shrinks in place; grows by moving (MREMAP_MAYMOVE) to a new readable, writable mapping, as
// musl's realloc wants it.
long libos_mremap(uint64_t old, uint64_t old_len, uint64_t new_len, long flags, uint64_t new_addr)
{
	uint64_t old_size = (old_len + EXO_PAGE_SIZE - 1) & ~(EXO_PAGE_SIZE - 1),
	         size = (new_len + EXO_PAGE_SIZE - 1) & ~(EXO_PAGE_SIZE - 1);
	long at;

	(void)new_addr;
	if ((old & (EXO_PAGE_SIZE - 1)) || !old_len || !new_len || (flags & ~(long)MREMAP_MAYMOVE))
		return -EINVAL;
	if (old < ARENA_BASE || old + old_size > arena_next)
		return -EFAULT;
	if (size <= old_size) {
		if (size < old_size)
			libos_munmap(old + size, old_size - size);
		return (long)old;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	at = libos_mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (at >= 0) {
		memcpy((void *)at, (const void *)old, old_size);
		libos_munmap(old, old_size);
	}
	return at;
}

// Every page of the arena counts as there: mappings are backed by mmap (PROT_NONE reservations
// count too).
long libos_mincore(uint64_t addr, uint64_t len, uint8_t *vec)
{
	static const uint8_t ones[64] = { [0 ... 63] = 1 };
	uint64_t pages = (len + EXO_PAGE_SIZE - 1) / EXO_PAGE_SIZE;

	if (addr & (EXO_PAGE_SIZE - 1))
		return -EINVAL;
	if (addr < ARENA_BASE || addr + pages * EXO_PAGE_SIZE > arena_next)
		return -ENOMEM;
	for (uint64_t i = 0; i < pages; i += 64)
		if (libos_copy(vec + i, ones, pages - i < 64 ? pages - i : 64))
			return -EFAULT;
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

void *libos_mem_main_handler_top(void)
{
	return fault_stack + sizeof(fault_stack);
}

long libos_mem_map_wired(uint64_t len)
{
	return libos_mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

// An eager arena does not fork: it would have to copy every page (fork says ENOSYS).
long libos_mem_fork(uint64_t child, uint64_t wired, uint64_t wired_pages)
{
	(void)child, (void)wired, (void)wired_pages;
	return -ENOSYS;
}

void libos_mem_fork_child(uint64_t keep_wired)
{
	(void)keep_wired;
}

// An exec'd image of this program does not take over shared memory: none is passed to it.
long libos_mem_adopt_shared(uint64_t at, uint64_t len)
{
	(void)at, (void)len;
	return -EINVAL;
}

// No process-shared futexes: futexes stay within the process.
uint64_t libos_mem_shared_ntfn(uint64_t addr)
{
	(void)addr;
	return 0;
}

long libos_mem_fork_shared(uint64_t child, void (*note)(uint64_t parent, uint64_t child, void *ctx),
                           void *ctx)
{
	(void)child, (void)note, (void)ctx;
	return 0;
}

void libos_mem_fork_translate(uint64_t (*xlat)(uint64_t parent, void *ctx), void *ctx)
{
	(void)xlat, (void)ctx;
}
