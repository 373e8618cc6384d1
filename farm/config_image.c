/* config_image.c — the `images` list of manifold's config: each image's
 * name and tags, its own values over the defaults' (platforms, per-platform
 * sources and annotations, templates, policies), and the check that no
 * platform's source is the image's own target. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_level.h"

#define DEFAULT_SOURCE "{registry}/{name}-{arch}:{tag}"
#define DEFAULT_TARGET "{registry}/{name}:{tag}"

/* Tags and extra tags share one namespace: an extra tag equal to a tag
 * would overwrite that tag's own list. */
static int read_tags(struct farm_ctx *x, const struct farm_node *n, struct farm_image *im,
                     const struct farm_node *tags_node, int extra)
{
	char **v;
	size_t nv;
	if (farm_get_string_list(x, n, &v, &nv) < 0)
		return -1;
	if (extra) {
		im->extra_tags = v;
		im->n_extra_tags = nv;
	} else {
		im->tags = v;
		im->n_tags = nv;
		if (nv == 0)
			return farm_fail(x, n, "empty list, want at least one tag");
	}
	/* The image's tags (for extra tags), then this list's: a tag seen
	 * before names where it was first. */
	struct farm_strset seen = {0}, own = {0};
	int rc = 0;
	for (size_t j = 0; extra && j < im->n_tags; j++)
		if (farm_strset_add(&seen, im->tags[j], j, NULL) < 0)
			rc = farm_fail(x, n, "out of memory");
	for (size_t i = 0; rc == 0 && i < nv; i++) {
		size_t mark = farm_path_index(x, i), at = 0;
		const struct farm_node *first = NULL;
		int r = 0, dup;
		if (!farm_tag_ok(v[i]))
			r = farm_fail(x, n->items[i], "\"%s\" is not a valid tag", v[i]);
		if (r == 0 && extra && farm_strset_find(&seen, v[i], &at))
			first = tags_node->items[at];
		if (r == 0 && !first) {
			if ((dup = farm_strset_add(&own, v[i], i, &at)) < 0)
				r = farm_fail(x, n->items[i], "out of memory");
			else if (dup)
				first = n->items[at];
		}
		if (r == 0 && first)
			r = farm_fail(x, n->items[i], "duplicate tag \"%s\" (first at %d:%d)", v[i],
			              first->line, first->column);
		farm_path_pop(x, mark);
		rc |= r;
	}
	farm_strset_free(&seen);
	farm_strset_free(&own);
	return rc;
}

/* The index of the image platform a `platform-annotations` key names
 * (after normalisation), or -1 with the error set. */
static long platform_key(struct farm_ctx *x, const struct farm_node *key,
                         const struct farm_image *im)
{
	struct farm_platform p = {0};
	if (farm_platform_set(x, key, key->scalar, &p) < 0)
		return -1;
	long found = -1;
	for (size_t i = 0; i < im->n_platforms; i++)
		if (strcmp(im->platforms[i].name, p.name) == 0)
			found = (long)i;
	farm_platform_clear(&p);
	if (found < 0)
		return farm_fail(x, key, "\"%s\" is not one of this image's platforms",
		                 key->scalar);
	return found;
}

static int read_platform_annotations(struct farm_ctx *x, const struct farm_node *n,
                                     struct farm_image *im)
{
	if (farm_check_mapping(x, n, NULL) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n->n_pairs; i++) {
		const struct farm_node *key = n->pairs[i].key;
		size_t mark = farm_path_key(x, key->scalar);
		long k = platform_key(x, key, im);
		int r = k < 0 ? -1 : 0;
		struct farm_platform *p = r == 0 ? &im->platforms[k] : NULL;
		if (r == 0 && p->annotations)
			r = farm_fail(x, key, "\"%s\" names the same platform as an earlier key",
			              key->scalar);
		if (r == 0)
			r = farm_get_kv_map(x, n->pairs[i].value, &p->annotations,
			                    &p->n_annotations);
		farm_path_pop(x, mark);
		rc |= r;
	}
	return rc;
}

static const char *const image_required[] = {"name", "tags", NULL};
static const char *const image_optional[] = {
    "extra-tags", "registry", "platforms", "optional-platforms", "source", "target", "sources",
    "format", "verify-platform", "allow-shrink", "attestations", "referrers", "annotations",
    "platform-annotations", "overwrite", "recheck-children",
    /* signed releases (config_sign.c) */
    "sign-key", "require-signature", NULL};

static struct farm_platform *find_platform(struct farm_image *im, const char *name)
{
	for (size_t i = 0; i < im->n_platforms; i++)
		if (strcmp(im->platforms[i].name, name) == 0)
			return &im->platforms[i];
	return NULL;
}

/* Required platforms then optional ones, from the image or the defaults;
 * 1 when there are none to use (the error is recorded). */
static int resolve_platforms(struct farm_ctx *x, const struct farm_node *n, struct farm_image *im,
                             const struct farm_level *own, const struct farm_level *d)
{
	const struct farm_level *rl = farm_level_of(own, d, K_PLATFORMS);
	const struct farm_level *ol = farm_level_of(own, d, K_OPTIONAL);
	if ((rl->bad & BIT(K_PLATFORMS)) || (ol->bad & BIT(K_OPTIONAL)))
		return 1;
	if (!rl->platforms) {
		const struct farm_keys keys = {image_required, image_optional};
		if (!farm_mapping_misspells(n, &keys, "platforms"))
			farm_fail_end(x, n,
			              "missing required key \"platforms\" (not set in defaults "
			              "either)");
		return 1;
	}
	/* A conflict within one mapping was reported where it was read. */
	if (rl == own && ol == d &&
	    farm_platforms_conflict(x, own->at[K_PLATFORMS], "platforms", own->platforms,
	                            own->n_platforms, d->optional, d->n_optional,
	                            "defaults.optional-platforms") < 0)
		return 1;
	if (ol == own && rl == d &&
	    farm_platforms_conflict(x, own->at[K_OPTIONAL], "optional-platforms", own->optional,
	                            own->n_optional, d->platforms, d->n_platforms,
	                            "defaults.platforms") < 0)
		return 1;
	size_t total = rl->n_platforms + ol->n_optional;
	/* The defaults' list unchanged (no platforms, sources or annotations
	 * of the image's own): shared. */
	int shared = rl == d && ol == d && d->shared && !own->at[K_SOURCES] &&
	             !farm_node_get(n, "platform-annotations");
	if (shared && d->shared->v) {
		im->platforms = d->shared->v;
		im->n_platforms = d->shared->n;
		im->n_optional = ol->n_optional;
		im->shares_platforms = 1;
		return 0;
	}
	if (!(im->platforms = calloc(total, sizeof(*im->platforms)))) {
		farm_fail(x, n, "out of memory");
		return 1;
	}
	for (size_t i = 0; i < total; i++) {
		int opt = i >= rl->n_platforms;
		const struct farm_platform *src =
		    opt ? &ol->optional[i - rl->n_platforms] : &rl->platforms[i];
		if (farm_platform_copy(&im->platforms[i], src) < 0) {
			farm_fail(x, n, "out of memory");
			return 1;
		}
		im->n_platforms = i + 1;
		im->platforms[i].optional = opt;
	}
	im->n_optional = ol->n_optional;
	if (shared) {
		/* this first one's list, with the defaults' sources, is the list */
		for (size_t i = 0; i < d->n_sources; i++) {
			struct farm_platform *p = find_platform(im, d->sources[i].key);
			if (p && !p->source && !(p->source = farm_strdup(d->sources[i].value))) {
				farm_fail(x, n, "out of memory");
				return 1;
			}
		}
		d->shared->v = im->platforms;
		d->shared->n = im->n_platforms;
		im->shares_platforms = 1;
	}
	return 0;
}

/* Per-platform sources: the image's `sources` (each key one of its
 * platforms), then the defaults' for the platforms it leaves out. */
static int resolve_sources(struct farm_ctx *x, struct farm_image *im, const struct farm_level *own,
                           const struct farm_level *d)
{
	int rc = 0;
	const struct farm_node *n = own->at[K_SOURCES];
	for (size_t i = 0; i < own->n_sources; i++) {
		struct farm_platform *p = find_platform(im, own->sources[i].key);
		const struct farm_node *key = n->pairs[i].key;
		size_t mark = farm_path_key(x, "sources");
		farm_path_key(x, key->scalar);
		if (!p)
			rc = farm_fail(x, key, "\"%s\" is not one of this image's platforms",
			               key->scalar);
		else if (!(p->source = farm_strdup(own->sources[i].value)))
			rc = farm_fail(x, key, "out of memory");
		farm_path_pop(x, mark);
	}
	for (size_t i = 0; i < d->n_sources; i++) {
		struct farm_platform *p = find_platform(im, d->sources[i].key);
		if (p && !p->source && !(p->source = farm_strdup(d->sources[i].value)))
			rc = farm_fail(x, d->at[K_SOURCES], "out of memory");
	}
	return rc;
}

/* Index annotations: the defaults', then the image's (which win). */
static int merge_annotations(struct farm_ctx *x, const struct farm_node *n, struct farm_image *im,
                             const struct farm_level *own, const struct farm_level *d)
{
	size_t total = d->n_annotations + own->n_annotations, m = 0;
	if (total == 0)
		return 0;
	struct farm_kv *kv = calloc(total, sizeof(*kv));
	if (!kv)
		return farm_fail(x, n, "out of memory");
	for (size_t i = 0; i < total; i++) {
		int mine = i >= d->n_annotations;
		const struct farm_kv *a =
		    mine ? &own->annotations[i - d->n_annotations] : &d->annotations[i];
		int overridden = 0;
		for (size_t j = 0; !mine && j < own->n_annotations; j++)
			overridden |= strcmp(own->annotations[j].key, a->key) == 0;
		if (overridden)
			continue;
		kv[m].key = farm_strdup(a->key);
		kv[m].value = farm_strdup(a->value);
		if (!kv[m++].value || !kv[m - 1].key) {
			farm_kv_free(kv, m);
			return farm_fail(x, n, "out of memory");
		}
	}
	im->annotations = kv;
	im->n_annotations = m;
	return 0;
}

/* The first of a, b and def that is set; -1 when out of memory. */
static int copy_first(char **dst, const char *a, const char *b, const char *def)
{
	const char *s = a ? a : b ? b : def;
	return s && !(*dst = farm_strdup(s)) ? -1 : 0;
}

/* The image's values over the defaults'. */
static int resolve_image(struct farm_ctx *x, const struct farm_node *n, struct farm_image *im,
                         const struct farm_level *own, const struct farm_level *d)
{
	/* The keys whose value that applies to the image failed; `sources`
	 * merges both levels. */
	unsigned bad = (own->bad | d->bad) & BIT(K_SOURCES);
	for (int k = 0; k < K_COUNT; k++)
		bad |= (own->at[k] ? own->bad : d->bad) & BIT(k);
	int rc = 0;
	im->format = (enum farm_format)farm_level_pick(own, d, K_FORMAT, FARM_FORMAT_AUTO);
	im->verify_platform = farm_level_pick(own, d, K_VERIFY, 1);
	im->allow_shrink = farm_level_pick(own, d, K_SHRINK, 0);
	im->overwrite = farm_level_pick(own, d, K_OVERWRITE, 0);
	im->recheck_days = farm_level_pick(own, d, K_RECHECK, FARM_RECHECK_DAYS);
	im->attestations =
	    (enum farm_attestations)farm_level_pick(own, d, K_ATTESTATIONS, FARM_ATTESTATIONS_KEEP);
	im->referrers =
	    (enum farm_referrers)farm_level_pick(own, d, K_REFERRERS, FARM_REFERRERS_COPY);
	const struct farm_level *sk = farm_level_of(own, d, K_SIGN_KEY);
	const struct farm_level *rs = farm_level_of(own, d, K_REQUIRE_SIG);
	if (farm_key_refs_copy(&im->sign_key, sk->sign_key, sk->sign_key ? 1 : 0) < 0 ||
	    farm_key_refs_copy(&im->require_signature, rs->require_sig, rs->n_require_sig) < 0)
		return farm_fail(x, n, "out of memory");
	im->n_require_signature = im->require_signature ? rs->n_require_sig : 0;
	if (copy_first(&im->registry, own->registry, d->registry, NULL) < 0 ||
	    copy_first(&im->source, own->source, d->source, DEFAULT_SOURCE) < 0 ||
	    copy_first(&im->target, own->target, d->target, DEFAULT_TARGET) < 0)
		return farm_fail(x, n, "out of memory");
	int no_platforms = resolve_platforms(x, n, im, own, d);
	if (no_platforms || (!im->shares_platforms && resolve_sources(x, im, own, d) < 0))
		rc = -1;
	const struct farm_node *v = farm_node_get(n, "platform-annotations");
	if (v && !no_platforms) {
		size_t mark = farm_path_key(x, "platform-annotations");
		rc |= read_platform_annotations(x, v, im);
		farm_path_pop(x, mark);
	}
	if (merge_annotations(x, n, im, own, d) < 0)
		rc = -1;

	/* When a value that failed might have set or used {registry}, say
	 * nothing more. */
	unsigned depends = BIT(K_REGISTRY) | BIT(K_SOURCE) | BIT(K_TARGET) | BIT(K_SOURCES);
	if (!im->registry && !(bad & depends) && !no_platforms) {
		int uses = farm_template_uses(im->source, "registry") ||
		           farm_template_uses(im->target, "registry");
		for (size_t i = 0; i < im->n_platforms; i++)
			uses |= farm_template_uses(im->platforms[i].source, "registry");
		if (uses)
			rc = farm_fail_end(x, n,
			                   "missing required key \"registry\" (the templates "
			                   "use {registry}; not set in defaults either)");
	}
	return rc;
}

/* ---- a source that is its own target ------------------------------------ */

/* Where the template of platform p came from: the key of a `sources:` map,
 * else `source`, else (manifold's default source) `target`; *in_defaults
 * when that key is the defaults'. path gets the key's path below its level. */
static const struct farm_node *source_node(struct farm_image *im, const struct farm_platform *p,
                                           const struct farm_level *own, const struct farm_level *d,
                                           int *in_defaults, const char **key, const char **sub)
{
	const struct farm_level *lv[2] = {own, d};
	*sub = NULL;
	for (int k = 0; p->source && k < 2; k++) {
		const struct farm_node *map = lv[k]->at[K_SOURCES];
		for (size_t i = 0; map && i < lv[k]->n_sources && i < map->n_pairs; i++) {
			if (find_platform(im, lv[k]->sources[i].key) != p)
				continue;
			*in_defaults = k == 1;
			*key = "sources";
			*sub = map->pairs[i].key->scalar;
			return map->pairs[i].value;
		}
	}
	for (int k = 0; k < 2; k++) {
		enum farm_level_key which = lv[k]->at[K_SOURCE] ? K_SOURCE : K_COUNT;
		if (which == K_COUNT && lv[k]->at[K_TARGET] && !own->at[K_SOURCE] &&
		    !d->at[K_SOURCE])
			which = K_TARGET;
		if (which == K_COUNT)
			continue;
		*in_defaults = k == 1;
		*key = farm_level_keys[which];
		return lv[k]->at[which];
	}
	*in_defaults = 0;
	*key = "source";
	return NULL;
}

/* A platform's source that expands to the image's own target (after
 * template expansion, for some tag): the first publish would replace that
 * per-arch image with the list. The error names the key that set it. */
static int check_source_not_target(struct farm_ctx *x, struct farm_image *im,
                                   const struct farm_level *own, const struct farm_level *d)
{
	int rc = 0;
	for (size_t i = 0; i < im->n_platforms; i++) {
		const struct farm_platform *p = &im->platforms[i];
		const char *tmpl = p->source ? p->source : im->source;
		for (size_t t = 0; t < im->n_tags; t++) {
			struct farm_vars v = {im->registry, im->name, im->tags[t],
			                      p->os,        p->arch,  p->variant ? p->variant : ""};
			struct farm_error e;
			char *src, *dst = NULL;
			int same;
			memset(&e, 0, sizeof(e));
			src = farm_template_expand(tmpl, &v, &e);
			if (src)
				dst = farm_template_expand(im->target, &v, &e);
			same = src && dst && strcmp(src, dst) == 0;
			if (same) {
				char saved[FARM_MAX_PATH];
				const char *key, *sub;
				int in_defaults;
				const struct farm_node *at =
				    source_node(im, p, own, d, &in_defaults, &key, &sub);
				size_t mark = x->path_len;
				memcpy(saved, x->path, sizeof(saved));
				if (in_defaults) {
					farm_path_pop(x, 0);
					farm_path_key(x, "defaults");
				}
				farm_path_key(x, key);
				if (sub)
					farm_path_key(x, sub);
				rc = farm_fail(
				    x, at,
				    "the %s source of image \"%s\" is \"%s\", its own target: "
				    "publishing would overwrite the per-arch image with the list",
				    p->name, im->name, src);
				memcpy(x->path, saved, sizeof(saved));
				x->path_len = mark;
			}
			free(src);
			free(dst);
			if (same)
				break;
		}
	}
	return rc;
}

int farm_image_read(struct farm_ctx *x, const struct farm_node *n, const struct farm_level *d,
                    struct farm_image *im, size_t idx, struct farm_names *names)
{
	const struct farm_keys keys = {image_required, image_optional};
	struct farm_level own = {0};
	const struct farm_node *v;
	size_t mark;
	int rc = 0;

	im->index = idx;
	im->pos.line = n->line;
	im->pos.column = n->column;
	if (farm_check_mapping(x, n, &keys) < 0) {
		if (n->kind != FARM_NODE_MAP)
			return -1;
		rc = -1;
	}
	if ((v = farm_node_get(n, "name"))) {
		mark = farm_path_key(x, "name");
		int r = farm_get_string(x, v, &im->name);
		if (r == 0 && !farm_name_ok(im->name))
			r = farm_fail(x, v, "\"%s\" is not a valid repository name", im->name);
		struct farm_pos first = {0, 0};
		int dup = r == 0 && names ? farm_names_add(names, im->name, im->pos, &first) : 0;
		if (dup < 0)
			r = farm_fail(x, v, "out of memory");
		else if (dup)
			r = farm_fail(x, v, "duplicate image \"%s\" (first at %d:%d)", im->name,
			              first.line, first.column);
		farm_path_pop(x, mark);
		rc |= r;
	}
	const struct farm_node *tags = farm_node_get(n, "tags");
	if (tags) {
		mark = farm_path_key(x, "tags");
		rc |= read_tags(x, tags, im, NULL, 0);
		farm_path_pop(x, mark);
	}
	if ((v = farm_node_get(n, "extra-tags"))) {
		mark = farm_path_key(x, "extra-tags");
		rc |= read_tags(x, v, im, tags, 1);
		farm_path_pop(x, mark);
	}
	rc |= farm_level_read(x, n, &own);
	rc |= resolve_image(x, n, im, &own, d);
	if (rc == 0 && im->name && im->n_tags)
		rc = check_source_not_target(x, im, &own, d);
	farm_level_clear(&own);
	return rc;
}

int farm_images_read(struct farm_ctx *x, const struct farm_node *v, const struct farm_level *d,
                     struct farm_config *c, struct farm_names *names)
{
	size_t mark = farm_path_key(x, "images");
	int rc = farm_get_seq(x, v);
	if (rc == 0 && v->n_items == 0)
		rc = farm_fail(x, v, "empty list, want at least one image");
	if (rc == 0 && !(c->images = calloc(v->n_items, sizeof(*c->images))))
		rc = farm_fail(x, v, "out of memory");
	if (rc == 0)
		c->n_images = c->n_images_all = v->n_items;
	for (size_t i = 0; rc == 0 && i < v->n_items; i++) {
		size_t m2 = farm_path_index(x, i);
		farm_image_read(x, v->items[i], d, &c->images[i], i, names);
		farm_path_pop(x, m2);
	}
	farm_path_pop(x, mark);
	return rc;
}
