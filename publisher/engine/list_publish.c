/* list_publish.c — publishing one list: every child copied into the
 * target's repository by digest (for publish: in parallel, each blob and
 * child written once per run, pub_flights), the list built
 * deterministically, then one PUT per tag that does not already hold it,
 * each read back (readback.c). */
#include <stdlib.h>
#include <string.h>

#include "job_internal.h"

static int same_repo(const struct reg_ref *a, const struct reg_ref *b)
{
	return reg_ref_same_registry(a, b) && strcmp(a->repository, b->repository) == 0;
}

/* Windows foreign layers live outside the registry; a manifest may name
 * them without the blob (as reg_copy_manifest does). */
static int is_foreign_layer(const struct reg_descriptor *d)
{
	return d->media_type && strstr(d->media_type, "foreign") != NULL;
}

/* Make `dst` (a tag) hold the list bytes unless it already does. The list's
 * children are in `target`'s repository; another repository gets them via
 * reg_copy_manifest of the whole list. */
static int put_tag(struct reg_session *s, const struct reg_ref *target, const struct reg_ref *dst,
                   const struct reg_manifest *list, int known, int dry_run, int *changed,
                   struct base_error *err)
{
	struct reg_head h;
	struct reg_ref tagged = reg_ref_at(dst, dst->tag, NULL);
	char *name = reg_ref_format(&tagged);
	int r, rc = -1;

	/* known: the caller's HEAD said it holds something else */
	r = known ? BASE_ENOTFOUND : reg_manifest_head(s, &tagged, &h, err);
	if (r == 0 && strcmp(h.digest, list->digest) == 0) {
		rc = 0;
		goto out;
	}
	if (r < 0 && r != BASE_ENOTFOUND)
		goto out;
	*changed = 1;
	if (dry_run) {
		rc = 0;
		goto out;
	}
	if (same_repo(target, dst)) {
		char dg[REG_DIGEST_MAX];
		r = reg_manifest_put(s, &tagged, list->media_type, list->raw.data, list->raw.len,
		                     dg, err);
	} else {
		struct reg_ref src = reg_ref_at(target, NULL, list->digest);
		r = reg_copy_manifest(s, &src, list, &tagged, NULL, err);
	}
	if (r == 0)
		r = pub_tag_readback(s, &tagged, list->digest, err);
	if (r < 0) {
		/* The registry's error names the reference unless it came from
		 * a copy into another repository. */
		if (name && !strstr(err->msg, name))
			base_error_wrap(err, "%s", name);
		goto out;
	}
	pub_log(PUB_LOG_DEBUG, "%s -> %s", name ? name : dst->repository, list->digest);
	rc = 0;
out:
	free(name);
	return rc;
}

/* ---- the children, in parallel and single-flight (pub_list_io) ---------- */

/* One blob of one child to make present in the target repository. */
struct blob_item {
	size_t kid;
	const struct reg_descriptor *d;
	struct base_error *err; /* malloc'd when it failed */
};

/* One child on its way into the target repository. Each crew thread
 * writes only the slots of the items it runs. */
struct kid_copy {
	enum pub_flight_claim claim;
	size_t same_as; /* an earlier child of this list with the same digest, or n */
	int failed;     /* a blob or the PUT failed; err says why */
	struct base_error err;
};

struct copy_run {
	const struct pub_list_io *io;
	const struct reg_ref *target;
	struct pub_child *children;
	struct kid_copy *kids;
	struct blob_item *blobs;
	size_t n_blobs;
	size_t *puts; /* children whose PUT this target makes */
	size_t n_puts;
};

static int blob_one_do(struct reg_session *s, const struct pub_list_io *io,
                       const struct reg_ref *target, const struct pub_child *c,
                       const struct reg_descriptor *d, struct base_error *err)
{
	enum pub_flight_claim cl =
	    pub_flight_begin(io->flights, PUB_FLIGHT_BLOB, target, d->digest, 1);
	int rc;

	if (cl == PUB_FLIGHT_DONE)
		return 0;
	rc = reg_blob_ensure(s, &c->resolved, target, d->digest, d->size, NULL, err);
	pub_flight_end(io->flights, PUB_FLIGHT_BLOB, target, d->digest, rc == 0);
	return rc < 0 ? -1 : 0;
}

static void blob_one(struct reg_session *s, size_t i, void *ctx)
{
	struct copy_run *cr = ctx;
	struct blob_item *b = &cr->blobs[i];
	struct base_error err;

	base_error_clear(&err);
	if (blob_one_do(s, cr->io, cr->target, &cr->children[b->kid], b->d, &err) < 0) {
		b->err = malloc(sizeof(*b->err));
		if (b->err)
			*b->err = err;
	}
}

/* A child with a failed blob is not PUT; the first failure says why. */
static void blobs_settle(struct copy_run *cr)
{
	for (size_t i = 0; i < cr->n_blobs; i++) {
		struct kid_copy *k = &cr->kids[cr->blobs[i].kid];
		if (!cr->blobs[i].err || k->failed)
			continue;
		k->failed = 1;
		k->err = *cr->blobs[i].err;
	}
}

/* A manifest PUT, tried again when another process writing the same
 * blob or child into the repository raced it (pub_put_raced). */
static int put_raced(struct reg_session *s, const struct reg_ref *ref, const char *mt,
                     const uint8_t *data, size_t len, char digest_out[REG_DIGEST_MAX],
                     struct base_error *err)
{
	for (int attempt = 0;; attempt++) {
		int rc = reg_manifest_put(s, ref, mt, data, len, digest_out, err);
		if (rc >= 0 || attempt == PUB_RACE_RETRIES || !pub_put_raced(err))
			return rc;
		pub_race_pause(attempt);
		base_error_clear(err);
	}
}

/* The child's exact bytes, by digest (its blobs are there). */
static int child_put(struct reg_session *s, const struct reg_ref *target, const struct pub_child *c,
                     struct base_error *err)
{
	struct reg_ref dst = reg_ref_at(target, NULL, c->manifest.digest);
	return put_raced(s, &dst, c->manifest.media_type, c->manifest.raw.data, c->manifest.raw.len,
	                 NULL, err) < 0
	           ? -1
	           : 0;
}

static void put_one(struct reg_session *s, size_t i, void *ctx)
{
	struct copy_run *cr = ctx;
	size_t kid = cr->puts[i];
	struct kid_copy *k = &cr->kids[kid];
	const struct pub_child *c = &cr->children[kid];

	if (!k->failed && child_put(s, cr->target, c, &k->err) < 0)
		k->failed = 1;
	pub_flight_end(cr->io->flights, PUB_FLIGHT_MANIFEST, cr->target, c->manifest.digest,
	               !k->failed);
}

static size_t image_blobs(const struct reg_manifest *m, const struct reg_descriptor **out)
{
	size_t n = 0;
	if (m->config.digest)
		out[n++] = &m->config;
	for (size_t i = 0; i < m->n_layers; i++)
		if (!is_foreign_layer(&m->layers[i]))
			out[n++] = &m->layers[i];
	return n;
}

/* A child another target was writing, and that one failed: this target
 * writes it itself, blob after blob. */
static int child_take_over(struct reg_session *s, const struct pub_list_io *io,
                           const struct reg_ref *target, const struct pub_child *c,
                           struct base_error *err)
{
	const struct reg_manifest *m = &c->manifest;
	const struct reg_descriptor **ds = calloc(1 + m->n_layers, sizeof(*ds));
	size_t nd;
	int rc = -1;

	if (!ds) {
		base_error_set(err, "out of memory");
		goto out;
	}
	nd = image_blobs(m, ds);
	rc = 0;
	for (size_t i = 0; rc == 0 && i < nd; i++)
		rc = blob_one_do(s, io, target, c, ds[i], err);
	if (rc == 0)
		rc = child_put(s, target, c, err);
out:
	pub_flight_end(io->flights, PUB_FLIGHT_MANIFEST, target, m->digest, rc == 0);
	free(ds);
	return rc;
}

/* Claim each child; collect the blobs of the ones this target writes. */
static int copy_plan(struct copy_run *cr, size_t n)
{
	size_t n_blobs = 0;

	for (size_t k = 0; k < n; k++) {
		const struct reg_manifest *m = &cr->children[k].manifest;
		cr->kids[k].same_as = n;
		base_error_clear(&cr->kids[k].err);
		for (size_t j = 0; j < k && cr->kids[k].same_as == n; j++)
			if (strcmp(cr->children[j].manifest.digest, m->digest) == 0)
				cr->kids[k].same_as = j;
		if (cr->kids[k].same_as != n)
			continue;
		cr->kids[k].claim = pub_flight_begin(cr->io->flights, PUB_FLIGHT_MANIFEST,
		                                     cr->target, m->digest, 0);
		if (cr->kids[k].claim == PUB_FLIGHT_MINE) {
			cr->puts[cr->n_puts++] = k;
			n_blobs += 1 + m->n_layers;
		}
	}
	if (!(cr->blobs = calloc(n_blobs ? n_blobs : 1, sizeof(*cr->blobs))))
		return -1;
	for (size_t p = 0; p < cr->n_puts; p++) {
		const struct reg_descriptor **ds =
		    calloc(1 + cr->children[cr->puts[p]].manifest.n_layers, sizeof(*ds));
		size_t nd;
		if (!ds)
			return -1;
		nd = image_blobs(&cr->children[cr->puts[p]].manifest, ds);
		for (size_t i = 0; i < nd; i++)
			cr->blobs[cr->n_blobs++] = (struct blob_item){cr->puts[p], ds[i], NULL};
		free(ds);
	}
	return 0;
}

static int children_copy(struct reg_session *s, const struct pub_list_io *io,
                         const struct reg_ref *target, struct pub_child *children, size_t n,
                         struct base_error *err)
{
	struct copy_run cr = {.io = io, .target = target, .children = children};
	int rc = -1;

	cr.kids = calloc(n, sizeof(*cr.kids));
	cr.puts = calloc(n, sizeof(*cr.puts));
	if (!cr.kids || !cr.puts || copy_plan(&cr, n) < 0) {
		/* claimed children go back to the next target that needs them */
		for (size_t p = 0; cr.puts && p < cr.n_puts; p++)
			pub_flight_end(io->flights, PUB_FLIGHT_MANIFEST, target,
			               children[cr.puts[p]].manifest.digest, 0);
		base_error_set(err, "out of memory");
		goto out;
	}
	/* Stage by stage, each one round trip: every blob, then every child. */
	if (io->crew) {
		pub_crew_run(io->crew, cr.n_blobs, blob_one, &cr);
		blobs_settle(&cr);
		pub_crew_run(io->crew, cr.n_puts, put_one, &cr);
	} else {
		for (size_t i = 0; i < cr.n_blobs; i++)
			blob_one(s, i, &cr);
		blobs_settle(&cr);
		for (size_t i = 0; i < cr.n_puts; i++)
			put_one(s, i, &cr);
	}
	/* Children other targets were writing: their result, or this target's
	 * own try when they failed. */
	for (size_t k = 0; k < n; k++) {
		struct kid_copy *kc = &cr.kids[k];
		if (kc->same_as != n || kc->claim != PUB_FLIGHT_BUSY)
			continue;
		if (pub_flight_begin(io->flights, PUB_FLIGHT_MANIFEST, target,
		                     children[k].manifest.digest, 1) == PUB_FLIGHT_MINE &&
		    child_take_over(s, io, target, &children[k], &kc->err) < 0)
			kc->failed = 1;
	}
	for (size_t k = 0; k < n; k++) {
		if (cr.kids[k].failed) {
			*err = cr.kids[k].err;
			base_error_wrap(err, "copy %s", children[k].source);
			goto out;
		}
	}
	rc = 0;
out:
	for (size_t i = 0; i < cr.n_blobs; i++)
		free(cr.blobs[i].err);
	free(cr.blobs);
	free(cr.puts);
	free(cr.kids);
	return rc;
}

/* The list to its tag. The first PUT of a digest into a repository is
 * single-flight: later tags of the same list follow once it is there. */
static int list_put(struct reg_session *s, const struct pub_list_io *io,
                    const struct reg_ref *tagged, const char *mt, const struct base_buf *bytes,
                    const char *digest, struct base_error *err)
{
	char dg[REG_DIGEST_MAX];
	enum pub_flight_claim cl =
	    pub_flight_begin(io ? io->flights : NULL, PUB_FLIGHT_MANIFEST, tagged, digest, 1);
	int rc = put_raced(s, tagged, mt, bytes->data, bytes->len, dg, err);

	if (rc == 0)
		rc = pub_tag_readback(s, tagged, digest, err);
	if (cl == PUB_FLIGHT_MINE && io)
		pub_flight_end(io->flights, PUB_FLIGHT_MANIFEST, tagged, digest, rc == 0);
	return rc < 0 ? -1 : 0;
}

int pub_list_publish(struct reg_session *s, const struct reg_ref *target,
                     const struct reg_ref *extra, size_t n_extra, struct pub_child *children,
                     size_t n_children, enum reg_list_format format,
                     const struct reg_annotation *annotations, size_t n_annotations, int dry_run,
                     struct pub_list_result *out, struct base_error *err)
{
	return pub_list_publish_with(s, NULL, target, extra, n_extra, children, n_children, format,
	                             annotations, n_annotations, dry_run, out, err);
}

/* Does the target tag hold digest already? From the caller's HEAD when it
 * made one, else a HEAD now. 1 yes, 0 no, -1 error (err filled). */
static int target_holds(struct reg_session *s, const struct pub_list_io *io,
                        const struct reg_ref *target, const char *digest, struct base_error *err)
{
	struct reg_ref tagged = reg_ref_at(target, target->tag, NULL);
	struct reg_head h;
	int r;

	if (io && io->target_known)
		return io->target_digest && strcmp(io->target_digest, digest) == 0;
	r = reg_manifest_head(s, &tagged, &h, err);
	if (r == 0)
		return strcmp(h.digest, digest) == 0;
	return r == BASE_ENOTFOUND ? 0 : -1;
}

/* Every extra tag: as io->extra_action says (no HEAD: the caller made
 * it), else after a new list in a known repository one PUT each, else as
 * put_tag says (a HEAD, and a write when it differs). A failure names the
 * extra tag (out->failed_extra). */
static int extras_put(struct reg_session *s, const struct pub_list_io *io,
                      const struct reg_ref *target, const struct reg_ref *extra, size_t n_extra,
                      const struct reg_manifest *list, int fresh, int dry_run,
                      struct pub_list_result *out, struct base_error *err)
{
	for (size_t i = 0; i < n_extra; i++) {
		struct reg_ref tagged = reg_ref_at(&extra[i], extra[i].tag, NULL);
		struct base_buf bytes = list->raw;
		int known = io && io->extra_action, wrote = 0, r;
		if (known && io->extra_action[i] != PUB_EXTRA_WRITE)
			continue; /* it holds the list, or it is held */
		if (!(fresh && io && io->target_known && same_repo(target, &extra[i]))) {
			r = put_tag(s, target, &extra[i], list, known, dry_run, &wrote, err);
		} else {
			wrote = 1;
			r = dry_run ? 0
			            : list_put(s, io, &tagged, list->media_type, &bytes,
			                       list->digest, err);
		}
		if (r < 0) {
			out->failed_extra = &extra[i];
			base_error_wrap(err, "extra tag");
			return -1;
		}
		if (wrote) {
			out->changed = 1;
			out->n_extra_written++;
			if (io && io->extra_written)
				io->extra_written[i] = 1;
		}
	}
	return 0;
}

/* ---- the children of a list in place (publish.md, "Missing children") ---- */

struct recheck_run {
	const struct reg_ref *target;
	const struct reg_manifest *list;
	int *missing; /* per entry: 1 absent, -1 the HEAD failed */
	struct base_error *errs;
};

static void recheck_one(struct reg_session *s, size_t i, void *ctx)
{
	struct recheck_run *rr = ctx;
	struct reg_ref ref = reg_ref_at(rr->target, NULL, rr->list->entries[i].digest);
	struct reg_head h;
	int r;

	base_error_clear(&rr->errs[i]);
	r = reg_manifest_head(s, &ref, &h, &rr->errs[i]);
	rr->missing[i] = r == BASE_ENOTFOUND ? 1 : r < 0 ? -1 : 0;
}

/* The platform an entry is for, as the error names it. */
static void entry_name(const struct reg_descriptor *d, char *buf, size_t len)
{
	char *p = d->has_platform ? reg_platform_format(&d->platform) : NULL;
	snprintf(buf, len, "%s%s", reg_descriptor_is_attestation(d) ? "attestation " : "",
	         p ? p : "entry");
	free(p);
}

/* The tag holds the list already: HEAD every entry in the target
 * repository (one round trip on the crew). A child that is missing is
 * copied back from its source, as a new list's children are (the list
 * itself stays as it is); a missing attestation is copied back from the
 * child's source repository. -1 when a HEAD failed or a copy could not be
 * made: err names the platform and the digest. */
static int recheck(struct reg_session *s, const struct pub_list_io *io,
                   const struct reg_ref *target, const struct reg_manifest *list,
                   struct pub_child *children, size_t n_children, struct base_error *err)
{
	size_t n = list->n_entries;
	struct recheck_run rr = {target, list, calloc(n ? n : 1, sizeof(int)),
	                         calloc(n ? n : 1, sizeof(struct base_error))};
	int kids = 0, atts = 0, rc = -1;
	char what[160];

	if (!rr.missing || !rr.errs) {
		base_error_set(err, "out of memory");
		goto out;
	}
	if (io->crew)
		pub_crew_run(io->crew, n, recheck_one, &rr);
	else
		for (size_t i = 0; i < n; i++)
			recheck_one(s, i, &rr);
	for (size_t i = 0; i < n; i++) {
		const struct reg_descriptor *d = &list->entries[i];
		entry_name(d, what, sizeof(what));
		if (rr.missing[i] < 0) {
			*err = rr.errs[i];
			base_error_wrap(err, "re-check of %s child %s", what, d->digest);
			goto out;
		}
		if (!rr.missing[i])
			continue;
		pub_log(PUB_LOG_WARN, "%s/%s: %s child %s is missing; copying it back",
		        target->registry, target->repository, what, d->digest);
		if (i < n_children)
			kids = 1;
		else
			atts = 1;
	}
	/* each missing child is PUT again by digest (its blobs mounted) */
	for (size_t k = 0; kids && k < n_children && k < n; k++) {
		if (rr.missing[k] != 1 || children_copy(s, io, target, &children[k], 1, err) == 0)
			continue;
		entry_name(&list->entries[k], what, sizeof(what));
		base_error_wrap(
		    err, "%s child %s is missing from %s/%s and could not be copied back", what,
		    list->entries[k].digest, target->registry, target->repository);
		goto out;
	}
	if (atts && pub_travel_children(s, io->flights, target, children, n_children, 1, err) < 0) {
		base_error_wrap(err, "an attestation missing from %s/%s could not be copied back",
		                target->registry, target->repository);
		goto out;
	}
	rc = 0;
out:
	free(rr.missing);
	free(rr.errs);
	return rc;
}

int pub_list_publish_with(struct reg_session *s, const struct pub_list_io *io,
                          const struct reg_ref *target, const struct reg_ref *extra, size_t n_extra,
                          struct pub_child *children, size_t n_children,
                          enum reg_list_format format, const struct reg_annotation *annotations,
                          size_t n_annotations, int dry_run, struct pub_list_result *out,
                          struct base_error *err)
{
	struct reg_list_entry *entries = NULL;
	struct base_buf bytes = {0};
	struct reg_manifest list = {0};
	const char *mt = NULL;
	size_t n_entries = n_children;
	int rc = -1, holds;

	memset(out, 0, sizeof(*out));
	if (n_children == 0) {
		base_error_set(err, "a list needs at least one entry");
		return -1;
	}
	entries = calloc(n_children, sizeof(*entries));
	if (!entries) {
		base_error_set(err, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n_children; i++) {
		const struct pub_child *c = &children[i];
		if (c->state != STATUS_P_READY || !c->manifest.digest) {
			base_error_set(err, "%s: not ready", c->source);
			goto out;
		}
		entries[i].media_type = c->manifest.media_type;
		entries[i].digest = c->manifest.digest;
		entries[i].size = (int64_t)c->manifest.raw.len;
		entries[i].platform = &c->platform;
		entries[i].annotations = c->annotations;
		entries[i].n_annotations = c->n_annotations;
	}
	if (pub_travel_entries(children, n_children, format, &entries, &n_entries, err) < 0)
		goto out;
	if (reg_list_build(format, entries, n_entries, annotations, n_annotations, &bytes, &mt,
	                   err) < 0)
		goto out;
	if (reg_manifest_parse(bytes.data, bytes.len, mt, &list, err) < 0)
		goto out;
	snprintf(out->digest, sizeof(out->digest), "%s", list.digest);
	out->media_type = mt;
	out->size = bytes.len;

	/* A tag that already holds this list has its children too: nothing
	 * to copy. Otherwise the children go first, so the tag never points
	 * at a list the registry cannot serve (rule 1). */
	if ((holds = target_holds(s, io, target, list.digest, err)) < 0)
		goto out;
	if (!holds) {
		struct reg_ref tagged = reg_ref_at(target, target->tag, NULL);
		out->changed = 1;
		if (!dry_run && io && children_copy(s, io, target, children, n_children, err) < 0)
			goto out;
		for (size_t i = 0; !dry_run && !io && i < n_children; i++) {
			struct reg_ref dst = reg_ref_at(target, NULL, children[i].manifest.digest);
			if (reg_copy_manifest(s, &children[i].resolved, &children[i].manifest, &dst,
			                      NULL, err) < 0) {
				base_error_wrap(err, "copy %s", children[i].source);
				goto out;
			}
		}
		/* Attestations before the list that names them (rule 1). */
		if (!dry_run && pub_travel_children(s, io ? io->flights : NULL, target, children,
		                                    n_children, 1, err) < 0)
			goto out;
		/* Journalled before it is sent: a PUT never lands unrecorded. */
		if (!dry_run && io && io->before_put &&
		    io->before_put(io->before_put_ctx, list.digest, mt, err) < 0)
			goto out;
		if (!dry_run && list_put(s, io, &tagged, mt, &bytes, list.digest, err) < 0)
			goto out;
		out->tag_written = 1;
	} else if (!dry_run) {
		if (io && io->recheck &&
		    recheck(s, io, target, &list, children, n_children, err) < 0)
			goto out;
		if (pub_travel_children(s, io ? io->flights : NULL, target, children, n_children, 0,
		                        err) < 0)
			goto out;
	}
	out->tag_holds = 1;
	if (extras_put(s, io, target, extra, n_extra, &list, !holds, dry_run, out, err) < 0)
		goto out;
	rc = 0;
out:
	reg_manifest_free(&list);
	base_buf_free(&bytes);
	free(entries);
	return rc;
}
