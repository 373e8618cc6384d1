/* publish_record.c — the end of a publish run: the status file written
 * under its lock (the journal folded in), its git commit and push (a
 * rejected push rebased onto the remote's copy), and the journal hooks
 * that keep each list write's record until the status file has it. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "job_internal.h"

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

	status_journal_counts(r->x.journal, &n, &bytes);
	if (!r->x.journal || n == 0 || !(cause = strdup(err->msg)))
		return;
	base_error_set(err,
	               "status file %s not written: %s; %d published %s not in it: %s kept in "
	               "the journal %s (%zu %s in all), and the next run (or manifold status %s) "
	               "folds %s in",
	               path, cause, out->run.published,
	               out->run.published == 1 ? "target is" : "targets are",
	               out->run.published == 1 ? "its record is" : "their records are",
	               status_journal_path(r->x.journal), n, n == 1 ? "record" : "records", path,
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
 * its grace when there is one, and never more than STATUS_GIT_RETRY_MS. */
static long long git_retry_ms(const struct run *r)
{
	struct timespec now;
	long long left;

	if (!r->x.deadline_ms)
		return STATUS_GIT_RETRY_MS;
	clock_gettime(CLOCK_MONOTONIC, &now);
	left = r->x.deadline_ms + r->x.grace_ms -
	       ((long long)(now.tv_sec - r->x.t0.tv_sec) * 1000 +
	        (now.tv_nsec - r->x.t0.tv_nsec) / 1000000);
	if (left < 1)
		left = 1; /* one push, no retry */
	return left < STATUS_GIT_RETRY_MS ? left : STATUS_GIT_RETRY_MS;
}

/* status_next's `known`: the config has this target. */
static int plan_knows(void *ctx, const char *target)
{
	return pub_plan_knows(ctx, target);
}

/* A sharded run's file says which sharding wrote it (status_shard_info). */
static int run_shard_info(const struct run *r, struct status_status *next, struct base_error *err);

struct rebase_ctx {
	const struct run *r;
	struct pub_job_result *out;
};

/* A rejected push: this run's records on the remote's copy, as pub_run_record
 * put them on the local one. */
static int git_rebase(void *ctx, const struct status_status *theirs, struct status_status **next,
                      struct base_error *err)
{
	const struct rebase_ctx *rc = ctx;

	*next = NULL;
	if (status_next(theirs, rc->out->targets, rc->out->n_targets, plan_knows, rc->r->plan,
	                rc->r->cfg->path, &rc->out->run, next, err) < 0 ||
	    run_shard_info(rc->r, *next, err) < 0) {
		status_free(*next);
		*next = NULL;
		return -1;
	}
	return 0;
}

static int run_shard_info(const struct run *r, struct status_status *next, struct base_error *err)
{
	struct status_shard_info sh = {r->shard_i, r->shard_n, (char *)r->config_digest};

	if (!r->shard_n)
		return 0;
	if (status_shard_info_copy(&next->shard, &sh) < 0) {
		base_error_set(err, "out of memory");
		return -1;
	}
	return 0;
}

/* The config's status-layout (farm checked the word); auto when unset. */
static enum status_layout config_layout(const struct farm_config *cfg)
{
	enum status_layout l = STATUS_LAYOUT_AUTO;
	if (cfg && cfg->status_layout && status_layout_parse(cfg->status_layout, &l) < 0)
		l = STATUS_LAYOUT_AUTO;
	return l;
}

void pub_run_prev_done(struct run *r, struct pub_job_result *out)
{
	if (!r->prev)
		return;
	pub_metrics_from_status(r->prev, out);
	for (size_t i = 0; i < r->x.n_jobs; i++)
		r->x.jobs[i].prev = NULL;
	free(r->x.written);
	r->x.written = NULL;
	r->x.n_written = 0;
	r->x.prev = NULL;
	status_free(r->prev);
	r->prev = NULL;
}

/* The next status from the file read again (now): in place (now becomes
 * next), or as views of now's records and the run's. In place, the metrics
 * are first told the file as it stands (*told), what they tell when nothing
 * is written, since now is not that file after. */
static int run_next(const struct run *r, struct pub_job_result *out, int in_place, int *told,
                    struct status_status **now, struct status_status **next, struct base_error *err)
{
	if (!in_place)
		return status_next_views(*now, out->targets, out->n_targets, plan_knows, r->plan,
		                         r->cfg->path, &out->run, next, err);
	pub_metrics_from_status(*now, out);
	*told = 1;
	if (status_next_into(*now, out->targets, out->n_targets, plan_knows, r->plan, r->cfg->path,
	                     &out->run, err) < 0)
		return -1;
	*next = *now;
	*now = NULL;
	return 0;
}

/* The status file after the run (records of targets the config no longer
 * knows are dropped), written, and committed when asked — all under the
 * file's lock, on the file as it is now: another writer (a shard sharing
 * it) may have added records since this run read it. Journals of runs
 * that are gone, and this run's PUTs it did not see confirmed, are folded
 * in first; once the file is written they are removed. */
int pub_run_record(const struct pub_job_options *o, struct run *r, struct pub_job_result *out,
                   struct base_error *err)
{
	struct status_lock_wait wait = {status_lock_wait_ms(), lock_give_up, git_note, &r->x};
	struct status_lock *lock = NULL;
	struct status_status *now = NULL, *next = NULL;
	struct status_journal_fold *fold = NULL;
	struct status_recovered rec;
	struct status_share share = {NULL, 0};
	/* no git record: the file read again becomes the next status in place
	 * (status_next_into), as nothing reads it as it was after */
	int in_place = !(o->commit || o->git.push), told = 0, rc = -1;

	memset(&rec, 0, sizeof(rec));
	pub_run_prev_done(r, out);
	/* Read again, a record that did not change holds the run's block:
	 * one copy of it (out of memory for the index: each its own). */
	if (status_share_index(out->targets, out->n_targets, &share) < 0)
		share.n = 0;
	if (status_lock_wait(out->status_path, &wait, &lock, err) < 0 ||
	    status_store_load_sharing(out->status_path, &share, &now, err) < 0 ||
	    status_journal_fold_begin(out->status_path, now, r->x.journal, &fold, &rec, err) < 0 ||
	    run_next(r, out, in_place, &told, &now, &next, err) < 0 ||
	    run_shard_info(r, next, err) < 0 ||
	    status_store_write(out->status_path, next, config_layout(r->cfg), NULL, err) < 0) {
		record_lost(r, out, out->status_path, err);
		/* nothing written: the metrics tell the file as it stands (its
		 * last success, not this run) */
		if (now && !told)
			pub_metrics_from_status(now, out);
		free(out->status_path);
		out->status_path = NULL;
		status_journal_fold_end(fold, 0);
		goto out;
	}
	status_journal_fold_end(fold, 1);
	status_journal_close(r->x.journal, 1);
	r->x.journal = NULL;
	pub_metrics_from_status(next, out);
	if (o->commit || o->git.push) {
		struct status_git_options git = o->git;
		struct rebase_ctx rebase = {r, out};
		git.note = git_note;
		git.subject_note = r->stop_note[0] ? r->stop_note : NULL;
		git.stopped = git_stopped;
		git.stop_ctx = (void *)&r->x;
		git.retry_ms = git_retry_ms(r);
		git.attempts = &out->push_attempts;
		git.rebase = git_rebase;
		git.rebase_ctx = &rebase;
		if (status_git_record(out->status_path, now, next, &git, &out->committed, err) <
		    0) {
			base_error_wrap(err, "status file %s written but not recorded in git",
			                out->status_path);
			goto out;
		}
	}
	rc = 0;
out:
	status_share_free(&share);
	status_unlock(lock);
	status_free(next);
	status_free(now);
	return rc;
}

/* ---- the journal hooks ------------------------------------------------------- */

int pub_job_journal_intent(void *ctx, const char *digest, const char *media_type,
                           struct base_error *err)
{
	struct pub_intent *in = ctx;
	struct status_target_status rec = *in->j->out; /* a view: nothing here is freed */

	rec.digest = (char *)digest;
	rec.media_type = (char *)media_type;
	if (status_journal_append(in->x->journal, STATUS_JOURNAL_INTENT, &rec, err) < 0) {
		base_error_wrap(err, "list not written: it could not be journalled first");
		return -1;
	}
	in->j->intent = 1;
	return 0;
}

static int state_class(enum status_target_state s)
{
	return s == STATUS_T_UNCHANGED ? STATUS_T_PUBLISHED : (int)s;
}

/* Would this outcome change the target's record? An unchanged night's
 * targets do not, and cost the journal nothing. */
static int record_news(const struct tjob *j)
{
	const struct status_target_status *p = j->prev, *t = j->out;

	if (j->intent || !p || p->unconfirmed || state_class(p->state) != state_class(t->state))
		return 1;
	return (t->digest && !status_streq0(p->digest, t->digest)) ||
	       !status_streq0(p->reason, t->reason);
}

void pub_job_journal_outcome(struct job_ctx *x, struct tjob *j)
{
	struct base_error err;

	if (!x->journal || !record_news(j))
		return;
	base_error_clear(&err);
	if (status_journal_append(x->journal, STATUS_JOURNAL_OUTCOME, j->out, &err) < 0)
		pub_log(PUB_LOG_WARN,
		        "%s: %s: its record is only in memory until the status file "
		        "is written",
		        j->out->target, err.msg);
}
