/* child.c — assembling one list: resolve each per-arch source to the image
 * manifest it names (taking a list source's entry for the platform, checking
 * the image config's platform), copy the children into the target
 * repository, build the list bytes and PUT them (DESIGN.md protocol rules 1–5). */
#include <stdlib.h>
#include <string.h>

#include "pub.h"

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
	memset(c, 0, sizeof(*c));
}

static void child_set(struct pub_child *c, enum pub_platform_state state, const char *reason)
{
	c->state = state;
	free(c->reason);
	c->reason = reason ? strdup(reason) : NULL;
}

/* resolved = the source's repository at `digest`, no tag. */
static int set_resolved(struct pub_child *c, const struct reg_ref *src, const char *digest,
                        struct reg_error *err)
{
	reg_ref_free(&c->resolved);
	memset(&c->resolved, 0, sizeof(c->resolved));
	c->resolved.registry = strdup(src->registry);
	c->resolved.repository = strdup(src->repository);
	c->resolved.digest = strdup(digest);
	if (!c->resolved.registry || !c->resolved.repository || !c->resolved.digest) {
		reg_error_set(err, "out of memory");
		return -1;
	}
	return 0;
}

/* The image config must name the platform the child is published as
 * (catches an amd64 build pushed under the arm64 tag). */
static int child_verify(struct reg_session *s, struct pub_child *c, struct reg_error *err)
{
	struct reg_buf cfg = {0};
	struct reg_platform have = {0};
	char *want_s = NULL, *have_s = NULL;
	int rc = -1;

	if (!c->manifest.config.digest) {
		reg_error_set(err, "%s: image manifest has no config", c->source);
		child_set(c, PUB_P_ERROR, err->msg);
		return -1;
	}
	if (reg_blob_get(s, &c->resolved, c->manifest.config.digest, REG_CONFIG_MAX, &cfg, err) <
	    0) {
		reg_error_wrap(err, "%s: image config", c->source);
		child_set(c, PUB_P_ERROR, err->msg);
		goto out;
	}
	if (reg_image_config_platform(cfg.data, cfg.len, &have, err) < 0) {
		reg_error_wrap(err, "%s: image config", c->source);
		child_set(c, PUB_P_ERROR, err->msg);
		goto out;
	}
	if (!reg_platform_match(&c->platform, &have)) {
		want_s = reg_platform_format(&c->platform);
		have_s = reg_platform_format(&have);
		reg_error_clear(err);
		reg_error_set(err, "%s: image config says %s", want_s ? want_s : "?",
		              have_s ? have_s : "?");
		child_set(c, PUB_P_WRONG_PLATFORM, err->msg);
		goto out;
	}
	c->verified = 1;
	rc = 0;
out:
	free(want_s);
	free(have_s);
	reg_platform_free(&have);
	reg_buf_free(&cfg);
	return rc;
}

int pub_child_resolve(struct reg_session *s, struct pub_child *c, int verify, struct reg_error *err)
{
	struct reg_ref src = {0};
	struct reg_manifest top = {0};
	char *want_s = NULL;
	int rc = -1, r;

	c->from_list = 0;
	c->verified = 0;
	reg_manifest_free(&c->manifest);
	memset(&c->manifest, 0, sizeof(c->manifest));
	child_set(c, PUB_P_ERROR, NULL);
	if (reg_ref_parse(c->source, &src, err) < 0) {
		child_set(c, PUB_P_ERROR, err->msg);
		goto out;
	}
	r = reg_manifest_get(s, &src, &top, err);
	if (r == REG_ENOTFOUND) {
		child_set(c, PUB_P_MISSING, "not found");
		goto out;
	}
	if (r < 0) {
		child_set(c, PUB_P_ERROR, err->msg);
		goto out;
	}
	if (top.is_list) {
		/* buildx output: take the entry for our platform, never nest lists;
		 * reg_list_select skips attestation entries. */
		long idx = reg_list_select(&top, &c->platform);
		const struct reg_descriptor *d;
		struct reg_ref child_ref = {0};
		if (idx < 0) {
			want_s = reg_platform_format(&c->platform);
			reg_error_set(err, "%s: list has no entry for %s", c->source,
			              want_s ? want_s : "?");
			child_set(c, PUB_P_MISSING, err->msg);
			goto out;
		}
		d = &top.entries[idx];
		if (reg_media_type_is_list(d->media_type)) {
			reg_error_set(err, "%s: entry %s is itself a list", c->source, d->digest);
			child_set(c, PUB_P_ERROR, err->msg);
			goto out;
		}
		child_ref.registry = src.registry;
		child_ref.repository = src.repository;
		child_ref.digest = d->digest;
		r = reg_manifest_get(s, &child_ref, &c->manifest, err);
		if (r < 0) {
			child_set(c, r == REG_ENOTFOUND ? PUB_P_MISSING : PUB_P_ERROR, err->msg);
			goto out;
		}
		if (c->manifest.is_list) {
			reg_error_set(err, "%s: entry %s is itself a list", c->source, d->digest);
			child_set(c, PUB_P_ERROR, err->msg);
			goto out;
		}
		c->from_list = 1;
		pub_log(PUB_LOG_INFO, "%s is a list; using its entry %s", c->source,
		        c->manifest.digest);
	} else {
		c->manifest = top;
		memset(&top, 0, sizeof(top));
	}
	if (set_resolved(c, &src, c->manifest.digest, err) < 0) {
		child_set(c, PUB_P_ERROR, err->msg);
		goto out;
	}
	if (verify) {
		if (c->verified_digest && strcmp(c->verified_digest, c->manifest.digest) == 0)
			c->verified = 1;
		else if (child_verify(s, c, err) < 0)
			goto out;
	}
	child_set(c, PUB_P_READY, NULL);
	rc = 0;
out:
	free(want_s);
	reg_manifest_free(&top);
	reg_ref_free(&src);
	return rc;
}

/* ref with the same registry and repository as `repo`, at tag or digest;
 * borrows repo's strings (do not free). */
static struct reg_ref ref_in_repo(const struct reg_ref *repo, const char *tag, const char *digest)
{
	struct reg_ref r = {.registry = repo->registry,
	                    .repository = repo->repository,
	                    .tag = (char *)tag,
	                    .digest = (char *)digest};
	return r;
}

static int same_repo(const struct reg_ref *a, const struct reg_ref *b)
{
	return reg_ref_same_registry(a, b) && strcmp(a->repository, b->repository) == 0;
}

/* Make `dst` (a tag) hold the list bytes unless it already does. The list's
 * children are in `target`'s repository; another repository gets them via
 * reg_copy_manifest of the whole list. */
static int put_tag(struct reg_session *s, const struct reg_ref *target, const struct reg_ref *dst,
                   const struct reg_manifest *list, int dry_run, int *changed,
                   struct reg_error *err)
{
	struct reg_head h;
	struct reg_ref tagged = ref_in_repo(dst, dst->tag, NULL);
	char *name = reg_ref_format(&tagged);
	int r, rc = -1;

	r = reg_manifest_head(s, &tagged, &h, err);
	if (r == 0 && strcmp(h.digest, list->digest) == 0) {
		rc = 0;
		goto out;
	}
	if (r < 0 && r != REG_ENOTFOUND) {
		reg_error_wrap(err, "%s", name ? name : dst->repository);
		goto out;
	}
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
		struct reg_ref src = ref_in_repo(target, NULL, list->digest);
		r = reg_copy_manifest(s, &src, list, &tagged, NULL, err);
	}
	if (r < 0) {
		reg_error_wrap(err, "%s", name ? name : dst->repository);
		goto out;
	}
	pub_log(PUB_LOG_DEBUG, "%s -> %s", name ? name : dst->repository, list->digest);
	rc = 0;
out:
	free(name);
	return rc;
}

int pub_list_publish(struct reg_session *s, const struct reg_ref *target,
                     const struct reg_ref *extra, size_t n_extra, struct pub_child *children,
                     size_t n_children, enum reg_list_format format,
                     const struct reg_annotation *annotations, size_t n_annotations, int dry_run,
                     struct pub_list_result *out, struct reg_error *err)
{
	struct reg_list_entry *entries = NULL;
	struct reg_buf bytes = {0};
	struct reg_manifest list = {0};
	const char *mt = NULL;
	int rc = -1, r;
	struct reg_head h;
	int target_holds = 0;

	memset(out, 0, sizeof(*out));
	if (n_children == 0) {
		reg_error_set(err, "a list needs at least one entry");
		return -1;
	}
	entries = calloc(n_children, sizeof(*entries));
	if (!entries) {
		reg_error_set(err, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n_children; i++) {
		const struct pub_child *c = &children[i];
		if (c->state != PUB_P_READY || !c->manifest.digest) {
			reg_error_set(err, "%s: not ready", c->source);
			goto out;
		}
		entries[i].media_type = c->manifest.media_type;
		entries[i].digest = c->manifest.digest;
		entries[i].size = (int64_t)c->manifest.raw.len;
		entries[i].platform = &c->platform;
		entries[i].annotations = c->annotations;
		entries[i].n_annotations = c->n_annotations;
	}
	if (reg_list_build(format, entries, n_children, annotations, n_annotations, &bytes, &mt,
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
	{
		struct reg_ref tagged = ref_in_repo(target, target->tag, NULL);
		r = reg_manifest_head(s, &tagged, &h, err);
		if (r == 0 && strcmp(h.digest, list.digest) == 0)
			target_holds = 1;
		else if (r < 0 && r != REG_ENOTFOUND)
			goto out;
	}
	if (!target_holds) {
		out->changed = 1;
		for (size_t i = 0; !dry_run && i < n_children; i++) {
			struct reg_ref dst = ref_in_repo(target, NULL, children[i].manifest.digest);
			if (reg_copy_manifest(s, &children[i].resolved, &children[i].manifest, &dst,
			                      NULL, err) < 0) {
				reg_error_wrap(err, "copy %s", children[i].source);
				goto out;
			}
		}
		if (!dry_run) {
			struct reg_ref tagged = ref_in_repo(target, target->tag, NULL);
			char dg[REG_DIGEST_MAX];
			if (reg_manifest_put(s, &tagged, mt, bytes.data, bytes.len, dg, err) < 0)
				goto out;
		}
	}
	for (size_t i = 0; i < n_extra; i++)
		if (put_tag(s, target, &extra[i], &list, dry_run, &out->changed, err) < 0)
			goto out;
	rc = 0;
out:
	reg_manifest_free(&list);
	reg_buf_free(&bytes);
	free(entries);
	return rc;
}
