/* list.c — building manifest lists / image indexes as deterministic bytes:
 * the same entries always give the same bytes and so the same digest, which
 * is how an unchanged night is recognised without a PUT (DESIGN.md rule 2).
 * The layout is written by hand so it cannot drift with a library; strings
 * go through base_json_str with Go's encoding/json escapes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

#define INDENT "   " /* 3 spaces, as `docker manifest push` (Go's MarshalIndent) */

static void sb_indent(struct base_buf *b, int level)
{
	for (int i = 0; i < level; i++)
		base_buf_put(b, INDENT, sizeof(INDENT) - 1);
}

/* Starts `"key": ` on its own line, after a comma unless it is the first. */
static void sb_key(struct base_buf *b, int level, int *first, const char *key)
{
	base_buf_str(b, *first ? "\n" : ",\n");
	*first = 0;
	sb_indent(b, level);
	base_json_str(b, key, BASE_JSON_GO);
	base_buf_put(b, ": ", 2);
}

static void sb_str_field(struct base_buf *b, int level, int *first, const char *key,
                         const char *val)
{
	sb_key(b, level, first, key);
	base_json_str(b, val, BASE_JSON_GO);
}

static void sb_strv_field(struct base_buf *b, int level, int *first, const char *key,
                          char *const *v, size_t n)
{
	sb_key(b, level, first, key);
	base_buf_put(b, "[", 1);
	for (size_t i = 0; i < n; i++) {
		base_buf_str(b, i ? ",\n" : "\n");
		sb_indent(b, level + 1);
		base_json_str(b, v[i], BASE_JSON_GO);
	}
	base_buf_put(b, "\n", 1);
	sb_indent(b, level);
	base_buf_put(b, "]", 1);
}

static int utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned char c = *p;
		size_t n;
		unsigned long cp;
		if (c < 0x80) {
			p++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

static int cmp_annotation(const void *a, const void *b)
{
	const struct reg_annotation *x = *(const struct reg_annotation *const *)a;
	const struct reg_annotation *y = *(const struct reg_annotation *const *)b;
	return strcmp(x->key, y->key);
}

/* Annotations sorted by key (Go writes maps that way, so docker, containerd
 * and skopeo agree), after checking keys are unique and text is UTF-8. */
static int annotations_sorted(const struct reg_annotation *a, size_t n, const char *where,
                              const struct reg_annotation ***out, struct base_error *err)
{
	const struct reg_annotation **v;

	*out = NULL;
	if (n == 0)
		return 0;
	if (!a) {
		base_error_set(err, "%sannotations: missing", where);
		return -1;
	}
	v = calloc(n, sizeof(*v));
	if (!v) {
		base_error_set(err, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!a[i].key || !a[i].key[0] || !a[i].value) {
			base_error_set(err, "%sannotation %zu has no key or no value", where, i);
			goto fail;
		}
		if (!utf8_valid(a[i].key) || !utf8_valid(a[i].value)) {
			base_error_set(err, "%sannotation \"%.100s\" is not valid UTF-8", where,
			               a[i].key);
			goto fail;
		}
		v[i] = &a[i];
	}
	qsort(v, n, sizeof(*v), cmp_annotation);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(v[i - 1]->key, v[i]->key) == 0) {
			base_error_set(err, "%sannotation \"%.100s\" is given twice", where,
			               v[i]->key);
			goto fail;
		}
	}
	*out = v;
	return 0;
fail:
	free(v);
	return -1;
}

static void sb_annotations(struct base_buf *b, int level, int *first,
                           const struct reg_annotation *const *v, size_t n)
{
	int f = 1;

	sb_key(b, level, first, "annotations");
	base_buf_put(b, "{", 1);
	for (size_t i = 0; i < n; i++)
		sb_str_field(b, level + 1, &f, v[i]->key, v[i]->value);
	base_buf_put(b, "\n", 1);
	sb_indent(b, level);
	base_buf_put(b, "}", 1);
}

static int strv_utf8(char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!v || !v[i] || !utf8_valid(v[i]))
			return 0;
	return 1;
}

static int entry_check(const struct reg_list_entry *e, size_t i, struct base_error *err)
{
	const struct reg_platform *p = e->platform;

	if (!e->media_type || !e->media_type[0] || !utf8_valid(e->media_type)) {
		base_error_set(err, "manifests[%zu]: media type is missing", i);
		return -1;
	}
	if (!reg_digest_valid(e->digest)) {
		base_error_set(err, "manifests[%zu]: digest \"%.80s\" is not a sha256 digest", i,
		               e->digest ? e->digest : "");
		return -1;
	}
	if (e->size < 0) {
		base_error_set(err, "manifests[%zu]: size %lld is negative", i, (long long)e->size);
		return -1;
	}
	if (p && (!p->os || !p->os[0] || !p->architecture || !p->architecture[0])) {
		base_error_set(err, "manifests[%zu]: platform needs os and architecture", i);
		return -1;
	}
	if (p && (!utf8_valid(p->os) || !utf8_valid(p->architecture) ||
	          (p->variant && !utf8_valid(p->variant)) ||
	          (p->os_version && !utf8_valid(p->os_version)) ||
	          !strv_utf8(p->os_features, p->n_os_features) ||
	          !strv_utf8(p->features, p->n_features))) {
		base_error_set(err, "manifests[%zu]: platform is not valid UTF-8", i);
		return -1;
	}
	return 0;
}

/* Which format a list gets: forced, or AUTO's rule (DESIGN.md rule 4). */
static int pick_format(enum reg_list_format format, const struct reg_list_entry *entries, size_t n,
                       size_t n_annotations, int *docker, struct base_error *err)
{
	int all_docker = n_annotations == 0;

	for (size_t i = 0; i < n; i++) {
		const struct reg_list_entry *e = &entries[i];
		int ok = strcmp(e->media_type, REG_MT_DOCKER_MANIFEST) == 0;
		if (format == REG_LIST_DOCKER && !ok) {
			base_error_set(
			    err,
			    "a Docker manifest list cannot hold manifests[%zu] (%.100s); "
			    "use the OCI index format",
			    i, e->media_type);
			return -1;
		}
		if (format == REG_LIST_DOCKER && !e->platform) {
			base_error_set(err,
			               "a Docker manifest list needs a platform for "
			               "manifests[%zu]",
			               i);
			return -1;
		}
		if (format == REG_LIST_DOCKER && e->n_annotations) {
			base_error_set(err,
			               "a Docker manifest list cannot carry annotations "
			               "(manifests[%zu]); use the OCI index format",
			               i);
			return -1;
		}
		if (!ok || !e->platform || e->n_annotations)
			all_docker = 0;
	}
	if (format == REG_LIST_DOCKER && n_annotations) {
		base_error_set(err, "a Docker manifest list cannot carry annotations; use the OCI "
		                    "index format");
		return -1;
	}
	*docker = format == REG_LIST_DOCKER || (format == REG_LIST_AUTO && all_docker);
	return 0;
}

static void sb_platform(struct base_buf *b, int *first, const struct reg_platform *p)
{
	int f = 1;

	sb_key(b, 3, first, "platform");
	base_buf_put(b, "{", 1);
	sb_str_field(b, 4, &f, "architecture", p->architecture);
	sb_str_field(b, 4, &f, "os", p->os);
	if (p->os_version && p->os_version[0])
		sb_str_field(b, 4, &f, "os.version", p->os_version);
	if (p->n_os_features)
		sb_strv_field(b, 4, &f, "os.features", p->os_features, p->n_os_features);
	if (p->variant && p->variant[0])
		sb_str_field(b, 4, &f, "variant", p->variant);
	if (p->n_features)
		sb_strv_field(b, 4, &f, "features", p->features, p->n_features);
	base_buf_put(b, "\n", 1);
	sb_indent(b, 3);
	base_buf_put(b, "}", 1);
}

int reg_list_build(enum reg_list_format format, const struct reg_list_entry *entries, size_t n,
                   const struct reg_annotation *annotations, size_t n_annotations,
                   struct base_buf *out, const char **media_type_out, struct base_error *err)
{
	const struct reg_annotation **top = NULL, **ea = NULL;
	struct base_buf b = {0};
	const char *mt;
	int docker = 0, first = 1, rc = BASE_EFAIL;
	char num[32];

	memset(out, 0, sizeof(*out));
	if (n && !entries) {
		base_error_set(err, "list entries missing");
		return BASE_EFAIL;
	}
	for (size_t i = 0; i < n; i++)
		if (entry_check(&entries[i], i, err) < 0)
			return BASE_EFAIL;
	if (pick_format(format, entries, n, n_annotations, &docker, err) < 0)
		return BASE_EFAIL;
	if (annotations_sorted(annotations, n_annotations, "", &top, err) < 0)
		return BASE_EFAIL;
	mt = docker ? REG_MT_DOCKER_LIST : REG_MT_OCI_INDEX;

	base_buf_put(&b, "{", 1);
	sb_key(&b, 1, &first, "schemaVersion");
	base_buf_put(&b, "2", 1);
	sb_str_field(&b, 1, &first, "mediaType", mt);
	sb_key(&b, 1, &first, "manifests");
	base_buf_put(&b, "[", 1);
	for (size_t i = 0; i < n; i++) {
		const struct reg_list_entry *e = &entries[i];
		int f = 1;
		char where[48];

		snprintf(where, sizeof(where), "manifests[%zu]: ", i);
		if (annotations_sorted(e->annotations, e->n_annotations, where, &ea, err) < 0)
			goto out;
		base_buf_str(&b, i ? ",\n" : "\n");
		sb_indent(&b, 2);
		base_buf_put(&b, "{", 1);
		sb_str_field(&b, 3, &f, "mediaType", e->media_type);
		sb_str_field(&b, 3, &f, "digest", e->digest);
		sb_key(&b, 3, &f, "size");
		snprintf(num, sizeof(num), "%lld", (long long)e->size);
		base_buf_str(&b, num);
		if (e->platform)
			sb_platform(&b, &f, e->platform);
		if (e->n_annotations)
			sb_annotations(&b, 3, &f, ea, e->n_annotations);
		free(ea);
		ea = NULL;
		base_buf_put(&b, "\n", 1);
		sb_indent(&b, 2);
		base_buf_put(&b, "}", 1);
	}
	if (n) {
		base_buf_put(&b, "\n", 1);
		sb_indent(&b, 1);
	}
	base_buf_put(&b, "]", 1);
	if (n_annotations)
		sb_annotations(&b, 1, &first, top, n_annotations);
	base_buf_put(&b, "\n}", 2);
	if (b.oom) {
		base_error_set(err, "out of memory");
		goto out;
	}
	*out = b;
	memset(&b, 0, sizeof(b));
	if (media_type_out)
		*media_type_out = mt;
	rc = BASE_OK;
out:
	base_buf_free(&b);
	free(top);
	free(ea);
	return rc;
}
