/* target_log.c — one log event per target as its run ends: the line text
 * logs have always shown, and the fields a log stack indexes (target,
 * state, digest, reason, registry, platform, http_status, error_code).
 * Levels mean something: unchanged and ready are debug, published info,
 * incomplete a warning, failed an error. */
#include <stdlib.h>
#include <string.h>

#include "job_internal.h"

/* The word check prints for its states: "ready", "incomplete", "failed". */
const char *pub_check_state_str(enum status_target_state s)
{
	switch (s) {
	case STATUS_T_READY:
	case STATUS_T_INCOMPLETE:
		return status_target_state_str(s);
	default:
		return "failed";
	}
}

void pub_job_note_fail(struct tjob *j, const struct base_error *err, const char *registry)
{
	if (j->fail || !err->msg[0] || !(j->fail = malloc(sizeof(*j->fail))))
		return;
	j->fail->err = *err;
	j->fail->registry = registry;
}

/* The error behind a failed target: a phase-2 one, else the first HEAD
 * that failed other than with 404. */
static const struct base_error *fail_of(const struct tjob *j, const char **registry)
{
	size_t n = j->t->n_sources + (size_t)j->with_target;

	*registry = j->t->ref.registry;
	if (j->fail) {
		if (j->fail->registry)
			*registry = j->fail->registry;
		return &j->fail->err;
	}
	for (size_t k = 0; j->heads && k < n; k++) {
		if (j->heads[k].rc >= 0 || j->heads[k].rc == BASE_ENOTFOUND || !j->heads[k].err)
			continue;
		if (k < j->t->n_sources)
			*registry = j->t->sources[k].ref.registry;
		return j->heads[k].err;
	}
	return NULL;
}

/* The platforms that kept the target from being published, "a,b". */
static void blocking_platforms(const struct status_target_status *t, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < t->n_platforms && o + 1 < len; k++) {
		if (t->platforms[k].state == STATUS_P_READY)
			continue;
		o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? "," : "",
		                      t->platforms[k].platform);
	}
}

static const char *state_word(const struct tjob *j, int check, int dry_run)
{
	if (check)
		return pub_check_state_str(j->out->state);
	if (dry_run && j->out->state == STATUS_T_PUBLISHED)
		return "would_publish";
	return status_target_state_str(j->out->state);
}

static enum pub_log_level level_of(enum status_target_state s)
{
	switch (s) {
	case STATUS_T_PUBLISHED:
		return PUB_LOG_INFO;
	case STATUS_T_UNCHANGED:
	case STATUS_T_READY:
		return PUB_LOG_DEBUG;
	case STATUS_T_INCOMPLETE:
	case STATUS_T_HELD:
		return PUB_LOG_WARN;
	default:
		return PUB_LOG_ERROR;
	}
}

void pub_job_target_log(const struct tjob *j, int check, int dry_run)
{
	const struct status_target_status *t = j->out;
	enum pub_log_level level = level_of(t->state);
	const struct base_error *e = NULL;
	const char *registry = j->t->ref.registry, *reason = t->reason ? t->reason : "";
	char plats[1024];
	struct pub_log_field f[8];
	size_t n = 0;

	if (!pub_log_enabled(level))
		return;
	if (t->state == STATUS_T_FAILED)
		e = fail_of(j, &registry);
	blocking_platforms(t, plats, sizeof(plats));
	f[n++] = PUB_LOG_STR("target", t->target);
	f[n++] = PUB_LOG_STR("state", state_word(j, check, dry_run));
	f[n++] = PUB_LOG_STR("digest", t->digest);
	f[n++] = PUB_LOG_STR("reason", t->reason);
	f[n++] = PUB_LOG_STR("registry", registry);
	f[n++] = PUB_LOG_STR("platform", plats[0] ? plats : NULL);
	if (e && e->http_status > 0)
		f[n++] = PUB_LOG_NUM("http_status", e->http_status);
	if (e && e->code[0])
		f[n++] = PUB_LOG_STR("error_code", e->code);
	if (t->state == STATUS_T_PUBLISHED)
		pub_log_event(level, f, n, "%s %s %s", dry_run ? "would publish" : "published",
		              t->target, t->digest ? t->digest : "");
	else if (t->state == STATUS_T_UNCHANGED)
		pub_log_event(level, f, n, "unchanged %s %s", t->target,
		              t->digest ? t->digest : "");
	else if (t->state == STATUS_T_READY)
		pub_log_event(level, f, n, "ready %s", t->target);
	else
		pub_log_event(level, f, n, "%s: %s: %s", t->target, state_word(j, check, dry_run),
		              reason);
}
