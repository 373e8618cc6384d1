/* env.h — every environment variable manifold reads, in one table (as the
 * command line's options are in publisher/cli/options.c), and the one
 * accessor that reads them. The man page's ENVIRONMENT section and the
 * ENVIRONMENT part of `manifold --help` are made from the table; lint
 * checks that no code reads the environment another way. */
#ifndef MANIFOLD_ENV_H
#define MANIFOLD_ENV_H

#include <stddef.h>

struct reg_env_var {
	const char *name;  /* "DOCKER_CONFIG"; "NAME" for the config-named row */
	const char *value; /* what it holds, as help shows it: "DIR", "0..255" */
	const char *help;  /* one sentence */
};
/* In the order help and the man page list them. */
extern const struct reg_env_var reg_env_vars[];
extern const size_t reg_env_n_vars;

/* getenv(name) for a name of the table (the value as the environment has
 * it, NULL when unset); NULL for any other name, so a variable read
 * without a row in the table is never read at all. */
const char *reg_env(const char *name);
/* A variable a config names (sign-key / require-signature {env: NAME},
 * the table's "NAME" row): getenv(name), NULL when unset. */
const char *reg_env_named(const char *name);

#endif
