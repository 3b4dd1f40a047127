// SPDX-License-Identifier: MIT
// The fixture of the syscalls_*.c programs (syscalls.h): set-up and tear-down, kernel calls in
// one, fault probes with the upcall handler that catches them, worker threads and child roles.
// Everything a program creates is deleted and every child reaped, so that the kernel's exact frame
// accounting holds when init runs twice (tests/qemu/ktests/init_test.c).
#include "syscalls.h"

const struct exo_bootinfo *bi;
uint64_t tq, cq;
const uint64_t ro_word = 0x1234;
static uint64_t sq; // split quota for the worker threads' stacks
static uint64_t used0;
static uint64_t stack_frames[NSTACKS * STACK_PAGES];
static const char *const stack_names[NSTACKS] = { "worker 0", "worker 1", "worker 2", "worker 3" };

long set_buffer(uint64_t page)
{
	return exo_ipc_set_buffer((void *)page);
}

struct exo_cap_info info_of(uint64_t h)
{
	struct exo_cap_info i;

	memset(&i, 0xee, sizeof(i));
	if (exo_cap_info(h, &i) != 0)
		i.type = EXO_OBJ_NONE;
	return i;
}

long map1(uint64_t process, uint64_t frame, uint64_t va, uint64_t prot)
{
	struct exo_map_op op = { frame, va, prot };

	return exo_vspace_map(process, &op, 1);
}

long unmap1(uint64_t process, uint64_t va)
{
	return exo_vspace_unmap(process, &va, 1);
}

long protect1(uint64_t process, uint64_t frame, uint64_t va, uint64_t prot)
{
	struct exo_map_op op = { frame, va, prot };

	return exo_vspace_protect(process, &op, 1);
}

uint64_t alloc1(uint64_t quota)
{
	unsigned long h = 0;
	long r = exo_frame_alloc(quota, 1, &h);

	CHECK_EQ(r, 1);
	return h;
}

// A fresh frame of tq mapped read-write at va; returns its handle.
uint64_t map_fresh(uint64_t va)
{
	uint64_t f = alloc1(tq);

	CHECK_EQ(map1(bi->self, f, va, EXO_R_READ | EXO_R_WRITE), 1);
	return f;
}

void unmap_free(uint64_t va, uint64_t f)
{
	CHECK_EQ(unmap1(bi->self, va), 1);
	CHECK_EQ(exo_cap_delete(f), 0);
}

long unmap_range(unsigned long process, unsigned long va, unsigned long pages, unsigned long prot)
{
	(void)prot;
	return exo_vspace_unmap_range(process, va, pages);
}

// ---------------------------------------------------------------------------------------------
// Fault probes

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

struct probe probe;
char upcall_stack[16384] __attribute__((aligned(16)));

void upcall_handler(struct exo_fault *f)
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

int faults_read(uint64_t va)
{
	probe.faulted = 0;
	probe_read(va);
	return probe.faulted;
}

int faults_write(uint64_t va, uint64_t v)
{
	probe.faulted = 0;
	probe_write(va, v);
	return probe.faulted;
}

int faults_inb(uint16_t port)
{
	probe.faulted = 0;
	probe_inb(port);
	return probe.faulted;
}

int faults_call(uint64_t fn, long *ret)
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
// Threads of this process

void worker_entry(uint64_t arg)
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

long start_worker(struct worker *w, int role, uint64_t prio, int stack)
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
	r = test_thread_start(w->self, worker_entry, STACK_TOP(stack) - STACK_PAGES * EXO_PAGE_SIZE,
	                      STACK_TOP(stack), (uint64_t)w, stack_names[stack]);
	CHECK_EQ(r, 0);
	return t;
}

int wait_flag(volatile long *flag, long want)
{
	for (int i = 0; i < 2000 && *flag != want; i++)
		test_sleep_ms(1);
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
			test_sleep_ms(1000);
	case CHILD_EXIT_CALL:
		exo_exit(-5);
		return 2;
	case CHILD_SPIN:
		for (;;)
			__asm__ volatile("" ::: "memory");
	}
	return 3;
}

long spawn(uint64_t role, uint64_t *p, uint64_t *t)
{
	return exo_spawn(bi->self, cq, &bi->modules[0], "child", 16, role, p, t);
}

// ---------------------------------------------------------------------------------------------
// The program

// The quotas of the tests: the worker threads' stacks (mapped here), the frames of the tests, the
// children; and the upcall handler that turns the probes' faults into returns.
void syscalls_up(void)
{
	char *top = upcall_stack + sizeof(upcall_stack);
	long r;

	test_thread_name((uint64_t)upcall_stack, (uint64_t)top, "upcall handler");
	CHECK_EQ(exo_upcall_set((void *)upcall_handler, top), 0);
	used0 = test_used(bi->quota);
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
			              EXO_R_READ | EXO_R_WRITE | EXO_MAP_MOVE), // the mappings take them
			         1);
	CHECK_EQ(test_used(sq), NSTACKS * STACK_PAGES);
}

// The stacks, the quotas: everything must be back.
void syscalls_down(void)
{
	for (int s = 0; s < NSTACKS; s++)
		for (int i = 0; i < STACK_PAGES; i++)
			CHECK_EQ(unmap1(bi->self, STACK_TOP(s) - (uint64_t)(i + 1) * EXO_PAGE_SIZE), 1);
	CHECK_EQ(test_used(sq), 0);
	CHECK_EQ(test_used(tq), 0);
	CHECK_EQ(test_used(cq), 0);
	CHECK_EQ(exo_cap_delete(sq), 0);
	CHECK_EQ(exo_cap_delete(tq), 0);
	CHECK_EQ(exo_cap_delete(cq), 0);
	CHECK_EQ(test_used(bi->quota), used0);
}

int syscalls_main(uint64_t arg, const char *program, const struct test_case *cases, unsigned n)
{
	if (arg < 4096)
		return child_main(arg);
	bi = test_begin(program, arg);
	if (!bi)
		return test_end();
	exo_printf("%s: start (quota %lu frames, %lu IRQs, %lu modules)\n", program,
	           (unsigned long)bi->quota_frames, (unsigned long)bi->nirqs, (unsigned long)bi->nmodules);
	test_run(cases, n);
	CHECK_EQ(exo_upcall_set(NULL, NULL), 0);
	return test_end();
}
