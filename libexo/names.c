// SPDX-License-Identifier: MIT
// Client side of the name server (protocol in <exo/names.h>): each helper is one call. A name
// travels NUL-padded in the four register words; the rights word and the capabilities go through
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
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > EXO_NAMES_MAX_LEN)
		return -EXO_EINVAL;
	memset(w, 0, EXO_NAMES_WORDS * sizeof(uint64_t));
	memcpy(w, name, n);
	return 0;
}

int exo_names_valid(const uint64_t w[EXO_NAMES_WORDS])
{
	const char *b = (const char *)w;
	size_t n = 0, size = EXO_NAMES_WORDS * sizeof(uint64_t);

	while (n < size && b[n])
		n++;
	if (n == 0 || n > EXO_NAMES_MAX_LEN)
		return 0;
	for (size_t i = n; i < size; i++) // the padding must be all NUL: one encoding per name
		if (b[i])
			return 0;
	return 1;
}

long exo_names_register(uint64_t ns, const char *name, uint64_t ep, uint64_t rights)
{
	struct exo_msg m = { EXO_TAG(EXO_NAMES_REGISTER, EXO_NAMES_WORDS + 1, 1), 0, { 0 } };
	long r = exo_names_pack(name, m.w);

	if (r)
		return r;
	if (!buffer || (rights & ~(uint64_t)EXO_R_ALL))
		return -EXO_EINVAL;
	buffer->w[EXO_NAMES_WORDS] = rights;
	buffer->caps[0] = (struct exo_cap_xfer){ ep, rights | EXO_R_GRANT, 0 };
	return exo_call_status(ns, &m, 0, buffer);
}

long exo_names_lookup(uint64_t ns, const char *name, uint64_t *handle)
{
	struct exo_msg m = { EXO_TAG(EXO_NAMES_LOOKUP, EXO_NAMES_WORDS, 0), 0, { 0 } };
	long r = exo_names_pack(name, m.w);

	if (r)
		return r;
	if (!buffer)
		return -EXO_EINVAL; // the capability could not be received
	r = exo_call_status(ns, &m, 1, buffer);
	if (!r)
		*handle = buffer->caps[0].handle;
	return r;
}

long exo_names_unregister(uint64_t ns, const char *name)
{
	struct exo_msg m = { EXO_TAG(EXO_NAMES_UNREGISTER, EXO_NAMES_WORDS, 0), 0, { 0 } };
	long r = exo_names_pack(name, m.w);

	return r ? r : exo_call_status(ns, &m, 0, buffer);
}
