/* status_next.c — the status file after a run: which old records stay, and
 * when a record's `since` moves (only when its state or digest changes, so
 * that the git history of the file shows real changes only); made of
 * copies of the records, or of views of them (status_next_views: a night
 * holds one copy of each record). */
#include <stdlib.h>
#include <string.h>

#include "status_internal.h"

/* ---- the next status ----------------------------------------------------- */

static int str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* published and unchanged both mean "the tag holds this list". */
static int state_class(enum status_target_state s)
{
	return s == STATUS_T_UNCHANGED ? STATUS_T_PUBLISHED : s;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int in_sorted(const char *const *refs, size_t n, const char *ref)
{
	return refs && n && bsearch(&ref, refs, n, sizeof(*refs), key_cmp) != NULL;
}

static int any_held(const struct status_status *st)
{
	for (size_t i = 0; i < st->n_targets; i++)
		if (st->targets[i].state == STATUS_T_HELD)
			return 1;
	return 0;
}

/* The next file's last_success: a failed night, or one after which a
 * target is held (its tag kept back until someone decides), keeps the time
 * of the last good one (before), what an alert on "no successful run for 2
 * days" reads; any other night is the last good one. */
static const char *last_good(const struct status_status *next, const struct status_run *run,
                             const char *before)
{
	return run->failed || any_held(next) ? before : run->finished;
}

/* status_target_next as a view: t's strings are p's, run's or now itself,
 * none its own. */
static void target_next_view(const struct status_target_status *p,
                             const struct status_target_status *run, const char *now,
                             struct status_target_status *t)
{
	*t = *run;
	/* What the tag holds, when this run could not see it (a HEAD that
	 * failed): the last record's. */
	if (!t->digest && !t->digest_seen && p && p->digest &&
	    (t->state == STATUS_T_INCOMPLETE || t->state == STATUS_T_FAILED ||
	     t->state == STATUS_T_HELD)) {
		t->digest = p->digest;
		t->media_type = p->media_type;
		t->foreign = p->foreign;
		if (!t->signed_by)
			t->signed_by = p->signed_by;
	}
	if (p && p->since && state_class(p->state) == state_class(t->state) &&
	    str_eq(p->digest, t->digest)) {
		/* The record keeps its state too: a night that finds the
		 * list it published the night before is no news, and the
		 * file's diff is last_run alone. */
		t->state = p->state;
		t->since = p->since;
	} else
		t->since = (char *)now;
	/* What the tag serves while the target is not green, and since when:
	 * the last green record's since for that digest, carried on. */
	t->published_at = NULL;
	if (state_class(t->state) != STATUS_T_PUBLISHED && t->digest && p && !t->foreign &&
	    str_eq(p->digest, t->digest))
		t->published_at =
		    state_class(p->state) == STATUS_T_PUBLISHED ? p->since : p->published_at;
	if (!t->published_at && state_class(t->state) != STATUS_T_PUBLISHED && t->digest &&
	    t->digest_written)
		t->published_at = (char *)now;
	/* child_missing is news of a night that is not green only: a green
	 * one has every child in place (copied back); the record writer
	 * leaves it out of a green record. */
}

int status_target_next(const struct status_target_status *p, const struct status_target_status *run,
                       const char *now, struct status_target_status *t)
{
	struct status_target_status v;

	target_next_view(p, run, now, &v);
	return status_target_status_copy(t, &v);
}

static int next_make(const struct status_status *prev, const struct status_target_status *run,
                     size_t n_run, status_known_fn known, void *known_ctx, const char *config,
                     const struct status_run *last_run, int views, struct status_status **out,
                     struct base_error *err)
{
	struct status_status *st = calloc(1, sizeof(*st));
	const char **ran = NULL;
	size_t cap = n_run;
	int fail = 0;

	*out = NULL;
	if (!st)
		goto oom;
	ran = calloc(n_run ? n_run : 1, sizeof(*ran));
	if (!ran)
		goto oom;
	for (size_t i = 0; i < n_run; i++)
		ran[i] = run[i].target;
	qsort(ran, n_run, sizeof(*ran), key_cmp);
	/* room for what is kept, not for prev and run both: a night of many
	 * targets holds the array through the write */
	for (size_t i = 0; prev && i < prev->n_targets; i++)
		cap += !in_sorted(ran, n_run, prev->targets[i].target) &&
		       (!known || known(known_ctx, prev->targets[i].target));
	st->schema = 1;
	st->views = views;
	st->config = status_dup_or_null(config, &fail);
	st->last_run.started = status_dup_or_null(last_run->started, &fail);
	st->last_run.finished = status_dup_or_null(last_run->finished, &fail);
	st->last_run.published = last_run->published;
	st->last_run.unchanged = last_run->unchanged;
	st->last_run.incomplete = last_run->incomplete;
	st->last_run.failed = last_run->failed;
	st->last_run.held = last_run->held;
	st->targets = calloc(cap ? cap : 1, sizeof(*st->targets));
	/* retag's records are not this run's: kept as they were */
	if (fail || !st->targets || status_copies_dup(st, prev) < 0)
		goto oom;

	for (size_t i = 0; prev && i < prev->n_targets; i++) {
		const struct status_target_status *p = &prev->targets[i];
		if (in_sorted(ran, n_run, p->target))
			continue;
		if (known && !known(known_ctx, p->target))
			continue;
		if (views)
			st->targets[st->n_targets] = *p;
		else if (status_target_status_copy(&st->targets[st->n_targets], p) < 0)
			goto oom;
		st->n_targets++;
	}
	for (size_t i = 0; i < n_run; i++) {
		const struct status_target_status *p = status_find(prev, run[i].target);
		if (views)
			target_next_view(p, &run[i], last_run->started,
			                 &st->targets[st->n_targets]);
		else if (status_target_next(p, &run[i], last_run->started,
		                            &st->targets[st->n_targets]) < 0)
			goto oom;
		st->n_targets++;
	}
	st->last_success =
	    status_dup_or_null(last_good(st, last_run, prev ? prev->last_success : NULL), &fail);
	if (fail)
		goto oom;
	status_sort(st);
	free(ran);
	*out = st;
	return 0;
oom:
	free(ran);
	status_free(st);
	base_error_set(err, "out of memory");
	return -1;
}

int status_next(const struct status_status *prev, const struct status_target_status *run,
                size_t n_run, status_known_fn known, void *known_ctx, const char *config,
                const struct status_run *last_run, struct status_status **out,
                struct base_error *err)
{
	return next_make(prev, run, n_run, known, known_ctx, config, last_run, 0, out, err);
}

int status_next_views(const struct status_status *prev, const struct status_target_status *run,
                      size_t n_run, status_known_fn known, void *known_ctx, const char *config,
                      const struct status_run *last_run, struct status_status **out,
                      struct base_error *err)
{
	return next_make(prev, run, n_run, known, known_ctx, config, last_run, 1, out, err);
}

/* ---- the next status in place ----------------------------------------------- */

/* The record target_next_view makes, as a record of its own: another
 * holder of run's block, or of p's, when it reads the same (an unchanged
 * night's), else a packed copy. 0 or -1 out of memory. */
static int next_own(const struct status_target_status *p, const struct status_target_status *run,
                    const char *now, struct status_target_status *out)
{
	struct status_target_status v;
	const struct status_target_status *from = NULL;

	target_next_view(p, run, now, &v);
	if (run->packed && status_target_same(&v, run, 1))
		from = run;
	else if (p && p->packed && status_target_same(&v, p, 1))
		from = p;
	if (from) /* the block's strings and arrays, v's scalars */
		return status_target_share_as(out, from, &v);
	if (status_target_status_copy(out, &v) < 0)
		return -1;
	(void)status_target_pack(out); /* out of memory: it stays as it is */
	return 0;
}

int status_next_into(struct status_status *st, const struct status_target_status *run, size_t n_run,
                     status_known_fn known, void *known_ctx, const char *config,
                     const struct status_run *last_run, struct base_error *err)
{
	struct status_target_status *added = NULL, *v;
	const char **ran = NULL;
	size_t n_added = 0, w = 0;
	char *cfg = NULL, *started = NULL, *finished = NULL, *success = NULL;
	int fail = 0;

	if (st->views) {
		base_error_set(err, "the next status is made of views");
		return -1;
	}
	if (!(ran = calloc(n_run ? n_run : 1, sizeof(*ran))) ||
	    !(added = calloc(n_run ? n_run : 1, sizeof(*added))))
		goto oom;
	for (size_t i = 0; i < n_run; i++)
		ran[i] = run[i].target;
	qsort(ran, n_run, sizeof(*ran), key_cmp);
	cfg = status_dup_or_null(config, &fail);
	started = status_dup_or_null(last_run->started, &fail);
	finished = status_dup_or_null(last_run->finished, &fail);
	if (fail)
		goto oom;
	/* the records of targets the config no longer has go (the array stays
	 * sorted) */
	for (size_t i = 0; i < st->n_targets; i++) {
		struct status_target_status *p = &st->targets[i];
		if (!in_sorted(ran, n_run, p->target) && known && !known(known_ctx, p->target)) {
			status_target_status_free(p);
			continue;
		}
		if (w != i) {
			st->targets[w] = *p;
			memset(p, 0, sizeof(*p));
		}
		w++;
	}
	st->n_targets = w;
	/* each of the run's records takes its old one's place, or is added */
	for (size_t i = 0; i < n_run; i++) {
		struct status_target_status *p = status_find(st, run[i].target), own;
		if (next_own(p, &run[i], last_run->started, &own) < 0)
			goto oom;
		if (p) {
			status_target_status_free(p);
			*p = own;
		} else {
			added[n_added++] = own;
		}
	}
	if (n_added) {
		if (!(v = realloc(st->targets, (st->n_targets + n_added) * sizeof(*v))))
			goto oom;
		memcpy(v + st->n_targets, added, n_added * sizeof(*v));
		st->targets = v;
		st->n_targets += n_added;
		n_added = 0;
	}
	free(added);
	added = NULL;
	free(ran);
	ran = NULL;
	/* what status_next's file says of itself; retag's records stay */
	success = status_dup_or_null(last_good(st, last_run, st->last_success), &fail);
	if (fail)
		goto oom;
	st->schema = 1;
	free(st->config);
	st->config = cfg;
	free(st->shard.config_digest);
	memset(&st->shard, 0, sizeof(st->shard));
	free(st->last_run.started);
	free(st->last_run.finished);
	st->last_run = *last_run;
	st->last_run.ready = 0;
	st->last_run.started = started;
	st->last_run.finished = finished;
	free(st->last_success);
	st->last_success = success;
	free(st->parts);
	st->parts = NULL;
	status_sort(st);
	return 0;
oom:
	for (size_t i = 0; i < n_added; i++)
		status_target_status_free(&added[i]);
	free(added);
	free(ran);
	free(cfg);
	free(started);
	free(finished);
	base_error_set(err, "out of memory");
	return -1;
}
