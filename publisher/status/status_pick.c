/* status_pick.c — the status files a report is read from: several shard
 * files (and their copies at a git revision) merged by target, only those
 * of the latest sharding (shard count and config digest), each keeping the
 * records its shard owns, the journals of runs that are gone folded in. */
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

/* *into = *into merged with st (st consumed); *into NULL takes st as is. */
static int merge_into(struct status_status **into, struct status_status *st, struct base_error *err)
{
	int rc = 0;

	if (!*into) {
		*into = st;
		return 0;
	}
	rc = status_merge(*into, st, err);
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

static int in_config(const struct status_status *st, const struct status_target_status *t,
                     const struct status_pick *pick)
{
	(void)st;
	return bsearch(&t->target, pick->known, pick->n_known, sizeof(*pick->known), str_cmp) !=
	       NULL;
}

/* One file's copy (now, or at rev) with its records filtered by pick. */
static int load_one(const char *file, const char *rev, const struct status_pick *pick,
                    int sharded_set, struct status_status **out, struct base_error *err)
{
	char first[512];
	size_t n;

	if (rev ? status_git_status_at(file, rev, out, err) < 0
	        : status_recover(file, STATUS_RECOVER_READ, out, NULL, err) < 0)
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

int status_load_all(const char *const *files, size_t n, const char *rev,
                    const struct status_pick *pick, struct status_status **cur,
                    struct status_status **old, struct base_error *err)
{
	struct status_status **each = NULL;
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
	if (pick && n > 1 && sharded) {
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
		struct status_status *st = NULL;
		if (!use[i])
			continue;
		status_free(each[i]);
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
		status_free(each[i]);
	free(each);
	free(use);
	return rc;
}
