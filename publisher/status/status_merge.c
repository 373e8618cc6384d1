/* status_merge.c — merging two status files by target: what shards sharing
 * one file, and a push that lost a race, use so nothing from either side is
 * lost; and picking, among several shard files, those of the latest
 * sharding (shard count and config digest). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "status.h"

/* RFC 3339 UTC strings of one shape compare as text; a missing one is oldest. */
static int since_newer(const char *a, const char *b)
{
	if (!a)
		return 0;
	if (!b)
		return 1;
	return strcmp(a, b) > 0;
}

static int run_copy(struct pub_run *dst, const struct pub_run *src)
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

int pub_shard_info_copy(struct pub_shard_info *dst, const struct pub_shard_info *src)
{
	char *d = src->config_digest ? strdup(src->config_digest) : NULL;
	if (src->config_digest && !d)
		return -1;
	free(dst->config_digest);
	*dst = *src;
	dst->config_digest = d;
	return 0;
}

int pub_status_merge(struct pub_status *a, const struct pub_status *b, struct base_error *err)
{
	size_t n_new = 0;

	pub_status_sort(a);
	for (size_t i = 0; i < b->n_targets; i++)
		if (!pub_status_find(a, b->targets[i].target))
			n_new++;
	if (n_new) {
		struct pub_target_status *t =
		    realloc(a->targets, (a->n_targets + n_new) * sizeof(*t));
		if (!t)
			goto oom;
		a->targets = t;
	}
	/* pub_status_find is a binary search: look records up in a's sorted
	 * prefix only, append the new ones after it, sort once at the end. */
	size_t base = a->n_targets, added = 0;
	struct pub_status prefix = *a;
	for (size_t i = 0; i < b->n_targets; i++) {
		const struct pub_target_status *bt = &b->targets[i];
		prefix.targets = a->targets;
		prefix.n_targets = base;
		struct pub_target_status *at = pub_status_find(&prefix, bt->target);
		if (!at) {
			struct pub_target_status *slot = &a->targets[base + added];
			memset(slot, 0, sizeof(*slot));
			if (pub_target_status_copy(slot, bt) < 0)
				goto oom;
			added++;
			a->n_targets = base + added;
		} else if (since_newer(bt->since, at->since)) {
			struct pub_target_status tmp;
			memset(&tmp, 0, sizeof(tmp));
			if (pub_target_status_copy(&tmp, bt) < 0)
				goto oom;
			pub_target_status_free(at);
			*at = tmp;
		}
	}
	if (since_newer(b->last_run.finished, a->last_run.finished) &&
	    (run_copy(&a->last_run, &b->last_run) < 0 ||
	     pub_shard_info_copy(&a->shard, &b->shard) < 0))
		goto oom;
	if (!a->config && b->config && !(a->config = strdup(b->config)))
		goto oom;
	if (b->last_success && since_newer(b->last_success, a->last_success)) {
		char *ls = strdup(b->last_success);
		if (!ls)
			goto oom;
		free(a->last_success);
		a->last_success = ls;
	}
	if (pub_status_copies_merge(a, b) < 0)
		goto oom;
	pub_status_sort(a);
	return 0;
oom:
	pub_status_sort(a);
	base_error_set(err, "merge status: out of memory");
	return -1;
}

/* *into = *into merged with st (st consumed); *into NULL takes st as is. */
static int merge_into(struct pub_status **into, struct pub_status *st, struct base_error *err)
{
	int rc = 0;

	if (!*into) {
		*into = st;
		return 0;
	}
	rc = pub_status_merge(*into, st, err);
	pub_status_free(st);
	return rc;
}

static void pick_note(const struct pub_status_pick *pick, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void pick_note(const struct pub_status_pick *pick, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!pick || !pick->note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pick->note(pick->note_ctx, msg);
}

/* "sha256:0123456789ab" (short), or "no digest". */
static const char *short_digest(const char *d, char *buf, size_t n)
{
	if (!d)
		return "no digest";
	snprintf(buf, n, "%.19s", d);
	return buf;
}

static int same_sharding(const struct pub_shard_info *a, const struct pub_shard_info *b)
{
	if (a->count != b->count)
		return 0;
	if (!a->config_digest || !b->config_digest)
		return a->config_digest == b->config_digest;
	return strcmp(a->config_digest, b->config_digest) == 0;
}

static void describe(const struct pub_status *st, char *buf, size_t n)
{
	char d[32];
	if (!st->shard.count)
		snprintf(buf, n, "not sharded, run finished %s",
		         st->last_run.finished ? st->last_run.finished : "never");
	else
		snprintf(buf, n, "shard %u/%u of config %s, run finished %s", st->shard.index,
		         st->shard.count, short_digest(st->shard.config_digest, d, sizeof(d)),
		         st->last_run.finished ? st->last_run.finished : "never");
}

/* Keep the targets for which keep() is 1; the others are freed. Returns
 * how many were dropped; the first one's name in *first. */
static size_t keep_targets(struct pub_status *st,
                           int (*keep)(const struct pub_status *, const struct pub_target_status *,
                                       const struct pub_status_pick *),
                           const struct pub_status_pick *pick, char *first, size_t n)
{
	size_t j = 0, dropped = 0;
	for (size_t i = 0; i < st->n_targets; i++) {
		if (keep(st, &st->targets[i], pick)) {
			if (i != j)
				st->targets[j] = st->targets[i];
			j++;
			continue;
		}
		if (!dropped++ && first)
			snprintf(first, n, "%s", st->targets[i].target);
		pub_target_status_free(&st->targets[i]);
	}
	st->n_targets = j;
	return dropped;
}

static int owned(const struct pub_status *st, const struct pub_target_status *t,
                 const struct pub_status_pick *pick)
{
	return !st->shard.count || pick->owns(t->target, st->shard.index, st->shard.count);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int in_config(const struct pub_status *st, const struct pub_target_status *t,
                     const struct pub_status_pick *pick)
{
	(void)st;
	return bsearch(&t->target, pick->known, pick->n_known, sizeof(*pick->known), str_cmp) !=
	       NULL;
}

/* One file's copy (now, or at rev) with its records filtered by pick. */
static int load_one(const char *file, const char *rev, const struct pub_status_pick *pick,
                    int sharded_set, struct pub_status **out, struct base_error *err)
{
	char first[512];
	size_t n;

	if (rev ? pub_git_status_at(file, rev, out, err) < 0
	        : pub_status_recover(file, PUB_RECOVER_READ, out, NULL, err) < 0)
		return -1;
	if (!pick)
		return 0;
	/* A shard's file keeps the records of targets other shards own now
	 * (from before a re-sharding, or a file shared by all): the owner's
	 * file has them, newer. */
	if (sharded_set && pick->owns && (*out)->shard.count)
		keep_targets(*out, owned, pick, NULL, 0);
	if (pick->known) {
		n = keep_targets(*out, in_config, pick, first, sizeof(first));
		if (n && !rev)
			pick_note(pick, "%s: %zu target%s not in %s left out (%s%s)", file, n,
			          n == 1 ? "" : "s",
			          pick->config_path ? pick->config_path : "the config", first,
			          n > 1 ? ", …" : "");
	}
	return 0;
}

int pub_status_load_all(const char *const *files, size_t n, const char *rev,
                        const struct pub_status_pick *pick, struct pub_status **cur,
                        struct pub_status **old, struct base_error *err)
{
	struct pub_status **each = NULL;
	unsigned char *use = NULL;
	size_t latest = 0;
	int rc = -1, sharded = 0;

	*cur = NULL;
	if (old)
		*old = NULL;
	each = calloc(n ? n : 1, sizeof(*each));
	use = calloc(n ? n : 1, 1);
	if (!each || !use) {
		base_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		/* A missing file reads as empty for a writer; a report on one
		 * is a mistake (a wrong path, a shard that never ran). */
		if (access(files[i], F_OK) != 0 && !pub_journal_exists(files[i])) {
			base_error_set(err, "%s: %s", files[i], strerror(errno));
			goto out;
		}
		/* with the journals of runs killed before they wrote it */
		if (pub_status_recover(files[i], PUB_RECOVER_TRY, &each[i], NULL, err) < 0)
			goto out;
		use[i] = 1;
		sharded |= each[i]->shard.count > 0;
		if (since_newer(each[i]->last_run.finished, each[latest]->last_run.finished))
			latest = i;
	}
	/* Several files of which some were written by a sharded run: the
	 * latest run's sharding decides which count. */
	if (pick && n > 1 && sharded) {
		const struct pub_shard_info *want = &each[latest]->shard;
		unsigned char *seen = want->count ? calloc(want->count, 1) : NULL;
		char why[256], lat[256];
		describe(each[latest], lat, sizeof(lat));
		for (size_t i = 0; i < n; i++) {
			if (same_sharding(&each[i]->shard, want)) {
				if (seen)
					seen[each[i]->shard.index] = 1;
				continue;
			}
			use[i] = 0;
			describe(each[i], why, sizeof(why));
			pick_note(pick, "%s left out: %s; the latest sharding is %s's (%s)",
			          files[i], why, files[latest], lat);
		}
		for (unsigned k = 0; seen && k < want->count; k++)
			if (!seen[k])
				pick_note(
				    pick,
				    "no file of shard %u/%u (the latest sharding) was given: its "
				    "targets are not in the report",
				    k, want->count);
		free(seen);
	}
	for (size_t i = 0; i < n; i++) {
		struct pub_status *st = NULL;
		if (!use[i])
			continue;
		pub_status_free(each[i]);
		each[i] = NULL;
		if (load_one(files[i], NULL, pick, sharded && n > 1, &st, err) < 0 ||
		    merge_into(cur, st, err) < 0)
			goto out;
		if (rev && old &&
		    (load_one(files[i], rev, pick, sharded && n > 1, &st, err) < 0 ||
		     merge_into(old, st, err) < 0))
			goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; each && i < n; i++)
		pub_status_free(each[i]);
	free(each);
	free(use);
	return rc;
}
