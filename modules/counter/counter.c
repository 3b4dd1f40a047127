// SPDX-License-Identifier: MIT
// A stateful counter service, the demo module: ADD(n) adds n and answers the new total; GET
// answers it. Its state is one word, handed from one version to the next by hot-swap. The build
// makes four versions from this file: counter.so (1), counter2.so (2), counter_bad.so, whose
// init fails (to test the rollback of a swap), and counter_crash.so (4), whose CRASH dereferences
// NULL and whose HANG spins (to test the supervisor) and whose note requests caps 1 (to test the
// manager's policy).
#include <exo/module.h>

#ifndef COUNTER_VERSION
#define COUNTER_VERSION 1
#endif

#ifndef COUNTER_CAPS
#define COUNTER_CAPS 0
#endif

EXO_MODULE_NOTE("counter", COUNTER_VERSION, COUNTER_CAPS, "counter");

enum { COUNTER_ADD = 1, COUNTER_GET = 2, COUNTER_CRASH = 3, COUNTER_HANG = 4 };

static uint64_t total;

int exo_module_init(const struct exo_module_env *env)
{
#ifdef COUNTER_FAIL_INIT
	(void)env;
	exo_printf("counter: version %d cannot start\n", COUNTER_VERSION);
	return 3;
#else
	total = env->nstate ? env->state[0] : 0;
	exo_printf("counter: version %d serving, total %lu\n", COUNTER_VERSION, (unsigned long)total);
	return 0;
#endif
}

int exo_module_export_state(uint64_t state[4])
{
	state[0] = total;
	return 1;
}

int exo_module_serve(const struct exo_module_env *env)
{
	struct exo_msg m;
	long r = exo_module_recv(env, &m);

	while (r == 0) {
		uint64_t label = EXO_TAG_LABEL(m.tag);

		if (label == COUNTER_ADD)
			total += m.w[0];
#ifdef COUNTER_CRASH_OP
		if (label == COUNTER_CRASH)
			total = *(volatile uint64_t *)0; // a bug: the process dies of a page fault
		while (label == COUNTER_HANG)
			__asm__ volatile("pause"); // a bug: it spins and never answers again
#endif
		m.tag = EXO_TAG(label == COUNTER_ADD || label == COUNTER_GET ? 0 : EXO_ENOSYS, 2, 0);
		m.w[0] = total;
		m.w[1] = COUNTER_VERSION;
		r = exo_module_reply_recv(env, &m);
	}
	return (int)-r;
}
