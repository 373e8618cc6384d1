/* retag.c — the retag job: copies of manifests (and everything they
 * reference) from one tag to another, in parallel, keeping exact bytes so
 * digests survive; results recorded in the status file. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine.h"

static const char *const copy_state_names[PUB_COPY__COUNT] = {"copied", "unchanged", "would-copy",
                                                              "failed"};

const char *pub_copy_state_str(enum pub_copy_state s)
{
	if ((unsigned)s >= PUB_COPY__COUNT)
		return "unknown";
	return copy_state_names[s];
}

void pub_copy_results_free(struct pub_copy_result *r, size_t n)
{
	if (!r)
		return;
	for (size_t i = 0; i < n; i++) {
		free(r[i].from);
		free(r[i].to);
		free(r[i].platform);
		free(r[i].media_type);
		free(r[i].reason);
	}
	free(r);
}

struct retag_ctx {
	const struct farm_copy_plan *plan;
	const struct pub_retag_options *o;
	struct pub_copy_result *results; /* one per copy; worker i writes only results[i] */
};

static void copy_fail(struct pub_copy_result *r, const struct reg_error *e)
{
	r->state = PUB_COPY_FAILED;
	free(r->reason);
	r->reason = strdup(e->msg[0] ? e->msg : "unknown error");
}

/* One copy. The source is pinned to the digest its HEAD answered, so a tag
 * moving mid-run gives a clean digest error rather than a mixed copy. */
static void retag_one(struct reg_session *s, size_t i, void *vctx)
{
	struct retag_ctx *ctx = vctx;
	const struct farm_copy *cp = &ctx->plan->copies[i];
	struct pub_copy_result *r = &ctx->results[i];
	struct reg_ref src = {0}, dst = {0}, pinned = {0};
	struct reg_head sh, dh;
	struct reg_manifest m = {0};
	struct reg_error e;
	int rc;

	reg_error_clear(&e);
	if (reg_ref_parse(cp->from, &src, &e) < 0 || reg_ref_parse(cp->to, &dst, &e) < 0) {
		copy_fail(r, &e);
		goto out;
	}
	rc = reg_manifest_head(s, &src, &sh, &e);
	if (rc < 0) {
		r->source_missing = rc == REG_ENOTFOUND;
		reg_error_wrap(&e, "source");
		copy_fail(r, &e);
		goto out;
	}
	if (sh.digest[0] == '\0') {
		/* No Docker-Content-Digest on HEAD: the GET tells us. */
		if (reg_manifest_get(s, &src, &m, &e) < 0) {
			reg_error_wrap(&e, "source");
			copy_fail(r, &e);
			goto out;
		}
		snprintf(sh.digest, sizeof(sh.digest), "%s", m.digest);
		sh.size = (int64_t)m.raw.len;
	}
	snprintf(r->digest, sizeof(r->digest), "%s", sh.digest);
	r->media_type = strdup(m.media_type ? m.media_type : sh.media_type);
	r->size = sh.size;
	if (dst.digest && strcmp(dst.digest, sh.digest) != 0) {
		reg_error_set(&e, "destination %s pins %s but the source holds %s", cp->to,
		              dst.digest, sh.digest);
		copy_fail(r, &e);
		goto out;
	}

	rc = reg_manifest_head(s, &dst, &dh, &e);
	if (rc == REG_OK && strcmp(dh.digest, sh.digest) == 0) {
		r->state = PUB_COPY_UNCHANGED;
		goto out;
	}
	if (rc < 0 && rc != REG_ENOTFOUND) {
		reg_error_wrap(&e, "destination");
		copy_fail(r, &e);
		goto out;
	}
	reg_error_clear(&e);
	if (ctx->o->dry_run) {
		r->state = PUB_COPY_WOULD_COPY;
		goto out;
	}

	if (!m.raw.data) {
		if (reg_ref_copy(&pinned, &src) < 0) {
			reg_error_set(&e, "out of memory");
			copy_fail(r, &e);
			goto out;
		}
		free(pinned.digest);
		pinned.digest = strdup(sh.digest);
		if (!pinned.digest || reg_manifest_get(s, &pinned, &m, &e) < 0) {
			if (!pinned.digest)
				reg_error_set(&e, "out of memory");
			reg_error_wrap(&e, "source");
			copy_fail(r, &e);
			goto out;
		}
	}
	if (reg_copy_manifest(s, &src, &m, &dst, &r->stats, &e) < 0) {
		reg_error_wrap(&e, "copy");
		copy_fail(r, &e);
		goto out;
	}
	/* An image's `referrers: skip` keeps them home; ad hoc pairs copy them. */
	if ((!cp->image || cp->image->referrers == FARM_REFERRERS_COPY) &&
	    pub_travel_retag(s, &src, &dst, &m, &e) < 0) {
		copy_fail(r, &e);
		goto out;
	}
	r->state = PUB_COPY_COPIED;
out:
	reg_manifest_free(&m);
	reg_ref_free(&pinned);
	reg_ref_free(&src);
	reg_ref_free(&dst);
}

int pub_retag_run(struct reg_client *c, const struct farm_copy_plan *plan,
                  const struct pub_retag_options *o, struct pub_copy_result **out,
                  struct reg_error *err)
{
	struct retag_ctx ctx = {plan, o, NULL};
	size_t n = plan->n_copies;
	int jobs = o->jobs > 0 ? o->jobs : 16;

	*out = NULL;
	ctx.results = calloc(n ? n : 1, sizeof(*ctx.results));
	if (!ctx.results) {
		reg_error_set(err, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct pub_copy_result *r = &ctx.results[i];
		const struct farm_copy *cp = &plan->copies[i];
		r->from = strdup(cp->from);
		r->to = strdup(cp->to);
		r->platform = cp->platform ? pub_dup_or_null(cp->platform->name, NULL) : NULL;
		r->size = -1;
		r->state = PUB_COPY_FAILED;
		if (!r->from || !r->to || (cp->platform && cp->platform->name && !r->platform)) {
			pub_copy_results_free(ctx.results, n);
			reg_error_set(err, "out of memory");
			return -1;
		}
	}
	if ((size_t)jobs > n)
		jobs = n ? (int)n : 1;
	if (n && pub_pool_run(c, jobs, n, retag_one, &ctx, err) < 0) {
		pub_copy_results_free(ctx.results, n);
		return -1;
	}
	*out = ctx.results;
	return 0;
}

void pub_copy_count(const struct pub_copy_result *r, size_t n, struct pub_copy_counts *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		switch (r[i].state) {
		case PUB_COPY_COPIED:
			out->copied++;
			break;
		case PUB_COPY_UNCHANGED:
			out->unchanged++;
			break;
		case PUB_COPY_WOULD_COPY:
			out->would_copy++;
			break;
		default:
			out->failed++;
			break;
		}
	}
}

/* ---- status file ------------------------------------------------------- */

static int fill_record(struct pub_target_status *t, const struct pub_copy_result *r,
                       const struct pub_target_status *prev, const char *now)
{
	struct pub_platform_status *p;

	t->target = strdup(r->to);
	t->state = r->state == PUB_COPY_COPIED      ? PUB_T_PUBLISHED
	           : r->state == PUB_COPY_UNCHANGED ? PUB_T_UNCHANGED
	                                            : PUB_T_FAILED;
	if (t->state == PUB_T_FAILED)
		t->digest = pub_dup_or_null(prev ? prev->digest : NULL, NULL);
	else
		t->digest = strdup(r->digest);
	if (t->state == PUB_T_FAILED)
		t->media_type = pub_dup_or_null(prev ? prev->media_type : NULL, NULL);
	else
		t->media_type = pub_dup_or_null(r->media_type, NULL);
	/* A copy that writes again what was already there is not news. */
	int same = prev &&
	           (prev->state == t->state ||
	            (prev->state == PUB_T_PUBLISHED && t->state == PUB_T_UNCHANGED)) &&
	           ((!prev->digest && !t->digest) ||
	            (prev->digest && t->digest && strcmp(prev->digest, t->digest) == 0));
	t->since = strdup(same && prev->since ? prev->since : now);
	t->reason = pub_dup_or_null(r->state == PUB_COPY_FAILED ? r->reason : NULL, NULL);
	t->platforms = calloc(1, sizeof(*t->platforms));
	if (!t->target || !t->since || !t->platforms)
		return -1;
	t->n_platforms = 1;
	p = &t->platforms[0];
	/* Readers key platform records by name; a per-tag copy covers whatever
	 * the tag holds, so it is recorded as "all". */
	p->platform = strdup(r->platform ? r->platform : "all");
	p->source = strdup(r->from);
	p->state = r->state == PUB_COPY_FAILED ? (r->source_missing ? PUB_P_MISSING : PUB_P_ERROR)
	                                       : PUB_P_READY;
	p->digest = r->digest[0] ? strdup(r->digest) : NULL;
	p->media_type = pub_dup_or_null(r->media_type, NULL);
	p->size = r->size;
	p->reason = pub_dup_or_null(r->state == PUB_COPY_FAILED ? r->reason : NULL, NULL);
	if (!p->platform || !p->source)
		return -1;
	return 0;
}

int pub_retag_record(struct pub_status *st, const struct pub_copy_result *r, size_t n,
                     const char *started, const char *finished, struct reg_error *err)
{
	struct pub_copy_counts cnt;

	for (size_t i = 0; i < n; i++) {
		struct pub_target_status rec = {0}, *prev, *grown;

		if (r[i].state == PUB_COPY_WOULD_COPY)
			continue;
		prev = pub_status_find(st, r[i].to);
		if (fill_record(&rec, &r[i], prev, finished) < 0) {
			pub_target_status_free(&rec);
			reg_error_set(err, "out of memory");
			return -1;
		}
		if (prev) {
			pub_target_status_free(prev);
			*prev = rec;
			continue;
		}
		grown = realloc(st->targets, (st->n_targets + 1) * sizeof(*grown));
		if (!grown) {
			pub_target_status_free(&rec);
			reg_error_set(err, "out of memory");
			return -1;
		}
		st->targets = grown;
		st->targets[st->n_targets++] = rec;
		/* Later copies must find this one (two rules naming one destination). */
		pub_status_sort(st);
	}
	pub_copy_count(r, n, &cnt);
	free(st->last_run.started);
	free(st->last_run.finished);
	st->last_run.started = strdup(started);
	st->last_run.finished = strdup(finished);
	st->last_run.published = cnt.copied;
	st->last_run.unchanged = cnt.unchanged;
	st->last_run.incomplete = 0;
	st->last_run.failed = cnt.failed;
	if (st->schema == 0)
		st->schema = 1;
	pub_status_sort(st);
	if (!st->last_run.started || !st->last_run.finished) {
		reg_error_set(err, "out of memory");
		return -1;
	}
	return 0;
}
