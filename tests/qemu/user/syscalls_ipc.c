// SPDX-License-Identifier: MIT
// Kernel calls on endpoints (send, call, recv, reply, capability transfer, grants). Each success
// case with its effect verified and each error path of the handler, as init; the fixture is
// tests/qemu/lib/syscalls.h.
#include "syscalls.h"

static long send1(uint64_t ep, uint64_t tag, uint64_t w0)
{
	struct exo_msg m = { tag, 0, { w0, 0, 0, 0 } };

	return exo_send(ep, &m);
}

static void test_ipc(void)
{
	static struct worker srv, caller, holder;
	struct exo_ipc_buffer *b = (struct exo_ipc_buffer *)VA(600);
	struct exo_cap_info ci;
	struct exo_msg m;
	uint64_t ep, epr, epw, badged, buf0, buf1, gpage, f, f2, fr, fm;
	long h, r, t0, cnt;

	h = exo_endpoint_create();
	CHECK(h > 0);
	ep = (uint64_t)h;
	ci = info_of(ep);
	CHECK_EQ(ci.type, EXO_OBJ_ENDPOINT);
	CHECK_EQ(ci.rights, EXO_R_ALL);
	// Nobody there: non-blocking calls fail at once.
	CHECK_EQ(send1(ep, EXO_TAG(1, 0, 0) | EXO_IPC_NONBLOCK, 0), E(EAGAIN));
	m = (struct exo_msg){ EXO_TAG(1, 1, 0) | EXO_IPC_NONBLOCK, 0, { 0 } };
	CHECK_EQ(exo_call(ep, &m), E(EAGAIN));
	m.tag = EXO_IPC_NONBLOCK;
	CHECK_EQ(exo_recv(ep, &m), E(EAGAIN));
	// Malformed tags and flags.
	m.tag = EXO_TAG(1, 0, 0);
	CHECK_EQ(exo_recv(ep, &m), E(EINVAL)); // recv takes flags only
	m.tag = EXO_IPC_GRANT;
	CHECK_EQ(exo_recv(ep, &m), E(EINVAL));
	m.tag = EXO_IPC_TIMEOUT; // needs a buffer (the deadline is there)
	CHECK_EQ(exo_recv(ep, &m), E(EINVAL));
	CHECK_EQ(send1(ep, EXO_TAG(1, 5, 0) | EXO_IPC_NONBLOCK, 0), E(EINVAL)); // words 4.. need a buffer
	CHECK_EQ(send1(ep, EXO_TAG(1, 0, 1) | EXO_IPC_NONBLOCK, 0), E(EINVAL)); // capabilities too
	CHECK_EQ(send1(ep, EXO_IPC_GRANT | EXO_IPC_NONBLOCK, 0), E(EINVAL));
	CHECK_EQ(send1(ep, EXO_IPC_TIMEOUT, 0), E(EINVAL));
	CHECK_EQ(send1(ep, 0x80 | EXO_IPC_NONBLOCK, 0), E(EINVAL)); // reserved bits
	CHECK_EQ(send1(ep, 0x400 | EXO_IPC_NONBLOCK, 0), E(EINVAL));
	CHECK_EQ(send1(ep, 0x800 | EXO_IPC_NONBLOCK, 0), E(EINVAL));
	CHECK_EQ(send1(ep, 0x8000 | EXO_IPC_NONBLOCK, 0), E(EINVAL));
	CHECK_EQ(send1(ep, 65 | EXO_IPC_NONBLOCK, 0), E(EINVAL)); // more than 64 words
	m = (struct exo_msg){ EXO_TAG(L_REPLY, 0, 0), 0, { 0 } };
	CHECK_EQ(exo_reply(&m), E(ENOENT)); // no call to answer
	CHECK_EQ(send1(0, EXO_IPC_NONBLOCK, 0), E(EBADCAP));
	CHECK_EQ(send1(tq, EXO_IPC_NONBLOCK, 0), E(ETYPE));
	epr = (uint64_t)exo_cap_copy(ep, 0, EXO_R_READ);
	epw = (uint64_t)exo_cap_copy(ep, 0, EXO_R_WRITE);
	CHECK_EQ(send1(epr, EXO_IPC_NONBLOCK, 0), E(EPERM)); // sending needs WRITE
	m.tag = EXO_IPC_NONBLOCK;
	CHECK_EQ(exo_recv(epw, &m), E(EPERM)); // receiving needs READ
	CHECK_EQ(exo_recv(0, &m), E(EBADCAP));
	CHECK_EQ(exo_recv(tq, &m), E(ETYPE));

	// ipc_set_buffer: a mapped, writable page of this process.
	buf0 = map_fresh(VA(600));
	buf1 = map_fresh(VA(601));
	CHECK_EQ(set_buffer(VA(600) + 8), E(EINVAL));
	CHECK_EQ(set_buffer(KADDR), E(EINVAL));
	CHECK_EQ(set_buffer(NONCANON), E(EINVAL));
	CHECK_EQ(set_buffer(USER_TOP), E(EINVAL));
	CHECK_EQ(set_buffer(UNMAPPED), E(EFAULT));
	CHECK_EQ(set_buffer((uint64_t)test_ipc & ~0xfffull), E(EFAULT)); // text
	CHECK_EQ(set_buffer((uint64_t)&ro_word & ~0xfffull), E(EFAULT)); // rodata
	CHECK_EQ(set_buffer(EXO_BOOTINFO_ADDR), E(EFAULT));              // read-only
	CHECK_EQ(set_buffer(0), 0);
	CHECK_EQ(set_buffer(VA(600)), 0);
	// Timeouts.
	t0 = exo_clock_ns();
	b->deadline = (uint64_t)t0 + 2000000;
	m.tag = EXO_IPC_TIMEOUT;
	CHECK_EQ(exo_recv(ep, &m), E(ETIMEDOUT));
	CHECK(exo_clock_ns() >= t0 + 2000000);
	b->deadline = (uint64_t)exo_clock_ns() + 1000000;
	CHECK_EQ(send1(ep, EXO_TAG(1, 0, 0) | EXO_IPC_TIMEOUT, 0), E(ETIMEDOUT));
	b->deadline = (uint64_t)exo_clock_ns() + 1000000;
	m = (struct exo_msg){ EXO_TAG(1, 0, 0) | EXO_IPC_TIMEOUT, 0, { 0 } };
	CHECK_EQ(exo_call(ep, &m), E(ETIMEDOUT));

	// A server thread (higher priority: it has handled each message when the send returns).
	srv.target = ep;
	srv.buf = VA(601);
	srv.window = VA(610);
	srv.window_pages = 2;
	start_worker(&srv, W_SERVER, 20, 0);
	CHECK_EQ(srv.flag, 1);
	CHECK_EQ(srv.result2, 0);
	CHECK_EQ(info_of(srv.self).b, TS_IPC_RECV);
	m = (struct exo_msg){ EXO_TAG(L_PLAIN, 4, 0), 0, { 1, 2, 3, 4 } };
	CHECK_EQ(exo_send(ep, &m), 0);
	CHECK_EQ(srv.counter, 1);
	CHECK_EQ(srv.msg.tag, EXO_TAG(L_PLAIN, 4, 0));
	CHECK_EQ(srv.msg.badge, 0);
	CHECK(srv.msg.w[0] == 1 && srv.msg.w[1] == 2 && srv.msg.w[2] == 3 && srv.msg.w[3] == 4);
	CHECK_EQ(send1(epw, EXO_TAG(L_PLAIN, 1, 0) | EXO_IPC_NONBLOCK, 9), 0); // flags do not arrive
	CHECK_EQ(srv.counter, 2);
	CHECK_EQ(srv.msg.tag, EXO_TAG(L_PLAIN, 1, 0));
	CHECK_EQ(srv.msg.w[0], 9);
	badged = (uint64_t)exo_cap_mint(ep, EXO_R_WRITE, 0xbeef);
	CHECK_EQ(send1(badged, EXO_TAG(L_PLAIN, 0, 0), 0), 0);
	CHECK_EQ(srv.msg.badge, 0xbeef);
	for (int i = 4; i < 12; i++)
		b->w[i] = 100 + (uint64_t)i;
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 10, 0), 0), 0); // words 4..9 through the buffers
	for (int i = 0; i < 6; i++)
		CHECK_EQ(srv.words[i], 104 + i);
	// Calls: the reply comes back in the message.
	m = (struct exo_msg){ EXO_TAG(L_CALL, 2, 0), 0, { 41, 0, 0, 0 } };
	CHECK_EQ(exo_call(ep, &m), 0);
	CHECK_EQ(m.tag, EXO_TAG(L_REPLY, 2, 0));
	CHECK_EQ(m.w[0], 42);
	CHECK_EQ(m.w[1], 0);
	m = (struct exo_msg){ EXO_TAG(L_CALL, 1, 0), 0, { 7, 0, 0, 0 } };
	CHECK_EQ(exo_call(badged, &m), 0);
	CHECK_EQ(m.w[0], 8);
	CHECK_EQ(m.w[1], 0xbeef); // the server saw the badge
	CHECK_EQ(srv.counter, 6);

	// Capabilities: copies with at most the sender's rights, moves.
	f = alloc1(tq);
	b->caps[0] = (struct exo_cap_xfer){ f, EXO_R_READ, 0 };
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 0, 1), 0), 0);
	ci = info_of(srv.got_caps[0]);
	CHECK_EQ(ci.type, EXO_OBJ_FRAME);
	CHECK_EQ(ci.rights, EXO_R_READ);
	CHECK(srv.got_caps[0] != f);
	CHECK_EQ(exo_cap_delete(srv.got_caps[0]), 0);
	fr = (uint64_t)exo_cap_copy(f, 0, EXO_R_READ | EXO_R_GRANT);
	cnt = srv.counter;
	b->caps[0] = (struct exo_cap_xfer){ fr, EXO_R_READ | EXO_R_WRITE, 0 };
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 0, 1), 0), E(EPERM)); // more rights than it has
	b->caps[0] = (struct exo_cap_xfer){ fr, 0x20, 0 };
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 0, 1), 0), E(EINVAL));
	b->caps[0] = (struct exo_cap_xfer){ 0, EXO_R_READ, 0 };
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 0, 1), 0), E(EBADCAP));
	fm = (uint64_t)exo_cap_copy(f, 0, EXO_R_READ); // no GRANT: may not move
	b->caps[0] = (struct exo_cap_xfer){ fm, 0, 1 };
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 0, 1), 0), E(EPERM));
	CHECK_EQ(info_of(fm).type, EXO_OBJ_FRAME);
	// A failing second capability undoes the first (a copy).
	b->caps[0] = (struct exo_cap_xfer){ fr, EXO_R_READ, 0 };
	b->caps[1] = (struct exo_cap_xfer){ fm, 0, 1 };
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 0, 2), 0), E(EPERM));
	CHECK_EQ(srv.counter, cnt); // nothing delivered
	f2 = alloc1(tq);
	b->caps[0] = (struct exo_cap_xfer){ f2, 0, 1 };
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 0, 1), 0), 0);
	CHECK_EQ(exo_cap_info(f2, &ci), E(EBADCAP)); // moved
	ci = info_of(srv.got_caps[0]);
	CHECK_EQ(ci.type, EXO_OBJ_FRAME);
	CHECK_EQ(ci.rights, EXO_R_ALL);
	CHECK_EQ(exo_cap_delete(srv.got_caps[0]), 0);
	// One capability moved twice in one message: either refused, or both reported handles real.
	f2 = alloc1(tq);
	b->caps[0] = (struct exo_cap_xfer){ f2, 0, 1 };
	b->caps[1] = (struct exo_cap_xfer){ f2, 0, 1 };
	srv.got_caps[1] = 0;
	r = send1(ep, EXO_TAG(L_PLAIN, 0, 2), 0);
	CHECK_BUG(r < 0 || (info_of(srv.got_caps[0]).type == EXO_OBJ_FRAME &&
	                    info_of(srv.got_caps[1]).type == EXO_OBJ_FRAME),
	          "ipc: a capability moved twice in one message is delivered once and the receiver "
	          "gets an uninitialized handle for the second (cap_move's error ignored)");
	if (r == 0)
		exo_cap_delete(srv.got_caps[0]);
	else
		exo_cap_delete(f2);

	// Grants: pages of the sender mapped into the receiver's window, with at most its rights.
	gpage = map_fresh(VA(620));
	*(volatile uint64_t *)VA(620) = 0x5151;
	CHECK_EQ(map1(bi->self, gpage, VA(621), EXO_R_READ), 1);
	b->grant = (struct exo_grant){ VA(620), 1, EXO_R_READ };
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 0, 0) | EXO_IPC_GRANT, 0), 0);
	CHECK_EQ(srv.grant.vaddr, VA(610));
	CHECK_EQ(srv.grant.pages, 1);
	CHECK_EQ(*(volatile uint64_t *)VA(610), 0x5151);
	CHECK(faults_write(VA(610), 1)); // granted read-only
	CHECK_EQ(unmap1(bi->self, VA(610)), 1);
	b->grant = (struct exo_grant){ VA(620), 1, EXO_R_READ | EXO_R_WRITE };
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 0, 0) | EXO_IPC_GRANT, 0), 0);
	CHECK(!faults_write(VA(610), 0x6161));
	CHECK_EQ(*(volatile uint64_t *)VA(620), 0x6161);
	CHECK_EQ(unmap1(bi->self, VA(610)), 1);
	cnt = srv.counter;
	b->grant = (struct exo_grant){ VA(621), 1, EXO_R_READ | EXO_R_WRITE }; // a read-only mapping
	CHECK_EQ(send1(ep, EXO_IPC_GRANT, 0), E(EPERM));
	b->grant = (struct exo_grant){ VA(620), 3, EXO_R_READ }; // more than the window
	CHECK_EQ(send1(ep, EXO_IPC_GRANT, 0), E(EPERM));
	b->grant = (struct exo_grant){ VA(621), 2, EXO_R_READ }; // the second page is not mapped
	CHECK_EQ(send1(ep, EXO_IPC_GRANT, 0), E(EFAULT));
	CHECK_EQ(unmap1(bi->self, VA(610)), E(ENOENT)); // the first page was undone
	b->grant = (struct exo_grant){ VA(620), 0, EXO_R_READ };
	CHECK_EQ(send1(ep, EXO_IPC_GRANT, 0), E(EINVAL));
	b->grant = (struct exo_grant){ VA(620), EXO_GRANT_MAX_PAGES + 1, EXO_R_READ };
	CHECK_EQ(send1(ep, EXO_IPC_GRANT, 0), E(EINVAL));
	b->grant = (struct exo_grant){ VA(620) + 8, 1, EXO_R_READ };
	CHECK_EQ(send1(ep, EXO_IPC_GRANT, 0), E(EINVAL));
	b->grant = (struct exo_grant){ VA(620), 1, EXO_R_EXEC };
	CHECK_EQ(send1(ep, EXO_IPC_GRANT, 0), E(EINVAL));
	b->grant = (struct exo_grant){ KADDR, 1, EXO_R_READ };
	CHECK_EQ(send1(ep, EXO_IPC_GRANT, 0), E(EINVAL));
	CHECK_EQ(srv.counter, cnt);
	// A grant that fails after a capability was moved: "a failure leaves both tables as they
	// were" (docs/abi.md).
	f2 = alloc1(tq);
	b->caps[0] = (struct exo_cap_xfer){ f2, 0, 1 };
	b->grant = (struct exo_grant){ UNMAPPED, 1, EXO_R_READ };
	((struct exo_ipc_buffer *)VA(601))->caps[0].handle = 0;
	CHECK_EQ(send1(ep, EXO_TAG(L_PLAIN, 0, 1) | EXO_IPC_GRANT, 0), E(EFAULT));
	CHECK_EQ(srv.counter, cnt);
	CHECK_BUG(info_of(f2).type == EXO_OBJ_FRAME,
	          "ipc: a message that fails in its grant still moves its capabilities to the receiver");
	if (info_of(f2).type == EXO_OBJ_FRAME)
		CHECK_EQ(exo_cap_delete(f2), 0);
	else // moved into the receiver's (our) table anyway: the receiver's buffer names it
		exo_cap_delete(((struct exo_ipc_buffer *)VA(601))->caps[0].handle);
	CHECK_EQ(unmap1(bi->self, VA(620)), 1);
	unmap_free(VA(621), gpage); // deleting gpage would have unmapped VA(620) too

	// The server stops.
	CHECK_EQ(send1(ep, EXO_TAG(L_STOP, 0, 0), 0), 0);
	CHECK(wait_flag(&srv.flag, 2));
	CHECK_EQ(srv.result, 0);
	CHECK_EQ(exo_cap_delete(srv.self), 0);

	// The main thread as the server of a waiting caller: reply, and a caller that is gone.
	caller.target = ep;
	caller.counter = 30;
	start_worker(&caller, W_CALLER, 18, 1);
	caller.counter = 30; // (start_worker reset it; the worker has already read it)
	CHECK_EQ(info_of(caller.self).b, TS_IPC_SEND);
	m.tag = EXO_IPC_NONBLOCK;
	CHECK_EQ(exo_recv(ep, &m), 0);
	CHECK_EQ(EXO_TAG_LABEL(m.tag), L_CALL);
	CHECK_EQ(info_of(caller.self).b, TS_IPC_REPLY);
	m = (struct exo_msg){ EXO_TAG(L_REPLY, 1, 0), 0, { 99, 0, 0, 0 } };
	CHECK_EQ(exo_reply(&m), 0);
	CHECK_EQ(caller.flag, 2); // higher priority: ran at once
	CHECK_EQ(caller.result, 0);
	CHECK_EQ(caller.msg.w[0], 99);
	CHECK_EQ(exo_reply(&m), E(ENOENT)); // answered already
	CHECK_EQ(exo_cap_delete(caller.self), 0);
	start_worker(&caller, W_CALLER, 18, 1);
	m.tag = EXO_IPC_NONBLOCK;
	CHECK_EQ(exo_recv(ep, &m), 0);
	CHECK_EQ(exo_thread_destroy(caller.self), 0);
	m = (struct exo_msg){ EXO_TAG(L_REPLY, 0, 0), 0, { 0 } };
	CHECK_EQ(exo_reply(&m), 0); // the caller is gone: dropped
	CHECK_EQ(exo_cap_delete(caller.self), 0);
	// A server that dies before replying: its caller gets EDEAD.
	start_worker(&caller, W_CALLER, 18, 1);
	holder.target = ep;
	start_worker(&holder, W_RECV_HOLD, 19, 2);
	CHECK_EQ(holder.flag, 2);
	CHECK_EQ(holder.result, 0);
	CHECK_EQ(info_of(caller.self).b, TS_IPC_REPLY);
	CHECK_EQ(exo_thread_destroy(holder.self), 0);
	CHECK_EQ(caller.flag, 2);
	CHECK_EQ(caller.result, E(EDEAD));
	CHECK_EQ(exo_cap_delete(holder.self), 0);
	CHECK_EQ(exo_cap_delete(caller.self), 0);
	// An endpoint whose last capability goes wakes its waiters with EDEAD.
	h = exo_endpoint_create();
	holder.target = (uint64_t)h;
	start_worker(&holder, W_RECV_HOLD, 19, 2);
	CHECK_EQ(holder.flag, 1);
	CHECK_EQ(exo_cap_delete((uint64_t)h), 0);
	CHECK(wait_flag(&holder.flag, 2));
	CHECK_EQ(holder.result, E(EDEAD));
	CHECK_EQ(exo_cap_delete(holder.self), 0);

	CHECK_EQ(set_buffer(0), 0);
	CHECK_EQ(exo_cap_delete(badged), 0);
	CHECK_EQ(exo_cap_delete(epr), 0);
	CHECK_EQ(exo_cap_delete(epw), 0);
	CHECK_EQ(exo_cap_delete(ep), 0);
	CHECK_EQ(exo_cap_delete(fr), 0);
	CHECK_EQ(exo_cap_delete(fm), 0);
	CHECK_EQ(exo_cap_delete(f), 0);
	unmap_free(VA(600), buf0);
	unmap_free(VA(601), buf1);
}

int main(uint64_t arg)
{
	static const struct test_case cases[] = { SYSCALLS_UP, TEST_CASE(test_ipc), SYSCALLS_DOWN };

	return syscalls_main(arg, "syscalls_ipc", cases, TEST_NELEM(cases));
}
