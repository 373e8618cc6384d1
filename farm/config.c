/* config.c — loading a config file: the validation context (key paths,
 * positioned errors), the per-mapping required/optional keys check (as h2o's
 * h2o_configurator_parse_mapping), typed readers, and the entry points that
 * pick manifold's config or manifest-tool's spec by the top-level keys. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "farm_internal.h"

/* config_read.c */
int farm_config_read(struct farm_ctx *x, const struct farm_node *root, struct farm_config *c,
                     const char *base_dir);

size_t farm_path_key(struct farm_ctx *x, const char *key)
{
	size_t mark = x->path_len;
	int plain = key[0] != '\0';
	for (const char *p = key; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			plain = 0;
	size_t room = sizeof(x->path) - x->path_len;
	int n = snprintf(x->path + x->path_len, room, plain ? "%s%s" : "%s\"%s\"",
	                 x->path_len ? "." : "", key);
	x->path_len = (n < 0 || (size_t)n >= room) ? sizeof(x->path) - 1 : x->path_len + (size_t)n;
	return mark;
}

size_t farm_path_index(struct farm_ctx *x, size_t i)
{
	size_t mark = x->path_len;
	size_t room = sizeof(x->path) - x->path_len;
	int n = snprintf(x->path + x->path_len, room, "[%zu]", i);
	x->path_len = (n < 0 || (size_t)n >= room) ? sizeof(x->path) - 1 : x->path_len + (size_t)n;
	return mark;
}

void farm_path_pop(struct farm_ctx *x, size_t mark)
{
	x->path_len = mark;
	x->path[mark] = '\0';
}

static int vfail(struct farm_ctx *x, const struct farm_node *n, int at_end, const char *fmt,
                 va_list ap) __attribute__((format(printf, 4, 0)));
static int vfail(struct farm_ctx *x, const struct farm_node *n, int at_end, const char *fmt,
                 va_list ap)
{
	char msg[FARM_EMSG];
	char where[FARM_EMSG];
	char line[FARM_EMSG * 3];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n && n->via_line)
		snprintf(where, sizeof(where), "%s:%d:%d (via alias at %d:%d)", x->file, n->line,
		         n->column, n->via_line, n->via_column);
	else if (n)
		snprintf(where, sizeof(where), "%s:%d:%d", x->file, n->line, n->column);
	else
		snprintf(where, sizeof(where), "%s", x->file);
	if (x->path_len)
		snprintf(line, sizeof(line), "%s: %s: %s", where, x->path, msg);
	else
		snprintf(line, sizeof(line), "%s: %s", where, msg);
	x->n_errors++;
	if (x->n_found == FARM_KEEP_ERRORS)
		return -1;
	if (!x->found && !(x->found = calloc(FARM_KEEP_ERRORS, sizeof(*x->found))))
		return -1;
	struct farm_found *f = &x->found[x->n_found];
	/* An error inside an aliased node sorts where the alias is. */
	f->line = !n ? 0 : n->via_line ? n->via_line : at_end ? n->end_line : n->line;
	f->column = !n ? 0 : n->via_line ? n->via_column : at_end ? n->end_column : n->column;
	/* cut as err->msg would be, so that FARM_MAX_ERRORS lines fit in all */
	if ((f->msg = farm_strndup(line, strnlen(line, FARM_EMSG - 1))))
		x->n_found++;
	return -1;
}

int farm_fail(struct farm_ctx *x, const struct farm_node *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(x, n, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int farm_fail_end(struct farm_ctx *x, const struct farm_node *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(x, n, 1, fmt, ap);
	va_end(ap);
	return -1;
}

int farm_ctx_finish(struct farm_ctx *x)
{
	if (x->n_errors == 0)
		return 0;
	/* Document order; errors at one place keep the order they were found
	 * in (a stable insertion sort; at most FARM_KEEP_ERRORS). */
	for (size_t i = 1; i < x->n_found; i++) {
		struct farm_found f = x->found[i];
		size_t j = i;
		for (; j > 0 &&
		       (x->found[j - 1].line > f.line ||
		        (x->found[j - 1].line == f.line && x->found[j - 1].column > f.column));
		     j--)
			x->found[j] = x->found[j - 1];
		x->found[j] = f;
	}
	struct farm_error *err = x->err;
	if (err) {
		if (x->n_found)
			snprintf(err->msg, sizeof(err->msg), "%s", x->found[0].msg);
		else
			snprintf(err->msg, sizeof(err->msg), "%s: out of memory", x->file);
		size_t used = 0;
		err->all[0] = '\0';
		for (size_t i = 0; i < x->n_found && i < FARM_MAX_ERRORS; i++) {
			int w = snprintf(err->all + used, sizeof(err->all) - used, "%s\n",
			                 x->found[i].msg);
			if (w > 0)
				used += (size_t)w < sizeof(err->all) - used ? (size_t)w : 0;
		}
		if (!x->n_found)
			snprintf(err->all, sizeof(err->all), "%s\n", err->msg);
		err->n_errors = x->n_errors;
	}
	for (size_t i = 0; i < x->n_found; i++)
		free(x->found[i].msg);
	free(x->found);
	x->found = NULL;
	x->n_found = 0;
	return -1;
}

/* What a node is, for "expected …, got …": a scalar shows its text. */
static const char *got(const struct farm_node *n, char *buf, size_t len)
{
	if (n->kind != FARM_NODE_SCALAR || n->is_null)
		return farm_node_kind_name(n);
	if (strlen(n->scalar) > 60)
		snprintf(buf, len, "\"%.60s...\"", n->scalar);
	else
		snprintf(buf, len, "\"%s\"", n->scalar);
	return buf;
}

static int expected(struct farm_ctx *x, const struct farm_node *n, const char *what)
{
	char buf[80];
	return farm_fail(x, n, "expected %s, got %s", what, got(n, buf, sizeof(buf)));
}

static int in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list && list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* The known key an unknown one is nearest to, or NULL. */
static const char *suggest_key(const char *key, const struct farm_keys *k)
{
	const char *s = farm_suggest(key, k->required);
	const char *s2 = farm_suggest(key, k->optional);
	if (!s || (s2 && farm_edit_distance(key, s2, 2) < farm_edit_distance(key, s, 2)))
		s = s2;
	return s;
}

static int is_known(const char *key, const struct farm_keys *k)
{
	return !k || in_list(key, k->required) || in_list(key, k->optional);
}

int farm_mapping_misspells(const struct farm_node *n, const struct farm_keys *k, const char *key)
{
	for (size_t i = 0; n->kind == FARM_NODE_MAP && i < n->n_pairs; i++) {
		const char *s = n->pairs[i].key->scalar;
		if (!is_known(s, k) && (s = suggest_key(s, k)) && strcmp(s, key) == 0)
			return 1;
	}
	return 0;
}

int farm_check_mapping(struct farm_ctx *x, const struct farm_node *n, const struct farm_keys *k)
{
	int rc = 0;
	if (n->kind != FARM_NODE_MAP)
		return expected(x, n, "a mapping");
	for (size_t i = 0; i < n->n_pairs; i++) {
		const struct farm_node *key = n->pairs[i].key;
		const struct farm_node *first = NULL;
		for (size_t j = 0; j < i && !first; j++)
			if (strcmp(n->pairs[j].key->scalar, key->scalar) == 0)
				first = n->pairs[j].key;
		if (first) {
			/* The mapping is not read: a second value would overwrite
			 * (and lose) the first. */
			rc = farm_fail(x, key, "duplicate key \"%s\" (first at %d:%d)", key->scalar,
			               first->line, first->column);
			continue;
		}
		if (is_known(key->scalar, k))
			continue;
		const char *s = suggest_key(key->scalar, k);
		if (s)
			farm_fail(x, key, "unknown key \"%s\" (did you mean \"%s\"?)", key->scalar,
			          s);
		else
			farm_fail(x, key, "unknown key \"%s\"", key->scalar);
	}
	for (size_t i = 0; k && k->required && k->required[i]; i++) {
		if (farm_node_get(n, k->required[i]))
			continue;
		rc = -1;
		if (!farm_mapping_misspells(n, k, k->required[i]))
			farm_fail_end(x, n, "missing required key \"%s\"", k->required[i]);
	}
	return rc;
}

int farm_get_string(struct farm_ctx *x, const struct farm_node *n, char **out)
{
	if (n->kind != FARM_NODE_SCALAR || n->is_null)
		return expected(x, n, "a string");
	if (!(*out = strdup(n->scalar)))
		return farm_fail(x, n, "out of memory");
	return 0;
}

int farm_get_bool(struct farm_ctx *x, const struct farm_node *n, int *out)
{
	static const char *const yes[] = {"true", "True", "TRUE", NULL};
	static const char *const no[] = {"false", "False", "FALSE", NULL};
	if (n->kind == FARM_NODE_SCALAR && in_list(n->scalar, yes))
		*out = 1;
	else if (n->kind == FARM_NODE_SCALAR && in_list(n->scalar, no))
		*out = 0;
	else
		return expected(x, n, "true or false");
	return 0;
}

int farm_get_seq(struct farm_ctx *x, const struct farm_node *n)
{
	return n->kind == FARM_NODE_SEQ ? 0 : expected(x, n, "a list");
}

int farm_get_string_list(struct farm_ctx *x, const struct farm_node *n, char ***out, size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	if (farm_get_seq(x, n) < 0)
		return -1;
	if (n->n_items == 0)
		return 0;
	char **v = calloc(n->n_items, sizeof(*v));
	if (!v)
		return farm_fail(x, n, "out of memory");
	int rc = 0;
	for (size_t i = 0; i < n->n_items; i++) {
		size_t mark = farm_path_index(x, i);
		if (farm_get_string(x, n->items[i], &v[i]) < 0)
			rc = -1;
		farm_path_pop(x, mark);
	}
	if (rc < 0) {
		farm_strv_free(v, n->n_items);
		return -1;
	}
	*out = v;
	*n_out = n->n_items;
	return 0;
}

int farm_get_map(struct farm_ctx *x, const struct farm_node *n, farm_entry_fn entry,
                 struct farm_kv **out, size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	if (farm_check_mapping(x, n, NULL) < 0)
		return -1;
	if (n->n_pairs == 0)
		return 0;
	struct farm_kv *kv = calloc(n->n_pairs, sizeof(*kv));
	if (!kv)
		return farm_fail(x, n, "out of memory");
	int rc = 0;
	for (size_t i = 0; i < n->n_pairs; i++) {
		size_t mark = farm_path_key(x, n->pairs[i].key->scalar);
		rc |= entry(x, &n->pairs[i], kv, i);
		farm_path_pop(x, mark);
	}
	if (rc < 0) {
		farm_kv_free(kv, n->n_pairs);
		return -1;
	}
	*out = kv;
	*n_out = n->n_pairs;
	return 0;
}

static int string_entry(struct farm_ctx *x, const struct farm_node_pair *p, struct farm_kv *kv,
                        size_t i)
{
	if (farm_get_string(x, p->value, &kv[i].value) < 0)
		return -1;
	if (!(kv[i].key = strdup(p->key->scalar)))
		return farm_fail(x, p->key, "out of memory");
	return 0;
}

int farm_get_kv_map(struct farm_ctx *x, const struct farm_node *n, struct farm_kv **out,
                    size_t *n_out)
{
	return farm_get_map(x, n, string_entry, out, n_out);
}

/* Splits "os/arch[/variant][:os.version]" into p; -1 when malformed. */
static int platform_split(const char *s, struct farm_platform *p)
{
	const char *colon = strchr(s, ':');
	size_t head = colon ? (size_t)(colon - s) : strlen(s);
	if (colon && (colon[1] == '\0' || strchr(colon + 1, ':')))
		return -1;
	const char *parts[3];
	size_t lens[3];
	size_t n = 0;
	const char *start = s;
	for (size_t i = 0; i <= head; i++) {
		if (i == head || s[i] == '/') {
			if (n == 3 || s + i == start)
				return -1;
			parts[n] = start;
			lens[n++] = (size_t)(s + i - start);
			start = s + i + 1;
		} else if (s[i] == ' ' || s[i] == '\t') {
			return -1;
		}
	}
	if (n < 2)
		return -1;
	if (!(p->name = strdup(s)) || !(p->os = farm_strndup(parts[0], lens[0])) ||
	    !(p->arch = farm_strndup(parts[1], lens[1])) ||
	    (n == 3 && !(p->variant = farm_strndup(parts[2], lens[2]))) ||
	    (colon && !(p->os_version = strdup(colon + 1))))
		return -2;
	return 0;
}

int farm_platform_set(struct farm_ctx *x, const struct farm_node *n, const char *text,
                      struct farm_platform *p)
{
	char norm[256], why[512];
	const char *use = text;
	if (x->opts && x->opts->platform_check) {
		norm[0] = why[0] = '\0';
		if (x->opts->platform_check(x->opts->platform_ctx, text, norm, sizeof(norm), why,
		                            sizeof(why)) < 0)
			return farm_fail(x, n, "%s", why[0] ? why : "not a known platform");
		norm[sizeof(norm) - 1] = '\0';
		use = norm;
	}
	p->pos.line = n->line;
	p->pos.column = n->column;
	int r = platform_split(use, p);
	if (r == 0)
		return 0;
	farm_platform_clear(p);
	if (r == -2)
		return farm_fail(x, n, "out of memory");
	return farm_fail(
	    x, n, "\"%s\" is not a valid platform (want os/arch[/variant][:os.version])", text);
}

int farm_check_template(struct farm_ctx *x, const struct farm_node *n, const char *tmpl)
{
	char why[FARM_EMSG / 2];
	if (farm_template_check(tmpl, why, sizeof(why)) < 0)
		return farm_fail(x, n, "%s", why);
	return 0;
}

static int parse_in(const char *name, const char *data, size_t len,
                    const struct farm_load_options *opts, const char *base_dir,
                    struct farm_config **out, struct farm_error *err)
{
	struct farm_node *root = NULL;
	struct farm_config *c = NULL;
	struct farm_ctx x = {.file = name, .opts = opts, .err = err};
	int rc = -1;

	*out = NULL;
	if (farm_node_parse(name, data, len, &root, err) < 0)
		goto out;
	if (!root || (root->kind == FARM_NODE_SCALAR && root->is_null)) {
		farm_err_set(err, "%s: empty config: want a mapping with an \"images\" list", name);
		goto out;
	}
	if (root->kind != FARM_NODE_MAP) {
		expected(&x, root, "a mapping");
		farm_ctx_finish(&x);
		goto out;
	}
	if (!(c = calloc(1, sizeof(*c))) || !(c->path = strdup(name))) {
		farm_err_set(err, "%s: out of memory", name);
		goto out;
	}
	/* manifest-tool's spec names one image; manifold's config a list. */
	if (!farm_node_get(root, "images") &&
	    (farm_node_get(root, "image") || farm_node_get(root, "manifests"))) {
		c->is_spec = 1;
		rc = farm_spec_read(&x, root, c);
	} else {
		rc = farm_config_read(&x, root, c, base_dir);
	}
	/* Any error rejects the file, even one a reader went on after. */
	if (farm_ctx_finish(&x) < 0)
		rc = -1;
	if (rc == 0) {
		*out = c;
		c = NULL;
	}
out:
	farm_config_free(c);
	farm_node_free(root);
	return rc;
}

int farm_config_parse(const char *name, const char *data, size_t len,
                      const struct farm_load_options *opts, struct farm_config **out,
                      struct farm_error *err)
{
	if (!data)
		len = 0;
	return parse_in(name ? name : "<config>", data ? data : "", len, opts, NULL, out, err);
}

int farm_config_load(const char *path, const struct farm_load_options *opts,
                     struct farm_config **out, struct farm_error *err)
{
	char *data = NULL, *dir = NULL;
	size_t len = 0;
	int rc = -1;
	FILE *f = fopen(path, "rb");

	*out = NULL;
	if (!f) {
		farm_err_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!(data = malloc(FARM_MAX_FILE + 1))) {
		farm_err_set(err, "%s: out of memory", path);
		goto out;
	}
	len = fread(data, 1, FARM_MAX_FILE + 1, f);
	if (ferror(f)) {
		farm_err_set(err, "%s: read error", path);
		goto out;
	}
	if (len > FARM_MAX_FILE) {
		farm_err_set(err, "%s: larger than %d bytes", path, FARM_MAX_FILE);
		goto out;
	}
	const char *slash = strrchr(path, '/');
	if (slash && !(dir = farm_strndup(path, (size_t)(slash - path) + 1))) {
		farm_err_set(err, "%s: out of memory", path);
		goto out;
	}
	rc = parse_in(path, data, len, opts, dir, out, err);
out:
	free(dir);
	free(data);
	fclose(f);
	return rc;
}

static void image_free(struct farm_image *im)
{
	free(im->name);
	farm_strv_free(im->tags, im->n_tags);
	farm_strv_free(im->extra_tags, im->n_extra_tags);
	free(im->registry);
	free(im->source);
	free(im->target);
	for (size_t i = 0; i < im->n_platforms; i++)
		farm_platform_clear(&im->platforms[i]);
	free(im->platforms);
	farm_kv_free(im->annotations, im->n_annotations);
	farm_key_refs_free(im->sign_key, im->sign_key ? 1 : 0);
	farm_key_refs_free(im->require_signature, im->n_require_signature);
}

void farm_config_free(struct farm_config *c)
{
	if (!c)
		return;
	free(c->path);
	for (size_t i = 0; i < c->n_registries; i++) {
		free(c->registries[i].name);
		free(c->registries[i].ca_file);
		free(c->registries[i].preset);
	}
	free(c->registries);
	for (size_t i = 0; i < c->n_images; i++)
		image_free(&c->images[i]);
	free(c->images);
	for (size_t i = 0; i < c->n_retag; i++) {
		free(c->retag[i].from);
		free(c->retag[i].to);
		farm_strv_free(c->retag[i].images, c->retag[i].n_images);
	}
	free(c->retag);
	free(c->status);
	free(c);
}

const struct farm_registry *farm_config_registry(const struct farm_config *c, const char *name)
{
	for (size_t i = 0; c && name && i < c->n_registries; i++)
		if (strcmp(c->registries[i].name, name) == 0)
			return &c->registries[i];
	return NULL;
}
