/* travel.c — what goes along when a child is published or copied: the
 * attestation manifests a buildx index holds for it, and its referrers
 * (signatures, SBOMs) found through the registry's referrers API, the
 * referrers tag schema or cosign's tags (publish.md, "What travels"). */
#include <stdlib.h>
#include <string.h>

#include "job_internal.h"

#define REF_DIGEST_KEY "vnd.docker.reference.digest"

static const char *annotation(const struct reg_descriptor *d, const char *key)
{
	for (size_t i = 0; i < d->n_annotations; i++)
		if (d->annotations[i].key && strcmp(d->annotations[i].key, key) == 0)
			return d->annotations[i].value;
	return NULL;
}

void pub_travel_setup(struct pub_child *c, const struct farm_image *img, int refresh_referrers)
{
	c->keep_attestations = img->attestations == FARM_ATTESTATIONS_KEEP;
	c->copy_referrers = img->referrers == FARM_REFERRERS_COPY;
	c->refresh_referrers = c->copy_referrers && refresh_referrers;
}

int pub_travel_collect(struct pub_child *c, struct base_error *err)
{
	const struct reg_manifest *l = &c->source_list;

	free(c->attestations);
	c->attestations = NULL;
	c->n_attestations = 0;
	if (!l->is_list || !c->manifest.digest)
		return 0;
	for (size_t i = 0; i < l->n_entries; i++) {
		const struct reg_descriptor *d = &l->entries[i];
		const char *subject = annotation(d, REF_DIGEST_KEY);
		size_t *n;
		if (!reg_descriptor_is_attestation(d) || !subject ||
		    strcmp(subject, c->manifest.digest) != 0 ||
		    !reg_media_type_is_image(d->media_type))
			continue;
		n = realloc(c->attestations, (c->n_attestations + 1) * sizeof(*n));
		if (!n) {
			base_error_set(err, "out of memory");
			return -1;
		}
		c->attestations = n;
		c->attestations[c->n_attestations++] = i;
	}
	return 0;
}

int pub_travel_entries(const struct pub_child *children, size_t n_children,
                       enum reg_list_format format, struct reg_list_entry **entries, size_t *n,
                       struct base_error *err)
{
	/* One platform for every attestation entry; the builder only reads it. */
	static const struct reg_platform unknown = {.os = "unknown", .architecture = "unknown"};
	size_t extra = 0;
	struct reg_list_entry *e;

	if (format == REG_LIST_DOCKER)
		return 0;
	for (size_t i = 0; i < n_children; i++)
		extra += children[i].n_attestations;
	if (!extra)
		return 0;
	e = realloc(*entries, (*n + extra) * sizeof(*e));
	if (!e) {
		base_error_set(err, "out of memory");
		return -1;
	}
	*entries = e;
	for (size_t i = 0; i < n_children; i++) {
		const struct pub_child *c = &children[i];
		for (size_t a = 0; a < c->n_attestations; a++) {
			const struct reg_descriptor *d =
			    &c->source_list.entries[c->attestations[a]];
			struct reg_list_entry *x = &e[(*n)++];
			memset(x, 0, sizeof(*x));
			x->media_type = d->media_type;
			x->digest = d->digest;
			x->size = d->size;
			x->platform = &unknown;
			x->annotations = d->annotations;
			x->n_annotations = d->n_annotations;
		}
	}
	return 0;
}

int pub_travel_referrers(struct reg_session *s, const struct reg_ref *src,
                         const struct reg_ref *dst, const char *digest, struct base_error *err)
{
	struct reg_referrers_result res;

	memset(&res, 0, sizeof(res));
	if (reg_referrers_copy(s, src, dst, digest, &res, err) < 0)
		return -1;
	if (res.api || res.tags)
		pub_log(PUB_LOG_INFO,
		        "%s/%s@%s: referrers copied to %s/%s (%lu listed by the "
		        "referrers API, %lu tags)",
		        src->registry, src->repository, digest, dst->registry, dst->repository,
		        res.api, res.tags);
	return 0;
}

/* The attestation manifests of c, from c's source repository to target's,
 * by digest (the list will name them). */
static int copy_attestations(struct reg_session *s, const struct reg_ref *target,
                             const struct pub_child *c, struct base_error *err)
{
	for (size_t a = 0; a < c->n_attestations; a++) {
		const struct reg_descriptor *d = &c->source_list.entries[c->attestations[a]];
		struct reg_ref src = reg_ref_at(&c->resolved, NULL, d->digest);
		struct reg_ref dst = reg_ref_at(target, NULL, d->digest);
		struct reg_manifest m;
		int r;

		/* reg_copy_manifest HEADs dst and writes only what is missing. */
		if (reg_manifest_get(s, &src, &m, err) < 0) {
			base_error_wrap(err, "attestation");
			return -1;
		}
		r = reg_copy_manifest(s, &src, &m, &dst, NULL, err);
		reg_manifest_free(&m);
		if (r < 0) {
			base_error_wrap(err, "attestation %s", d->digest);
			return -1;
		}
	}
	return 0;
}

/* 1 when an earlier child of the list has child k's digest (done with it). */
static int seen_before(const struct pub_child *children, size_t k)
{
	for (size_t i = 0; i < k; i++)
		if (strcmp(children[i].manifest.digest, children[k].manifest.digest) == 0)
			return 1;
	return 0;
}

int pub_travel_children(struct reg_session *s, struct pub_flights *flights,
                        const struct reg_ref *target, const struct pub_child *children, size_t n,
                        int copied, struct base_error *err)
{
	for (size_t k = 0; k < n; k++) {
		const struct pub_child *c = &children[k];
		int rc = 0;
		if (seen_before(children, k))
			continue;
		/* Another target of the run with this child in this repository
		 * did it (or does it now: identical writes race, DESIGN rule 7). */
		if (pub_flight_begin(flights, PUB_FLIGHT_TRAVEL, target, c->manifest.digest, 1) ==
		    PUB_FLIGHT_DONE)
			continue;
		if (copied)
			rc = copy_attestations(s, target, c, err);
		if (rc == 0 && c->copy_referrers && (copied || c->refresh_referrers))
			rc = pub_travel_referrers(s, &c->resolved, target, c->manifest.digest, err);
		if (flights)
			pub_flight_end(flights, PUB_FLIGHT_TRAVEL, target, c->manifest.digest,
			               rc == 0);
		if (rc < 0) {
			base_error_wrap(err, "copy %s", c->source);
			return -1;
		}
	}
	return 0;
}

int pub_travel_retag(struct reg_session *s, const struct reg_ref *src, const struct reg_ref *dst,
                     const struct reg_manifest *m, struct base_error *err)
{
	if (pub_travel_referrers(s, src, dst, m->digest, err) < 0)
		return -1;
	for (size_t i = 0; m->is_list && i < m->n_entries; i++) {
		if (reg_descriptor_is_attestation(&m->entries[i]))
			continue;
		if (pub_travel_referrers(s, src, dst, m->entries[i].digest, err) < 0)
			return -1;
	}
	return 0;
}

/* The referrers of each platform's child (as its HEAD answered), from its
 * source repository to the target's. */
static int refresh_target(struct reg_session *s, struct pub_flights *flights,
                          const struct pub_plan_target *t, const struct pub_decision *d,
                          struct base_error *err)
{
	for (size_t k = 0; k < t->n_sources && k < d->n_platforms; k++) {
		const char *digest = d->platforms[k].digest;
		int rc;
		if (!digest || pub_flight_begin(flights, PUB_FLIGHT_TRAVEL, &t->ref, digest, 1) ==
		                   PUB_FLIGHT_DONE)
			continue;
		rc = pub_travel_referrers(s, &t->sources[k].ref, &t->ref, digest, err);
		if (flights)
			pub_flight_end(flights, PUB_FLIGHT_TRAVEL, &t->ref, digest, rc == 0);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int pub_travel_unchanged(struct reg_session *s, struct pub_flights *flights, struct tjob *j,
                         const struct pub_decision *d, int dry_run)
{
	struct base_error err;

	if (dry_run || j->t->farm->image->referrers != FARM_REFERRERS_COPY)
		return 0;
	base_error_clear(&err);
	if (refresh_target(s, flights, j->t, d, &err) == 0)
		return 0;
	pub_job_note_fail(j, &err, j->t->ref.registry);
	j->out->state = STATUS_T_FAILED;
	free(j->out->reason);
	j->out->reason = strdup(err.msg);
	return -1;
}
