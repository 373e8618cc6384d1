/* status_merge.c — merging two status files by target: what shards sharing
 * one file, and a push that lost a race, use so nothing from either side is
 * lost. Picking among several shard files is status_pick.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "status_internal.h"

int status_since_newer(const char *a, const char *b)
{
	if (!a)
		return 0;
	if (!b)
		return 1;
	return strcmp(a, b) > 0;
}

static int run_copy(struct status_run *dst, const struct status_run *src)
{
	char *s = src->started ? strdup(src->started) : NULL;
	char *f = src->finished ? strdup(src->finished) : NULL;
	if ((src->started && !s) || (src->finished && !f)) {
		free(s);
		free(f);
		return -1;
	}
	free(dst->started);
	free(dst->finished);
	*dst = *src;
	dst->started = s;
	dst->finished = f;
	return 0;
}

int status_shard_info_copy(struct status_shard_info *dst, const struct status_shard_info *src)
{
	char *d = src->config_digest ? strdup(src->config_digest) : NULL;
	if (src->config_digest && !d)
		return -1;
	free(dst->config_digest);
	*dst = *src;
	dst->config_digest = d;
	return 0;
}

/* b's records into a by target (a sorted first): the record with the
 * newer `since` wins (ties: a's). take: b's records are moved (b's slots
 * left empty, for b's free), not copied. -1: out of memory. */
static int merge_records(struct status_status *a, struct status_status *b, int take)
{
	size_t n_new = 0;

	status_sort(a);
	for (size_t i = 0; i < b->n_targets; i++)
		if (!status_find(a, b->targets[i].target))
			n_new++;
	if (n_new) {
		struct status_target_status *t =
		    realloc(a->targets, (a->n_targets + n_new) * sizeof(*t));
		if (!t)
			return -1;
		a->targets = t;
	}
	/* status_find is a binary search: look records up in a's sorted
	 * prefix only, append the new ones after it, sort once at the end. */
	size_t base = a->n_targets, added = 0;
	struct status_status prefix = *a;
	for (size_t i = 0; i < b->n_targets; i++) {
		struct status_target_status *bt = &b->targets[i], tmp;
		prefix.targets = a->targets;
		prefix.n_targets = base;
		struct status_target_status *at = status_find(&prefix, bt->target);
		if (at && !status_since_newer(bt->since, at->since))
			continue;
		memset(&tmp, 0, sizeof(tmp));
		if (take) {
			tmp = *bt;
			memset(bt, 0, sizeof(*bt));
		} else if (status_target_status_copy(&tmp, bt) < 0) {
			return -1;
		}
		if (at) {
			status_target_status_free(at);
			*at = tmp;
		} else {
			a->targets[base + added++] = tmp;
			a->n_targets = base + added;
		}
	}
	return 0;
}

/* What is not a record (last_run, shard, config, last_success, copies). */
static int merge_rest(struct status_status *a, const struct status_status *b)
{
	if (status_since_newer(b->last_run.finished, a->last_run.finished) &&
	    (run_copy(&a->last_run, &b->last_run) < 0 ||
	     status_shard_info_copy(&a->shard, &b->shard) < 0))
		return -1;
	if (!a->config && b->config && !(a->config = strdup(b->config)))
		return -1;
	if (b->last_success && status_since_newer(b->last_success, a->last_success)) {
		char *ls = strdup(b->last_success);
		if (!ls)
			return -1;
		free(a->last_success);
		a->last_success = ls;
	}
	return status_copies_merge(a, b);
}

static int merge(struct status_status *a, struct status_status *b, int take, struct base_error *err)
{
	int rc = merge_records(a, b, take) < 0 || merge_rest(a, b) < 0 ? -1 : 0;

	status_sort(a);
	if (rc < 0)
		base_error_set(err, "merge status: out of memory");
	return rc;
}

int status_merge(struct status_status *a, const struct status_status *b, struct base_error *err)
{
	/* copying: b is only read */
	return merge(a, (struct status_status *)b, 0, err);
}

int status_merge_take(struct status_status *a, struct status_status *b, struct base_error *err)
{
	return merge(a, b, 1, err);
}
