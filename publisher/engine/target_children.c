/* target_children.c — one target's children: each made from its source
 * and config platform, resolved (GET, config check) on the worker's crew,
 * and the check that a published list still has every child. */

#include <stdlib.h>
#include <string.h>

#include "sign.h"
#include "target_internal.h"

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

void pub_target_resolve_one(struct reg_session *s, size_t k, void *ctx)
{
	struct resolve_run *rr = ctx;
	struct pub_decide_child *v = &rr->td->src[k].child;
	const struct pub_decide_platform *dp = &rr->td->d.platforms[k];

	base_error_clear(&rr->errs[k]);
	if (!dp->included)
		return; /* an optional platform its HEAD left out */
	if (rr->check && dp->verified) {
		/* check needs no bytes: verified at this digest already */
		*v = (struct pub_decide_child){.state = STATUS_P_READY,
		                               .digest = dp->digest,
		                               .media_type = dp->media_type,
		                               .size = dp->size,
		                               .verified = 1};
		return;
	}
	if (child_init(&rr->j->t->sources[k], &rr->plats[k], rr->td->d.platforms[k].verified_digest,
	               &rr->kids[k]) < 0) {
		v->state = STATUS_P_ERROR;
		v->reason = "out of memory";
		return;
	}
	if (rr->j->heads && rr->j->heads[k].got && dp->digest &&
	    strcmp(rr->j->heads[k].got->digest, dp->digest) == 0) {
		rr->kids[k].prefetched = rr->j->heads[k].got; /* asked once: taken */
		rr->j->heads[k].got = NULL;
	}
	pub_travel_setup(&rr->kids[k], rr->j->t->farm->image, rr->j->refresh_referrers);
	pub_child_resolve(s, &rr->kids[k], rr->j->verify, &rr->errs[k]);
	child_view(&rr->kids[k], &rr->errs[k], v);
}

/* GET every child (verifying platforms not already verified at their
 * digest), all at once, and decide again from what they are. */
int pub_target_resolve_children(struct pub_crew *crew, struct tjob *j, struct tdecide *td,
                                const struct reg_platform *plats, struct pub_child *kids,
                                struct base_error *errs)
{
	struct resolve_run rr = {j, td, plats, kids, errs, 0};

	pub_crew_run(crew, j->t->n_sources, pub_target_resolve_one, &rr);
	/* noted here, not on the crew's threads: j is this thread's */
	for (size_t k = 0; k < j->t->n_sources; k++)
		if (kids[k].state == STATUS_P_ERROR && !j->t->sources[k].farm->optional)
			pub_job_note_fail(j, &errs[k], j->t->sources[k].ref.registry);
	td->in.children_known = 1;
	return pub_target_redecide(td);
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

int pub_target_children_hole(struct pub_crew *crew, struct tjob *j, const struct tdecide *td)
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
		/* recorded while the night is not green: a copy-back that
		 * fails leaves the target failed with the child named */
		if (k < j->out->n_platforms)
			j->out->platforms[k].child_missing = 1;
		pub_log(PUB_LOG_DEBUG, "%s: %s child %s is missing from %s", j->out->target,
		        j->t->sources[k].farm->platform->name, td->d.platforms[k].digest,
		        j->t->repo);
	}
	free(missing);
	return hole;
}
