// SPDX-License-Identifier: MIT
// The fixture the syscalls_*.c programs share (one program per kernel object, each checking its
// calls' success cases with their effect and every error path): quotas, worker threads of this
// process, child roles, fault probes, and the set-up and tear-down cases around the tests.
#ifndef TESTS_QEMU_LIB_SYSCALLS_H
#define TESTS_QEMU_LIB_SYSCALLS_H

#include "testlib.h"

#define E(name) (-EXO_##name)

// ---- addresses ----
#define KADDR     0xffffffff80200000ull // the kernel image
#define KADDR2    0xffff800000000000ull // start of the kernel half (physmap)
#define NONCANON  0x0000800000000000ull // first non-canonical address
#define NONCANON2 0x8000000000000000ull
#define USER_TOP  0x00007ffffffff000ull // first address above user space (arch/usercopy.h)
#define UNMAPPED  0x0000000500000000ull // never mapped by these programs

// Scratch mappings of the tests: one page each, well away from the program (4 MiB), libexo's
// spawn scratch areas (0x0ff000000000, 0x100000000000) and the stack.
#define VA(n)         (0x0000000200000000ull + (uint64_t)(n)*EXO_PAGE_SIZE)
#define STACKS        0x0000000300000000ull
#define STACK_PAGES   4
#define NSTACKS       4
#define STACK_TOP(i)  (STACKS + ((uint64_t)(i) + 1) * (STACK_PAGES + 1) * EXO_PAGE_SIZE) // a guard page each
#define CHILD_CODE_VA 0x400000ull

// Thread states as cap_info reports them in b (the ABI's EXO_THREAD_*).
enum {
	TS_INACTIVE = EXO_THREAD_INACTIVE,
	TS_RUNNABLE = EXO_THREAD_RUNNABLE,
	TS_RUNNING = EXO_THREAD_RUNNING,
	TS_BLOCKED = EXO_THREAD_SLEEPING,
	TS_WAIT_IRQ = EXO_THREAD_WAIT_IRQ,
	TS_THROTTLED = EXO_THREAD_THROTTLED,
	TS_IPC_SEND = EXO_THREAD_IPC_SEND,
	TS_IPC_RECV = EXO_THREAD_IPC_RECV,
	TS_IPC_REPLY = EXO_THREAD_IPC_REPLY,
	TS_NTFN_WAIT = EXO_THREAD_NTFN_WAIT,
	TS_SUSPENDED = EXO_THREAD_SUSPENDED,
};

// Message labels of the IPC tests.
enum { L_PLAIN = 5, L_CALL = 6, L_STOP = 7, L_REPLY = 0x77 };

// Child roles: main(arg) with arg < 4096 in a spawned copy of the program.
enum { CHILD_EXIT42 = 1, CHILD_FAULT = 2, CHILD_SLEEP = 3, CHILD_EXIT_CALL = 4, CHILD_SPIN = 5 };

#define PERIOD 100 // ticks of a timeslice period (TIMESLICE_PERIOD of kern/timeslice.h)

extern const struct exo_bootinfo *bi;
extern uint64_t tq;            // split quota for the frames of the tests
extern uint64_t cq;            // split quota for the spawned children
extern const uint64_t ro_word; // in .rodata: read-only for kernel writes

// ---- the program ----
// main of a syscalls_*.c program: a child role if arg < 4096, else the named cases, which
// start with SYSCALLS_UP (the quotas, stacks and the upcall handler) and end with SYSCALLS_DOWN
// (everything must be back); cases after it use only init's own quota.
int syscalls_main(uint64_t arg, const char *program, const struct test_case *cases, unsigned n);
void syscalls_up(void);
void syscalls_down(void);
#define SYSCALLS_UP                   \
	{                             \
		"set-up", syscalls_up \
	}
#define SYSCALLS_DOWN                      \
	{                                  \
		"tear-down", syscalls_down \
	}

// ---- kernel calls in one ----
long set_buffer(uint64_t page);
struct exo_cap_info info_of(uint64_t h); // type EXO_OBJ_NONE if cap_info fails
long map1(uint64_t process, uint64_t frame, uint64_t va, uint64_t prot);
long unmap1(uint64_t process, uint64_t va);
long protect1(uint64_t process, uint64_t frame, uint64_t va, uint64_t prot);
// vspace_unmap_range with the argument list of vspace_protect_range (prot unused).
long unmap_range(unsigned long process, unsigned long va, unsigned long pages, unsigned long prot);
uint64_t alloc1(uint64_t quota);
uint64_t map_fresh(uint64_t va); // a fresh frame of tq mapped read-write at va; its handle
void unmap_free(uint64_t va, uint64_t f);
long spawn(uint64_t role, uint64_t *p, uint64_t *t); // a copy of this program in role, quota cq

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint64_t read_fs0(void)
{
	uint64_t v;

	__asm__ volatile("movq %%fs:0, %0" : "=r"(v)::"memory");
	return v;
}

// ---- fault probes ----
// Leaf functions whose faults the upcall handler turns into a return (rax = 0) with the fault
// recorded in probe. probe_call runs code at an address; a fault on that address itself (execute
// on a non-executable page) is caught the same way. faults_*: 1 if the access faulted.
struct probe {
	volatile int faulted;
	volatile uint64_t vector, error, addr;
	volatile uint64_t target; // probe_call's target
	volatile int upcall_return_checked;
};

extern struct probe probe;
extern char upcall_stack[16384];
void upcall_handler(struct exo_fault *f);
int faults_read(uint64_t va);
int faults_write(uint64_t va, uint64_t v);
int faults_inb(uint16_t port);
int faults_call(uint64_t fn, long *ret);

// ---- threads of this process ----
// Each runs worker_entry on its own stack (STACK_TOP(i)) with a struct worker, and ends with
// thread_destroy of its own handle.
enum {
	W_SET,
	W_SPIN,
	W_SUSPEND_SELF,
	W_RESUME,
	W_IRQ_WAIT,
	W_FS,
	W_SLEEP,
	W_NTFN_WAIT,
	W_NTFN_WAIT_DELETE,
	W_SERVER,
	W_CALLER,
	W_RECV_HOLD
};

struct worker {
	uint64_t self; // its thread capability
	int role;
	uint64_t target;
	volatile long flag;
	volatile long counter;
	volatile int stop;
	volatile long result, result2;
	// IPC: the thread's buffer page and grant window; what it received.
	uint64_t buf, window, window_pages;
	struct exo_msg msg;
	uint64_t got_caps[EXO_MSG_MAX_CAPS];
	uint64_t words[8]; // payload words 4..11
	struct exo_grant grant;
};

void worker_entry(uint64_t arg);
long start_worker(struct worker *w, int role, uint64_t prio, int stack);
// Lets lower or equal priority threads run until *flag reaches want (at most ~2 s).
int wait_flag(volatile long *flag, long want);

#endif
