// SPDX-License-Identifier: MIT
// The library of the QEMU user tests (tests/qemu/user/*.c): checks that say which program, case and
// thread failed where, named cases, bounded waits (testlib.c), and the helpers that spawn threads,
// children, modules and module managers (spawn.c).
#ifndef TESTS_QEMU_LIB_TESTLIB_H
#define TESTS_QEMU_LIB_TESTLIB_H

#include <exo/libexo.h>
#include <exo/modload.h>
#include <exo/modmgr.h>

#define TEST_MS 1000000ull // nanoseconds

// ---- checks ----
// A failed check is counted (threads share the count) and reported on one line:
//   PROG: FAILED case NAME, thread NAME, FILE:LINE: CHECK_EQ(a, b): A (0xA) != B (0xB)
// (no case outside test_run; a thread not named by its stack is "main").
// CHECK_EQ compares both sides as long. CHECK_BUG marks a check that documents a kernel bug.
#define CHECK(e)                                                        \
	do {                                                            \
		if (!(e))                                               \
			test_fail(__FILE__, __LINE__, "CHECK(%s)", #e); \
	} while (0)

#define CHECK_EQ(a, b)                                                                                      \
	do {                                                                                                \
		long _a = (long)(a), _b = (long)(b);                                                        \
		if (_a != _b)                                                                               \
			test_fail(__FILE__, __LINE__, "CHECK_EQ(%s, %s): %ld (%#lx) != %ld (%#lx)", #a, #b, \
			          _a, (unsigned long)_a, _b, (unsigned long)_b);                            \
	} while (0)

#define CHECK_BUG(e, what)                                                              \
	do {                                                                            \
		if (!(e))                                                               \
			test_fail(__FILE__, __LINE__, "KERNEL BUG: %s (%s)", what, #e); \
	} while (0)

// A failure with a message of its own (no newline).
#define TEST_FAIL(...) test_fail(__FILE__, __LINE__, __VA_ARGS__)

void test_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int test_failures(void); // failed checks so far

// ---- programs and cases ----
// test_begin names the program in reports and returns its boot information (arg of main), or
// NULL (reported) if arg is not one. test_end prints "PROG: all checks passed" or what failed and
// returns the number of failed checks, main's exit status.
struct test_case {
	const char *name;
	void (*run)(void);
};

// clang-format off
#define TEST_CASE(fn) { #fn, fn }
// clang-format on
#define TEST_NELEM(a)   (sizeof(a) / sizeof((a)[0]))
#define TEST_RUN(cases) test_run(cases, TEST_NELEM(cases))

const struct exo_bootinfo *test_begin(const char *program, uint64_t arg);
extern const struct exo_bootinfo *test_bi;                // what test_begin returned
void test_name(const char *program);                      // names a child process in its reports
void test_run(const struct test_case *cases, unsigned n); // each prints "PROG: case NAME" first
int test_end(void);

// ---- threads ----
// A thread is named in reports by its stack [lo, hi); the others are "main".
void test_thread_name(uint64_t lo, uint64_t hi, const char *name);
// Starts thread at fn(arg) on the stack [lo, hi), named name.
long test_thread_start(uint64_t thread, void (*fn)(uint64_t), uint64_t lo, uint64_t hi, uint64_t arg,
                       const char *name);

// A thread of this process with a stack page of its own (a frame of quota mapped at stack).
struct test_thread {
	uint64_t thread, frame, stack;
};

long test_thread_new(struct test_thread *t, uint64_t quota, uint64_t stack, uint64_t prio,
                     void (*fn)(uint64_t), uint64_t arg, const char *name);
void test_thread_end(struct test_thread *t); // destroys it, unmaps and frees its stack

// ---- time and processes ----
uint64_t test_now(void); // exo_clock_ns
void test_sleep_ms(uint64_t ms);
uint64_t test_used(uint64_t quota); // frames used by quota (~0 if it is no quota)
// A kernel call by number with six argument registers.
long test_syscall(uint64_t nr, const uint64_t a[6]);
// The exit status of process p. If it still runs after timeout_ms, that fails, it is killed
// (status TEST_KILLED) and waited for as long again; a failed process_status fails and is returned.
#define TEST_KILLED                     999
#define test_wait_status(p, timeout_ms) test_wait_status_at(__FILE__, __LINE__, p, timeout_ms)
long test_wait_status_at(const char *file, int line, uint64_t p, uint64_t timeout_ms);

// ---- children with a start page ----
// A copy of boot module m, spawned at the lowest priority (it runs after test_child_run) with a
// fresh zeroed page shared: at page here, at child_va in the child, which gets child_va as arg.
struct test_child {
	uint64_t proc, thread, frame;
	void *page;
};

int test_child_spawn(struct test_child *c, const struct exo_boot_module *m, const char *name, uint64_t page,
                     uint64_t child_va);
void test_child_run(struct test_child *c, uint64_t prio);
// Waits for its exit status (test_wait_status), then deletes all trace of it and its page.
long test_child_reap(struct test_child *c, uint64_t timeout_ms);

// ---- boot modules and module slots ----
// Maps boot modules 0..n-1 (this program first) one after the other from va on (exo_boot_image);
// 0, or -1 (failed) if the boot has other than n modules or one could not be mapped.
int test_boot_images(struct exo_image *images, unsigned n, uint64_t va);
void test_boot_images_unmap(void);
// Starts mod with lib in slot (quota, scratch, prio as for exo_module_slot_init); returns a copy
// of its service endpoint that may call (0 if it failed).
uint64_t test_slot_start(struct exo_module_slot *slot, uint64_t quota, uint64_t scratch,
                         const struct exo_image *lib, const struct exo_image *mod, uint64_t prio);

// One call of the counter module (modules/counter): 0 with the total (and the version, if asked),
// or the call's error, or -label (the label of a turned-away request: -EXO_EDEAD).
long test_counter(uint64_t ep, uint64_t op, uint64_t n, uint64_t *total, uint64_t *version);

// ---- module managers ----
// Stops manager p (exit status 9), waits (5 s at most) until its quota, which it and its modules
// had, is back at zero frames, and deletes the quota.
void test_modmgr_stop(struct exo_modmgr_proc *p, uint64_t quota);
// Waits (up to 5 s) until nothing is charged to quota any more, checks it, and deletes it.
void test_quota_drained(uint64_t quota);

// A page for the main thread's IPC buffer: a program that needs one sets it (exo_ipc_set_buffer).
extern uint8_t test_ipc_page[EXO_PAGE_SIZE];
#define TEST_BUF ((struct exo_ipc_buffer *)test_ipc_page)

#endif
