// SPDX-License-Identifier: MIT
// Client side of the name server: each helper packs the name and calls the generated stub
// (<proto/names.h>, from modules/names/names.idl). The rights word and the capabilities go through
// the caller's IPC buffer, which the program names once with exo_names_use_buffer.
#include <exo/libexo.h>
#include <exo/names.h>

static struct exo_ipc_buffer *buffer;

void exo_names_use_buffer(struct exo_ipc_buffer *buf)
{
	buffer = buf;
}

long exo_names_pack(const char *name, uint64_t w[EXO_NAMES_WORDS])
{
	return exo_proto_string_put((char *)w, EXO_NAMES_WORDS * sizeof(uint64_t), name);
}

long exo_names_register(uint64_t ns, const char *name, uint64_t ep, uint64_t rights)
{
	struct exo_names_register_in in = { .rights = rights };
	struct exo_names_register_in_caps caps = { { ep, rights | EXO_R_GRANT, 0 } };
	long r = exo_proto_string_put(in.name, sizeof(in.name), name);

	if (r || (rights & ~(uint64_t)EXO_R_ALL))
		return -EXO_EINVAL;
	return exo_names_call_register(ns, buffer, &in, &caps);
}

long exo_names_lookup(uint64_t ns, const char *name, uint64_t *handle)
{
	struct exo_names_lookup_in in;
	struct exo_names_lookup_out out;
	struct exo_names_lookup_out_caps caps;
	long r = exo_proto_string_put(in.name, sizeof(in.name), name);

	if (!r)
		r = exo_names_call_lookup(ns, buffer, &in, &out, &caps);
	if (!r)
		*handle = caps.ep.handle;
	return r;
}

long exo_names_unregister(uint64_t ns, const char *name)
{
	struct exo_names_unregister_in in;
	long r = exo_proto_string_put(in.name, sizeof(in.name), name);

	return r ? r : exo_names_call_unregister(ns, buffer, &in);
}
