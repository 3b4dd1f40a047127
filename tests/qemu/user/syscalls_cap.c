// SPDX-License-Identifier: MIT
// Kernel calls on capabilities (copy, mint, info, delete, revoke, move, a full table) and the call
// entry (null, debug_write, unknown numbers). Each success case with its effect verified and each
// error path of the handler, as init; the fixture is tests/qemu/lib/syscalls.h.
#include "syscalls.h"

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
	CHECK_EQ(test_syscall(EXO_NSYSCALLS, (const uint64_t[6]){ 0, 0, 0, 0, 0, 0 }), E(ENOSYS));
	CHECK_EQ(test_syscall(EXO_NSYSCALLS + 1, (const uint64_t[6]){ 1, 2, 3, 4, 5, 6 }), E(ENOSYS));
	CHECK_EQ(test_syscall(1000, (const uint64_t[6]){ 0, 0, 0, 0, 0, 0 }), E(ENOSYS));
	CHECK_EQ(test_syscall((uint64_t)-1, (const uint64_t[6]){ 0, 0, 0, 0, 0, 0 }), E(ENOSYS));
	CHECK_EQ(test_syscall(1ull << 32, (const uint64_t[6]){ 0, 0, 0, 0, 0, 0 }),
	         E(ENOSYS)); // not truncated to null
	CHECK_EQ(test_syscall(1ull << 63, (const uint64_t[6]){ 0, 0, 0, 0, 0, 0 }), E(ENOSYS));
	// The raw path and the stub agree.
	CHECK_EQ(test_syscall(EXO_SYS_null, (const uint64_t[6]){ 1, 2, 3, 4, 5, 6 }), 0);
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
	CHECK_EQ(test_used(tq), 1);
	CHECK_EQ(exo_cap_delete(f), 0);
	CHECK_EQ(test_used(tq), 1);
	CHECK_EQ(info_of(a).type, EXO_OBJ_FRAME);
	CHECK_EQ(exo_cap_delete(a), 0);
	CHECK_EQ(test_used(tq), 0);
}

// Fills the capability table: every call that makes a capability fails with ENOSPC and undoes
// what it did.
static void test_table_full(void)
{
	static uint64_t fill[1024];
	unsigned long hs[4];
	uint64_t used = test_used(tq), bused = test_used(bi->quota), f = alloc1(tq);
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
	CHECK_EQ(test_used(tq), used + 1);
	CHECK_EQ(exo_frame_alloc(tq, 1, hs), E(ENOSPC));
	CHECK_EQ(exo_process_create(tq, "full"), E(ENOSPC));
	CHECK_EQ(exo_ioport_restrict(bi->ioports, 0x60, 1), E(ENOSPC));
	CHECK_EQ(exo_mmio_restrict(bi->mmio, 0xb8000, 0x1000), E(ENOSPC));
	CHECK_EQ(test_used(tq), used + 1);
	CHECK_EQ(exo_cap_delete(fill[--n]), 0); // one free slot
	CHECK_EQ(exo_frame_alloc(tq, 3, hs), E(ENOSPC));
	CHECK_EQ(test_used(tq), used + 1); // all or nothing
	CHECK_EQ(exo_frame_alloc(tq, 1, hs), 1);
	CHECK_EQ(exo_frame_alloc(tq, 1, hs + 1), E(ENOSPC));
	CHECK_EQ(exo_cap_delete(hs[0]), 0);
	h = exo_cap_move(f, 0); // a move within the table needs a free slot first
	CHECK(h > 0);
	f = (uint64_t)h;
	while (n > 0)
		CHECK_EQ(exo_cap_delete(fill[--n]), 0);
	CHECK_EQ(exo_cap_delete(f), 0);
	CHECK_EQ(test_used(tq), used);
	CHECK_EQ(test_used(bi->quota), bused);
}

int main(uint64_t arg)
{
	static const struct test_case cases[] = { SYSCALLS_UP,
		                                  TEST_CASE(test_null_debug_exit),
		                                  TEST_CASE(test_cap_copy_mint_info),
		                                  TEST_CASE(test_cap_revoke_move),
		                                  TEST_CASE(test_table_full),
		                                  SYSCALLS_DOWN };

	return syscalls_main(arg, "syscalls_cap", cases, TEST_NELEM(cases));
}
