/* getters.c — what every config reader reads with: the per-mapping
 * required/optional keys check (as h2o's h2o_configurator_parse_mapping),
 * typed getters that fail with "expected …, got …" at the node, platforms
 * and templates checked at their node. The readers (config_*.c, spec.c)
 * call these; these call only the context (ctx.c) and util.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "farm_internal.h"

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
