// SPDX-License-Identifier: MIT
// Kernel calls on processes and children (create, spawn, status, kill); after the tear-down, a
// process nobody can reach must be freed. Each success case with its effect verified and each error
// path of the handler, as init; the fixture is tests/qemu/lib/syscalls.h.
#include "syscalls.h"

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
	// process_create_slots: the table's size is bounded and holds that many capabilities.
	CHECK_EQ(exo_process_create_slots(cq, "x", 15), E(EINVAL));
	CHECK_EQ(exo_process_create_slots(cq, "x", EXO_MAX_SLOTS + 1), E(EINVAL));
	CHECK_EQ(exo_process_create_slots(bi->self, "x", 2000), E(ETYPE));
	CHECK_EQ(exo_process_create_slots(cq, NULL, 2000), E(EFAULT));
	h = exo_process_create_slots(cq, "big-table", 2000);
	CHECK(h > 0);
	r = exo_notify_create();
	for (int i = 0; i < 1999; i++) // every slot but 0, which is never used
		CHECK(exo_cap_copy((uint64_t)r, (uint64_t)h, EXO_R_READ) > 0);
	CHECK_EQ(exo_cap_copy((uint64_t)r, (uint64_t)h, EXO_R_READ), E(ENOSPC));
	CHECK_EQ(exo_cap_delete((uint64_t)h), 0);
	CHECK_EQ(exo_cap_delete((uint64_t)r), 0);
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
	CHECK_EQ(test_wait_status(p, 5000), 55);
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
	CHECK_EQ(test_used(cq), 1); // only our capability to the code frame is left
	CHECK_EQ(exo_cap_delete(code), 0);
	CHECK_EQ(test_used(cq), 0);

	// A thread that faults in a new process without code: the fault status.
	h = exo_process_create(cq, "no-code");
	p = (uint64_t)h;
	t = (uint64_t)exo_thread_create(p, 16);
	CHECK_EQ(exo_thread_start(t, 0x1000, 0x2000, 0), 0);
	CHECK_EQ(test_wait_status(p, 5000), EXO_STATUS_FAULT(14));
	CHECK_EQ(exo_cap_delete(t), 0);
	CHECK_EQ(exo_cap_delete(p), 0);

	// Spawned copies of this program.
	r = spawn(CHILD_EXIT42, &p, &t);
	CHECK_EQ(r, 0);
	CHECK_EQ(test_wait_status(p, 5000), 42);
	CHECK_EQ(test_used(cq), 1);     // the child's memory went when it ended, but for the descriptor
	CHECK_EQ(exo_cap_delete(t), 0); // of its dead thread, which our capability names
	CHECK_EQ(test_used(cq), 0);
	CHECK_EQ(exo_cap_delete(p), 0);
	r = spawn(CHILD_EXIT_CALL, &p, &t);
	CHECK_EQ(r, 0);
	CHECK_EQ(test_wait_status(p, 5000), -5);
	CHECK_EQ(exo_cap_delete(t), 0);
	CHECK_EQ(exo_cap_delete(p), 0);
	r = spawn(CHILD_FAULT, &p, &t);
	CHECK_EQ(r, 0);
	CHECK_EQ(test_wait_status(p, 5000), EXO_STATUS_FAULT(14));
	CHECK_EQ(exo_cap_delete(t), 0);
	CHECK_EQ(exo_cap_delete(p), 0);
	CHECK_EQ(test_used(cq), 0);

	// A running child: status EAGAIN, capabilities across tables, then process_kill.
	r = spawn(CHILD_SLEEP, &p, &t);
	CHECK_EQ(r, 0);
	test_sleep_ms(5);
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
		CHECK_EQ(test_used(tq), 1); // the child's copies keep the frame
		f = alloc1(tq);
		CHECK_EQ(exo_cap_copy(f, p, EXO_R_READ) > 0, 1);
		CHECK_EQ(exo_cap_revoke(f), 0); // deletes the child's copy
		CHECK_EQ(exo_cap_delete(f), 0);
		CHECK_EQ(test_used(tq), 1); // only the first frame, still held by the child
	}
	CHECK_EQ(exo_process_kill(p, 77), 0);
	CHECK_EQ(test_used(tq), 0); // the child's table went with it
	CHECK_EQ(exo_process_status(p, &st), 0);
	CHECK_EQ(st, 77);
	CHECK_EQ(exo_process_status(pr, &st), 0);
	CHECK_EQ(st, 77);
	CHECK_EQ(exo_process_kill(p, 78), E(EBADCAP));
	CHECK_EQ(exo_cap_info(t, &ci), E(EBADCAP)); // its thread died with it
	CHECK_EQ(exo_cap_delete(pr), 0);
	CHECK_EQ(exo_cap_delete(t), 0);
	CHECK_EQ(exo_cap_delete(p), 0);
	CHECK_EQ(test_used(cq), 0);
}

// A process with a never-started thread, once its last capabilities are gone: nobody can reach
// it, so it must be freed and give its quota back (process_release in exo/core/thread.c).
static void test_unreachable_process(void)
{
	uint64_t before = test_used(bi->quota), q, p, t;

	q = (uint64_t)exo_quota_split(bi->quota, 64); // a process, its table and a thread
	p = (uint64_t)exo_process_create(q, "orphan");
	t = (uint64_t)exo_thread_create(p, 1);
	CHECK_EQ(info_of(t).b, TS_INACTIVE);
	CHECK_EQ(exo_cap_delete(t), 0);
	CHECK_EQ(exo_cap_delete(p), 0);
	CHECK_EQ(exo_cap_delete(q), 0);
	CHECK_BUG(test_used(bi->quota) == before,
	          "a process with an inactive thread is never freed after its last capability is "
	          "deleted (it keeps its quota and kernel memory)");
}

int main(uint64_t arg)
{
	static const struct test_case cases[] = { SYSCALLS_UP, TEST_CASE(test_processes), SYSCALLS_DOWN,
		                                  TEST_CASE(test_unreachable_process) };

	return syscalls_main(arg, "syscalls_process", cases, TEST_NELEM(cases));
}
