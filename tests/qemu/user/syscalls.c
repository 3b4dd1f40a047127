// SPDX-License-Identifier: MIT
// Every kernel call of exo/abi/exo.abi, its success case with the effect verified and each error
// path of its handler (exo/core/sys_*.c, irq.c, ioport.c, upcall.c, timeslice.c, notify.c,
// endpoint.c). Run as init (twice, see tests/qemu/ktests/init_test.c): main returns the number of
// failed checks, and everything it creates is deleted and every child reaped, so the kernel's
// exact frame accounting holds. Checks marked KERNEL BUG (CHECK_BUG) document bugs this test found;
// they fail until the kernel is fixed. main(arg) with arg < 4096 is a child role (this program
// spawns itself).
#include <exo/libexo.h>

// ---------------------------------------------------------------------------------------------
// Checks

static int failures;

#define CHECK(e)                                                                         \
	do {                                                                             \
		if (!(e)) {                                                              \
			failures++;                                                      \
			exo_printf("%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #e); \
		}                                                                        \
	} while (0)

#define CHECK_EQ(a, b)                                                                                       \
	do {                                                                                                 \
		long _a = (long)(a), _b = (long)(b);                                                         \
		if (_a != _b) {                                                                              \
			failures++;                                                                          \
			exo_printf("%s:%d: CHECK_EQ failed: %s == %s: %ld (%#lx) != %ld (%#lx)\n", __FILE__, \
			           __LINE__, #a, #b, _a, (unsigned long)_a, _b, (unsigned long)_b);          \
		}                                                                                            \
	} while (0)

// A check that documents a kernel bug this test found: it fails until the kernel is fixed.
#define CHECK_BUG(e, what)                                                                        \
	do {                                                                                      \
		if (!(e)) {                                                                       \
			failures++;                                                               \
			exo_printf("%s:%d: KERNEL BUG: %s (%s)\n", __FILE__, __LINE__, what, #e); \
		}                                                                                 \
	} while (0)

#define E(name) (-EXO_##name)

// ---------------------------------------------------------------------------------------------
// Addresses

#define KADDR     0xffffffff80200000ull // the kernel image
#define KADDR2    0xffff800000000000ull // start of the kernel half (physmap)
#define NONCANON  0x0000800000000000ull // first non-canonical address
#define NONCANON2 0x8000000000000000ull
#define USER_TOP  0x00007ffffffff000ull // first address above user space (arch/usercopy.h)
#define UNMAPPED  0x0000000500000000ull // never mapped by this program

// Scratch mappings of this test: one page each, well away from the program (4 MiB), libexo's
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

// Child roles: main(arg) with arg < 4096 in a spawned copy of this program.
enum { CHILD_EXIT42 = 1, CHILD_FAULT = 2, CHILD_SLEEP = 3, CHILD_EXIT_CALL = 4, CHILD_SPIN = 5 };

#define PERIOD 100 // ticks of a timeslice period (TIMESLICE_PERIOD of kern/timeslice.h)

static const struct exo_bootinfo *bi;
static uint64_t tq; // split quota for the frames of the tests
static uint64_t cq; // split quota for the spawned children
static uint64_t stack_frames[NSTACKS * STACK_PAGES];
static const uint64_t ro_word = 0x1234; // in .rodata: read-only for kernel writes

// A kernel call by number. The argument registers are in/out: a call that delivers an IPC message
// returns it in them.
static long raw_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                        uint64_t a5)
{
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = a4;
	register uint64_t r9 __asm__("r9") = a5;
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret), "+D"(a0), "+S"(a1), "+d"(a2), "+r"(r10), "+r"(r8), "+r"(r9)
	                 : "a"(nr)
	                 : "rcx", "r11", "memory");
	return ret;
}

static long set_buffer(uint64_t page)
{
	return exo_ipc_set_buffer((void *)page);
}

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

static struct exo_cap_info info_of(uint64_t h)
{
	struct exo_cap_info i;

	memset(&i, 0xee, sizeof(i));
	if (exo_cap_info(h, &i) != 0)
		i.type = EXO_OBJ_NONE;
	return i;
}

static uint64_t used_of(uint64_t quota)
{
	return info_of(quota).b;
}

static long map1(uint64_t process, uint64_t frame, uint64_t va, uint64_t prot)
{
	struct exo_map_op op = { frame, va, prot };

	return exo_vspace_map(process, &op, 1);
}

static long unmap1(uint64_t process, uint64_t va)
{
	return exo_vspace_unmap(process, &va, 1);
}

static long protect1(uint64_t process, uint64_t frame, uint64_t va, uint64_t prot)
{
	struct exo_map_op op = { frame, va, prot };

	return exo_vspace_protect(process, &op, 1);
}

static uint64_t alloc1(uint64_t quota)
{
	unsigned long h = 0;
	long r = exo_frame_alloc(quota, 1, &h);

	CHECK_EQ(r, 1);
	return h;
}

// A fresh frame of tq mapped read-write at va; returns its handle.
static uint64_t map_fresh(uint64_t va)
{
	uint64_t f = alloc1(tq);

	CHECK_EQ(map1(bi->self, f, va, EXO_R_READ | EXO_R_WRITE), 1);
	return f;
}

static void unmap_free(uint64_t va, uint64_t f)
{
	CHECK_EQ(unmap1(bi->self, va), 1);
	CHECK_EQ(exo_cap_delete(f), 0);
}

static void sleep_ms(uint64_t ms)
{
	exo_thread_sleep((uint64_t)exo_clock_ns() + ms * 1000000);
}

// ---------------------------------------------------------------------------------------------
// Fault probes: leaf functions whose faults the upcall handler turns into a return (rax = 0)
// with the fault recorded. probe_call runs code at an address; a fault on that address itself
// (execute on a non-executable page) is caught the same way.

long probe_read(uint64_t addr);
long probe_write(uint64_t addr, uint64_t value);
long probe_inb(uint64_t port);
long probe_call(uint64_t fn);
extern char probe_start[], probe_end[];

__asm__(".pushsection .text\n"
        ".globl probe_start, probe_end, probe_read, probe_write, probe_inb, probe_call\n"
        "probe_start:\n"
        "probe_read: movq (%rdi), %rax\n ret\n"
        "probe_write: movq %rsi, (%rdi)\n xor %eax, %eax\n ret\n"
        "probe_inb: mov %edi, %edx\n xor %eax, %eax\n inb %dx, %al\n ret\n"
        "probe_end:\n"
        "probe_call: call *%rdi\n ret\n"
        ".popsection\n");

static struct {
	volatile int faulted;
	volatile uint64_t vector, error, addr;
	volatile uint64_t target; // probe_call's target
	volatile int upcall_return_checked;
} probe;

static char upcall_stack[16384] __attribute__((aligned(16)));

static void upcall_handler(struct exo_fault *f)
{
	uint64_t rip = f->regs.rip;

	if ((rip >= (uint64_t)probe_start && rip < (uint64_t)probe_end) ||
	    (probe.target && rip == probe.target)) {
		probe.faulted = 1;
		probe.vector = f->vector;
		probe.error = f->error;
		probe.addr = f->addr;
		if (!probe.upcall_return_checked) {
			struct exo_fault bad = *f;

			probe.upcall_return_checked = 1;
			CHECK_EQ(exo_upcall_return(NULL), E(EFAULT));
			CHECK_EQ(exo_upcall_return((void *)KADDR), E(EFAULT));
			CHECK_EQ(exo_upcall_return((void *)NONCANON), E(EFAULT));
			CHECK_EQ(exo_upcall_return((void *)UNMAPPED), E(EFAULT));
			bad.regs.rip = KADDR;
			CHECK_EQ(exo_upcall_return(&bad), E(EINVAL));
			bad.regs.rip = 0;
			CHECK_EQ(exo_upcall_return(&bad), E(EINVAL));
			bad.regs.rip = NONCANON;
			CHECK_EQ(exo_upcall_return(&bad), E(EINVAL));
		}
		// Return from the probe as its ret would: the return address is on top of the stack.
		f->regs.rip = *(uint64_t *)f->regs.rsp;
		f->regs.rsp += 8;
		f->regs.rax = 0;
		exo_upcall_return(f);
		exo_printf("syscalls: upcall_return failed\n");
		exo_exit(101);
	}
	exo_printf("syscalls: unexpected fault: vector %lu error %#lx addr %#lx rip %#lx\n",
	           (unsigned long)f->vector, (unsigned long)f->error, (unsigned long)f->addr,
	           (unsigned long)rip);
	exo_exit(100);
}

static int faults_read(uint64_t va)
{
	probe.faulted = 0;
	probe_read(va);
	return probe.faulted;
}

static int faults_write(uint64_t va, uint64_t v)
{
	probe.faulted = 0;
	probe_write(va, v);
	return probe.faulted;
}

static int faults_inb(uint16_t port)
{
	probe.faulted = 0;
	probe_inb(port);
	return probe.faulted;
}

static int faults_call(uint64_t fn, long *ret)
{
	long r;

	probe.faulted = 0;
	probe.target = fn;
	r = probe_call(fn);
	probe.target = 0;
	if (ret)
		*ret = r;
	return probe.faulted;
}

// ---------------------------------------------------------------------------------------------
// Threads of this process: each runs worker_entry on its own stack (STACK_TOP(i)) with a
// struct worker, and ends with thread_destroy of its own handle.

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

static void worker_entry(uint64_t arg)
{
	struct worker *w = (struct worker *)arg;

	switch (w->role) {
	case W_SET:
		w->flag = 1;
		break;
	case W_SPIN:
		while (!w->stop) {
			w->counter++;
			exo_thread_yield();
		}
		w->flag = 1;
		break;
	case W_SUSPEND_SELF:
		w->flag = 1;
		w->result = exo_thread_suspend(w->self);
		w->flag = 2;
		break;
	case W_RESUME:
		w->flag = 1;
		w->result = exo_thread_resume(w->target);
		w->flag = 2;
		break;
	case W_IRQ_WAIT:
		w->flag = 1;
		w->result = exo_irq_wait(w->target);
		w->flag = 2;
		break;
	case W_FS:
		w->result = exo_set_fs_base(w->target);
		w->counter = (long)read_fs0();
		w->flag = 1;
		exo_thread_yield();
		w->result2 = (long)read_fs0();
		w->flag = 2;
		break;
	case W_NTFN_WAIT:
		w->flag = 1;
		w->result = exo_notify_wait(w->target);
		w->flag = 2;
		break;
	case W_NTFN_WAIT_DELETE: // deletes the notification as soon as it woke (same timer tick)
		w->flag = 1;
		w->result = exo_notify_wait(w->target);
		w->result2 = exo_cap_delete(w->target);
		w->flag = 2;
		break;
	case W_SERVER: { // receives until L_STOP; answers L_CALL (w0 + 1, the caller's badge in w1)
		struct exo_ipc_buffer *b = (struct exo_ipc_buffer *)w->buf;
		struct exo_msg m = { 0 };
		long r;

		w->result2 = set_buffer(w->buf);
		b->recv_window = w->window;
		b->recv_window_pages = w->window_pages;
		w->flag = 1;
		r = exo_recv(w->target, &m);
		while (r == 0) {
			w->counter++;
			w->msg = m;
			for (int i = 0; i < EXO_MSG_MAX_CAPS; i++)
				w->got_caps[i] = b->caps[i].handle;
			memcpy(w->words, &b->w[4], sizeof(w->words));
			w->grant = b->grant;
			if (EXO_TAG_LABEL(m.tag) == L_STOP)
				break;
			if (EXO_TAG_LABEL(m.tag) == L_CALL) {
				m.tag = EXO_TAG(L_REPLY, 2, 0);
				m.w[0]++;
				m.w[1] = m.badge;
				r = exo_reply_recv(w->target, &m);
			} else {
				m.tag = 0;
				r = exo_recv(w->target, &m);
			}
		}
		w->result = r;
		w->flag = 2;
		break;
	}
	case W_CALLER: {
		struct exo_msg m = { EXO_TAG(L_CALL, 1, 0), 0, { (uint64_t)w->counter, 0, 0, 0 } };

		w->flag = 1;
		w->result = exo_call(w->target, &m);
		w->msg = m;
		w->flag = 2;
		break;
	}
	case W_RECV_HOLD: { // receives one message and keeps the caller waiting (suspends itself)
		struct exo_msg m = { 0 };

		w->flag = 1;
		w->result = exo_recv(w->target, &m);
		w->msg = m;
		w->flag = 2;
		if (w->result == 0)
			exo_thread_suspend(w->self);
		break;
	}
	case W_SLEEP: {
		uint64_t t0 = (uint64_t)exo_clock_ns();

		w->flag = 1;
		w->result = exo_thread_sleep(t0 + 10ull * 1000000000);
		w->result2 = exo_clock_ns() - (long)t0;
		w->flag = 2;
		break;
	}
	}
	exo_thread_destroy(w->self);
	for (;;) // not reached: the thread is gone
		exo_printf("syscalls: worker survived thread_destroy\n");
}

static long start_worker(struct worker *w, int role, uint64_t prio, int stack)
{
	long t = exo_thread_create(bi->self, prio);
	long r;

	w->role = role;
	w->flag = 0;
	w->counter = 0;
	w->stop = 0;
	w->result = w->result2 = -1000;
	CHECK(t > 0);
	w->self = (uint64_t)t;
	r = exo_thread_start(w->self, (uint64_t)worker_entry, STACK_TOP(stack) - 8, (uint64_t)w);
	CHECK_EQ(r, 0);
	return t;
}

// Lets lower or equal priority threads run until *flag reaches want (at most ~2 s).
static int wait_flag(volatile long *flag, long want)
{
	for (int i = 0; i < 2000 && *flag != want; i++)
		sleep_ms(1);
	return *flag == want;
}

// ---------------------------------------------------------------------------------------------
// Children

static int child_main(uint64_t role)
{
	switch (role) {
	case CHILD_EXIT42:
		return 42;
	case CHILD_FAULT: {
		volatile uint64_t *volatile bad = (volatile uint64_t *)8;

		*bad = 1; // page 0: never mapped
		return 1;
	}
	case CHILD_SLEEP:
		for (;;)
			sleep_ms(1000);
	case CHILD_EXIT_CALL:
		exo_exit(-5);
		return 2;
	case CHILD_SPIN:
		for (;;)
			__asm__ volatile("" ::: "memory");
	}
	return 3;
}

static long spawn(uint64_t role, uint64_t *p, uint64_t *t)
{
	return exo_spawn(bi->self, cq, &bi->modules[0], "child", 16, role, p, t);
}

// Polls process_status until the process has ended (at most ~5 s).
static long wait_status(uint64_t p, long *status)
{
	long r = E(EAGAIN);

	for (int i = 0; i < 5000 && r == E(EAGAIN); i++) {
		r = exo_process_status(p, status);
		if (r == E(EAGAIN))
			sleep_ms(1);
	}
	return r;
}

// ---------------------------------------------------------------------------------------------
// The tests

static void test_null_debug_exit(void)
{
	static const char msg[] = "syscalls: debug_write ok\n";

	CHECK_EQ(exo_null(), 0);
	CHECK_EQ(exo_debug_write(msg, sizeof(msg) - 1), sizeof(msg) - 1);
	CHECK_EQ(exo_debug_write(msg, 0), 0);
	CHECK_EQ(exo_debug_write(NULL, 0), 0);
	CHECK_EQ(exo_debug_write(msg, 4097), E(EINVAL));
	CHECK_EQ(exo_debug_write(msg, ~0ul), E(EINVAL));
	CHECK_EQ(exo_debug_write(NULL, 1), E(EFAULT));
	CHECK_EQ(exo_debug_write((void *)KADDR, 16), E(EFAULT));
	CHECK_EQ(exo_debug_write((void *)KADDR2, 16), E(EFAULT));
	CHECK_EQ(exo_debug_write((void *)NONCANON, 16), E(EFAULT));
	CHECK_EQ(exo_debug_write((void *)NONCANON2, 16), E(EFAULT));
	CHECK_EQ(exo_debug_write((void *)UNMAPPED, 16), E(EFAULT));
	CHECK_EQ(exo_debug_write((void *)(USER_TOP - 8), 16), E(EFAULT));
	// Unknown call numbers.
	CHECK_EQ(raw_syscall(EXO_NSYSCALLS, 0, 0, 0, 0, 0, 0), E(ENOSYS));
	CHECK_EQ(raw_syscall(EXO_NSYSCALLS + 1, 1, 2, 3, 4, 5, 6), E(ENOSYS));
	CHECK_EQ(raw_syscall(1000, 0, 0, 0, 0, 0, 0), E(ENOSYS));
	CHECK_EQ(raw_syscall((uint64_t)-1, 0, 0, 0, 0, 0, 0), E(ENOSYS));
	CHECK_EQ(raw_syscall(1ull << 32, 0, 0, 0, 0, 0, 0), E(ENOSYS)); // not truncated to null
	CHECK_EQ(raw_syscall(1ull << 63, 0, 0, 0, 0, 0, 0), E(ENOSYS));
	// The raw path and the stub agree.
	CHECK_EQ(raw_syscall(EXO_SYS_null, 1, 2, 3, 4, 5, 6), 0);
}

static void test_cap_copy_mint_info(void)
{
	struct exo_cap_info qi = info_of(tq), ci;
	uint64_t r1, r2, b1, b2, f, k;
	long h;

	// cap_info on every kind of boot capability.
	CHECK_EQ(qi.type, EXO_OBJ_QUOTA);
	CHECK_EQ(qi.rights, EXO_R_ALL);
	CHECK_EQ(qi.badge, 0);
	CHECK_EQ(qi.a, 1024);
	CHECK_EQ(info_of(bi->self).type, EXO_OBJ_PROCESS);
	CHECK_EQ(info_of(bi->self).b, 0); // not exited
	CHECK_EQ(info_of(bi->thread).type, EXO_OBJ_THREAD);
	CHECK_EQ(info_of(bi->thread).b, TS_RUNNING);
	CHECK_EQ(info_of(bi->quota).type, EXO_OBJ_QUOTA);
	CHECK_EQ(info_of(bi->quota).a, bi->quota_frames);
	ci = info_of(bi->ioports);
	CHECK_EQ(ci.type, EXO_OBJ_IOPORT);
	CHECK_EQ(ci.a, 0);
	CHECK_EQ(ci.b, 65536);
	ci = info_of(bi->timeslice);
	CHECK_EQ(ci.type, EXO_OBJ_TIMESLICE);
	CHECK_EQ(ci.rights, EXO_R_ALL);
	CHECK_EQ(ci.a, PERIOD);
	ci = info_of(bi->mmio);
	CHECK_EQ(ci.type, EXO_OBJ_MMIO);
	CHECK_EQ(ci.a, 0);
	CHECK(ci.b > 0);
	CHECK(bi->nirqs >= 16);
	for (uint64_t i = 0; i < bi->nirqs; i++) {
		ci = info_of(bi->irq_first + i);
		CHECK_EQ(ci.type, EXO_OBJ_IRQ);
		CHECK_EQ(ci.a, i);
	}
	CHECK(bi->nmodules >= 1);
	ci = info_of(bi->modules[0].frames);
	CHECK_EQ(ci.type, EXO_OBJ_FRAME);
	CHECK_EQ(ci.rights, EXO_R_READ | EXO_R_GRANT);
	CHECK_EQ(info_of(bi->modules[0].frames + bi->modules[0].npages - 1).type, EXO_OBJ_FRAME);

	// cap_info: bad handles and bad output pointers.
	CHECK_EQ(exo_cap_info(0, &ci), E(EBADCAP));
	CHECK_EQ(exo_cap_info(1024, &ci), E(EBADCAP));              // index past the table
	CHECK_EQ(exo_cap_info(0xffffffff, &ci), E(EBADCAP));        // likewise
	CHECK_EQ(exo_cap_info(tq & 0xffffffff, &ci), E(EBADCAP));   // generation 0 is never valid
	CHECK_EQ(exo_cap_info(tq + (1ull << 32), &ci), E(EBADCAP)); // wrong generation
	CHECK_EQ(exo_cap_info(~0ul, &ci), E(EBADCAP));
	CHECK_EQ(exo_cap_info(tq, NULL), E(EFAULT));
	CHECK_EQ(exo_cap_info(tq, (void *)KADDR), E(EFAULT));
	CHECK_EQ(exo_cap_info(tq, (void *)KADDR2), E(EFAULT));
	CHECK_EQ(exo_cap_info(tq, (void *)NONCANON), E(EFAULT));
	CHECK_EQ(exo_cap_info(tq, (void *)NONCANON2), E(EFAULT));
	CHECK_EQ(exo_cap_info(tq, (void *)UNMAPPED), E(EFAULT));
	CHECK_EQ(exo_cap_info(tq, (void *)(uint64_t)test_cap_copy_mint_info), E(EFAULT)); // text
	CHECK_EQ(exo_cap_info(tq, (void *)&ro_word), E(EFAULT));                          // rodata
	CHECK_EQ(exo_cap_info(tq, (void *)bi), E(EFAULT)); // the read-only boot information
	CHECK_EQ(ro_word, 0x1234);

	// cap_copy: rights shrink, same object.
	h = exo_cap_copy(tq, 0, EXO_R_READ);
	CHECK(h > 0);
	r1 = (uint64_t)h;
	ci = info_of(r1);
	CHECK_EQ(ci.type, EXO_OBJ_QUOTA);
	CHECK_EQ(ci.rights, EXO_R_READ);
	CHECK_EQ(ci.a, qi.a);
	CHECK_EQ(ci.b, qi.b);
	CHECK(r1 != tq);
	// The copy names the same quota: an allocation through tq shows through it.
	f = alloc1(tq);
	CHECK_EQ(info_of(r1).b, qi.b + 1);
	CHECK_EQ(exo_cap_delete(f), 0);
	CHECK_EQ(info_of(r1).b, qi.b);
	// Copy through the own table's process capability (same table: no GRANT needed).
	h = exo_cap_copy(r1, bi->self, EXO_R_READ);
	CHECK(h > 0);
	r2 = (uint64_t)h;
	CHECK_EQ(info_of(r2).rights, EXO_R_READ);
	CHECK_EQ(exo_cap_copy(r1, 0, EXO_R_READ | EXO_R_WRITE), E(EPERM)); // more rights
	h = exo_cap_copy(r1, 0, 0);                                        // no rights at all
	CHECK(h > 0);
	CHECK_EQ(info_of((uint64_t)h).rights, 0);
	CHECK_EQ(info_of((uint64_t)h).a, qi.a);
	CHECK_EQ(exo_cap_delete((uint64_t)h), 0);
	CHECK_EQ(exo_cap_copy(tq, 0, 0x20), E(EINVAL)); // rights outside EXO_R_ALL
	CHECK_EQ(exo_cap_copy(tq, 0, ~0ul), E(EINVAL));
	CHECK_EQ(exo_cap_copy(0, 0, EXO_R_READ), E(EBADCAP));
	CHECK_EQ(exo_cap_copy(1023, 0, EXO_R_READ), E(EBADCAP));
	CHECK_EQ(exo_cap_copy(1024, 0, EXO_R_READ), E(EBADCAP));
	CHECK_EQ(exo_cap_copy(tq, tq, EXO_R_READ), E(ETYPE));      // dest is not a process
	CHECK_EQ(exo_cap_copy(tq, 12345, EXO_R_READ), E(EBADCAP)); // dest names nothing
	h = exo_cap_copy(bi->self, 0, EXO_R_READ);                 // a process capability without CONTROL
	CHECK(h > 0);
	k = (uint64_t)h;
	CHECK_EQ(exo_cap_copy(tq, k, EXO_R_READ), E(EPERM));
	CHECK_EQ(exo_cap_move(tq, k), E(EPERM));
	CHECK_EQ(exo_cap_delete(k), 0);

	// cap_mint: a badge, kept by copies; badged capabilities cannot be minted again.
	h = exo_cap_mint(tq, EXO_R_READ, 0xbadce11);
	CHECK(h > 0);
	b1 = (uint64_t)h;
	ci = info_of(b1);
	CHECK_EQ(ci.type, EXO_OBJ_QUOTA);
	CHECK_EQ(ci.rights, EXO_R_READ);
	CHECK_EQ(ci.badge, 0xbadce11);
	CHECK_EQ(ci.a, qi.a);
	h = exo_cap_copy(b1, 0, 0);
	CHECK(h > 0);
	b2 = (uint64_t)h;
	CHECK_EQ(info_of(b2).badge, 0xbadce11);
	CHECK_EQ(info_of(b2).rights, 0);
	CHECK_EQ(exo_cap_mint(b1, EXO_R_READ, 7), E(EPERM)); // already badged
	CHECK_EQ(exo_cap_mint(b2, 0, 7), E(EPERM));
	CHECK_EQ(exo_cap_mint(tq, EXO_R_READ, 0), E(EINVAL)); // badge 0
	CHECK_EQ(exo_cap_mint(tq, 0x40, 1), E(EINVAL));       // rights outside EXO_R_ALL
	CHECK_EQ(exo_cap_mint(r1, EXO_R_WRITE, 1), E(EPERM)); // more rights than the source
	CHECK_EQ(exo_cap_mint(0, EXO_R_READ, 1), E(EBADCAP));
	CHECK_EQ(exo_cap_mint(1024, EXO_R_READ, 1), E(EBADCAP));
	h = exo_cap_mint(tq, EXO_R_ALL, ~0ul); // any non-zero badge
	CHECK(h > 0);
	CHECK_EQ(info_of((uint64_t)h).badge, ~0ul);
	CHECK_EQ(exo_cap_delete((uint64_t)h), 0);

	// cap_delete: the handle goes stale; a deleted slot's next occupant is not reachable by it.
	CHECK_EQ(exo_cap_delete(b2), 0);
	CHECK_EQ(exo_cap_info(b2, &ci), E(EBADCAP));
	CHECK_EQ(exo_cap_delete(b2), E(EBADCAP));
	CHECK_EQ(exo_cap_copy(b2, 0, 0), E(EBADCAP));
	h = exo_cap_copy(tq, 0, EXO_R_READ); // likely reuses b2's slot (LIFO free list)
	CHECK(h > 0);
	CHECK(h != (long)b2);
	CHECK_EQ(exo_cap_info(b2, &ci), E(EBADCAP));
	CHECK_EQ(exo_cap_delete((uint64_t)h), 0);
	CHECK_EQ(exo_cap_delete(b1), 0);
	CHECK_EQ(exo_cap_delete(0), E(EBADCAP));
	CHECK_EQ(exo_cap_delete(1024), E(EBADCAP));
	CHECK_EQ(exo_cap_delete(~0ul), E(EBADCAP));
	CHECK_EQ(exo_cap_revoke(0), E(EBADCAP));
	CHECK_EQ(exo_cap_revoke(b2), E(EBADCAP));
	CHECK_EQ(exo_cap_delete(r2), 0);
	CHECK_EQ(exo_cap_delete(r1), 0);
	CHECK_EQ(info_of(tq).b, qi.b);
}

static void test_cap_revoke_move(void)
{
	struct exo_cap_info ci;
	uint64_t f, a, b, c, m;
	long h;

	f = alloc1(tq);
	// Derivation tree: f -> a -> b -> c. Delete b: c is re-parented to a; revoke f removes a and c.
	a = (uint64_t)exo_cap_copy(f, 0, EXO_R_READ | EXO_R_WRITE);
	b = (uint64_t)exo_cap_copy(a, 0, EXO_R_READ | EXO_R_WRITE);
	c = (uint64_t)exo_cap_copy(b, 0, EXO_R_READ);
	CHECK_EQ(info_of(c).type, EXO_OBJ_FRAME);
	CHECK_EQ(exo_cap_delete(b), 0);
	CHECK_EQ(info_of(c).type, EXO_OBJ_FRAME); // derived capabilities stay
	// Move keeps the derivation: a moves to m, still under f.
	h = exo_cap_move(a, 0);
	CHECK(h > 0);
	m = (uint64_t)h;
	CHECK(m != a);
	CHECK_EQ(exo_cap_info(a, &ci), E(EBADCAP)); // the old handle is stale
	CHECK_EQ(info_of(m).rights, EXO_R_READ | EXO_R_WRITE);
	CHECK_EQ(exo_cap_move(a, 0), E(EBADCAP));
	CHECK_EQ(exo_cap_move(0, 0), E(EBADCAP));
	CHECK_EQ(exo_cap_move(m, tq), E(ETYPE));
	CHECK_EQ(exo_cap_move(m, 99999), E(EBADCAP));
	// Revoke deletes every descendant and keeps the root.
	CHECK_EQ(exo_cap_revoke(f), 0);
	CHECK_EQ(exo_cap_info(m, &ci), E(EBADCAP));
	CHECK_EQ(exo_cap_info(c, &ci), E(EBADCAP));
	CHECK_EQ(exo_cap_delete(c), E(EBADCAP)); // a revoked copy's handle
	CHECK_EQ(exo_cap_copy(c, 0, 0), E(EBADCAP));
	CHECK_EQ(info_of(f).type, EXO_OBJ_FRAME);
	CHECK_EQ(exo_cap_revoke(f), 0); // nothing left to revoke
	// Revoke of a middle capability keeps it and its ancestors.
	a = (uint64_t)exo_cap_copy(f, 0, EXO_R_ALL);
	b = (uint64_t)exo_cap_copy(a, 0, EXO_R_ALL);
	CHECK_EQ(exo_cap_revoke(a), 0);
	CHECK_EQ(exo_cap_info(b, &ci), E(EBADCAP));
	CHECK_EQ(info_of(a).type, EXO_OBJ_FRAME);
	// Deleting the root keeps the object alive through the copy: the quota still counts it.
	CHECK_EQ(used_of(tq), 1);
	CHECK_EQ(exo_cap_delete(f), 0);
	CHECK_EQ(used_of(tq), 1);
	CHECK_EQ(info_of(a).type, EXO_OBJ_FRAME);
	CHECK_EQ(exo_cap_delete(a), 0);
	CHECK_EQ(used_of(tq), 0);
}

static void test_quota_frames(void)
{
	unsigned long hs[8];
	struct exo_cap_info ci;
	uint64_t q4, r, sub;
	long h;

	// quota_split: the child's budget counts as used in the parent until the child goes.
	h = exo_quota_split(tq, 4);
	CHECK(h > 0);
	q4 = (uint64_t)h;
	ci = info_of(q4);
	CHECK_EQ(ci.type, EXO_OBJ_QUOTA);
	CHECK_EQ(ci.rights, EXO_R_ALL);
	CHECK_EQ(ci.a, 4);
	CHECK_EQ(ci.b, 0);
	CHECK_EQ(used_of(tq), 4);
	CHECK_EQ(exo_quota_split(q4, 5), E(ENOMEM));
	CHECK_EQ(exo_quota_split(q4, ~0ul), E(ENOMEM));
	CHECK_EQ(exo_quota_split(q4, 1ull << 62), E(ENOMEM));
	h = exo_quota_split(q4, 0); // an empty quota is fine
	CHECK(h > 0);
	CHECK_EQ(info_of((uint64_t)h).a, 0);
	CHECK_EQ(exo_frame_alloc((uint64_t)h, 1, hs), E(ENOMEM));
	CHECK_EQ(exo_cap_delete((uint64_t)h), 0);
	h = exo_quota_split(q4, 3);
	CHECK(h > 0);
	sub = (uint64_t)h;
	CHECK_EQ(used_of(q4), 3);
	CHECK_EQ(exo_quota_split(q4, 2), E(ENOMEM));
	CHECK_EQ(exo_cap_delete(sub), 0);
	CHECK_EQ(used_of(q4), 0);
	CHECK_EQ(exo_quota_split(0, 1), E(EBADCAP));
	CHECK_EQ(exo_quota_split(bi->self, 1), E(ETYPE));
	r = (uint64_t)exo_cap_copy(q4, 0, EXO_R_READ | EXO_R_CONTROL);
	CHECK_EQ(exo_quota_split(r, 1), E(EPERM)); // needs WRITE

	// frame_alloc: all or nothing, charged to the quota.
	CHECK_EQ(exo_frame_alloc(q4, 5, hs), E(ENOMEM));
	CHECK_EQ(used_of(q4), 0);
	CHECK_EQ(exo_frame_alloc(q4, 0, hs), E(EINVAL));
	CHECK_EQ(exo_frame_alloc(q4, 513, hs), E(EINVAL));
	CHECK_EQ(exo_frame_alloc(q4, ~0ul, hs), E(EINVAL));
	CHECK_EQ(exo_frame_alloc(r, 1, hs), E(EPERM));
	CHECK_EQ(exo_frame_alloc(bi->self, 1, hs), E(ETYPE));
	CHECK_EQ(exo_frame_alloc(0, 1, hs), E(EBADCAP));
	CHECK_EQ(exo_frame_alloc(q4, 1, NULL), E(EFAULT));
	CHECK_EQ(exo_frame_alloc(q4, 2, (void *)KADDR), E(EFAULT));
	CHECK_EQ(exo_frame_alloc(q4, 2, (void *)KADDR2), E(EFAULT));
	CHECK_EQ(exo_frame_alloc(q4, 2, (void *)NONCANON), E(EFAULT));
	CHECK_EQ(exo_frame_alloc(q4, 2, (void *)NONCANON2), E(EFAULT));
	CHECK_EQ(exo_frame_alloc(q4, 2, (void *)UNMAPPED), E(EFAULT));
	CHECK_EQ(exo_frame_alloc(q4, 2, (void *)(uint64_t)test_quota_frames), E(EFAULT)); // text
	CHECK_EQ(exo_frame_alloc(q4, 1, (void *)&ro_word), E(EFAULT));                    // rodata
	CHECK_EQ(exo_frame_alloc(q4, 1, (void *)(USER_TOP - 4)), E(EFAULT));
	CHECK_EQ(used_of(q4), 0); // failed allocations gave everything back
	CHECK_EQ(exo_frame_alloc(q4, 4, hs), 4);
	CHECK_EQ(used_of(q4), 4);
	for (int i = 0; i < 4; i++) {
		ci = info_of(hs[i]);
		CHECK_EQ(ci.type, EXO_OBJ_FRAME);
		CHECK_EQ(ci.rights, EXO_R_ALL);
		CHECK_EQ(ci.a, 0);
		for (int j = 0; j < i; j++)
			CHECK(hs[i] != hs[j]);
	}
	CHECK_EQ(exo_frame_alloc(q4, 1, hs + 4), E(ENOMEM));
	CHECK_EQ(exo_quota_split(q4, 1), E(ENOMEM));
	for (int i = 0; i < 4; i++)
		CHECK_EQ(exo_cap_delete(hs[i]), 0);
	CHECK_EQ(used_of(q4), 0);
	CHECK_EQ(exo_cap_delete(r), 0);
	CHECK_EQ(exo_cap_delete(q4), 0);
	CHECK_EQ(exo_cap_info(q4, &ci), E(EBADCAP));
	CHECK_EQ(used_of(tq), 0); // the split budget came back
}

// vspace_unmap_range with the argument list of vspace_protect_range (prot unused).
static long unmap_range(unsigned long process, unsigned long va, unsigned long pages, unsigned long prot)
{
	(void)prot;
	return exo_vspace_unmap_range(process, va, pages);
}

static void test_vspace(void)
{
	struct exo_map_op ops[40];
	unsigned long vas[40];
	uint64_t f, g, ro, rx, wo, edge, pc;
	volatile uint64_t *p1 = (volatile uint64_t *)VA(1), *p2 = (volatile uint64_t *)VA(2);
	long r;

	f = alloc1(tq);
	// Fresh frames are zeroed; two mappings of one frame see the same memory.
	CHECK_EQ(map1(bi->self, f, VA(1), EXO_R_READ | EXO_R_WRITE), 1);
	CHECK_EQ(map1(bi->self, f, VA(2), EXO_R_READ), 1);
	for (int i = 0; i < 512; i++)
		CHECK_EQ(p1[i], 0);
	p1[0] = 0x1122334455667788ull;
	p1[511] = 42;
	CHECK_EQ(p2[0], 0x1122334455667788ull);
	CHECK_EQ(p2[511], 42);
	CHECK(!faults_read(VA(2)));
	CHECK(faults_write(VA(2), 1)); // a read-only mapping
	CHECK_EQ(probe.vector, 14);
	CHECK_EQ(probe.error & 7, 7); // present, write, user
	CHECK_EQ(probe.addr, VA(2));
	CHECK(faults_read(VA(3))); // nothing mapped
	CHECK_EQ(probe.vector, 14);
	CHECK_EQ(probe.error & 7, 4);
	CHECK_EQ(probe.addr, VA(3));
	CHECK(probe.upcall_return_checked);

	// vspace_map errors.
	CHECK_EQ(map1(bi->self, f, VA(1), EXO_R_READ), E(EEXIST));
	CHECK_EQ(map1(bi->self, f, VA(3), EXO_R_WRITE | EXO_R_EXEC), E(EINVAL));
	CHECK_EQ(map1(bi->self, f, VA(3), EXO_R_READ | EXO_R_WRITE | EXO_R_EXEC), E(EINVAL));
	CHECK_EQ(map1(bi->self, f, VA(3), EXO_R_GRANT), E(EINVAL)); // not a protection bit
	CHECK_EQ(map1(bi->self, f, VA(3), 1ull << 40), E(EINVAL));
	CHECK_EQ(map1(bi->self, f, VA(3) + 8, EXO_R_READ), E(EINVAL)); // unaligned
	CHECK_EQ(map1(bi->self, f, 0, EXO_R_READ), E(EINVAL));         // page 0
	CHECK_EQ(map1(bi->self, f, KADDR, EXO_R_READ), E(EINVAL));
	CHECK_EQ(map1(bi->self, f, KADDR2, EXO_R_READ), E(EINVAL));
	CHECK_EQ(map1(bi->self, f, NONCANON, EXO_R_READ), E(EINVAL));
	CHECK_EQ(map1(bi->self, f, NONCANON2, EXO_R_READ), E(EINVAL));
	CHECK_EQ(map1(bi->self, f, USER_TOP, EXO_R_READ), E(EINVAL)); // the empty top page
	CHECK_EQ(map1(bi->self, 0, VA(3), EXO_R_READ), E(EBADCAP));
	CHECK_EQ(map1(bi->self, tq, VA(3), EXO_R_READ), E(ETYPE)); // a quota where a frame is expected
	CHECK_EQ(map1(tq, f, VA(3), EXO_R_READ), E(ETYPE));
	CHECK_EQ(map1(0, f, VA(3), EXO_R_READ), E(EBADCAP));
	pc = (uint64_t)exo_cap_copy(bi->self, 0, EXO_R_READ | EXO_R_WRITE | EXO_R_GRANT);
	CHECK_EQ(map1(pc, f, VA(3), EXO_R_READ), E(EPERM)); // needs CONTROL on the process
	CHECK_EQ(unmap1(pc, VA(1)), E(EPERM));
	CHECK_EQ(protect1(pc, f, VA(1), EXO_R_READ), E(EPERM));
	CHECK_EQ(exo_vspace_map(bi->self, ops, 0), E(EINVAL));
	CHECK_EQ(exo_vspace_map(bi->self, ops, 513), E(EINVAL));
	CHECK_EQ(exo_vspace_map(bi->self, NULL, 1), E(EFAULT));
	CHECK_EQ(exo_vspace_map(bi->self, (void *)KADDR, 1), E(EFAULT));
	CHECK_EQ(exo_vspace_map(bi->self, (void *)KADDR2, 1), E(EFAULT));
	CHECK_EQ(exo_vspace_map(bi->self, (void *)NONCANON, 1), E(EFAULT));
	CHECK_EQ(exo_vspace_map(bi->self, (void *)NONCANON2, 1), E(EFAULT));
	CHECK_EQ(exo_vspace_map(bi->self, (void *)UNMAPPED, 1), E(EFAULT));
	// Rights of the frame capability bound the protection.
	ro = (uint64_t)exo_cap_copy(f, 0, EXO_R_READ);
	rx = (uint64_t)exo_cap_copy(f, 0, EXO_R_READ | EXO_R_EXEC);
	wo = (uint64_t)exo_cap_copy(f, 0, EXO_R_WRITE);
	CHECK_EQ(map1(bi->self, ro, VA(3), EXO_R_READ | EXO_R_WRITE), E(EPERM));
	CHECK_EQ(map1(bi->self, ro, VA(3), EXO_R_READ | EXO_R_EXEC), E(EPERM));
	CHECK_EQ(map1(bi->self, wo, VA(3), EXO_R_READ | EXO_R_WRITE), E(EPERM)); // READ is implied
	CHECK_EQ(map1(bi->self, wo, VA(3), 0), E(EPERM));
	CHECK_EQ(map1(bi->self, bi->modules[0].frames, VA(3), EXO_R_READ | EXO_R_WRITE), E(EPERM));
	CHECK_EQ(map1(bi->self, ro, VA(3), 0), 1); // prot 0 maps read-only
	CHECK(!faults_read(VA(3)));
	CHECK(faults_write(VA(3), 5));
	CHECK_EQ(*(volatile uint64_t *)VA(3), 0x1122334455667788ull);
	CHECK_EQ(unmap1(bi->self, VA(3)), 1);
	// Executable mappings: code written through the writable mapping runs through an R|X one;
	// data mappings are not executable.
	{
		static const uint8_t ret42[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 }; // mov $42,%eax; ret
		volatile uint8_t *code = (volatile uint8_t *)VA(1) + 64;

		for (size_t i = 0; i < sizeof(ret42); i++)
			code[i] = ret42[i];
		CHECK_EQ(map1(bi->self, rx, VA(4), EXO_R_READ | EXO_R_EXEC), 1);
		CHECK(!faults_call(VA(4) + 64, &r));
		CHECK_EQ(r, 42);
		CHECK(faults_call(VA(1) + 64, &r)); // RW mapping: no execute
		CHECK_EQ(probe.vector, 14);
		CHECK(probe.error & 16);
		CHECK(faults_write(VA(4), 1));
		CHECK_EQ(unmap1(bi->self, VA(4)), 1);
		code[0] = 0; // not code any more
	}

	// vspace_protect: changes a mapped page's protection; op.frame must name the mapped frame.
	CHECK_EQ(protect1(bi->self, f, VA(1), EXO_R_READ), 1);
	CHECK(faults_write(VA(1), 7));
	CHECK_EQ(probe.error & 7, 7);
	CHECK(!faults_read(VA(1)));
	CHECK_EQ(p1[0], 0x1122334455667788ull);
	CHECK_EQ(protect1(bi->self, ro, VA(1), EXO_R_READ | EXO_R_WRITE), E(EPERM));
	CHECK_EQ(protect1(bi->self, f, VA(1), EXO_R_WRITE | EXO_R_EXEC), E(EINVAL));
	CHECK_EQ(protect1(bi->self, f, VA(1), 0x100), E(EINVAL));
	CHECK_EQ(protect1(bi->self, f, VA(3), EXO_R_READ), E(ENOENT)); // not mapped
	CHECK_EQ(protect1(bi->self, tq, VA(1), EXO_R_READ), E(ETYPE));
	CHECK_EQ(protect1(bi->self, 0, VA(1), EXO_R_READ), E(EBADCAP));
	g = alloc1(tq);
	CHECK_EQ(protect1(bi->self, g, VA(1), EXO_R_READ), E(ENOENT)); // another frame is mapped there
	r = protect1(bi->self, f, VA(1) + 8, EXO_R_READ);              // unaligned
	CHECK(r == E(EINVAL) || r == E(ENOENT));
	r = protect1(bi->self, f, KADDR, EXO_R_READ);
	CHECK(r == E(EINVAL) || r == E(ENOENT));
	r = protect1(bi->self, f, NONCANON, EXO_R_READ);
	CHECK(r == E(EINVAL) || r == E(ENOENT));
	CHECK_EQ(exo_vspace_protect(bi->self, ops, 0), E(EINVAL));
	CHECK_EQ(exo_vspace_protect(bi->self, ops, 513), E(EINVAL));
	CHECK_EQ(exo_vspace_protect(bi->self, NULL, 1), E(EFAULT));
	CHECK_EQ(exo_vspace_protect(bi->self, (void *)KADDR, 1), E(EFAULT));
	CHECK_EQ(exo_vspace_protect(bi->self, (void *)NONCANON, 1), E(EFAULT));
	CHECK_EQ(exo_vspace_protect(bi->self, (void *)UNMAPPED, 1), E(EFAULT));
	CHECK_EQ(protect1(bi->self, f, VA(1), EXO_R_READ | EXO_R_EXEC), 1); // now code, not data
	CHECK(faults_write(VA(1), 7));
	CHECK_EQ(protect1(bi->self, f, VA(1), EXO_R_READ | EXO_R_WRITE), 1);
	CHECK(!faults_write(VA(1), 0x99));
	CHECK_EQ(p2[0], 0x99);

	// EXO_MAP_MOVE: the capability is used up by a successful map, kept by a failed one.
	{
		struct exo_cap_info info;
		uint64_t m = alloc1(tq), used = (uint64_t)used_of(tq);

		CHECK_EQ(map1(bi->self, m, VA(1), (EXO_R_READ | EXO_R_WRITE) | EXO_MAP_MOVE), E(EEXIST));
		CHECK_EQ(exo_cap_info(m, &info), 0);
		CHECK_EQ(map1(bi->self, m, VA(305), EXO_R_WRITE | EXO_R_EXEC | EXO_MAP_MOVE), E(EINVAL));
		CHECK_EQ(map1(bi->self, m, VA(305), (EXO_R_READ | EXO_R_WRITE) | EXO_MAP_MOVE), 1);
		CHECK_EQ(exo_cap_info(m, &info), E(EBADCAP));
		CHECK(!faults_write(VA(305), 9));
		CHECK_EQ(exo_vspace_protect_range(bi->self, VA(305), 1, EXO_R_READ), 1);
		CHECK(faults_write(VA(305), 10));
		CHECK_EQ(*(volatile uint64_t *)VA(305), 9);
		CHECK_EQ((uint64_t)used_of(tq), used); // the mapping holds the frame
		CHECK_EQ(exo_vspace_unmap_range(bi->self, VA(305), 1), 1);
		CHECK_EQ((uint64_t)used_of(tq), used - 1);
	}

	// Range calls: every mapped page of the range, holes skipped; protection within the rights of
	// the frame capability each page was mapped with (not the mapping's current protection).
	{
		uint64_t h = alloc1(tq), hro = (uint64_t)exo_cap_copy(h, 0, EXO_R_READ);

		CHECK_EQ(map1(bi->self, h, VA(300), EXO_R_READ | EXO_R_WRITE), 1);
		CHECK_EQ(map1(bi->self, hro, VA(302), EXO_R_READ), 1); // VA(301) stays a hole
		CHECK_EQ(exo_vspace_protect_range(bi->self, VA(300), 3, EXO_R_READ), 2);
		CHECK(faults_write(VA(300), 1));
		CHECK_EQ(exo_vspace_protect_range(bi->self, VA(300), 1, EXO_R_READ | EXO_R_WRITE), 1);
		CHECK(!faults_write(VA(300), 3)); // raised again without naming the frame
		CHECK_EQ(*(volatile uint64_t *)VA(302), 3);
		CHECK_EQ(exo_vspace_protect_range(bi->self, VA(302), 1, EXO_R_READ | EXO_R_WRITE), E(EPERM));
		CHECK_EQ(exo_vspace_protect_range(bi->self, VA(300), 3, EXO_R_READ | EXO_R_WRITE), 1);
		CHECK(faults_write(VA(302), 4)); // the refused page kept its protection
		CHECK_EQ(exo_vspace_protect_range(bi->self, VA(302), 1, EXO_R_READ | EXO_R_EXEC), E(EPERM));
		CHECK_EQ(exo_vspace_protect_range(bi->self, VA(300), 1, EXO_R_READ | EXO_R_EXEC), 1);
		CHECK(faults_write(VA(300), 5));
		CHECK_EQ(exo_vspace_protect_range(bi->self, VA(303), 5, EXO_R_READ), 0); // nothing there
		CHECK_EQ(exo_vspace_protect_range(bi->self, VA(300), 1, EXO_R_WRITE | EXO_R_EXEC), E(EINVAL));
		CHECK_EQ(exo_vspace_protect_range(bi->self, VA(300), 1, EXO_R_GRANT), E(EINVAL));
		CHECK_EQ(exo_vspace_protect_range(bi->self, VA(300), 1, 1ull << 40), E(EINVAL));
		for (int call = 0; call < 2; call++) { // argument errors, both calls
			long (*range)(unsigned long, unsigned long, unsigned long, unsigned long) =
			    call ? exo_vspace_protect_range : unmap_range;

			CHECK_EQ(range(bi->self, VA(300), 0, EXO_R_READ), E(EINVAL));
			CHECK_EQ(range(bi->self, VA(300), 513, EXO_R_READ), E(EINVAL));
			CHECK_EQ(range(bi->self, VA(300), ~0ull, EXO_R_READ), E(EINVAL));
			CHECK_EQ(range(bi->self, VA(300) + 8, 1, EXO_R_READ), E(EINVAL));
			CHECK_EQ(range(bi->self, 0, 1, EXO_R_READ), E(EINVAL));
			CHECK_EQ(range(bi->self, KADDR, 1, EXO_R_READ), E(EINVAL));
			CHECK_EQ(range(bi->self, NONCANON, 1, EXO_R_READ), E(EINVAL));
			CHECK_EQ(range(bi->self, USER_TOP - EXO_PAGE_SIZE, 2, EXO_R_READ),
			         E(EINVAL)); // past the top
			CHECK_EQ(range(pc, VA(300), 1, EXO_R_READ), E(EPERM));
			CHECK_EQ(range(tq, VA(300), 1, EXO_R_READ), E(ETYPE));
			CHECK_EQ(range(0, VA(300), 1, EXO_R_READ), E(EBADCAP));
		}
		CHECK(!faults_read(VA(300)));
		// prot 0: out of user mode's reach, but still mapped with its contents (PROT_NONE).
		CHECK_EQ(exo_vspace_protect_range(bi->self, VA(300), 3, 0), 2);
		CHECK(faults_read(VA(300)));
		CHECK_EQ(probe.error & 5, 5); // present, user: a protection fault, not a missing page
		CHECK(faults_write(VA(302), 6));
		CHECK_EQ(exo_vspace_protect_range(bi->self, VA(300), 1, EXO_R_READ | EXO_R_WRITE), 1);
		CHECK_EQ(*(volatile uint64_t *)VA(300), 3); // the contents survived
		CHECK(!faults_write(VA(300), 7));
		CHECK_EQ(exo_vspace_protect_range(bi->self, VA(302), 1, EXO_R_READ | EXO_R_WRITE), E(EPERM));
		CHECK_EQ(exo_vspace_protect_range(bi->self, VA(302), 1, EXO_R_READ), 1);
		CHECK_EQ(*(volatile uint64_t *)VA(302), 7); // the same frame
		CHECK_EQ(exo_vspace_unmap_range(bi->self, VA(299), 5), 2);
		CHECK(faults_read(VA(300)));
		CHECK(faults_read(VA(302)));
		CHECK_EQ(exo_vspace_unmap_range(bi->self, VA(299), 5), 0);
		CHECK_EQ(exo_cap_delete(hro), 0);
		CHECK_EQ(exo_cap_delete(h), 0);
	}

	// vspace_unmap.
	CHECK_EQ(unmap1(bi->self, VA(3)), E(ENOENT));
	CHECK_EQ(unmap1(bi->self, VA(1) + 1), E(EINVAL));
	CHECK_EQ(unmap1(bi->self, 0), E(EINVAL));
	CHECK_EQ(unmap1(bi->self, KADDR), E(EINVAL));
	CHECK_EQ(unmap1(bi->self, KADDR2), E(EINVAL));
	CHECK_EQ(unmap1(bi->self, NONCANON), E(EINVAL));
	CHECK_EQ(unmap1(bi->self, USER_TOP), E(EINVAL));
	CHECK_EQ(unmap1(tq, VA(1)), E(ETYPE));
	CHECK_EQ(unmap1(0, VA(1)), E(EBADCAP));
	CHECK_EQ(exo_vspace_unmap(bi->self, vas, 0), E(EINVAL));
	CHECK_EQ(exo_vspace_unmap(bi->self, vas, 513), E(EINVAL));
	CHECK_EQ(exo_vspace_unmap(bi->self, NULL, 1), E(EFAULT));
	CHECK_EQ(exo_vspace_unmap(bi->self, (void *)KADDR, 1), E(EFAULT));
	CHECK_EQ(exo_vspace_unmap(bi->self, (void *)NONCANON, 1), E(EFAULT));
	CHECK_EQ(exo_vspace_unmap(bi->self, (void *)UNMAPPED, 1), E(EFAULT));
	// A mapping keeps its frame: delete the capabilities, the memory stays until the unmap.
	CHECK_EQ(exo_cap_delete(ro), 0);
	CHECK_EQ(exo_cap_delete(rx), 0);
	CHECK_EQ(exo_cap_delete(wo), 0);
	CHECK_EQ(exo_cap_delete(f), 0);
	CHECK_EQ(used_of(tq), 2); // f (mapped twice) and g
	CHECK_EQ(p2[0], 0x99);
	vas[0] = VA(1);
	vas[1] = VA(3); // not mapped: the batch stops there
	vas[2] = VA(2);
	CHECK_EQ(exo_vspace_unmap(bi->self, vas, 3), 1);
	CHECK(faults_read(VA(1)));
	CHECK(!faults_read(VA(2)));
	CHECK_EQ(used_of(tq), 2);
	CHECK_EQ(unmap1(bi->self, VA(2)), 1);
	CHECK_EQ(used_of(tq), 1); // the last mapping of f went
	CHECK(faults_read(VA(2)));

	// Batches: more than one chunk of the kernel's copy (32), stopping at the first bad op.
	for (int i = 0; i < 40; i++) {
		ops[i] = (struct exo_map_op){ g, VA(100 + i), EXO_R_READ };
		vas[i] = VA(100 + i);
	}
	ops[35].prot = EXO_R_WRITE | EXO_R_EXEC;
	CHECK_EQ(exo_vspace_map(bi->self, ops, 40), 35);
	CHECK_EQ(exo_vspace_unmap(bi->self, vas, 40), 35);
	ops[35].prot = EXO_R_READ;
	CHECK_EQ(exo_vspace_map(bi->self, ops, 40), 40);
	for (int i = 0; i < 40; i++)
		ops[i].prot = EXO_R_READ | EXO_R_WRITE;
	CHECK_EQ(exo_vspace_protect(bi->self, ops, 40), 40);
	*(volatile uint64_t *)VA(139) = 77;
	CHECK_EQ(*(volatile uint64_t *)VA(100), 77);
	ops[0].frame = tq;
	CHECK_EQ(exo_vspace_protect(bi->self, ops, 40), E(ETYPE)); // the first op fails: none applied
	CHECK_EQ(exo_vspace_map(bi->self, ops, 40), E(ETYPE));
	ops[0].frame = g;
	CHECK_EQ(exo_vspace_map(bi->self, ops, 40), E(EEXIST));
	CHECK_EQ(exo_vspace_unmap(bi->self, vas, 40), 40);
	CHECK_EQ(exo_vspace_unmap(bi->self, vas, 40), E(ENOENT));

	// An op array that runs into an unmapped page: the ops before it are applied.
	edge = map_fresh(VA(200));
	{
		// 32 ops (one chunk) fit before the end of the page.
		struct exo_map_op *eops = (struct exo_map_op *)(VA(201) - 32 * sizeof(struct exo_map_op));
		unsigned long *evas = (unsigned long *)(VA(201) - 32 * sizeof(unsigned long));

		for (int i = 0; i < 32; i++)
			eops[i] = (struct exo_map_op){ g, VA(100 + i), EXO_R_READ };
		CHECK_EQ(exo_vspace_map(bi->self, eops, 34), 32);
		CHECK_EQ(exo_vspace_protect(bi->self, eops, 34), 32);
		// A batch whose first chunk is already cut by the page end: nothing applied.
		CHECK_EQ(exo_vspace_protect(bi->self, eops + 2, 32), E(EFAULT));
		CHECK_EQ(exo_vspace_map(bi->self, eops + 2, 32), E(EFAULT));
		for (int i = 0; i < 32; i++) // (over the ops)
			evas[i] = VA(100 + i);
		CHECK_EQ(exo_vspace_unmap(bi->self, evas + 2, 32), E(EFAULT));
		CHECK(!faults_read(VA(102)));
		CHECK_EQ(exo_vspace_unmap(bi->self, evas, 34), 32);
		CHECK(faults_read(VA(131)));
		CHECK_EQ(exo_cap_info(tq, (void *)(VA(201) - 8)), E(EFAULT)); // output straddles the end
		CHECK_EQ(exo_debug_write((void *)(VA(201) - 4), 8), E(EFAULT));
	}
	unmap_free(VA(200), edge);
	CHECK_EQ(exo_cap_delete(g), 0);
	CHECK_EQ(exo_cap_delete(pc), 0);
	CHECK_EQ(used_of(tq), 0);
}

static void test_upcall_set(void)
{
	char *top = upcall_stack + sizeof(upcall_stack);
	struct exo_fault rec = { 0 };

	CHECK_EQ(exo_upcall_return(&rec), E(EINVAL)); // not in a fault handler
	CHECK_EQ(exo_upcall_return(NULL), E(EINVAL));
	CHECK_EQ(exo_upcall_set((void *)upcall_handler, NULL), E(EINVAL));
	CHECK_EQ(exo_upcall_set(NULL, top), E(EINVAL));
	CHECK_EQ(exo_upcall_set((void *)KADDR, top), E(EINVAL));
	CHECK_EQ(exo_upcall_set((void *)NONCANON, top), E(EINVAL));
	CHECK_EQ(exo_upcall_set((void *)upcall_handler, (void *)KADDR), E(EINVAL));
	CHECK_EQ(exo_upcall_set((void *)upcall_handler, (void *)NONCANON), E(EINVAL));
	CHECK_EQ(exo_upcall_set((void *)upcall_handler, (void *)0x1000), E(EINVAL)); // stack below user space
	CHECK_EQ(exo_upcall_set(NULL, NULL), 0);                                     // unregister
	CHECK_EQ(exo_upcall_set((void *)upcall_handler, top), 0);
}

static void test_threads(void)
{
	static struct worker w1, w2;
	struct exo_cap_info ci;
	uint64_t fsa, fsb, t, tr;
	long h, cnt;

	// thread_create errors.
	CHECK_EQ(exo_thread_create(bi->self, 32), E(EPERM)); // above the process's limit
	CHECK_EQ(exo_thread_create(bi->self, ~0ul), E(EPERM));
	CHECK_EQ(exo_thread_create(0, 1), E(EBADCAP));
	CHECK_EQ(exo_thread_create(tq, 1), E(ETYPE));
	tr = (uint64_t)exo_cap_copy(bi->self, 0, EXO_R_READ);
	CHECK_EQ(exo_thread_create(tr, 1), E(EPERM));
	CHECK_EQ(exo_cap_delete(tr), 0);

	// A thread at the same priority runs when the main thread yields.
	h = exo_thread_create(bi->self, 31);
	CHECK(h > 0);
	ci = info_of((uint64_t)h);
	CHECK_EQ(ci.type, EXO_OBJ_THREAD);
	CHECK_EQ(ci.rights, EXO_R_ALL);
	CHECK_EQ(ci.b, TS_INACTIVE);
	CHECK(ci.a != info_of(bi->thread).a); // thread ids differ
	// An inactive thread cannot be suspended or resumed.
	CHECK_EQ(exo_thread_suspend((uint64_t)h), E(EBUSY));
	CHECK_EQ(exo_thread_resume((uint64_t)h), E(EBUSY));
	CHECK_EQ(exo_thread_set_prio((uint64_t)h, 16), 0);
	// thread_start errors.
	CHECK_EQ(exo_thread_start((uint64_t)h, 0, STACK_TOP(0) - 8, 0), E(EINVAL));
	CHECK_EQ(exo_thread_start((uint64_t)h, KADDR, STACK_TOP(0) - 8, 0), E(EINVAL));
	CHECK_EQ(exo_thread_start((uint64_t)h, NONCANON, STACK_TOP(0) - 8, 0), E(EINVAL));
	CHECK_EQ(exo_thread_start((uint64_t)h, USER_TOP, STACK_TOP(0) - 8, 0), E(EINVAL));
	CHECK_EQ(exo_thread_start((uint64_t)h, (uint64_t)worker_entry, KADDR, 0), E(EINVAL));
	CHECK_EQ(exo_thread_start((uint64_t)h, (uint64_t)worker_entry, NONCANON, 0), E(EINVAL));
	CHECK_EQ(exo_thread_start((uint64_t)h, (uint64_t)worker_entry, 0, 0), E(EINVAL));
	CHECK_EQ(exo_thread_start(0, (uint64_t)worker_entry, STACK_TOP(0) - 8, 0), E(EBADCAP));
	CHECK_EQ(exo_thread_start(tq, (uint64_t)worker_entry, STACK_TOP(0) - 8, 0), E(ETYPE));
	tr = (uint64_t)exo_cap_copy((uint64_t)h, 0, EXO_R_READ | EXO_R_WRITE);
	CHECK_EQ(exo_thread_start(tr, (uint64_t)worker_entry, STACK_TOP(0) - 8, 0), E(EPERM));
	CHECK_EQ(exo_thread_suspend(tr), E(EPERM));
	CHECK_EQ(exo_thread_resume(tr), E(EPERM));
	CHECK_EQ(exo_thread_set_prio(tr, 1), E(EPERM));
	CHECK_EQ(exo_thread_destroy(tr), E(EPERM));
	CHECK_EQ(exo_cap_delete(tr), 0);
	w1.self = (uint64_t)h;
	w1.role = W_SET;
	w1.flag = 0;
	CHECK_EQ(exo_thread_start(w1.self, (uint64_t)worker_entry, STACK_TOP(0) - 8, (uint64_t)&w1), 0);
	CHECK_EQ(exo_thread_start(w1.self, (uint64_t)worker_entry, STACK_TOP(0) - 8, (uint64_t)&w1),
	         E(EBUSY));
	CHECK_EQ(info_of(w1.self).b, TS_RUNNABLE);
	CHECK_EQ(w1.flag, 0); // same priority: not run yet
	CHECK_EQ(exo_thread_yield(), 0);
	CHECK_EQ(w1.flag, 1);
	// It destroyed itself: its capability is stale but can be deleted.
	CHECK_EQ(exo_cap_info(w1.self, &ci), E(EBADCAP));
	CHECK_EQ(exo_thread_suspend(w1.self), E(EBADCAP));
	CHECK_EQ(exo_thread_resume(w1.self), E(EBADCAP));
	CHECK_EQ(exo_thread_destroy(w1.self), E(EBADCAP));
	CHECK_EQ(exo_thread_set_prio(w1.self, 3), E(EBADCAP));
	CHECK_EQ(exo_thread_start(w1.self, (uint64_t)worker_entry, STACK_TOP(0) - 8, 0), E(EBADCAP));
	CHECK_EQ(exo_cap_copy(w1.self, 0, 0), E(EBADCAP));
	CHECK_EQ(exo_cap_delete(w1.self), 0);

	// thread_set_prio: a higher priority thread runs at once.
	h = exo_thread_create(bi->self, 16);
	CHECK(h > 0);
	w1.self = (uint64_t)h;
	w1.role = W_SET;
	w1.flag = 0;
	CHECK_EQ(exo_thread_set_prio(w1.self, 32), E(EPERM));
	CHECK_EQ(exo_thread_set_prio(w1.self, ~0ul), E(EPERM));
	CHECK_EQ(exo_thread_set_prio(0, 1), E(EBADCAP));
	CHECK_EQ(exo_thread_set_prio(tq, 1), E(ETYPE));
	CHECK_EQ(exo_thread_set_prio(w1.self, 20), 0);
	CHECK_EQ(exo_thread_start(w1.self, (uint64_t)worker_entry, STACK_TOP(0) - 8, (uint64_t)&w1), 0);
	CHECK_EQ(w1.flag, 1); // ran before thread_start returned
	CHECK_EQ(exo_cap_delete(w1.self), 0);
	// A started thread can be raised while runnable.
	h = exo_thread_create(bi->self, 16);
	w1.self = (uint64_t)h;
	w1.flag = 0;
	CHECK_EQ(exo_thread_start(w1.self, (uint64_t)worker_entry, STACK_TOP(0) - 8, (uint64_t)&w1), 0);
	CHECK_EQ(w1.flag, 0);
	CHECK_EQ(exo_thread_set_prio(w1.self, 1), 0);  // lowered below us: we go on
	CHECK_EQ(exo_thread_set_prio(w1.self, 16), 0); // back to ours: it waits its turn
	CHECK_EQ(w1.flag, 0);
	CHECK_EQ(exo_thread_set_prio(w1.self, 17), 0); // above us: it runs at once
	CHECK_EQ(w1.flag, 1);
	CHECK_EQ(exo_cap_delete(w1.self), 0);

	// thread_suspend / thread_resume of a spinning thread.
	start_worker(&w1, W_SPIN, 16, 0);
	exo_thread_yield();
	exo_thread_yield();
	CHECK(w1.counter > 0);
	CHECK_EQ(exo_thread_suspend(w1.self), 0);
	CHECK_EQ(info_of(w1.self).b, TS_SUSPENDED);
	CHECK_EQ(exo_thread_suspend(w1.self), E(EBUSY));
	cnt = w1.counter;
	for (int i = 0; i < 5; i++)
		exo_thread_yield();
	sleep_ms(2);
	CHECK_EQ(w1.counter, cnt); // does not run
	CHECK_EQ(exo_thread_resume(w1.self), 0);
	CHECK_EQ(exo_thread_resume(w1.self), E(EBUSY));
	exo_thread_yield();
	exo_thread_yield();
	CHECK(w1.counter > cnt);
	w1.stop = 1;
	CHECK(wait_flag(&w1.flag, 1));
	CHECK_EQ(exo_cap_delete(w1.self), 0);
	// thread_destroy of another thread, while suspended.
	start_worker(&w1, W_SPIN, 16, 0);
	exo_thread_yield();
	CHECK_EQ(exo_thread_suspend(w1.self), 0);
	CHECK_EQ(exo_thread_destroy(w1.self), 0);
	CHECK_EQ(exo_thread_destroy(w1.self), E(EBADCAP));
	CHECK_EQ(exo_cap_info(w1.self, &ci), E(EBADCAP));
	CHECK_EQ(exo_cap_delete(w1.self), 0);
	CHECK_EQ(exo_thread_destroy(0), E(EBADCAP));
	CHECK_EQ(exo_thread_destroy(tq), E(ETYPE));
	// ... and while runnable.
	start_worker(&w1, W_SPIN, 16, 0);
	exo_thread_yield();
	cnt = w1.counter;
	CHECK_EQ(exo_thread_destroy(w1.self), 0);
	exo_thread_yield();
	CHECK_EQ(w1.counter, cnt);
	CHECK_EQ(exo_cap_delete(w1.self), 0);

	// A thread suspends itself; resume lets it go on.
	start_worker(&w1, W_SUSPEND_SELF, 20, 0);
	CHECK_EQ(w1.flag, 1);
	CHECK_EQ(info_of(w1.self).b, TS_SUSPENDED);
	CHECK_EQ(exo_thread_resume(w1.self), 0);
	CHECK_EQ(w1.flag, 2); // higher priority: ran to its end before resume returned
	CHECK_EQ(w1.result, 0);
	CHECK_EQ(exo_cap_delete(w1.self), 0);
	// The main thread suspends itself; a lower priority thread resumes it.
	w1.target = bi->thread;
	start_worker(&w1, W_RESUME, 10, 0);
	CHECK_EQ(w1.flag, 0);
	CHECK_EQ(exo_thread_suspend(bi->thread), 0);
	CHECK_EQ(w1.flag, 1); // resumed by the worker, which has not gone on yet (lower priority)
	CHECK(wait_flag(&w1.flag, 2));
	CHECK_EQ(w1.result, 0);
	CHECK_EQ(exo_cap_delete(w1.self), 0);
	CHECK_EQ(exo_thread_resume(bi->thread), E(EBUSY)); // running, not suspended

	// A sleep is cut short by suspend + resume.
	start_worker(&w1, W_SLEEP, 20, 0);
	CHECK_EQ(w1.flag, 1);
	CHECK_EQ(info_of(w1.self).b, TS_BLOCKED);
	CHECK_EQ(exo_thread_suspend(w1.self), 0);
	CHECK_EQ(info_of(w1.self).b, TS_SUSPENDED);
	CHECK_EQ(exo_thread_resume(w1.self), 0);
	CHECK_EQ(w1.flag, 2);
	CHECK_EQ(w1.result, 0);
	CHECK(w1.result2 >= 0 && w1.result2 < 1000000000);
	CHECK_EQ(exo_cap_delete(w1.self), 0);

	// clock_ns, thread_sleep, thread_yield.
	{
		long c0 = exo_clock_ns(), c1;

		CHECK(c0 > 0);
		CHECK_EQ(exo_thread_sleep(0), 0); // in the past: returns at once
		CHECK_EQ(exo_thread_sleep((uint64_t)c0), 0);
		CHECK_EQ(exo_thread_sleep((uint64_t)c0 + 3000000), 0);
		c1 = exo_clock_ns();
		CHECK(c1 >= c0 + 3000000);
		CHECK(c1 < c0 + 2000000000l);
		CHECK_EQ(exo_thread_yield(), 0);
		CHECK(exo_clock_ns() >= c1);
	}
	// clock_params: the clock computed from the TSC lies between two kernel reads.
	{
		struct exo_clock_params cp;
		uint64_t before, mine, after;
		uint32_t lo, hi;

		CHECK_EQ(exo_clock_params(&cp), 0);
		CHECK(cp.mult != 0); // QEMU's TSC rate is known
		before = (uint64_t)exo_clock_ns();
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		mine = (uint64_t)((unsigned __int128)(((uint64_t)hi << 32 | lo) - cp.tsc0) * cp.mult >> 32);
		after = (uint64_t)exo_clock_ns();
		CHECK(before <= mine && mine <= after);
		CHECK_EQ(exo_clock_params(NULL), E(EFAULT));
		CHECK_EQ(exo_clock_params((void *)KADDR), E(EFAULT));
		CHECK_EQ(exo_clock_params((void *)NONCANON), E(EFAULT));
		CHECK_EQ(exo_clock_params((void *)UNMAPPED), E(EFAULT));
		CHECK_EQ(exo_clock_params((void *)EXO_BOOTINFO_ADDR), E(EFAULT)); // read-only
	}

	// set_fs_base: per thread, kept across switches.
	fsa = map_fresh(VA(300));
	fsb = map_fresh(VA(301));
	*(volatile uint64_t *)VA(300) = 0xaaaa;
	*(volatile uint64_t *)VA(301) = 0xbbbb;
	CHECK_EQ(exo_set_fs_base(VA(300)), 0);
	CHECK_EQ(read_fs0(), 0xaaaa);
	w2.target = VA(301);
	start_worker(&w2, W_FS, 16, 1);
	exo_thread_yield();
	CHECK_EQ(w2.flag, 1);
	CHECK_EQ(w2.result, 0);
	CHECK_EQ(w2.counter, 0xbbbb);
	CHECK_EQ(read_fs0(), 0xaaaa);
	CHECK(wait_flag(&w2.flag, 2));
	CHECK_EQ(w2.result2, 0xbbbb);
	CHECK_EQ(read_fs0(), 0xaaaa);
	CHECK_EQ(exo_cap_delete(w2.self), 0);
	CHECK_EQ(exo_set_fs_base(KADDR), E(EINVAL));
	CHECK_EQ(exo_set_fs_base(KADDR2), E(EINVAL));
	CHECK_EQ(exo_set_fs_base(NONCANON), E(EINVAL));
	CHECK_EQ(exo_set_fs_base(NONCANON2), E(EINVAL));
	CHECK_EQ(exo_set_fs_base(USER_TOP + 1), E(EINVAL));
	CHECK_EQ(exo_set_fs_base(~0ul), E(EINVAL));
	CHECK_EQ(read_fs0(), 0xaaaa); // unchanged by the failures
	CHECK_EQ(exo_set_fs_base(VA(301) + 8), 0);
	CHECK_EQ(read_fs0(), 0);
	CHECK_EQ(exo_set_fs_base(0), 0);
	unmap_free(VA(300), fsa);
	unmap_free(VA(301), fsb);

	// The main thread's own priority.
	CHECK_EQ(exo_thread_set_prio(bi->thread, 31), 0);
	CHECK_EQ(exo_thread_set_prio(bi->thread, 16), 0);
	// A thread capability copied without CONTROL may only be looked at.
	t = (uint64_t)exo_cap_copy(bi->thread, 0, EXO_R_READ);
	CHECK_EQ(info_of(t).b, TS_RUNNING);
	CHECK_EQ(exo_thread_set_prio(t, 16), E(EPERM));
	CHECK_EQ(exo_cap_delete(t), 0);
}

static void test_processes(void)
{
	// mov $EXO_SYS_exit, %eax; mov $55, %edi; syscall; ud2
	static const uint8_t exit55[] = { 0xb8, EXO_SYS_exit, 0,    0,    0,   0xbf, 55, 0, 0,
		                          0,    0x0f,         0x05, 0x0f, 0x0b };
	struct exo_cap_info ci;
	uint64_t p, t, code, pr;
	long h, st, r;

	// process_create + thread_create/start of a thread with code in a new process.
	CHECK_EQ(exo_process_create(0, "x"), E(EBADCAP));
	CHECK_EQ(exo_process_create(bi->self, "x"), E(ETYPE));
	pr = (uint64_t)exo_cap_copy(cq, 0, EXO_R_READ);
	CHECK_EQ(exo_process_create(pr, "x"), E(EPERM));
	CHECK_EQ(exo_cap_delete(pr), 0);
	CHECK_EQ(exo_process_create(cq, NULL), E(EFAULT));
	CHECK_EQ(exo_process_create(cq, (void *)KADDR), E(EFAULT));
	CHECK_EQ(exo_process_create(cq, (void *)KADDR2), E(EFAULT));
	CHECK_EQ(exo_process_create(cq, (void *)NONCANON), E(EFAULT));
	CHECK_EQ(exo_process_create(cq, (void *)NONCANON2), E(EFAULT));
	CHECK_EQ(exo_process_create(cq, (void *)UNMAPPED), E(EFAULT));
	{
		// Names that end just before an unmapped page (16 bytes are not readable there).
		uint64_t np = map_fresh(VA(401));
		char *end = (char *)VA(402);

		memcpy(end - 8, "abcdefg", 8);
		h = exo_process_create(cq, end - 8);
		CHECK(h > 0);
		CHECK_EQ(exo_cap_delete((uint64_t)h), 0);
		memcpy(end - 2, "a", 2);
		h = exo_process_create(cq, end - 2);
		CHECK(h > 0);
		CHECK_EQ(exo_cap_delete((uint64_t)h), 0);
		end[-1] = '\0';
		h = exo_process_create(cq, end - 1);
		CHECK_BUG(h > 0, "process_create refuses an empty name on the last byte of mapped memory "
		                 "(EFAULT: its shrinking copy stops at 2 bytes)");
		if (h > 0)
			CHECK_EQ(exo_cap_delete((uint64_t)h), 0);
		CHECK_EQ(exo_process_create(cq, end), E(EFAULT));
		unmap_free(VA(401), np);
	}
	h = exo_process_create(cq, "raw-child");
	CHECK(h > 0);
	p = (uint64_t)h;
	ci = info_of(p);
	CHECK_EQ(ci.type, EXO_OBJ_PROCESS);
	CHECK_EQ(ci.rights, EXO_R_ALL);
	CHECK(ci.a != info_of(bi->self).a); // a new pid
	CHECK_EQ(ci.b, 0);
	CHECK_EQ(exo_process_status(p, &st), E(EAGAIN)); // no thread yet, but not ended
	code = alloc1(cq);
	CHECK_EQ(map1(bi->self, code, VA(400), EXO_R_READ | EXO_R_WRITE), 1);
	memcpy((void *)VA(400), exit55, sizeof(exit55));
	CHECK_EQ(unmap1(bi->self, VA(400)), 1);
	CHECK_EQ(map1(p, code, CHILD_CODE_VA, EXO_R_READ | EXO_R_EXEC), 1);
	CHECK_EQ(map1(p, code, CHILD_CODE_VA, EXO_R_READ), E(EEXIST));
	CHECK_EQ(unmap1(p, CHILD_CODE_VA + EXO_PAGE_SIZE), E(ENOENT));
	h = exo_thread_create(p, 16);
	CHECK(h > 0);
	t = (uint64_t)h;
	CHECK_EQ(exo_thread_start(t, CHILD_CODE_VA, 0x800000, 0), 0);
	CHECK_EQ(wait_status(p, &st), 0);
	CHECK_EQ(st, 55);
	CHECK_EQ(exo_cap_info(p, &ci), E(EBADCAP)); // ended: the capability is stale ...
	CHECK_EQ(exo_process_status(p, &st), 0);    // ... but its status stays readable
	CHECK_EQ(exo_process_status(p, NULL), E(EFAULT));
	CHECK_EQ(exo_process_status(p, (void *)KADDR), E(EFAULT));
	CHECK_EQ(exo_process_status(p, (void *)NONCANON), E(EFAULT));
	CHECK_EQ(exo_process_status(p, (void *)UNMAPPED), E(EFAULT));
	CHECK_EQ(exo_process_status(p, (void *)(uint64_t)test_processes), E(EFAULT)); // text
	CHECK_EQ(exo_process_status(p, (void *)&ro_word), E(EFAULT));
	CHECK_EQ(exo_process_kill(p, 1), E(EBADCAP));
	CHECK_EQ(exo_thread_create(p, 1), E(EBADCAP));
	CHECK_EQ(map1(p, code, CHILD_CODE_VA, EXO_R_READ), E(EBADCAP));
	CHECK_EQ(exo_cap_copy(tq, p, EXO_R_READ), E(EBADCAP));
	CHECK_EQ(exo_thread_suspend(t), E(EBADCAP));
	CHECK_EQ(exo_cap_delete(t), 0);
	CHECK_EQ(exo_cap_delete(p), 0);
	CHECK_EQ(exo_process_status(p, &st), E(EBADCAP));
	CHECK_EQ(used_of(cq), 1); // only our capability to the code frame is left
	CHECK_EQ(exo_cap_delete(code), 0);
	CHECK_EQ(used_of(cq), 0);

	// A thread that faults in a new process without code: the fault status.
	h = exo_process_create(cq, "no-code");
	p = (uint64_t)h;
	t = (uint64_t)exo_thread_create(p, 16);
	CHECK_EQ(exo_thread_start(t, 0x1000, 0x2000, 0), 0);
	CHECK_EQ(wait_status(p, &st), 0);
	CHECK_EQ(st, EXO_STATUS_FAULT(14));
	CHECK_EQ(exo_cap_delete(t), 0);
	CHECK_EQ(exo_cap_delete(p), 0);

	// Spawned copies of this program.
	r = spawn(CHILD_EXIT42, &p, &t);
	CHECK_EQ(r, 0);
	CHECK_EQ(wait_status(p, &st), 0);
	CHECK_EQ(st, 42);
	CHECK_EQ(used_of(cq), 0); // the child's memory went when it ended
	CHECK_EQ(exo_cap_delete(t), 0);
	CHECK_EQ(exo_cap_delete(p), 0);
	r = spawn(CHILD_EXIT_CALL, &p, &t);
	CHECK_EQ(r, 0);
	CHECK_EQ(wait_status(p, &st), 0);
	CHECK_EQ(st, -5);
	CHECK_EQ(exo_cap_delete(t), 0);
	CHECK_EQ(exo_cap_delete(p), 0);
	r = spawn(CHILD_FAULT, &p, &t);
	CHECK_EQ(r, 0);
	CHECK_EQ(wait_status(p, &st), 0);
	CHECK_EQ(st, EXO_STATUS_FAULT(14));
	CHECK_EQ(exo_cap_delete(t), 0);
	CHECK_EQ(exo_cap_delete(p), 0);
	CHECK_EQ(used_of(cq), 0);

	// A running child: status EAGAIN, capabilities across tables, then process_kill.
	r = spawn(CHILD_SLEEP, &p, &t);
	CHECK_EQ(r, 0);
	sleep_ms(5);
	CHECK_EQ(exo_process_status(p, &st), E(EAGAIN));
	CHECK_EQ(exo_process_status(p, NULL), E(EAGAIN)); // the state is checked first
	CHECK_EQ(exo_process_status(0, &st), E(EBADCAP));
	CHECK_EQ(exo_process_status(tq, &st), E(ETYPE));
	pr = (uint64_t)exo_cap_copy(p, 0, EXO_R_CONTROL);
	CHECK_EQ(exo_process_status(pr, &st), E(EPERM)); // needs READ
	CHECK_EQ(exo_cap_delete(pr), 0);
	pr = (uint64_t)exo_cap_copy(p, 0, EXO_R_READ);
	CHECK_EQ(exo_process_status(pr, &st), E(EAGAIN));
	CHECK_EQ(exo_process_kill(pr, 1), E(EPERM)); // needs CONTROL
	CHECK_EQ(exo_cap_copy(tq, pr, EXO_R_READ), E(EPERM));
	CHECK_EQ(exo_process_kill(0, 1), E(EBADCAP));
	CHECK_EQ(exo_process_kill(tq, 1), E(ETYPE));
	ci = info_of(t);
	CHECK_EQ(ci.type, EXO_OBJ_THREAD);
	CHECK(ci.b == TS_BLOCKED || ci.b == TS_RUNNABLE);
	{
		// Copies into the child's table: GRANT needed; revoke reaches into the child's table.
		uint64_t f = alloc1(tq), fng = (uint64_t)exo_cap_copy(f, 0, EXO_R_READ);

		CHECK_EQ(exo_cap_copy(fng, p, EXO_R_READ), E(EPERM)); // no GRANT
		CHECK_EQ(exo_cap_move(fng, p), E(EPERM));
		h = exo_cap_copy(f, p, EXO_R_READ);
		CHECK(h > 0);
		h = exo_cap_mint(f, EXO_R_READ | EXO_R_GRANT, 5);
		CHECK(h > 0);
		CHECK(exo_cap_move((uint64_t)h, p) > 0); // moved: gone from our table
		CHECK_EQ(exo_cap_info((uint64_t)h, &ci), E(EBADCAP));
		CHECK_EQ(exo_cap_delete(fng), 0);
		CHECK_EQ(exo_cap_delete(f), 0);
		CHECK_EQ(used_of(tq), 1); // the child's copies keep the frame
		f = alloc1(tq);
		CHECK_EQ(exo_cap_copy(f, p, EXO_R_READ) > 0, 1);
		CHECK_EQ(exo_cap_revoke(f), 0); // deletes the child's copy
		CHECK_EQ(exo_cap_delete(f), 0);
		CHECK_EQ(used_of(tq), 1); // only the first frame, still held by the child
	}
	CHECK_EQ(exo_process_kill(p, 77), 0);
	CHECK_EQ(used_of(tq), 0); // the child's table went with it
	CHECK_EQ(exo_process_status(p, &st), 0);
	CHECK_EQ(st, 77);
	CHECK_EQ(exo_process_status(pr, &st), 0);
	CHECK_EQ(st, 77);
	CHECK_EQ(exo_process_kill(p, 78), E(EBADCAP));
	CHECK_EQ(exo_cap_info(t, &ci), E(EBADCAP)); // its thread died with it
	CHECK_EQ(exo_cap_delete(pr), 0);
	CHECK_EQ(exo_cap_delete(t), 0);
	CHECK_EQ(exo_cap_delete(p), 0);
	CHECK_EQ(used_of(cq), 0);
}

static void test_ioport_mmio(void)
{
	struct exo_cap_info ci;
	uint64_t io, io2, iog, m, m2, mr;
	long h;

	// I/O ports: nothing is enabled until ioport_enable.
	CHECK(faults_inb(0x61));
	CHECK_EQ(probe.vector, 13);
	h = exo_ioport_restrict(bi->ioports, 0x60, 8);
	CHECK(h > 0);
	io = (uint64_t)h;
	ci = info_of(io);
	CHECK_EQ(ci.type, EXO_OBJ_IOPORT);
	CHECK_EQ(ci.a, 0x60);
	CHECK_EQ(ci.b, 8);
	CHECK_EQ(exo_ioport_restrict(io, 0x5f, 1), E(EINVAL));
	CHECK_EQ(exo_ioport_restrict(io, 0x68, 1), E(EINVAL));
	CHECK_EQ(exo_ioport_restrict(io, 0x60, 9), E(EINVAL));
	CHECK_EQ(exo_ioport_restrict(io, 0x60, 0), E(EINVAL));
	CHECK_EQ(exo_ioport_restrict(io, 0x67, ~0ul), E(EINVAL));
	CHECK_EQ(exo_ioport_restrict(io, ~0ul, 2), E(EINVAL)); // wraps
	CHECK_EQ(exo_ioport_restrict(bi->ioports, 0xffff, 2), E(EINVAL));
	CHECK_EQ(exo_ioport_restrict(bi->ioports, 0x10000, 1), E(EINVAL));
	CHECK_EQ(exo_ioport_restrict(bi->ioports, 0, 0x10001), E(EINVAL));
	CHECK_EQ(exo_ioport_restrict(0, 0x60, 1), E(EBADCAP));
	CHECK_EQ(exo_ioport_restrict(tq, 0x60, 1), E(ETYPE));
	h = exo_ioport_restrict(io, 0x61, 1);
	CHECK(h > 0);
	io2 = (uint64_t)h;
	CHECK_EQ(info_of(io2).a, 0x61);
	CHECK_EQ(info_of(io2).b, 1);
	CHECK_EQ(exo_ioport_enable(io2, 0x60, 1), E(EINVAL)); // outside its range
	CHECK_EQ(exo_ioport_enable(io2, 0x61, 2), E(EINVAL));
	CHECK_EQ(exo_ioport_enable(io2, 0x61, 0), E(EINVAL));
	CHECK_EQ(exo_ioport_enable(0, 0x61, 1), E(EBADCAP));
	CHECK_EQ(exo_ioport_enable(tq, 0x61, 1), E(ETYPE));
	iog = (uint64_t)exo_cap_copy(io2, 0, EXO_R_READ | EXO_R_WRITE);
	CHECK_EQ(exo_ioport_restrict(iog, 0x61, 1), E(EPERM)); // needs GRANT
	CHECK_EQ(exo_cap_delete(iog), 0);
	iog = (uint64_t)exo_cap_copy(io2, 0, EXO_R_READ | EXO_R_GRANT);
	CHECK_EQ(exo_ioport_enable(iog, 0x61, 1), E(EPERM)); // needs WRITE
	// A capability without WRITE must not yield one with WRITE by restricting it.
	h = exo_ioport_restrict(iog, 0x61, 1);
	CHECK(h > 0);
	CHECK_BUG((info_of((uint64_t)h).rights & ~(uint64_t)(EXO_R_READ | EXO_R_GRANT)) == 0,
	          "ioport_restrict gives more rights than its source capability has");
	exo_cap_delete((uint64_t)h);
	// Sub-ranges are derived from their source: revoking the source must remove them.
	h = exo_ioport_restrict(iog, 0x61, 1);
	CHECK(h > 0);
	CHECK_EQ(exo_cap_revoke(io2), 0);
	CHECK_EQ(exo_cap_info(iog, &ci), E(EBADCAP));
	CHECK_BUG(exo_cap_info((uint64_t)h, &ci) == E(EBADCAP),
	          "a capability made by ioport_restrict survives cap_revoke of its source");
	exo_cap_delete((uint64_t)h);
	CHECK(faults_inb(0x61));
	CHECK_EQ(exo_ioport_enable(io2, 0x61, 1), 0);
	CHECK(!faults_inb(0x61));
	CHECK(faults_inb(0x60)); // only what was enabled
	CHECK(faults_inb(0x62));
	CHECK_EQ(exo_cap_delete(io2), 0);
	CHECK_EQ(exo_cap_delete(io), 0);

	// Device memory: the VGA text buffer (not RAM) maps uncached; RAM and the kernel's interrupt
	// controllers never do.
	h = exo_mmio_restrict(bi->mmio, 0xb8000, 0x2000);
	CHECK(h > 0);
	m = (uint64_t)h;
	ci = info_of(m);
	CHECK_EQ(ci.type, EXO_OBJ_MMIO);
	CHECK_EQ(ci.a, 0xb8000);
	CHECK_EQ(ci.b, 0x2000);
	CHECK_EQ(exo_mmio_map(m, bi->self, VA(500), 0xb8000, 2), 0);
	{
		volatile uint16_t *vga = (volatile uint16_t *)VA(500);

		vga[0] = 0x0741;
		vga[2048 + 5] = 0x0742; // second page
		CHECK_EQ(vga[0], 0x0741);
		CHECK_EQ(vga[2048 + 5], 0x0742);
		vga[0] = 0x0720;
		vga[2048 + 5] = 0x0720;
	}
	CHECK_EQ(exo_mmio_map(m, bi->self, VA(500), 0xb8000, 1), E(EEXIST));
	CHECK_EQ(unmap1(bi->self, VA(501)), 1);
	CHECK_EQ(unmap1(bi->self, VA(500)), 1);
	CHECK(faults_read(VA(500)));
	// A multi-page map that runs into a mapped page is undone.
	mr = map_fresh(VA(511));
	CHECK_EQ(exo_mmio_map(m, bi->self, VA(510), 0xb8000, 2), E(EEXIST));
	CHECK_EQ(unmap1(bi->self, VA(510)), E(ENOENT));
	unmap_free(VA(511), mr);
	CHECK_EQ(exo_mmio_map(m, bi->self, VA(500), 0xb9000, 2), E(EINVAL)); // beyond the capability
	CHECK_EQ(exo_mmio_map(m, bi->self, VA(500), 0xb7000, 1), E(EINVAL));
	CHECK_EQ(exo_mmio_map(m, bi->self, VA(500), 0xb8800, 1), E(EINVAL)); // unaligned
	CHECK_EQ(exo_mmio_map(m, bi->self, VA(500) + 8, 0xb8000, 1), E(EINVAL));
	CHECK_EQ(exo_mmio_map(m, bi->self, VA(500), 0xb8000, 0), E(EINVAL));
	CHECK_EQ(exo_mmio_map(bi->mmio, bi->self, VA(500), 0xb8000, 513), E(EINVAL));
	CHECK_EQ(exo_mmio_map(bi->mmio, bi->self, VA(500), 0xb8000, ~0ul), E(EINVAL));
	CHECK_EQ(exo_mmio_map(m, bi->self, 0, 0xb8000, 1), E(EINVAL));
	CHECK_EQ(exo_mmio_map(m, bi->self, KADDR, 0xb8000, 1), E(EINVAL));
	CHECK_EQ(exo_mmio_map(m, bi->self, NONCANON, 0xb8000, 1), E(EINVAL));
	CHECK_EQ(exo_mmio_map(m, bi->self, USER_TOP, 0xb8000, 1), E(EINVAL));
	CHECK_EQ(exo_mmio_map(bi->mmio, bi->self, VA(500), 0, 1), E(EINVAL));          // RAM
	CHECK_EQ(exo_mmio_map(bi->mmio, bi->self, VA(500), 0x100000, 1), E(EINVAL));   // the kernel
	CHECK_EQ(exo_mmio_map(bi->mmio, bi->self, VA(500), 0x1000000, 16), E(EINVAL)); // RAM
	CHECK_EQ(exo_mmio_map(bi->mmio, bi->self, VA(500), 0x9f000, 2), E(EINVAL));    // starts in RAM
	CHECK_EQ(exo_mmio_map(bi->mmio, bi->self, VA(500), 0xfee00000, 1), E(EINVAL)); // local APIC
	CHECK_EQ(exo_mmio_map(bi->mmio, bi->self, VA(500), 0xfec00000, 1), E(EINVAL)); // IOAPIC
	CHECK_EQ(exo_mmio_map(bi->mmio, bi->self, VA(500), 1ull << 52, 1), E(EINVAL)); // beyond
	CHECK_EQ(exo_mmio_map(0, bi->self, VA(500), 0xb8000, 1), E(EBADCAP));
	CHECK_EQ(exo_mmio_map(tq, bi->self, VA(500), 0xb8000, 1), E(ETYPE));
	CHECK_EQ(exo_mmio_map(m, tq, VA(500), 0xb8000, 1), E(ETYPE));
	CHECK_EQ(exo_mmio_map(m, 0, VA(500), 0xb8000, 1), E(EBADCAP));
	mr = (uint64_t)exo_cap_copy(bi->self, 0, EXO_R_READ);
	CHECK_EQ(exo_mmio_map(m, mr, VA(500), 0xb8000, 1), E(EPERM)); // process without CONTROL
	CHECK_EQ(exo_cap_delete(mr), 0);
	mr = (uint64_t)exo_cap_copy(m, 0, EXO_R_READ | EXO_R_GRANT);
	CHECK_EQ(exo_mmio_map(mr, bi->self, VA(500), 0xb8000, 1), E(EPERM)); // needs READ and WRITE
	h = exo_mmio_restrict(mr, 0xb8000, 0x1000);
	CHECK(h > 0);
	CHECK_BUG((info_of((uint64_t)h).rights & ~(uint64_t)(EXO_R_READ | EXO_R_GRANT)) == 0,
	          "mmio_restrict gives more rights than its source capability has");
	CHECK_EQ(exo_cap_delete((uint64_t)h), 0);
	CHECK_EQ(exo_cap_delete(mr), 0);
	mr = (uint64_t)exo_cap_copy(m, 0, EXO_R_READ | EXO_R_WRITE);
	CHECK_EQ(exo_mmio_restrict(mr, 0xb8000, 0x1000), E(EPERM)); // needs GRANT
	CHECK_EQ(exo_cap_delete(mr), 0);
	// mmio_restrict: page-aligned sub-ranges only.
	h = exo_mmio_restrict(m, 0xb9000, 0x1000);
	CHECK(h > 0);
	m2 = (uint64_t)h;
	CHECK_EQ(info_of(m2).a, 0xb9000);
	CHECK_EQ(exo_mmio_map(m2, bi->self, VA(500), 0xb8000, 1), E(EINVAL));
	CHECK_EQ(exo_mmio_map(m2, bi->self, VA(500), 0xb9000, 1), 0);
	CHECK_EQ(unmap1(bi->self, VA(500)), 1);
	CHECK_EQ(exo_cap_delete(m2), 0);
	CHECK_EQ(exo_mmio_restrict(m, 0xb8000, 0x3000), E(EINVAL));
	CHECK_EQ(exo_mmio_restrict(m, 0xb7000, 0x1000), E(EINVAL));
	CHECK_EQ(exo_mmio_restrict(m, 0xb8000, 0x800), E(EINVAL));  // unaligned size
	CHECK_EQ(exo_mmio_restrict(m, 0xb8800, 0x1000), E(EINVAL)); // unaligned address
	CHECK_EQ(exo_mmio_restrict(m, 0xb8000, 0), E(EINVAL));
	CHECK_EQ(exo_mmio_restrict(m, ~0xfffull, 0x2000), E(EINVAL)); // wraps
	CHECK_EQ(exo_mmio_restrict(bi->mmio, 0, 1ull << 53), E(EINVAL));
	CHECK_EQ(exo_mmio_restrict(0, 0xb8000, 0x1000), E(EBADCAP));
	CHECK_EQ(exo_mmio_restrict(tq, 0xb8000, 0x1000), E(ETYPE));
	CHECK_EQ(exo_cap_delete(m), 0);
}

static void test_irq(void)
{
	static struct worker w;
	uint64_t irq2 = bi->irq_first + 2, irq5 = bi->irq_first + 5, last = bi->irq_first + bi->nirqs - 1;
	uint64_t ir, n;
	uint16_t div = 1193; // ~1 kHz

	CHECK_EQ(exo_irq_wait(0), E(EBADCAP));
	CHECK_EQ(exo_irq_wait(tq), E(ETYPE));
	CHECK_EQ(exo_irq_ack(0), E(EBADCAP));
	CHECK_EQ(exo_irq_ack(tq), E(ETYPE));
	CHECK_EQ(exo_irq_ack(last), E(EINVAL)); // never routed
	ir = (uint64_t)exo_cap_copy(irq2, 0, EXO_R_WRITE);
	CHECK_EQ(exo_irq_wait(ir), E(EPERM)); // needs READ
	CHECK_EQ(exo_cap_delete(ir), 0);
	ir = (uint64_t)exo_cap_copy(irq2, 0, EXO_R_READ);
	CHECK_EQ(exo_irq_ack(ir), E(EPERM)); // needs WRITE
	CHECK_EQ(exo_cap_delete(ir), 0);

	// One waiter per line: a thread waits on GSI 5 (no device), a second wait is refused.
	w.target = irq5;
	start_worker(&w, W_IRQ_WAIT, 20, 2);
	CHECK_EQ(w.flag, 1);
	CHECK_EQ(info_of(w.self).b, TS_WAIT_IRQ);
	CHECK_EQ(exo_irq_wait(irq5), E(EBUSY));
	CHECK_EQ(exo_thread_suspend(w.self), E(EBUSY));
	CHECK_EQ(exo_thread_resume(w.self), E(EBUSY));
	CHECK_EQ(exo_thread_set_prio(w.self, 21), 0);
	CHECK_EQ(exo_thread_destroy(w.self), 0); // ends the wait
	CHECK_EQ(w.flag, 1);
	CHECK_EQ(exo_cap_delete(w.self), 0);
	CHECK_EQ(exo_irq_ack(irq5), 0); // routed by the wait

	// The PIT (ISA IRQ 0, GSI 2 through the MADT override) at ~1 kHz. The wait happens in a thread
	// so that a missing interrupt is a failed check instead of a hang.
	CHECK_EQ(exo_ioport_enable(bi->ioports, 0x40, 4), 0);
	CHECK(!faults_inb(0x40));
	CHECK(faults_inb(0x44));
	outb(0x43, 0x34); // channel 0, lo/hi byte, rate generator
	outb(0x40, div & 0xff);
	outb(0x40, div >> 8);
	for (int round = 0; round < 3; round++) {
		w.target = irq2;
		start_worker(&w, W_IRQ_WAIT, 20, 2);
		if (!wait_flag(&w.flag, 2)) {
			exo_printf("syscalls: no PIT interrupt on GSI 2\n");
			failures++;
			exo_thread_destroy(w.self);
		}
		CHECK(w.result >= 1);
		CHECK_EQ(exo_cap_delete(w.self), 0);
		CHECK_EQ(exo_irq_ack(irq2), 0);
	}
	// Directly from the main thread as well, now that it is known to fire.
	CHECK(exo_irq_wait(irq2) >= 1);
	CHECK_EQ(exo_irq_ack(irq2), 0);

	// irq_bind: the line signals a notification bit instead.
	n = (uint64_t)exo_notify_create();
	CHECK_EQ(exo_irq_bind(irq2, n, 63), E(EINVAL));
	CHECK_EQ(exo_irq_bind(irq2, n, ~0ull), E(EINVAL));
	CHECK_EQ(exo_irq_bind(irq2, tq, 1), E(ETYPE));
	CHECK_EQ(exo_irq_bind(irq2, 12345, 1), E(EBADCAP));
	CHECK_EQ(exo_irq_bind(tq, n, 1), E(ETYPE));
	CHECK_EQ(exo_irq_bind(0, n, 1), E(EBADCAP));
	ir = (uint64_t)exo_cap_copy(irq2, 0, EXO_R_READ);
	CHECK_EQ(exo_irq_bind(ir, n, 1), E(EPERM)); // needs WRITE on the IRQ
	CHECK_EQ(exo_cap_delete(ir), 0);
	ir = (uint64_t)exo_cap_copy(n, 0, EXO_R_READ);
	CHECK_EQ(exo_irq_bind(irq2, ir, 1), E(EPERM)); // and on the notification
	CHECK_EQ(exo_cap_delete(ir), 0);
	CHECK_EQ(exo_irq_bind(irq2, n, 1), 0);
	CHECK_EQ(exo_irq_wait(irq2), E(EBUSY)); // bound: nobody waits
	w.target = n;
	start_worker(&w, W_NTFN_WAIT, 20, 2);
	if (!wait_flag(&w.flag, 2)) {
		exo_printf("syscalls: no PIT interrupt through the notification\n");
		failures++;
		exo_thread_destroy(w.self);
	}
	CHECK_EQ(w.result, 2);
	CHECK_EQ(exo_cap_delete(w.self), 0);
	CHECK_EQ(exo_irq_ack(irq2), 0);
	CHECK_EQ(exo_irq_bind(irq2, 0, 0), 0); // unbinds
	CHECK_EQ(exo_irq_bind(irq2, 0, 0), 0);
	CHECK_EQ(exo_irq_ack(irq2), 0); // (a tick while bound may have masked the line again)
	w.target = irq2;
	start_worker(&w, W_IRQ_WAIT, 20, 2); // waiting works again
	if (!wait_flag(&w.flag, 2)) {
		exo_printf("syscalls: no PIT interrupt after irq_bind(0)\n");
		failures++;
		exo_thread_destroy(w.self);
	}
	CHECK(w.result >= 1);
	CHECK_EQ(exo_cap_delete(w.self), 0);
	CHECK_EQ(exo_irq_ack(irq2), 0);
	outb(0x43, 0x30); // channel 0, mode 0, no count: stops
	// No binding while a thread waits.
	w.target = irq5;
	start_worker(&w, W_IRQ_WAIT, 20, 2);
	CHECK_EQ(exo_irq_bind(irq5, n, 1), E(EBUSY));
	CHECK_EQ(exo_thread_destroy(w.self), 0);
	CHECK_EQ(exo_cap_delete(w.self), 0);
	CHECK_EQ(exo_cap_delete(n), 0);
	// A binding whose notification and IRQ capabilities are all deleted must not live on (it
	// would keep the notification, and the line busy, for good - across processes).
	ir = (uint64_t)exo_cap_copy(irq5, 0, EXO_R_ALL);
	n = (uint64_t)exo_notify_create();
	CHECK_EQ(exo_irq_bind(ir, n, 3), 0);
	CHECK_EQ(exo_cap_delete(n), 0);
	CHECK_EQ(exo_cap_delete(ir), 0);
	w.target = irq5;
	start_worker(&w, W_IRQ_WAIT, 20, 2);
	CHECK_BUG(w.flag == 1 && info_of(w.self).b == TS_WAIT_IRQ,
	          "irq_bind: the binding outlives every capability to its notification (irq_wait: EBUSY)");
	exo_thread_destroy(w.self);
	CHECK_EQ(exo_cap_delete(w.self), 0);
	CHECK_EQ(exo_irq_bind(irq5, 0, 0), 0); // (frees the orphaned notification)
}

static void test_timeslice(void)
{
	uint64_t root = bi->timeslice, t60, t40, t, ts5, r, p, th;
	struct exo_cap_info ci;
	int seen = 0;
	long h, st;

	CHECK_EQ(exo_timeslice_split(root, PERIOD + 1), E(EINVAL));
	CHECK_EQ(exo_timeslice_split(root, ~0ul), E(EINVAL));
	CHECK_EQ(exo_timeslice_split(root, 0), E(ENOMEM));
	CHECK_EQ(exo_timeslice_split(0, 1), E(EBADCAP));
	CHECK_EQ(exo_timeslice_split(tq, 1), E(ETYPE));
	r = (uint64_t)exo_cap_copy(root, 0, EXO_R_READ | EXO_R_CONTROL | EXO_R_GRANT);
	CHECK_EQ(exo_timeslice_split(r, 1), E(EPERM)); // needs WRITE
	// Splitting moves budget: what is left of the parent bounds the next split.
	h = exo_timeslice_split(root, 60);
	CHECK(h > 0);
	t60 = (uint64_t)h;
	ci = info_of(t60);
	CHECK_EQ(ci.type, EXO_OBJ_TIMESLICE);
	CHECK_EQ(ci.rights, EXO_R_ALL);
	CHECK_EQ(ci.a, 60);
	CHECK_EQ(ci.b, 0);
	CHECK_EQ(exo_timeslice_split(root, PERIOD - 60 + 1), E(ENOMEM));
	h = exo_timeslice_split(root, PERIOD - 60);
	CHECK(h > 0);
	t40 = (uint64_t)h;
	CHECK_EQ(exo_timeslice_split(root, 1), E(ENOMEM));
	h = exo_timeslice_split(t60, 60); // all of it
	CHECK(h > 0);
	t = (uint64_t)h;
	CHECK_EQ(exo_timeslice_split(t60, 1), E(ENOMEM));
	CHECK_EQ(exo_cap_delete(t), 0); // gives its budget back
	h = exo_timeslice_split(t60, 1);
	CHECK(h > 0);
	CHECK_EQ(exo_cap_delete((uint64_t)h), 0);
	CHECK_EQ(exo_cap_delete(t40), 0);
	h = exo_timeslice_split(root, PERIOD - 60);
	CHECK(h > 0);
	CHECK_EQ(exo_cap_delete((uint64_t)h), 0);

	// A busy child bound to 5 ticks per period is throttled.
	h = exo_timeslice_split(t60, 5);
	CHECK(h > 0);
	ts5 = (uint64_t)h;
	CHECK_EQ(spawn(CHILD_SPIN, &p, &th), 0);
	CHECK_EQ(exo_process_set_timeslice(0, ts5), E(EBADCAP));
	CHECK_EQ(exo_process_set_timeslice(tq, ts5), E(ETYPE));
	CHECK_EQ(exo_process_set_timeslice(p, tq), E(ETYPE));
	CHECK_EQ(exo_process_set_timeslice(p, 0), E(EBADCAP));
	CHECK_EQ(exo_process_set_timeslice(p, r), E(EPERM)); // needs WRITE on the timeslice
	t = (uint64_t)exo_cap_copy(p, 0, EXO_R_READ | EXO_R_WRITE | EXO_R_GRANT);
	CHECK_EQ(exo_process_set_timeslice(t, ts5), E(EPERM)); // needs CONTROL on the process
	CHECK_EQ(exo_cap_delete(t), 0);
	CHECK_EQ(exo_process_set_timeslice(p, ts5), 0);
	CHECK_EQ(exo_process_set_timeslice(p, ts5), E(EBUSY)); // bound once
	CHECK_EQ(exo_process_set_timeslice(p, t60), E(EBUSY));
	for (int i = 0; i < 100 && !seen; i++) {
		sleep_ms(10);
		seen = info_of(th).b == TS_THROTTLED;
	}
	CHECK(seen);
	if (seen) { // suspend and resume work on a throttled thread too
		CHECK_EQ(exo_thread_suspend(th), 0);
		CHECK_EQ(info_of(th).b, TS_SUSPENDED);
		CHECK_EQ(exo_thread_resume(th), 0);
	}
	sleep_ms(250);
	CHECK(info_of(ts5).b >= 2); // periods in which it ran out
	CHECK_EQ(exo_process_status(p, &st), E(EAGAIN));
	CHECK_EQ(exo_process_kill(p, 9), 0);
	CHECK_EQ(exo_process_status(p, &st), 0);
	CHECK_EQ(st, 9);
	CHECK_EQ(exo_cap_delete(th), 0);
	CHECK_EQ(exo_cap_delete(p), 0);
	CHECK_EQ(used_of(cq), 0);
	CHECK_EQ(exo_cap_delete(ts5), 0);
	CHECK_EQ(exo_cap_delete(t60), 0);
	CHECK_EQ(exo_cap_delete(r), 0);
	h = exo_timeslice_split(root, PERIOD); // everything came back
	CHECK(h > 0);
	CHECK_EQ(exo_cap_delete((uint64_t)h), 0);
	CHECK_EQ(exo_cap_info(ts5, &ci), E(EBADCAP));
}

static void test_notify(void)
{
	static struct worker w;
	struct exo_cap_info ci;
	uint64_t n, nr, nw;
	long h, t0;

	h = exo_notify_create();
	CHECK(h > 0);
	n = (uint64_t)h;
	ci = info_of(n);
	CHECK_EQ(ci.type, EXO_OBJ_NOTIFICATION);
	CHECK_EQ(ci.rights, EXO_R_ALL);
	CHECK_EQ(exo_notify_poll(n), 0);
	CHECK_EQ(exo_notify_signal(n, 5), 0);
	CHECK_EQ(exo_notify_signal(n, 0x40), 0);
	CHECK_EQ(exo_notify_signal(n, 0), 0);
	CHECK_EQ(exo_notify_poll(n), 0x45); // ORed, then cleared
	CHECK_EQ(exo_notify_poll(n), 0);
	CHECK_EQ(exo_notify_signal(n, 1ull << 63), E(EINVAL)); // reserved: results stay non-negative
	CHECK_EQ(exo_notify_signal(n, ~0ull), E(EINVAL));
	CHECK_EQ(exo_notify_signal(n, 1ull << 62), 0);
	CHECK_EQ(exo_notify_wait(n), 1l << 62); // a set word: no waiting
	CHECK_EQ(exo_notify_poll(0), E(EBADCAP));
	CHECK_EQ(exo_notify_wait(0), E(EBADCAP));
	CHECK_EQ(exo_notify_signal(0, 1), E(EBADCAP));
	CHECK_EQ(exo_notify_timer(0, 1, 1, 0), E(EBADCAP));
	CHECK_EQ(exo_notify_poll(tq), E(ETYPE));
	CHECK_EQ(exo_notify_wait(tq), E(ETYPE));
	CHECK_EQ(exo_notify_signal(tq, 1), E(ETYPE));
	nr = (uint64_t)exo_cap_copy(n, 0, EXO_R_READ);
	nw = (uint64_t)exo_cap_copy(n, 0, EXO_R_WRITE);
	CHECK_EQ(exo_notify_signal(nr, 1), E(EPERM));
	CHECK_EQ(exo_notify_timer(nr, 1, 1, 0), E(EPERM));
	CHECK_EQ(exo_notify_poll(nw), E(EPERM));
	CHECK_EQ(exo_notify_wait(nw), E(EPERM));
	// A waiter is woken by a signal through another capability.
	w.target = nr;
	start_worker(&w, W_NTFN_WAIT, 20, 0);
	CHECK_EQ(w.flag, 1);
	CHECK_EQ(info_of(w.self).b, TS_NTFN_WAIT);
	CHECK_EQ(exo_notify_signal(nw, 0x30), 0);
	CHECK_EQ(w.flag, 2); // higher priority: ran at once
	CHECK_EQ(w.result, 0x30);
	CHECK_EQ(exo_notify_poll(n), 0); // the waiter took the word
	CHECK_EQ(exo_cap_delete(w.self), 0);
	// A waiter that is destroyed leaves the notification usable.
	start_worker(&w, W_NTFN_WAIT, 20, 0);
	CHECK_EQ(exo_thread_destroy(w.self), 0);
	CHECK_EQ(exo_cap_delete(w.self), 0);
	CHECK_EQ(exo_notify_signal(n, 2), 0);
	CHECK_EQ(exo_notify_poll(n), 2);

	// Timers: one-shot, cancelled, periodic, replaced.
	CHECK_EQ(exo_notify_timer(n, 63, 1, 0), E(EINVAL));
	CHECK_EQ(exo_notify_timer(n, ~0ull, 1, 0), E(EINVAL));
	CHECK_EQ(exo_notify_timer(n, 1, 1, 99999), E(EINVAL)); // faster than 10 kHz
	CHECK_EQ(exo_notify_timer(n, 1, 1, 1), E(EINVAL));
	t0 = exo_clock_ns();
	CHECK_EQ(exo_notify_timer(n, 3, (uint64_t)t0 + 2000000, 0), 0);
	w.target = n;
	start_worker(&w, W_NTFN_WAIT, 20, 0);
	CHECK(wait_flag(&w.flag, 2));
	CHECK_EQ(w.result, 8);
	CHECK(exo_clock_ns() >= t0 + 2000000);
	CHECK_EQ(exo_cap_delete(w.self), 0);
	sleep_ms(3);
	CHECK_EQ(exo_notify_poll(n), 0); // one-shot: fired once
	CHECK_EQ(exo_notify_timer(n, 2, (uint64_t)exo_clock_ns() + 2000000, 0), 0);
	CHECK_EQ(exo_notify_timer(n, 2, 0, 0), 0); // cancels
	sleep_ms(4);
	CHECK_EQ(exo_notify_poll(n), 0);
	CHECK_EQ(exo_notify_timer(n, 4, (uint64_t)exo_clock_ns() + 1000000, 1000000), 0);
	sleep_ms(5);
	CHECK_EQ(exo_notify_poll(n), 16);
	sleep_ms(3);
	CHECK_EQ(exo_notify_poll(n), 16); // again: periodic
	CHECK_EQ(exo_notify_timer(n, 4, 0, 0), 0);
	exo_notify_poll(n);
	sleep_ms(3);
	CHECK_EQ(exo_notify_poll(n), 0);
	CHECK_EQ(exo_notify_timer(n, 5, (uint64_t)exo_clock_ns() + 3600000000000ull, 0), 0);
	CHECK_EQ(exo_notify_timer(n, 6, (uint64_t)exo_clock_ns() + 1000000, 0), 0); // replaces it
	sleep_ms(3);
	CHECK_EQ(exo_notify_poll(n), 1 << 6);
	// Deleting a notification with an armed timer disarms it.
	CHECK_EQ(exo_notify_timer(n, 1, (uint64_t)exo_clock_ns() + 2000000, 1000000), 0);
	CHECK_EQ(exo_cap_delete(nr), 0);
	CHECK_EQ(exo_cap_delete(nw), 0);
	CHECK_EQ(exo_cap_delete(n), 0);
	sleep_ms(4);
	CHECK_EQ(exo_notify_poll(n), E(EBADCAP));
}

static long send1(uint64_t ep, uint64_t tag, uint64_t w0)
{
	struct exo_msg m = { tag, 0, { w0, 0, 0, 0 } };

	return exo_send(ep, &m);
}

static void test_ipc(void)
{
	static struct worker srv, caller, holder;
	struct exo_ipc_buffer *b = (struct exo_ipc_buffer *)VA(600);
	struct exo_cap_info ci;
	struct exo_msg m;
	uint64_t ep, epr, epw, badged, buf0, buf1, gpage, f, f2, fr, fm;
	long h, r, t0, cnt;

	h = exo_endpoint_create();
	CHECK(h > 0);
	ep = (uint64_t)h;
	ci = info_of(ep);
	CHECK_EQ(ci.type, EXO_OBJ_ENDPOINT);
	CHECK_EQ(ci.rights, EXO_R_ALL);
	// Nobody there: non-blocking calls fail at once.
	CHECK_EQ(send1(ep, EXO_TAG(1, 0, 0) | EXO_IPC_NONBLOCK, 0), E(EAGAIN));
	m = (struct exo_msg){ EXO_TAG(1, 1, 0) | EXO_IPC_NONBLOCK, 0, { 0 } };
	CHECK_EQ(exo_call(ep, &m), E(EAGAIN));
	m.tag = EXO_IPC_NONBLOCK;
	CHECK_EQ(exo_recv(ep, &m), E(EAGAIN));
	// Malformed tags and flags.
	m.tag = EXO_TAG(1, 0, 0);
	CHECK_EQ(exo_recv(ep, &m), E(EINVAL)); // recv takes flags only
	m.tag = EXO_IPC_GRANT;
	CHECK_EQ(exo_recv(ep, &m), E(EINVAL));
	m.tag = EXO_IPC_TIMEOUT; // needs a buffer (the deadline is there)
	CHECK_EQ(exo_recv(ep, &m), E(EINVAL));
	CHECK_EQ(send1(ep, EXO_TAG(1, 5, 0) | EXO_IPC_NONBLOCK, 0), E(EINVAL)); // words 4.. need a buffer
	CHECK_EQ(send1(ep, EXO_TAG(1, 0, 1) | EXO_IPC_NONBLOCK, 0), E(EINVAL)); // capabilities too
	CHECK_EQ(send1(ep, EXO_IPC_GRANT | EXO_IPC_NONBLOCK, 0), E(EINVAL));
	CHECK_EQ(send1(ep, EXO_IPC_TIMEOUT, 0), E(EINVAL));
	CHECK_EQ(send1(ep, 0x80 | EXO_IPC_NONBLOCK, 0), E(EINVAL)); // reserved bits
	CHECK_EQ(send1(ep, 0x400 | EXO_IPC_NONBLOCK, 0), E(EINVAL));
	CHECK_EQ(send1(ep, 0x800 | EXO_IPC_NONBLOCK, 0), E(EINVAL));
	CHECK_EQ(send1(ep, 0x8000 | EXO_IPC_NONBLOCK, 0), E(EINVAL));
	CHECK_EQ(send1(ep, 65 | EXO_IPC_NONBLOCK, 0), E(EINVAL)); // more than 64 words
	m = (struct exo_msg){ EXO_TAG(L_REPLY, 0, 0), 0, { 0 } };
	CHECK_EQ(exo_reply(&m), E(ENOENT)); // no call to answer
	CHECK_EQ(send1(0, EXO_IPC_NONBLOCK, 0), E(EBADCAP));
	CHECK_EQ(send1(tq, EXO_IPC_NONBLOCK, 0), E(ETYPE));
	epr = (uint64_t)exo_cap_copy(ep, 0, EXO_R_READ);
	epw = (uint64_t)exo_cap_copy(ep, 0, EXO_R_WRITE);
	CHECK_EQ(send1(epr, EXO_IPC_NONBLOCK, 0), E(EPERM)); // sending needs WRITE
	m.tag = EXO_IPC_NONBLOCK;
	CHECK_EQ(exo_recv(epw, &m), E(EPERM)); // receiving needs READ
	CHECK_EQ(exo_recv(0, &m), E(EBADCAP));
	CHECK_EQ(exo_recv(tq, &m), E(ETYPE));

	// ipc_set_buffer: a mapped, writable page of this process.
	buf0 = map_fresh(VA(600));
	buf1 = map_fresh(VA(601));
	CHECK_EQ(set_buffer(VA(600) + 8), E(EINVAL));
	CHECK_EQ(set_buffer(KADDR), E(EINVAL));
	CHECK_EQ(set_buffer(NONCANON), E(EINVAL));
	CHECK_EQ(set_buffer(USER_TOP), E(EINVAL));
	CHECK_EQ(set_buffer(UNMAPPED), E(EFAULT));
	CHECK_EQ(set_buffer((uint64_t)test_ipc & ~0xfffull), E(EFAULT)); // text
	CHECK_EQ(set_buffer((uint64_t)&ro_word & ~0xfffull), E(EFAULT)); // rodata
	CHECK_EQ(set_buffer(EXO_BOOTINFO_ADDR), E(EFAULT));              // read-only
	CHECK_EQ(set_buffer(0), 0);
	CHECK_EQ(set_buffer(VA(600)), 0);
	// Timeouts.
	t0 = exo_clock_ns();
	b->deadline = (uint64_t)t0 + 2000000;
	m.tag = EXO_IPC_TIMEOUT;
	CHECK_EQ(exo_recv(ep, &m), E(ETIMEDOUT));
	CHECK(exo_clock_ns() >= t0 + 2000000);
	b->deadline = (uint64_t)exo_clock_ns() + 1000000;
	CHECK_EQ(send1(ep, EXO_TAG(1, 0, 0) | EXO_IPC_TIMEOUT, 0), E(ETIMEDOUT));
	b->deadline = (uint64_t)exo_clock_ns() + 1000000;
	m = (struct exo_msg){ EXO_TAG(1, 0, 0) | EXO_IPC_TIMEOUT, 0, { 0 } };
	CHECK_EQ(exo_call(ep, &m), E(ETIMEDOUT));

	// A server thread (higher priority: it has handled each message when the send returns).
	srv.target = ep;
	srv.buf = VA(601);
	srv.window = VA(610);
	srv.window_pages = 2;
	start_worker(&srv, W_SERVER, 20, 0);
	CHECK_EQ(srv.flag, 1);
	CHECK_EQ(srv.result2, 0);
	CHECK_EQ(info_of(srv.self).b, TS_IPC_RECV);
	m = (struct exo_msg){ EXO_TAG(L_PLAIN, 4, 0), 0, { 1, 2, 3, 4 } };
	CHECK_EQ(exo_send(ep, &m), 0);
	CHECK_EQ(srv.counter, 1);
	CHECK_EQ(srv.msg.tag, EXO_TAG(L_PLAIN, 4, 0));
	CHECK_EQ(srv.msg.badge, 0);
	CHECK(srv.msg.w[0] == 1 && srv.msg.w[1] == 2 && srv.msg.w[2] == 3 && srv.msg.w[3] == 4);
	CHECK_EQ(send1(epw, EXO_TAG(L_PLAIN, 1, 0) | EXO_IPC_NONBLOCK, 9), 0); // flags do not arrive
	CHECK_EQ(srv.counter, 2);
	CHECK_EQ(srv.msg.tag, EXO_TAG(L_PLAIN, 1, 0));
	CHECK_EQ(srv.msg.w[0], 9);
	badged = (uint64_t)exo_cap_mint(ep, EXO_R_WRITE, 0xbeef);
	CHECK_EQ(send1(badged, EXO_TAG(L_PLAIN, 0, 0), 0), 0);
	CHECK_EQ(srv.msg.badge, 0xbeef);
	for (int i = 4; i < 12; i++)
		b->w[i] = 100 + (uint64_t)i;
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 10, 0), 0), 0); // words 4..9 through the buffers
	for (int i = 0; i < 6; i++)
		CHECK_EQ(srv.words[i], 104 + i);
	// Calls: the reply comes back in the message.
	m = (struct exo_msg){ EXO_TAG(L_CALL, 2, 0), 0, { 41, 0, 0, 0 } };
	CHECK_EQ(exo_call(ep, &m), 0);
	CHECK_EQ(m.tag, EXO_TAG(L_REPLY, 2, 0));
	CHECK_EQ(m.w[0], 42);
	CHECK_EQ(m.w[1], 0);
	m = (struct exo_msg){ EXO_TAG(L_CALL, 1, 0), 0, { 7, 0, 0, 0 } };
	CHECK_EQ(exo_call(badged, &m), 0);
	CHECK_EQ(m.w[0], 8);
	CHECK_EQ(m.w[1], 0xbeef); // the server saw the badge
	CHECK_EQ(srv.counter, 6);

	// Capabilities: copies with at most the sender's rights, moves.
	f = alloc1(tq);
	b->caps[0] = (struct exo_cap_xfer){ f, EXO_R_READ, 0 };
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 0, 1), 0), 0);
	ci = info_of(srv.got_caps[0]);
	CHECK_EQ(ci.type, EXO_OBJ_FRAME);
	CHECK_EQ(ci.rights, EXO_R_READ);
	CHECK(srv.got_caps[0] != f);
	CHECK_EQ(exo_cap_delete(srv.got_caps[0]), 0);
	fr = (uint64_t)exo_cap_copy(f, 0, EXO_R_READ | EXO_R_GRANT);
	cnt = srv.counter;
	b->caps[0] = (struct exo_cap_xfer){ fr, EXO_R_READ | EXO_R_WRITE, 0 };
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 0, 1), 0), E(EPERM)); // more rights than it has
	b->caps[0] = (struct exo_cap_xfer){ fr, 0x20, 0 };
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 0, 1), 0), E(EINVAL));
	b->caps[0] = (struct exo_cap_xfer){ 0, EXO_R_READ, 0 };
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 0, 1), 0), E(EBADCAP));
	fm = (uint64_t)exo_cap_copy(f, 0, EXO_R_READ); // no GRANT: may not move
	b->caps[0] = (struct exo_cap_xfer){ fm, 0, 1 };
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 0, 1), 0), E(EPERM));
	CHECK_EQ(info_of(fm).type, EXO_OBJ_FRAME);
	// A failing second capability undoes the first (a copy).
	b->caps[0] = (struct exo_cap_xfer){ fr, EXO_R_READ, 0 };
	b->caps[1] = (struct exo_cap_xfer){ fm, 0, 1 };
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 0, 2), 0), E(EPERM));
	CHECK_EQ(srv.counter, cnt); // nothing delivered
	f2 = alloc1(tq);
	b->caps[0] = (struct exo_cap_xfer){ f2, 0, 1 };
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 0, 1), 0), 0);
	CHECK_EQ(exo_cap_info(f2, &ci), E(EBADCAP)); // moved
	ci = info_of(srv.got_caps[0]);
	CHECK_EQ(ci.type, EXO_OBJ_FRAME);
	CHECK_EQ(ci.rights, EXO_R_ALL);
	CHECK_EQ(exo_cap_delete(srv.got_caps[0]), 0);
	// One capability moved twice in one message: either refused, or both reported handles real.
	f2 = alloc1(tq);
	b->caps[0] = (struct exo_cap_xfer){ f2, 0, 1 };
	b->caps[1] = (struct exo_cap_xfer){ f2, 0, 1 };
	srv.got_caps[1] = 0;
	r = send1(ep, EXO_TAG(L_PLAIN, 0, 2), 0);
	CHECK_BUG(r < 0 || (info_of(srv.got_caps[0]).type == EXO_OBJ_FRAME &&
	                    info_of(srv.got_caps[1]).type == EXO_OBJ_FRAME),
	          "ipc: a capability moved twice in one message is delivered once and the receiver "
	          "gets an uninitialized handle for the second (cap_move's error ignored)");
	if (r == 0)
		exo_cap_delete(srv.got_caps[0]);
	else
		exo_cap_delete(f2);

	// Grants: pages of the sender mapped into the receiver's window, with at most its rights.
	gpage = map_fresh(VA(620));
	*(volatile uint64_t *)VA(620) = 0x5151;
	CHECK_EQ(map1(bi->self, gpage, VA(621), EXO_R_READ), 1);
	b->grant = (struct exo_grant){ VA(620), 1, EXO_R_READ };
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 0, 0) | EXO_IPC_GRANT, 0), 0);
	CHECK_EQ(srv.grant.vaddr, VA(610));
	CHECK_EQ(srv.grant.pages, 1);
	CHECK_EQ(*(volatile uint64_t *)VA(610), 0x5151);
	CHECK(faults_write(VA(610), 1)); // granted read-only
	CHECK_EQ(unmap1(bi->self, VA(610)), 1);
	b->grant = (struct exo_grant){ VA(620), 1, EXO_R_READ | EXO_R_WRITE };
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 0, 0) | EXO_IPC_GRANT, 0), 0);
	CHECK(!faults_write(VA(610), 0x6161));
	CHECK_EQ(*(volatile uint64_t *)VA(620), 0x6161);
	CHECK_EQ(unmap1(bi->self, VA(610)), 1);
	cnt = srv.counter;
	b->grant = (struct exo_grant){ VA(621), 1, EXO_R_READ | EXO_R_WRITE }; // a read-only mapping
	CHECK_EQ(send1(ep, EXO_IPC_GRANT, 0), E(EPERM));
	b->grant = (struct exo_grant){ VA(620), 3, EXO_R_READ }; // more than the window
	CHECK_EQ(send1(ep, EXO_IPC_GRANT, 0), E(EPERM));
	b->grant = (struct exo_grant){ VA(621), 2, EXO_R_READ }; // the second page is not mapped
	CHECK_EQ(send1(ep, EXO_IPC_GRANT, 0), E(EFAULT));
	CHECK_EQ(unmap1(bi->self, VA(610)), E(ENOENT)); // the first page was undone
	b->grant = (struct exo_grant){ VA(620), 0, EXO_R_READ };
	CHECK_EQ(send1(ep, EXO_IPC_GRANT, 0), E(EINVAL));
	b->grant = (struct exo_grant){ VA(620), EXO_GRANT_MAX_PAGES + 1, EXO_R_READ };
	CHECK_EQ(send1(ep, EXO_IPC_GRANT, 0), E(EINVAL));
	b->grant = (struct exo_grant){ VA(620) + 8, 1, EXO_R_READ };
	CHECK_EQ(send1(ep, EXO_IPC_GRANT, 0), E(EINVAL));
	b->grant = (struct exo_grant){ VA(620), 1, EXO_R_EXEC };
	CHECK_EQ(send1(ep, EXO_IPC_GRANT, 0), E(EINVAL));
	b->grant = (struct exo_grant){ KADDR, 1, EXO_R_READ };
	CHECK_EQ(send1(ep, EXO_IPC_GRANT, 0), E(EINVAL));
	CHECK_EQ(srv.counter, cnt);
	// A grant that fails after a capability was moved: "a failure leaves both tables as they
	// were" (docs/abi.md).
	f2 = alloc1(tq);
	b->caps[0] = (struct exo_cap_xfer){ f2, 0, 1 };
	b->grant = (struct exo_grant){ UNMAPPED, 1, EXO_R_READ };
	((struct exo_ipc_buffer *)VA(601))->caps[0].handle = 0;
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 0, 1) | EXO_IPC_GRANT, 0), E(EFAULT));
	CHECK_EQ(srv.counter, cnt);
	CHECK_BUG(info_of(f2).type == EXO_OBJ_FRAME,
	          "ipc: a message that fails in its grant still moves its capabilities to the receiver");
	if (info_of(f2).type == EXO_OBJ_FRAME)
		CHECK_EQ(exo_cap_delete(f2), 0);
	else // moved into the receiver's (our) table anyway: the receiver's buffer names it
		exo_cap_delete(((struct exo_ipc_buffer *)VA(601))->caps[0].handle);
	unmap_free(VA(621), gpage);
	CHECK_EQ(unmap1(bi->self, VA(620)), 1);

	// The server stops.
	CHECK_EQ(send1(ep, EXO_TAG(L_STOP, 0, 0), 0), 0);
	CHECK(wait_flag(&srv.flag, 2));
	CHECK_EQ(srv.result, 0);
	CHECK_EQ(exo_cap_delete(srv.self), 0);

	// The main thread as the server of a waiting caller: reply, and a caller that is gone.
	caller.target = ep;
	caller.counter = 30;
	start_worker(&caller, W_CALLER, 18, 1);
	caller.counter = 30; // (start_worker reset it; the worker has already read it)
	CHECK_EQ(info_of(caller.self).b, TS_IPC_SEND);
	m.tag = EXO_IPC_NONBLOCK;
	CHECK_EQ(exo_recv(ep, &m), 0);
	CHECK_EQ(EXO_TAG_LABEL(m.tag), L_CALL);
	CHECK_EQ(info_of(caller.self).b, TS_IPC_REPLY);
	m = (struct exo_msg){ EXO_TAG(L_REPLY, 1, 0), 0, { 99, 0, 0, 0 } };
	CHECK_EQ(exo_reply(&m), 0);
	CHECK_EQ(caller.flag, 2); // higher priority: ran at once
	CHECK_EQ(caller.result, 0);
	CHECK_EQ(caller.msg.w[0], 99);
	CHECK_EQ(exo_reply(&m), E(ENOENT)); // answered already
	CHECK_EQ(exo_cap_delete(caller.self), 0);
	start_worker(&caller, W_CALLER, 18, 1);
	m.tag = EXO_IPC_NONBLOCK;
	CHECK_EQ(exo_recv(ep, &m), 0);
	CHECK_EQ(exo_thread_destroy(caller.self), 0);
	m = (struct exo_msg){ EXO_TAG(L_REPLY, 0, 0), 0, { 0 } };
	CHECK_EQ(exo_reply(&m), 0); // the caller is gone: dropped
	CHECK_EQ(exo_cap_delete(caller.self), 0);
	// A server that dies before replying: its caller gets EDEAD.
	start_worker(&caller, W_CALLER, 18, 1);
	holder.target = ep;
	start_worker(&holder, W_RECV_HOLD, 19, 2);
	CHECK_EQ(holder.flag, 2);
	CHECK_EQ(holder.result, 0);
	CHECK_EQ(info_of(caller.self).b, TS_IPC_REPLY);
	CHECK_EQ(exo_thread_destroy(holder.self), 0);
	CHECK_EQ(caller.flag, 2);
	CHECK_EQ(caller.result, E(EDEAD));
	CHECK_EQ(exo_cap_delete(holder.self), 0);
	CHECK_EQ(exo_cap_delete(caller.self), 0);
	// An endpoint whose last capability goes wakes its waiters with EDEAD.
	h = exo_endpoint_create();
	holder.target = (uint64_t)h;
	start_worker(&holder, W_RECV_HOLD, 19, 2);
	CHECK_EQ(holder.flag, 1);
	CHECK_EQ(exo_cap_delete((uint64_t)h), 0);
	CHECK(wait_flag(&holder.flag, 2));
	CHECK_EQ(holder.result, E(EDEAD));
	CHECK_EQ(exo_cap_delete(holder.self), 0);

	CHECK_EQ(set_buffer(0), 0);
	CHECK_EQ(exo_cap_delete(badged), 0);
	CHECK_EQ(exo_cap_delete(epr), 0);
	CHECK_EQ(exo_cap_delete(epw), 0);
	CHECK_EQ(exo_cap_delete(ep), 0);
	CHECK_EQ(exo_cap_delete(fr), 0);
	CHECK_EQ(exo_cap_delete(fm), 0);
	CHECK_EQ(exo_cap_delete(f), 0);
	unmap_free(VA(600), buf0);
	unmap_free(VA(601), buf1);
}

// A periodic timer whose next deadline wraps to 0 - the value that means "disarmed" - stays on
// the kernel's timer list; deleting the notification then frees it while it is still listed and
// the next tick uses freed memory (a kernel panic with the debug heap's poison).
static void test_notify_timer_wrap(void)
{
	static struct worker w;
	uint64_t anchors[4], n, stack = alloc1(bi->quota), t;

	// Other notifications keep the freed one's slab (and its poison) in place: the use after
	// free then always faults instead of reading a recycled page.
	for (int i = 0; i < 4; i++)
		anchors[i] = (uint64_t)exo_notify_create();
	n = (uint64_t)exo_notify_create();
	CHECK_EQ(map1(bi->self, stack, STACK_TOP(0) - EXO_PAGE_SIZE, EXO_R_READ | EXO_R_WRITE), 1);
	t = (uint64_t)exo_clock_ns() + 3000000;
	CHECK_EQ(exo_notify_timer(n, 0, t, -t), 0); // fires at t, then t + (2^64 - t) = 0
	w.target = n;
	start_worker(&w, W_NTFN_WAIT_DELETE, 20, 0); // deletes n in the tick that fired (and wrapped)
	CHECK(wait_flag(&w.flag, 2));
	CHECK_EQ(w.result, 1);
	CHECK_EQ(w.result2, 0);
	CHECK_EQ(exo_cap_delete(w.self), 0);
	sleep_ms(3); // a buggy kernel does not come back from this
	for (int i = 0; i < 4; i++)
		CHECK_EQ(exo_cap_delete(anchors[i]), 0);
	CHECK_EQ(unmap1(bi->self, STACK_TOP(0) - EXO_PAGE_SIZE), 1);
	CHECK_EQ(exo_cap_delete(stack), 0);
}

// Fills the capability table: every call that makes a capability fails with ENOSPC and undoes
// what it did.
static void test_table_full(void)
{
	static uint64_t fill[1024];
	unsigned long hs[4];
	uint64_t used = used_of(tq), bused = used_of(bi->quota), f = alloc1(tq);
	int n = 0;
	long h;

	while (n < 1024 && (h = exo_cap_copy(f, 0, EXO_R_READ)) > 0)
		fill[n++] = (uint64_t)h;
	CHECK(n > 500 && n < 1024); // (the program's own module takes a slot per page)
	CHECK_EQ(h, E(ENOSPC));
	CHECK_EQ(exo_cap_copy(f, 0, EXO_R_READ), E(ENOSPC));
	CHECK_EQ(exo_cap_mint(f, EXO_R_READ, 1), E(ENOSPC));
	CHECK_EQ(exo_cap_move(f, 0), E(ENOSPC));
	CHECK_EQ(exo_quota_split(tq, 1), E(ENOSPC));
	CHECK_EQ(used_of(tq), used + 1);
	CHECK_EQ(exo_frame_alloc(tq, 1, hs), E(ENOSPC));
	CHECK_EQ(exo_process_create(tq, "full"), E(ENOSPC));
	CHECK_EQ(exo_ioport_restrict(bi->ioports, 0x60, 1), E(ENOSPC));
	CHECK_EQ(exo_mmio_restrict(bi->mmio, 0xb8000, 0x1000), E(ENOSPC));
	CHECK_EQ(used_of(tq), used + 1);
	CHECK_EQ(exo_cap_delete(fill[--n]), 0); // one free slot
	CHECK_EQ(exo_frame_alloc(tq, 3, hs), E(ENOSPC));
	CHECK_EQ(used_of(tq), used + 1); // all or nothing
	CHECK_EQ(exo_frame_alloc(tq, 1, hs), 1);
	CHECK_EQ(exo_frame_alloc(tq, 1, hs + 1), E(ENOSPC));
	CHECK_EQ(exo_cap_delete(hs[0]), 0);
	h = exo_cap_move(f, 0); // a move within the table needs a free slot first
	CHECK(h > 0);
	f = (uint64_t)h;
	while (n > 0)
		CHECK_EQ(exo_cap_delete(fill[--n]), 0);
	CHECK_EQ(exo_cap_delete(f), 0);
	CHECK_EQ(used_of(tq), used);
	CHECK_EQ(used_of(bi->quota), bused);
}

// A process with a never-started thread, once its last capabilities are gone: nobody can reach
// it, so it must be freed and give its quota back (process_release in exo/core/thread.c).
static void test_unreachable_process(void)
{
	uint64_t before = used_of(bi->quota), q, p, t;

	q = (uint64_t)exo_quota_split(bi->quota, 8);
	p = (uint64_t)exo_process_create(q, "orphan");
	t = (uint64_t)exo_thread_create(p, 1);
	CHECK_EQ(info_of(t).b, TS_INACTIVE);
	CHECK_EQ(exo_cap_delete(t), 0);
	CHECK_EQ(exo_cap_delete(p), 0);
	CHECK_EQ(exo_cap_delete(q), 0);
	CHECK_BUG(used_of(bi->quota) == before,
	          "a process with an inactive thread is never freed after its last capability is "
	          "deleted (it keeps its quota and kernel memory)");
}

int main(uint64_t arg)
{
	uint64_t used0, sq;
	long r;

	if (arg < 4096)
		return child_main(arg);
	bi = (const struct exo_bootinfo *)arg;
	if (bi->magic != EXO_BOOTINFO_MAGIC)
		return 1000;
	exo_printf("syscalls: start (quota %lu frames, %lu IRQs, %lu modules)\n",
	           (unsigned long)bi->quota_frames, (unsigned long)bi->nirqs, (unsigned long)bi->nmodules);
	test_upcall_set();
	// Quotas of the test: the worker threads' stacks, the frames of the tests, the children.
	used0 = used_of(bi->quota);
	sq = (uint64_t)exo_quota_split(bi->quota, NSTACKS * STACK_PAGES);
	tq = (uint64_t)exo_quota_split(bi->quota, 1024);
	cq = (uint64_t)exo_quota_split(bi->quota, 256);
	CHECK((long)sq > 0 && (long)tq > 0 && (long)cq > 0);
	r = exo_frame_alloc(sq, NSTACKS * STACK_PAGES, stack_frames);
	CHECK_EQ(r, NSTACKS * STACK_PAGES);
	for (int s = 0; s < NSTACKS; s++)
		for (int i = 0; i < STACK_PAGES; i++)
			CHECK_EQ(map1(bi->self, stack_frames[s * STACK_PAGES + i],
			              STACK_TOP(s) - (uint64_t)(i + 1) * EXO_PAGE_SIZE,
			              EXO_R_READ | EXO_R_WRITE),
			         1);
	for (int i = 0; i < NSTACKS * STACK_PAGES; i++)
		CHECK_EQ(exo_cap_delete(stack_frames[i]), 0); // the mappings keep them
	CHECK_EQ(used_of(sq), NSTACKS * STACK_PAGES);

	exo_printf("syscalls: null, debug_write, unknown calls\n");
	test_null_debug_exit();
	exo_printf("syscalls: cap_copy, cap_mint, cap_info, cap_delete\n");
	test_cap_copy_mint_info();
	exo_printf("syscalls: cap_revoke, cap_move\n");
	test_cap_revoke_move();
	exo_printf("syscalls: quota_split, frame_alloc\n");
	test_quota_frames();
	exo_printf("syscalls: vspace_map, vspace_protect, vspace_unmap, upcalls\n");
	test_vspace();
	exo_printf("syscalls: threads, clock, sleep, fs base\n");
	test_threads();
	exo_printf("syscalls: processes and children\n");
	test_processes();
	exo_printf("syscalls: ioports and device memory\n");
	test_ioport_mmio();
	exo_printf("syscalls: IRQs\n");
	test_irq();
	exo_printf("syscalls: timeslices\n");
	test_timeslice();
	exo_printf("syscalls: notifications\n");
	test_notify();
	exo_printf("syscalls: endpoints and IPC\n");
	test_ipc();
	exo_printf("syscalls: full capability table\n");
	test_table_full();

	// Clean up: the stacks, the quotas; everything must be back.
	for (int s = 0; s < NSTACKS; s++)
		for (int i = 0; i < STACK_PAGES; i++)
			CHECK_EQ(unmap1(bi->self, STACK_TOP(s) - (uint64_t)(i + 1) * EXO_PAGE_SIZE), 1);
	CHECK_EQ(used_of(sq), 0);
	CHECK_EQ(used_of(tq), 0);
	CHECK_EQ(used_of(cq), 0);
	CHECK_EQ(exo_cap_delete(sq), 0);
	CHECK_EQ(exo_cap_delete(tq), 0);
	CHECK_EQ(exo_cap_delete(cq), 0);
	CHECK_EQ(used_of(bi->quota), used0);

	exo_printf("syscalls: unreachable process\n");
	test_unreachable_process(); // nearly last: with the bug it leaks
	exo_printf("syscalls: a notification timer that wraps\n");
	test_notify_timer_wrap(); // last: with the bug the kernel panics

	exo_printf("syscalls: done, %d failure(s)\n", failures);
	return failures;
}
