/* config_level.h — the keys manifold's config lets both `defaults` and an
 * image set (config_level.c reads them the same way for both; config_image.c
 * resolves an image's values over the defaults'). Only config_*.c include
 * this. */
#ifndef MANIFOLD_FARM_CONFIG_LEVEL_H
#define MANIFOLD_FARM_CONFIG_LEVEL_H

#include "farm_internal.h"

enum farm_level_key {
	K_REGISTRY,
	K_PLATFORMS,
	K_OPTIONAL,
	K_SOURCE,
	K_TARGET,
	K_SOURCES,
	K_FORMAT,
	K_VERIFY,
	K_SHRINK,
	K_ATTESTATIONS,
	K_REFERRERS,
	K_ANNOTATIONS,
	K_OVERWRITE,
	K_RECHECK,
	K_SIGN_KEY,
	K_REQUIRE_SIG,
	K_COUNT
};

/* The keys' names, in enum order, NULL-terminated. */
extern const char *const farm_level_keys[K_COUNT + 1];

#define BIT(k) (1u << (k))

/* What one mapping (defaults, or one image) sets of the shared keys. */
struct farm_level {
	const struct farm_node *at[K_COUNT]; /* each key's value node, NULL when not set */
	unsigned bad;                        /* BIT(key): set, but not valid */
	char *registry, *source, *target;
	int value[K_COUNT]; /* K_FORMAT, K_VERIFY, K_SHRINK, K_ATTESTATIONS, K_REFERRERS,
	                     * K_OVERWRITE, K_RECHECK (days) */
	struct farm_platform *platforms, *optional;
	size_t n_platforms, n_optional;
	struct farm_kv *sources; /* normalised platform → template */
	size_t n_sources;
	struct farm_kv *annotations;
	size_t n_annotations;
	struct farm_key_ref *sign_key, *require_sig; /* config_sign.c */
	size_t n_require_sig;
	/* defaults only: the platforms (required, optional, with the
	 * defaults' sources) the images that set none of theirs share, made
	 * by the first such image; NULL: each image has its own copy. */
	struct farm_shared_platforms *shared;
};

/* One resolved platform list for every image that takes the defaults'
 * unchanged, instead of a copy each (a config of 100,000 images × 5
 * platforms saves about 1 KiB an image). The config owns it once read
 * (farm_config.shared_platforms). */
struct farm_shared_platforms {
	struct farm_platform *v;
	size_t n;
};
/* Frees the list (its owner: the load, until the config takes it). */
void farm_shared_platforms_clear(struct farm_shared_platforms *s);

/* Reads the shared keys n sets into l (other keys are left to the
 * caller); -1 when any failed (each failure's key is in l->bad). */
int farm_level_read(struct farm_ctx *x, const struct farm_node *n, struct farm_level *l);
void farm_level_clear(struct farm_level *l);
/* Each platform of `list` (the list under key `name`, read from `node`)
 * that `other` has too is an error naming both places. */
int farm_platforms_conflict(struct farm_ctx *x, const struct farm_node *node, const char *name,
                            const struct farm_platform *list, size_t n,
                            const struct farm_platform *other, size_t m, const char *label);
/* The image's value when it sets a valid one, else the defaults', else def. */
int farm_level_pick(const struct farm_level *own, const struct farm_level *d, enum farm_level_key k,
                    int def);
/* The level whose list applies to the image: its own when it sets one. */
const struct farm_level *farm_level_of(const struct farm_level *own, const struct farm_level *d,
                                       enum farm_level_key k);

/* config_image.c: the `images` list, each image with the defaults d
 * resolved into it; names collects the images' names (duplicates are
 * errors). */
int farm_images_read(struct farm_ctx *x, const struct farm_node *v, const struct farm_level *d,
                     struct farm_config *c, struct farm_names *names);
/* One item of it, the idx-th, into im (the caller frees it with
 * farm_image_clear); names NULL: no duplicate check (a second reading). */
int farm_image_read(struct farm_ctx *x, const struct farm_node *n, const struct farm_level *d,
                    struct farm_image *im, size_t idx, struct farm_names *names);
/* config_read.c: `defaults` into d (d->bad all set when it is no mapping). */
void farm_defaults_read(struct farm_ctx *x, const struct farm_node *v, struct farm_level *d);
/* The retag rules of `retag` into c->retag; with images_ok, the checks
 * against the images too (their names in known, c->images all of them). */
int farm_retag_read(struct farm_ctx *x, const struct farm_node *n, struct farm_config *c,
                    const struct farm_strset *known, int images_ok);
/* 0 when rule may cover im: it copies no tag of im onto itself, and im
 * has a registry when the rule uses {registry} (the checks read_rule
 * makes over every image, one image at a time). */
int farm_retag_rule_fits(const struct farm_retag_rule *rule, const struct farm_image *im);

#endif
