// SPDX-License-Identifier: MIT
// The checks, cases, thread names and waits of the QEMU user tests' library (testlib.h). A failed
// check is reported on one line with the program, the running case, the thread (found by its
// stack), the place and the message, so a log says at once what went wrong where.
#include "testlib.h"

#include <common/printf.h>

#define MAX_FAILED_CASES 16
#define MAX_THREADS      32

const struct exo_bootinfo *test_bi;
static const char *program = "test";
static const char *current_case;
static int failures;
static const char *failed_cases[MAX_FAILED_CASES];
static unsigned nfailed_cases;

static struct {
	uint64_t lo, hi;
	const char *name;
} threads[MAX_THREADS];

uint8_t test_ipc_page[EXO_PAGE_SIZE] __attribute__((aligned(EXO_PAGE_SIZE)));

static const char *thread_name(void)
{
	uint64_t sp = (uint64_t)__builtin_frame_address(0);

	for (unsigned i = 0; i < MAX_THREADS; i++)
		if (threads[i].name && sp >= threads[i].lo && sp < threads[i].hi)
			return threads[i].name;
	return "main";
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[320], where[96];
	va_list ap;

	__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED); // threads share the count
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	where[0] = 0;
	if (current_case)
		exo_snprintf(where, sizeof(where), "case %s, ", current_case);
	exo_printf("%s: FAILED %sthread %s, %s:%d: %s\n", program, where, thread_name(), file, line, msg);
}

int test_failures(void)
{
	return __atomic_load_n(&failures, __ATOMIC_RELAXED);
}

void test_name(const char *name)
{
	program = name;
}

const struct exo_bootinfo *test_begin(const char *name, uint64_t arg)
{
	const struct exo_bootinfo *bi = (const struct exo_bootinfo *)arg;

	test_name(name);
	if (arg < 4096 || bi->magic != EXO_BOOTINFO_MAGIC) {
		TEST_FAIL("main's argument %#lx is no boot information", (unsigned long)arg);
		return NULL;
	}
	test_bi = bi;
	return bi;
}

void test_run(const struct test_case *cases, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		int before = test_failures();

		exo_printf("%s: case %s\n", program, cases[i].name);
		current_case = cases[i].name;
		cases[i].run();
		current_case = NULL;
		if (test_failures() == before)
			continue;
		exo_printf("%s: case %s FAILED (%d checks failed)\n", program, cases[i].name,
		           test_failures() - before);
		if (nfailed_cases < MAX_FAILED_CASES)
			failed_cases[nfailed_cases++] = cases[i].name;
	}
}

int test_end(void)
{
	int n = test_failures();

	if (n == 0) {
		exo_printf("%s: all checks passed\n", program);
		return 0;
	}
	exo_printf("%s: FAILED: %d checks failed", program, n);
	for (unsigned i = 0; i < nfailed_cases; i++)
		exo_printf("%s%s", i ? ", " : " in cases ", failed_cases[i]);
	exo_printf("\n");
	return n;
}

void test_thread_name(uint64_t lo, uint64_t hi, const char *name)
{
	unsigned slot = MAX_THREADS;

	for (unsigned i = 0; i < MAX_THREADS; i++) {
		if (threads[i].name && threads[i].lo == lo) {
			slot = i;
			break;
		}
		if (!threads[i].name && slot == MAX_THREADS)
			slot = i;
	}
	if (slot == MAX_THREADS) {
		TEST_FAIL("more than %d named threads", MAX_THREADS);
		return;
	}
	threads[slot].lo = lo;
	threads[slot].hi = hi;
	threads[slot].name = name;
}

long test_thread_start(uint64_t thread, void (*fn)(uint64_t), uint64_t lo, uint64_t hi, uint64_t arg,
                       const char *name)
{
	test_thread_name(lo, hi, name);
	return exo_thread_start(thread, (uint64_t)fn, hi - 8, arg);
}

uint64_t test_now(void)
{
	return (uint64_t)exo_clock_ns();
}

void test_sleep_ms(uint64_t ms)
{
	exo_thread_sleep(test_now() + ms * TEST_MS);
}

uint64_t test_used(uint64_t quota)
{
	struct exo_cap_info info;

	return exo_cap_info(quota, &info) == 0 ? info.b : ~0ull;
}

long test_syscall(uint64_t nr, const uint64_t a[6])
{
	register uint64_t rdi __asm__("rdi") = a[0];
	register uint64_t rsi __asm__("rsi") = a[1];
	register uint64_t rdx __asm__("rdx") = a[2];
	register uint64_t r10 __asm__("r10") = a[3];
	register uint64_t r8 __asm__("r8") = a[4];
	register uint64_t r9 __asm__("r9") = a[5];
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
	                 : "a"(nr)
	                 : "rcx", "r11", "memory");
	return ret;
}

long test_wait_status_at(const char *file, int line, uint64_t p, uint64_t timeout_ms)
{
	uint64_t end = test_now() + timeout_ms * TEST_MS;
	int killed = 0;
	long status = -1, r;

	while ((r = exo_process_status(p, &status)) == -EXO_EAGAIN) {
		if (test_now() > end) {
			if (killed) {
				test_fail(file, line, "process %#lx outlived its kill", (unsigned long)p);
				return r;
			}
			test_fail(file, line, "process %#lx still runs after %lu ms: killed",
			          (unsigned long)p, (unsigned long)timeout_ms);
			exo_process_kill(p, TEST_KILLED);
			killed = 1;
			end = test_now() + timeout_ms * TEST_MS;
		}
		test_sleep_ms(1);
	}
	if (r) {
		test_fail(file, line, "process_status of %#lx: %ld", (unsigned long)p, r);
		return r;
	}
	return status;
}
