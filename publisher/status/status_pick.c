/* status_pick.c — the status files a report is read from: several shard
 * files (and their copies at a git revision) merged by target, only those
 * of the latest sharding (shard count and config digest), each keeping the
 * records its shard owns, the journals of runs that are gone folded in;
 * each file read once and its records moved, not copied, into the merge;
 * their copies at a revision read into --since's table (since_old.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "status_git.h"
#include "status_journal.h"
#include "status_report.h"
#include "status_internal.h"
#include "report_internal.h"

/* *into = *into merged with st (st consumed); *into NULL takes st as is. */
static int merge_into(struct status_status **into, struct status_status *st, struct base_error *err)
{
	int rc = 0;

	if (!*into) {
		*into = st;
		return 0;
	}
	rc = status_merge_take(*into, st, err);
	status_free(st);
	return rc;
}

static void pick_note(const struct status_pick *pick, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void pick_note(const struct status_pick *pick, const char *fmt, ...)
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

static int same_sharding(const struct status_shard_info *a, const struct status_shard_info *b)
{
	if (a->count != b->count)
		return 0;
	if (!a->config_digest || !b->config_digest)
		return a->config_digest == b->config_digest;
	return strcmp(a->config_digest, b->config_digest) == 0;
}

static void describe(const struct status_status *st, char *buf, size_t n)
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
static size_t keep_targets(struct status_status *st,
                           int (*keep)(const struct status_status *,
                                       const struct status_target_status *,
                                       const struct status_pick *),
                           const struct status_pick *pick, char *first, size_t n)
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
		status_target_status_free(&st->targets[i]);
	}
	st->n_targets = j;
	return dropped;
}

static int owned(const struct status_status *st, const struct status_target_status *t,
                 const struct status_pick *pick)
{
	return !st->shard.count || pick->owns(t->target, st->shard.index, st->shard.count);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int known(const struct status_pick *pick, const char *target)
{
	return bsearch(&target, pick->known, pick->n_known, sizeof(*pick->known), str_cmp) != NULL;
}

static int in_config(const struct status_status *st, const struct status_target_status *t,
                     const struct status_pick *pick)
{
	(void)st;
	return known(pick, t->target);
}

/* One file with its records filtered by pick. */
static void filter_one(const char *file, const struct status_pick *pick, int sharded_set,
                       struct status_status *st)
{
	char first[512];
	size_t n;

	if (!pick)
		return;
	/* A shard's file keeps the records of targets other shards own now
	 * (from before a re-sharding, or a file shared by all): the owner's
	 * file has them, newer. */
	if (sharded_set && pick->owns && st->shard.count)
		keep_targets(st, owned, pick, NULL, 0);
	if (pick->known) {
		n = keep_targets(st, in_config, pick, first, sizeof(first));
		if (n)
			pick_note(pick, "%s: %zu target%s not in %s left out (%s%s)", file, n,
			          n == 1 ? "" : "s",
			          pick->config_path ? pick->config_path : "the config", first,
			          n > 1 ? ", …" : "");
	}
}

/* A file's copy at a revision, in --since's table. */
struct old_file {
	size_t first, count; /* its records in the table */
	struct status_shard_info shard;
	int failed;
	struct base_error err;
};

struct old_keep {
	const struct status_pick *pick;
	const struct status_shard_info *shard;
	int by_owner;
};

static int old_kept(void *ctx, const char *target)
{
	const struct old_keep *k = ctx;

	if (k->by_owner && !k->pick->owns(target, k->shard->index, k->shard->count))
		return 0;
	return !k->pick->known || known(k->pick, target);
}

/* filter_one's rules for a file's records at the revision (no notes). */
static void filter_old(struct status_since_old *o, const struct old_file *f,
                       const struct status_pick *pick, int sharded_set)
{
	struct old_keep k = {.pick = pick, .shard = &f->shard};

	if (!pick)
		return;
	k.by_owner = sharded_set && pick->owns && f->shard.count;
	if (k.by_owner || pick->known)
		status_since_old_keep(o, f->first, f->count, old_kept, &k);
}

/* Of files each[0..n) (some written by a sharded run), use[i] stays 1 only
 * for those of the latest run's sharding (each[latest]'s); the others, and
 * the shards of that sharding no file was given for, are noted. */
static void pick_sharding(const char *const *files, size_t n, struct status_status **each,
                          size_t latest, const struct status_pick *pick, unsigned char *use)
{
	const struct status_shard_info *want = &each[latest]->shard;
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
		pick_note(pick, "%s left out: %s; the latest sharding is %s's (%s)", files[i], why,
		          files[latest], lat);
	}
	for (unsigned k = 0; seen && k < want->count; k++)
		if (!seen[k])
			pick_note(pick,
			          "no file of shard %u/%u (the latest sharding) was given: its "
			          "targets are not in the report",
			          k, want->count);
	free(seen);
}

int status_load_all(const char *const *files, size_t n, const char *rev,
                    const struct status_pick *pick, struct status_status **cur,
                    struct status_since_old **old, struct base_error *err)
{
	struct status_status **each = NULL;
	struct old_file *olds = NULL;
	unsigned char *use = NULL;
	size_t latest = 0;
	int rc = -1, sharded = 0;

	*cur = NULL;
	if (old)
		*old = NULL;
	each = calloc(n ? n : 1, sizeof(*each));
	use = calloc(n ? n : 1, 1);
	if (rev && old) {
		olds = calloc(n ? n : 1, sizeof(*olds));
		*old = status_since_old_new();
	}
	if (!each || !use || (rev && old && (!olds || !*old))) {
		base_error_set(err, "out of memory");
		goto out;
	}
	/* The copies at rev first, read target by target into the table
	 * (target, state, digest and since of each record, nothing else):
	 * what reading one took is the current files' to reuse. An error
	 * counts only for a file the report uses. */
	for (size_t i = 0; olds && i < n; i++)
		olds[i].failed =
		    status_since_old_read(*old, files[i], rev, &olds[i].shard, &olds[i].first,
		                          &olds[i].count, &olds[i].err) < 0;
	for (size_t i = 0; i < n; i++) {
		/* A missing file reads as empty for a writer; a report on one
		 * is a mistake (a wrong path, a shard that never ran). */
		if (access(files[i], F_OK) != 0 && !status_journal_exists(files[i])) {
			base_error_set(err, "%s: %s", files[i], strerror(errno));
			goto out;
		}
		/* with the journals of runs killed before they wrote it */
		if (status_recover(files[i], STATUS_RECOVER_TRY, &each[i], NULL, err) < 0)
			goto out;
		use[i] = 1;
		sharded |= each[i]->shard.count > 0;
		if (status_since_newer(each[i]->last_run.finished, each[latest]->last_run.finished))
			latest = i;
	}
	/* Several files of which some were written by a sharded run: the
	 * latest run's sharding decides which count. */
	if (pick && n > 1 && sharded)
		pick_sharding(files, n, each, latest, pick, use);
	/* Each file as it was read (not read again), merged by moving its
	 * records: the report's records are held once. */
	for (size_t i = 0; i < n; i++) {
		struct status_status *st = each[i];
		if (!use[i]) {
			if (olds)
				status_since_old_keep(*old, olds[i].first, olds[i].count, NULL,
				                      NULL);
			continue;
		}
		each[i] = NULL;
		filter_one(files[i], pick, sharded && n > 1, st);
		if (merge_into(cur, st, err) < 0)
			goto out;
		if (!olds)
			continue;
		if (olds[i].failed) {
			*err = olds[i].err;
			goto out;
		}
		filter_old(*old, &olds[i], pick, sharded && n > 1);
	}
	if (olds)
		status_since_old_finish(*old);
	rc = 0;
out:
	for (size_t i = 0; i < n; i++) {
		if (each)
			status_free(each[i]);
		if (olds)
			free(olds[i].shard.config_digest);
	}
	free(each);
	free(olds);
	free(use);
	return rc;
}
