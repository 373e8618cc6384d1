/* readback.c — read after write: once a list is PUT, HEAD the tag until the
 * registry serves the new digest, with backoff for a bounded time, so a
 * list is recorded published only when pulls can get it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"

#define READBACK_DEFAULT_MS 10000L
#define READBACK_MAX_MS     600000L

long pub_readback_budget_ms(void)
{
	const char *env = getenv("MANIFOLD_READBACK_TIMEOUT_MS");
	char *end;
	long v;

	if (!env || !*env)
		return READBACK_DEFAULT_MS;
	errno = 0;
	v = strtol(env, &end, 10);
	if (errno || end == env || *end || v < 0 || v > READBACK_MAX_MS)
		return READBACK_DEFAULT_MS;
	return v;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int pub_tag_readback(struct reg_session *s, const struct reg_ref *tag, const char *digest,
                     struct base_error *err)
{
	long budget = pub_readback_budget_ms(), wait = 100;
	long long end = now_ms() + budget;
	struct base_error last;
	char *name;
	int tries = 0;

	base_error_clear(&last);
	for (;;) {
		struct reg_head h;
		int r;

		tries++;
		base_error_clear(&last);
		r = reg_manifest_head_after_put(s, tag, &h, &last);
		if (r == 0 && strcmp(h.digest, digest) == 0)
			return 0;
		if (r == 0)
			base_error_set(&last, "it serves %s", h.digest[0] ? h.digest : "no digest");
		else if (r == BASE_ECANCELED) {
			*err = last;
			return -1;
		}
		if (now_ms() + wait > end)
			break;
		sleep_ms(wait);
		wait = wait * 2 > 2000 ? 2000 : wait * 2;
	}
	name = reg_ref_format(tag);
	*err = last;
	base_error_set(err,
	               "%s: read back after PUT: %s not served after %d %s in %ld ms (last: %s)",
	               name ? name : tag->repository, digest, tries, tries == 1 ? "try" : "tries",
	               budget, last.msg);
	free(name);
	return -1;
}
