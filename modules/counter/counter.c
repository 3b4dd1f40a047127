// SPDX-License-Identifier: MIT
// A stateful counter service, the demo module: ADD(n) adds n and answers the new total; GET
// answers it. Its state is one word, which hot-swap hands from one version to the next.
#include <exo/module.h>

EXO_MODULE_NOTE("counter", 1, 0, "counter");

enum { COUNTER_ADD = 1, COUNTER_GET = 2 };

static uint64_t total;

int exo_module_init(const struct exo_module_env *env)
{
	total = env->nstate ? env->state[0] : 0;
	exo_printf("counter: version 1 serving, total %lu\n", (unsigned long)total);
	return 0;
}

int exo_module_serve(const struct exo_module_env *env)
{
	struct exo_msg m = { 0 };
	long r = exo_recv(env->service, &m);

	while (r == 0) {
		uint64_t label = EXO_TAG_LABEL(m.tag);

		if (label == COUNTER_ADD)
			total += m.w[0];
		m.tag = EXO_TAG(label == COUNTER_ADD || label == COUNTER_GET ? 0 : EXO_ENOSYS, 1, 0);
		m.w[0] = total;
		r = exo_reply_recv(env->service, &m);
	}
	return (int)-r;
}
