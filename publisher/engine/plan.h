/* plan.h — engine-private: the run's plan (plan.c): the config's targets
 * this run works on, each reference parsed once, and what the run knows of
 * the others (a hash each, counts, the keys their images name). */
#ifndef MANIFOLD_PLAN_H
#define MANIFOLD_PLAN_H

#include "engine_internal.h"

/* One per-arch source of a target: the farm plan's (platform, annotations,
 * the reference as configured) and that reference parsed. */
struct pub_plan_source {
	const struct farm_source *farm;
	struct reg_ref ref;
};

/* One target with every reference parsed once, when the plan is made. */
struct pub_plan_target {
	const struct farm_target *farm; /* image, tag, reference texts */
	struct reg_ref ref;             /* the target tag */
	char *repo;                     /* "registry/repository" of ref */
	struct reg_ref *extra;          /* farm->extra_refs, parsed */
	size_t n_extra;
	struct pub_plan_source *sources; /* farm->sources, parsed, config order */
	size_t n_sources;
	void *packed; /* held by the plan: one block of its strings and arrays */
};

/* This run's targets of the config (pub_plan_filter: --only, --shard; all
 * without one), each with its references parsed, and what the run needs to
 * know of the others: a hash of every target's reference, and counts.
 * Points into the config, which must outlive it; free with pub_plan_free. */
struct pub_plan {
	struct farm_plan *farm;          /* owned: the kept targets, expanded */
	struct pub_plan_target *targets; /* parallel to farm->targets; NULL when lazy */
	size_t n_targets;
	/* lazy (pub_plan_filter.lazy): where each of the run's targets is, an
	 * index of cfg->images and of that image's tags */
	struct pub_plan_place {
		uint32_t image, tag;
	} * places;
	uint64_t *known; /* farm_ref_hash of every target of the config, sorted */
	size_t n_known;
	size_t n_all;             /* targets in the config */
	size_t n_all_sources;     /* their sources (children), all told */
	size_t n_only;            /* targets --only kept, before the shard split */
	unsigned char *only_seen; /* per filter->only name: it matched a target */
	size_t n_images;          /* images in the config, held or not */
	size_t n_image_platforms; /* their platforms not shared with the defaults */
	/* The keys of the images the run does not hold (a shard's others), one
	 * of each file or variable and kind: pub_signing_new loads them too, so
	 * a key that cannot be read stops every shard alike. Owned copies. */
	struct pub_plan_key {
		struct farm_key_ref ref;
		int priv; /* 1 sign-key, 0 require-signature */
	} * other_keys;
	size_t n_other_keys;
};

/* Which targets a plan keeps: those --only names (n_only 0: all), then of
 * those the shard's (shard_count 0: no sharding; farm_shard_has). */
struct pub_plan_filter {
	const char *const *only;
	size_t n_only;
	unsigned shard_index, shard_count;
	/* the run's targets are made one at a time when a worker takes one up
	 * (pub_plan_target_take): the plan holds where each is, not the
	 * target, so a night of many targets holds none it is not working on */
	int lazy;
};

/* Expand cfg target by target and parse every target, extra-tag and source
 * reference; keep those f selects (f NULL: all). A reference that does not
 * parse, in any target, is a config error: BASE_EINPUT, the message names
 * the config place, what the reference is for and the cause; so is an
 * --only name that matches no target. */
int pub_plan_make(const struct farm_config *cfg, const struct pub_plan_filter *f,
                  struct pub_plan **out, struct base_error *err);
/* The config at path read and its plan made as pub_plan_make makes it,
 * but the config holds only the images that have a target f keeps (an
 * image at a time: farm_load_options.keep_image), so that a shard holds
 * its own images only; the plan's counts and hashes are of every target.
 * *cfg and *out are the caller's (NULL on failure). */
int pub_plan_load(const char *path, const struct pub_plan_filter *f, struct farm_config **cfg,
                  struct pub_plan **out, struct base_error *err);
void pub_plan_free(struct pub_plan *p); /* NULL safe */
/* The targets freed, what the plan knows of the config kept (known,
 * counts, keys): once the jobs are done, the status write asks only
 * pub_plan_knows. NULL safe. */
void pub_plan_drop_targets(struct pub_plan *p);
/* Target i of the plan: made from the config when the plan is lazy (freed
 * by pub_plan_target_drop), else the one it holds. 0, or -1 out of memory
 * (the references parsed when the plan was made, so nothing else fails). */
int pub_plan_target_take(const struct pub_plan *p, const struct farm_config *cfg, size_t i,
                         const struct pub_plan_target **out, struct base_error *err);
void pub_plan_target_drop(const struct pub_plan *p, const struct pub_plan_target *t);
/* 1 when the config has a target of reference ref (by its hash). */
int pub_plan_knows(const struct pub_plan *p, const char *ref);

/* Of a whole plan (pub_plan_make without a filter), targets by index, plan
 * order: what prune looks at among every target. */
struct pub_plan_selection {
	size_t *index; /* malloc'd; the caller frees */
	size_t n;
	size_t n_only; /* targets --only kept, before the shard split */
};
/* --only NAME|REF... (n_only 0: all; a name matching nothing is
 * BASE_EINPUT) and shard index of count (count 0: no sharding;
 * farm_shard_has). */
int pub_plan_select(const struct pub_plan *plan, const char *const *only, size_t n_only,
                    unsigned shard_index, unsigned shard_count, struct pub_plan_selection *out,
                    struct base_error *err);

#endif
