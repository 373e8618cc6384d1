/* config_read.c — manifold's own config: the keys defaults and images
 * share (read the same way for both), images with the defaults resolved
 * into them, retag rules and the whole file. Reading goes on after an
 * error wherever the rest does not depend on the value that failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "farm_internal.h"

#define DEFAULT_SOURCE "{registry}/{name}-{arch}:{tag}"
#define DEFAULT_TARGET "{registry}/{name}:{tag}"

/* ---- the keys defaults and images share ---------------------------------- */

enum level_key {
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

static const char *const level_keys[K_COUNT + 1] = {
    "registry", "platforms", "optional-platforms", "source", "target", "sources", "format",
    "verify-platform", "allow-shrink", "attestations", "referrers", "annotations", "overwrite",
    "recheck-children",
    /* signed releases (config_sign.c) */
    "sign-key", "require-signature", NULL};

#define BIT(k) (1u << (k))

/* What one mapping (defaults, or one image) sets of the shared keys. */
struct level {
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
};

static void platforms_free(struct farm_platform *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		farm_platform_clear(&v[i]);
	free(v);
}

static void level_clear(struct level *l)
{
	free(l->registry);
	free(l->source);
	free(l->target);
	platforms_free(l->platforms, l->n_platforms);
	platforms_free(l->optional, l->n_optional);
	farm_kv_free(l->sources, l->n_sources);
	farm_kv_free(l->annotations, l->n_annotations);
	farm_key_refs_free(l->sign_key, l->sign_key ? 1 : 0);
	farm_key_refs_free(l->require_sig, l->n_require_sig);
}

/* Each platform of `list` (the list under key `name`, read from `node`)
 * that `other` has too is an error naming both places. */
static int conflicts(struct farm_ctx *x, const struct farm_node *node, const char *name,
                     const struct farm_platform *list, size_t n, const struct farm_platform *other,
                     size_t m, const char *label)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < m; j++) {
			if (strcmp(list[i].name, other[j].name) != 0)
				continue;
			size_t mark = farm_path_key(x, name);
			farm_path_index(x, i);
			rc = farm_fail(x, node->items[i],
			               "\"%s\" is both required and optional (%s at %d:%d)",
			               list[i].name, label, other[j].pos.line, other[j].pos.column);
			farm_path_pop(x, mark);
		}
	}
	return rc;
}

/* `recheck-children`: a whole number of days, "1d" to "365d". */
static int read_days(struct farm_ctx *x, const struct farm_node *n, int *out)
{
	char *s = NULL, *end = NULL;
	long v = 0;
	int rc;

	if (farm_get_string(x, n, &s) < 0)
		return -1;
	if (s[0] >= '0' && s[0] <= '9')
		v = strtol(s, &end, 10);
	if (!end || strcmp(end, "d") != 0 || v < 1 || v > 365) {
		rc = farm_fail(x, n, "\"%s\" is not a number of days from 1d to 365d, like \"7d\"",
		               s);
	} else {
		*out = (int)v;
		rc = 0;
	}
	free(s);
	return rc;
}

static int level_read(struct farm_ctx *x, const struct farm_node *n, struct level *l)
{
	static const char *const formats[] = {"auto", "docker", "oci", NULL};
	static const char *const attestations[] = {"keep", "drop", NULL};
	static const char *const referrers[] = {"copy", "skip", NULL};
	for (size_t i = 0; i < n->n_pairs; i++) {
		const char *k = n->pairs[i].key->scalar;
		const struct farm_node *v = n->pairs[i].value;
		int key = 0, r = 0;
		while (key < K_COUNT && strcmp(level_keys[key], k) != 0)
			key++;
		/* not a shared key, or a duplicate (already reported) */
		if (key == K_COUNT || l->at[key])
			continue;
		l->at[key] = v;
		size_t mark = farm_path_key(x, k);
		switch ((enum level_key)key) {
		case K_REGISTRY:
			r = farm_read_registry_value(x, v, &l->registry);
			break;
		case K_PLATFORMS:
			r = farm_read_platforms(x, v, 0, &l->platforms, &l->n_platforms);
			break;
		case K_OPTIONAL:
			r = farm_read_platforms(x, v, 1, &l->optional, &l->n_optional);
			break;
		case K_SOURCE:
		case K_TARGET:
			r = farm_read_template(x, v, key == K_SOURCE,
			                       key == K_SOURCE ? &l->source : &l->target);
			break;
		case K_SOURCES:
			r = farm_read_source_map(x, v, &l->sources, &l->n_sources);
			break;
		case K_FORMAT:
			r = farm_read_enum(x, v, formats, &l->value[key]);
			break;
		case K_VERIFY:
		case K_SHRINK:
		case K_OVERWRITE:
			r = farm_get_bool(x, v, &l->value[key]);
			break;
		case K_RECHECK:
			r = read_days(x, v, &l->value[key]);
			break;
		case K_ATTESTATIONS:
			r = farm_read_enum(x, v, attestations, &l->value[key]);
			break;
		case K_REFERRERS:
			r = farm_read_enum(x, v, referrers, &l->value[key]);
			break;
		case K_SIGN_KEY:
			if (!(l->sign_key = calloc(1, sizeof(*l->sign_key))))
				r = farm_fail(x, v, "out of memory");
			else
				r = farm_read_key_ref(x, v, l->sign_key);
			break;
		case K_REQUIRE_SIG:
			r = farm_read_key_list(x, v, &l->require_sig, &l->n_require_sig);
			break;
		case K_ANNOTATIONS:
		case K_COUNT:
			r = farm_get_kv_map(x, v, &l->annotations, &l->n_annotations);
			break;
		}
		farm_path_pop(x, mark);
		if (r < 0)
			l->bad |= BIT(key);
	}
	if (!(l->bad & (BIT(K_PLATFORMS) | BIT(K_OPTIONAL))) &&
	    conflicts(x, l->at[K_OPTIONAL], "optional-platforms", l->optional, l->n_optional,
	              l->platforms, l->n_platforms, "platforms") < 0)
		l->bad |= BIT(K_OPTIONAL);
	return l->bad ? -1 : 0;
}

/* The image's value when it sets a valid one, else the defaults', else def. */
static int pick(const struct level *own, const struct level *d, enum level_key k, int def)
{
	if (own->at[k] && !(own->bad & BIT(k)))
		return own->value[k];
	if (d->at[k] && !(d->bad & BIT(k)))
		return d->value[k];
	return def;
}

/* The level whose list applies to the image: its own when it sets one. */
static const struct level *pick_level(const struct level *own, const struct level *d,
                                      enum level_key k)
{
	return own->at[k] ? own : d;
}

/* ---- images -------------------------------------------------------------- */

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

/* Required platforms then optional ones, from the image or the defaults;
 * 1 when there are none to use (the error is recorded). */
static int resolve_platforms(struct farm_ctx *x, const struct farm_node *n, struct farm_image *im,
                             const struct level *own, const struct level *d)
{
	const struct level *rl = pick_level(own, d, K_PLATFORMS);
	const struct level *ol = pick_level(own, d, K_OPTIONAL);
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
	    conflicts(x, own->at[K_PLATFORMS], "platforms", own->platforms, own->n_platforms,
	              d->optional, d->n_optional, "defaults.optional-platforms") < 0)
		return 1;
	if (ol == own && rl == d &&
	    conflicts(x, own->at[K_OPTIONAL], "optional-platforms", own->optional, own->n_optional,
	              d->platforms, d->n_platforms, "defaults.platforms") < 0)
		return 1;
	size_t total = rl->n_platforms + ol->n_optional;
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
	return 0;
}

static struct farm_platform *find_platform(struct farm_image *im, const char *name)
{
	for (size_t i = 0; i < im->n_platforms; i++)
		if (strcmp(im->platforms[i].name, name) == 0)
			return &im->platforms[i];
	return NULL;
}

/* Per-platform sources: the image's `sources` (each key one of its
 * platforms), then the defaults' for the platforms it leaves out. */
static int resolve_sources(struct farm_ctx *x, struct farm_image *im, const struct level *own,
                           const struct level *d)
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
                             const struct level *own, const struct level *d)
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
                         const struct level *own, const struct level *d)
{
	/* The keys whose value that applies to the image failed; `sources`
	 * merges both levels. */
	unsigned bad = (own->bad | d->bad) & BIT(K_SOURCES);
	for (int k = 0; k < K_COUNT; k++)
		bad |= (own->at[k] ? own->bad : d->bad) & BIT(k);
	int rc = 0;
	im->format = (enum farm_format)pick(own, d, K_FORMAT, FARM_FORMAT_AUTO);
	im->verify_platform = pick(own, d, K_VERIFY, 1);
	im->allow_shrink = pick(own, d, K_SHRINK, 0);
	im->overwrite = pick(own, d, K_OVERWRITE, 0);
	im->recheck_days = pick(own, d, K_RECHECK, FARM_RECHECK_DAYS);
	im->attestations =
	    (enum farm_attestations)pick(own, d, K_ATTESTATIONS, FARM_ATTESTATIONS_KEEP);
	im->referrers = (enum farm_referrers)pick(own, d, K_REFERRERS, FARM_REFERRERS_COPY);
	const struct level *sk = pick_level(own, d, K_SIGN_KEY);
	const struct level *rs = pick_level(own, d, K_REQUIRE_SIG);
	if (farm_key_refs_copy(&im->sign_key, sk->sign_key, sk->sign_key ? 1 : 0) < 0 ||
	    farm_key_refs_copy(&im->require_signature, rs->require_sig, rs->n_require_sig) < 0)
		return farm_fail(x, n, "out of memory");
	im->n_require_signature = im->require_signature ? rs->n_require_sig : 0;
	if (copy_first(&im->registry, own->registry, d->registry, NULL) < 0 ||
	    copy_first(&im->source, own->source, d->source, DEFAULT_SOURCE) < 0 ||
	    copy_first(&im->target, own->target, d->target, DEFAULT_TARGET) < 0)
		return farm_fail(x, n, "out of memory");
	int no_platforms = resolve_platforms(x, n, im, own, d);
	if (no_platforms || resolve_sources(x, im, own, d) < 0)
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
                                           const struct level *own, const struct level *d,
                                           int *in_defaults, const char **key, const char **sub)
{
	const struct level *lv[2] = {own, d};
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
		enum level_key which = lv[k]->at[K_SOURCE] ? K_SOURCE : K_COUNT;
		if (which == K_COUNT && lv[k]->at[K_TARGET] && !own->at[K_SOURCE] &&
		    !d->at[K_SOURCE])
			which = K_TARGET;
		if (which == K_COUNT)
			continue;
		*in_defaults = k == 1;
		*key = level_keys[which];
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
                                   const struct level *own, const struct level *d)
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

static int read_image(struct farm_ctx *x, const struct farm_node *n, const struct level *d,
                      struct farm_config *c, size_t idx, struct farm_strset *names)
{
	const struct farm_keys keys = {image_required, image_optional};
	struct farm_image *im = &c->images[idx];
	struct level own = {0};
	const struct farm_node *v;
	size_t mark;
	int rc = 0;

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
		size_t j = 0;
		int dup = r == 0 ? farm_strset_add(names, im->name, idx, &j) : 0;
		if (dup < 0)
			r = farm_fail(x, v, "out of memory");
		else if (dup)
			r = farm_fail(x, v, "duplicate image \"%s\" (first at %d:%d)", im->name,
			              c->images[j].pos.line, c->images[j].pos.column);
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
	rc |= level_read(x, n, &own);
	rc |= resolve_image(x, n, im, &own, d);
	if (rc == 0 && im->name && im->n_tags)
		rc = check_source_not_target(x, im, &own, d);
	level_clear(&own);
	return rc;
}

/* ---- retag --------------------------------------------------------------- */

/* The rule's `images` names images of this file (when the images read
 * cleanly: a name that failed would be reported again here). */
static int read_rule_images(struct farm_ctx *x, const struct farm_node *iv,
                            struct farm_retag_rule *rule, const struct farm_strset *known,
                            const char *const *names, int images_ok)
{
	size_t mark = farm_path_key(x, "images");
	int rc = farm_get_string_list(x, iv, &rule->images, &rule->n_images);
	for (size_t k = 0; rc == 0 && images_ok && k < rule->n_images; k++) {
		if (farm_strset_find(known, rule->images[k], NULL))
			continue;
		size_t m2 = farm_path_index(x, k);
		const char *s = farm_suggest(rule->images[k], names);
		if (s)
			farm_fail(x, iv->items[k], "no image named \"%s\" (did you mean \"%s\"?)",
			          rule->images[k], s);
		else
			farm_fail(x, iv->items[k], "no image named \"%s\"", rule->images[k]);
		farm_path_pop(x, m2);
	}
	farm_path_pop(x, mark);
	return rc;
}

/* A rule whose from and to expand to one reference (for some image, tag
 * and platform it covers) would copy a tag onto itself. */
static int check_rule_not_onto_itself(struct farm_ctx *x, const struct farm_node *to_node,
                                      const struct farm_retag_rule *rule,
                                      const struct farm_config *c)
{
	int per_platform =
	    farm_template_is_per_platform(rule->from) || farm_template_is_per_platform(rule->to);
	for (size_t k = 0; k < c->n_images; k++) {
		const struct farm_image *im = &c->images[k];
		int covered = rule->n_images == 0;
		for (size_t j = 0; j < rule->n_images; j++)
			covered |= strcmp(rule->images[j], im->name) == 0;
		for (size_t t = 0; covered && t < im->n_tags; t++) {
			size_t n_pl = per_platform ? im->n_platforms : 1;
			for (size_t i = 0; i < n_pl; i++) {
				const struct farm_platform *p =
				    per_platform ? &im->platforms[i] : NULL;
				struct farm_vars v = {im->registry, im->name, im->tags[t],
				                      NULL,         NULL,     NULL};
				struct farm_error e;
				char *from, *to = NULL;
				int same;
				if (p) {
					v.os = p->os;
					v.arch = p->arch;
					v.variant = p->variant ? p->variant : "";
				}
				memset(&e, 0, sizeof(e));
				from = farm_template_expand(rule->from, &v, &e);
				if (from)
					to = farm_template_expand(rule->to, &v, &e);
				same = from && to && strcmp(from, to) == 0;
				if (same) {
					size_t mark = farm_path_key(x, "to");
					farm_fail(x, to_node,
					          "expands to \"%s\" for image \"%s\", the same "
					          "reference as from: a copy onto itself",
					          to, im->name);
					farm_path_pop(x, mark);
				}
				free(from);
				free(to);
				if (same)
					return -1;
			}
		}
	}
	return 0;
}

static int read_rule(struct farm_ctx *x, const struct farm_node *rn, struct farm_retag_rule *rule,
                     const struct farm_config *c, const struct farm_strset *known,
                     const char *const *names, int images_ok)
{
	static const char *const req[] = {"from", "to", NULL};
	static const char *const opt[] = {"images", "overwrite", "allow-shrink", NULL};
	const struct farm_keys keys = {req, opt};
	int rc = 0;
	rule->pos.line = rn->line;
	rule->pos.column = rn->column;
	if (farm_check_mapping(x, rn, &keys) < 0) {
		if (rn->kind != FARM_NODE_MAP)
			return -1;
		rc = -1;
	}
	for (size_t k = 0; k < 2; k++) {
		const struct farm_node *v = farm_node_get(rn, req[k]);
		if (!v)
			continue;
		size_t m2 = farm_path_key(x, req[k]);
		rc |= farm_read_template(x, v, 1, k ? &rule->to : &rule->from);
		farm_path_pop(x, m2);
	}
	const struct farm_node *iv = farm_node_get(rn, "images");
	if (iv)
		rc |= read_rule_images(x, iv, rule, known, names, images_ok);
	for (size_t k = 1; k < 3; k++) {
		const struct farm_node *v = farm_node_get(rn, opt[k]);
		if (!v)
			continue;
		size_t m2 = farm_path_key(x, opt[k]);
		rc |= farm_get_bool(x, v, k == 1 ? &rule->overwrite : &rule->allow_shrink);
		farm_path_pop(x, m2);
	}
	int uses = rc == 0 && images_ok &&
	           (farm_template_uses(rule->from, "registry") ||
	            farm_template_uses(rule->to, "registry"));
	if (rc == 0 && images_ok && rule->from && rule->to)
		rc = check_rule_not_onto_itself(x, farm_node_get(rn, "to"), rule, c);
	struct farm_strset listed = {0};
	for (size_t j = 0; uses && j < rule->n_images; j++)
		if (farm_strset_add(&listed, rule->images[j], j, NULL) < 0) {
			rc = farm_fail(x, rn, "out of memory");
			uses = 0;
		}
	for (size_t k = 0; uses && k < c->n_images; k++) {
		const struct farm_image *im = &c->images[k];
		int covered = rule->n_images == 0 || farm_strset_find(&listed, im->name, NULL);
		if (covered && !im->registry)
			rc = farm_fail(x, rn,
			               "the rule uses {registry} but image \"%s\" has no registry",
			               im->name);
	}
	farm_strset_free(&listed);
	return rc;
}

static int read_retag(struct farm_ctx *x, const struct farm_node *n, struct farm_config *c,
                      const struct farm_strset *known, int images_ok)
{
	if (farm_get_seq(x, n) < 0)
		return -1;
	if (n->n_items == 0)
		return 0;
	if (!(c->retag = calloc(n->n_items, sizeof(*c->retag))))
		return farm_fail(x, n, "out of memory");
	c->n_retag = n->n_items;
	const char **names = calloc(c->n_images + 1, sizeof(*names));
	if (!names)
		return farm_fail(x, n, "out of memory");
	for (size_t i = 0, k = 0; i < c->n_images; i++)
		if (c->images[i].name)
			names[k++] = c->images[i].name;
	int rc = 0;
	for (size_t i = 0; i < n->n_items; i++) {
		size_t mark = farm_path_index(x, i);
		rc |= read_rule(x, n->items[i], &c->retag[i], c, known, names, images_ok);
		farm_path_pop(x, mark);
	}
	free(names);
	return rc;
}

/* ---- the whole file ----------------------------------------------------- */

static int read_images(struct farm_ctx *x, const struct farm_node *v, const struct level *d,
                       struct farm_config *c, struct farm_strset *names)
{
	size_t mark = farm_path_key(x, "images");
	int rc = farm_get_seq(x, v);
	if (rc == 0 && v->n_items == 0)
		rc = farm_fail(x, v, "empty list, want at least one image");
	if (rc == 0 && !(c->images = calloc(v->n_items, sizeof(*c->images))))
		rc = farm_fail(x, v, "out of memory");
	if (rc == 0)
		c->n_images = v->n_items;
	for (size_t i = 0; rc == 0 && i < v->n_items; i++) {
		size_t m2 = farm_path_index(x, i);
		read_image(x, v->items[i], d, c, i, names);
		farm_path_pop(x, m2);
	}
	farm_path_pop(x, mark);
	return rc;
}

int farm_config_read(struct farm_ctx *x, const struct farm_node *root, struct farm_config *c,
                     const char *base_dir)
{
	static const char *const req[] = {"images", NULL};
	static const char *const opt[] = {"defaults", "registries", "retag", "status", NULL};
	const struct farm_keys keys = {req, opt};
	const struct farm_keys defaults_keys = {NULL, level_keys};
	struct level d = {0};
	struct farm_strset names = {0}; /* the images' names, for duplicates and retag */
	const struct farm_node *v;
	size_t mark, errors = x->n_errors;

	farm_check_mapping(x, root, &keys);
	if ((v = farm_node_get(root, "defaults"))) {
		mark = farm_path_key(x, "defaults");
		if (farm_check_mapping(x, v, &defaults_keys) < 0)
			d.bad = ~0u; /* not a mapping: nothing to inherit */
		else
			level_read(x, v, &d);
		farm_path_pop(x, mark);
	}
	if ((v = farm_node_get(root, "registries"))) {
		mark = farm_path_key(x, "registries");
		farm_read_registries(x, v, c, base_dir);
		farm_path_pop(x, mark);
	}
	size_t before_images = x->n_errors;
	if ((v = farm_node_get(root, "images")))
		read_images(x, v, &d, c, &names);
	int images_ok = v && x->n_errors == before_images;
	if ((v = farm_node_get(root, "retag"))) {
		mark = farm_path_key(x, "retag");
		read_retag(x, v, c, &names, images_ok);
		farm_path_pop(x, mark);
	}
	if ((v = farm_node_get(root, "status"))) {
		mark = farm_path_key(x, "status");
		farm_get_string(x, v, &c->status);
		farm_path_pop(x, mark);
	}
	level_clear(&d);
	farm_strset_free(&names);
	return x->n_errors == errors ? 0 : -1;
}
