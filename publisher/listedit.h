/* listedit.h — single-list work behind `push from-spec`, `push from-args`
 * (listpush.c), `append`, `annotate` and `delete` (listedit.c): assembling
 * one list's children, editing an existing list entry by entry, and deleting
 * a list safely. Private to publisher/ and its tests. */
#ifndef MANIFOLD_LISTEDIT_H
#define MANIFOLD_LISTEDIT_H

#include "pub.h"

/* A client (pub_client_new: cfg may be NULL) and one session on it, for the
 * single-list commands. Free the session, then the client. */
int pub_session_open(const struct farm_config *cfg, const struct pub_global *g,
                     struct reg_client **c, struct reg_session **s, struct reg_error *err);

/* ---- annotations "k=v" ------------------------------------------------- */

/* Add "key=value" to *arr (a key already present gets the new value, in
 * place). Empty key or no '=' is an error naming the text. */
int pub_annotation_add(struct reg_annotation **arr, size_t *n, const char *kv,
                       struct reg_error *err);
void pub_annotations_free(struct reg_annotation *a, size_t n);

/* Small helpers both list files use: NULL equals "" in pub_streq0; string
 * vectors are copied deep (pub_strv_dup: 0, or -1 out of memory). */
int pub_streq0(const char *a, const char *b);
void pub_strv_free(char **v, size_t n);
int pub_strv_dup(char **src, size_t n, char ***out);

/* ---- one list to push (push from-spec / from-args) --------------------- */

struct pub_single {
	struct reg_ref target;
	struct reg_ref *extra; /* extra tags, same repository (spec `tags:`, --tags) */
	size_t n_extra;
	struct pub_child *children; /* in the order the spec / --platforms gives */
	size_t n_children;
	enum reg_list_format format;
	struct reg_annotation *annotations; /* index level */
	size_t n_annotations;
	int verify; /* check each child's config against its platform */
};
void pub_single_free(struct pub_single *p);

/* farm_platform_check_fn for specs: pub_platform_check, and besides a
 * variant manifold has no table for on an architecture that has none
 * ("linux/ppc64/ppc64le", as manifest-tool specs in the wild carry) is kept
 * as written, lower-cased. */
int pub_spec_platform_check(void *ctx, const char *text, char *norm, size_t norm_len, char *why,
                            size_t why_len);

/* From a manifest-tool spec loaded by farm_config_load (cfg->is_spec, one
 * image, one tag): target, extra tags, per-platform sources, platform
 * fields (variant, os.version, os.features, features) and annotations. */
int pub_single_from_spec(const struct farm_config *cfg, struct pub_single *out,
                         struct reg_error *err);

/* manifest-tool's from-args: platforms "linux/amd64,linux/arm/v7";
 * tmpl with ARCH OS VARIANT (or {arch} {os} {variant}) tokens; target
 * "repo:tag"; tags "a,b" or NULL (extra tags in target's repository). */
int pub_single_from_args(const char *platforms, const char *tmpl, const char *target,
                         const char *tags, struct pub_single *out, struct reg_error *err);

/* Resolve every child (pub_child_resolve), then pub_list_publish the READY
 * ones. A MISSING child is an error naming its platform and source, unless
 * ignore_missing: then it is left out (its state stays MISSING so the
 * caller can warn), and only "every platform missing" is an error.
 * WRONG_PLATFORM and ERROR children always fail the push. Nothing is
 * written unless every child that takes part is READY. */
int pub_single_push(struct reg_session *s, struct pub_single *p, int ignore_missing, int dry_run,
                    struct pub_list_result *out, struct reg_error *err);

/* ---- editing an existing list ----------------------------------------- */

/* One edit of a list, applied by pub_list_edit. Every entry the edit does
 * not touch keeps its mediaType, digest, size, platform and annotations. */
struct pub_entry_edit {
	/* Which entry: an entry whose os/arch/variant/os.version are exactly
	 * these (after normalisation) wins; else the one entry that matches
	 * under containerd's rules (reg_platform_match). */
	const struct reg_platform *select;

	/* Append / replace (set digest): the entry to put in place of the
	 * selected one, or at the end when none matches. Its platform is
	 * `select`. Buildx attestation entries that point at a replaced
	 * digest are dropped with it. */
	const char *media_type;
	const char *digest;
	int64_t size;

	/* Annotate (digest NULL): the selected entry must exist. NULL keeps
	 * the field, "" removes it. */
	const char *variant;
	const char *os_version;
	int set_os_features; /* replace os.features with these */
	char **os_features;
	size_t n_os_features;
	int set_features; /* replace features with these */
	char **features;
	size_t n_features;

	/* Merged (same key: new value) into the selected / new entry and into
	 * the index. Annotations need an OCI index: a Docker list that gets
	 * any becomes one. */
	const struct reg_annotation *annotations;
	size_t n_annotations;
	const struct reg_annotation *index_annotations;
	size_t n_index_annotations;
};

struct pub_edit_result {
	struct reg_buf bytes;   /* the new list, deterministic (reg_list_build) */
	const char *media_type; /* static */
	char digest[REG_DIGEST_MAX];
	long index;    /* position of the edited entry in the new list */
	int replaced;  /* append: an entry for the platform was replaced */
	int converted; /* a Docker list became an OCI index */
};
void pub_edit_result_free(struct pub_edit_result *r);

/* Pure: apply e to list (a parsed list) and build the new bytes. Existing
 * format is kept unless it cannot carry the result (Docker list with
 * annotations or a non-Docker child → OCI index). */
int pub_list_edit(const struct reg_manifest *list, const struct pub_entry_edit *e,
                  struct pub_edit_result *out, struct reg_error *err);

/* GET target (a tag), which must be a list; apply e; PUT the new bytes to
 * the tag unless they equal what it holds (out->changed = 0). For an
 * append, `child` (resolved, READY) is first copied into target's
 * repository by digest. dry_run writes nothing. */
int pub_list_update(struct reg_session *s, const struct reg_ref *target,
                    const struct pub_entry_edit *e, const struct pub_child *child, int dry_run,
                    struct pub_list_result *out, struct pub_edit_result *edit,
                    struct reg_error *err);

/* Make child ready for `append SOURCE [--platform P]`: with platform NULL
 * the platform is read from SOURCE's image config (SOURCE must then be an
 * image, not a list); otherwise SOURCE is resolved for P (an entry of a
 * list source), checked against its config when verify. */
int pub_append_child(struct reg_session *s, const char *source, const char *platform, int verify,
                     struct pub_child *child, struct reg_error *err);

/* ---- delete ------------------------------------------------------------ */

#define PUB_EHELD    (-10) /* refused: the digest also backs other tags */
#define PUB_ENOTLIST (-11) /* refused: target is not a list */

struct pub_delete_result {
	char digest[REG_DIGEST_MAX];
	char media_type[128];
	char **other_tags; /* tags of the repository holding the same digest */
	size_t n_other_tags;
	int deleted;
};
void pub_delete_result_free(struct pub_delete_result *r);

/* Delete the list target points at (DELETE by digest — the list only; its
 * children stay). Unless force: PUB_ENOTLIST when it is an image, PUB_EHELD
 * when another tag of the repository (reg_tags_list + HEAD each) holds the
 * same digest, since a delete by digest removes every tag on it.
 * REG_EUNSUPPORTED when the registry has deletes disabled. dry_run checks
 * everything and deletes nothing. */
int pub_list_delete(struct reg_session *s, const struct reg_ref *target, int force, int dry_run,
                    struct pub_delete_result *out, struct reg_error *err);

#endif
