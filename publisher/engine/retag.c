/* retag.c — the retag job: copies of manifests (and everything they
 * reference) from one tag to another, in parallel, keeping exact bytes so
 * digests survive; results recorded in the status file. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine.h"
#include "job_internal.h"

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

static void copy_records_free(struct pub_copy_status *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++)
		pub_copy_status_free(&c[i]);
	free(c);
}

int pub_retag_record(struct pub_status *st, const struct pub_copy_result *r, size_t n,
                     const char *started, const char *finished, struct reg_error *err)
{
	struct pub_copy_status *recs = calloc(n ? n : 1, sizeof(*recs));
	struct pub_retag_summary sum = {(char *)started, (char *)finished, 0, 0, 0};
	struct pub_copy_counts cnt;
	size_t k = 0;
	int fail = 0, rc;

	if (!recs)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		struct pub_copy_status *c = &recs[k];
		int failed = r[i].state == PUB_COPY_FAILED;

		if (r[i].state == PUB_COPY_WOULD_COPY)
			continue;
		k++;
		c->from = pub_dup_or_null(r[i].from, &fail);
		c->to = pub_dup_or_null(r[i].to, &fail);
		c->platform = pub_dup_or_null(r[i].platform, &fail);
		c->state = failed                          ? PUB_C_FAILED
		           : r[i].state == PUB_COPY_COPIED ? PUB_C_COPIED
		                                           : PUB_C_UNCHANGED;
		/* A failed copy's source digest is not what the destination holds. */
		c->digest = pub_dup_or_null(!failed && r[i].digest[0] ? r[i].digest : NULL, &fail);
		c->media_type = pub_dup_or_null(failed ? NULL : r[i].media_type, &fail);
		c->reason = pub_dup_or_null(failed ? r[i].reason : NULL, &fail);
	}
	if (fail)
		goto oom;
	pub_copy_count(r, n, &cnt);
	sum.copied = cnt.copied;
	sum.unchanged = cnt.unchanged;
	sum.failed = cnt.failed;
	rc = pub_status_record_copies(st, recs, k, &sum, finished, err);
	copy_records_free(recs, k);
	return rc;
oom:
	copy_records_free(recs, k);
	reg_error_set(err, "out of memory");
	return -1;
}

int pub_retag_status_update(const char *path, const char *config, const struct pub_copy_result *r,
                            size_t n, const char *started, struct reg_error *err)
{
	struct pub_status_lock *lock = NULL;
	struct pub_status *st = NULL;
	struct pub_journal_fold *fold = NULL;
	struct pub_recovered rec = {0};
	char *finished = pub_now_rfc3339();
	int rc = -1;

	if (!finished) {
		reg_error_set(err, "out of memory");
		goto out;
	}
	/* The lock publish takes too: a publish run sharing the file keeps
	 * these records, and this run keeps its targets. */
	if (pub_status_lock(path, pub_status_lock_wait_ms(), &lock, err) < 0)
		goto out;
	rc = pub_status_load(path, &st, err);
	/* a publish run killed before it recorded its targets: theirs too */
	if (rc == 0)
		rc = pub_journal_fold_begin(path, st, NULL, &fold, &rec, err);
	if (rc == 0 && config && !st->config && !(st->config = strdup(config))) {
		reg_error_set(err, "out of memory");
		rc = -1;
	}
	if (rc == 0)
		rc = pub_retag_record(st, r, n, started, finished, err);
	if (rc == 0)
		rc = pub_status_write(path, st, err);
	pub_journal_fold_end(fold, rc == 0);
	pub_status_free(st);
	pub_status_unlock(lock);
out:
	free(finished);
	return rc;
}
