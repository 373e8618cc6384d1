/* publish.c — the check and publish jobs: load the config, make the plan
 * (every reference parsed once) and select this run's targets, HEAD every
 * per-arch (and target) tag in parallel, decide and publish per target
 * (target.c), then record the status file and its git commit. One bad
 * target never stops the others. */
#include <stdlib.h>
#include <string.h>

#include "job_internal.h"
#include "sign.h"
#include "status_journal.h"
#include "status_lock.h"

/* ---- the run ----------------------------------------------------------------- */

/* The jobs, once their records are the result's (or the run ends). */
static void run_jobs_free(struct run *r)
{
	for (size_t i = 0; i < r->x.n_jobs; i++) {
		struct tjob *j = &r->x.jobs[i];
		for (size_t k = 0; j->heads && k < j->t->n_sources + (size_t)j->with_target; k++)
			pub_head_slot_free(&j->heads[k]);
		free(j->heads);
		for (size_t e = 0; j->extra_heads && e < j->t->n_extra; e++)
			pub_head_slot_free(&j->extra_heads[e]);
		free(j->extra_heads);
		free(j->fail);
	}
	for (size_t i = 0; r->x.outs && i < r->x.n_jobs; i++) {
		status_target_status_free(&r->x.outs[i]);
		for (size_t k = 0; k < r->x.writes_of[i].n_refs; k++)
			free(r->x.writes_of[i].refs[k]);
		free(r->x.writes_of[i].refs);
	}
	free(r->x.outs);
	free(r->x.writes_of);
	r->x.outs = NULL;
	r->x.writes_of = NULL;
	free(r->x.jobs);
	r->x.jobs = NULL;
	r->x.n_jobs = 0;
}

static void run_free(struct run *r)
{
	run_jobs_free(r);
	free(r->x.head_target);
	free(r->x.head_slot);
	free(r->x.written);
	pub_flights_free(r->x.flights);
	/* still open: the status file was not written, so the journal keeps
	 * what it holds for the next command to fold in (an empty one goes) */
	if (r->x.journal) {
		size_t n;
		long long bytes;
		status_journal_counts(r->x.journal, &n, &bytes);
		status_journal_close(r->x.journal, n == 0);
	}
	pub_signing_free(r->x.signing);
	reg_client_free(r->client);
	status_free(r->prev);
	pub_plan_free(r->plan);
	farm_config_free(r->cfg);
}

/* t NULL: a lazy plan's, bound when a worker takes the target up. */
static int tjob_init(struct tjob *j, const struct pub_plan_target *t, int with_target,
                     const struct job_ctx *x)
{
	if (t)
		pub_tjob_bind(j, t, x);
	j->with_target = with_target;
	j->writes->list_size = -1;
	/* check HEADs every target first (phase 1); publish HEADs a target's
	 * tags when it takes the target up, so only the targets in progress
	 * hold their answers */
	if (!with_target &&
	    !(j->heads = calloc(t->n_sources ? t->n_sources : 1, sizeof(*j->heads))))
		return -1;
	/* publish makes a target's record when a worker takes it up: the
	 * targets waiting hold none */
	return with_target ? 0 : pub_tjob_out_init(j);
}

/* Config, and the plan of this run's targets (every reference of the
 * config parsed). */
static int run_plan(const struct pub_job_options *o, int lazy, struct run *r,
                    struct pub_job_result *out, struct base_error *err)
{
	struct pub_plan_filter filter = {o->only_names, o->n_only, 0, 0, lazy};
	unsigned shard_i = 0, shard_n = 0;
	int rc;

	if (!o->config_path) {
		base_error_set(err, "no config given (-c CONFIG)");
		return BASE_EINPUT;
	}
	if (pub_shard_parse(o->shard, &shard_i, &shard_n, err) < 0)
		return BASE_EINPUT;
	filter.shard_index = shard_i;
	filter.shard_count = shard_n;
	/* the config holds only the images of this run's targets */
	if ((rc = pub_plan_load(o->config_path, &filter, &r->cfg, &r->plan, err)) < 0)
		return rc;
	out->is_spec = r->cfg->is_spec;
	r->shard_i = shard_i;
	r->shard_n = shard_n;
	if (shard_n && pub_config_digest(o->config_path, r->config_digest, err) < 0)
		return BASE_EINPUT;
	out->shard_index = shard_i;
	out->shard_count = shard_n;
	if (shard_n)
		pub_log(PUB_LOG_INFO, "shard %u/%u: %zu of %zu targets", shard_i, shard_n,
		        r->plan->n_targets, r->plan->n_only);
	return 0;
}

/* The previous status file (publish): read even for a dry run, as it is
 * the platform-verification cache. */
static int run_status(const struct pub_job_options *o, struct run *r, struct pub_job_result *out,
                      struct base_error *err)
{
	const char *status_path = o->status_path ? o->status_path : r->cfg->status;
	struct status_recovered rec;
	enum status_recover_mode mode;

	if ((o->commit || o->git.push) && !status_path) {
		base_error_set(err, "--commit/--push need a status file (--status F or status: in "
		                    "the config)");
		return BASE_EINPUT;
	}
	if (!status_path)
		return 0;
	/* Journals of runs that ended before they wrote the file are folded
	 * in first. check, --dry-run and --estimate write nothing: folded in
	 * memory only. A publish folds them into the file when the lock is
	 * free at once; when another run holds it, in memory, and the fold
	 * under the lock before this run's own write takes them in then (no
	 * run waits for the lock before its first request). */
	mode = o->verify || o->g.dry_run || o->estimate ? STATUS_RECOVER_READ : STATUS_RECOVER_TRY;
	if (status_recover(status_path, mode, &r->prev, &rec, err) < 0)
		return BASE_EINPUT;
	if (rec.records)
		pub_log(PUB_LOG_INFO,
		        "%s: %zu %s from the journal of %zu run%s that did not record %s "
		        "(%zu written, not confirmed)%s",
		        status_path, rec.records, rec.records == 1 ? "record" : "records",
		        rec.journals, rec.journals == 1 ? "" : "s",
		        rec.journals == 1 ? "it" : "them", rec.unconfirmed,
		        rec.written ? " folded into the status file" : " read");
	/* check --verify reads the file for its cache and never writes it */
	if (o->verify)
		return 0;
	if (!o->g.dry_run && !(out->status_path = strdup(status_path))) {
		base_error_set(err, "out of memory");
		return -1;
	}
	return 0;
}

/* One tjob per selected target, and (check) the flat list of phase 1's
 * HEADs. */
static int digest_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The digests the status file records as manifold's: every record's,
 * but one it says is foreign (publish.md, "Tags manifold did not write");
 * sorted, borrowed from r->prev. */
static int run_written(struct run *r)
{
	const struct status_status *st = r->prev;
	const char **v;
	size_t n = 0, cap = 0;

	if (!st || !st->n_targets)
		return 0;
	for (size_t i = 0; i < st->n_targets; i++)
		cap += 1 + st->targets[i].n_extra_digests;
	if (!(v = calloc(cap, sizeof(*v))))
		return -1;
	for (size_t i = 0; i < st->n_targets; i++) {
		const struct status_target_status *t = &st->targets[i];
		if (t->digest && !t->foreign)
			v[n++] = t->digest;
		for (size_t k = 0; k < t->n_extra_digests; k++)
			v[n++] = t->extra_digests[k];
	}
	qsort(v, n, sizeof(*v), digest_cmp);
	r->x.written = v;
	r->x.n_written = n;
	r->x.written_complete = st->shard.count == r->shard_n;
	return 0;
}

/* Which targets' children are re-checked tonight: --recheck-children or
 * MANIFOLD_RECHECK_CHILDREN=all every one, =none none (a list about to be
 * written has its children put anyway), else those due. */
static int recheck_mode(const struct pub_job_options *o)
{
	const char *env = base_env("MANIFOLD_RECHECK_CHILDREN");

	if (o->recheck_children || (env && strcmp(env, "all") == 0))
		return RECHECK_ALL;
	return env && strcmp(env, "none") == 0 ? RECHECK_NONE : RECHECK_DUE;
}

/* Days since 1970-01-01 of an RFC 3339 time (H. Hinnant's days_from_civil);
 * 0 when it does not read. */
static long day_number(const char *rfc3339)
{
	int y, m, d;
	long era, yoe, doy, doe;

	if (!rfc3339 || sscanf(rfc3339, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 ||
	    d < 1 || d > 31)
		return 0;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int run_jobs(struct run *r, int with_target)
{
	size_t n = r->plan->n_targets ? r->plan->n_targets : 1;

	r->x.jobs = calloc(n, sizeof(*r->x.jobs));
	r->x.outs = calloc(n, sizeof(*r->x.outs));
	r->x.writes_of = calloc(n, sizeof(*r->x.writes_of));
	if (!r->x.jobs || !r->x.outs || !r->x.writes_of)
		return -1;
	r->x.plan = r->plan;
	r->x.cfg = r->cfg;
	r->x.prev = r->prev;
	for (size_t i = 0; i < r->plan->n_targets; i++) {
		const struct pub_plan_target *t = r->plan->targets ? &r->plan->targets[i] : NULL;
		r->x.jobs[i].out = &r->x.outs[i];
		r->x.jobs[i].writes = &r->x.writes_of[i];
		if (tjob_init(&r->x.jobs[r->x.n_jobs++], t, with_target, &r->x) < 0)
			return -1;
		r->x.jobs[r->x.n_jobs - 1].refresh_referrers = r->x.o->refresh_referrers != 0;
		if (!with_target)
			r->x.n_heads += t->n_sources;
	}
	if (with_target)
		return 0;
	r->x.head_target = calloc(r->x.n_heads ? r->x.n_heads : 1, sizeof(size_t));
	r->x.head_slot = calloc(r->x.n_heads ? r->x.n_heads : 1, sizeof(size_t));
	if (!r->x.head_target || !r->x.head_slot)
		return -1;
	for (size_t i = 0, n = 0; i < r->x.n_jobs; i++) {
		for (size_t k = 0; k < r->x.jobs[i].t->n_sources; k++, n++) {
			r->x.head_target[n] = i;
			r->x.head_slot[n] = k;
		}
	}
	return 0;
}

/* Everything that can fail before a request is sent. 0, BASE_EINPUT
 * (nothing sent or written) or -1. */
static int run_prepare(const struct pub_job_options *o, int check_only, struct run *r,
                       struct pub_job_result *out, struct base_error *err)
{
	int rc;

	r->x.o = o;
	pub_stop_init(&r->x, o);
	/* publish (and --estimate, counting) makes each target when it takes
	 * it up; check HEADs them all first */
	if ((rc = run_plan(o, !check_only, r, out, err)) < 0)
		return rc;
	if ((!check_only || o->verify) && (rc = run_status(o, r, out, err)) < 0)
		return rc;
	/* The git record must be possible before anything is sent. */
	if (!check_only && out->status_path && o->commit &&
	    status_git_preflight(out->status_path, &o->git, err) < 0)
		return BASE_EINPUT;
	if (pub_client_new_sharded(r->cfg, &o->g, r->shard_n, &r->client, err) < 0)
		return BASE_EINPUT;
	if (o->stop || o->deadline_ms > 0)
		reg_client_set_cancel(r->client, pub_stop_cancel, &r->x);
	pub_budget_arm(&r->x, r->client);
	/* What a night costs: asked for, or to warn before the first request
	 * of a night that cannot fit its deadline. */
	if (!check_only && (o->estimate || o->deadline_ms > 0)) {
		if ((rc = pub_estimate_compute(r->cfg, r->plan, r->prev, r->shard_n, &out->estimate,
		                               err)) < 0)
			return rc;
		if (!o->estimate)
			pub_estimate_warn(&out->estimate, o->deadline_ms);
	}
	r->x.day = day_number(out->run.started);
	r->x.recheck = recheck_mode(o);
	/* --estimate works on no target: no job is made */
	if (!o->estimate && (run_written(r) < 0 || run_jobs(r, !check_only) < 0)) {
		base_error_set(err, "out of memory");
		return -1;
	}
	if (!check_only && !o->estimate && pub_flights_new(&r->x.flights, err) < 0)
		return -1;
	/* keys load before the first request: a bad one is a config error */
	if ((rc = pub_signing_new(r->cfg, r->plan, !check_only, &r->x.signing, err)) < 0)
		return rc;
	return 0;
}

static int run_workers(const struct run *r)
{
	return r->x.o->g.jobs > 0 ? r->x.o->g.jobs : 16;
}

/* The jobs of the pool, each naming its target in the registry's log
 * events (its retries) while it runs. */
static void job_head(struct reg_session *s, size_t i, void *ctx)
{
	struct job_ctx *x = ctx;
	pub_log_target_set(x->jobs[x->head_target[i]].t->farm->ref);
	pub_job_head(s, i, ctx);
	pub_log_target_set(NULL);
}

static void job_check_target(struct reg_session *s, size_t i, void *ctx)
{
	struct job_ctx *x = ctx;
	pub_log_target_set(x->jobs[i].t->farm->ref);
	pub_job_check_target(s, i, ctx);
	pub_log_target_set(NULL);
}

/* pub_job_target names its target once it has taken it up */
static void job_target(struct pub_crew *crew, size_t i, void *ctx)
{
	pub_job_target(crew, i, ctx);
	pub_log_target_set(NULL);
}

static int run_pool(struct run *r, const char *phase, size_t n, pub_job_fn fn,
                    struct base_error *err)
{
	atomic_store(&r->x.done, 0);
	r->x.total = n;
	r->x.phase = phase;
	return pub_pool_run(r->client, run_workers(r), n, fn, &r->x, err);
}

/* How many requests of one target's stage go out at once: -j, and no more
 * than the tightest max-concurrency the config sets. */
static size_t crew_width(const struct run *r)
{
	size_t width = (size_t)run_workers(r);

	for (size_t i = 0; i < r->cfg->n_registries; i++) {
		int cap = r->cfg->registries[i].max_concurrency;
		if (cap > 0 && (size_t)cap < width)
			width = (size_t)cap;
	}
	return width;
}
/* The client's counters as the result carries them (publish.h's types). */
static void pub_client_counts(struct reg_client *c, struct pub_job_result *out)
{
	struct reg_stats st;
	struct reg_budget_stats *b = NULL;
	struct reg_request_count *q = NULL;
	size_t nb = 0, nq = 0;

	reg_client_stats(c, &st);
	out->stats = (struct pub_stats){
	    .head = st.head,
	    .get = st.get,
	    .put = st.put,
	    .post = st.post,
	    .patch = st.patch,
	    .del = st.del,
	    .retries = st.retries,
	    .retries_status = st.retries_status,
	    .retries_connection = st.retries_connection,
	    .retries_timeout = st.retries_timeout,
	    .retries_digest = st.retries_digest,
	    .bytes_copied = st.bytes_copied,
	};
	if (reg_client_budget_stats(c, &b, &nb) == 0 && nb &&
	    (out->budgets = calloc(nb, sizeof(*out->budgets)))) {
		out->n_budgets = nb;
		for (size_t i = 0; i < nb; i++) {
			struct pub_budget_stats *o = &out->budgets[i];
			memcpy(o->registry, b[i].registry, sizeof(o->registry));
			o->requests = b[i].requests;
			o->too_many = b[i].too_many;
			o->waited_ms = b[i].waited_ms;
			o->has_budget = b[i].has_budget;
			o->limited = b[i].limited;
			memcpy(o->limited_until, b[i].limited_until, sizeof(o->limited_until));
		}
	}
	if (reg_client_request_counts(c, &q, &nq) == 0 && nq &&
	    (out->requests = calloc(nq, sizeof(*out->requests)))) {
		out->n_requests = nq;
		for (size_t i = 0; i < nq; i++) {
			memcpy(out->requests[i].registry, q[i].registry,
			       sizeof(out->requests[i].registry));
			out->requests[i].method = q[i].method;
			out->requests[i].status = q[i].status;
			out->requests[i].count = q[i].count;
		}
	}
	free(b);
	free(q);
}

/* Hand this run's records to the result (plan order) and count them;
 * targets not reached are left out (their records stay as they were). */
static void run_collect(struct run *r, struct pub_job_result *out)
{
	size_t i = 0;

	if (!r->x.outs)
		return;
	pub_stop_now(&r->x); /* a signal that came after the last poll counts too */
	/* the records move down over those of targets not reached (which
	 * hold none), and the arrays are the result's: no second copy */
	for (size_t k = 0; k < r->x.n_jobs; k++) {
		struct tjob *j = &r->x.jobs[k];
		j->out = NULL;
		j->writes = NULL;
		if (j->not_reached) {
			status_target_status_free(&r->x.outs[k]);
			for (size_t w = 0; w < r->x.writes_of[k].n_refs; w++)
				free(r->x.writes_of[k].refs[w]);
			free(r->x.writes_of[k].refs);
			memset(&r->x.writes_of[k], 0, sizeof(r->x.writes_of[k]));
			out->not_reached++;
			continue;
		}
		if (i != k) {
			r->x.outs[i] = r->x.outs[k];
			r->x.writes_of[i] = r->x.writes_of[k];
			memset(&r->x.outs[k], 0, sizeof(r->x.outs[k]));
			memset(&r->x.writes_of[k], 0, sizeof(r->x.writes_of[k]));
		}
		switch (r->x.outs[i++].state) {
		case STATUS_T_PUBLISHED:
			out->run.published++;
			break;
		case STATUS_T_UNCHANGED:
			out->run.unchanged++;
			break;
		case STATUS_T_INCOMPLETE:
			out->run.incomplete++;
			break;
		case STATUS_T_READY:
			out->run.ready++;
			break;
		case STATUS_T_HELD:
			out->run.held++;
			break;
		default:
			out->run.failed++;
		}
	}
	out->targets = r->x.outs;
	out->writes = r->x.writes_of;
	out->n_targets = i;
	r->x.outs = NULL;
	r->x.writes_of = NULL;
	pub_client_counts(r->client, out);
	pub_stop_result(&r->x, out, r->stop_note, sizeof(r->stop_note));
}

void pub_job_result_free(struct pub_job_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_targets; i++) {
		if (r->targets)
			status_target_status_free(&r->targets[i]);
		for (size_t k = 0; r->writes && k < r->writes[i].n_refs; k++)
			free(r->writes[i].refs[k]);
		if (r->writes)
			free(r->writes[i].refs);
	}
	free(r->targets);
	free(r->writes);
	free(r->run.started);
	free(r->run.finished);
	free(r->status_path);
	free(r->budgets);
	pub_estimate_free(&r->estimate);
	free(r->requests);
	free(r->last_success);
	free(r->oldest_incomplete_since);
	free(r->oldest_held_since);
	memset(r, 0, sizeof(*r));
}

int pub_check_job(const struct pub_job_options *o, struct pub_job_result *out,
                  struct base_error *err)
{
	struct run r;
	int rc;

	memset(&r, 0, sizeof(r));
	memset(out, 0, sizeof(*out));
	base_error_clear(err);
	out->run.started = status_now_rfc3339();
	rc = run_prepare(o, 1, &r, out, err);
	if (rc < 0)
		goto out;
	if (run_pool(&r, "checking", r.x.n_heads, job_head, err) < 0) {
		rc = -1;
		goto out;
	}
	/* --verify reads children: on the pool; else the HEADs decide alone */
	if (o->verify && run_pool(&r, "verifying", r.x.n_jobs, job_check_target, err) < 0) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; !o->verify && i < r.x.n_jobs; i++)
		pub_job_check_target(NULL, i, &r.x);
	pub_budget_mark_limited(r.x.jobs, r.x.n_jobs);
	out->run.finished = status_now_rfc3339();
	run_collect(&r, out);
	rc = 0;
out:
	run_free(&r);
	return rc;
}

int pub_publish_job(const struct pub_job_options *o, struct pub_job_result *out,
                    struct base_error *err)
{
	struct run r;
	int rc;

	memset(&r, 0, sizeof(r));
	memset(out, 0, sizeof(*out));
	base_error_clear(err);
	out->dry_run = o->g.dry_run;
	out->run.started = status_now_rfc3339();
	rc = run_prepare(o, 0, &r, out, err);
	if (rc < 0 || o->estimate)
		goto fail; /* --estimate: computed, nothing sent, nothing written */
	/* The run's journal, once nothing else can stop it before the first
	 * request: a run that cannot keep one sends nothing. */
	if (out->status_path && status_journal_open(out->status_path, &r.x.journal, err) < 0) {
		rc = BASE_EINPUT;
		goto fail;
	}
	/* One job per target, -j at once: its HEADs, then what the decision
	 * needs, each stage's requests together on the worker's crew. */
	rc = -1;
	atomic_store(&r.x.done, 0);
	r.x.total = r.x.n_jobs;
	r.x.phase = "publishing";
	if (pub_pool_run_crews(r.client, run_workers(&r), crew_width(&r), r.x.n_jobs, job_target,
	                       &r.x, err) < 0)
		goto fail;
	pub_budget_mark_limited(r.x.jobs, r.x.n_jobs);
	out->run.finished = status_now_rfc3339();
	pub_run_prev_done(&r, out);
	run_collect(&r, out);
	/* their records are the result's now: the status write holds no job,
	 * and of the plan only what it knows of the config */
	run_jobs_free(&r);
	pub_plan_drop_targets(r.plan);
	if (r.x.journal) {
		size_t n;
		long long bytes;
		status_journal_counts(r.x.journal, &n, &bytes);
		pub_log(PUB_LOG_DEBUG, "journal %s: %zu records, %lld bytes",
		        status_journal_path(r.x.journal), n, bytes);
	}
	rc = out->status_path ? pub_run_record(o, &r, out, err) : 0;
	/* A signal during the record (a push being retried) stops the run too. */
	if (out->stopped == PUB_STOP_NONE && r.x.stop && *r.x.stop && pub_stop_now(&r.x))
		pub_stop_result(&r.x, out, r.stop_note, sizeof(r.stop_note));
	/* A signal that came while the status was written, committed or
	 * pushed ends the run as one that came earlier: 128 + N. */
	if (o->stop && *o->stop && out->stopped != PUB_STOP_SIGNAL) {
		out->stopped = PUB_STOP_SIGNAL;
		out->stop_signal = (int)*o->stop;
	}
	goto out;
fail:
	free(out->status_path);
	out->status_path = NULL;
out:
	run_free(&r);
	return rc;
}
