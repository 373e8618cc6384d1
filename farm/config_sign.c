/* config_sign.c — the signing keys of manifold's config: `sign-key` (the
 * private key lists are signed with) and `require-signature` (the public
 * keys a child's signature must verify under), each a key from a file or
 * an environment variable. Only where a key is is read here; the key
 * itself is loaded by the engine before the first request. */
#include <stdlib.h>
#include <string.h>

#include "farm_internal.h"

/* A name a shell and a Kubernetes Secret's env entry would take. */
static int env_name_ok(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

/* PATH, {file: PATH} or {env: NAME}. */
int farm_read_key_ref(struct farm_ctx *x, const struct farm_node *n, struct farm_key_ref *out)
{
	static const char *const opt[] = {"file", "env", NULL};
	const struct farm_keys keys = {NULL, opt};
	const struct farm_node *f, *e;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->pos.line = n->line;
	out->pos.column = n->column;
	if (n->kind == FARM_NODE_SCALAR)
		return farm_get_string(x, n, &out->file);
	if (n->kind != FARM_NODE_MAP)
		return farm_fail_expected(x, n, "a key file path, {file: PATH} or {env: NAME}");
	if (farm_check_mapping(x, n, &keys) < 0)
		return -1;
	f = farm_node_get(n, "file");
	e = farm_node_get(n, "env");
	if (n->n_pairs > (size_t)(!!f + !!e))
		return -1; /* an unknown key, reported with its did-you-mean */
	if (!!f == !!e)
		return farm_fail(x, n, "want exactly one of \"file\" and \"env\"");
	if (f) {
		size_t mark = farm_path_key(x, "file");
		rc = farm_get_string(x, f, &out->file);
		if (rc == 0 && !*out->file)
			rc = farm_fail(x, f, "empty path");
		farm_path_pop(x, mark);
	} else {
		size_t mark = farm_path_key(x, "env");
		rc = farm_get_string(x, e, &out->env);
		if (rc == 0 && !env_name_ok(out->env))
			rc =
			    farm_fail(x, e, "\"%s\" is not an environment variable name", out->env);
		farm_path_pop(x, mark);
	}
	return rc;
}

/* One key or a list of them; an empty list is an error. */
int farm_read_key_list(struct farm_ctx *x, const struct farm_node *n, struct farm_key_ref **out,
                       size_t *n_out)
{
	int rc = 0;

	*out = NULL;
	*n_out = 0;
	if (n->kind != FARM_NODE_SEQ) {
		if (!(*out = calloc(1, sizeof(**out))))
			return farm_fail(x, n, "out of memory");
		*n_out = 1;
		return farm_read_key_ref(x, n, *out);
	}
	if (n->n_items == 0)
		return farm_fail(x, n, "empty list, want at least one public key");
	if (!(*out = calloc(n->n_items, sizeof(**out))))
		return farm_fail(x, n, "out of memory");
	*n_out = n->n_items;
	for (size_t i = 0; i < n->n_items; i++) {
		size_t mark = farm_path_index(x, i);
		rc |= farm_read_key_ref(x, n->items[i], &(*out)[i]);
		farm_path_pop(x, mark);
	}
	return rc;
}

void farm_key_refs_free(struct farm_key_ref *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].file);
		free(v[i].env);
	}
	free(v);
}

int farm_key_refs_copy(struct farm_key_ref **dst, const struct farm_key_ref *src, size_t n)
{
	*dst = NULL;
	if (!src || n == 0)
		return 0;
	if (!(*dst = calloc(n, sizeof(**dst))))
		return -1;
	for (size_t i = 0; i < n; i++) {
		(*dst)[i].pos = src[i].pos;
		if ((src[i].file && !((*dst)[i].file = farm_strdup(src[i].file))) ||
		    (src[i].env && !((*dst)[i].env = farm_strdup(src[i].env)))) {
			farm_key_refs_free(*dst, n);
			*dst = NULL;
			return -1;
		}
	}
	return 0;
}
