// SPDX-License-Identifier: MIT
// IPC smoke test, as init: a server thread answers 1000 calls on an endpoint (fast path), a
// send wakes a blocked receiver, and a non-blocking call with no receiver gets EXO_EAGAIN.
#include "testlib.h"

#define STACK 0x900000000ull

static uint64_t ep;

static void server(uint64_t arg)
{
	struct exo_msg m = { 0 };

	(void)arg;
	exo_recv(ep, &m);
	for (;;) { // answer label+1, each word doubled
		m.tag = EXO_TAG(EXO_TAG_LABEL(m.tag) + 1, 4, 0);
		for (int i = 0; i < 4; i++)
			m.w[i] *= 2;
		exo_reply_recv(ep, &m);
	}
}

int main(uint64_t arg)
{
	const struct exo_bootinfo *bi = test_begin("ipc_smoke", arg);
	struct test_thread server_thread;
	struct exo_msg m;
	uint64_t badged;

	if (!bi)
		return test_end();
	ep = (uint64_t)exo_endpoint_create();
	CHECK((long)ep > 0);
	badged = (uint64_t)exo_cap_mint(ep, EXO_R_WRITE, 42);
	m = (struct exo_msg){ EXO_TAG(1, 0, 0) | EXO_IPC_NONBLOCK, 0, { 0 } };
	CHECK(exo_call(badged, &m) == -EXO_EAGAIN);                                 // nobody receives yet
	test_thread_new(&server_thread, bi->quota, STACK, 20, server, 0, "server"); // above us: waits in recv
	for (uint64_t i = 0; i < 1000; i++) {
		m = (struct exo_msg){ EXO_TAG(i, 4, 0), 0, { i, i + 1, i + 2, i + 3 } };
		CHECK(exo_call(badged, &m) == 0);
		CHECK(EXO_TAG_LABEL(m.tag) == i + 1 && m.w[0] == 2 * i && m.w[3] == 2 * (i + 3));
		if (test_failures())
			break;
	}
	test_thread_end(&server_thread);
	exo_cap_delete(badged);
	exo_cap_delete(ep);
	return test_end();
}
