// SPDX-License-Identifier: MIT
// sigfault: faults become signals the program handles - SIGSEGV (SEGV_MAPERR and SEGV_ACCERR,
// with si_addr) left with siglongjmp or fixed with mprotect and returned from, SIGFPE for a
// divide error (FPE_INTDIV), SIGILL, SIGTRAP after int3, a stack overflow handled on a
// sigaltstack - and the registers and the mask come back when a handler returns.
#include "check.h"
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

static sigjmp_buf env;
static volatile int code;
static void *volatile addr;
static char *page;
static char altstack[65536];
static volatile int on_alt;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	code = si->si_code;
	addr = si->si_addr;
	siglongjmp(env, sig);
}

static void on_overflow(int sig)
{
	char here;

	on_alt = &here >= altstack && &here < altstack + sizeof(altstack);
	siglongjmp(env, sig);
}

static void on_fix(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	code = si->si_code;
	mprotect(page, 4096, PROT_READ | PROT_WRITE);
}

static void on_trap(int sig)
{
	(void)sig;
	code++;
}

static void handle(int sig, void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(sig, &sa, NULL) == 0);
}

static void segv(void)
{
	volatile int *volatile bad = (int *)16;
	sigset_t now;

	handle(SIGSEGV, on_fault);
	if (!sigsetjmp(env, 1)) {
		*bad = 1;
		CHECK(0);
	}
	CHECK(code == SEGV_MAPERR && addr == (void *)bad);
	page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(page != MAP_FAILED);
	if (sigsetjmp(env, 1) == 0) {
		page[8] = 1;
		CHECK(0);
	}
	CHECK(code == SEGV_ACCERR && addr == page + 8);
	CHECK(sigprocmask(SIG_BLOCK, NULL, &now) == 0 && !sigismember(&now, SIGSEGV));
	handle(SIGSEGV, on_fix);
	page[9] = 5; // the handler makes the page writable and returns: the write is done again
	CHECK(page[9] == 5 && code == SEGV_ACCERR);
	printf("SIGSEGV ok\n");
}

static volatile int quotient;

static void divide(volatile int a, volatile int b)
{
	quotient = a / b;
}

static void others(void)
{
	volatile long a = 1, b = 2, c = 3, d = 4;

	handle(SIGFPE, on_fault);
	if (sigsetjmp(env, 1) != SIGFPE) {
		divide(1, 0);
		CHECK(0);
	}
	CHECK(code == FPE_INTDIV);
	printf("SIGFPE ok\n");
	handle(SIGILL, on_fault);
	if (sigsetjmp(env, 1) != SIGILL) {
		__asm__ volatile("ud2");
		CHECK(0);
	}
	CHECK(code == ILL_ILLOPN);
	printf("SIGILL ok\n");
	signal(SIGTRAP, on_trap);
	code = 0;
	__asm__ volatile("int3");
	__asm__ volatile("int3");
	CHECK(code == 2 && a + b + c + d == 10);
	printf("SIGTRAP ok\n");
}

static int recurse(volatile char *p, long depth) // 4 KiB a level: far deeper than the stack
{
	volatile char frame[4096];

	frame[0] = p ? p[0] + 1 : 0;
	return depth ? recurse(frame, depth - 1) + frame[1] : 0;
}

static void overflow(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa;

	CHECK(sigaltstack(&ss, NULL) == 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_overflow;
	sa.sa_flags = SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);
	if (!sigsetjmp(env, 1)) {
		recurse(NULL, 1l << 20);
		CHECK(0);
	}
	CHECK(on_alt);
	printf("stack overflow on the alternate stack ok\n");
}

int main(void)
{
	segv();
	others();
	overflow();
	return 0;
}
