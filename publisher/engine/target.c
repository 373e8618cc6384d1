/* target.c — the I/O for one target around its decision (decide.c): its
 * HEADs (check: all targets' at once, in phase 1), then the list built
 * from those answers, the extra tags' HEADs, the child GETs and the
 * copies and list PUTs, each asked only when the decision needs it; the
 * requests of one stage go out together on the worker's crew. */
#include <stdlib.h>
#include <string.h>

#include "job_internal.h"
#include "sign.h"

static void progress_tick(struct job_ctx *x)
{
	size_t done = atomic_fetch_add(&x->done, 1) + 1;
	if (x->o->progress)
		x->o->progress(x->o->progress_ctx, x->phase, done, x->total);
}

/* The media types a HEAD usually answers, kept as static names. */
static const char *const known_mt[] = {REG_MT_DOCKER_MANIFEST, REG_MT_DOCKER_LIST,
                                       REG_MT_OCI_MANIFEST, REG_MT_OCI_INDEX};

void pub_head_slot_free(struct head_slot *slot)
{
	if (!slot)
		return;
	free(slot->mt_owned);
	free(slot->err);
	memset(slot, 0, sizeof(*slot));
	slot->size = -1;
}

void pub_head_slot_fill(struct reg_session *s, const struct reg_ref *ref, struct head_slot *slot)
{
	struct base_error err;
	struct reg_head h;

	pub_head_slot_free(slot);
	base_error_clear(&err);
	memset(&h, 0, sizeof(h));
	slot->rc = reg_manifest_head(s, ref, &h, &err);
	if (slot->rc != BASE_OK) {
		/* NULL when out of memory: the decision then says "error" without why */
		if (slot->rc != BASE_ENOTFOUND && (slot->err = malloc(sizeof(*slot->err))))
			*slot->err = err;
		return;
	}
	slot->size = h.size;
	snprintf(slot->digest, sizeof(slot->digest), "%s", h.digest);
	for (size_t k = 0; k < sizeof(known_mt) / sizeof(known_mt[0]) && h.media_type[0]; k++)
		if (strcmp(h.media_type, known_mt[k]) == 0)
			slot->media_type = known_mt[k];
	if (!slot->media_type && h.media_type[0])
		slot->media_type = slot->mt_owned = strdup(h.media_type);
}

void pub_job_head(struct reg_session *s, size_t i, void *ctx)
{
	struct job_ctx *x = ctx;
	struct tjob *j = &x->jobs[x->head_target[i]];
	size_t k = x->head_slot[i];
	const struct reg_ref *ref = k < j->t->n_sources ? &j->t->sources[k].ref : &j->t->ref;

	if (pub_stop_now(x)) {
		pub_head_slot_free(&j->heads[k]);
		j->heads[k].rc = BASE_ECANCELED; /* not started: its target is not reached */
	} else {
		pub_head_slot_fill(s, ref, &j->heads[k]);
	}
	progress_tick(x);
}

/* A HEAD of phase 1 was cancelled or never sent. */
static int heads_cut(const struct tjob *j)
{
	for (size_t k = 0; k < j->t->n_sources + (size_t)j->with_target; k++)
		if (j->heads[k].rc == BASE_ECANCELED)
			return 1;
	return 0;
}

/* ---- the decision's input and its record ----------------------------------- */

/* The platforms of a list a tag holds, as the decision reads them. */
struct list_names {
	const char **names;
	char **owned; /* names no config platform matched, formatted */
	size_t n, n_owned;
};

static void list_names_free(struct list_names *l)
{
	for (size_t k = 0; k < l->n_owned; k++)
		free(l->owned[k]);
	free(l->owned);
	free(l->names);
	memset(l, 0, sizeof(*l));
}

/* One target's decision: its input (views of the tjob) and the answer. */
struct tdecide {
	struct pub_decide_source *src;
	struct pub_decide_head target;
	struct pub_decide_extra *ext; /* n_extra */
	struct list_names cur;        /* the target tag's list, once read */
	struct list_names *ext_cur;   /* each extra tag's, once read */
	struct pub_decide_input in;
	struct pub_decision d;
};

static void head_view(const struct head_slot *h, struct pub_decide_head *out)
{
	out->rc = h->rc;
	out->digest = h->digest;
	out->media_type = h->media_type;
	out->size = h->size;
	out->error = h->err ? h->err->msg : "";
}

static int tdecide_init(const struct tjob *j, struct tdecide *td)
{
	size_t n = j->t->n_sources;

	size_t ne = j->t->n_extra;

	memset(td, 0, sizeof(*td));
	if (!(td->src = calloc(n ? n : 1, sizeof(*td->src))) ||
	    !(td->ext = calloc(ne ? ne : 1, sizeof(*td->ext))) ||
	    !(td->ext_cur = calloc(ne ? ne : 1, sizeof(*td->ext_cur))))
		return -1;
	for (size_t e = 0; e < ne; e++)
		td->ext[e].ref = j->t->farm->extra_refs[e];
	for (size_t k = 0; k < n; k++) {
		td->src[k].platform = j->t->sources[k].farm->platform->name;
		td->src[k].optional = j->t->sources[k].farm->optional;
		head_view(&j->heads[k], &td->src[k].head);
	}
	td->in.sources = td->src;
	td->in.n_sources = n;
	if (j->with_target) {
		head_view(&j->heads[n], &td->target);
		td->in.target = &td->target;
	}
	td->in.prev = j->prev;
	td->in.verify = j->verify;
	td->in.n_extra = ne;
	td->in.extras = td->ext;
	td->in.allow_shrink = j->allow_shrink;
	td->in.overwrite = j->overwrite;
	td->in.written = j->written;
	td->in.n_written = j->n_written;
	td->in.written_complete = j->written_complete;
	return 0;
}

static void tdecide_free(struct tdecide *td)
{
	pub_decision_free(&td->d);
	list_names_free(&td->cur);
	for (size_t e = 0; td->ext_cur && e < td->in.n_extra; e++)
		list_names_free(&td->ext_cur[e]);
	free(td->ext_cur);
	free(td->ext);
	free(td->src);
}

static int redecide(struct tdecide *td)
{
	pub_decision_free(&td->d);
	return pub_decide(&td->in, &td->d);
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? strdup(s) : NULL;
}

static void target_fail(struct tjob *j, const char *reason)
{
	j->out.state = PUB_T_FAILED;
	set_str(&j->out.reason, reason);
}

/* The decision's platforms and verdict into the record; `publish` is the
 * state a PUBLISH verdict is recorded as for now. */
static void record_decision(struct tjob *j, const struct pub_decision *d,
                            enum pub_target_state publish)
{
	for (size_t k = 0; k < d->n_platforms; k++) {
		const struct pub_decide_platform *dp = &d->platforms[k];
		struct pub_platform_status *p = &j->out.platforms[k];
		p->state = dp->state;
		set_str(&p->digest, dp->digest);
		set_str(&p->media_type, dp->media_type);
		p->size = dp->size;
		p->verified = dp->verified;
		set_str(&p->reason, dp->reason);
	}
	switch (d->verdict) {
	case PUB_VERDICT_UNCHANGED:
		j->out.state = PUB_T_UNCHANGED;
		break;
	case PUB_VERDICT_PUBLISH:
		j->out.state = publish;
		break;
	case PUB_VERDICT_INCOMPLETE:
		j->out.state = PUB_T_INCOMPLETE;
		break;
	case PUB_VERDICT_HELD:
		j->out.state = PUB_T_HELD;
		break;
	default:
		j->out.state = PUB_T_FAILED;
	}
	set_str(&j->out.reason, d->reason);
}

/* ---- the unchanged night ------------------------------------------------------ */

/* farm_kv and reg_annotation have the same shape; the list builder only reads. */
static const struct reg_annotation *kv_as_annotations(const struct farm_kv *kv)
{
	static const struct reg_annotation none[1];
	if (!kv)
		return none;
	return (const struct reg_annotation *)(const void *)kv;
}

/* The list the HEAD answers describe, built as pub_list_publish would. */
struct heads_list {
	char digest[REG_DIGEST_MAX];
	const char *media_type;
	long long size;
};

static int heads_list_build(const struct tjob *j, const struct pub_decision *d,
                            const struct reg_platform *plats, struct heads_list *out)
{
	const struct farm_image *img = j->t->farm->image;
	size_t n = 0;
	struct reg_list_entry *entries =
	    calloc(j->t->n_sources ? j->t->n_sources : 1, sizeof(*entries));
	struct base_buf bytes = {0};
	struct base_error err;
	int rc = -1;

	base_error_clear(&err);
	if (!entries)
		return -1;
	for (size_t k = 0; k < j->t->n_sources; k++) {
		const struct farm_platform *fp = j->t->sources[k].farm->platform;
		if (!d->platforms[k].included)
			continue;
		entries[n].media_type = d->platforms[k].media_type;
		entries[n].digest = d->platforms[k].digest;
		entries[n].size = d->platforms[k].size;
		entries[n].platform = &plats[k];
		entries[n].annotations = kv_as_annotations(fp->annotations);
		entries[n++].n_annotations = fp->n_annotations;
	}
	if (reg_list_build(pub_list_format(img->format), entries, n,
	                   kv_as_annotations(img->annotations), img->n_annotations, &bytes,
	                   &out->media_type, &err) == 0) {
		reg_digest_sha256(bytes.data, bytes.len, out->digest);
		out->size = (long long)bytes.len;
		rc = 0;
	}
	base_buf_free(&bytes);
	free(entries);
	return rc;
}

static void extra_head_one(struct reg_session *s, size_t e, void *ctx)
{
	struct tjob *j = ctx;
	pub_head_slot_fill(s, &j->t->extra[e], &j->extra_heads[e]);
}

/* Every extra tag's HEAD, all at once, into the decision's input. */
static int extras_head(struct pub_crew *crew, struct tjob *j, struct tdecide *td)
{
	size_t ne = j->t->n_extra;

	if (!j->extra_heads) {
		if (!(j->extra_heads = calloc(ne ? ne : 1, sizeof(*j->extra_heads))))
			return -1;
		pub_crew_run(crew, ne, extra_head_one, j);
	}
	for (size_t e = 0; e < ne; e++)
		head_view(&j->extra_heads[e], &td->ext[e].head);
	td->in.extras_known = 1;
	return redecide(td);
}

/* Ask what the decision needs to tell an unchanged night from one to
 * publish: the list from the HEADs (platforms + 1 HEADs so far), then the
 * extra tags, one HEAD each, only when the tag matched. */
static int settle_unchanged(struct pub_crew *crew, struct tjob *j, struct tdecide *td,
                            const struct reg_platform *plats, struct heads_list *list)
{
	if (td->d.need == PUB_NEED_LIST_DIGEST) {
		td->in.list_known = 1;
		td->in.list_digest =
		    heads_list_build(j, &td->d, plats, list) == 0 ? list->digest : NULL;
		if (redecide(td) < 0)
			return -1;
	}
	if (td->d.verdict == PUB_VERDICT_PUBLISH && td->d.need == PUB_NEED_EXTRA_TAGS &&
	    extras_head(crew, j, td) < 0)
		return -1;
	return 0;
}

/* ---- publishing --------------------------------------------------------------- */

static int child_annotations(struct pub_child *c, const struct farm_platform *fp)
{
	if (!fp->n_annotations)
		return 0;
	c->annotations = calloc(fp->n_annotations, sizeof(*c->annotations));
	if (!c->annotations)
		return -1;
	for (size_t a = 0; a < fp->n_annotations; a++) {
		c->annotations[a].key = strdup(fp->annotations[a].key);
		c->annotations[a].value = strdup(fp->annotations[a].value);
		c->n_annotations = a + 1;
		if (!c->annotations[a].key || !c->annotations[a].value)
			return -1;
	}
	return 0;
}

static int child_init(const struct pub_plan_source *ps, const struct reg_platform *plat,
                      const char *verified_digest, struct pub_child *c)
{
	c->source = strdup(ps->farm->ref);
	c->source_ref = &ps->ref;
	/* A child that resolves to the digest verified on an earlier night
	 * needs no config GET (for a list source too: the record holds the
	 * resolved entry's digest). */
	c->verified_digest = verified_digest;
	if (!c->source || reg_platform_copy(&c->platform, plat) < 0)
		return -1;
	return child_annotations(c, ps->farm->platform);
}

static void child_view(const struct pub_child *c, const struct base_error *err,
                       struct pub_decide_child *out)
{
	out->state = c->state;
	out->digest = c->manifest.digest;
	out->media_type = c->manifest.media_type;
	out->size = (long long)c->manifest.raw.len;
	out->verified = c->verified;
	out->from_list = c->from_list;
	out->attestations_kept = c->keep_attestations;
	out->reason = c->reason;
	out->error = err->msg;
}

/* What one crew thread needs to resolve child k of a target. */
struct resolve_run {
	const struct tjob *j;
	struct tdecide *td;
	const struct reg_platform *plats;
	struct pub_child *kids;
	struct base_error *errs;
	int check; /* check --verify: a child verified at its digest is not read */
};

static void resolve_one(struct reg_session *s, size_t k, void *ctx)
{
	struct resolve_run *rr = ctx;
	struct pub_decide_child *v = &rr->td->src[k].child;
	const struct pub_decide_platform *dp = &rr->td->d.platforms[k];

	base_error_clear(&rr->errs[k]);
	if (!dp->included)
		return; /* an optional platform its HEAD left out */
	if (rr->check && dp->verified) {
		/* check needs no bytes: verified at this digest already */
		*v = (struct pub_decide_child){.state = PUB_P_READY,
		                               .digest = dp->digest,
		                               .media_type = dp->media_type,
		                               .size = dp->size,
		                               .verified = 1};
		return;
	}
	if (child_init(&rr->j->t->sources[k], &rr->plats[k], rr->td->d.platforms[k].verified_digest,
	               &rr->kids[k]) < 0) {
		v->state = PUB_P_ERROR;
		v->reason = "out of memory";
		return;
	}
	pub_travel_setup(&rr->kids[k], rr->j->t->farm->image, rr->j->refresh_referrers);
	pub_child_resolve(s, &rr->kids[k], rr->j->verify, &rr->errs[k]);
	child_view(&rr->kids[k], &rr->errs[k], v);
}

/* GET every child (verifying platforms not already verified at their
 * digest), all at once, and decide again from what they are. */
static int resolve_children(struct pub_crew *crew, struct tjob *j, struct tdecide *td,
                            const struct reg_platform *plats, struct pub_child *kids,
                            struct base_error *errs)
{
	struct resolve_run rr = {j, td, plats, kids, errs, 0};

	pub_crew_run(crew, j->t->n_sources, resolve_one, &rr);
	/* noted here, not on the crew's threads: j is this thread's */
	for (size_t k = 0; k < j->t->n_sources; k++)
		if (kids[k].state == PUB_P_ERROR && !j->t->sources[k].farm->optional)
			pub_job_note_fail(j, &errs[k], j->t->sources[k].ref.registry);
	td->in.children_known = 1;
	return redecide(td);
}

static void add_write(struct tjob *j, const char *ref)
{
	char **n = realloc(j->writes.refs, (j->writes.n_refs + 1) * sizeof(*n));
	if (!n)
		return;
	j->writes.refs = n;
	if ((n[j->writes.n_refs] = strdup(ref)))
		j->writes.n_refs++;
}

/* A list that could not be written everywhere: when the tag holds it and
 * an extra tag failed, the record keeps the digest the tag now holds and
 * the reason names the extra tag. */
static void list_failed(struct tjob *j, const struct pub_list_result *res, const char *why)
{
	target_fail(j, why);
	if (!res->tag_holds)
		return;
	j->tag_holds = 1;
	set_str(&j->out.digest, res->digest);
	set_str(&j->out.media_type, res->media_type);
	j->writes.list_size = (long long)res->size;
}

/* Copy the children into the target repository and PUT the list to the
 * tag and every extra tag that does not hold it. What the tag held is
 * known from the first HEAD; other targets of the run may be writing into
 * the same repository (flights). */
static void list_write(struct pub_crew *crew, struct job_ctx *x, struct tjob *j,
                       const struct pub_decision *d, struct pub_child *kids, size_t n)
{
	const struct pub_plan_target *t = j->t;
	const struct farm_image *img = t->farm->image;
	const struct head_slot *tag = &j->heads[t->n_sources];
	int *written = calloc(t->n_extra ? t->n_extra : 1, sizeof(*written));
	struct pub_intent intent = {x, j};
	struct pub_list_io io = {.crew = crew,
	                         .flights = x->flights,
	                         .target_known = 1,
	                         .target_digest = tag->rc == BASE_OK ? tag->digest : NULL,
	                         .extra_action = t->n_extra ? d->extras : NULL,
	                         .extra_written = written,
	                         .recheck = j->recheck,
	                         .before_put = x->journal ? pub_job_journal_intent : NULL,
	                         .before_put_ctx = &intent};
	struct pub_list_result res;
	struct base_error err;

	base_error_clear(&err);
	if (!written) {
		target_fail(j, "out of memory");
		return;
	}
	if (pub_list_publish_with(pub_crew_session(crew), &io, &t->ref, t->extra, t->n_extra, kids,
	                          n, pub_list_format(img->format),
	                          kv_as_annotations(img->annotations), img->n_annotations,
	                          x->o->g.dry_run, &res, &err) < 0) {
		pub_job_note_fail(j, &err, t->ref.registry);
		list_failed(j, &res, err.msg);
	} else {
		j->tag_holds = 1;
		j->out.state = res.changed ? PUB_T_PUBLISHED : PUB_T_UNCHANGED;
		set_str(&j->out.digest, res.digest);
		set_str(&j->out.media_type, res.media_type);
		set_str(&j->out.reason, NULL);
		j->writes.list_size = (long long)res.size;
		pub_sign_target(pub_crew_session(crew), x, j, res.changed);
		if (d->extras_held) {
			/* the tag has the list; an extra tag was left as it is */
			j->out.state = PUB_T_HELD;
			set_str(&j->out.reason, d->reason);
		}
	}
	/* only the tags really written (or, dry run, that would be) */
	if (res.tag_written)
		add_write(j, t->farm->ref);
	for (size_t e = 0; e < t->farm->n_extra_refs; e++)
		if (written[e])
			add_write(j, t->farm->extra_refs[e]);
	free(written);
}

/* Move the children that go in the list to the front, in order (the
 * others keep their place for pub_child_free); how many there are. */
static size_t included_first(struct pub_child *kids, const struct pub_decision *d)
{
	size_t n = 0;
	for (size_t k = 0; k < d->n_platforms; k++) {
		if (!d->platforms[k].included)
			continue;
		if (n != k) {
			struct pub_child tmp = kids[n];
			kids[n] = kids[k];
			kids[k] = tmp;
		}
		n++;
	}
	return n;
}

/* An optional platform left out of tonight's list: a warning, not a
 * failure (docs/publish.md, "Optional platforms"). */
static void optional_warn(const struct tjob *j)
{
	for (size_t k = 0; k < j->out.n_platforms; k++) {
		const struct pub_platform_status *p = &j->out.platforms[k];
		if (!p->optional || p->state == PUB_P_READY || j->out.state == PUB_T_FAILED)
			continue;
		pub_log(PUB_LOG_WARN, "%s: optional %s left out (%s)%s%s", j->out.target,
		        p->platform, pub_platform_state_str(p->state), p->reason ? ": " : "",
		        p->reason ? p->reason : "");
	}
}

/* The list the children make (no request): a tag that holds it already
 * loses nothing, so the no-shrink check needs no GET of it. */
static int built_list(const struct tjob *j, struct tdecide *td, const struct reg_platform *plats,
                      struct heads_list *built)
{
	if (heads_list_build(j, &td->d, plats, built) < 0)
		return 0; /* not built: the GET tells */
	td->in.built_digest = built->digest;
	return redecide(td);
}

/* The platforms of the list ref holds, named as the config names them
 * where an entry matches one of the target's platforms (attestations
 * skipped); none when it holds no list. One GET. -1 with err filled. */
static int list_names_read(struct reg_session *s, const struct tjob *j, const struct reg_ref *ref,
                           const struct reg_platform *plats, struct list_names *out,
                           struct base_error *err)
{
	struct reg_manifest m = {0};
	int r, rc = -1;

	r = reg_manifest_get(s, ref, &m, err);
	if (r < 0 && r != BASE_ENOTFOUND)
		return -1;
	out->names = calloc(m.n_entries ? m.n_entries : 1, sizeof(*out->names));
	out->owned = calloc(m.n_entries ? m.n_entries : 1, sizeof(*out->owned));
	if (!out->names || !out->owned)
		goto out;
	for (size_t e = 0; r == 0 && m.is_list && e < m.n_entries; e++) {
		const struct reg_descriptor *d = &m.entries[e];
		const char *name = NULL;
		if (!d->has_platform || reg_descriptor_is_attestation(d))
			continue;
		for (size_t k = 0; !name && k < j->t->n_sources; k++)
			if (reg_platform_match(&plats[k], &d->platform))
				name = j->t->sources[k].farm->platform->name;
		if (!name &&
		    !(name = out->owned[out->n_owned++] = reg_platform_format(&d->platform)))
			goto out;
		out->names[out->n++] = name;
	}
	rc = 0;
out:
	if (rc < 0)
		base_error_set(err, "out of memory");
	reg_manifest_free(&m);
	return rc;
}

/* The platforms of the list the tag holds: asked only when the list is
 * about to change and the record cannot tell. On error td->d.reason says
 * why; -1. */
static int current_list(struct reg_session *s, struct tjob *j, struct tdecide *td,
                        const struct reg_platform *plats)
{
	struct base_error err;

	base_error_clear(&err);
	list_names_free(&td->cur);
	if (list_names_read(s, j, &j->t->ref, plats, &td->cur, &err) < 0) {
		pub_job_note_fail(j, &err, j->t->ref.registry);
		base_error_wrap(&err, "what the tag's current list holds");
		free(td->d.reason);
		td->d.reason = strdup(err.msg);
		return -1;
	}
	td->in.current_known = 1;
	td->in.current = td->cur.names;
	td->in.n_current = td->cur.n;
	return redecide(td);
}

/* The platforms of the lists extra tags hold that the decision could not
 * tell (PUB_EXTRA_UNKNOWN): one GET each. On error td->d.reason says why. */
static int extra_lists(struct reg_session *s, struct tjob *j, struct tdecide *td,
                       const struct reg_platform *plats)
{
	for (size_t e = 0; e < j->t->n_extra; e++) {
		struct base_error err;
		if (td->d.extras[e] != PUB_EXTRA_UNKNOWN || td->ext[e].current_known)
			continue;
		base_error_clear(&err);
		if (list_names_read(s, j, &j->t->extra[e], plats, &td->ext_cur[e], &err) < 0) {
			pub_job_note_fail(j, &err, j->t->extra[e].registry);
			base_error_wrap(&err, "extra tag %s: what its current list holds",
			                td->ext[e].ref);
			free(td->d.reason);
			td->d.reason = strdup(err.msg);
			return -1;
		}
		td->ext[e].current_known = 1;
		td->ext[e].current = td->ext_cur[e].names;
		td->ext[e].n_current = td->ext_cur[e].n;
	}
	return redecide(td);
}

static void publish_target(struct pub_crew *crew, struct job_ctx *x, struct tjob *j,
                           struct tdecide *td, const struct reg_platform *plats)
{
	struct heads_list built = {.size = -1};
	size_t n = j->t->n_sources;
	struct pub_child *kids = calloc(n ? n : 1, sizeof(*kids));
	struct base_error *errs = calloc(n ? n : 1, sizeof(*errs));

	if (!kids || !errs || resolve_children(crew, j, td, plats, kids, errs) < 0) {
		target_fail(j, "out of memory");
		goto out;
	}
	/* The list the children make: the tag may hold it already. */
	if (td->d.verdict == PUB_VERDICT_PUBLISH && built_list(j, td, plats, &built) < 0) {
		target_fail(j, "out of memory");
		goto out;
	}
	/* What the decision still needs to know: the tag's list, the extra
	 * tags, the lists they hold; each asked once. */
	for (int asked = 0; td->d.verdict == PUB_VERDICT_PUBLISH && td->d.need != PUB_NEED_NOTHING;
	     asked++) {
		int r = -1;
		/* each need is met once and never asked again: three at most */
		if (asked < 3 && td->d.need == PUB_NEED_CURRENT_LIST)
			r = current_list(pub_crew_session(crew), j, td, plats);
		else if (asked < 3 && td->d.need == PUB_NEED_EXTRA_TAGS)
			r = extras_head(crew, j, td);
		else if (asked < 3 && td->d.need == PUB_NEED_EXTRA_LISTS)
			r = extra_lists(pub_crew_session(crew), j, td, plats);
		else
			set_str(&td->d.reason, "the decision asked for what it was given");
		if (r < 0) {
			target_fail(j, td->d.reason ? td->d.reason : "out of memory");
			goto out;
		}
	}
	record_decision(j, &td->d, PUB_T_FAILED);
	if (td->d.verdict == PUB_VERDICT_PUBLISH &&
	    pub_gate_target(pub_crew_session(crew), x, j) == 0)
		list_write(crew, x, j, &td->d, kids, included_first(kids, &td->d));
out:
	for (size_t k = 0; kids && k < n; k++)
		pub_child_free(&kids[k]);
	free(kids);
	free(errs);
}

/* ---- one target ------------------------------------------------------------- */

static struct reg_platform *platforms_new(const struct tjob *j, struct base_error *err)
{
	size_t n = j->t->n_sources;
	struct reg_platform *plats = calloc(n ? n : 1, sizeof(*plats));

	if (!plats) {
		base_error_set(err, "out of memory");
		return NULL;
	}
	for (size_t k = 0; k < n; k++) {
		if (pub_platform_from_farm(j->t->sources[k].farm->platform, &plats[k], err) < 0) {
			for (size_t i = 0; i <= k; i++)
				reg_platform_free(&plats[i]);
			free(plats);
			return NULL;
		}
	}
	return plats;
}

/* The target's HEADs, all at once: its per-arch tags and its tag. */
struct head_run {
	struct job_ctx *x;
	struct tjob *j;
};

static void head_one(struct reg_session *s, size_t k, void *ctx)
{
	struct head_run *hr = ctx;
	struct tjob *j = hr->j;
	const struct reg_ref *ref = k < j->t->n_sources ? &j->t->sources[k].ref : &j->t->ref;

	if (pub_stop_now(hr->x)) {
		pub_head_slot_free(&j->heads[k]);
		j->heads[k].rc = BASE_ECANCELED; /* not sent: its target is not reached */
	} else {
		pub_head_slot_fill(s, ref, &j->heads[k]);
	}
}

static void add_extra_digest(struct tjob *j, const char *digest)
{
	char **v = realloc(j->out.extra_digests, (j->out.n_extra_digests + 1) * sizeof(*v));

	if (!v)
		return;
	j->out.extra_digests = v;
	for (size_t k = 0; k < j->out.n_extra_digests; k++)
		if (strcmp(v[k], digest) == 0)
			return;
	if ((v[j->out.n_extra_digests] = strdup(digest)))
		j->out.n_extra_digests++;
}

/* What the record says the tag holds (G4, publish.md "The status file"):
 * the list, when the tag holds the one this run built; else what its HEAD
 * found (nothing, on a 404), and whether manifold wrote it. A HEAD that
 * failed tells nothing: the last record's stays (pub_status_next). */
static void record_tag(struct tjob *j, const struct tdecide *td)
{
	const struct head_slot *tag = j->heads ? &j->heads[j->t->n_sources] : NULL;
	const struct pub_decision *d = &td->d;
	const struct pub_target_status *prev = j->prev;

	/* The lists of manifold's that held extra tags keep: tonight's, or,
	 * when the extra tags were not looked at, the last record's. */
	if (d->extras && j->extra_heads) {
		for (size_t e = 0; e < j->t->n_extra; e++)
			/* only what manifold wrote: a foreign list held for
			 * shrinking under --overwrite stays someone else's */
			if (d->extras[e] == PUB_EXTRA_HELD && j->out.state == PUB_T_HELD &&
			    td->in.extras && pub_decide_manifolds(&td->in, &td->in.extras[e].head))
				add_extra_digest(j, j->extra_heads[e].digest);
	} else {
		for (size_t e = 0; prev && e < prev->n_extra_digests; e++)
			add_extra_digest(j, prev->extra_digests[e]);
	}
	j->out.foreign = 0;
	if (j->not_reached)
		return;
	if (j->tag_holds || j->out.state == PUB_T_PUBLISHED || j->out.state == PUB_T_UNCHANGED) {
		j->out.digest_seen = 1;
		return;
	}
	if (!tag || (tag->rc != BASE_OK && tag->rc != BASE_ENOTFOUND))
		return;
	j->out.digest_seen = 1;
	set_str(&j->out.digest, tag->rc == BASE_OK && tag->digest[0] ? tag->digest : NULL);
	set_str(&j->out.media_type, j->out.digest ? tag->media_type : NULL);
	j->out.foreign = j->out.digest && d->foreign;
}

/* The unchanged night of a target due for a re-check (publish.md,
 * "Missing children"): HEAD each child of its list, by digest, in the
 * target repository, all at once. 1 when one is missing. */
struct hole_run {
	const struct tjob *j;
	const struct pub_decision *d;
	int *missing;
};

static void hole_one(struct reg_session *s, size_t k, void *ctx)
{
	struct hole_run *hr = ctx;
	const struct pub_decide_platform *p = &hr->d->platforms[k];
	struct reg_ref ref;
	struct base_error err;
	struct reg_head h;

	if (!p->included || !p->digest)
		return;
	base_error_clear(&err);
	ref = reg_ref_at(&hr->j->t->ref, NULL, p->digest);
	hr->missing[k] = reg_manifest_head(s, &ref, &h, &err) == BASE_ENOTFOUND;
}

static int children_hole(struct pub_crew *crew, struct tjob *j, const struct tdecide *td)
{
	size_t n = j->t->n_sources;
	int *missing = calloc(n ? n : 1, sizeof(*missing));
	struct hole_run hr = {j, &td->d, missing};
	int hole = 0;

	if (!missing)
		return 0;
	pub_crew_run(crew, n, hole_one, &hr);
	for (size_t k = 0; k < n; k++) {
		if (!missing[k])
			continue;
		hole = 1;
		pub_log(PUB_LOG_DEBUG, "%s: %s child %s is missing from %s", j->out.target,
		        j->t->sources[k].farm->platform->name, td->d.platforms[k].digest,
		        j->t->repo);
	}
	free(missing);
	return hole;
}

static void target_run(struct pub_crew *crew, struct job_ctx *x, size_t i, struct tdecide *td,
                       struct reg_platform **plats)
{
	struct tjob *j = &x->jobs[i];
	size_t n_heads = j->t->n_sources + 1;
	struct heads_list list = {.size = -1};
	struct head_run hr = {x, j};
	struct base_error err;

	base_error_clear(&err);
	if (!(j->heads = calloc(n_heads, sizeof(*j->heads)))) {
		target_fail(j, "out of memory");
		return;
	}
	pub_crew_run(crew, n_heads, head_one, &hr);
	if ((j->not_reached = heads_cut(j)))
		return; /* the stop cut its HEADs short: its record stays as it was */
	if (tdecide_init(j, td) < 0 || pub_decide(&td->in, &td->d) < 0) {
		target_fail(j, "out of memory");
		return;
	}
	record_decision(j, &td->d, PUB_T_FAILED);
	if (td->d.verdict != PUB_VERDICT_PUBLISH)
		return;
	if (!(*plats = platforms_new(j, &err))) {
		target_fail(j, err.msg);
		return;
	}
	if (settle_unchanged(crew, j, td, *plats, &list) < 0) {
		target_fail(j, "out of memory");
		return;
	}
	if (td->d.verdict != PUB_VERDICT_PUBLISH && td->d.verdict != PUB_VERDICT_UNCHANGED) {
		record_decision(j, &td->d, PUB_T_FAILED); /* held before any child is read */
		return;
	}
	if (td->d.verdict == PUB_VERDICT_UNCHANGED && j->recheck && children_hole(crew, j, td)) {
		/* a child is gone from the target repository: the children
		 * are read and the list's own copy-back puts it back */
		td->d.verdict = PUB_VERDICT_PUBLISH;
		td->d.need = PUB_NEED_CHILDREN;
	} else if (td->d.verdict == PUB_VERDICT_UNCHANGED) {
		if (j->refresh_referrers && pub_travel_unchanged(pub_crew_session(crew), x->flights,
		                                                 j, &td->d, x->o->g.dry_run) < 0)
			return;
		if (pub_gate_target(pub_crew_session(crew), x, j) < 0)
			return;
		j->out.state = PUB_T_UNCHANGED;
		set_str(&j->out.digest, list.digest);
		set_str(&j->out.media_type, list.media_type);
		j->writes.list_size = list.size;
		pub_sign_target(pub_crew_session(crew), x, j, 0);
		return;
	}
	publish_target(crew, x, j, td, *plats);
}

void pub_job_target(struct pub_crew *crew, size_t i, void *ctx)
{
	struct job_ctx *x = ctx;
	struct tjob *j = &x->jobs[i];
	struct reg_platform *plats = NULL;
	struct tdecide td;

	memset(&td, 0, sizeof(td));
	if (pub_stop_now(x)) {
		/* Never started: its record stays as it was. */
		j->not_reached = 1;
		progress_tick(x);
		return;
	}
	target_run(crew, x, i, &td, &plats);
	record_tag(j, &td);
	/* Cut short by the stop before its list was in place: abandoned, not
	 * failed (its children may be copied; its tag is untouched). */
	if (j->not_reached || (j->out.state == PUB_T_FAILED && !j->tag_holds && pub_stop_now(x))) {
		j->not_reached = 1;
	} else {
		pub_job_journal_outcome(x, j); /* durable before it is told */
		optional_warn(j);
		pub_job_target_log(j, 0, x->o->g.dry_run);
	}
	for (size_t k = 0; plats && k < j->t->n_sources; k++)
		reg_platform_free(&plats[k]);
	free(plats);
	tdecide_free(&td);
	for (size_t k = 0; j->heads && k < j->t->n_sources + 1; k++)
		pub_head_slot_free(&j->heads[k]);
	free(j->heads);
	j->heads = NULL;
	for (size_t e = 0; j->extra_heads && e < j->t->n_extra; e++)
		pub_head_slot_free(&j->extra_heads[e]);
	free(j->extra_heads);
	j->extra_heads = NULL;
	progress_tick(x);
}

/* ---- check ---------------------------------------------------------------------- */

/* check --verify: the list the target tag holds must have every child in
 * the tag's repository (publish.md, "Missing children"): one GET of the
 * tag, one HEAD per entry. A missing child fails the target, the reason
 * naming its platform and digest. */
static void check_children(struct reg_session *s, struct tjob *j, const struct reg_platform *plats)
{
	struct reg_manifest m = {0};
	struct base_error err;
	struct base_buf b = {0};
	int r;

	base_error_clear(&err);
	r = reg_manifest_get(s, &j->t->ref, &m, &err);
	if (r < 0 && r != BASE_ENOTFOUND) {
		pub_job_note_fail(j, &err, j->t->ref.registry);
		base_error_wrap(&err, "the published list");
		target_fail(j, err.msg);
		return;
	}
	for (size_t e = 0; r == 0 && m.is_list && e < m.n_entries; e++) {
		const struct reg_descriptor *d = &m.entries[e];
		struct reg_ref ref = reg_ref_at(&j->t->ref, NULL, d->digest);
		const char *name = NULL;
		char *owned = NULL;
		struct reg_head h;
		int hr;

		base_error_clear(&err);
		hr = reg_manifest_head(s, &ref, &h, &err);
		if (hr == 0)
			continue;
		for (size_t k = 0; d->has_platform && !name && k < j->t->n_sources; k++)
			if (!reg_descriptor_is_attestation(d) &&
			    reg_platform_match(&plats[k], &d->platform))
				name = j->t->sources[k].farm->platform->name;
		if (!name && d->has_platform)
			name = owned = reg_platform_format(&d->platform);
		if (b.len)
			base_buf_str(&b, "; ");
		if (hr == BASE_ENOTFOUND) {
			base_buf_fmt(&b, "%s%s child %s of the published list is missing from %s",
			             reg_descriptor_is_attestation(d) ? "attestation " : "",
			             name ? name : "entry", d->digest, j->t->repo);
		} else {
			pub_job_note_fail(j, &err, j->t->ref.registry);
			base_buf_fmt(&b, "%s child %s: %s", name ? name : "entry", d->digest,
			             err.msg);
		}
		free(owned);
	}
	if (b.len) {
		char *why = base_buf_take(&b);
		target_fail(j, why ? why : "out of memory");
		free(why);
	}
	base_buf_free(&b);
	reg_manifest_free(&m);
}

static void published_children(struct reg_session *s, struct tjob *j)
{
	struct base_error err;
	struct reg_platform *plats;

	base_error_clear(&err);
	if (!(plats = platforms_new(j, &err))) {
		target_fail(j, err.msg);
		return;
	}
	check_children(s, j, plats);
	for (size_t k = 0; k < j->t->n_sources; k++)
		reg_platform_free(&plats[k]);
	free(plats);
}

/* check --verify: GET (and check) the children not verified at their
 * digest already, one after another on s, and decide again. */
static void check_verify(struct reg_session *s, struct job_ctx *x, struct tjob *j,
                         struct tdecide *td)
{
	size_t n = j->t->n_sources;
	struct pub_child *kids = calloc(n ? n : 1, sizeof(*kids));
	struct base_error *errs = calloc(n ? n : 1, sizeof(*errs));
	struct reg_platform *plats = NULL;
	struct base_error err;

	base_error_clear(&err);
	if (kids && errs && (plats = platforms_new(j, &err))) {
		struct resolve_run rr = {j, td, plats, kids, errs, 1};
		for (size_t k = 0; k < n; k++)
			resolve_one(s, k, &rr);
		for (size_t k = 0; k < n; k++)
			if (kids[k].state == PUB_P_ERROR && !j->t->sources[k].farm->optional)
				pub_job_note_fail(j, &errs[k], j->t->sources[k].ref.registry);
		td->in.children_known = 1;
	}
	if (!td->in.children_known || redecide(td) < 0)
		target_fail(j, err.msg[0] ? err.msg : "out of memory");
	else
		record_decision(j, &td->d, PUB_T_READY);
	if (j->out.state == PUB_T_READY)
		pub_gate_target(s, x, j);
	for (size_t k = 0; k < n; k++) {
		if (kids)
			pub_child_free(&kids[k]);
		if (plats)
			reg_platform_free(&plats[k]);
	}
	free(plats);
	free(kids);
	free(errs);
}

void pub_job_check_target(struct reg_session *s, size_t i, void *ctx)
{
	struct job_ctx *x = ctx;
	struct tjob *j = &x->jobs[i];
	struct tdecide td;

	memset(&td, 0, sizeof(td));
	if (!(j->not_reached = heads_cut(j))) {
		if (tdecide_init(j, &td) < 0 || pub_decide(&td.in, &td.d) < 0)
			target_fail(j, "out of memory");
		else
			record_decision(j, &td.d, PUB_T_READY);
		if (s && x->o->verify && td.d.verdict == PUB_VERDICT_PUBLISH)
			check_verify(s, x, j, &td);
		if (s && x->o->verify)
			published_children(s, j);
		optional_warn(j);
		pub_job_target_log(j, 1, 0);
	}
	tdecide_free(&td);
	if (s)
		progress_tick(x);
}
