// SPDX-License-Identifier: MIT
// exo_call_status: a call to a service whose replies carry a status in the label (the name server,
// the module manager): 0 or a positive EXO_E* value, which becomes 0 or -EXO_E* here.
#include <exo/libexo.h>

long exo_call_status(exo_endpoint_t ep, struct exo_msg *m, unsigned want_caps,
                     const struct exo_ipc_buffer *buf)
{
	long r = exo_call(ep, m);
	uint64_t label = EXO_TAG_LABEL(m->tag);
	unsigned caps = EXO_TAG_CAPS(m->tag);

	if (r)
		return r;
	if (label == 0 && caps == want_caps)
		return 0;
	for (unsigned i = 0; i < caps && buf; i++) // capabilities the reply should not have carried
		exo_cap_delete(buf->caps[i].handle);
	return label ? -(long)label : -EXO_EINVAL;
}
