/* publish.c — the check and publish jobs: load the config, make the plan
 * (every reference parsed once) and select this run's targets, HEAD every
 * per-arch (and target) tag in parallel, decide and publish per target
 * (target.c), then record the status file and its git commit. One bad
 * target never stops the others. */
#include <stdlib.h>
#include <string.h>

#include "job_internal.h"
#include "sign.h"

/* ---- the run ----------------------------------------------------------------- */

struct run {
	struct farm_config *cfg;
	struct pub_plan *plan;         /* every target of the config */
	struct pub_plan_selection sel; /* this run's: --only, --shard */
	struct reg_client *client;
	struct pub_status *prev;
	struct job_ctx x;
	unsigned shard_i, shard_n;          /* --shard I/N (N 0: not sharded) */
	char config_digest[REG_DIGEST_MAX]; /* sharded: the config's, for the status file */
	char stop_note[128]; /* the commit subject's note when the run stopped early */
};

static void run_free(struct run *r)
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
		pub_target_status_free(&j->out);
		for (size_t k = 0; k < j->writes.n_refs; k++)
			free(j->writes.refs[k]);
		free(j->writes.refs);
	}
	free(r->x.jobs);
	free(r->x.head_target);
	free(r->x.head_slot);
	free(r->x.written);
	pub_flights_free(r->x.flights);
	/* still open: the status file was not written, so the journal keeps
	 * what it holds for the next command to fold in (an empty one goes) */
	if (r->x.journal) {
		size_t n;
		long long bytes;
		pub_journal_counts(r->x.journal, &n, &bytes);
		pub_journal_close(r->x.journal, n == 0);
	}
	pub_signing_free(r->x.signing);
	reg_client_free(r->client);
	pub_status_free(r->prev);
	free(r->sel.index);
	pub_plan_free(r->plan);
	farm_config_free(r->cfg);
}

static int tjob_init(struct tjob *j, const struct pub_plan_target *t, const struct pub_status *prev,
                     int with_target, const struct job_ctx *x)
{
	const struct farm_target *ft = t->farm;
	const struct pub_job_options *o = x->o;

	j->t = t;
	j->prev = pub_status_find(prev, ft->ref);
	j->verify = ft->image->verify_platform;
	j->allow_shrink = ft->image->allow_shrink || o->allow_shrink;
	j->overwrite = ft->image->overwrite || o->overwrite;
	j->recheck = x->recheck == RECHECK_ALL ||
	             (x->recheck == RECHECK_DUE &&
	              pub_recheck_due(ft->ref, x->day, ft->image->recheck_days));
	j->written = x->written;
	j->n_written = x->n_written;
	j->written_complete = x->written_complete;
	j->with_target = with_target;
	j->writes.list_size = -1;
	/* check HEADs every target first (phase 1); publish HEADs a target's
	 * tags when it takes the target up, so only the targets in progress
	 * hold their answers */
	if (!with_target &&
	    !(j->heads = calloc(t->n_sources ? t->n_sources : 1, sizeof(*j->heads))))
		return -1;
	j->out.target = strdup(ft->ref);
	j->out.state = PUB_T_FAILED;
	j->out.platforms = calloc(t->n_sources ? t->n_sources : 1, sizeof(*j->out.platforms));
	if (!j->out.target || !j->out.platforms)
		return -1;
	j->out.n_platforms = t->n_sources;
	for (size_t k = 0; k < t->n_sources; k++) {
		struct pub_platform_status *p = &j->out.platforms[k];
		p->platform = strdup(ft->sources[k].platform->name);
		p->source = strdup(ft->sources[k].ref);
		p->size = -1;
		p->optional = ft->sources[k].optional;
		if (!p->platform || !p->source)
			return -1;
	}
	return 0;
}

/* Config, plan (every reference parsed), this run's selection. */
static int run_plan(const struct pub_job_options *o, struct run *r, struct pub_job_result *out,
                    struct base_error *err)
{
	struct farm_load_options lo = {.platform_check = pub_platform_check};
	struct farm_error ferr;
	unsigned shard_i = 0, shard_n = 0;
	int rc;

	memset(&ferr, 0, sizeof(ferr));
	if (!o->config_path) {
		base_error_set(err, "no config given (-c CONFIG)");
		return BASE_EINPUT;
	}
	if (farm_config_load(o->config_path, &lo, &r->cfg, &ferr) < 0) {
		base_error_set(err, "%s", ferr.msg);
		return BASE_EINPUT;
	}
	out->is_spec = r->cfg->is_spec;
	if (pub_shard_parse(o->shard, &shard_i, &shard_n, err) < 0)
		return BASE_EINPUT;
	r->shard_i = shard_i;
	r->shard_n = shard_n;
	if (shard_n && pub_config_digest(o->config_path, r->config_digest, err) < 0)
		return BASE_EINPUT;
	out->shard_index = shard_i;
	out->shard_count = shard_n;
	if ((rc = pub_plan_make(r->cfg, &r->plan, err)) < 0 ||
	    (rc = pub_plan_select(r->plan, o->only_names, o->n_only, shard_i, shard_n, &r->sel,
	                          err)) < 0)
		return rc;
	if (shard_n)
		pub_log(PUB_LOG_INFO, "shard %u/%u: %zu of %zu targets", shard_i, shard_n, r->sel.n,
		        r->sel.n_only);
	return 0;
}

/* The previous status file (publish): read even for a dry run, as it is
 * the platform-verification cache. */
static int run_status(const struct pub_job_options *o, struct run *r, struct pub_job_result *out,
                      struct base_error *err)
{
	const char *status_path = o->status_path ? o->status_path : r->cfg->status;
	struct pub_recovered rec;
	enum pub_recover_mode mode;

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
	mode = o->verify || o->g.dry_run || o->estimate ? PUB_RECOVER_READ : PUB_RECOVER_TRY;
	if (pub_status_recover(status_path, mode, &r->prev, &rec, err) < 0)
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
	const struct pub_status *st = r->prev;
	const char **v;
	size_t n = 0, cap = 0;

	if (!st || !st->n_targets)
		return 0;
	for (size_t i = 0; i < st->n_targets; i++)
		cap += 1 + st->targets[i].n_extra_digests;
	if (!(v = calloc(cap, sizeof(*v))))
		return -1;
	for (size_t i = 0; i < st->n_targets; i++) {
		const struct pub_target_status *t = &st->targets[i];
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
	const char *env = getenv("MANIFOLD_RECHECK_CHILDREN");

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
	r->x.jobs = calloc(r->sel.n ? r->sel.n : 1, sizeof(*r->x.jobs));
	if (!r->x.jobs)
		return -1;
	for (size_t i = 0; i < r->sel.n; i++) {
		const struct pub_plan_target *t = &r->plan->targets[r->sel.index[i]];
		if (tjob_init(&r->x.jobs[r->x.n_jobs++], t, r->prev, with_target, &r->x) < 0)
			return -1;
		r->x.jobs[r->x.n_jobs - 1].refresh_referrers = r->x.o->refresh_referrers;
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
	if ((rc = run_plan(o, r, out, err)) < 0)
		return rc;
	if ((!check_only || o->verify) && (rc = run_status(o, r, out, err)) < 0)
		return rc;
	/* The git record must be possible before anything is sent. */
	if (!check_only && out->status_path && o->commit &&
	    pub_git_preflight(out->status_path, &o->git, err) < 0)
		return BASE_EINPUT;
	if (pub_client_new_sharded(r->cfg, &o->g, r->shard_n, &r->client, err) < 0)
		return BASE_EINPUT;
	if (o->stop || o->deadline_ms > 0)
		reg_client_set_cancel(r->client, pub_stop_cancel, &r->x);
	pub_budget_arm(&r->x, r->client);
	/* What a night costs: asked for, or to warn before the first request
	 * of a night that cannot fit its deadline. */
	if (!check_only && (o->estimate || o->deadline_ms > 0)) {
		if ((rc = pub_estimate_compute(r->cfg, r->plan, &r->sel, r->prev, r->shard_n,
		                               &out->estimate, err)) < 0)
			return rc;
		if (!o->estimate)
			pub_estimate_warn(&out->estimate, o->deadline_ms);
	}
	r->x.day = day_number(out->run.started);
	r->x.recheck = recheck_mode(o);
	if (run_written(r) < 0 || run_jobs(r, !check_only) < 0) {
		base_error_set(err, "out of memory");
		return -1;
	}
	if (!check_only && pub_flights_new(&r->x.flights, err) < 0)
		return -1;
	/* keys load before the first request: a bad one is a config error */
	if ((rc = pub_signing_new(r->cfg, !check_only, &r->x.signing, err)) < 0)
		return rc;
	return 0;
}

static int run_workers(const struct run *r)
{
	return r->x.o->g.jobs > 0 ? r->x.o->g.jobs : 16;
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

/* Hand this run's records to the result (plan order) and count them;
 * targets not reached are left out (their records stay as they were). */
static void run_collect(struct run *r, struct pub_job_result *out)
{
	size_t i = 0;

	out->targets = calloc(r->x.n_jobs ? r->x.n_jobs : 1, sizeof(*out->targets));
	out->writes = calloc(r->x.n_jobs ? r->x.n_jobs : 1, sizeof(*out->writes));
	if (!out->targets || !out->writes)
		return;
	pub_stop_now(&r->x); /* a signal that came after the last poll counts too */
	for (size_t k = 0; k < r->x.n_jobs; k++) {
		struct tjob *j = &r->x.jobs[k];
		if (j->not_reached) {
			out->not_reached++;
			continue;
		}
		out->targets[i] = j->out;
		out->writes[i] = j->writes;
		memset(&j->out, 0, sizeof(j->out));
		memset(&j->writes, 0, sizeof(j->writes));
		switch (out->targets[i++].state) {
		case PUB_T_PUBLISHED:
			out->run.published++;
			break;
		case PUB_T_UNCHANGED:
			out->run.unchanged++;
			break;
		case PUB_T_INCOMPLETE:
			out->run.incomplete++;
			break;
		case PUB_T_READY:
			out->run.ready++;
			break;
		case PUB_T_HELD:
			out->run.held++;
			break;
		default:
			out->run.failed++;
		}
	}
	out->n_targets = i;
	reg_client_stats(r->client, &out->stats);
	reg_client_budget_stats(r->client, &out->budgets, &out->n_budgets);
	reg_client_request_counts(r->client, &out->requests, &out->n_requests);
	pub_stop_result(&r->x, out, r->stop_note, sizeof(r->stop_note));
}

void pub_job_result_free(struct pub_job_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_targets; i++) {
		if (r->targets)
			pub_target_status_free(&r->targets[i]);
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

const char *pub_check_state_str(enum pub_target_state s)
{
	switch (s) {
	case PUB_T_READY:
	case PUB_T_INCOMPLETE:
		return pub_target_state_str(s);
	default:
		return "failed";
	}
}

int pub_check_job(const struct pub_job_options *o, struct pub_job_result *out,
                  struct base_error *err)
{
	struct run r;
	int rc;

	memset(&r, 0, sizeof(r));
	memset(out, 0, sizeof(*out));
	base_error_clear(err);
	out->run.started = pub_now_rfc3339();
	rc = run_prepare(o, 1, &r, out, err);
	if (rc < 0)
		goto out;
	if (run_pool(&r, "checking", r.x.n_heads, pub_job_head, err) < 0) {
		rc = -1;
		goto out;
	}
	/* --verify reads children: on the pool; else the HEADs decide alone */
	if (o->verify && run_pool(&r, "verifying", r.x.n_jobs, pub_job_check_target, err) < 0) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; !o->verify && i < r.x.n_jobs; i++)
		pub_job_check_target(NULL, i, &r.x);
	pub_budget_mark_limited(r.x.jobs, r.x.n_jobs);
	out->run.finished = pub_now_rfc3339();
	run_collect(&r, out);
	rc = 0;
out:
	run_free(&r);
	return rc;
}

static void git_note(void *ctx, const char *msg)
{
	(void)ctx;
	pub_log(PUB_LOG_INFO, "%s", msg);
}

/* The wait for the status lock ends once the run is stopped (a signal, or
 * its deadline) and its grace is over: the time a list PUT in flight gets
 * is the time the lock holder gets to finish. */
static int lock_give_up(void *ctx)
{
	return pub_stop_cancel(ctx, 1);
}

/* The status file could not be written: what the journal keeps. */
static void record_lost(const struct run *r, const struct pub_job_result *out, const char *path,
                        struct base_error *err)
{
	size_t n = 0;
	long long bytes = 0;
	char *cause;

	pub_journal_counts(r->x.journal, &n, &bytes);
	if (!r->x.journal || n == 0 || !(cause = strdup(err->msg)))
		return;
	base_error_set(err,
	               "status file %s not written: %s; %d published %s not in it: %s kept in "
	               "the journal %s (%zu %s in all), and the next run (or manifold status %s) "
	               "folds %s in",
	               path, cause, out->run.published,
	               out->run.published == 1 ? "target is" : "targets are",
	               out->run.published == 1 ? "its record is" : "their records are",
	               pub_journal_path(r->x.journal), n, n == 1 ? "record" : "records", path,
	               out->run.published == 1 ? "it" : "them");
	free(cause);
}

/* The signal that asked the run to stop, or 0: ends push retries at once. */
static int git_stopped(void *ctx)
{
	const struct job_ctx *x = ctx;
	return x->stop ? (int)*x->stop : 0;
}

/* How long a rejected push may be retried: until the run's deadline plus
 * its grace when there is one, and never more than PUB_GIT_RETRY_MS. */
static long long git_retry_ms(const struct run *r)
{
	struct timespec now;
	long long left;

	if (!r->x.deadline_ms)
		return PUB_GIT_RETRY_MS;
	clock_gettime(CLOCK_MONOTONIC, &now);
	left = r->x.deadline_ms + r->x.grace_ms -
	       ((long long)(now.tv_sec - r->x.t0.tv_sec) * 1000 +
	        (now.tv_nsec - r->x.t0.tv_nsec) / 1000000);
	if (left < 1)
		left = 1; /* one push, no retry */
	return left < PUB_GIT_RETRY_MS ? left : PUB_GIT_RETRY_MS;
}

/* A sharded run's file says which sharding wrote it (pub_shard_info). */
static int run_shard_info(const struct run *r, struct pub_status *next, struct base_error *err);

struct rebase_ctx {
	const struct run *r;
	struct pub_job_result *out;
};

/* A rejected push: this run's records on the remote's copy, as run_record
 * put them on the local one. */
static int git_rebase(void *ctx, const struct pub_status *theirs, struct pub_status **next,
                      struct base_error *err)
{
	const struct rebase_ctx *rc = ctx;

	*next = NULL;
	if (pub_status_next(theirs, rc->out->targets, rc->out->n_targets, rc->r->plan->known,
	                    rc->r->plan->n_known, rc->r->cfg->path, &rc->out->run, next, err) < 0 ||
	    run_shard_info(rc->r, *next, err) < 0) {
		pub_status_free(*next);
		*next = NULL;
		return -1;
	}
	return 0;
}

static int run_shard_info(const struct run *r, struct pub_status *next, struct base_error *err)
{
	struct pub_shard_info sh = {r->shard_i, r->shard_n, (char *)r->config_digest};

	if (!r->shard_n)
		return 0;
	if (pub_shard_info_copy(&next->shard, &sh) < 0) {
		base_error_set(err, "out of memory");
		return -1;
	}
	return 0;
}

/* The status file after the run (records of targets the config no longer
 * knows are dropped), written, and committed when asked — all under the
 * file's lock, on the file as it is now: another writer (a shard sharing
 * it) may have added records since this run read it. Journals of runs
 * that are gone, and this run's PUTs it did not see confirmed, are folded
 * in first; once the file is written they are removed. */
static int run_record(const struct pub_job_options *o, struct run *r, struct pub_job_result *out,
                      struct base_error *err)
{
	struct pub_status_lock_wait wait = {pub_status_lock_wait_ms(), lock_give_up, git_note,
	                                    &r->x};
	struct pub_status_lock *lock = NULL;
	struct pub_status *now = NULL, *next = NULL;
	struct pub_journal_fold *fold = NULL;
	struct pub_recovered rec;
	int rc = -1;

	memset(&rec, 0, sizeof(rec));
	if (pub_status_lock_wait(out->status_path, &wait, &lock, err) < 0 ||
	    pub_status_load(out->status_path, &now, err) < 0 ||
	    pub_journal_fold_begin(out->status_path, now, r->x.journal, &fold, &rec, err) < 0 ||
	    pub_status_next(now, out->targets, out->n_targets, r->plan->known, r->plan->n_known,
	                    r->cfg->path, &out->run, &next, err) < 0 ||
	    run_shard_info(r, next, err) < 0 || pub_status_write(out->status_path, next, err) < 0) {
		record_lost(r, out, out->status_path, err);
		/* nothing written: the metrics tell the file as it stands (its
		 * last success, not this run) */
		if (now || r->prev)
			pub_metrics_from_status(now ? now : r->prev, out);
		free(out->status_path);
		out->status_path = NULL;
		pub_journal_fold_end(fold, 0);
		goto out;
	}
	pub_journal_fold_end(fold, 1);
	pub_journal_close(r->x.journal, 1);
	r->x.journal = NULL;
	pub_metrics_from_status(next, out);
	if (o->commit || o->git.push) {
		struct pub_git_options git = o->git;
		struct rebase_ctx rebase = {r, out};
		git.note = git_note;
		git.subject_note = r->stop_note[0] ? r->stop_note : NULL;
		git.stopped = git_stopped;
		git.stop_ctx = (void *)&r->x;
		git.retry_ms = git_retry_ms(r);
		git.attempts = &out->push_attempts;
		git.rebase = git_rebase;
		git.rebase_ctx = &rebase;
		if (pub_git_record(out->status_path, now, next, &git, &out->committed, err) < 0) {
			base_error_wrap(err, "status file %s written but not recorded in git",
			                out->status_path);
			goto out;
		}
	}
	rc = 0;
out:
	pub_status_unlock(lock);
	pub_status_free(next);
	pub_status_free(now);
	return rc;
}

/* ---- the journal hooks ------------------------------------------------------- */

int pub_job_journal_intent(void *ctx, const char *digest, const char *media_type,
                           struct base_error *err)
{
	struct pub_intent *in = ctx;
	struct pub_target_status rec = in->j->out; /* a view: nothing here is freed */

	rec.digest = (char *)digest;
	rec.media_type = (char *)media_type;
	if (pub_journal_append(in->x->journal, PUB_JOURNAL_INTENT, &rec, err) < 0) {
		base_error_wrap(err, "list not written: it could not be journalled first");
		return -1;
	}
	in->j->intent = 1;
	return 0;
}

static int state_class(enum pub_target_state s)
{
	return s == PUB_T_UNCHANGED ? PUB_T_PUBLISHED : (int)s;
}

/* Would this outcome change the target's record? An unchanged night's
 * targets do not, and cost the journal nothing. */
static int record_news(const struct tjob *j)
{
	const struct pub_target_status *p = j->prev, *t = &j->out;

	if (j->intent || !p || p->unconfirmed || state_class(p->state) != state_class(t->state))
		return 1;
	return (t->digest && !pub_streq0(p->digest, t->digest)) ||
	       !pub_streq0(p->reason, t->reason);
}

void pub_job_journal_outcome(struct job_ctx *x, struct tjob *j)
{
	struct base_error err;

	if (!x->journal || !record_news(j))
		return;
	base_error_clear(&err);
	if (pub_journal_append(x->journal, PUB_JOURNAL_OUTCOME, &j->out, &err) < 0)
		pub_log(PUB_LOG_WARN,
		        "%s: %s: its record is only in memory until the status file "
		        "is written",
		        j->out.target, err.msg);
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
	out->run.started = pub_now_rfc3339();
	rc = run_prepare(o, 0, &r, out, err);
	if (rc < 0 || o->estimate)
		goto fail; /* --estimate: computed, nothing sent, nothing written */
	/* The run's journal, once nothing else can stop it before the first
	 * request: a run that cannot keep one sends nothing. */
	if (out->status_path && pub_journal_open(out->status_path, &r.x.journal, err) < 0) {
		rc = BASE_EINPUT;
		goto fail;
	}
	/* One job per target, -j at once: its HEADs, then what the decision
	 * needs, each stage's requests together on the worker's crew. */
	rc = -1;
	atomic_store(&r.x.done, 0);
	r.x.total = r.x.n_jobs;
	r.x.phase = "publishing";
	if (pub_pool_run_crews(r.client, run_workers(&r), crew_width(&r), r.x.n_jobs,
	                       pub_job_target, &r.x, err) < 0)
		goto fail;
	pub_budget_mark_limited(r.x.jobs, r.x.n_jobs);
	out->run.finished = pub_now_rfc3339();
	run_collect(&r, out);
	if (r.x.journal) {
		size_t n;
		long long bytes;
		pub_journal_counts(r.x.journal, &n, &bytes);
		pub_log(PUB_LOG_DEBUG, "journal %s: %zu records, %lld bytes",
		        pub_journal_path(r.x.journal), n, bytes);
	}
	rc = out->status_path ? run_record(o, &r, out, err) : 0;
	/* A signal during the record (a push being retried) stops the run too. */
	if (out->stopped == PUB_STOP_NONE && git_stopped(&r.x) && pub_stop_now(&r.x))
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
