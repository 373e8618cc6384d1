/* target.c — the I/O for one target around its decision (decide.c): its
 * HEADs (check: all targets' at once, in phase 1), then the list built
 * from those answers, the extra tags' HEADs, the child GETs and the
 * copies and list PUTs, each asked only when the decision needs it; the
 * requests of one stage go out together on the worker's crew. */

#include <stdlib.h>
#include <string.h>

#include "sign.h"
#include "target_internal.h"

static void publish_target(struct pub_crew *crew, struct job_ctx *x, struct tjob *j,
                           struct tdecide *td, const struct reg_platform *plats)
{
	struct heads_list built = {.size = -1};
	size_t n = j->t->n_sources;
	struct pub_child *kids = calloc(n ? n : 1, sizeof(*kids));
	struct base_error *errs = calloc(n ? n : 1, sizeof(*errs));

	if (!kids || !errs || pub_target_resolve_children(crew, j, td, plats, kids, errs) < 0) {
		pub_target_target_fail(j, "out of memory");
		goto out;
	}
	/* The list the children make: the tag may hold it already. */
	if (td->d.verdict == PUB_VERDICT_PUBLISH &&
	    pub_target_built_list(j, td, plats, &built) < 0) {
		pub_target_target_fail(j, "out of memory");
		goto out;
	}
	/* What the decision still needs to know: the tag's list, the extra
	 * tags, the lists they hold; each asked once. */
	for (int asked = 0; td->d.verdict == PUB_VERDICT_PUBLISH && td->d.need != PUB_NEED_NOTHING;
	     asked++) {
		int r = -1;
		/* each need is met once and never asked again: three at most */
		if (asked < 3 && td->d.need == PUB_NEED_CURRENT_LIST)
			r = pub_target_current_list(pub_crew_session(crew), j, td, plats);
		else if (asked < 3 && td->d.need == PUB_NEED_EXTRA_TAGS)
			r = pub_target_extras_head(crew, j, td);
		else if (asked < 3 && td->d.need == PUB_NEED_EXTRA_LISTS)
			r = pub_target_extra_lists(pub_crew_session(crew), j, td, plats);
		else
			pub_target_set_str(&td->d.reason,
			                   "the decision asked for what it was given");
		if (r < 0) {
			pub_target_target_fail(j, td->d.reason ? td->d.reason : "out of memory");
			goto out;
		}
	}
	pub_target_record_decision(j, &td->d, STATUS_T_FAILED);
	if (td->d.verdict == PUB_VERDICT_PUBLISH &&
	    pub_gate_target(pub_crew_session(crew), x, j) == 0)
		pub_target_list_write(crew, x, j, &td->d, kids,
		                      pub_target_included_first(kids, &td->d));
out:
	for (size_t k = 0; kids && k < n; k++)
		pub_child_free(&kids[k]);
	free(kids);
	free(errs);
}

/* The target's HEADs, all at once: its per-arch tags and its tag. A
 * target with no record (a first publish, or no status file) has every
 * child read and checked if it goes on, whatever its tag holds: its tag is
 * asked first and, when it is absent or holds a list, each source is asked
 * once, with the GET (publish.md, "Requests of a first publish"); a tag
 * holding an image is held from the HEADs. */
struct head_run {
	struct job_ctx *x;
	struct tjob *j;
	size_t base; /* slots from here */
	int get;     /* sources by GET */
};

static void head_one(struct reg_session *s, size_t k, void *ctx)
{
	struct head_run *hr = ctx;
	struct tjob *j = hr->j;
	const struct reg_ref *ref;

	k += hr->base;
	ref = k < j->t->n_sources ? &j->t->sources[k].ref : &j->t->ref;

	if (pub_stop_now(hr->x)) {
		pub_head_slot_free(&j->heads[k]);
		j->heads[k].rc = BASE_ECANCELED; /* not sent: its target is not reached */
	} else {
		pub_head_slot_fill(s, ref, k < j->t->n_sources && hr->get, &j->heads[k]);
	}
}

static void add_extra_digest(struct tjob *j, const char *digest)
{
	char **v = realloc(j->out->extra_digests, (j->out->n_extra_digests + 1) * sizeof(*v));

	if (!v)
		return;
	j->out->extra_digests = v;
	for (size_t k = 0; k < j->out->n_extra_digests; k++)
		if (strcmp(v[k], digest) == 0)
			return;
	if ((v[j->out->n_extra_digests] = strdup(digest)))
		j->out->n_extra_digests++;
}

/* What each extra tag holds after the run (status "extra_tags"): the
 * list, where this run left it there or found it; what its HEAD found,
 * where the run held it or did not write it; else the last record's. */
static void record_extra_tags(struct tjob *j, const struct tdecide *td)
{
	const struct pub_decision *d = &td->d;
	const struct status_target_status *prev = j->prev;
	int green = j->out->state == STATUS_T_PUBLISHED || j->out->state == STATUS_T_UNCHANGED;
	int wrote = !j->not_reached && j->out->digest &&
	            (green || (j->tag_holds && j->out->state == STATUS_T_HELD));

	for (size_t e = 0; e < j->t->n_extra; e++) {
		const char *tag = j->t->extra[e].tag;
		const struct head_slot *h = j->extra_heads ? &j->extra_heads[e] : NULL;
		const char *digest = NULL;
		int known = 0;

		if (!tag)
			continue;
		if (wrote && (!d->extras || d->extras[e] == PUB_EXTRA_KEEP ||
		              d->extras[e] == PUB_EXTRA_WRITE)) {
			digest = j->out->digest;
			known = 1;
		} else if (!j->not_reached && h && (h->rc == BASE_OK || h->rc == BASE_ENOTFOUND)) {
			digest = h->rc == BASE_OK && h->digest[0] ? h->digest : NULL;
			known = 1;
		}
		for (size_t k = 0; !known && prev && k < prev->n_extra_tags; k++)
			if (prev->extra_tags[k].tag && strcmp(prev->extra_tags[k].tag, tag) == 0)
				digest = prev->extra_tags[k].digest;
		if (status_extra_tag_add(j->out, tag, digest) < 0)
			return;
	}
}

/* What the record says the tag holds (G4, publish.md "The status file"):
 * the list, when the tag holds the one this run built; else what its HEAD
 * found (nothing, on a 404), and whether manifold wrote it. A HEAD that
 * failed tells nothing: the last record's stays (status_next). */
static void record_tag(struct tjob *j, const struct tdecide *td)
{
	const struct head_slot *tag = j->heads ? &j->heads[j->t->n_sources] : NULL;
	const struct pub_decision *d = &td->d;
	const struct status_target_status *prev = j->prev;

	/* The lists of manifold's that held extra tags keep: tonight's, or,
	 * when the extra tags were not looked at, the last record's. */
	if (d->extras && j->extra_heads) {
		for (size_t e = 0; e < j->t->n_extra; e++)
			/* only what manifold wrote: a foreign list held for
			 * shrinking under --overwrite stays someone else's */
			if (d->extras[e] == PUB_EXTRA_HELD && j->out->state == STATUS_T_HELD &&
			    td->in.extras && pub_decide_manifolds(&td->in, &td->in.extras[e].head))
				add_extra_digest(j, j->extra_heads[e].digest);
	} else {
		for (size_t e = 0; prev && e < prev->n_extra_digests; e++)
			add_extra_digest(j, prev->extra_digests[e]);
	}
	j->out->foreign = 0;
	if (j->not_reached)
		return;
	if (j->tag_holds || j->out->state == STATUS_T_PUBLISHED ||
	    j->out->state == STATUS_T_UNCHANGED) {
		j->out->digest_seen = 1;
		return;
	}
	if (!tag || (tag->rc != BASE_OK && tag->rc != BASE_ENOTFOUND))
		return;
	j->out->digest_seen = 1;
	pub_target_set_str(&j->out->digest,
	                   tag->rc == BASE_OK && tag->digest[0] ? tag->digest : NULL);
	pub_target_set_str(&j->out->media_type, j->out->digest ? tag->media_type : NULL);
	j->out->foreign = j->out->digest && d->foreign;
}

static void target_run(struct pub_crew *crew, struct job_ctx *x, size_t i, struct tdecide *td,
                       struct reg_platform **plats)
{
	struct tjob *j = &x->jobs[i];
	size_t n_heads = j->t->n_sources + 1;
	struct heads_list list = {.size = -1};
	struct head_run hr = {x, j, 0, 0};
	struct base_error err;

	base_error_clear(&err);
	if (!(j->heads = calloc(n_heads, sizeof(*j->heads)))) {
		pub_target_target_fail(j, "out of memory");
		return;
	}
	if (!j->prev && j->verify) {
		size_t n = j->t->n_sources;
		hr.base = n; /* the tag alone */
		pub_crew_run(crew, 1, head_one, &hr);
		hr.base = 0;
		hr.get = j->heads[n].rc == BASE_ENOTFOUND ||
		         (j->heads[n].rc == BASE_OK && j->heads[n].media_type &&
		          reg_media_type_is_list(j->heads[n].media_type));
		pub_crew_run(crew, n, head_one, &hr);
	} else {
		pub_crew_run(crew, n_heads, head_one, &hr);
	}
	if ((j->not_reached = pub_target_heads_cut(j)))
		return; /* the stop cut its HEADs short: its record stays as it was */
	if (pub_target_decide_init(x, j, td) < 0 || pub_decide(&td->in, &td->d) < 0) {
		pub_target_target_fail(j, "out of memory");
		return;
	}
	pub_target_record_decision(j, &td->d, STATUS_T_FAILED);
	if (td->d.verdict != PUB_VERDICT_PUBLISH)
		return;
	if (!(*plats = pub_target_platforms_new(j, &err))) {
		pub_target_target_fail(j, err.msg);
		return;
	}
	if (pub_target_settle_unchanged(crew, j, td, *plats, &list) < 0) {
		pub_target_target_fail(j, "out of memory");
		return;
	}
	if (td->d.verdict != PUB_VERDICT_PUBLISH && td->d.verdict != PUB_VERDICT_UNCHANGED) {
		pub_target_record_decision(j, &td->d,
		                           STATUS_T_FAILED); /* held before any child is read */
		return;
	}
	if (td->d.verdict == PUB_VERDICT_UNCHANGED && j->recheck &&
	    pub_target_children_hole(crew, j, td)) {
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
		j->out->state = STATUS_T_UNCHANGED;
		pub_target_set_str(&j->out->digest, list.digest);
		pub_target_set_str(&j->out->media_type, list.media_type);
		j->writes->list_size = list.size;
		pub_sign_target(pub_crew_session(crew), x, j, 0);
		return;
	}
	publish_target(crew, x, j, td, *plats);
}

void pub_tjob_bind(struct tjob *j, const struct pub_plan_target *t, const struct job_ctx *x)
{
	const struct farm_target *ft = t->farm;
	const struct pub_job_options *o = x->o;

	j->t = t;
	j->prev = status_find(x->prev, ft->ref);
	j->verify = ft->image->verify_platform;
	j->allow_shrink = ft->image->allow_shrink || o->allow_shrink;
	j->overwrite = ft->image->overwrite || o->overwrite;
	j->recheck = x->recheck == RECHECK_ALL ||
	             (x->recheck == RECHECK_DUE &&
	              pub_recheck_due(ft->ref, x->day, ft->image->recheck_days));
}

int pub_tjob_out_init(struct tjob *j)
{
	const struct pub_plan_target *t = j->t;
	const struct farm_target *ft = t->farm;

	j->out->target = strdup(ft->ref);
	j->out->state = STATUS_T_FAILED;
	j->out->platforms = calloc(t->n_sources ? t->n_sources : 1, sizeof(*j->out->platforms));
	if (!j->out->target || !j->out->platforms)
		return -1;
	j->out->n_platforms = t->n_sources;
	for (size_t k = 0; k < t->n_sources; k++) {
		struct status_platform_status *p = &j->out->platforms[k];
		p->platform = strdup(ft->sources[k].platform->name);
		p->source = strdup(ft->sources[k].ref);
		p->size = -1;
		p->optional = ft->sources[k].optional;
		if (!p->platform || !p->source)
			return -1;
	}
	return 0;
}

/* The target of job i, made now when the plan is lazy, and j bound to it. */
static int target_take(struct job_ctx *x, size_t i, struct tjob *j)
{
	const struct pub_plan_target *t;
	struct base_error err;

	if (j->t)
		return 0;
	base_error_clear(&err);
	if (pub_plan_target_take(x->plan, x->cfg, i, &t, &err) < 0) {
		pub_log(PUB_LOG_WARN, "target %zu of the plan: %s", i, err.msg);
		return -1;
	}
	pub_tjob_bind(j, t, x);
	return 0;
}

/* A lazy plan's target freed once its job is done (the record is the run's). */
static void target_let_go(struct job_ctx *x, struct tjob *j)
{
	if (!x->plan || !x->plan->places || !j->t)
		return;
	pub_plan_target_drop(x->plan, j->t);
	j->t = NULL;
	j->prev = NULL;
}

void pub_job_target(struct pub_crew *crew, size_t i, void *ctx)
{
	struct job_ctx *x = ctx;
	struct tjob *j = &x->jobs[i];
	struct reg_platform *plats = NULL;
	struct tdecide td;

	memset(&td, 0, sizeof(td));
	if (pub_stop_now(x) || target_take(x, i, j) < 0 || pub_tjob_out_init(j) < 0) {
		/* Never started (out of memory: as good as not reached): its
		 * record stays as it was. */
		status_target_status_free(j->out);
		target_let_go(x, j);
		j->not_reached = 1;
		pub_target_progress_tick(x);
		return;
	}
	pub_log_target_set(j->t->farm->ref);
	target_run(crew, x, i, &td, &plats);
	record_tag(j, &td);
	record_extra_tags(j, &td);
	j->out->digest_written = j->tag_holds && !j->not_reached;
	/* a child the re-check found missing and copied back is in place */
	for (size_t k = 0;
	     (j->out->state == STATUS_T_PUBLISHED || j->out->state == STATUS_T_UNCHANGED) &&
	     k < j->out->n_platforms;
	     k++)
		j->out->platforms[k].child_missing = 0;
	/* Cut short by the stop before its list was in place: abandoned, not
	 * failed (its children may be copied; its tag is untouched). */
	if (j->not_reached ||
	    (j->out->state == STATUS_T_FAILED && !j->tag_holds && pub_stop_now(x))) {
		j->not_reached = 1;
	} else {
		pub_job_journal_outcome(x, j); /* durable before it is told */
		pub_target_optional_warn(j);
		pub_job_target_log(j, 0, x->o->g.dry_run);
	}
	for (size_t k = 0; plats && k < j->t->n_sources; k++)
		reg_platform_free(&plats[k]);
	free(plats);
	pub_target_decide_free(&td);
	for (size_t k = 0; j->heads && k < j->t->n_sources + 1; k++)
		pub_head_slot_free(&j->heads[k]);
	free(j->heads);
	j->heads = NULL;
	for (size_t e = 0; j->extra_heads && e < j->t->n_extra; e++)
		pub_head_slot_free(&j->extra_heads[e]);
	free(j->extra_heads);
	j->extra_heads = NULL;
	/* Its record is held until the run ends: one block from here on, and
	 * the last run's block when it reads the same (an unchanged night
	 * holds one copy of each record). A failed one is not, as
	 * pub_budget_mark_limited may still reword it (out of memory: it stays
	 * as it is). */
	if (j->out->state != STATUS_T_FAILED &&
	    !(j->prev && status_target_adopt(j->out, j->prev, 0) == 1))
		(void)status_target_pack(j->out);
	target_let_go(x, j);
	pub_target_progress_tick(x);
}
