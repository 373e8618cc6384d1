/* list_publish.c — publishing one list: every child copied into the
 * target's repository by digest, the list built deterministically, then one
 * PUT per tag that does not already hold it. */
#include <stdlib.h>
#include <string.h>

#include "engine.h"

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
	if (r < 0 && r != REG_ENOTFOUND)
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
		struct reg_ref src = ref_in_repo(target, NULL, list->digest);
		r = reg_copy_manifest(s, &src, list, &tagged, NULL, err);
	}
	if (r < 0) {
		/* The registry's error names the reference unless it came from
		 * a copy into another repository. */
		if (name && !strstr(err->msg, name))
			reg_error_wrap(err, "%s", name);
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
	size_t n_entries = n_children;
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
	{
		struct reg_ref tagged = ref_in_repo(target, target->tag, NULL);
		r = reg_manifest_head(s, &tagged, &h, err);
		if (r == 0 && strcmp(h.digest, list.digest) == 0)
			target_holds = out->tag_holds = 1;
		else if (r < 0 && r != REG_ENOTFOUND)
			goto out;
	}
	if (!target_holds) {
		out->changed = 1;
		for (size_t i = 0; !dry_run && i < n_children; i++) {
			struct reg_ref dst = ref_in_repo(target, NULL, children[i].manifest.digest);
			struct reg_copy_stats cs = {0};
			if (reg_copy_manifest(s, &children[i].resolved, &children[i].manifest, &dst,
			                      &cs, err) < 0 ||
			    pub_travel_child(s, target, &children[i], cs.manifests_put > 0, err) <
			        0) {
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
		out->tag_holds = 1;
	} else {
		for (size_t i = 0; !dry_run && i < n_children; i++) {
			if (!children[i].refresh_referrers)
				continue;
			if (pub_travel_child(s, target, &children[i], 0, err) < 0) {
				reg_error_wrap(err, "copy %s", children[i].source);
				goto out;
			}
		}
	}
	for (size_t i = 0; i < n_extra; i++) {
		if (put_tag(s, target, &extra[i], &list, dry_run, &out->changed, err) < 0) {
			out->failed_extra = &extra[i];
			reg_error_wrap(err, "extra tag");
			goto out;
		}
	}
	rc = 0;
out:
	reg_manifest_free(&list);
	reg_buf_free(&bytes);
	free(entries);
	return rc;
}
