/* child.c — one entry of a list to be: resolve a per-arch source to the
 * image manifest it names (taking a list source's entry for the platform)
 * and check the image config's platform (DESIGN.md protocol rules 3 and 5). */
#include <stdlib.h>
#include <string.h>

#include "job_internal.h"

void pub_child_free(struct pub_child *c)
{
	if (!c)
		return;
	free(c->source);
	reg_platform_free(&c->platform);
	for (size_t i = 0; i < c->n_annotations; i++) {
		free(c->annotations[i].key);
		free(c->annotations[i].value);
	}
	free(c->annotations);
	free(c->reason);
	reg_ref_free(&c->resolved);
	reg_manifest_free(&c->manifest);
	reg_manifest_free(&c->source_list);
	free(c->attestations);
	if (c->prefetched)
		reg_manifest_free(c->prefetched);
	free(c->prefetched);
	memset(c, 0, sizeof(*c));
}

static void child_set(struct pub_child *c, enum status_platform_state state, const char *reason)
{
	c->state = state;
	free(c->reason);
	c->reason = reason ? strdup(reason) : NULL;
}

/* resolved = the source's repository at `digest`, no tag. */
static int set_resolved(struct pub_child *c, const struct reg_ref *src, const char *digest,
                        struct base_error *err)
{
	reg_ref_free(&c->resolved);
	memset(&c->resolved, 0, sizeof(c->resolved));
	c->resolved.registry = strdup(src->registry);
	c->resolved.repository = strdup(src->repository);
	c->resolved.digest = strdup(digest);
	if (!c->resolved.registry || !c->resolved.repository || !c->resolved.digest) {
		base_error_set(err, "out of memory");
		return -1;
	}
	return 0;
}

/* The image config must name the platform the child is published as
 * (catches an amd64 build pushed under the arm64 tag). */
static int child_verify(struct reg_session *s, struct pub_child *c, struct base_error *err)
{
	struct base_buf cfg = {0};
	struct reg_platform have = {0};
	char *want_s = NULL, *have_s = NULL;
	int rc = -1;

	if (!c->manifest.config.digest) {
		base_error_set(err, "%s: image manifest has no config", c->source);
		child_set(c, STATUS_P_ERROR, err->msg);
		return -1;
	}
	if (reg_blob_get(s, &c->resolved, c->manifest.config.digest, REG_CONFIG_MAX, &cfg, err) <
	    0) {
		base_error_wrap(err, "%s: image config", c->source);
		child_set(c, STATUS_P_ERROR, err->msg);
		goto out;
	}
	if (reg_image_config_platform(cfg.data, cfg.len, &have, err) < 0) {
		base_error_wrap(err, "%s: image config", c->source);
		child_set(c, STATUS_P_ERROR, err->msg);
		goto out;
	}
	if (!reg_platform_match(&c->platform, &have)) {
		want_s = reg_platform_format(&c->platform);
		have_s = reg_platform_format(&have);
		base_error_clear(err);
		base_error_set(err, "%s: image config says %s", want_s ? want_s : "?",
		               have_s ? have_s : "?");
		child_set(c, STATUS_P_WRONG_PLATFORM, err->msg);
		goto out;
	}
	c->verified = 1;
	rc = 0;
out:
	free(want_s);
	free(have_s);
	reg_platform_free(&have);
	base_buf_free(&cfg);
	return rc;
}

/* A list's entry for the platform that is itself a list (reg_list_select
 * takes images only), or NULL. */
static const struct reg_descriptor *nested_entry(const struct reg_manifest *top,
                                                 const struct reg_platform *want)
{
	for (size_t i = 0; i < top->n_entries; i++) {
		const struct reg_descriptor *d = &top->entries[i];
		if (d->has_platform && !reg_descriptor_is_attestation(d) &&
		    reg_media_type_is_list(d->media_type) && reg_platform_match(want, &d->platform))
			return d;
	}
	return NULL;
}

/* The source tag holds a list (buildx output): take its entry for the
 * child's platform, never a nested list (reg_list_select skips attestation
 * entries). 0, or -1 with the child's state set. top may be taken (moved
 * into c->source_list). */
static int child_from_list(struct reg_session *s, struct pub_child *c, const struct reg_ref *src,
                           struct reg_manifest *top, struct base_error *err)
{
	long idx = reg_list_select(top, &c->platform);
	const struct reg_descriptor *d;
	struct reg_ref child_ref = {0};
	int r;

	if (idx < 0) {
		const struct reg_descriptor *nested = nested_entry(top, &c->platform);
		char *want_s = reg_platform_format(&c->platform);
		if (nested) {
			/* Not missing: the platform is there, in a form a list
			 * entry cannot take (DESIGN rule 3). */
			base_error_set(err, "%s: entry %s for %s is itself a list", c->source,
			               nested->digest, want_s ? want_s : "?");
			child_set(c, STATUS_P_ERROR, err->msg);
		} else {
			base_error_set(err, "%s: list has no entry for %s", c->source,
			               want_s ? want_s : "?");
			child_set(c, STATUS_P_MISSING, err->msg);
		}
		free(want_s);
		return -1;
	}
	d = &top->entries[idx];
	if (reg_media_type_is_list(d->media_type)) {
		base_error_set(err, "%s: entry %s is itself a list", c->source, d->digest);
		child_set(c, STATUS_P_ERROR, err->msg);
		return -1;
	}
	child_ref.registry = src->registry;
	child_ref.repository = src->repository;
	child_ref.digest = d->digest;
	r = reg_manifest_get(s, &child_ref, &c->manifest, err);
	if (r < 0) {
		child_set(c, r == BASE_ENOTFOUND ? STATUS_P_MISSING : STATUS_P_ERROR, err->msg);
		return -1;
	}
	if (c->manifest.is_list) {
		base_error_set(err, "%s: entry %s is itself a list", c->source, d->digest);
		child_set(c, STATUS_P_ERROR, err->msg);
		return -1;
	}
	c->from_list = 1;
	if (c->keep_attestations) {
		c->source_list = *top;
		memset(top, 0, sizeof(*top));
		if (pub_travel_collect(c, err) < 0) {
			child_set(c, STATUS_P_ERROR, err->msg);
			return -1;
		}
	}
	pub_log(PUB_LOG_INFO, "%s is a list; using its entry %s", c->source, c->manifest.digest);
	return 0;
}

/* Forget what an earlier resolve found. */
static void child_reset(struct pub_child *c)
{
	c->from_list = 0;
	c->verified = 0;
	reg_manifest_free(&c->manifest);
	memset(&c->manifest, 0, sizeof(c->manifest));
	reg_manifest_free(&c->source_list);
	memset(&c->source_list, 0, sizeof(c->source_list));
	free(c->attestations);
	c->attestations = NULL;
	c->n_attestations = 0;
	child_set(c, STATUS_P_ERROR, NULL);
}

int pub_child_resolve(struct reg_session *s, struct pub_child *c, int verify,
                      struct base_error *err)
{
	struct reg_ref parsed = {0};
	const struct reg_ref *src = c->source_ref;
	struct reg_manifest top = {0};
	int rc = -1, r;

	child_reset(c);
	if (!src && reg_ref_parse(c->source, &parsed, err) < 0) {
		child_set(c, STATUS_P_ERROR, err->msg);
		goto out;
	}
	if (!src)
		src = &parsed;
	if (c->prefetched) {
		top = *c->prefetched;
		free(c->prefetched);
		c->prefetched = NULL;
		r = 0;
	} else {
		r = reg_manifest_get(s, src, &top, err);
	}
	if (r == BASE_ENOTFOUND) {
		child_set(c, STATUS_P_MISSING, "not found");
		goto out;
	}
	if (r < 0) {
		child_set(c, STATUS_P_ERROR, err->msg);
		goto out;
	}
	if (top.is_list) {
		if (child_from_list(s, c, src, &top, err) < 0)
			goto out;
	} else {
		c->manifest = top;
		memset(&top, 0, sizeof(top));
	}
	if (set_resolved(c, src, c->manifest.digest, err) < 0) {
		child_set(c, STATUS_P_ERROR, err->msg);
		goto out;
	}
	if (verify) {
		if (c->verified_digest && strcmp(c->verified_digest, c->manifest.digest) == 0)
			c->verified = 1;
		else if (child_verify(s, c, err) < 0)
			goto out;
	}
	child_set(c, STATUS_P_READY, NULL);
	rc = 0;
out:
	reg_manifest_free(&top);
	reg_ref_free(&parsed);
	return rc;
}

/* ref with the same registry and repository as `repo`, at tag or digest;
 * borrows repo's strings (do not free). */
