/* git_retry.c — a rejected push retried: fetch, this run's records put on
 * the remote's copy, recommit, move the branch (the user's index and work
 * tree following only where they have no local change), and push again,
 * with exponential backoff and full jitter, until the retry window ends,
 * the attempts run out or a stop is asked. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "git_internal.h"

/* ---- retries ----------------------------------------------------------- */

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* xorshift64*: each process its own sequence (rand() is the program's). */
static unsigned long long jitter_next(unsigned long long *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* The wait before retry `attempt` (1 after the first rejection): full
 * jitter, uniform in [0, min(cap, base * 2^(attempt-1))). */
#define BACKOFF_BASE_MS 100LL
#define BACKOFF_CAP_MS  10000LL
static long long backoff_ms(int attempt, unsigned long long *seed)
{
	long long win = BACKOFF_BASE_MS;
	for (int k = 1; k < attempt && win < BACKOFF_CAP_MS; k++)
		win *= 2;
	if (win > BACKOFF_CAP_MS)
		win = BACKOFF_CAP_MS;
	return (long long)(jitter_next(seed) % (unsigned long long)win);
}

/* The signal that ends the retries, or 0. */
static int stop_asked(const struct git_ctx *c)
{
	return c->o->stopped ? c->o->stopped(c->o->stop_ctx) : 0;
}

/* Sleep ms in slices, ending early when a stop is asked. The signal or 0. */
static int backoff_sleep(const struct git_ctx *c, long long ms)
{
	long long end = mono_ms() + ms;
	int sig;

	while (!(sig = stop_asked(c))) {
		long long left = end - mono_ms();
		if (left <= 0)
			return 0;
		if (left > 50)
			left = 50;
		struct timespec ts = {0, left * 1000000L};
		nanosleep(&ts, NULL);
	}
	return sig;
}

/* ---- the user's index and work tree on a retry -------------------------- */

struct conflicts {
	char list[512];
	int n;
};

static int conflict_cb(git_checkout_notify_t why, const char *path, const git_diff_file *baseline,
                       const git_diff_file *target, const git_diff_file *workdir, void *payload)
{
	struct conflicts *cf = payload;
	size_t len = strlen(cf->list);
	(void)baseline, (void)target, (void)workdir;
	if (why != GIT_CHECKOUT_NOTIFY_CONFLICT)
		return 0;
	if (cf->n++ < 8 && len + strlen(path) + 3 < sizeof(cf->list))
		snprintf(cf->list + len, sizeof(cf->list) - len, "%s%s", len ? ", " : "", path);
	return 0;
}

/* Bring the index and work tree from commit `from` to `to` as `git
 * checkout` does between two commits (a two-tree merge): only the paths
 * that differ between the two, and of those only the ones with no local
 * change; a staged or modified path the two commits do not differ on is
 * left exactly as it is. With dry_run nothing is written, and a path both
 * changed locally and between the commits is named in err (1 returned). */
static int carry_work_tree(struct git_ctx *c, const git_oid *from, const git_oid *to, int dry_run,
                           struct base_error *err)
{
	git_commit *fc = NULL, *tc = NULL;
	git_tree *ft = NULL, *tt = NULL;
	git_checkout_options co;
	struct conflicts cf = {{0}, 0};
	int rc = -1, r;

	if (git_commit_lookup(&fc, c->repo, from) < 0 || git_commit_tree(&ft, fc) < 0 ||
	    git_commit_lookup(&tc, c->repo, to) < 0 || git_commit_tree(&tt, tc) < 0) {
		status_gitrec_fail(err, "read commit");
		goto out;
	}
	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = GIT_CHECKOUT_SAFE | (dry_run ? GIT_CHECKOUT_DRY_RUN : 0);
	co.baseline = ft;
	co.notify_flags = GIT_CHECKOUT_NOTIFY_CONFLICT;
	co.notify_cb = conflict_cb;
	co.notify_payload = &cf;
	r = git_checkout_tree(c->repo, (const git_object *)tt, &co);
	if (cf.n || r == GIT_ECONFLICT) {
		git_error_clear();
		base_error_set(err,
		               "the remote's %s changed %s%s, which %s local changes here: the "
		               "status commit stays local and unpushed, nothing else was moved",
		               c->short_branch, cf.n ? cf.list : "a path", cf.n > 8 ? ", …" : "",
		               cf.n == 1 ? "has" : "have");
		rc = 1;
		goto out;
	}
	if (r < 0) {
		status_gitrec_fail(err, "update the work tree");
		goto out;
	}
	rc = 0;
out:
	git_tree_free(tt);
	git_tree_free(ft);
	git_commit_free(tc);
	git_commit_free(fc);
	return rc;
}

/* Rebuild on the remote head: this run's records on the remote's copy
 * (o->rebase, else a merge by target into *mine), commit on top of `rtip`,
 * then move the local branch from `local` to it, the index and work tree
 * following (carry_work_tree) — refused before anything moves when a path
 * the remote changed has local changes. */
static int rebuild(struct git_ctx *c, struct status_status **mine, const git_oid *rtip, int rborn,
                   git_oid *local, struct base_error *err)
{
	struct status_status *theirs = NULL, *next = NULL;
	git_oid rblob, nid;
	int rc = -1, same = 0;

	if (status_gitrec_status_at(c, rborn ? rtip : NULL, &theirs, &rblob, err) < 0)
		goto out;
	if (c->o->rebase) {
		if (c->o->rebase(c->o->rebase_ctx, theirs, &next, err) < 0)
			goto out;
		status_free(*mine);
		*mine = next;
	} else if (status_merge(*mine, theirs, err) < 0) {
		goto out;
	}
	if (status_gitrec_make_commit(c, rborn ? rtip : NULL, theirs, *mine, &nid, &same, err) < 0)
		goto out;
	if (same && rborn) /* the remote has these records already: push its head */
		git_oid_cpy(&nid, rtip);
	if (carry_work_tree(c, local, &nid, 1, err) != 0)
		goto out;
	if (status_gitrec_move_branch(c->repo, c->branch, &nid, local, err) != 0)
		goto out;
	if (carry_work_tree(c, local, &nid, 0, err) != 0)
		goto out;
	git_oid_cpy(local, &nid);
	if (status_store_write(c->abspath, *mine,
	                       c->split ? STATUS_LAYOUT_SPLIT : STATUS_LAYOUT_ONE_FILE, NULL,
	                       err) < 0 ||
	    status_gitrec_refresh_index(c, err) < 0)
		goto out;
	rc = 0;
out:
	status_free(theirs);
	return rc;
}

#define MAX_ERRS 3

/* err = why the retries ended: a stop (sig, a signal's number) or the
 * window or attempts running out (why: which, "" for attempts). */
static void gave_up(const struct git_ctx *c, const char *rname, int attempt, int sig,
                    long long took_ms, const char *why, struct base_error *err)
{
	if (sig)
		base_error_set(err,
		               "push %s to %s: rejected %d time%s (not a fast-forward); retrying "
		               "stopped by %s",
		               c->short_branch, rname, attempt, attempt == 1 ? "" : "s",
		               sig == SIGTERM  ? "SIGTERM"
		               : sig == SIGINT ? "SIGINT"
		                               : "a signal");
	else
		base_error_set(err,
		               "push %s to %s: rejected %d time%s in %.1f s (not a fast-forward)%s",
		               c->short_branch, rname, attempt, attempt == 1 ? "" : "s",
		               (double)took_ms / 1000.0, why);
}

int status_gitrec_push_loop(struct git_ctx *c, const git_oid *start, struct base_error *err)
{
	git_remote *remote = NULL;
	const char *rname = c->o->remote ? c->o->remote : "origin";
	long long t0 = mono_ms();
	long long window = c->o->retry_ms > 0 ? c->o->retry_ms : STATUS_GIT_RETRY_MS;
	unsigned long long seed;
	struct status_status *mine = NULL;
	git_oid local = *start;
	char *text = NULL;
	int rc = -1, attempt = 0, sig = 0, errs = 0;
	const char *why = "";

	if (git_remote_lookup(&remote, c->repo, rname) < 0) {
		status_gitrec_fail(err, "remote");
		goto out;
	}
	/* our side of any merge: a deep copy of this run's status */
	text = status_serialize(c->cur);
	if (!text || status_parse(c->relpath, text, strlen(text), &mine, err) < 0)
		goto out;
	seed = ((unsigned long long)getpid() << 32) ^ (unsigned long long)t0 ^
	       (unsigned long long)(uintptr_t)&seed;
	seed = seed ? seed : 88172645463325252ULL;
	for (;;) {
		int r;
		git_oid rtip;
		int rborn;
		long long wait;

		attempt++;
		if (c->o->attempts)
			*c->o->attempts = attempt;
		r = status_gitrec_push_once(c, remote, &local, err);
		if (r == 0) {
			status_gitrec_note(c, "git: pushed %s to %s, attempt %d, %.1f s",
			                   c->short_branch, rname, attempt,
			                   (double)(mono_ms() - t0) / 1000.0);
			rc = 0;
			goto out;
		}
		/* A push that failed (a dropped connection, a lock the remote's
		 * other writers held) is tried again like a rejected one, at
		 * most MAX_ERRS times in a row. */
		if (r < 0 && (c->auth_failed || ++errs >= MAX_ERRS))
			goto out; /* the same credentials fail the same way again */
		if (r > 0)
			errs = 0;
		wait = backoff_ms(attempt, &seed);
		if (c->o->max_attempts > 0 && attempt >= c->o->max_attempts) {
			why = "";
			break;
		}
		if (mono_ms() + wait - t0 >= window) {
			why = window < STATUS_GIT_RETRY_MS
			          ? "; retrying stopped at the run's deadline"
			          : "; retrying stopped after 10 minutes";
			break;
		}
		if ((sig = stop_asked(c)) || (sig = backoff_sleep(c, wait)))
			break;
		if (r > 0) {
			status_gitrec_note(
			    c, "git: push of %s to %s rejected%s%s; merging, attempt %d",
			    c->short_branch, rname, c->reject_msg[0] ? ": " : "", c->reject_msg,
			    attempt + 1);
		} else {
			status_gitrec_note(
			    c, "git: push of %s to %s failed: %s; trying again, attempt %d",
			    c->short_branch, rname, err->msg, attempt + 1);
			base_error_clear(err);
		}
		if (status_gitrec_fetch_branch(c, remote, &rtip, &rborn, err) < 0) {
			if (c->auth_failed || ++errs >= MAX_ERRS)
				goto out;
			status_gitrec_note(c, "git: fetch of %s from %s failed: %s; trying again",
			                   c->short_branch, rname, err->msg);
			base_error_clear(err);
			continue;
		}
		if (rebuild(c, &mine, &rtip, rborn, &local, err) < 0)
			goto out;
		if ((sig = stop_asked(c)))
			break;
	}
	gave_up(c, rname, attempt, sig, mono_ms() - t0, why, err);
out:
	free(text);
	status_free(mine);
	git_remote_free(remote);
	return rc;
}
