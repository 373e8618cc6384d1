/* list_edit.c — editing an existing list entry by entry (append, annotate),
 * rebuilt deterministically with every other entry kept exactly, and
 * deleting a list with its safety checks. */
#include <stdlib.h>
#include <string.h>

#include "list_internal.h"

/* Same key: the later value, at the earlier place. Pointers are borrowed. */
static int ann_merge(const struct reg_annotation *a, size_t na, const struct reg_annotation *b,
                     size_t nb, struct reg_annotation **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (na + nb == 0)
		return 0;
	struct reg_annotation *m = calloc(na + nb, sizeof(*m));
	if (!m)
		return -1;
	size_t cnt = 0;
	for (size_t i = 0; i < na; i++)
		m[cnt++] = a[i];
	for (size_t j = 0; j < nb; j++) {
		size_t k;
		for (k = 0; k < cnt; k++)
			if (strcmp(m[k].key, b[j].key) == 0)
				break;
		if (k < cnt)
			m[k].value = b[j].value;
		else
			m[cnt++] = b[j];
	}
	*out = m;
	*n = cnt;
	return 0;
}

/* ---- editing a list ---------------------------------------------------- */

void pub_edit_result_free(struct pub_edit_result *r)
{
	if (!r)
		return;
	base_buf_free(&r->bytes);
	memset(r, 0, sizeof(*r));
}

static int plat_exact(const struct reg_platform *want, const struct reg_platform *have)
{
	return status_streq0(want->os, have->os) &&
	       status_streq0(want->architecture, have->architecture) &&
	       status_streq0(want->variant, have->variant) &&
	       (!want->os_version || status_streq0(want->os_version, have->os_version));
}

/* Index of the entry for `want`: -1 none; -2 several match (err says which). */
static long entry_find(const struct reg_manifest *list, const struct reg_platform *want,
                       struct base_error *err)
{
	long found = -1;
	size_t hits = 0;

	for (size_t i = 0; i < list->n_entries; i++) {
		const struct reg_descriptor *d = &list->entries[i];
		if (d->has_platform && !reg_descriptor_is_attestation(d) &&
		    plat_exact(want, &d->platform))
			return (long)i;
	}
	for (size_t i = 0; i < list->n_entries; i++) {
		const struct reg_descriptor *d = &list->entries[i];
		if (!d->has_platform || reg_descriptor_is_attestation(d))
			continue;
		if (reg_platform_match(want, &d->platform)) {
			hits++;
			found = (long)i;
		}
	}
	if (hits > 1) {
		char *w = reg_platform_format(want);
		base_error_set(err, "%s matches %zu entries of the list; give the exact platform",
		               w ? w : "platform", hits);
		free(w);
		return -2;
	}
	return found;
}

static const char *ann_get(const struct reg_descriptor *d, const char *key)
{
	for (size_t i = 0; i < d->n_annotations; i++)
		if (strcmp(d->annotations[i].key, key) == 0)
			return d->annotations[i].value;
	return NULL;
}

/* "linux/amd64, linux/s390x" for messages. */
static void entries_describe(const struct reg_manifest *list, char *buf, size_t cap)
{
	buf[0] = '\0';
	for (size_t i = 0; i < list->n_entries; i++) {
		const struct reg_descriptor *d = &list->entries[i];
		if (!d->has_platform || reg_descriptor_is_attestation(d))
			continue;
		char *p = reg_platform_format(&d->platform);
		size_t used = strlen(buf);
		if (p && used < cap)
			snprintf(buf + used, cap - used, "%s%s", used ? ", " : "", p);
		free(p);
	}
}

/* The annotated platform: d's with e's changes, re-validated. */
static int platform_annotate(const struct reg_platform *old, const struct pub_entry_edit *e,
                             struct reg_platform *out, struct base_error *err)
{
	const char *variant = e->variant ? e->variant : old->variant;
	const char *osv = e->os_version ? e->os_version : old->os_version;

	if (variant && !*variant)
		variant = NULL;
	if (osv && !*osv)
		osv = NULL;
	if (reg_platform_from_parts(old->os, old->architecture, variant, osv, out, err) < 0)
		return -1;
	char **osf = e->set_os_features ? e->os_features : old->os_features;
	size_t n_osf = e->set_os_features ? e->n_os_features : old->n_os_features;
	char **f = e->set_features ? e->features : old->features;
	size_t n_f = e->set_features ? e->n_features : old->n_features;
	if (status_strv_dup(osf, n_osf, &out->os_features) < 0 ||
	    status_strv_dup(f, n_f, &out->features) < 0) {
		base_error_set(err, "out of memory");
		return -1;
	}
	out->n_os_features = n_osf;
	out->n_features = n_f;
	return 0;
}

/* Keep the list's format unless a Docker list cannot carry the result
 * (annotations, a child that is not a Docker image): then *converted = 1
 * and it becomes an OCI index. */
static enum reg_list_format edit_format(const struct reg_manifest *list,
                                        const struct reg_list_entry *ents, size_t n,
                                        size_t n_idx_ann, int *converted)
{
	int docker_ok = n_idx_ann == 0;

	if (!list->media_type || strcmp(list->media_type, REG_MT_DOCKER_LIST) != 0)
		return REG_LIST_OCI;
	for (size_t i = 0; i < n && docker_ok; i++)
		docker_ok = ents[i].n_annotations == 0 && ents[i].media_type &&
		            strcmp(ents[i].media_type, REG_MT_DOCKER_MANIFEST) == 0;
	*converted = !docker_ok;
	return docker_ok ? REG_LIST_DOCKER : REG_LIST_OCI;
}

/* The new list's entries into ents (room for list->n_entries + 1): every
 * entry as it is but the selected one (sel), edited or replaced (an
 * attestation of a replaced image goes with it), or the new entry at the
 * end (sel < 0). out->index and out->replaced say where. The count. */
static size_t edit_entries(const struct reg_manifest *list, const struct pub_entry_edit *e,
                           long sel, const struct reg_platform *edited,
                           const struct reg_annotation *ent_ann, size_t n_ent_ann,
                           struct reg_list_entry *ents, struct pub_edit_result *out)
{
	int appending = e->digest != NULL;
	const char *replaced_digest = sel >= 0 && appending ? list->entries[sel].digest : NULL;
	size_t n = 0;

	for (size_t i = 0; i < list->n_entries; i++) {
		const struct reg_descriptor *d = &list->entries[i];
		struct reg_list_entry *le = &ents[n];
		if ((long)i != sel && replaced_digest && reg_descriptor_is_attestation(d) &&
		    status_streq0(ann_get(d, "vnd.docker.reference.digest"), replaced_digest))
			continue; /* attests an image that is no longer in the list */
		if ((long)i == sel) {
			out->index = (long)n;
			out->replaced = appending;
			le->media_type = appending ? e->media_type : d->media_type;
			le->digest = appending ? e->digest : d->digest;
			le->size = appending ? e->size : d->size;
			le->platform = appending ? e->select : edited;
			le->annotations = ent_ann;
			le->n_annotations = n_ent_ann;
		} else {
			le->media_type = d->media_type;
			le->digest = d->digest;
			le->size = d->size;
			le->platform = d->has_platform ? &d->platform : NULL;
			le->annotations = d->annotations;
			le->n_annotations = d->n_annotations;
		}
		n++;
	}
	if (sel < 0) {
		out->index = (long)n;
		ents[n++] = (struct reg_list_entry){.media_type = e->media_type,
		                                    .digest = e->digest,
		                                    .size = e->size,
		                                    .platform = e->select,
		                                    .annotations = ent_ann,
		                                    .n_annotations = n_ent_ann};
	}
	return n;
}

int pub_list_edit(const struct reg_manifest *list, const struct pub_entry_edit *e,
                  struct pub_edit_result *out, struct base_error *err)
{
	struct reg_list_entry *ents = NULL;
	struct reg_annotation *ent_ann = NULL, *idx_ann = NULL;
	size_t n_ent_ann = 0, n_idx_ann = 0, n = 0;
	struct reg_platform edited = {0};
	int rc = -1, appending = e->digest != NULL;

	memset(out, 0, sizeof(*out));
	out->index = -1;
	if (!list->is_list) {
		base_error_set(err, "not a list (%s)", list->media_type ? list->media_type : "?");
		return -1;
	}
	long sel = entry_find(list, e->select, err);
	if (sel == -2)
		return -1;
	if (sel < 0 && !appending) {
		char have[512], *w = reg_platform_format(e->select);
		entries_describe(list, have, sizeof(have));
		base_error_set(err, "no entry for %s in the list (it has: %s)", w ? w : "platform",
		               have[0] ? have : "none");
		free(w);
		return -1;
	}

	ents = calloc(list->n_entries + 1, sizeof(*ents));
	if (!ents)
		goto oom;
	if (appending) {
		if (ann_merge(NULL, 0, e->annotations, e->n_annotations, &ent_ann, &n_ent_ann) < 0)
			goto oom;
	} else {
		const struct reg_descriptor *d = &list->entries[sel];
		if (platform_annotate(&d->platform, e, &edited, err) < 0)
			goto out;
		if (ann_merge(d->annotations, d->n_annotations, e->annotations, e->n_annotations,
		              &ent_ann, &n_ent_ann) < 0)
			goto oom;
	}
	n = edit_entries(list, e, sel, &edited, ent_ann, n_ent_ann, ents, out);
	if (ann_merge(list->annotations, list->n_annotations, e->index_annotations,
	              e->n_index_annotations, &idx_ann, &n_idx_ann) < 0)
		goto oom;

	enum reg_list_format fmt = edit_format(list, ents, n, n_idx_ann, &out->converted);
	if (reg_list_build(fmt, ents, n, idx_ann, n_idx_ann, &out->bytes, &out->media_type, err) <
	    0)
		goto out;
	reg_digest_sha256(out->bytes.data, out->bytes.len, out->digest);
	rc = 0;
	goto out;
oom:
	base_error_set(err, "out of memory");
out:
	free(ents);
	free(ent_ann);
	free(idx_ann);
	reg_platform_free(&edited);
	if (rc < 0)
		pub_edit_result_free(out);
	return rc;
}

/* Annotate: the edited platform of the entry e selects must be the one
 * its image's config names (as publish checks each child, DESIGN.md
 * protocol rule 5): "linux/arm/v5" on an arm/v7 build is refused. */
static int annotate_verify(struct reg_session *s, const struct reg_ref *target,
                           const struct reg_manifest *list, const struct pub_entry_edit *e,
                           struct base_error *err)
{
	struct reg_platform edited = {0}, have = {0};
	struct reg_manifest child = {0};
	struct base_buf cfg = {0};
	struct reg_ref ref = {target->registry, target->repository, NULL, NULL};
	char *want_s = NULL, *have_s = NULL;
	long sel = entry_find(list, e->select, err);
	int rc = -1;

	if (sel < 0)
		return sel == -2 ? -1 : 0; /* pub_list_edit says why */
	if (platform_annotate(&list->entries[sel].platform, e, &edited, err) < 0)
		goto out;
	ref.digest = list->entries[sel].digest;
	if (reg_manifest_get(s, &ref, &child, err) < 0) {
		base_error_wrap(err, "entry %s", ref.digest);
		goto out;
	}
	if (child.is_list || !child.config.digest) {
		base_error_set(err,
		               "entry %s: not an image with a config; its platform cannot be "
		               "checked (--no-verify-platform skips the check)",
		               ref.digest);
		goto out;
	}
	if (reg_blob_get(s, &ref, child.config.digest, REG_CONFIG_MAX, &cfg, err) < 0 ||
	    reg_image_config_platform(cfg.data, cfg.len, &have, err) < 0) {
		base_error_wrap(err, "entry %s: image config", ref.digest);
		goto out;
	}
	if (!reg_platform_match(&edited, &have)) {
		want_s = reg_platform_format(&edited);
		have_s = reg_platform_format(&have);
		base_error_set(err,
		               "entry %s would read %s, but its image config says %s "
		               "(--no-verify-platform skips the check)",
		               ref.digest, want_s ? want_s : "?", have_s ? have_s : "?");
		goto out;
	}
	rc = 0;
out:
	free(want_s);
	free(have_s);
	base_buf_free(&cfg);
	reg_manifest_free(&child);
	reg_platform_free(&have);
	reg_platform_free(&edited);
	return rc;
}

/* G1 on the edited tag: the new list (edit's bytes) against the one it
 * holds. An append adds a platform or replaces the entry that matches it,
 * so it never drops one; an annotate that changes a variant or os.version
 * can. */
static int edit_guard(const char *name, const struct reg_manifest *list,
                      const struct pub_edit_result *edit, int allow_shrink,
                      struct pub_list_result *out, struct base_error *err)
{
	struct reg_manifest next = {0};
	const struct reg_platform **plats = NULL;
	size_t n = 0;
	int rc = -1;

	if (allow_shrink)
		return 0;
	if (reg_manifest_parse(edit->bytes.data, edit->bytes.len, edit->media_type, &next, err) < 0)
		return -1;
	if (!(plats = calloc(next.n_entries ? next.n_entries : 1, sizeof(*plats)))) {
		base_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < next.n_entries; i++)
		if (next.entries[i].has_platform &&
		    !reg_descriptor_is_attestation(&next.entries[i]))
			plats[n++] = &next.entries[i].platform;
	/* the tag holds a list (checked): manifold's, so overwrite is moot */
	rc = pub_list_guard(name, list, plats, n, 0, 1, out, err);
out:
	free(plats);
	reg_manifest_free(&next);
	return rc;
}

int pub_list_update(struct reg_session *s, const struct reg_ref *target,
                    const struct pub_entry_edit *e, const struct pub_child *child, int dry_run,
                    int allow_shrink, struct pub_list_result *out, struct pub_edit_result *edit,
                    struct base_error *err)
{
	struct reg_manifest list = {0};
	struct reg_ref dst = {0};
	char *name = reg_ref_format(target);
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(edit, 0, sizeof(*edit));
	if (!target->tag) {
		base_error_set(err, "%s: needs a tag (a list is edited under its tag)",
		               name ? name : "target");
		goto out;
	}
	if ((rc = reg_manifest_get(s, target, &list, err)) < 0)
		goto out;
	rc = -1;
	if (!list.is_list) {
		base_error_set(err, "%s: holds an image (%s), not a list", name ? name : "target",
		               list.media_type ? list.media_type : "?");
		goto out;
	}
	if (pub_list_edit(&list, e, edit, err) < 0 ||
	    (!e->digest && e->verify_platform && (e->variant || e->os_version) &&
	     annotate_verify(s, target, &list, e, err) < 0)) {
		base_error_wrap(err, "%s", name ? name : "target");
		goto out;
	}
	snprintf(out->digest, sizeof(out->digest), "%s", edit->digest);
	out->media_type = edit->media_type;
	out->size = edit->bytes.len;
	out->changed = !status_streq0(edit->digest, list.digest);
	if (out->changed &&
	    edit_guard(name ? name : "target", &list, edit, allow_shrink, out, err) < 0)
		goto out;
	if (out->n_held)
		out->changed = 0;
	if (dry_run || !out->changed) {
		rc = 0;
		goto out;
	}
	if (child) {
		/* A list's children must live in its own repository (DESIGN 1). */
		dst.registry = target->registry;
		dst.repository = target->repository;
		dst.digest = child->manifest.digest;
		if (reg_copy_manifest(s, &child->resolved, &child->manifest, &dst, NULL, err) < 0)
			goto out;
	}
	if (reg_manifest_put(s, target, edit->media_type, edit->bytes.data, edit->bytes.len, NULL,
	                     err) < 0)
		goto out;
	rc = 0;
out:
	reg_manifest_free(&list);
	free(name);
	return rc;
}

int pub_append_child(struct reg_session *s, const char *source, const char *platform, int verify,
                     struct pub_child *child, struct base_error *err)
{
	struct reg_ref ref = {0};
	struct reg_manifest m = {0};
	struct base_buf cfg = {0};
	int rc = -1;

	memset(child, 0, sizeof(*child));
	if (!(child->source = strdup(source))) {
		base_error_set(err, "out of memory");
		return -1;
	}
	if (platform) {
		if (reg_platform_parse(platform, &child->platform, err) < 0) {
			base_error_wrap(err, "--platform");
			return -1;
		}
	} else {
		/* No --platform: the image says what it is. */
		if (reg_ref_parse(source, &ref, err) < 0)
			goto out;
		if (reg_manifest_get(s, &ref, &m, err) < 0)
			goto out;
		if (m.is_list) {
			base_error_set(err,
			               "%s is a list; say which of its platforms with --platform",
			               source);
			goto out;
		}
		if (reg_blob_get(s, &ref, m.config.digest, REG_CONFIG_MAX, &cfg, err) < 0 ||
		    reg_image_config_platform(cfg.data, cfg.len, &child->platform, err) < 0) {
			base_error_wrap(err, "%s: image config", source);
			goto out;
		}
		verify = 0;
	}
	if (pub_child_resolve(s, child, verify, err) < 0) {
		if (child->state == STATUS_P_MISSING)
			base_error_set(err, "%s: not found%s%s", source, child->reason ? ": " : "",
			               child->reason ? child->reason : "");
		else if (child->state == STATUS_P_WRONG_PLATFORM)
			base_error_set(err, "%s: %s", source,
			               child->reason ? child->reason : "wrong platform");
		goto out;
	}
	rc = 0;
out:
	reg_ref_free(&ref);
	reg_manifest_free(&m);
	base_buf_free(&cfg);
	return rc;
}

/* ---- delete ------------------------------------------------------------ */

void pub_delete_result_free(struct pub_delete_result *r)
{
	if (!r)
		return;
	reg_tags_free(r->other_tags, r->n_other_tags);
	memset(r, 0, sizeof(*r));
}

int pub_tags_holding(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                     const char *const *skip, size_t n_skip, char ***out, size_t *n_out,
                     struct base_error *err)
{
	char **tags = NULL;
	size_t n = 0;
	struct reg_ref probe = {0};
	int rc = -1;

	*out = NULL;
	*n_out = 0;
	if (reg_tags_list(s, repo, &tags, &n, err) < 0)
		goto out;
	*out = calloc(n ? n : 1, sizeof(char *));
	if (!*out) {
		base_error_set(err, "out of memory");
		goto out;
	}
	probe.registry = repo->registry;
	probe.repository = repo->repository;
	for (size_t i = 0; i < n; i++) {
		struct reg_head h = {0};
		size_t k = 0;
		while (k < n_skip && strcmp(tags[i], skip[k]) != 0)
			k++;
		if (k < n_skip)
			continue;
		probe.tag = tags[i];
		int hr = reg_manifest_head(s, &probe, &h, err);
		if (hr == BASE_ENOTFOUND)
			continue; /* deleted since the listing */
		if (hr < 0)
			goto out;
		if (strcmp(h.digest, digest) == 0) {
			(*out)[(*n_out)++] = tags[i];
			tags[i] = NULL;
		}
	}
	rc = 0;
out:
	if (rc < 0) {
		reg_tags_free(*out, *n_out);
		*out = NULL;
		*n_out = 0;
	}
	reg_tags_free(tags, n);
	return rc;
}

/* Tags of target's repository, other than target's own, whose HEAD answers
 * digest. */
static int other_holders(struct reg_session *s, const struct reg_ref *target, const char *digest,
                         struct pub_delete_result *out, struct base_error *err)
{
	const char *own = target->tag;
	return pub_tags_holding(s, target, digest, own ? &own : NULL, own ? 1 : 0, &out->other_tags,
	                        &out->n_other_tags, err);
}

int pub_list_delete(struct reg_session *s, const struct reg_ref *target, int force, int dry_run,
                    struct pub_delete_result *out, struct base_error *err)
{
	struct reg_head h = {0};
	struct reg_ref dref = {0};
	char *name = reg_ref_format(target);
	const char *nm = name ? name : "target";
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = reg_manifest_head(s, target, &h, err)) < 0)
		goto out;
	rc = -1;
	if (target->digest)
		snprintf(out->digest, sizeof(out->digest), "%s", target->digest);
	else if (reg_digest_valid(h.digest))
		snprintf(out->digest, sizeof(out->digest), "%s", h.digest);
	else {
		struct reg_manifest m = {0};
		if (reg_manifest_get(s, target, &m, err) < 0)
			goto out;
		snprintf(out->digest, sizeof(out->digest), "%s", m.digest);
		snprintf(h.media_type, sizeof(h.media_type), "%s",
		         m.media_type ? m.media_type : "");
		reg_manifest_free(&m);
	}
	snprintf(out->media_type, sizeof(out->media_type), "%s", h.media_type);
	if (!reg_media_type_is_list(h.media_type) && !force) {
		base_error_set(
		    err, "%s is an image (%s), not a list; delete refused (--force deletes it)", nm,
		    h.media_type[0] ? h.media_type : "unknown type");
		rc = BASE_ENOTLIST;
		goto out;
	}
	/* A delete by digest removes every tag on that digest, so say which. */
	if (other_holders(s, target, out->digest, out, err) < 0) {
		base_error_wrap(err, "%s: not deleted: other tags may hold it", nm);
		goto out;
	}
	if (out->n_other_tags && !force) {
		char tags[512] = "";
		for (size_t i = 0; i < out->n_other_tags; i++) {
			size_t used = strlen(tags);
			if (used < sizeof(tags))
				snprintf(tags + used, sizeof(tags) - used, "%s%s", i ? ", " : "",
				         out->other_tags[i]);
		}
		base_error_set(err,
		               "%s (%s) also backs tag%s %s; deleting it would remove %s too "
		               "(--force deletes anyway)",
		               nm, out->digest, out->n_other_tags > 1 ? "s" : "", tags,
		               out->n_other_tags > 1 ? "them" : "it");
		rc = BASE_EHELD;
		goto out;
	}
	if (dry_run) {
		rc = 0;
		goto out;
	}
	dref.registry = target->registry;
	dref.repository = target->repository;
	dref.digest = out->digest;
	rc = reg_manifest_delete(s, &dref, err);
	if (rc == BASE_EUNSUPPORTED) {
		base_error_set(err,
		               "%s: the registry has deletes disabled (405); nothing was deleted. "
		               "On a distribution registry set storage.delete.enabled: true "
		               "(REGISTRY_STORAGE_DELETE_ENABLED=true)",
		               nm);
		goto out;
	}
	if (rc < 0)
		goto out;
	out->deleted = 1;
	rc = 0;
out:
	free(name);
	return rc;
}
