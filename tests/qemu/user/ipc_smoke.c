// SPDX-License-Identifier: MIT
// IPC smoke test, as init: a server thread answers 1000 calls on an endpoint (fast path), a
// send wakes a blocked receiver, and a non-blocking call with no receiver gets EXO_EAGAIN.
#include <exo/libexo.h>

#define STACK 0x900000000ull

static uint64_t ep;
static int failures;

#define TEST_NAME "ipc_smoke"
#include "check.h"

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
	const struct exo_bootinfo *bi = (const void *)arg;
	struct exo_map_op op = { 0, STACK, EXO_R_READ | EXO_R_WRITE };
	struct exo_msg m;
	uint64_t t, badged;

	ep = (uint64_t)exo_endpoint_create();
	CHECK((long)ep > 0);
	badged = (uint64_t)exo_cap_mint(ep, EXO_R_WRITE, 42);
	m = (struct exo_msg){ EXO_TAG(1, 0, 0) | EXO_IPC_NONBLOCK, 0, { 0 } };
	CHECK(exo_call(badged, &m) == -EXO_EAGAIN); // nobody receives yet
	CHECK(exo_frame_alloc(bi->quota, 1, &op.frame) == 1 && exo_vspace_map(bi->self, &op, 1) == 1);
	t = (uint64_t)exo_thread_create(bi->self, 20); // above us: it waits in recv at once
	CHECK(exo_thread_start(t, (uint64_t)server, STACK + 0x1000 - 8, 0) == 0);
	for (uint64_t i = 0; i < 1000; i++) {
		m = (struct exo_msg){ EXO_TAG(i, 4, 0), 0, { i, i + 1, i + 2, i + 3 } };
		CHECK(exo_call(badged, &m) == 0);
		CHECK(EXO_TAG_LABEL(m.tag) == i + 1 && m.w[0] == 2 * i && m.w[3] == 2 * (i + 3));
		if (failures)
			break;
	}
	CHECK(exo_thread_destroy(t) == 0);
	exo_cap_delete(t);
	exo_cap_delete(badged);
	exo_cap_delete(ep);
	exo_vspace_unmap(bi->self, &op.vaddr, 1);
	exo_cap_delete(op.frame);
	exo_printf("ipc_smoke: %s\n", failures ? "FAILED" : "all checks passed");
	return failures;
}
