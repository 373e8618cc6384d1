/* metrics.c — a run's metrics in the Prometheus text exposition format
 * (version 0.0.4: "# HELP", "# TYPE", one sample a line), for
 * node_exporter's textfile collector (written atomically) and the
 * Pushgateway (metrics_push.c). Names follow Prometheus conventions:
 * manifold_ prefix, base units, _total on counters. Counters count this
 * run only: each run replaces the file or the pushed group. */
#include <stdlib.h>
#include <string.h>

#include "job_internal.h"

/* Label values escape backslash, double quote and newline (the format's
 * only escapes). */
static void label(struct base_buf *b, const char *key, const char *value, int *first)
{
	base_buf_fmt(b, "%s%s=\"", *first ? "{" : ",", key);
	*first = 0;
	for (const char *p = value; *p; p++) {
		if (*p == '\\' || *p == '"')
			base_buf_fmt(b, "\\%c", *p);
		else if (*p == '\n')
			base_buf_str(b, "\\n");
		else
			base_buf_put(b, p, 1);
	}
	base_buf_str(b, "\"");
}

/* One exposition in the making: the text and the shard label every
 * sample carries when the run is sharded. */
struct expo {
	struct base_buf b;
	char shard[16]; /* "" when not sharded */
};

static void family(struct expo *e, const char *name, const char *type, const char *help)
{
	base_buf_fmt(&e->b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{k1="v1",k2="v2",shard="I"} value — k2 may be NULL. */
static void sample(struct expo *e, const char *name, const char *k1, const char *v1, const char *k2,
                   const char *v2, const char *k3, const char *v3, double value)
{
	int first = 1;

	base_buf_str(&e->b, name);
	if (k1)
		label(&e->b, k1, v1, &first);
	if (k2)
		label(&e->b, k2, v2, &first);
	if (k3)
		label(&e->b, k3, v3, &first);
	if (e->shard[0])
		label(&e->b, "shard", e->shard, &first);
	if (!first)
		base_buf_str(&e->b, "}");
	if (value == (double)(long long)value)
		base_buf_fmt(&e->b, " %lld\n", (long long)value);
	else
		base_buf_fmt(&e->b, " %.3f\n", value);
}

static void gauge(struct expo *e, const char *name, const char *help, double value)
{
	family(e, name, "gauge", help);
	sample(e, name, NULL, NULL, NULL, NULL, NULL, NULL, value);
}

static void targets(struct expo *e, const struct pub_job_result *r, int check)
{
	family(e, "manifold_targets", "gauge", "Targets of the run by state.");
	if (check) {
		sample(e, "manifold_targets", "state", "ready", NULL, NULL, NULL, NULL,
		       r->run.ready);
	} else {
		sample(e, "manifold_targets", "state", "published", NULL, NULL, NULL, NULL,
		       r->run.published);
		sample(e, "manifold_targets", "state", "unchanged", NULL, NULL, NULL, NULL,
		       r->run.unchanged);
		sample(e, "manifold_targets", "state", "held", NULL, NULL, NULL, NULL, r->run.held);
	}
	sample(e, "manifold_targets", "state", "incomplete", NULL, NULL, NULL, NULL,
	       r->run.incomplete);
	sample(e, "manifold_targets", "state", "failed", NULL, NULL, NULL, NULL, r->run.failed);
	/* --deadline or a signal stopped the run before these were done. */
	sample(e, "manifold_targets", "state", "not_reached", NULL, NULL, NULL, NULL,
	       (double)r->not_reached);
}

static void requests(struct expo *e, const struct pub_job_result *r)
{
	family(e, "manifold_requests_total", "counter",
	       "Registry requests of the run (retries included) by registry, method and HTTP "
	       "status; code \"none\": no answer.");
	for (size_t i = 0; i < r->n_requests; i++) {
		const struct reg_request_count *q = &r->requests[i];
		char code[16];
		if (q->status > 0)
			snprintf(code, sizeof(code), "%d", q->status);
		else
			snprintf(code, sizeof(code), "none");
		sample(e, "manifold_requests_total", "registry", q->registry, "method", q->method,
		       "code", code, (double)q->count);
	}
}

static void retries(struct expo *e, const struct reg_stats *st)
{
	static const char *const name = "manifold_retries_total";
	family(e, name, "counter", "Registry requests retried in the run, by cause.");
	sample(e, name, "cause", "status", NULL, NULL, NULL, NULL, (double)st->retries_status);
	sample(e, name, "cause", "connection", NULL, NULL, NULL, NULL,
	       (double)st->retries_connection);
	sample(e, name, "cause", "timeout", NULL, NULL, NULL, NULL, (double)st->retries_timeout);
	sample(e, name, "cause", "digest", NULL, NULL, NULL, NULL, (double)st->retries_digest);
}

/* Seconds since the epoch of an RFC 3339 UTC time, -1 when it does not parse. */
static long long epoch_of(const char *t)
{
	return t ? pub_age_seconds("1970-01-01T00:00:00Z", t) : -1;
}

/* The age of a record's since at the end of the run; 0 without one. */
static double age_of(const struct pub_job_result *r, const char *since)
{
	long long age = since ? pub_age_seconds(since, r->run.finished) : 0;
	return (double)(age > 0 ? age : 0);
}

/* The last success: the status file's, else this run when nothing failed
 * and nothing was held. */
static void times(struct expo *e, const struct pub_job_result *r)
{
	const char *ok = r->has_status                    ? r->last_success
	                 : (r->run.failed || r->run.held) ? NULL
	                                                  : r->run.finished;
	long long ts = epoch_of(ok);

	if (ts >= 0)
		gauge(e, "manifold_last_success_timestamp_seconds",
		      "When the last run with no failed target finished (Unix time).", (double)ts);
	if ((ts = epoch_of(r->run.finished)) >= 0)
		gauge(e, "manifold_last_run_timestamp_seconds",
		      "When this run finished (Unix time).", (double)ts);
	if (!r->has_status)
		return;
	gauge(e, "manifold_oldest_incomplete_age_seconds",
	      "How long the oldest incomplete target has been incomplete (its record's since); "
	      "0 when none is.",
	      age_of(r, r->oldest_incomplete_since));
}

/* Held targets wait for a human: the status file's count (this run's
 * without one), and how long the oldest has waited. */
static void held(struct expo *e, const struct pub_job_result *r)
{
	gauge(e, "manifold_held_targets",
	      "Targets held in the status file (a new list would drop a platform the tag's list "
	      "has); the tag is kept back until someone decides.",
	      (double)(r->has_status ? r->held_in_status : (size_t)r->run.held));
	if (r->has_status)
		gauge(e, "manifold_oldest_held_age_seconds",
		      "How long the oldest held target has been held (its record's since); 0 when "
		      "none is.",
		      age_of(r, r->oldest_held_since));
}

char *pub_metrics_text(const struct pub_job_result *r, int check, double duration_seconds)
{
	struct expo e;

	memset(&e, 0, sizeof(e));
	if (r->shard_count)
		snprintf(e.shard, sizeof(e.shard), "%u", r->shard_index);
	targets(&e, r, check);
	gauge(&e, "manifold_run_duration_seconds", "How long the run took.", duration_seconds);
	requests(&e, r);
	retries(&e, &r->stats);
	family(&e, "manifold_copied_bytes_total", "counter",
	       "Blob bytes streamed between repositories in the run (mounts copy none).");
	sample(&e, "manifold_copied_bytes_total", NULL, NULL, NULL, NULL, NULL, NULL,
	       (double)r->stats.bytes_copied);
	times(&e, r);
	if (!check)
		held(&e, r);
	return base_buf_take(&e.b);
}

int pub_metrics_write(const char *path, const char *text, struct base_error *err)
{
	if (base_file_write_atomic(path, text, strlen(text), 0644, err) < 0) {
		base_error_wrap(err, "--metrics-file");
		return -1;
	}
	return 0;
}

void pub_metrics_from_status(const struct pub_status *st, struct pub_job_result *out)
{
	const char *oldest = NULL, *oldest_held = NULL;

	out->held_in_status = 0;
	for (size_t i = 0; i < st->n_targets; i++) {
		const struct pub_target_status *t = &st->targets[i];
		if (t->state == PUB_T_INCOMPLETE && t->since &&
		    (!oldest || strcmp(t->since, oldest) < 0))
			oldest = t->since;
		if (t->state != PUB_T_HELD)
			continue;
		out->held_in_status++;
		if (t->since && (!oldest_held || strcmp(t->since, oldest_held) < 0))
			oldest_held = t->since;
	}
	out->has_status = 1;
	free(out->last_success);
	free(out->oldest_incomplete_since);
	free(out->oldest_held_since);
	out->last_success = st->last_success ? strdup(st->last_success) : NULL;
	out->oldest_incomplete_since = oldest ? strdup(oldest) : NULL;
	out->oldest_held_since = oldest_held ? strdup(oldest_held) : NULL;
}
