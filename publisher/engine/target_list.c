/* target_list.c — one target's list: the unchanged night (the list built
 * from the HEADs alone, the extra tags' HEADs), the platforms of the lists
 * the tags hold, and the list write (copies and PUTs). */

#include <stdlib.h>
#include <string.h>

#include "sign.h"
#include "target_internal.h"

/* farm_kv and reg_annotation have the same shape; the list builder only reads. */
static const struct reg_annotation *kv_as_annotations(const struct farm_kv *kv)
{
	static const struct reg_annotation none[1];
	if (!kv)
		return none;
	return (const struct reg_annotation *)(const void *)kv;
}

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
	pub_head_slot_fill(s, &j->t->extra[e], 0, &j->extra_heads[e]);
}

/* Every extra tag's HEAD, all at once, into the decision's input. */
int pub_target_extras_head(struct pub_crew *crew, struct tjob *j, struct tdecide *td)
{
	size_t ne = j->t->n_extra;

	if (!j->extra_heads) {
		if (!(j->extra_heads = calloc(ne ? ne : 1, sizeof(*j->extra_heads))))
			return -1;
		pub_crew_run(crew, ne, extra_head_one, j);
	}
	for (size_t e = 0; e < ne; e++)
		pub_target_head_view(&j->extra_heads[e], &td->ext[e].head);
	td->in.extras_known = 1;
	return pub_target_redecide(td);
}

/* Ask what the decision needs to tell an unchanged night from one to
 * publish: the list from the HEADs (platforms + 1 HEADs so far), then the
 * extra tags, one HEAD each, only when the tag matched. */
int pub_target_settle_unchanged(struct pub_crew *crew, struct tjob *j, struct tdecide *td,
                                const struct reg_platform *plats, struct heads_list *list)
{
	if (td->d.need == PUB_NEED_LIST_DIGEST) {
		td->in.list_known = 1;
		td->in.list_digest =
		    heads_list_build(j, &td->d, plats, list) == 0 ? list->digest : NULL;
		if (pub_target_redecide(td) < 0)
			return -1;
	}
	if (td->d.verdict == PUB_VERDICT_PUBLISH && td->d.need == PUB_NEED_EXTRA_TAGS &&
	    pub_target_extras_head(crew, j, td) < 0)
		return -1;
	return 0;
}

static void add_write(struct tjob *j, const char *ref)
{
	char **n = realloc(j->writes->refs, (j->writes->n_refs + 1) * sizeof(*n));
	if (!n)
		return;
	j->writes->refs = n;
	if ((n[j->writes->n_refs] = strdup(ref)))
		j->writes->n_refs++;
}

/* A list that could not be written everywhere: when the tag holds it and
 * an extra tag failed, the record keeps the digest the tag now holds and
 * the reason names the extra tag. */
static void list_failed(struct tjob *j, const struct pub_list_result *res, const char *why)
{
	pub_target_target_fail(j, why);
	if (!res->tag_holds)
		return;
	j->tag_holds = 1;
	pub_target_set_str(&j->out->digest, res->digest);
	pub_target_set_str(&j->out->media_type, res->media_type);
	j->writes->list_size = (long long)res->size;
}

/* Copy the children into the target repository and PUT the list to the
 * tag and every extra tag that does not hold it. What the tag held is
 * known from the first HEAD; other targets of the run may be writing into
 * the same repository (flights). */
void pub_target_list_write(struct pub_crew *crew, struct job_ctx *x, struct tjob *j,
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
		pub_target_target_fail(j, "out of memory");
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
		j->out->state = res.changed ? STATUS_T_PUBLISHED : STATUS_T_UNCHANGED;
		pub_target_set_str(&j->out->digest, res.digest);
		pub_target_set_str(&j->out->media_type, res.media_type);
		pub_target_set_str(&j->out->reason, NULL);
		j->writes->list_size = (long long)res.size;
		pub_sign_target(pub_crew_session(crew), x, j, res.changed);
		if (d->extras_held) {
			/* the tag has the list; an extra tag was left as it is */
			j->out->state = STATUS_T_HELD;
			pub_target_set_str(&j->out->reason, d->reason);
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
size_t pub_target_included_first(struct pub_child *kids, const struct pub_decision *d)
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

/* The list the children make (no request): a tag that holds it already
 * loses nothing, so the no-shrink check needs no GET of it. */
int pub_target_built_list(const struct tjob *j, struct tdecide *td,
                          const struct reg_platform *plats, struct heads_list *built)
{
	if (heads_list_build(j, &td->d, plats, built) < 0)
		return 0; /* not built: the GET tells */
	td->in.built_digest = built->digest;
	return pub_target_redecide(td);
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
int pub_target_current_list(struct reg_session *s, struct tjob *j, struct tdecide *td,
                            const struct reg_platform *plats)
{
	struct base_error err;

	base_error_clear(&err);
	pub_target_list_names_free(&td->cur);
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
	return pub_target_redecide(td);
}

/* The platforms of the lists extra tags hold that the decision could not
 * tell (PUB_EXTRA_UNKNOWN): one GET each. On error td->d.reason says why. */
int pub_target_extra_lists(struct reg_session *s, struct tjob *j, struct tdecide *td,
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
	return pub_target_redecide(td);
}
