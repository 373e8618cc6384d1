/* retag.c — the retag job: copies of manifests (and everything they
 * reference) from one tag to another, in parallel, keeping exact bytes so
 * digests survive; results recorded in the status file. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "job_internal.h"
#include "retag_internal.h"
#include "status_journal.h"
#include "status_lock.h"

static const char *const copy_state_names[PUB_COPY__COUNT] = {"copied", "unchanged", "would-copy",
                                                              "failed", "held",      "refused"};

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
	struct pub_flights *flights;     /* blob and manifest writes, once per repository */
	atomic_size_t done;              /* copies finished, for o->progress */
};

static void copy_fail(struct pub_copy_result *r, const struct base_error *e)
{
	r->state = PUB_COPY_FAILED;
	free(r->reason);
	r->reason = strdup(e->msg[0] ? e->msg : "unknown error");
}

/* ---- single-flight writes (reg_copy_guard over flight.c) ---------------- */

static enum pub_flight_kind flight_kind(char kind)
{
	return kind == 'b' ? PUB_FLIGHT_BLOB : PUB_FLIGHT_MANIFEST;
}

static int guard_begin(void *ctx, char kind, const struct reg_ref *repo, const char *digest)
{
	return pub_flight_begin(ctx, flight_kind(kind), repo, digest, 1) == PUB_FLIGHT_MINE;
}

static void guard_end(void *ctx, char kind, const struct reg_ref *repo, const char *digest, int ok)
{
	pub_flight_end(ctx, flight_kind(kind), repo, digest, ok);
}

/* ---- what the destination holds: G3 (overwrite) and G1 (shrink) -------- */

/* p's name in one spelling per containerd equivalence (arm64/v8 is
 * arm64, arm is arm/v7, amd64/v1 is amd64), so two tools' spellings of one
 * platform compare equal. */
static char *canonical_name(const struct reg_platform *p)
{
	struct reg_platform c = {0};
	struct base_error e;
	const char *arch = p->architecture ? p->architecture : "";
	const char *v = p->variant;
	char *name;

	base_error_clear(&e);
	if (strcmp(arch, "arm64") == 0 && v &&
	    (strcmp(v, "8") == 0 || strcmp(v, "v8") == 0 || strcmp(v, "v8.0") == 0))
		v = NULL;
	else if (strcmp(arch, "amd64") == 0 && v && strcmp(v, "v1") == 0)
		v = NULL;
	else if (strcmp(arch, "arm") == 0 && !v)
		v = "v7";
	if (!p->os || !p->architecture ||
	    reg_platform_from_parts(p->os, p->architecture, v, p->os_version, &c, &e) < 0)
		return reg_platform_format(p); /* as it is written, then */
	name = reg_platform_format(&c);
	reg_platform_free(&c);
	return name;
}

/* The names of the platforms m serves: a list's image entries (not its
 * attestations), an image's config platform (read from repo). */
static int served(struct reg_session *s, const struct reg_ref *repo, const struct reg_manifest *m,
                  char ***out, size_t *n, struct base_error *err)
{
	struct base_buf cfg = {0};
	struct reg_platform p = {0};
	size_t cap = m->is_list ? m->n_entries + 1 : 1;
	int rc = -1;

	*n = 0;
	if (!(*out = calloc(cap, sizeof(**out)))) {
		base_error_set(err, "out of memory");
		return -1;
	}
	if (m->is_list) {
		for (size_t i = 0; i < m->n_entries; i++) {
			const struct reg_descriptor *d = &m->entries[i];
			if (!d->has_platform || reg_descriptor_is_attestation(d))
				continue;
			if (!((*out)[(*n)++] = canonical_name(&d->platform)))
				goto oom;
		}
		return 0;
	}
	if (!m->config.digest) {
		base_error_set(err, "image manifest has no config");
		return -1;
	}
	if (reg_blob_get(s, repo, m->config.digest, REG_CONFIG_MAX, &cfg, err) < 0 ||
	    reg_image_config_platform(cfg.data, cfg.len, &p, err) < 0) {
		base_error_wrap(err, "image config");
		goto out;
	}
	if (!((*out)[(*n)++] = canonical_name(&p)))
		goto oom;
	rc = 0;
	goto out;
oom:
	base_error_set(err, "out of memory");
out:
	reg_platform_free(&p);
	base_buf_free(&cfg);
	return rc;
}

static void names_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* The platforms of the list dst holds (at digest) and of the source m. */
static int platforms(struct reg_session *s, const struct reg_ref *src, const struct reg_manifest *m,
                     const struct reg_ref *dst, const char *digest, char ***have, size_t *n_have,
                     char ***want, size_t *n_want, struct base_error *err)
{
	struct reg_ref pinned = {0};
	struct reg_manifest cur = {0};
	int rc = -1;

	if (reg_ref_copy(&pinned, dst) < 0) {
		base_error_set(err, "out of memory");
		goto out;
	}
	free(pinned.digest);
	if (!(pinned.digest = strdup(digest))) {
		base_error_set(err, "out of memory");
		goto out;
	}
	if (reg_manifest_get(s, &pinned, &cur, err) < 0) {
		base_error_wrap(err, "destination");
		goto out;
	}
	if (served(s, dst, &cur, have, n_have, err) < 0 ||
	    served(s, src, m, want, n_want, err) < 0) {
		base_error_wrap(err, "platforms");
		goto out;
	}
	rc = 0;
out:
	reg_manifest_free(&cur);
	reg_ref_free(&pinned);
	return rc;
}

static int nonempty(const char *s)
{
	return s && *s;
}

int pub_copy_decide(const struct pub_copy_in *in, enum pub_copy_verdict *out, char **reason)
{
	struct base_buf b = {0};
	size_t lost = 0;

	*reason = NULL;
	*out = PUB_COPY_DO;
	if (!nonempty(in->dest))
		return 0;
	if (nonempty(in->source) && strcmp(in->source, in->dest) == 0) {
		*out = PUB_COPY_SAME;
		return 0;
	}
	/* G3, no surprise overwrite: a tag manifold did not write stays put. */
	if (!in->manifold_wrote && !in->overwrite) {
		*out = PUB_COPY_NOT_MINE;
		base_buf_fmt(&b, "tag holds %s which manifold did not write (use --overwrite)",
		             in->dest);
		return (*reason = base_buf_take(&b)) ? 0 : -1;
	}
	/* G1, no silent shrink: a list the tag holds keeps its platforms. */
	if (!in->dest_is_list || in->allow_shrink)
		return 0;
	if (!in->have) {
		*out = PUB_COPY_NEED_PLATFORMS;
		return 0;
	}
	for (size_t i = 0; i < in->n_have; i++) {
		size_t k = 0;
		while (k < in->n_want && strcmp(in->want[k], in->have[i]) != 0)
			k++;
		if (k < in->n_want)
			continue;
		base_buf_str(&b, lost++ ? ", " : "would drop ");
		base_buf_str(&b, in->have[i]);
	}
	if (!lost)
		return 0;
	base_buf_str(&b, ", which the tag's current list has (--allow-shrink lets it through)");
	*out = PUB_COPY_SHRINK;
	return (*reason = base_buf_take(&b)) ? 0 : -1;
}

/* 1 when the status file records manifold writing digest at `to`. */
static int manifold_wrote(const struct status_status *st, const char *to, const char *digest)
{
	const struct status_copy_status *c = st ? status_find_copy(st, to) : NULL;
	/* a refused record names what someone else put there */
	return c && c->state != STATUS_C_REFUSED && !c->foreign && c->digest &&
	       strcmp(c->digest, digest) == 0;
}

/* held or refused: nothing written; reason is taken. */
static void copy_not_written(struct pub_copy_result *r, enum pub_copy_state state, char *reason)
{
	r->state = state;
	free(r->reason);
	r->reason = reason;
}

/* Another process writing into the repository at once: a manifest PUT
 * raced (pub_put_raced), or a read of a manifest or blob another copy is
 * writing into its repository (a promotion reading the list a per-arch
 * copy is filling) answered 500 UNKNOWN. The copy is tried again after a
 * pause; the blobs this run wrote are not written again. */
static int write_race(const struct base_error *e)
{
	return pub_put_raced(e) || e->http_status == 500;
}

/* One copy. The source is pinned to the digest its HEAD answered, so a tag
 * moving mid-run gives a clean digest error rather than a mixed copy. */
/* One copy while it runs. */
struct copy_run {
	struct reg_session *s;
	const struct farm_copy *cp;
	struct pub_copy_result *r;
	struct reg_ref src, dst;
	struct reg_head sh, dh;
	struct reg_manifest m;
	struct base_error e;
};

/* Parse the references and learn what the source holds (HEAD, or a GET
 * when the HEAD names no digest); a pinned destination must pin that. 0,
 * or -1 with the copy failed. */
static int copy_source(struct copy_run *c)
{
	struct pub_copy_result *r = c->r;
	int rc;

	if (reg_ref_parse(c->cp->from, &c->src, &c->e) < 0 ||
	    reg_ref_parse(c->cp->to, &c->dst, &c->e) < 0)
		goto fail;
	rc = reg_manifest_head(c->s, &c->src, &c->sh, &c->e);
	if (rc < 0) {
		r->source_missing = rc == BASE_ENOTFOUND;
		base_error_wrap(&c->e, "source");
		goto fail;
	}
	if (c->sh.digest[0] == '\0') {
		/* No Docker-Content-Digest on HEAD: the GET tells us. */
		if (reg_manifest_get(c->s, &c->src, &c->m, &c->e) < 0) {
			base_error_wrap(&c->e, "source");
			goto fail;
		}
		snprintf(c->sh.digest, sizeof(c->sh.digest), "%s", c->m.digest);
		c->sh.size = (int64_t)c->m.raw.len;
	}
	snprintf(r->digest, sizeof(r->digest), "%s", c->sh.digest);
	r->media_type = strdup(c->m.media_type ? c->m.media_type : c->sh.media_type);
	r->size = c->sh.size;
	if (c->dst.digest && strcmp(c->dst.digest, c->sh.digest) != 0) {
		base_error_set(&c->e, "destination %s pins %s but the source holds %s", c->cp->to,
		               c->dst.digest, c->sh.digest);
		goto fail;
	}
	return 0;
fail:
	copy_fail(r, &c->e);
	return -1;
}

/* GET the source pinned to the digest its HEAD answered, unless it was
 * read already. 0, or -1 with the copy failed. */
static int copy_source_get(struct copy_run *c)
{
	struct reg_ref pinned = {0};
	int rc = -1;

	if (c->m.raw.data)
		return 0;
	if (reg_ref_copy(&pinned, &c->src) < 0) {
		base_error_set(&c->e, "out of memory");
		goto out;
	}
	free(pinned.digest);
	pinned.digest = strdup(c->sh.digest);
	if (!pinned.digest || reg_manifest_get(c->s, &pinned, &c->m, &c->e) < 0) {
		if (!pinned.digest)
			base_error_set(&c->e, "out of memory");
		base_error_wrap(&c->e, "source");
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		copy_fail(c->r, &c->e);
	reg_ref_free(&pinned);
	return rc;
}

/* Write the copy (retried while another writer races it), then what
 * travels with it; the copy is COPIED or failed. */
static void copy_write(struct copy_run *c, struct retag_ctx *ctx)
{
	struct reg_copy_guard guard = {guard_begin, guard_end, ctx->flights};
	struct reg_copy_stats cs = {0};
	int rc;

	for (int attempt = 0;; attempt++) {
		rc = reg_copy_manifest_guarded(c->s, &c->src, &c->m, &c->dst, &guard, &cs, &c->e);
		if (rc == 0 || attempt == PUB_RACE_RETRIES || !write_race(&c->e))
			break;
		pub_race_pause(attempt);
		base_error_clear(&c->e);
	}
	c->r->stats = (struct pub_copy_stats){
	    .blobs_present = cs.blobs_present,
	    .blobs_mounted = cs.blobs_mounted,
	    .blobs_copied = cs.blobs_copied,
	    .manifests_present = cs.manifests_present,
	    .manifests_put = cs.manifests_put,
	    .bytes_copied = cs.bytes_copied,
	};
	if (rc < 0) {
		base_error_wrap(&c->e, "copy");
		copy_fail(c->r, &c->e);
		return;
	}
	/* An image's `referrers: skip` keeps them home; ad hoc pairs copy them. */
	if ((!c->cp->image || c->cp->image->referrers == FARM_REFERRERS_COPY) &&
	    pub_travel_retag(c->s, &c->src, &c->dst, &c->m, &c->e) < 0) {
		copy_fail(c->r, &c->e);
		return;
	}
	c->r->state = PUB_COPY_COPIED;
}

/* HEAD the destination: 1 when the copy is settled already (unchanged or
 * failed), 0 with the decision's input filled. */
static int copy_dest(struct copy_run *c, const struct retag_ctx *ctx, struct pub_copy_in *in)
{
	int rc = reg_manifest_head(c->s, &c->dst, &c->dh, &c->e), held;

	if (rc == BASE_OK && strcmp(c->dh.digest, c->sh.digest) == 0) {
		c->r->state = PUB_COPY_UNCHANGED;
		return 1;
	}
	if (rc < 0 && rc != BASE_ENOTFOUND) {
		base_error_wrap(&c->e, "destination");
		copy_fail(c->r, &c->e);
		return 1;
	}
	base_error_clear(&c->e);
	held = rc == BASE_OK;
	if (held && !reg_digest_valid(c->dh.digest)) {
		base_error_set(&c->e, "destination: HEAD manifest: no digest in the answer");
		copy_fail(c->r, &c->e);
		return 1;
	}
	in->source = c->sh.digest;
	in->dest = held ? c->dh.digest : NULL;
	if (held)
		snprintf(c->r->dest, sizeof(c->r->dest), "%s", c->dh.digest);
	in->dest_is_list = held && reg_media_type_is_list(c->dh.media_type);
	in->manifold_wrote = held && manifold_wrote(ctx->o->written, c->cp->to, c->dh.digest);
	in->overwrite = ctx->o->overwrite || (c->cp->rule && c->cp->rule->overwrite);
	in->allow_shrink = ctx->o->allow_shrink || (c->cp->rule && c->cp->rule->allow_shrink);
	return 0;
}

static void retag_one(struct reg_session *s, size_t i, void *vctx)
{
	struct retag_ctx *ctx = vctx;
	struct copy_run c = {.s = s, .cp = &ctx->plan->copies[i], .r = &ctx->results[i]};
	struct pub_copy_result *r = c.r;
	struct pub_copy_in in = {0};
	enum pub_copy_verdict verdict;
	char **have = NULL, **want = NULL, *why = NULL;
	size_t n_have = 0, n_want = 0;

	base_error_clear(&c.e);
	pub_log_target_set(c.cp->to); /* the registry's retries name the destination */
	if (copy_source(&c) < 0 || copy_dest(&c, ctx, &in))
		goto out;
	if (pub_copy_decide(&in, &verdict, &why) < 0)
		goto oom;
	if (verdict == PUB_COPY_NOT_MINE) {
		copy_not_written(r, PUB_COPY_REFUSED, why);
		goto out;
	}
	if (copy_source_get(&c) < 0)
		goto out;
	if (verdict == PUB_COPY_NEED_PLATFORMS) {
		if (platforms(s, &c.src, &c.m, &c.dst, c.dh.digest, &have, &n_have, &want, &n_want,
		              &c.e) < 0) {
			copy_fail(r, &c.e);
			goto out;
		}
		in.have = (const char *const *)have;
		in.n_have = n_have;
		in.want = (const char *const *)want;
		in.n_want = n_want;
		if (pub_copy_decide(&in, &verdict, &why) < 0)
			goto oom;
		if (verdict == PUB_COPY_SHRINK) {
			copy_not_written(r, PUB_COPY_HELD, why);
			r->dest_foreign = !in.manifold_wrote;
			goto out;
		}
	}
	if (ctx->o->dry_run)
		r->state = PUB_COPY_WOULD_COPY;
	else
		copy_write(&c, ctx);
	goto out;
oom:
	base_error_set(&c.e, "out of memory");
	copy_fail(r, &c.e);
out:
	names_free(have, n_have);
	names_free(want, n_want);
	reg_manifest_free(&c.m);
	reg_ref_free(&c.src);
	reg_ref_free(&c.dst);
	pub_log_target_set(NULL);
	if (ctx->o->progress)
		ctx->o->progress(ctx->o->progress_ctx, ctx->o->dry_run ? "checking" : "copying",
		                 atomic_fetch_add(&ctx->done, 1) + 1, ctx->plan->n_copies);
}

int pub_retag_run(struct reg_client *c, const struct farm_copy_plan *plan,
                  const struct pub_retag_options *o, struct pub_copy_result **out,
                  struct base_error *err)
{
	struct retag_ctx ctx = {.plan = plan, .o = o};
	size_t n = plan->n_copies;
	int jobs = o->jobs > 0 ? o->jobs : 16;

	*out = NULL;
	atomic_init(&ctx.done, 0);
	ctx.results = calloc(n ? n : 1, sizeof(*ctx.results));
	if (!ctx.results) {
		base_error_set(err, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct pub_copy_result *r = &ctx.results[i];
		const struct farm_copy *cp = &plan->copies[i];
		r->from = strdup(cp->from);
		r->to = strdup(cp->to);
		r->platform = cp->platform ? status_dup_or_null(cp->platform->name, NULL) : NULL;
		r->size = -1;
		r->state = PUB_COPY_FAILED;
		if (!r->from || !r->to || (cp->platform && cp->platform->name && !r->platform)) {
			pub_copy_results_free(ctx.results, n);
			base_error_set(err, "out of memory");
			return -1;
		}
	}
	if ((size_t)jobs > n)
		jobs = n ? (int)n : 1;
	if (pub_flights_new(&ctx.flights, err) < 0 ||
	    (n && pub_pool_run(c, jobs, n, retag_one, &ctx, err) < 0)) {
		pub_flights_free(ctx.flights);
		pub_copy_results_free(ctx.results, n);
		return -1;
	}
	pub_flights_free(ctx.flights);
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
		case PUB_COPY_HELD:
			out->held++;
			break;
		case PUB_COPY_REFUSED:
			out->refused++;
			break;
		default:
			out->failed++;
			break;
		}
	}
}

/* ---- status file ------------------------------------------------------- */

static void copy_records_free(struct status_copy_status *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++)
		status_copy_status_free(&c[i]);
	free(c);
}

int pub_retag_record(struct status_status *st, const struct pub_copy_result *r, size_t n,
                     const char *started, const char *finished, struct base_error *err)
{
	struct status_copy_status *recs = calloc(n ? n : 1, sizeof(*recs));
	struct status_retag_summary sum = {(char *)started, (char *)finished, 0, 0, 0};
	struct pub_copy_counts cnt;
	size_t k = 0;
	int fail = 0, rc;

	if (!recs)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		struct status_copy_status *c = &recs[k];
		int failed = r[i].state == PUB_COPY_FAILED;
		/* held and refused wrote nothing: the record says so, with what
		 * the destination holds (so it tells what the registry serves) */
		int kept = r[i].state == PUB_COPY_HELD || r[i].state == PUB_COPY_REFUSED;

		if (r[i].state == PUB_COPY_WOULD_COPY)
			continue;
		k++;
		c->from = status_dup_or_null(r[i].from, &fail);
		c->to = status_dup_or_null(r[i].to, &fail);
		c->platform = status_dup_or_null(r[i].platform, &fail);
		c->state = failed                           ? STATUS_C_FAILED
		           : r[i].state == PUB_COPY_HELD    ? STATUS_C_HELD
		           : r[i].state == PUB_COPY_REFUSED ? STATUS_C_REFUSED
		           : r[i].state == PUB_COPY_COPIED  ? STATUS_C_COPIED
		                                            : STATUS_C_UNCHANGED;
		/* A failed copy's source digest is not what the destination holds. */
		c->digest = status_dup_or_null(kept ? (r[i].dest[0] ? r[i].dest : NULL)
		                               : !failed && r[i].digest[0] ? r[i].digest
		                                                           : NULL,
		                               &fail);
		c->media_type = status_dup_or_null(failed || kept ? NULL : r[i].media_type, &fail);
		/* held under --overwrite: what the destination holds stays someone
		 * else's (G3: a later run without --overwrite must not move it) */
		c->foreign = r[i].state == PUB_COPY_HELD && r[i].dest_foreign;
		c->reason = status_dup_or_null(failed || kept ? r[i].reason : NULL, &fail);
	}
	if (fail)
		goto oom;
	pub_copy_count(r, n, &cnt);
	sum.copied = cnt.copied;
	sum.unchanged = cnt.unchanged;
	sum.failed = cnt.failed;
	rc = status_record_copies(st, recs, k, &sum, finished, err);
	copy_records_free(recs, k);
	return rc;
oom:
	copy_records_free(recs, k);
	base_error_set(err, "out of memory");
	return -1;
}

int pub_retag_status_update(const char *path, const char *config, const struct pub_copy_result *r,
                            size_t n, const char *started, struct base_error *err)
{
	struct status_lock *lock = NULL;
	struct status_status *st = NULL;
	struct status_journal_fold *fold = NULL;
	struct status_recovered rec = {0};
	char *finished = status_now_rfc3339();
	int rc = -1;

	if (!finished) {
		base_error_set(err, "out of memory");
		goto out;
	}
	/* The lock publish takes too: a publish run sharing the file keeps
	 * these records, and this run keeps its targets. */
	if (status_lock(path, status_lock_wait_ms(), &lock, err) < 0)
		goto out;
	rc = status_store_load(path, &st, err);
	/* a publish run killed before it recorded its targets: theirs too */
	if (rc == 0)
		rc = status_journal_fold_begin(path, st, NULL, &fold, &rec, err);
	if (rc == 0 && config && !st->config && !(st->config = strdup(config))) {
		base_error_set(err, "out of memory");
		rc = -1;
	}
	if (rc == 0)
		rc = pub_retag_record(st, r, n, started, finished, err);
	if (rc == 0)
		rc = status_store_write(path, st, STATUS_LAYOUT_KEEP, NULL, err);
	status_journal_fold_end(fold, rc == 0);
	status_free(st);
	status_unlock(lock);
out:
	free(finished);
	return rc;
}
