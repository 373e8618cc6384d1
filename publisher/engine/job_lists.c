/* job_lists.c — the single-list jobs as one call each: push (from a spec or
 * from arguments), append, annotate and delete. Each parses its references,
 * opens a session, does the work and logs what a user should know; the
 * command prints the result. */
#include <stdlib.h>
#include <string.h>

#include "list_internal.h"

/* "KEY=VALUE" texts into an annotation array. */
static int annotations_from(const char *const *kv, size_t n, struct reg_annotation **arr,
                            size_t *n_arr, struct base_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (pub_annotation_add(arr, n_arr, kv[i], err) < 0)
			return -1;
	return 0;
}

int pub_annotation_check(const char *kv, struct base_error *err)
{
	struct reg_annotation *a = NULL;
	size_t n = 0;
	int rc = pub_annotation_add(&a, &n, kv, err);
	pub_annotations_free(a, n);
	return rc;
}

/* ---- append ------------------------------------------------------------ */

static int append_entry(struct reg_session *s, const struct pub_append_options *o,
                        const struct reg_ref *target, struct pub_list_result *out,
                        struct base_error *err)
{
	struct reg_annotation *ann = NULL, *idx = NULL;
	size_t n_ann = 0, n_idx = 0;
	struct pub_child child = {0};
	struct pub_edit_result edit = {0};
	int rc = -1;

	if (annotations_from(o->annotations, o->n_annotations, &ann, &n_ann, err) < 0 ||
	    annotations_from(o->index_annotations, o->n_index_annotations, &idx, &n_idx, err) < 0)
		goto out;
	if (pub_append_child(s, o->source, o->platform, o->verify, &child, err) < 0)
		goto out;
	struct pub_entry_edit e = {
	    .select = &child.platform,
	    .media_type = child.manifest.media_type,
	    .digest = child.manifest.digest,
	    .size = (int64_t)child.manifest.raw.len,
	    .annotations = ann,
	    .n_annotations = n_ann,
	    .index_annotations = idx,
	    .n_index_annotations = n_idx,
	};
	if (pub_list_update(s, target, &e, &child, o->g.dry_run, o->allow_shrink, out, &edit, err) <
	    0)
		goto out;
	if (out->changed) {
		char *p = reg_platform_format(&child.platform);
		pub_log(PUB_LOG_INFO, "%s entry %s: %s", edit.replaced ? "replaced" : "added",
		        p ? p : "?", child.manifest.digest);
		free(p);
	}
	if (edit.converted && !out->n_held)
		pub_log(PUB_LOG_INFO, "the Docker list becomes an OCI image index (annotations "
		                      "or an OCI child need one)");
	rc = 0;
out:
	pub_edit_result_free(&edit);
	pub_child_free(&child);
	pub_annotations_free(ann, n_ann);
	pub_annotations_free(idx, n_idx);
	return rc;
}

int pub_append_run(const struct pub_append_options *o, struct pub_list_result *out,
                   struct base_error *err)
{
	struct reg_ref target = {0};
	struct reg_client *client = NULL;
	struct reg_session *sess = NULL;
	int rc = BASE_EINPUT;

	if (reg_ref_parse(o->target, &target, err) < 0)
		goto out;
	if (o->platform) {
		struct reg_platform p = {0};
		if (reg_platform_parse(o->platform, &p, err) < 0) {
			base_error_wrap(err, "--platform");
			goto out;
		}
		reg_platform_free(&p);
	}
	rc = -1;
	if (pub_session_open(NULL, &o->g, &client, &sess, err) < 0 ||
	    append_entry(sess, o, &target, out, err) < 0)
		goto out;
	rc = 0;
out:
	reg_session_free(sess);
	reg_client_free(client);
	reg_ref_free(&target);
	return rc;
}

/* ---- annotate ---------------------------------------------------------- */

int pub_annotate_run(const struct pub_annotate_options *o, struct pub_list_result *out,
                     struct base_error *err)
{
	struct reg_annotation *ann = NULL, *idx = NULL;
	size_t n_ann = 0, n_idx = 0;
	struct reg_ref target = {0};
	struct reg_platform sel = {0};
	struct reg_client *client = NULL;
	struct reg_session *sess = NULL;
	struct pub_edit_result edit = {0};
	int rc = BASE_EINPUT;

	if (annotations_from(o->annotations, o->n_annotations, &ann, &n_ann, err) < 0 ||
	    annotations_from(o->index_annotations, o->n_index_annotations, &idx, &n_idx, err) < 0 ||
	    reg_ref_parse(o->target, &target, err) < 0)
		goto out;
	if (reg_platform_parse(o->platform, &sel, err) < 0) {
		base_error_wrap(err, "--platform");
		goto out;
	}
	struct pub_entry_edit e = {
	    .select = &sel,
	    .variant = o->variant,
	    .os_version = o->os_version,
	    .verify_platform = o->verify,
	    .set_os_features = o->set_os_features,
	    .os_features = o->os_features,
	    .n_os_features = o->n_os_features,
	    .set_features = o->set_features,
	    .features = o->features,
	    .n_features = o->n_features,
	    .annotations = ann,
	    .n_annotations = n_ann,
	    .index_annotations = idx,
	    .n_index_annotations = n_idx,
	};
	rc = -1;
	if (pub_session_open(NULL, &o->g, &client, &sess, err) < 0 ||
	    pub_list_update(sess, &target, &e, NULL, o->g.dry_run, o->allow_shrink, out, &edit,
	                    err) < 0)
		goto out;
	if (edit.converted && !out->n_held)
		pub_log(PUB_LOG_INFO, "the Docker list becomes an OCI image index (annotations "
		                      "need one)");
	rc = 0;
out:
	pub_edit_result_free(&edit);
	reg_session_free(sess);
	reg_client_free(client);
	reg_platform_free(&sel);
	reg_ref_free(&target);
	pub_annotations_free(ann, n_ann);
	pub_annotations_free(idx, n_idx);
	return rc;
}

/* ---- delete ------------------------------------------------------------ */

int pub_delete_run(const struct pub_delete_options *o, struct pub_delete_result *out,
                   struct base_error *err)
{
	struct reg_ref target = {0};
	struct reg_client *client = NULL;
	struct reg_session *sess = NULL;
	int rc = BASE_EINPUT;

	if (reg_ref_parse(o->target, &target, err) < 0)
		goto out;
	rc = -1;
	if (pub_session_open(NULL, &o->g, &client, &sess, err) < 0 ||
	    pub_list_delete(sess, &target, o->force, o->g.dry_run, out, err) < 0)
		goto out;
	for (size_t i = 0; i < out->n_other_tags; i++)
		pub_log(PUB_LOG_WARN, "tag %s held the same digest and is %s too (--force)",
		        out->other_tags[i], o->g.dry_run ? "to be deleted" : "deleted");
	rc = 0;
out:
	reg_session_free(sess);
	reg_client_free(client);
	reg_ref_free(&target);
	return rc;
}

/* ---- push from-spec / from-args --------------------------------------- */

/* The list to push, from the spec file or the arguments, with the
 * --annotation values on top. BASE_EINPUT when the input is wrong. */
static int push_input(const struct pub_push_options *o, struct farm_config **cfg,
                      struct pub_single *single, struct base_error *err)
{
	if (o->spec_file) {
		struct farm_load_options lo = {.platform_check = pub_spec_platform_check};
		struct farm_error ferr = {0};
		if (farm_config_load(o->spec_file, &lo, cfg, &ferr) < 0) {
			base_error_set(err, "%s", ferr.msg);
			return BASE_EINPUT;
		}
		if (!(*cfg)->is_spec) {
			base_error_set(err,
			               "%s is a manifold config, not a manifest-tool spec; use "
			               "'manifold publish -c %s'",
			               o->spec_file, o->spec_file);
			return BASE_EINPUT;
		}
		if (pub_single_from_spec(*cfg, single, err) < 0)
			return BASE_EINPUT;
	} else if (pub_single_from_args(o->platforms, o->template_ref, o->target, o->tags, single,
	                                err) < 0) {
		return BASE_EINPUT;
	}
	/* --annotation adds to (and overrides) the spec's index annotations. */
	for (size_t i = 0; i < o->n_annotations; i++) {
		if (pub_annotation_add(&single->annotations, &single->n_annotations,
		                       o->annotations[i], err) < 0) {
			base_error_wrap(err, "--annotation");
			return BASE_EINPUT;
		}
	}
	if (!o->verify)
		single->verify = 0;
	single->allow_shrink = o->allow_shrink;
	single->overwrite = o->overwrite;
	return 0;
}

int pub_push_run(const struct pub_push_options *o, struct pub_list_result *out,
                 struct base_error *err)
{
	struct farm_config *cfg = NULL;
	struct pub_single single = {0};
	struct reg_client *client = NULL;
	struct reg_session *sess = NULL;
	int rc;

	rc = push_input(o, &cfg, &single, err);
	if (rc < 0)
		goto out;
	rc = -1;
	if (pub_session_open(cfg, &o->g, &client, &sess, err) < 0 ||
	    pub_single_push(sess, &single, o->ignore_missing, o->g.dry_run, out, err) < 0)
		goto out;
	for (size_t i = 0; i < single.n_children; i++) {
		const struct pub_child *c = &single.children[i];
		if (c->state != STATUS_P_MISSING)
			continue;
		char *p = reg_platform_format(&c->platform);
		pub_log(PUB_LOG_WARN, "%s: left out, %s does not exist (--ignore-missing)",
		        p ? p : "?", c->source);
		free(p);
	}
	rc = 0;
out:
	reg_session_free(sess);
	reg_client_free(client);
	pub_single_free(&single);
	farm_config_free(cfg);
	return rc;
}
