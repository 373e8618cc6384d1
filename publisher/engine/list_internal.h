/* list_internal.h — engine-private: one list assembled from its children
 * (child.c, list_publish.c, readback.c, travel.c), a list pushed from a
 * spec or arguments (single.c), an existing list edited (list_edit.c) or
 * deleted. Used by the publish run and the single-list jobs. */
#ifndef MANIFOLD_LIST_INTERNAL_H
#define MANIFOLD_LIST_INTERNAL_H

#include "engine_internal.h"
#include "lists.h"

/* ---- assembling one list (publish, push from-spec/from-args) ----------- */

/* One entry of a list to publish. The caller fills source, platform (as it
 * is to be written in the list) and annotations; pub_child_resolve fills the
 * rest. Free with pub_child_free. */
struct pub_child {
	char *source;                     /* per-arch reference as configured */
	const struct reg_ref *source_ref; /* optional: source parsed already (a plan's);
	                                   * borrowed, outlives the child */
	struct reg_platform platform;     /* the entry's platform, written as given */
	struct reg_annotation *annotations;
	size_t n_annotations;
	/* filled by pub_child_resolve */
	enum status_platform_state state;
	char *reason;                 /* why not ready, or NULL */
	int from_list;                /* the source tag was itself a list; its entry was taken */
	struct reg_ref resolved;      /* source repository @ child digest */
	struct reg_manifest manifest; /* the child image manifest, exact bytes */
	/* optional input: the config check already passed at this child digest
	 * (status file cache), so it is skipped when the child resolves to it */
	const char *verified_digest;
	/* optional input: the source's manifest read already (a target with no
	 * record has its sources GET, not HEAD: publish.md, "Requests of a
	 * first publish"); taken by pub_child_resolve instead of a GET */
	struct reg_manifest *prefetched;
	int verified; /* filled: the child's config matched (now or cached) */
	/* What travels with the child (travel.c); inputs, 0 by default. */
	int keep_attestations; /* keep a list source's attestations for this child */
	int copy_referrers;    /* copy its referrers when the child is copied */
	int refresh_referrers; /* and when it is in the target repository already */
	/* filled by pub_child_resolve when keep_attestations and the source
	 * is a list: that list, and the indexes of its attestation entries
	 * whose vnd.docker.reference.digest is the child, in list order */
	struct reg_manifest source_list;
	size_t *attestations;
	size_t n_attestations;
};
void pub_child_free(struct pub_child *c);

/* GET the source; when it is a list take its entry for c->platform
 * (attestations skipped); when verify, GET the config blob and check its
 * platform. Sets c->state: READY, MISSING (404 / no entry for the platform),
 * WRONG_PLATFORM (config says otherwise; reason names both), or ERROR
 * (err filled, reason set). Returns 0 when READY, -1 otherwise. */
int pub_child_resolve(struct reg_session *s, struct pub_child *c, int verify,
                      struct base_error *err);

/* Children must all be READY. Copies every child into target's repository
 * (reg_copy_manifest by digest), builds the list (reg_list_build, entries
 * in the order given), and PUTs it to target's tag and every extra ref
 * unless that tag already holds the digest. *changed = 1 when any tag was
 * written. With dry_run nothing is written; digest and bytes are still
 * computed. digest_out gets the list digest, media_type_out a static string,
 * size_out the list size (struct pub_list_result: lists.h). */
int pub_list_publish(struct reg_session *s, const struct reg_ref *target,
                     const struct reg_ref *extra, size_t n_extra, struct pub_child *children,
                     size_t n_children, enum reg_list_format format,
                     const struct reg_annotation *annotations, size_t n_annotations, int dry_run,
                     struct pub_list_result *out, struct base_error *err);

/* Read after write (readback.c): HEAD tag until it answers digest, retried
 * with backoff (0.1 s doubling to 2 s) for pub_readback_budget_ms() in all.
 * 0 when it does; else -1, err naming the digest, the tries and what the
 * tag answered last. One HEAD when the registry is consistent. */
int pub_tag_readback(struct reg_session *s, const struct reg_ref *tag, const char *digest,
                     struct base_error *err);
/* MANIFOLD_READBACK_TIMEOUT_MS (0..600000) when set, else 10000. */
long pub_readback_budget_ms(void);
/* ---- single-list work (single.c, list_edit.c) ---------------------------- */

/* ---- annotations "k=v" ------------------------------------------------- */

/* Add "key=value" to *arr (a key already present gets the new value, in
 * place). Empty key or no '=' is an error naming the text. */
int pub_annotation_add(struct reg_annotation **arr, size_t *n, const char *kv,
                       struct base_error *err);
void pub_annotations_free(struct reg_annotation *a, size_t n);

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
	int verify;                  /* check each child's config against its platform */
	int allow_shrink, overwrite; /* G1, G3 on its tags: list_guard.c */
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
                         struct base_error *err);

/* manifest-tool's from-args: platforms "linux/amd64,linux/arm/v7";
 * tmpl with ARCH OS VARIANT (or {arch} {os} {variant}) tokens; target
 * "repo:tag"; tags "a,b" or NULL (extra tags in target's repository). */
int pub_single_from_args(const char *platforms, const char *tmpl, const char *target,
                         const char *tags, struct pub_single *out, struct base_error *err);

/* Resolve every child (pub_child_resolve), then pub_list_publish the READY
 * ones. A MISSING child is an error naming its platform and source, unless
 * ignore_missing: then it is left out (its state stays MISSING so the
 * caller can warn), and only "every platform missing" is an error.
 * WRONG_PLATFORM and ERROR children always fail the push. Nothing is
 * written unless every child that takes part is READY, and every tag
 * (target and extra) passes pub_tags_guard: else out->held says which
 * did not, and the list is only computed (a dry run). */
int pub_single_push(struct reg_session *s, struct pub_single *p, int ignore_missing, int dry_run,
                    struct pub_list_result *out, struct base_error *err);

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
	/* pub_list_update: when variant or os_version changes, the child's
	 * image config must name the edited platform, as publish checks */
	int verify_platform;
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
	struct base_buf bytes;  /* the new list, deterministic (reg_list_build) */
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
                  struct pub_edit_result *out, struct base_error *err);

/* GET target (a tag), which must be a list; apply e (for an annotate with
 * e->verify_platform that changes the platform: first check the child's
 * image config names the edited platform); PUT the new bytes to
 * the tag unless they equal what it holds (out->changed = 0), or the new
 * list would serve fewer platforms (G1, unless allow_shrink: out->held).
 * For an append, `child` (resolved, READY) is first copied into target's
 * repository by digest. dry_run writes nothing. */
int pub_list_update(struct reg_session *s, const struct reg_ref *target,
                    const struct pub_entry_edit *e, const struct pub_child *child, int dry_run,
                    int allow_shrink, struct pub_list_result *out, struct pub_edit_result *edit,
                    struct base_error *err);

/* Make child ready for `append SOURCE [--platform P]`: with platform NULL
 * the platform is read from SOURCE's image config (SOURCE must then be an
 * image, not a list); otherwise SOURCE is resolved for P (an entry of a
 * list source), checked against its config when verify. */
int pub_append_child(struct reg_session *s, const char *source, const char *platform, int verify,
                     struct pub_child *child, struct base_error *err);

/* ---- G1 and G3 on the tags a single-list command writes (list_guard.c) -- */

/* Pure: may a list serving next (n_next platforms) replace what tag
 * `name` holds, cur (NULL: nothing)? An image is someone else's (these
 * commands write lists only): held NOT_MANIFOLDS unless overwrite. A list
 * is taken as manifold's; each of its platforms (attestations aside) that
 * no platform of next matches (reg_platform_match) would be lost: held
 * SHRINK unless allow_shrink. A held tag is added to out->held. 0, or -1
 * out of memory (err). */
int pub_list_guard(const char *name, const struct reg_manifest *cur,
                   const struct reg_platform *const *next, size_t n_next, int allow_shrink,
                   int overwrite, struct pub_list_result *out, struct base_error *err);

/* GET every tag p writes (the target, then each extra tag once) and
 * pub_list_guard it against next, before anything is written. 0 with
 * out->held filled (possibly none); -1 when a tag could not be read (err
 * names it): then nothing may be written either. */
int pub_tags_guard(struct reg_session *s, const struct pub_single *p,
                   const struct reg_platform *const *next, size_t n_next,
                   struct pub_list_result *out, struct base_error *err);

/* ---- delete ------------------------------------------------------------ */

/* Delete the list target points at (DELETE by digest — the list only; its
 * children stay). Unless force: BASE_ENOTLIST when it is an image, BASE_EHELD
 * when another tag of the repository (reg_tags_list + HEAD each) holds the
 * same digest, since a delete by digest removes every tag on it.
 * BASE_EUNSUPPORTED when the registry has deletes disabled. dry_run checks
 * everything and deletes nothing. */
int pub_list_delete(struct reg_session *s, const struct reg_ref *target, int force, int dry_run,
                    struct pub_delete_result *out, struct base_error *err);

/* The tags of repo's repository (reg_tags_list, every page), other than
 * those in skip, whose HEAD answers digest: what a DELETE of that digest
 * would remove besides them. *out (n_out tags) is the caller's, free with
 * reg_tags_free. */
int pub_tags_holding(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                     const char *const *skip, size_t n_skip, char ***out, size_t *n_out,
                     struct base_error *err);

#endif
