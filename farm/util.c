/* util.c — small helpers farm's loaders share: owned strings, error
 * formatting, deep copies and frees of platforms and key/value lists, and
 * the edit distance behind "did you mean". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "farm_internal.h"

char *farm_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *farm_strndup(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* The name-by-name view of the first error is struct base_error itself. */
_Static_assert(offsetof(struct farm_error, msg) ==
                   offsetof(struct farm_error, base) + offsetof(struct base_error, msg),
               "farm_error's msg is base_error's");
_Static_assert(sizeof(((struct farm_error *)0)->msg) == sizeof(((struct base_error *)0)->msg),
               "farm_error's msg is as long as base_error's");

void farm_err_set(struct farm_error *err, const char *fmt, ...)
{
	if (!err)
		return;
	va_list ap;
	base_error_clear(&err->base);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	snprintf(err->all, sizeof(err->all), "%s\n", err->msg);
	err->n_errors = 1;
}

void farm_strv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void farm_kv_free(struct farm_kv *kv, size_t n)
{
	if (!kv)
		return;
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void farm_platform_clear(struct farm_platform *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->os);
	free(p->arch);
	free(p->variant);
	free(p->os_version);
	farm_strv_free(p->os_features, p->n_os_features);
	farm_strv_free(p->features, p->n_features);
	free(p->source);
	farm_kv_free(p->annotations, p->n_annotations);
	memset(p, 0, sizeof(*p));
}

static int strv_copy(char ***dst, const char *const *src, size_t n)
{
	*dst = NULL;
	if (n == 0)
		return 0;
	char **v = calloc(n, sizeof(*v));
	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!(v[i] = strdup(src[i]))) {
			farm_strv_free(v, n);
			return -1;
		}
	}
	*dst = v;
	return 0;
}

int farm_kv_copy(struct farm_kv **dst, size_t *n_dst, const struct farm_kv *src, size_t n)
{
	*dst = NULL;
	*n_dst = 0;
	if (n == 0)
		return 0;
	struct farm_kv *kv = calloc(n, sizeof(*kv));
	if (!kv)
		return -1;
	for (size_t i = 0; i < n; i++) {
		kv[i].key = strdup(src[i].key);
		kv[i].value = strdup(src[i].value);
		if (!kv[i].key || !kv[i].value) {
			farm_kv_free(kv, n);
			return -1;
		}
	}
	*dst = kv;
	*n_dst = n;
	return 0;
}

/* On failure dst is left cleared (nothing to free). */
int farm_platform_copy(struct farm_platform *dst, const struct farm_platform *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->pos = src->pos;
	dst->optional = src->optional;
	if (!(dst->name = farm_strdup(src->name)) || !(dst->os = farm_strdup(src->os)) ||
	    !(dst->arch = farm_strdup(src->arch)))
		goto fail;
	if (src->variant && !(dst->variant = strdup(src->variant)))
		goto fail;
	if (src->os_version && !(dst->os_version = strdup(src->os_version)))
		goto fail;
	if (src->source && !(dst->source = strdup(src->source)))
		goto fail;
	if (strv_copy(&dst->os_features, (const char *const *)src->os_features,
	              src->n_os_features) < 0)
		goto fail;
	dst->n_os_features = src->n_os_features;
	if (strv_copy(&dst->features, (const char *const *)src->features, src->n_features) < 0)
		goto fail;
	dst->n_features = src->n_features;
	if (farm_kv_copy(&dst->annotations, &dst->n_annotations, src->annotations,
	                 src->n_annotations) < 0)
		goto fail;
	return 0;
fail:
	farm_platform_clear(dst);
	return -1;
}

size_t farm_edit_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return cap + 1; /* keys are short; don't spend on long input */
	if ((la > lb ? la - lb : lb - la) > cap)
		return cap + 1;
	size_t row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb] > cap ? cap + 1 : row[lb];
}

const char *farm_suggest(const char *s, const char *const *candidates)
{
	const char *best = NULL;
	size_t best_d = 3;
	for (size_t i = 0; candidates && candidates[i]; i++) {
		size_t d = farm_edit_distance(s, candidates[i], 2);
		/* "x" is two edits from "os" but nobody meant it */
		if (d < best_d && 2 * d < strlen(candidates[i])) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best;
}

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* distribution's repository grammar, simplified: '/'-separated components
 * of [a-z0-9._-] that start and end with [a-z0-9]. */
int farm_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 255)
		return 0;
	for (const char *p = s; *p;) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == 0 || !is_lower_alnum(p[0]) || !is_lower_alnum(p[len - 1]))
			return 0;
		for (size_t i = 0; i < len; i++)
			if (!is_lower_alnum(p[i]) && p[i] != '.' && p[i] != '_' && p[i] != '-')
				return 0;
		p += len;
		if (*p == '/')
			p++;
	}
	return s[n - 1] != '/';
}

/* Docker's tag grammar: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. */
int farm_tag_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 128 || s[0] == '.' || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-'))
			return 0;
	}
	return 1;
}

/* ---- string sets ---------------------------------------------------------- */

static size_t strset_hash(const char *s)
{
	size_t h = (size_t)14695981039346656037ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
	return h;
}

static int strset_grow(struct farm_strset *set)
{
	size_t cap = set->cap ? set->cap * 2 : 16;
	const char **keys = calloc(cap, sizeof(*keys));
	size_t *index = calloc(cap, sizeof(*index));

	if (!keys || !index) {
		free(keys);
		free(index);
		return -1;
	}
	for (size_t i = 0; i < set->cap; i++) {
		if (!set->keys[i])
			continue;
		size_t j = strset_hash(set->keys[i]) & (cap - 1);
		while (keys[j])
			j = (j + 1) & (cap - 1);
		keys[j] = set->keys[i];
		index[j] = set->index[i];
	}
	free(set->keys);
	free(set->index);
	set->keys = keys;
	set->index = index;
	set->cap = cap;
	return 0;
}

int farm_strset_add(struct farm_strset *set, const char *s, size_t i, size_t *first)
{
	size_t j;

	if ((set->n + 1) * 2 > set->cap && strset_grow(set) < 0)
		return -1;
	for (j = strset_hash(s) & (set->cap - 1); set->keys[j]; j = (j + 1) & (set->cap - 1)) {
		if (strcmp(set->keys[j], s) == 0) {
			if (first)
				*first = set->index[j];
			return 1;
		}
	}
	set->keys[j] = s;
	set->index[j] = i;
	set->n++;
	return 0;
}

int farm_strset_find(const struct farm_strset *set, const char *s, size_t *at)
{
	if (!set->cap)
		return 0;
	for (size_t j = strset_hash(s) & (set->cap - 1); set->keys[j];
	     j = (j + 1) & (set->cap - 1)) {
		if (strcmp(set->keys[j], s) == 0) {
			if (at)
				*at = set->index[j];
			return 1;
		}
	}
	return 0;
}

void farm_strset_free(struct farm_strset *set)
{
	free(set->keys);
	free(set->index);
	memset(set, 0, sizeof(*set));
}

/* ---- the images' names ---------------------------------------------------- */

#define NAMES_BLOCK 65536 /* names are copied into blocks this big: no malloc each */

static char *names_copy(struct farm_names *t, const char *s)
{
	size_t len = strlen(s) + 1;
	char **v;

	if (t->n_blocks && len <= NAMES_BLOCK - t->block_used) {
		char *p = t->blocks[t->n_blocks - 1] + t->block_used;
		memcpy(p, s, len);
		t->block_used += len;
		return p;
	}
	if (!(v = realloc(t->blocks, (t->n_blocks + 1) * sizeof(*v))))
		return NULL;
	t->blocks = v;
	if (!(v[t->n_blocks] = malloc(len > NAMES_BLOCK ? len : NAMES_BLOCK)))
		return NULL;
	memcpy(v[t->n_blocks++], s, len);
	/* a name longer than a block has its own; the next starts a new one */
	t->block_used = len > NAMES_BLOCK ? NAMES_BLOCK : len;
	return v[t->n_blocks - 1];
}

int farm_names_add(struct farm_names *t, const char *name, struct farm_pos pos,
                   struct farm_pos *first)
{
	size_t at = 0;
	char *copy;

	if (farm_strset_find(&t->set, name, &at)) {
		if (first)
			*first = t->pos[at];
		return 1;
	}
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 64;
		struct farm_pos *p = realloc(t->pos, nc * sizeof(*p));
		if (!p)
			return -1;
		t->pos = p;
		t->cap = nc;
	}
	if (!(copy = names_copy(t, name)) || farm_strset_add(&t->set, copy, t->n, NULL) < 0)
		return -1;
	t->pos[t->n++] = pos;
	return 0;
}

void farm_names_free(struct farm_names *t)
{
	farm_strset_free(&t->set);
	for (size_t i = 0; i < t->n_blocks; i++)
		free(t->blocks[i]);
	free(t->blocks);
	free(t->pos);
	memset(t, 0, sizeof(*t));
}
