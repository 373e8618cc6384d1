/* env.c — the environment table: every variable manifold reads, what it
 * holds and what it changes; base_env reads only the names it lists. */
#include <stdlib.h>
#include <string.h>

#include "base.h"

const struct base_env_var base_env_vars[] = {
    {"DOCKER_CONFIG", "DIR",
     "docker's configuration directory: credentials are read from DIR/config.json (default "
     "~/.docker/config.json), and login and logout write there"},
    {"REGISTRY_AUTH_FILE", "FILE",
     "a containers-auth.json read before docker's config (as --authfile, which wins)"},
    {"XDG_RUNTIME_DIR", "DIR",
     "podman's credentials in DIR/containers/auth.json are read after docker's config"},
    {"HOME", "DIR",
     "~/.docker/config.json, ~/.config/containers/auth.json and ~/.cache are found there"},
    {"XDG_CACHE_HOME", "DIR",
     "where status --history keeps its cache (DIR/manifold/history-cache; default ~/.cache)"},
    {"JOB_COMPLETION_INDEX", "I",
     "the default --shard I/N of a Kubernetes Indexed Job; JOB_COMPLETIONS must give N"},
    {"JOB_COMPLETIONS", "N", "the shard count that goes with JOB_COMPLETION_INDEX"},
    {"MANIFOLD_INCOMPLETE_EXIT", "0..255",
     "the exit code of a run that is only incomplete or held, instead of 3 (a Kubernetes Job "
     "that should end Complete sets 0)"},
    {"MANIFOLD_RECHECK_CHILDREN", "all|none",
     "all: re-check every target's children tonight (as --recheck-children); none: none; "
     "default: the targets due"},
    {"MANIFOLD_READBACK_TIMEOUT_MS", "MS",
     "how long a written list is read back until the registry serves it (0..600000, default "
     "10000)"},
    {"MANIFOLD_STATUS_LOCK_WAIT", "SECONDS",
     "how long a run waits for the status file's lock (0..3600, default 120)"},
    {"MANIFOLD_GIT_USERNAME", "USER",
     "the user name --push gives the status repository's remote over HTTPS (default: the "
     "remote URL's, else x-access-token)"},
    {"MANIFOLD_GIT_PASSWORD", "TOKEN",
     "the password or token --push gives the status repository's remote over HTTPS; never "
     "shown in errors"},
    {"NAME", "PEM",
     "the key a config's sign-key or require-signature {env: NAME} names, as PEM text"},
    {"NO_COLOR", "ANY", "set and not empty: no colour on a terminal"},
    {"TERM", "TYPE", "dumb: no colour on a terminal"},
    {"MANIFOLD_NOW", "TIME",
     "an RFC 3339 time used instead of the clock for started, finished and since (tests)"},
    {"MANIFOLD_BACKOFF_MS", "MS", "the first retry's backoff instead of 500 (1..600000; tests)"},
    {"MALLOC_ARENA_MAX", "N",
     "glibc's arenas as it says; manifold otherwise sets 2 (docs/DESIGN.md, \"Memory\")"},
    {"MALLOC_MMAP_THRESHOLD_", "BYTES",
     "glibc's mmap threshold as it says; manifold otherwise fixes it at 4 MiB"},
    {"GLIBC_TUNABLES", "LIST", "set: glibc's allocator as it says, nothing set by manifold"},
    {"MANIFOLD_HISTORY_DEBUG", "1",
     "status --history says on stderr what the read cost: versions from git and from the cache, "
     "parts read, records parsed, targets taken up (tests)"},
};
const size_t base_env_n_vars = sizeof(base_env_vars) / sizeof(base_env_vars[0]);

const char *base_env(const char *name)
{
	for (size_t i = 0; i < base_env_n_vars; i++)
		if (strcmp(base_env_vars[i].name, name) == 0 && strcmp(name, "NAME") != 0)
			return getenv(name);
	return NULL;
}

const char *base_env_named(const char *name)
{
	return getenv(name);
}
