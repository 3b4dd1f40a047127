// SPDX-License-Identifier: MIT
// Kernel calls for processes made in user space (fork, exec, pipes): vspace_share_range (copy-on-
// write and shared, recorded on the source's capability), vspace_protect_range with
// EXO_PROT_IF_PRIVATE, vspace_copy_range, cap_copy_range, process_watch and notify_forward - each
// success with its effect and every error path, as init; the fixture is tests/qemu/lib/syscalls.h.
#include "syscalls.h"

#define RW (EXO_R_READ | EXO_R_WRITE)

static long share(uint64_t from, uint64_t va, uint64_t pages, uint64_t to, uint64_t mode)
{
	return exo_vspace_share_range(from, va, pages, to, mode);
}

static void test_share_range(void)
{
	volatile uint64_t *p1 = (volatile uint64_t *)VA(1), *p2 = (volatile uint64_t *)VA(2);
	uint64_t child, thread, f, g, nothing = 0;
	struct exo_map_op op;

	CHECK_EQ(spawn(CHILD_SLEEP, &child, &thread), 0);
	f = alloc1(tq);
	op = (struct exo_map_op){ f, VA(1), RW | EXO_MAP_MOVE }; // the mapping holds the frame alone
	CHECK_EQ(exo_vspace_map(bi->self, &op, 1), 1);
	*p1 = 0x5eed;
	// Copy-on-write: both read-only, the copy without the right to become writable.
	CHECK_EQ(share(bi->self, VA(1), 3, child, EXO_SHARE_COW), 1); // VA(2), VA(3): holes
	CHECK(faults_write(VA(1), 1));
	CHECK_EQ(share(child, VA(1), 1, bi->self, EXO_SHARE_SAME), E(EEXIST));
	CHECK_EQ(share(child, VA(1), 1, bi->self, EXO_SHARE_COW), E(EEXIST));
	// The child's page, seen here at VA(2) through a second share: the same frame, read-only.
	CHECK_EQ(exo_vspace_unmap_range(child, VA(2), 1), 0);
	CHECK_EQ(share(child, VA(1), 1, child, EXO_SHARE_SAME), E(EINVAL)); // one space
	CHECK_EQ(exo_vspace_unmap_range(bi->self, VA(2), 1), 0);
	{
		uint64_t tmp = alloc1(tq);

		// Move the child's page to VA(2) in the child: share it back to us at VA(2).
		CHECK_EQ(map1(child, tmp, VA(2), EXO_R_READ), 1);
		CHECK_EQ(exo_cap_delete(tmp), 0); // unmaps it again (recorded on tmp)
	}
	CHECK_EQ(share(child, VA(1), 1, bi->self, EXO_SHARE_COW), E(EEXIST)); // VA(1) is ours
	CHECK_EQ(exo_vspace_unmap_range(bi->self, VA(1), 1), 1);              // we let go of our copy
	CHECK_EQ(share(child, VA(1), 1, bi->self, EXO_SHARE_SAME), 1);        // and take the child's
	CHECK_EQ(*p1, 0x5eed);
	CHECK_EQ(exo_vspace_protect_range(bi->self, VA(1), 1, RW), E(EPERM)); // no write on a copy
	CHECK_EQ(exo_vspace_protect_range(bi->self, VA(1), 1, EXO_PROT_IF_PRIVATE | RW), 0); // shared
	CHECK(faults_write(VA(1), 1));
	// Once the child lets go, the frame is ours alone: write comes back without a copy.
	CHECK_EQ(exo_vspace_unmap_range(child, VA(1), 1), 1);
	CHECK_EQ(exo_vspace_protect_range(bi->self, VA(1), 1, EXO_PROT_IF_PRIVATE | RW), 1);
	*p1 = 0xabc;
	CHECK_EQ(*p1, 0xabc);
	CHECK_EQ(exo_vspace_protect_range(bi->self, VA(1), 1, EXO_PROT_IF_PRIVATE | EXO_R_EXEC), E(EINVAL));
	CHECK_EQ(exo_vspace_protect_range(bi->self, VA(1), 1, EXO_PROT_IF_PRIVATE), E(EINVAL));
	// A frame mapped through a capability is not private (the capability holds it too).
	g = alloc1(tq);
	CHECK_EQ(map1(bi->self, g, VA(2), EXO_R_READ), 1);
	CHECK_EQ(exo_vspace_protect_range(bi->self, VA(2), 1, EXO_PROT_IF_PRIVATE | RW), 0);
	// Shared as it is: the same memory, written on either side; revoking the capability the
	// source page was mapped with unmaps the copies too.
	CHECK_EQ(exo_vspace_unmap_range(bi->self, VA(2), 1), 1);
	CHECK_EQ(map1(bi->self, g, VA(2), RW), 1);
	CHECK_EQ(share(bi->self, VA(2), 1, child, EXO_SHARE_SAME), 1);
	CHECK_EQ(exo_vspace_unmap_range(bi->self, VA(3), 1), 0);
	CHECK_EQ(share(child, VA(2), 1, bi->self, EXO_SHARE_SAME), E(EEXIST));
	*p2 = 77;
	CHECK_EQ(exo_cap_delete(g), 0);
	CHECK(faults_read(VA(2)));
	CHECK_EQ(exo_vspace_unmap_range(child, VA(2), 1), 0); // gone from the child as well
	// Errors.
	CHECK_EQ(share(bi->self, VA(1), 0, child, EXO_SHARE_COW), E(EINVAL));
	CHECK_EQ(share(bi->self, VA(1), EXO_MAP_BATCH_MAX + 1, child, EXO_SHARE_COW), E(EINVAL));
	CHECK_EQ(share(bi->self, VA(1) + 8, 1, child, EXO_SHARE_COW), E(EINVAL));
	CHECK_EQ(share(bi->self, KADDR, 1, child, EXO_SHARE_COW), E(EINVAL));
	CHECK_EQ(share(bi->self, NONCANON - EXO_PAGE_SIZE, 2, child, EXO_SHARE_COW), E(EINVAL));
	CHECK_EQ(share(bi->self, VA(1), 1, child, 2), E(EINVAL));
	CHECK_EQ(share(bi->self, VA(1), 1, nothing, EXO_SHARE_COW), E(EBADCAP));
	CHECK_EQ(share(bi->self, VA(1), 1, tq, EXO_SHARE_COW), E(ETYPE));
	{
		long ro = exo_cap_copy(child, 0, EXO_R_READ);

		CHECK(ro > 0);
		CHECK_EQ(share(bi->self, VA(1), 1, (uint64_t)ro, EXO_SHARE_COW), E(EPERM));
		CHECK_EQ(share((uint64_t)ro, VA(1), 1, bi->self, EXO_SHARE_COW), E(EPERM));
		CHECK_EQ(exo_cap_delete((uint64_t)ro), 0);
	}
	CHECK_EQ(exo_process_kill(child, 0), 0);
	CHECK_EQ(exo_cap_delete(child), 0);
	CHECK_EQ(exo_cap_delete(thread), 0);
	CHECK_EQ(exo_vspace_unmap_range(bi->self, VA(1), 3), 1);
}

static void test_copy_range(void)
{
	volatile uint64_t *p1 = (volatile uint64_t *)VA(1), *p4 = (volatile uint64_t *)VA(4);
	uint64_t child, thread, f = map_fresh(VA(1)), g;
	struct exo_cap_info before, after;

	CHECK_EQ(spawn(CHILD_SLEEP, &child, &thread), 0);
	*p1 = 0x1234;
	CHECK_EQ(exo_cap_info(cq, &before), 0);
	// Into the child at another address (a hole in between is skipped), charged to its quota.
	CHECK_EQ(exo_vspace_copy_range(bi->self, VA(1), child, VA(7), 2, RW), 1);
	CHECK_EQ(exo_cap_info(cq, &after), 0);
	CHECK(after.b >= before.b + 1); // the frame (and the tables it needed there)
	CHECK_EQ(share(child, VA(7), 1, bi->self, EXO_SHARE_SAME), 1); // see it at VA(7) here
	CHECK_EQ(*(volatile uint64_t *)VA(7), 0x1234);
	*p1 = 0x5678; // a copy: the original changes alone
	CHECK_EQ(*(volatile uint64_t *)VA(7), 0x1234);
	CHECK_EQ(exo_vspace_unmap_range(bi->self, VA(7), 1), 1);
	// Onto itself: the page is replaced by a private, writable copy (a copy-on-write fault).
	g = alloc1(tq);
	CHECK_EQ(map1(bi->self, g, VA(4), EXO_R_READ), 1);
	CHECK_EQ(exo_vspace_copy_range(bi->self, VA(4), bi->self, VA(4), 1, RW), 1);
	*p4 = 9;
	CHECK_EQ(*p4, 9);
	CHECK_EQ(exo_vspace_copy_range(bi->self, VA(4), bi->self, VA(4), 1, EXO_R_READ | EXO_R_EXEC), 1);
	CHECK(faults_write(VA(4), 1));
	// Errors.
	CHECK_EQ(exo_vspace_copy_range(bi->self, VA(1), child, VA(7), 1, RW | EXO_R_EXEC), E(EINVAL));
	CHECK_EQ(exo_vspace_copy_range(bi->self, VA(1), child, VA(7), 1, EXO_R_WRITE), E(EINVAL));
	CHECK_EQ(exo_vspace_copy_range(bi->self, VA(1), child, VA(7), 1, 0), E(EINVAL));
	CHECK_EQ(exo_vspace_copy_range(bi->self, VA(1), child, VA(7), 0, RW), E(EINVAL));
	CHECK_EQ(exo_vspace_copy_range(bi->self, VA(1), child, VA(7), EXO_MAP_BATCH_MAX + 1, RW), E(EINVAL));
	CHECK_EQ(exo_vspace_copy_range(bi->self, VA(1) + 1, child, VA(7), 1, RW), E(EINVAL));
	CHECK_EQ(exo_vspace_copy_range(bi->self, VA(1), child, KADDR, 1, RW), E(EINVAL));
	CHECK_EQ(exo_vspace_copy_range(bi->self, VA(1), child, NONCANON - EXO_PAGE_SIZE, 2, RW), E(EINVAL));
	CHECK_EQ(exo_vspace_copy_range(bi->self, VA(1), tq, VA(7), 1, RW), E(ETYPE));
	CHECK_EQ(exo_vspace_copy_range(0, VA(1), child, VA(7), 1, RW), E(EBADCAP));
	CHECK_EQ(exo_vspace_copy_range(bi->self, VA(1), child, VA(7), 1, RW), E(EEXIST)); // taken
	CHECK_EQ(exo_vspace_copy_range(bi->self, VA(1), bi->self, VA(4), 1, RW), E(EEXIST));
	CHECK_EQ(exo_process_kill(child, 0), 0);
	CHECK_EQ(exo_cap_delete(child), 0);
	CHECK_EQ(exo_cap_delete(thread), 0);
	CHECK_EQ(exo_vspace_unmap_range(bi->self, VA(4), 1), 1);
	CHECK_EQ(exo_cap_delete(g), 0);
	unmap_free(VA(1), f);
}

static void test_cap_copy_range(void)
{
	const struct exo_boot_module *m = &bi->modules[0]; // init's own file: consecutive frames
	struct exo_cap_info info;
	long first, small;

	CHECK(m->npages >= 3);
	first = exo_cap_copy_range(m->frames, 3, 0, EXO_R_READ);
	CHECK(first > 0);
	for (long i = 0; i < 3; i++) {
		CHECK_EQ(exo_cap_info((uint64_t)(first + i), &info), 0);
		CHECK_EQ(info.type, EXO_OBJ_FRAME);
		CHECK_EQ(info.rights, EXO_R_READ);
	}
	// Copies of the copies need GRANT to leave the table; rights only shrink.
	small = exo_process_create_slots(tq, "small", 16);
	CHECK(small > 0);
	CHECK_EQ(exo_cap_copy_range((uint64_t)first, 3, (uint64_t)small, EXO_R_READ), E(EPERM));
	CHECK_EQ(exo_cap_copy_range((uint64_t)first, 3, 0, RW), E(EPERM));
	CHECK_EQ(exo_cap_copy_range(m->frames, 3, (uint64_t)small, EXO_R_READ) > 0, 1);
	CHECK_EQ(exo_cap_copy_range(m->frames, 13, (uint64_t)small, EXO_R_READ), E(ENOSPC)); // 3 + 13 > 15
	CHECK_EQ(exo_cap_copy_range(m->frames, 0, 0, EXO_R_READ), E(EINVAL));
	CHECK_EQ(exo_cap_copy_range(m->frames, EXO_MAP_BATCH_MAX + 1, 0, EXO_R_READ), E(EINVAL));
	CHECK_EQ(exo_cap_copy_range(m->frames, 1, 0, 1ull << 40), E(EINVAL));
	CHECK_EQ(exo_cap_copy_range(m->frames, 1, tq, EXO_R_READ), E(ETYPE));
	CHECK_EQ(exo_cap_copy_range(0, 1, 0, EXO_R_READ), E(EBADCAP));
	CHECK_EQ(exo_cap_delete((uint64_t)first + 1), 0); // a hole in the run
	CHECK_EQ(exo_cap_copy_range((uint64_t)first, 3, 0, EXO_R_READ), E(EBADCAP));
	CHECK_EQ(exo_cap_delete((uint64_t)first), 0);
	CHECK_EQ(exo_cap_delete((uint64_t)first + 2), 0);
	CHECK_EQ(exo_cap_delete((uint64_t)small), 0);
}

static void test_process_watch(void)
{
	uint64_t child, thread, n = (uint64_t)exo_notify_create(), other = (uint64_t)exo_notify_create();
	long ro = exo_cap_copy(n, 0, EXO_R_READ), status;

	CHECK(ro > 0);
	CHECK_EQ(spawn(CHILD_SLEEP, &child, &thread), 0);
	CHECK_EQ(exo_process_watch(child, other, 1), 0);
	CHECK_EQ(exo_process_watch(child, n, 6), 0); // replaces the first watch
	CHECK_EQ(exo_notify_poll(n), 0);
	CHECK_EQ(exo_process_kill(child, 42), 0);
	CHECK_EQ(exo_notify_wait(n), 6);
	CHECK_EQ(exo_notify_poll(other), 0);
	CHECK_EQ(exo_process_status(child, &status), 0);
	CHECK_EQ(status, 42);
	CHECK_EQ(exo_process_watch(child, n, 8), 0); // ended: at once
	CHECK_EQ(exo_notify_poll(n), 8);
	CHECK_EQ(exo_process_watch(child, (uint64_t)ro, 1), E(EPERM));
	CHECK_EQ(exo_process_watch(child, tq, 1), E(ETYPE));
	CHECK_EQ(exo_process_watch(n, n, 1), E(ETYPE));
	CHECK_EQ(exo_process_watch(0, n, 1), E(EBADCAP));
	CHECK_EQ(exo_process_watch(child, 0, 0), 0);
	CHECK_EQ(exo_cap_delete(child), 0);
	CHECK_EQ(exo_cap_delete(thread), 0);
	CHECK_EQ(exo_cap_delete((uint64_t)ro), 0);
	CHECK_EQ(exo_cap_delete(n), 0);
	CHECK_EQ(exo_cap_delete(other), 0);
}

static void test_notify_forward(void)
{
	uint64_t n[6];
	long ro;

	for (int i = 0; i < 6; i++)
		n[i] = (uint64_t)exo_notify_create();
	ro = exo_cap_copy(n[1], 0, EXO_R_READ);
	CHECK_EQ(exo_notify_forward(n[0], n[1], 2), 0);
	CHECK_EQ(exo_notify_signal(n[0], 1), 0);
	CHECK_EQ(exo_notify_poll(n[1]), 2);             // forwarded
	CHECK_EQ(exo_notify_poll(n[0]), 1);             // and kept
	CHECK_EQ(exo_notify_forward(n[0], n[1], 8), 0); // new bits for the same target
	CHECK_EQ(exo_notify_signal(n[0], 1), 0);
	CHECK_EQ(exo_notify_poll(n[1]), 8);
	// One level: a target does not forward, one that forwards is no target.
	CHECK_EQ(exo_notify_forward(n[1], n[2], 1), E(EBUSY));
	CHECK_EQ(exo_notify_forward(n[2], n[0], 1), E(EBUSY));
	CHECK_EQ(exo_notify_forward(n[0], n[0], 1), E(EINVAL));
	CHECK_EQ(exo_notify_forward(n[0], n[2], 1ull << 63), E(EINVAL));
	CHECK_EQ(exo_notify_forward(n[0], (uint64_t)ro, 1), E(EPERM)); // the target needs WRITE
	{
		long src = exo_cap_copy(n[5], 0, EXO_R_READ);

		CHECK_EQ(exo_notify_forward((uint64_t)src, n[2], 1), 0); // the source needs only READ
		CHECK_EQ(exo_notify_forward((uint64_t)src, n[2], 0), 0);
		CHECK_EQ(exo_cap_delete((uint64_t)src), 0);
	}
	CHECK_EQ(exo_notify_forward(n[0], tq, 1), E(ETYPE));
	CHECK_EQ(exo_notify_forward(0, n[1], 1), E(EBADCAP));
	// Four targets at most; bits 0 ends one.
	for (int i = 2; i < 5; i++)
		CHECK_EQ(exo_notify_forward(n[0], n[i], 1ull << i), 0);
	CHECK_EQ(exo_notify_forward(n[0], n[5], 1), E(ENOSPC));
	CHECK_EQ(exo_notify_forward(n[0], n[1], 0), 0);
	CHECK_EQ(exo_notify_forward(n[0], n[5], 32), 0);
	CHECK_EQ(exo_notify_signal(n[0], 1), 0);
	CHECK_EQ(exo_notify_poll(n[1]), 0);
	CHECK_EQ(exo_notify_poll(n[5]), 32);
	// A target that goes away stops being forwarded to; the source lives on.
	CHECK_EQ(exo_cap_delete(n[5]), 0);
	CHECK_EQ(exo_notify_signal(n[0], 1), 0);
	CHECK_EQ(exo_notify_poll(n[2]), 4);
	CHECK_EQ(exo_cap_delete((uint64_t)ro), 0);
	for (int i = 0; i < 5; i++)
		CHECK_EQ(exo_cap_delete(n[i]), 0);
}

int main(uint64_t arg)
{
	static const struct test_case cases[] = { SYSCALLS_UP,
		                                  TEST_CASE(test_share_range),
		                                  TEST_CASE(test_copy_range),
		                                  TEST_CASE(test_cap_copy_range),
		                                  TEST_CASE(test_process_watch),
		                                  TEST_CASE(test_notify_forward),
		                                  SYSCALLS_DOWN };

	return syscalls_main(arg, "syscalls_share", cases, TEST_NELEM(cases));
}
