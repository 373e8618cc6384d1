/* job_status.c — `status` as one call: the status files merged (by the
 * config's targets with -c), what changed since a revision, the history. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "job_status.h"

/* The config's targets and digest into pick; BASE_EINPUT or -1 on error. */
static int pick_config(const struct pub_status_options *o, struct status_pick *pick, char ***known,
                       size_t *n_known, char digest[PUB_DIGEST_MAX], struct base_error *err)
{
	int cr = pub_config_targets(o->config_path, known, n_known, digest, err);

	if (cr < 0)
		return cr == BASE_EINPUT ? BASE_EINPUT : -1;
	pick->config_path = o->config_path;
	pick->known = (const char *const *)*known;
	pick->n_known = *n_known;
	pick->config_digest = digest;
	return 0;
}

/* The latest sharding ran another config than -c names: say so. */
static void config_note(const struct pub_status_options *o, const struct status_status *all,
                        const char *digest)
{
	char msg[1024];

	if (!o->config_path || !all->shard.count || !all->shard.config_digest ||
	    strcmp(all->shard.config_digest, digest) == 0 || !o->note)
		return;
	snprintf(msg, sizeof(msg),
	         "%s is not the config the latest sharding ran (%.19s, this is %.19s): its "
	         "targets decide what is reported",
	         o->config_path, all->shard.config_digest, digest);
	o->note(NULL, msg);
}

/* --history [RANGE] [--days N] of the one file. */
static int history_read(const struct pub_status_options *o, struct pub_status_result *out,
                        struct base_error *err)
{
	struct status_history_options ho = {0};
	char *end = NULL;

	ho.range = o->range && *o->range ? o->range : NULL;
	ho.days = o->days ? strtoll(o->days, &end, 10) : 0;
	ho.now = out->now;
	if (o->n_files != 1 || (o->days && (*end || ho.days < 1 || ho.days > 100000))) {
		base_error_set(err, "--history takes one file; --days 1..100000");
		return -1;
	}
	if (status_history_read(o->files[0], &ho, &out->hist, err) < 0)
		return -1;
	if (base_env("MANIFOLD_HISTORY_DEBUG") && o->note) {
		const struct status_history_work *k = &out->hist->work;
		char msg[256];
		snprintf(
		    msg, sizeof(msg),
		    "history: %zu nights; versions: %zu from git, %zu from the cache; %zu parts "
		    "read (%zu from the packs), %zu records parsed (%zu in full), %zu parsed "
		    "whole, %zu targets taken up",
		    out->hist->n_nights, k->versions_git, k->versions_cache, k->parts_read,
		    k->parts_from_packs, k->records_parsed, k->records_full, k->wholes_parsed,
		    k->targets_decoded);
		o->note(NULL, msg);
	}
	return 0;
}

int pub_status_run(const struct pub_status_options *o, struct pub_status_result *out,
                   struct base_error *err)
{
	struct status_pick pick = {.note = o->note, .owns = pub_shard_owns};
	char **known = NULL, digest[PUB_DIGEST_MAX] = "";
	size_t n_known = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (o->config_path && (rc = pick_config(o, &pick, &known, &n_known, digest, err)) < 0)
		goto out;
	rc = BASE_EINPUT;
	if (status_load_all(o->files, o->n_files, o->since, &pick, &out->all, &out->old, err) < 0)
		goto out;
	config_note(o, out->all, digest);
	if (!(out->now = status_now_rfc3339()))
		goto out;
	if (o->history && history_read(o, out, err) < 0)
		goto out;
	if (out->hist && out->hist->n_nights) {
		snprintf(out->commit, sizeof(out->commit), "%s",
		         out->hist->nights[out->hist->n_nights - 1].commit);
	} else if (o->want_commit && o->n_files) {
		struct base_error gerr = {0};
		if (status_git_head_id(o->files[0], out->commit, &gerr) < 0)
			out->commit[0] = '\0'; /* not in a repository: no link */
	}
	if (o->since) {
		if (status_since_diff_old(out->old, out->all, o->since, &out->since, err) < 0)
			goto out;
		out->has_since = 1;
	}
	rc = 0;
out:
	for (size_t i = 0; i < n_known; i++)
		free(known[i]);
	free(known);
	return rc;
}

void pub_status_result_free(struct pub_status_result *r)
{
	if (!r)
		return;
	if (r->has_since)
		status_since_free(&r->since);
	free(r->now);
	status_free(r->all);
	status_since_old_free(r->old);
	status_history_free(r->hist);
	memset(r, 0, sizeof(*r));
}
