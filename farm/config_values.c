/* config_values.c — the typed values of manifold's config: enumerations,
 * templates, registries, platform lists, per-platform source maps, numbers
 * and durations. Each records its error at the value's place. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "farm_internal.h"

int farm_fail_expected(struct farm_ctx *x, const struct farm_node *n, const char *want)
{
	char buf[80];
	snprintf(buf, sizeof(buf), "\"%.60s\"", n->kind == FARM_NODE_SCALAR ? n->scalar : "");
	return farm_fail(x, n, "expected %s, got %s", want,
	                 n->kind == FARM_NODE_SCALAR && !n->is_null ? buf : farm_node_kind_name(n));
}

int farm_read_enum(struct farm_ctx *x, const struct farm_node *n, const char *const *names,
                   int *out)
{
	char want[256];
	size_t used = 0, count = 0;
	for (; names[count]; count++)
		if (n->kind == FARM_NODE_SCALAR && strcmp(n->scalar, names[count]) == 0) {
			*out = (int)count;
			return 0;
		}
	/* "a or b", "a, b or c" */
	want[0] = '\0';
	for (size_t i = 0; i < count && used < sizeof(want); i++) {
		const char *sep = i == 0 ? "" : i + 1 == count ? " or " : ", ";
		int w = snprintf(want + used, sizeof(want) - used, "%s%s", sep, names[i]);
		used += w > 0 ? (size_t)w : 0;
	}
	return farm_fail_expected(x, n, want);
}

int farm_read_template(struct farm_ctx *x, const struct farm_node *n, int per_platform_ok,
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

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int farm_registry_ok(const char *s, int allow_path)
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

int farm_read_registry_value(struct farm_ctx *x, const struct farm_node *n, char **out)
{
	if (farm_get_string(x, n, out) < 0)
		return -1;
	if (farm_registry_ok(*out, 1))
		return 0;
	farm_fail(x, n, "\"%s\" is not a valid registry (want host[:port][/path])", *out);
	free(*out);
	*out = NULL;
	return -1;
}

int farm_read_platforms(struct farm_ctx *x, const struct farm_node *n, int allow_empty,
                        struct farm_platform **out, size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	if (farm_get_seq(x, n) < 0)
		return -1;
	if (n->n_items == 0)
		return allow_empty ? 0 : farm_fail(x, n, "empty list, want at least one platform");
	struct farm_platform *v = calloc(n->n_items, sizeof(*v));
	if (!v)
		return farm_fail(x, n, "out of memory");
	int rc = 0;
	for (size_t i = 0; i < n->n_items; i++) {
		const struct farm_node *item = n->items[i];
		size_t mark = farm_path_index(x, i);
		char *text = NULL;
		int r = farm_get_string(x, item, &text);
		if (r == 0)
			r = farm_platform_set(x, item, text, &v[i]);
		for (size_t j = 0; r == 0 && j < i; j++) {
			if (!v[j].name || strcmp(v[j].name, v[i].name) != 0)
				continue;
			if (strcmp(text, v[i].name) == 0)
				r = farm_fail(x, item, "duplicate platform \"%s\" (first at %d:%d)",
				              text, v[j].pos.line, v[j].pos.column);
			else
				r = farm_fail(x, item,
				              "duplicate platform \"%s\" (normalised \"%s\", first "
				              "at %d:%d)",
				              text, v[i].name, v[j].pos.line, v[j].pos.column);
			farm_platform_clear(&v[i]);
		}
		free(text);
		farm_path_pop(x, mark);
		rc |= r;
	}
	if (rc < 0) {
		for (size_t i = 0; i < n->n_items; i++)
			farm_platform_clear(&v[i]);
		free(v);
		return -1;
	}
	*out = v;
	*n_out = n->n_items;
	return 0;
}

/* platform (normalised, each once) → template */
static int source_entry(struct farm_ctx *x, const struct farm_node_pair *pair, struct farm_kv *kv,
                        size_t i)
{
	const struct farm_node *key = pair->key;
	struct farm_platform p = {0};
	int r = farm_platform_set(x, key, key->scalar, &p);
	for (size_t j = 0; r == 0 && j < i; j++)
		if (kv[j].key && strcmp(kv[j].key, p.name) == 0)
			r = farm_fail(x, key, "\"%s\" names the same platform as an earlier key",
			              key->scalar);
	if (r == 0) {
		kv[i].key = p.name;
		p.name = NULL;
	}
	farm_platform_clear(&p);
	if (farm_read_template(x, pair->value, 1, &kv[i].value) < 0)
		r = -1;
	return r;
}

int farm_read_source_map(struct farm_ctx *x, const struct farm_node *n, struct farm_kv **out,
                         size_t *n_out)
{
	return farm_get_map(x, n, source_entry, out, n_out);
}

int farm_read_long(struct farm_ctx *x, const struct farm_node *n, long min, long max,
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
		return farm_fail_expected(x, n, want);
	*out = val;
	return 0;
}

#define DURATION_MAX_MS (24LL * 3600 * 1000)

/* base's duration grammar, more than 0 and at most a day. */
int farm_read_duration(struct farm_ctx *x, const struct farm_node *n, long *out_ms)
{
	long long ms = 0;

	if (n->kind == FARM_NODE_SCALAR && !n->is_null &&
	    base_duration_parse(n->scalar, &ms) == 0 && ms > 0 && ms <= DURATION_MAX_MS) {
		*out_ms = (long)ms;
		return 0;
	}
	return farm_fail_expected(x, n, BASE_DURATION_WANT("1ms", "24h"));
}
