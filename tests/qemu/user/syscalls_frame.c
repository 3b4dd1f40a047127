// SPDX-License-Identifier: MIT
// Kernel calls on quotas and frames (quota_split, frame_alloc). Each success case with its effect
// verified and each error path of the handler, as init; the fixture is tests/qemu/lib/syscalls.h.
#include "syscalls.h"

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
	CHECK_EQ(test_used(tq), 4);
	CHECK_EQ(exo_quota_split(q4, 5), E(ENOMEM));
	CHECK_EQ(exo_quota_split(q4, ~0ul), E(ENOMEM));
	CHECK_EQ(exo_quota_split(q4, 1ull << 62), E(ENOMEM));
	CHECK_EQ(exo_quota_split(q4, 0), E(EINVAL)); // every quota costs its parent a frame at least
	h = exo_quota_split(q4, 3);
	CHECK(h > 0);
	sub = (uint64_t)h;
	CHECK_EQ(test_used(q4), 3);
	CHECK_EQ(exo_quota_split(q4, 2), E(ENOMEM));
	CHECK_EQ(exo_cap_delete(sub), 0);
	CHECK_EQ(test_used(q4), 0);
	CHECK_EQ(exo_quota_split(0, 1), E(EBADCAP));
	CHECK_EQ(exo_quota_split(bi->self, 1), E(ETYPE));
	r = (uint64_t)exo_cap_copy(q4, 0, EXO_R_READ | EXO_R_CONTROL);
	CHECK_EQ(exo_quota_split(r, 1), E(EPERM)); // needs WRITE

	// frame_alloc: all or nothing, charged to the quota.
	CHECK_EQ(exo_frame_alloc(q4, 5, hs), E(ENOMEM));
	CHECK_EQ(test_used(q4), 0);
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
	CHECK_EQ(test_used(q4), 0); // failed allocations gave everything back
	CHECK_EQ(exo_frame_alloc(q4, 4, hs), 4);
	CHECK_EQ(test_used(q4), 4);
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
	CHECK_EQ(test_used(q4), 0);
	CHECK_EQ(exo_cap_delete(r), 0);
	CHECK_EQ(exo_cap_delete(q4), 0);
	CHECK_EQ(exo_cap_info(q4, &ci), E(EBADCAP));
	CHECK_EQ(test_used(tq), 0); // the split budget came back
}

int main(uint64_t arg)
{
	static const struct test_case cases[] = { SYSCALLS_UP, TEST_CASE(test_quota_frames), SYSCALLS_DOWN };

	return syscalls_main(arg, "syscalls_frame", cases, TEST_NELEM(cases));
}
