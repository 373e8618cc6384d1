/* config_read.c — manifold's own config: defaults, registries, images,
 * retag and status, validated key by key into struct farm_config with the
 * defaults resolved into every image. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "farm_internal.h"

#define DEFAULT_SOURCE "{registry}/{name}-{arch}:{tag}"
#define DEFAULT_TARGET "{registry}/{name}:{tag}"

int farm_config_read(struct farm_ctx *x, const struct farm_node *root, struct farm_config *c,
                     const char *base_dir);

struct defaults {
	char *registry, *source, *target;
	enum farm_format format;
	int verify;
	struct farm_platform *platforms;
	size_t n_platforms;
	struct farm_kv *annotations;
	size_t n_annotations;
};

static void defaults_clear(struct defaults *d)
{
	free(d->registry);
	free(d->source);
	free(d->target);
	for (size_t i = 0; i < d->n_platforms; i++)
		farm_platform_clear(&d->platforms[i]);
	free(d->platforms);
	farm_kv_free(d->annotations, d->n_annotations);
}

/* ---- value checks -------------------------------------------------------- */

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* "host[:port]"; with allow_path also "host[:port]/path". */
static int registry_ok(const char *s, int allow_path)
{
	const char *p = s;
	if (*p == '[') { /* [::1]:5000 */
		const char *close = strchr(p, ']');
		if (!close || close == p + 1)
			return 0;
		for (const char *q = p + 1; q < close; q++)
			if (!(is_lower_alnum(*q) || (*q >= 'A' && *q <= 'F') || *q == ':'))
				return 0;
		p = close + 1;
	} else {
		const char *start = p;
		while (is_lower_alnum(*p) || (*p >= 'A' && *p <= 'Z') || *p == '.' || *p == '-' ||
		       *p == '_')
			p++;
		if (p == start)
			return 0;
	}
	if (*p == ':') {
		char *end;
		long port = strtol(p + 1, &end, 10);
		if (end == p + 1 || p[1] == '-' || p[1] == '+' || port < 1 || port > 65535)
			return 0;
		p = end;
	}
	if (*p == '\0')
		return 1;
	if (*p != '/' || !allow_path)
		return 0;
	return farm_name_ok(p + 1);
}

static int read_format(struct farm_ctx *x, const struct farm_node *n, enum farm_format *out)
{
	static const char *const names[] = {"auto", "docker", "oci"};
	for (int i = 0; n->kind == FARM_NODE_SCALAR && i < 3; i++) {
		if (strcmp(n->scalar, names[i]) == 0) {
			*out = (enum farm_format)i;
			return 0;
		}
	}
	if (n->kind == FARM_NODE_SCALAR && !n->is_null)
		return farm_fail(x, n, "expected auto, docker or oci, got \"%s\"", n->scalar);
	return farm_fail(x, n, "expected auto, docker or oci, got %s", farm_node_kind_name(n));
}

/* A template-valued key; per_platform_ok 0 for targets, which name one
 * list for all platforms. */
static int read_template(struct farm_ctx *x, const struct farm_node *n, int per_platform_ok,
                         char **out)
{
	if (farm_get_string(x, n, out) < 0)
		return -1;
	if (farm_check_template(x, n, *out) < 0)
		goto fail;
	if (!per_platform_ok && farm_template_is_per_platform(*out)) {
		farm_fail(x, n, "a target cannot use per-platform tokens ({os} {arch} {variant})");
		goto fail;
	}
	return 0;
fail:
	free(*out);
	*out = NULL;
	return -1;
}

static int read_registry_value(struct farm_ctx *x, const struct farm_node *n, char **out)
{
	if (farm_get_string(x, n, out) < 0)
		return -1;
	if (registry_ok(*out, 1))
		return 0;
	farm_fail(x, n, "\"%s\" is not a valid registry (want host[:port][/path])", *out);
	free(*out);
	*out = NULL;
	return -1;
}

/* A list of platforms, each normalised; duplicates after normalisation are
 * errors. On failure *out is freed. */
static int read_platforms(struct farm_ctx *x, const struct farm_node *n, struct farm_platform **out,
                          size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	if (farm_get_seq(x, n) < 0)
		return -1;
	if (n->n_items == 0)
		return farm_fail(x, n, "empty list, want at least one platform");
	struct farm_platform *v = calloc(n->n_items, sizeof(*v));
	if (!v)
		return farm_fail(x, n, "out of memory");
	*out = v;
	*n_out = n->n_items;
	for (size_t i = 0; i < n->n_items; i++) {
		const struct farm_node *item = n->items[i];
		size_t mark = farm_path_index(x, i);
		char *text = NULL;
		int r = farm_get_string(x, item, &text);
		if (r == 0)
			r = farm_platform_set(x, item, text, &v[i]);
		for (size_t j = 0; r == 0 && j < i; j++) {
			if (strcmp(v[j].name, v[i].name) != 0)
				continue;
			if (strcmp(text, v[i].name) == 0)
				r = farm_fail(x, item, "duplicate platform \"%s\" (first at %d:%d)",
				              text, v[j].pos.line, v[j].pos.column);
			else
				r = farm_fail(x, item,
				              "duplicate platform \"%s\" (normalised \"%s\", first "
				              "at %d:%d)",
				              text, v[i].name, v[j].pos.line, v[j].pos.column);
		}
		free(text);
		farm_path_pop(x, mark);
		if (r < 0)
			return -1;
	}
	return 0;
}

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
	for (size_t i = 0; i < nv; i++) {
		size_t mark = farm_path_index(x, i);
		const struct farm_node *first = NULL;
		int r = 0;
		if (!farm_tag_ok(v[i]))
			r = farm_fail(x, n->items[i], "\"%s\" is not a valid tag", v[i]);
		for (size_t j = 0; r == 0 && extra && j < im->n_tags; j++)
			if (strcmp(im->tags[j], v[i]) == 0)
				first = tags_node->items[j];
		for (size_t j = 0; r == 0 && !first && j < i; j++)
			if (strcmp(v[j], v[i]) == 0)
				first = n->items[j];
		if (r == 0 && first)
			r = farm_fail(x, n->items[i], "duplicate tag \"%s\" (first at %d:%d)", v[i],
			              first->line, first->column);
		farm_path_pop(x, mark);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* ---- defaults and registries ------------------------------------------- */

static const char *const defaults_keys[] = {"registry", "platforms",       "source",      "target",
                                            "format",   "verify-platform", "annotations", NULL};

static int read_defaults(struct farm_ctx *x, const struct farm_node *n, struct defaults *d)
{
	const struct farm_keys keys = {NULL, defaults_keys};
	if (farm_check_mapping(x, n, &keys) < 0)
		return -1;
	for (size_t i = 0; i < n->n_pairs; i++) {
		const char *k = n->pairs[i].key->scalar;
		const struct farm_node *v = n->pairs[i].value;
		size_t mark = farm_path_key(x, k);
		int r;
		if (strcmp(k, "registry") == 0)
			r = read_registry_value(x, v, &d->registry);
		else if (strcmp(k, "platforms") == 0)
			r = read_platforms(x, v, &d->platforms, &d->n_platforms);
		else if (strcmp(k, "source") == 0)
			r = read_template(x, v, 1, &d->source);
		else if (strcmp(k, "target") == 0)
			r = read_template(x, v, 0, &d->target);
		else if (strcmp(k, "format") == 0)
			r = read_format(x, v, &d->format);
		else if (strcmp(k, "verify-platform") == 0)
			r = farm_get_bool(x, v, &d->verify);
		else
			r = farm_get_kv_map(x, v, &d->annotations, &d->n_annotations);
		farm_path_pop(x, mark);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* "expected <want>, got "<text>"" (or the node's kind) at n. */
static int fail_expected(struct farm_ctx *x, const struct farm_node *n, const char *want)
{
	char buf[80];
	snprintf(buf, sizeof(buf), "\"%.60s\"", n->kind == FARM_NODE_SCALAR ? n->scalar : "");
	return farm_fail(x, n, "expected %s, got %s", want,
	                 n->kind == FARM_NODE_SCALAR && !n->is_null ? buf : farm_node_kind_name(n));
}

/* A decimal integer in [min, max]. */
static int read_long(struct farm_ctx *x, const struct farm_node *n, long min, long max,
                     const char *want, long *out)
{
	char *end = NULL;
	long val = 0;
	if (n->kind == FARM_NODE_SCALAR && !n->is_null) {
		errno = 0;
		val = strtol(n->scalar, &end, 10);
	}
	if (n->kind != FARM_NODE_SCALAR || n->is_null || end == n->scalar || *end || errno ||
	    val < min || val > max)
		return fail_expected(x, n, want);
	*out = val;
	return 0;
}

#define DURATION_MAX_MS (24L * 3600 * 1000)

/* "500ms", "30s", "2m", "1h": a whole number and a unit, more than 0 and at
 * most a day. */
static int read_duration(struct farm_ctx *x, const struct farm_node *n, long *out_ms)
{
	static const struct {
		const char *unit;
		long ms;
	} units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
	const char *want = "a duration from 1ms to 24h, like \"30s\" or \"2m\"";
	char *end = NULL;
	long val = 0;
	if (n->kind == FARM_NODE_SCALAR && !n->is_null && n->scalar[0] >= '0' &&
	    n->scalar[0] <= '9') {
		errno = 0;
		val = strtol(n->scalar, &end, 10);
	}
	for (size_t i = 0;
	     end && !errno && end != n->scalar && i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) == 0 && val > 0 &&
		    val <= DURATION_MAX_MS / units[i].ms) {
			*out_ms = val * units[i].ms;
			return 0;
		}
	}
	return fail_expected(x, n, want);
}

static int read_registry(struct farm_ctx *x, const struct farm_node *n, struct farm_registry *r,
                         const char *base_dir)
{
	static const char *const opt[] = {
	    "insecure",        "ca-file",        "max-concurrency", "max-rate", "timeout",
	    "low-speed-limit", "low-speed-time", "retries",         "tls",      NULL};
	const struct farm_keys keys = {NULL, opt};
	if (farm_check_mapping(x, n, &keys) < 0)
		return -1;
	for (size_t i = 0; i < n->n_pairs; i++) {
		const char *k = n->pairs[i].key->scalar;
		const struct farm_node *v = n->pairs[i].value;
		size_t mark = farm_path_key(x, k);
		int rc = 0;
		if (strcmp(k, "insecure") == 0) {
			rc = farm_get_bool(x, v, &r->insecure);
		} else if (strcmp(k, "tls") == 0) {
			rc = farm_get_bool(x, v, &r->tls);
		} else if (strcmp(k, "ca-file") == 0) {
			char *f = NULL;
			rc = farm_get_string(x, v, &f);
			if (rc == 0 && f[0] != '/' && base_dir) {
				size_t len = strlen(base_dir) + strlen(f) + 1;
				r->ca_file = malloc(len);
				if (r->ca_file)
					snprintf(r->ca_file, len, "%s%s", base_dir, f);
				else
					rc = farm_fail(x, v, "out of memory");
				free(f);
			} else {
				r->ca_file = f;
			}
		} else if (strcmp(k, "max-concurrency") == 0) {
			long val = 0;
			rc = read_long(x, v, 1, 100000, "an integer of at least 1", &val);
			r->max_concurrency = (int)val;
		} else if (strcmp(k, "timeout") == 0) {
			rc = read_duration(x, v, &r->timeout_ms);
		} else if (strcmp(k, "low-speed-limit") == 0) {
			rc = read_long(x, v, 1, 1L << 40,
			               "a number of bytes per second of at least 1",
			               &r->low_speed_limit);
		} else if (strcmp(k, "low-speed-time") == 0) {
			rc = read_duration(x, v, &r->low_speed_time_ms);
		} else if (strcmp(k, "retries") == 0) {
			long val = 0;
			rc = read_long(x, v, 0, 100, "an integer from 0 to 100", &val);
			r->retries = (int)val;
		} else {
			char *end = NULL;
			double val = v->kind == FARM_NODE_SCALAR ? strtod(v->scalar, &end) : 0;
			if (v->kind != FARM_NODE_SCALAR || v->is_null || end == v->scalar || *end ||
			    !isfinite(val) || !(val > 0))
				rc = fail_expected(x, v, "a number greater than 0");
			r->max_rate = val;
		}
		farm_path_pop(x, mark);
		if (rc < 0)
			return -1;
	}
	if (r->insecure && r->tls)
		return farm_fail(x, n, "insecure: true (plain HTTP) contradicts tls: true");
	return 0;
}

static int read_registries(struct farm_ctx *x, const struct farm_node *n, struct farm_config *c,
                           const char *base_dir)
{
	if (farm_check_mapping(x, n, NULL) < 0)
		return -1;
	if (n->n_pairs == 0)
		return 0;
	if (!(c->registries = calloc(n->n_pairs, sizeof(*c->registries))))
		return farm_fail(x, n, "out of memory");
	c->n_registries = n->n_pairs;
	for (size_t i = 0; i < n->n_pairs; i++) {
		const struct farm_node *key = n->pairs[i].key;
		struct farm_registry *r = &c->registries[i];
		size_t mark = farm_path_key(x, key->scalar);
		int rc = 0;
		r->pos.line = key->line;
		r->pos.column = key->column;
		r->retries = -1;
		if (!(r->name = strdup(key->scalar)))
			rc = farm_fail(x, key, "out of memory");
		else if (!registry_ok(key->scalar, 0))
			rc = farm_fail(x, key, "\"%s\" is not a valid registry (want host[:port])",
			               key->scalar);
		else
			rc = read_registry(x, n->pairs[i].value, r, base_dir);
		farm_path_pop(x, mark);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* ---- images -------------------------------------------------------------- */

/* The index of the image platform a `sources`/`platform-annotations` key
 * names (after normalisation), or -1 with the error set. */
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

static int read_sources(struct farm_ctx *x, const struct farm_node *n, struct farm_image *im,
                        int annotations)
{
	if (farm_check_mapping(x, n, NULL) < 0)
		return -1;
	for (size_t i = 0; i < n->n_pairs; i++) {
		const struct farm_node *key = n->pairs[i].key;
		size_t mark = farm_path_key(x, key->scalar);
		long k = platform_key(x, key, im);
		int r = k < 0 ? -1 : 0;
		struct farm_platform *p = r == 0 ? &im->platforms[k] : NULL;
		if (r == 0 && (annotations ? p->annotations != NULL : p->source != NULL))
			r = farm_fail(x, key, "\"%s\" names the same platform as an earlier key",
			              key->scalar);
		if (r == 0 && annotations)
			r = farm_get_kv_map(x, n->pairs[i].value, &p->annotations,
			                    &p->n_annotations);
		else if (r == 0)
			r = read_template(x, n->pairs[i].value, 1, &p->source);
		farm_path_pop(x, mark);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Index annotations: the defaults', then the image's (which win). */
static int merge_annotations(struct farm_ctx *x, const struct farm_node *n, struct farm_image *im,
                             const struct defaults *d)
{
	struct farm_kv *own = NULL;
	size_t n_own = 0;
	if (n && farm_get_kv_map(x, n, &own, &n_own) < 0)
		return -1;
	size_t total = d->n_annotations + n_own;
	if (total == 0)
		return 0;
	struct farm_kv *kv = calloc(total, sizeof(*kv));
	if (!kv) {
		farm_kv_free(own, n_own);
		return farm_fail(x, n, "out of memory");
	}
	size_t m = 0;
	for (size_t i = 0; i < d->n_annotations; i++) {
		int overridden = 0;
		for (size_t j = 0; j < n_own; j++)
			overridden |= strcmp(own[j].key, d->annotations[i].key) == 0;
		if (overridden)
			continue;
		kv[m].key = strdup(d->annotations[i].key);
		kv[m].value = strdup(d->annotations[i].value);
		m++;
		if (!kv[m - 1].key || !kv[m - 1].value)
			goto oom;
	}
	for (size_t j = 0; j < n_own; j++) {
		kv[m++] = own[j];
		own[j].key = own[j].value = NULL;
	}
	farm_kv_free(own, n_own);
	im->annotations = kv;
	im->n_annotations = m;
	return 0;
oom:
	farm_kv_free(kv, m);
	farm_kv_free(own, n_own);
	return farm_fail(x, n, "out of memory");
}

static const char *const image_required[] = {"name", "tags", NULL};
static const char *const image_optional[] = {
    "extra-tags", "registry", "platforms",       "source",      "target",
    "sources",    "format",   "verify-platform", "annotations", "platform-annotations",
    NULL};

static int copy_or_default(struct farm_ctx *x, const struct farm_node *at, char **dst,
                           const char *src)
{
	if (src && !(*dst = strdup(src)))
		return farm_fail(x, at, "out of memory");
	return 0;
}

static int read_image(struct farm_ctx *x, const struct farm_node *n, const struct defaults *d,
                      struct farm_config *c, size_t idx)
{
	const struct farm_keys keys = {image_required, image_optional};
	struct farm_image *im = &c->images[idx];
	const struct farm_node *v;
	int r = 0;
	size_t mark;

	im->pos.line = n->line;
	im->pos.column = n->column;
	im->verify_platform = d->verify;
	im->format = d->format;
	if (farm_check_mapping(x, n, &keys) < 0)
		return -1;

	v = farm_node_get(n, "name");
	mark = farm_path_key(x, "name");
	r = farm_get_string(x, v, &im->name);
	if (r == 0 && !farm_name_ok(im->name))
		r = farm_fail(x, v, "\"%s\" is not a valid repository name", im->name);
	for (size_t j = 0; r == 0 && j < idx; j++)
		if (strcmp(c->images[j].name, im->name) == 0)
			r = farm_fail(x, v, "duplicate image \"%s\" (first at %d:%d)", im->name,
			              c->images[j].pos.line, c->images[j].pos.column);
	farm_path_pop(x, mark);
	if (r < 0)
		return -1;

	const struct farm_node *tags = farm_node_get(n, "tags");
	mark = farm_path_key(x, "tags");
	r = read_tags(x, tags, im, NULL, 0);
	farm_path_pop(x, mark);
	if (r == 0 && (v = farm_node_get(n, "extra-tags"))) {
		mark = farm_path_key(x, "extra-tags");
		r = read_tags(x, v, im, tags, 1);
		farm_path_pop(x, mark);
	}
	if (r < 0)
		return -1;

	/* Keys that fall back to the defaults. */
	static const char *const plain[] = {"registry", "platforms",       "source", "target",
	                                    "format",   "verify-platform", NULL};
	for (size_t i = 0; plain[i]; i++) {
		const char *k = plain[i];
		if (!(v = farm_node_get(n, k)))
			continue;
		mark = farm_path_key(x, k);
		if (i == 0)
			r = read_registry_value(x, v, &im->registry);
		else if (i == 1)
			r = read_platforms(x, v, &im->platforms, &im->n_platforms);
		else if (i == 2)
			r = read_template(x, v, 1, &im->source);
		else if (i == 3)
			r = read_template(x, v, 0, &im->target);
		else if (i == 4)
			r = read_format(x, v, &im->format);
		else
			r = farm_get_bool(x, v, &im->verify_platform);
		farm_path_pop(x, mark);
		if (r < 0)
			return -1;
	}
	if (!im->registry && copy_or_default(x, n, &im->registry, d->registry) < 0)
		return -1;
	if (!im->source &&
	    copy_or_default(x, n, &im->source, d->source ? d->source : DEFAULT_SOURCE) < 0)
		return -1;
	if (!im->target &&
	    copy_or_default(x, n, &im->target, d->target ? d->target : DEFAULT_TARGET) < 0)
		return -1;
	if (!im->platforms) {
		if (!d->platforms)
			return farm_fail(x, n,
			                 "missing required key \"platforms\" (not set in "
			                 "defaults either)");
		if (!(im->platforms = calloc(d->n_platforms, sizeof(*im->platforms))))
			return farm_fail(x, n, "out of memory");
		im->n_platforms = d->n_platforms;
		for (size_t i = 0; i < d->n_platforms; i++)
			if (farm_platform_copy(&im->platforms[i], &d->platforms[i]) < 0)
				return farm_fail(x, n, "out of memory");
	}

	static const char *const per_platform[] = {"sources", "platform-annotations", NULL};
	for (size_t i = 0; per_platform[i]; i++) {
		if (!(v = farm_node_get(n, per_platform[i])))
			continue;
		mark = farm_path_key(x, per_platform[i]);
		r = read_sources(x, v, im, (int)i);
		farm_path_pop(x, mark);
		if (r < 0)
			return -1;
	}
	v = farm_node_get(n, "annotations");
	mark = v ? farm_path_key(x, "annotations") : x->path_len;
	r = merge_annotations(x, v, im, d);
	farm_path_pop(x, mark);
	if (r < 0)
		return -1;

	if (!im->registry) {
		int uses = farm_template_uses(im->source, "registry") ||
		           farm_template_uses(im->target, "registry");
		for (size_t i = 0; i < im->n_platforms; i++)
			uses |= farm_template_uses(im->platforms[i].source, "registry");
		if (uses)
			return farm_fail(x, n,
			                 "missing required key \"registry\" (the templates "
			                 "use {registry}; not set in defaults either)");
	}
	return 0;
}

/* ---- retag --------------------------------------------------------------- */

static const struct farm_image *find_image(const struct farm_config *c, const char *name)
{
	for (size_t i = 0; i < c->n_images; i++)
		if (strcmp(c->images[i].name, name) == 0)
			return &c->images[i];
	return NULL;
}

static int read_retag(struct farm_ctx *x, const struct farm_node *n, struct farm_config *c)
{
	static const char *const req[] = {"from", "to", NULL};
	static const char *const opt[] = {"images", NULL};
	const struct farm_keys keys = {req, opt};
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
	for (size_t i = 0; i < c->n_images; i++)
		names[i] = c->images[i].name;
	int r = 0;
	for (size_t i = 0; r == 0 && i < n->n_items; i++) {
		const struct farm_node *rn = n->items[i];
		struct farm_retag_rule *rule = &c->retag[i];
		size_t mark = farm_path_index(x, i);
		rule->pos.line = rn->line;
		rule->pos.column = rn->column;
		r = farm_check_mapping(x, rn, &keys);
		for (size_t k = 0; r == 0 && k < 2; k++) {
			size_t m2 = farm_path_key(x, req[k]);
			r = read_template(x, farm_node_get(rn, req[k]), 1,
			                  k ? &rule->to : &rule->from);
			farm_path_pop(x, m2);
		}
		const struct farm_node *iv = r == 0 ? farm_node_get(rn, "images") : NULL;
		if (iv) {
			size_t m2 = farm_path_key(x, "images");
			r = farm_get_string_list(x, iv, &rule->images, &rule->n_images);
			for (size_t k = 0; r == 0 && k < rule->n_images; k++) {
				if (find_image(c, rule->images[k]))
					continue;
				size_t m3 = farm_path_index(x, k);
				const char *s = farm_suggest(rule->images[k], names);
				if (s)
					r = farm_fail(
					    x, iv->items[k],
					    "no image named \"%s\" (did you mean \"%s\"?)",
					    rule->images[k], s);
				else
					r = farm_fail(x, iv->items[k], "no image named \"%s\"",
					              rule->images[k]);
				farm_path_pop(x, m3);
			}
			farm_path_pop(x, m2);
		}
		int uses = r == 0 && (farm_template_uses(rule->from, "registry") ||
		                      farm_template_uses(rule->to, "registry"));
		for (size_t k = 0; uses && r == 0 && k < c->n_images; k++) {
			const struct farm_image *im = &c->images[k];
			int covered = rule->n_images == 0;
			for (size_t j = 0; j < rule->n_images; j++)
				covered |= strcmp(rule->images[j], im->name) == 0;
			if (covered && !im->registry)
				r = farm_fail(x, rn,
				              "the rule uses {registry} but image \"%s\" has no "
				              "registry",
				              im->name);
		}
		farm_path_pop(x, mark);
	}
	free(names);
	return r;
}

/* ---- the whole file ----------------------------------------------------- */

int farm_config_read(struct farm_ctx *x, const struct farm_node *root, struct farm_config *c,
                     const char *base_dir)
{
	static const char *const req[] = {"images", NULL};
	static const char *const opt[] = {"defaults", "registries", "retag", "status", NULL};
	const struct farm_keys keys = {req, opt};
	struct defaults d = {.verify = 1, .format = FARM_FORMAT_AUTO};
	const struct farm_node *v;
	size_t mark;
	int r = -1;

	if (farm_check_mapping(x, root, &keys) < 0)
		goto out;
	if ((v = farm_node_get(root, "defaults"))) {
		mark = farm_path_key(x, "defaults");
		r = read_defaults(x, v, &d);
		farm_path_pop(x, mark);
		if (r < 0)
			goto out;
	}
	if ((v = farm_node_get(root, "registries"))) {
		mark = farm_path_key(x, "registries");
		r = read_registries(x, v, c, base_dir);
		farm_path_pop(x, mark);
		if (r < 0)
			goto out;
	}
	v = farm_node_get(root, "images");
	mark = farm_path_key(x, "images");
	r = farm_get_seq(x, v);
	if (r == 0 && v->n_items == 0)
		r = farm_fail(x, v, "empty list, want at least one image");
	if (r == 0 && !(c->images = calloc(v->n_items, sizeof(*c->images))))
		r = farm_fail(x, v, "out of memory");
	for (size_t i = 0; r == 0 && i < v->n_items; i++) {
		size_t m2 = farm_path_index(x, i);
		c->n_images = i + 1;
		r = read_image(x, v->items[i], &d, c, i);
		farm_path_pop(x, m2);
	}
	farm_path_pop(x, mark);
	if (r < 0)
		goto out;
	if ((v = farm_node_get(root, "retag"))) {
		mark = farm_path_key(x, "retag");
		r = read_retag(x, v, c);
		farm_path_pop(x, mark);
		if (r < 0)
			goto out;
	}
	if ((v = farm_node_get(root, "status"))) {
		mark = farm_path_key(x, "status");
		r = farm_get_string(x, v, &c->status);
		farm_path_pop(x, mark);
	}
out:
	defaults_clear(&d);
	return r;
}
