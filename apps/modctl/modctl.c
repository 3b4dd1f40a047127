// SPDX-License-Identifier: MIT
// modctl: the module manager's command line inside exo - load, replace, unload and list modules
// by the file names of the boot modules (the initrd) the manager was given. Its starter maps a
// struct exo_modctl_args (the manager's endpoint in modctl's table, the command) at the address
// passed as its argument. Prints the outcome; exit status 0, or the EXO_E* code of the failure.
#include <exo/libexo.h>
#include <exo/modmgr.h>

static uint8_t ipc_page[4096] __attribute__((aligned(4096)));

// Splits s at spaces into at most max words (in place); returns how many.
static int split(char *s, char **words, int max)
{
	int n = 0;

	while (*s && n < max) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		words[n++] = s;
		while (*s && *s != ' ')
			s++;
		if (*s)
			*s++ = 0;
	}
	return n;
}

static uint64_t number(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

static long list(uint64_t mgr)
{
	struct exo_modmgr_info info[EXO_MODMGR_MAX_MODULES];
	long n = exo_modmgr_list(mgr, info, EXO_MODMGR_MAX_MODULES);

	for (long i = 0; i < n && i < EXO_MODMGR_MAX_MODULES; i++)
		exo_printf("modctl: %lu %s (%s v%u) %s, %u restarts, %lu frames\n", (unsigned long)info[i].id,
		           info[i].file, info[i].name, info[i].version, exo_modmgr_state_name(info[i].state),
		           info[i].restarts, (unsigned long)info[i].frames);
	return n < 0 ? n : 0;
}

static long run(uint64_t mgr, char *command)
{
	char *w[4];
	int n = split(command, w, 4);
	uint64_t id, ep;
	long r;

	if (n == 1 && !strcmp(w[0], "list"))
		return list(mgr);
	if (n == 2 && !strcmp(w[0], "load")) {
		r = exo_modmgr_load(mgr, w[1], &id, &ep);
		if (!r) {
			exo_printf("modctl: loaded %s as id %lu\n", w[1], (unsigned long)id);
			exo_cap_delete(ep);
		}
		return r;
	}
	if (n == 3 && !strcmp(w[0], "replace")) {
		r = exo_modmgr_replace(mgr, number(w[1]), w[2]);
		if (!r)
			exo_printf("modctl: module %s now runs %s\n", w[1], w[2]);
		return r;
	}
	if (n == 2 && !strcmp(w[0], "unload")) {
		r = exo_modmgr_unload(mgr, number(w[1]));
		if (!r)
			exo_printf("modctl: unloaded module %s\n", w[1]);
		return r;
	}
	exo_printf("modctl: usage: load FILE | replace ID FILE | unload ID | list\n");
	return -EXO_EINVAL;
}

int main(uint64_t arg)
{
	const struct exo_modctl_args *a = (const void *)arg;
	char command[sizeof(a->command)];
	long r;

	if (exo_ipc_set_buffer(ipc_page))
		return EXO_ENOMEM;
	exo_modmgr_use_buffer((struct exo_ipc_buffer *)ipc_page);
	memcpy(command, a->command, sizeof(command));
	command[sizeof(command) - 1] = 0;
	r = run(a->mgr, command);
	if (r) // the manager says why it refused a module
		exo_printf("modctl: %s: error %ld%s%s\n", a->command, -r, *exo_modmgr_reason() ? ": " : "",
		           exo_modmgr_reason());
	return (int)-r;
}
