// SPDX-License-Identifier: MIT
// The first code a module's thread runs (in libexo.so): init, then serve, then exit with the
// result. The loader passes the address of a struct exo_module_start it mapped for the module.
#include <exo/module.h>

void exo_module_entry(const struct exo_module_start *st)
{
	int (*init)(const struct exo_module_env *) = (void *)st->init;
	int (*serve)(const struct exo_module_env *) = (void *)st->serve;
	int r = init(&st->env);

	exo_exit(r ? r : serve(&st->env));
}
