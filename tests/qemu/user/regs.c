// SPDX-License-Identifier: MIT
// The registers across a kernel call, as init: syscall_entry's way out with SYSRET reloads only
// what a call may change and relies on the kernel's C code for the callee-saved ones. A call
// keeps every register but rax (the result), rcx (the return address) and r11 (rflags) - after a
// null call, a bad number, a yield to a thread that runs the same check with other values, and
// an upcall round trip (which returns with iretq) - so no kernel value leaks into user mode. An
// IPC call (the fast path's switches in frame mode, and a caller in frame mode woken by a reply
// of the slow path) keeps the callee-saved registers and returns the reply in the message
// registers.
#include "testlib.h"

// The registers regs_syscall loads before the call and stores after it, in this order.
enum { R_RBX, R_RBP, R_R12, R_R13, R_R14, R_R15, R_RDI, R_RSI, R_RDX, R_R10, R_R8, R_R9, NKEPT };
struct regs {
	uint64_t r[NKEPT];
	uint64_t rax, rcx, r11, after; // after: the address the call returns to (rcx's value)
};

// void regs_syscall(uint64_t nr, struct regs *io)
void regs_syscall(uint64_t nr, struct regs *io);
__asm__(".text\n"
        ".globl regs_syscall\n"
        "regs_syscall:\n"
        "	push %rbx\n	push %rbp\n	push %r12\n	push %r13\n	push %r14\n	push %r15\n"
        "	push %rsi\n"
        "	mov %rdi, %rax\n"
        "	mov %rsi, %r11\n"
        "	mov 0(%r11), %rbx\n	mov 8(%r11), %rbp\n	mov 16(%r11), %r12\n	mov 24(%r11), %r13\n"
        "	mov 32(%r11), %r14\n	mov 40(%r11), %r15\n	mov 48(%r11), %rdi\n	mov 56(%r11), %rsi\n"
        "	mov 64(%r11), %rdx\n	mov 72(%r11), %r10\n	mov 80(%r11), %r8\n	mov 88(%r11), %r9\n"
        "	syscall\n"
        "1:	xchg %r11, (%rsp)\n" // r11 = io; rflags on the stack
        "	mov %rbx, 0(%r11)\n	mov %rbp, 8(%r11)\n	mov %r12, 16(%r11)\n	mov %r13, 24(%r11)\n"
        "	mov %r14, 32(%r11)\n	mov %r15, 40(%r11)\n	mov %rdi, 48(%r11)\n	mov %rsi, 56(%r11)\n"
        "	mov %rdx, 64(%r11)\n	mov %r10, 72(%r11)\n	mov %r8, 80(%r11)\n	mov %r9, 88(%r11)\n"
        "	mov %rax, 96(%r11)\n	mov %rcx, 104(%r11)\n	pop %rax\n	mov %rax, 112(%r11)\n"
        "	lea 1b(%rip), %rax\n	mov %rax, 120(%r11)\n"
        "	pop %r15\n	pop %r14\n	pop %r13\n	pop %r12\n	pop %rbp\n	pop %rbx\n"
        "	ret\n");

#define RFLAGS_IF   (1ull << 9)
#define RFLAGS_TF   (1ull << 8)
#define RFLAGS_DF   (1ull << 10)
#define RFLAGS_KEPT 0x0fffull // CF PF AF ZF SF TF IF DF OF and reserved bits: all above must be 0

// One call with every kept register set to a pattern of seed; 1 if all came back and rax is want.
static int call_keeps(uint64_t nr, uint64_t seed, long want)
{
	struct regs io = { 0 };
	int ok = 1;

	for (int i = 0; i < NKEPT; i++)
		io.r[i] = seed * 0x0101010101010101ull + (uint64_t)i;
	regs_syscall(nr, &io);
	for (int i = 0; i < NKEPT; i++)
		if (io.r[i] != seed * 0x0101010101010101ull + (uint64_t)i) {
			TEST_FAIL("call %lu: register %d is %#lx", (unsigned long)nr, i,
			          (unsigned long)io.r[i]);
			ok = 0;
		}
	if (io.rax != (uint64_t)want || io.rcx != io.after || !(io.r11 & RFLAGS_IF)) {
		TEST_FAIL("call %lu: rax %#lx rcx %#lx (want %#lx) r11 %#lx", (unsigned long)nr,
		          (unsigned long)io.rax, (unsigned long)io.rcx, (unsigned long)io.after,
		          (unsigned long)io.r11);
		ok = 0;
	}
	return ok;
}

static volatile int other_rounds, other_bad, stop;
static uint8_t other_stack[16384] __attribute__((aligned(16)));

static void other(uint64_t arg)
{
	(void)arg;
	while (!stop) {
		if (!call_keeps(EXO_SYS_thread_yield, 0x5a, 0))
			other_bad++;
		other_rounds++;
	}
	for (;;)
		exo_thread_yield();
}

static uint64_t ep;

static void server(uint64_t arg)
{
	struct exo_msg m = { 0 };

	(void)arg;
	exo_recv(ep, &m);
	for (unsigned n = 0;; n++) { // the reply: label 7, the words plus one
		m.tag = EXO_TAG(7, 4, 0);
		for (int i = 0; i < 4; i++)
			m.w[i]++;
		if (n % 3 != 2) { // the fast path: the caller resumes from its frame
			exo_reply_recv(ep, &m);
			continue;
		}
		// Every third: the reply wakes the caller, blocked in frame mode by the fast path, the
		// slow way; it runs when recv blocks, through syscall_resume.
		exo_reply(&m);
		m.tag = 0;
		exo_recv(ep, &m);
	}
}

// A call with tag (label 1, 4 words) and the words in rdx r10 r8 r9; the reply comes back in
// rsi (tag), rdx r10 r8 r9 (words), rdi (badge 0).
static int call_ipc(uint64_t seed)
{
	struct regs io = { 0 };
	int ok = 1;

	for (int i = 0; i < NKEPT; i++)
		io.r[i] = seed * 0x0101010101010101ull + (uint64_t)i;
	io.r[R_RDI] = ep;
	io.r[R_RSI] = EXO_TAG(1, 4, 0);
	regs_syscall(EXO_SYS_ipc_call, &io);
	for (int i = R_RBX; i <= R_R15; i++)
		if (io.r[i] != seed * 0x0101010101010101ull + (uint64_t)i) {
			TEST_FAIL("ipc call: register %d is %#lx", i, (unsigned long)io.r[i]);
			ok = 0;
		}
	for (int i = R_RDX; i <= R_R9; i++)
		if (io.r[i] != seed * 0x0101010101010101ull + (uint64_t)i + 1) {
			TEST_FAIL("ipc reply: register %d is %#lx", i, (unsigned long)io.r[i]);
			ok = 0;
		}
	if (io.rax != 0 || io.r[R_RSI] != EXO_TAG(7, 4, 0) || io.r[R_RDI] != 0 || io.rcx != io.after) {
		TEST_FAIL("ipc call: rax %#lx tag %#lx badge %#lx", (unsigned long)io.rax,
		          (unsigned long)io.r[R_RSI], (unsigned long)io.r[R_RDI]);
		ok = 0;
	}
	return ok;
}

static void handler(struct exo_fault *f)
{
	f->regs.rip += 2;            // skip the ud2
	f->regs.rflags = ~RFLAGS_TF; // asks for IOPL 3, NT, AC, VM...: only DF and the flags come back
	exo_upcall_return(f);
}

static uint8_t upcall_stack[4096] __attribute__((aligned(16)));

int main(uint64_t arg)
{
	const struct exo_bootinfo *bi = test_begin("regs", arg);
	uint64_t keep[6];
	long t;

	if (!bi)
		return test_end();
	CHECK(call_keeps(EXO_SYS_null, 0x11, 0));
	CHECK(call_keeps(EXO_NSYSCALLS, 0x22, -EXO_ENOSYS));
	CHECK(call_keeps(1ull << 40, 0x33, -EXO_ENOSYS));
	CHECK(call_keeps(~0ull, 0x44, -EXO_ENOSYS));

	// Switches: the other thread runs the same check with its own values between our calls.
	t = exo_thread_create(bi->self, 16);
	CHECK(t > 0);
	CHECK_EQ(exo_thread_start((uint64_t)t, (uint64_t)other,
	                          (uint64_t)other_stack + sizeof(other_stack) - 8, 0),
	         0);
	for (int i = 0; i < 200; i++)
		CHECK(call_keeps(EXO_SYS_thread_yield, 0x66 + (uint64_t)(i & 7), 0));
	CHECK(other_rounds >= 100);
	CHECK_EQ(other_bad, 0);
	stop = 1;
	exo_thread_destroy((uint64_t)t);

	// IPC with a server thread: the first call may take the general path, the rest the fast one.
	ep = (uint64_t)exo_endpoint_create();
	t = exo_thread_create(bi->self, 16);
	CHECK(t > 0);
	CHECK_EQ(exo_thread_start((uint64_t)t, (uint64_t)server,
	                          (uint64_t)other_stack + sizeof(other_stack) - 8, 0),
	         0);
	exo_thread_yield(); // the server waits in recv from now on
	for (int i = 0; i < 50; i++)
		CHECK(call_ipc(0x70 + (uint64_t)(i & 7)));
	exo_thread_destroy((uint64_t)t);

	// An upcall round trip (out through the fault handler, back with iretq): the callee-saved
	// registers the handler's C code used come back as they were at the fault, and of the
	// rflags the handler asked for only those user code may set.
	CHECK_EQ(exo_upcall_set((void *)handler, upcall_stack + sizeof(upcall_stack)), 0);
	__asm__ volatile("mov $0x1234, %%rbx\n\tmov $0x5678, %%r12\n\tmov $0x9abc, %%r15\n\tud2\n\t"
	                 "pushfq\n\tcld\n\tpop 24(%0)\n\t"
	                 "mov %%rbx, 0(%0)\n\tmov %%r12, 8(%0)\n\tmov %%r15, 16(%0)"
	                 :
	                 : "r"(keep)
	                 : "rbx", "r12", "r15", "memory", "cc");
	CHECK_EQ(keep[0], 0x1234);
	CHECK_EQ(keep[1], 0x5678);
	CHECK_EQ(keep[2], 0x9abc);
	CHECK((keep[3] & RFLAGS_IF) && (keep[3] & RFLAGS_DF) && !(keep[3] & RFLAGS_TF));
	CHECK_EQ(keep[3] & ~RFLAGS_KEPT, 0); // no IOPL, NT, AC, VM, ...
	CHECK_EQ(exo_upcall_set(0, 0), 0);
	return test_end();
}
