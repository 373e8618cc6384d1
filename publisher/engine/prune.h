/* prune.h — the prune job (prune.c, prune_decide.c): delete the per-arch
 * source tags whose every use is served by a published list. */
#ifndef MANIFOLD_PRUNE_H
#define MANIFOLD_PRUNE_H

#include "job.h"

/* The decision, pure: what the HEADs and the lists said, by index. */
struct pub_prune_use {
	size_t source;        /* index into the sources */
	const char *platform; /* the platform's name in the config */
	const char *child;    /* the list's image entry for it (its digest), NULL: none */
	/* the target's repository does not serve child (HEAD by digest: 404):
	 * a source holding it is the last copy */
	int child_missing;
};
struct pub_prune_in_target {
	const char *ref;
	/* why its list cannot vouch for its sources: "not published", "holds
	 * an image, not a list", an extra tag that differs, a registry error;
	 * NULL when the tag (and every extra tag) holds the list */
	const char *why_not;
	const struct pub_prune_use *uses; /* one per source, config order */
	size_t n_uses;
};
struct pub_prune_in_source {
	const char *ref;         /* one distinct per-arch source tag */
	int selected;            /* a source of a target this run prunes (--only) */
	int absent;              /* its HEAD said 404 */
	const char *error;       /* its HEAD failed otherwise, or NULL */
	const char *digest;      /* what it holds (HEAD) */
	const char *target_repo; /* a target of the config in the same repository, or NULL */
	const char *retag_to;    /* a retag: rule of the config copies it here, or NULL */
};
struct pub_prune_verdict {
	int deletable;
	char *reason; /* why kept (malloc'd), NULL when deletable or not selected */
};
/* out[i] for sources[i]: a selected source that exists is deletable only
 * when no retag: rule reads it, no target of the config lives in its
 * repository, every target using it (all of them, selected or not) is
 * satisfied: its list is there and each of its sources is gone already or
 * holds exactly that list's child for its platform; and no list's
 * repository lacks the child it holds (it would be the last copy). 0, or
 * -1 out of memory (out freed). */
int pub_prune_decide(const struct pub_prune_in_target *targets, size_t n_targets,
                     const struct pub_prune_in_source *sources, size_t n_sources,
                     struct pub_prune_verdict *out);

struct pub_prune_options {
	const char *config_path;       /* -c */
	struct pub_global g;           /* -j, --insecure */
	const char *const *only_names; /* --only NAME|REF: targets to prune; n_only 0: all */
	size_t n_only;
	int confirm; /* --confirm: delete; else a dry run */
};

enum pub_prune_action {
	PUB_PRUNE_DELETED,
	PUB_PRUNE_WOULD_DELETE, /* dry run */
	PUB_PRUNE_KEPT,
	PUB_PRUNE_FAILED, /* deletable, but the DELETE failed */
	PUB_PRUNE__COUNT
};
/* "deleted", "would-delete", "kept", "failed". */
const char *pub_prune_action_str(enum pub_prune_action a);

struct pub_prune_item {
	char *ref;    /* the source tag */
	char *digest; /* what it held, or NULL */
	enum pub_prune_action action;
	char *reason; /* why kept or failed, NULL otherwise */
};
struct pub_prune_result {
	struct pub_prune_item *items; /* every source of the pruned targets, sorted by ref */
	size_t n_items;
	int dry_run;
	int unsupported; /* the registry has deletes disabled */
	int errors;      /* registry errors met (the items say where) */
};
void pub_prune_result_free(struct pub_prune_result *r);

/* Load the config, HEAD every target tag (GET its list, HEAD each of its
 * entries in the target's repository by digest) and every source
 * of the targets to prune and of any target sharing one, decide
 * (pub_prune_decide), then per repository and digest: the repository's
 * tags (reg_tags_list, every page) and a HEAD of each, so a digest another
 * tag holds is not deleted; a HEAD of each tag to delete again, just
 * before; then DELETE by digest (with confirm). 0 when it ran (items say
 * what happened), BASE_EINPUT on a config error, -1 when it could not start. */
int pub_prune_job(const struct pub_prune_options *o, struct pub_prune_result *out,
                  struct base_error *err);

#endif
