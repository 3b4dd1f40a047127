// SPDX-License-Identifier: MIT
// Kernel calls on address spaces (vspace_map, _protect, _unmap, the faults they cause) and
// upcall_set. Each success case with its effect verified and each error path of the handler, as
// init; the fixture is tests/qemu/lib/syscalls.h.
#include "syscalls.h"

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
	// Executable mappings: code written through the writable mapping runs through an R|X one once
	// no mapping of the frame is writable (W^X per frame: write, then seal); data mappings are not
	// executable.
	{
		static const uint8_t ret42[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 }; // mov $42,%eax; ret
		volatile uint8_t *code = (volatile uint8_t *)VA(1) + 64;

		for (size_t i = 0; i < sizeof(ret42); i++)
			code[i] = ret42[i];
		CHECK_EQ(map1(bi->self, rx, VA(4), EXO_R_READ | EXO_R_EXEC), E(EBUSY)); // VA(1) writes it
		CHECK_EQ(protect1(bi->self, f, VA(1), EXO_R_READ), 1);
		CHECK_EQ(map1(bi->self, rx, VA(4), EXO_R_READ | EXO_R_EXEC), 1);
		CHECK_EQ(protect1(bi->self, f, VA(1), EXO_R_READ | EXO_R_WRITE), E(EBUSY)); // VA(4) runs it
		CHECK(!faults_call(VA(4) + 64, &r));
		CHECK_EQ(r, 42);
		CHECK(faults_call(VA(1) + 64, &r)); // RW mapping: no execute
		CHECK_EQ(probe.vector, 14);
		CHECK(probe.error & 16);
		CHECK(faults_write(VA(4), 1));
		CHECK_EQ(unmap1(bi->self, VA(4)), 1);
		CHECK_EQ(protect1(bi->self, f, VA(1), EXO_R_READ | EXO_R_WRITE), 1);
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
		uint64_t m = alloc1(tq), used = (uint64_t)test_used(tq);

		CHECK_EQ(map1(bi->self, m, VA(1), (EXO_R_READ | EXO_R_WRITE) | EXO_MAP_MOVE), E(EEXIST));
		CHECK_EQ(exo_cap_info(m, &info), 0);
		CHECK_EQ(map1(bi->self, m, VA(305), EXO_R_WRITE | EXO_R_EXEC | EXO_MAP_MOVE), E(EINVAL));
		CHECK_EQ(map1(bi->self, m, VA(305), (EXO_R_READ | EXO_R_WRITE) | EXO_MAP_MOVE), 1);
		CHECK_EQ(exo_cap_info(m, &info), E(EBADCAP));
		CHECK(!faults_write(VA(305), 9));
		CHECK_EQ(exo_vspace_protect_range(bi->self, VA(305), 1, EXO_R_READ), 1);
		CHECK(faults_write(VA(305), 10));
		CHECK_EQ(*(volatile uint64_t *)VA(305), 9);
		CHECK_EQ((uint64_t)test_used(tq), used); // the mapping holds the frame
		CHECK_EQ(exo_vspace_unmap_range(bi->self, VA(305), 1), 1);
		CHECK_EQ((uint64_t)test_used(tq), used - 1);
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
		// The kernel does not read it for us either (hardening issue, repro 5): a parked page is
		// EFAULT to every call that takes a buffer or a string from it.
		CHECK_EQ(exo_debug_write((const void *)VA(300), 17), E(EFAULT));
		CHECK_EQ(exo_process_create(cq, (const char *)VA(300)), E(EFAULT));
		CHECK_EQ(exo_vspace_map(bi->self, (const struct exo_map_op *)VA(300), 1), E(EFAULT));
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
	// Deleting the capability pages were mapped with unmaps them, and the frame goes with them.
	CHECK_EQ(exo_cap_delete(ro), 0);
	CHECK_EQ(exo_cap_delete(rx), 0);
	CHECK_EQ(exo_cap_delete(wo), 0);
	CHECK_EQ(exo_cap_delete(f), 0);
	CHECK(faults_read(VA(1)));
	CHECK(faults_read(VA(2)));
	CHECK_EQ(test_used(tq), 1); // g
	// EXO_MAP_MOVE hands the capability to the mapping: it keeps the frame until the unmap.
	f = alloc1(tq);
	ro = (uint64_t)exo_cap_copy(f, 0, EXO_R_READ);
	CHECK_EQ(map1(bi->self, f, VA(1), EXO_R_READ | EXO_R_WRITE | EXO_MAP_MOVE), 1);
	CHECK_EQ(map1(bi->self, ro, VA(2), EXO_R_READ | EXO_MAP_MOVE), 1);
	CHECK_EQ(exo_cap_delete(f), E(EBADCAP)); // handed over
	CHECK_EQ(exo_cap_delete(ro), E(EBADCAP));
	p1[0] = 0x99;
	CHECK_EQ(test_used(tq), 2); // f (mapped twice) and g
	CHECK_EQ(p2[0], 0x99);
	vas[0] = VA(1);
	vas[1] = VA(3); // not mapped: the batch stops there
	vas[2] = VA(2);
	CHECK_EQ(exo_vspace_unmap(bi->self, vas, 3), 1);
	CHECK(faults_read(VA(1)));
	CHECK(!faults_read(VA(2)));
	CHECK_EQ(test_used(tq), 2);
	CHECK_EQ(unmap1(bi->self, VA(2)), 1);
	CHECK_EQ(test_used(tq), 1); // the last mapping of f went
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
	CHECK_EQ(test_used(tq), 0);
}

int main(uint64_t arg)
{
	static const struct test_case cases[] = { SYSCALLS_UP, TEST_CASE(test_upcall_set),
		                                  TEST_CASE(test_vspace), SYSCALLS_DOWN };

	return syscalls_main(arg, "syscalls_vspace", cases, TEST_NELEM(cases));
}
