/* manifest.c — reading manifests: the four types manifold handles (Docker
 * v2 schema 2, Docker manifest list, OCI manifest, OCI index) parsed from the
 * registry's exact bytes (kept in m->raw, never re-serialised), list entry
 * selection by platform, and the platform recorded in an image config. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

#define MT_DOCKER_V1        "application/vnd.docker.distribution.manifest.v1+json"
#define MT_DOCKER_V1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"
#define SIZE_MAX_JSON       9007199254740992.0 /* 2^53: the largest exact integer in a double */

int reg_media_type_is_list(const char *mt)
{
	return mt && (strcmp(mt, REG_MT_DOCKER_LIST) == 0 || strcmp(mt, REG_MT_OCI_INDEX) == 0);
}

int reg_media_type_is_image(const char *mt)
{
	return mt &&
	       (strcmp(mt, REG_MT_DOCKER_MANIFEST) == 0 || strcmp(mt, REG_MT_OCI_MANIFEST) == 0);
}

static void annotations_free(struct reg_annotation *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(a[i].key);
		free(a[i].value);
	}
	free(a);
}

static void descriptor_free(struct reg_descriptor *d)
{
	free(d->media_type);
	free(d->digest);
	reg_platform_free(&d->platform);
	free(d->artifact_type);
	annotations_free(d->annotations, d->n_annotations);
	memset(d, 0, sizeof(*d));
}

void reg_manifest_free(struct reg_manifest *m)
{
	if (!m)
		return;
	base_buf_free(&m->raw);
	free(m->media_type);
	free(m->digest);
	descriptor_free(&m->config);
	for (size_t i = 0; i < m->n_layers; i++)
		descriptor_free(&m->layers[i]);
	free(m->layers);
	for (size_t i = 0; i < m->n_entries; i++)
		descriptor_free(&m->entries[i]);
	free(m->entries);
	annotations_free(m->annotations, m->n_annotations);
	memset(m, 0, sizeof(*m));
}

/* Optional string member: 0 absent, 1 present (*out malloc'd), -1 wrong type
 * or out of memory (err set). */
static int get_str(const cJSON *o, const char *key, const char *where, char **out,
                   struct base_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = NULL;
	if (!v)
		return 0;
	if (!cJSON_IsString(v) || !v->valuestring) {
		base_error_set(err, "%s%s%s is not a string", where, where[0] ? "." : "", key);
		return -1;
	}
	*out = strdup(v->valuestring);
	if (!*out) {
		base_error_set(err, "out of memory");
		return -1;
	}
	return 1;
}

static int get_req_str(const cJSON *o, const char *key, const char *where, char **out,
                       struct base_error *err)
{
	int r = get_str(o, key, where, out, err);
	if (r == 0)
		base_error_set(err, "%s%s%s is missing", where, where[0] ? "." : "", key);
	return r == 1 ? 0 : -1;
}

static int get_strv(const cJSON *o, const char *key, const char *where, char ***out, size_t *n,
                    struct base_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key), *it;
	size_t i = 0, count;

	*out = NULL;
	*n = 0;
	if (!v)
		return 0;
	if (!cJSON_IsArray(v)) {
		base_error_set(err, "%s%s%s is not an array", where, where[0] ? "." : "", key);
		return -1;
	}
	count = (size_t)cJSON_GetArraySize(v);
	if (count == 0)
		return 0;
	*out = calloc(count, sizeof(char *));
	if (!*out) {
		base_error_set(err, "out of memory");
		return -1;
	}
	*n = count;
	cJSON_ArrayForEach(it, v)
	{
		if (!cJSON_IsString(it) || !it->valuestring) {
			base_error_set(err, "%s%s%s[%zu] is not a string", where,
			               where[0] ? "." : "", key, i);
			return -1;
		}
		(*out)[i] = strdup(it->valuestring);
		if (!(*out)[i++]) {
			base_error_set(err, "out of memory");
			return -1;
		}
	}
	return 0;
}

static int get_annotations(const cJSON *o, const char *where, struct reg_annotation **out,
                           size_t *n, struct base_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "annotations"), *it;
	size_t i = 0, count;

	*out = NULL;
	*n = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsObject(v)) {
		base_error_set(err, "%s%sannotations is not an object", where, where[0] ? "." : "");
		return -1;
	}
	count = (size_t)cJSON_GetArraySize(v);
	if (count == 0)
		return 0;
	*out = calloc(count, sizeof(**out));
	if (!*out) {
		base_error_set(err, "out of memory");
		return -1;
	}
	*n = count;
	cJSON_ArrayForEach(it, v)
	{
		if (!cJSON_IsString(it) || !it->valuestring || !it->string) {
			base_error_set(err, "%s%sannotations[\"%.100s\"] is not a string", where,
			               where[0] ? "." : "", it->string ? it->string : "");
			return -1;
		}
		(*out)[i].key = strdup(it->string);
		(*out)[i].value = strdup(it->valuestring);
		if (!(*out)[i].key || !(*out)[i++].value) {
			base_error_set(err, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* Platform as the document wrote it: list entries may carry platforms no
 * one can run ("unknown/unknown" attestations), so nothing is normalised
 * or rejected here; reg_platform_match normalises when comparing. */
static int platform_read(const cJSON *o, const char *where, struct reg_platform *p,
                         struct base_error *err)
{
	char w[96];

	snprintf(w, sizeof(w), "%s.platform", where);
	if (!cJSON_IsObject(o)) {
		base_error_set(err, "%s is not an object", w);
		return -1;
	}
	if (get_req_str(o, "architecture", w, &p->architecture, err) < 0 ||
	    get_req_str(o, "os", w, &p->os, err) < 0 ||
	    get_str(o, "variant", w, &p->variant, err) < 0 ||
	    get_str(o, "os.version", w, &p->os_version, err) < 0 ||
	    get_strv(o, "os.features", w, &p->os_features, &p->n_os_features, err) < 0 ||
	    get_strv(o, "features", w, &p->features, &p->n_features, err) < 0)
		return -1;
	return 0;
}

static int descriptor_read(const cJSON *o, const char *where, struct reg_descriptor *d,
                           struct base_error *err)
{
	const cJSON *size, *plat;

	if (!cJSON_IsObject(o)) {
		base_error_set(err, "%s is not an object", where);
		return -1;
	}
	if (get_req_str(o, "mediaType", where, &d->media_type, err) < 0 ||
	    get_req_str(o, "digest", where, &d->digest, err) < 0)
		return -1;
	if (!reg_digest_valid(d->digest)) {
		base_error_set(err, "%s.digest \"%.80s\" is not a sha256 digest", where, d->digest);
		return -1;
	}
	size = cJSON_GetObjectItemCaseSensitive(o, "size");
	if (!size) {
		base_error_set(err, "%s.size is missing", where);
		return -1;
	}
	if (!cJSON_IsNumber(size) || !isfinite(size->valuedouble) || size->valuedouble < 0 ||
	    size->valuedouble > SIZE_MAX_JSON || floor(size->valuedouble) != size->valuedouble) {
		base_error_set(err, "%s.size is not a non-negative integer", where);
		return -1;
	}
	d->size = (int64_t)size->valuedouble;
	plat = cJSON_GetObjectItemCaseSensitive(o, "platform");
	if (plat && !cJSON_IsNull(plat)) {
		if (platform_read(plat, where, &d->platform, err) < 0)
			return -1;
		d->has_platform = 1;
	}
	if (get_str(o, "artifactType", where, &d->artifact_type, err) < 0 ||
	    get_annotations(o, where, &d->annotations, &d->n_annotations, err) < 0)
		return -1;
	return 0;
}

static int descriptors_read(const cJSON *root, const char *key, struct reg_descriptor **out,
                            size_t *n, struct base_error *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, key), *it;
	size_t i = 0, count;
	char where[64];

	if (!arr) {
		base_error_set(err, "%s is missing", key);
		return -1;
	}
	if (!cJSON_IsArray(arr)) {
		base_error_set(err, "%s is not an array", key);
		return -1;
	}
	count = (size_t)cJSON_GetArraySize(arr);
	if (count == 0)
		return 0;
	*out = calloc(count, sizeof(**out));
	if (!*out) {
		base_error_set(err, "out of memory");
		return -1;
	}
	*n = count;
	cJSON_ArrayForEach(it, arr)
	{
		snprintf(where, sizeof(where), "%s[%zu]", key, i);
		if (descriptor_read(it, where, &(*out)[i++], err) < 0)
			return -1;
	}
	return 0;
}

static int is_schema1(const char *mt)
{
	return mt && (strcmp(mt, MT_DOCKER_V1) == 0 || strcmp(mt, MT_DOCKER_V1_SIGNED) == 0);
}

/* The type a body without its own mediaType has, from its shape. OCI made
 * mediaType optional at first; Docker's types always carry it. */
static const char *type_from_shape(const cJSON *root)
{
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(root, "config"), *cmt;

	if (cJSON_GetObjectItemCaseSensitive(root, "manifests"))
		return REG_MT_OCI_INDEX;
	if (!cJSON_GetObjectItemCaseSensitive(root, "layers"))
		return NULL;
	cmt = cJSON_GetObjectItemCaseSensitive(cfg, "mediaType");
	if (cJSON_IsString(cmt) && cmt->valuestring &&
	    strcmp(cmt->valuestring, REG_MT_DOCKER_CONFIG) == 0)
		return REG_MT_DOCKER_MANIFEST;
	return REG_MT_OCI_MANIFEST;
}

/* Content-Types that say nothing about which manifest this is. */
static int generic_type(const char *ct)
{
	return !ct || !ct[0] || strcmp(ct, "application/json") == 0 ||
	       strcmp(ct, "text/plain") == 0 || strcmp(ct, "application/octet-stream") == 0;
}

static int manifest_read(const cJSON *root, const char *content_type, struct reg_manifest *m,
                         struct base_error *err)
{
	const cJSON *sv, *bmt, *cfg;
	const char *type;
	char ct[128];

	if (!cJSON_IsObject(root)) {
		base_error_set(err, "manifest is not a JSON object");
		return -1;
	}
	snprintf(ct, sizeof(ct), "%s", content_type ? content_type : "");
	ct[strcspn(ct, "; \t")] = '\0';
	sv = cJSON_GetObjectItemCaseSensitive(root, "schemaVersion");
	bmt = cJSON_GetObjectItemCaseSensitive(root, "mediaType");
	if (bmt && (!cJSON_IsString(bmt) || !bmt->valuestring)) {
		base_error_set(err, "mediaType is not a string");
		return -1;
	}
	type = bmt ? bmt->valuestring : generic_type(ct) ? type_from_shape(root) : ct;
	if (is_schema1(type) || (cJSON_IsNumber(sv) && sv->valuedouble == 1) ||
	    cJSON_GetObjectItemCaseSensitive(root, "fsLayers")) {
		base_error_set(err, "Docker image manifest schema 1 is not supported (deprecated "
		                    "format; push the image again with a current client)");
		return -1;
	}
	if (!type) {
		base_error_set(err, "manifest has no mediaType and neither manifests nor layers");
		return -1;
	}
	if (!reg_media_type_is_list(type) && !reg_media_type_is_image(type)) {
		base_error_set(err, "unsupported manifest media type \"%.100s\"", type);
		return -1;
	}
	if (sv && (!cJSON_IsNumber(sv) || sv->valuedouble != 2)) {
		base_error_set(err, "schemaVersion is not 2");
		return -1;
	}
	m->media_type = strdup(type);
	if (!m->media_type) {
		base_error_set(err, "out of memory");
		return -1;
	}
	m->is_list = reg_media_type_is_list(type);
	if (m->is_list) {
		if (descriptors_read(root, "manifests", &m->entries, &m->n_entries, err) < 0)
			return -1;
	} else {
		cfg = cJSON_GetObjectItemCaseSensitive(root, "config");
		if (!cfg) {
			base_error_set(err, "config is missing");
			return -1;
		}
		if (descriptor_read(cfg, "config", &m->config, err) < 0 ||
		    descriptors_read(root, "layers", &m->layers, &m->n_layers, err) < 0)
			return -1;
	}
	return get_annotations(root, "", &m->annotations, &m->n_annotations, err);
}

/* Parse len bytes into a cJSON tree: a NUL-terminated private copy (cJSON
 * wants one), no embedded NULs, nothing but whitespace after the value. */
static cJSON *json_parse(const uint8_t *data, size_t len, char **copy_out)
{
	const char *end = NULL;
	char *copy;
	cJSON *root;

	*copy_out = NULL;
	if (len > 0 && memchr(data, '\0', len))
		return NULL;
	copy = malloc(len + 1);
	if (!copy)
		return NULL;
	if (len)
		memcpy(copy, data, len);
	copy[len] = '\0';
	*copy_out = copy;
	root = cJSON_ParseWithLengthOpts(copy, len, &end, 0);
	if (!root)
		return NULL;
	for (; end && end < copy + len; end++) {
		if (*end != ' ' && *end != '\t' && *end != '\n' && *end != '\r') {
			cJSON_Delete(root);
			return NULL;
		}
	}
	return root;
}

/* The checks both readers start with: bytes present, under `max`, then
 * json_parse. `what` names the document in errors ("manifest"), `bad` says
 * what unparsable bytes are ("is not valid JSON"). */
static cJSON *json_open(const uint8_t *data, size_t len, size_t max, const char *what,
                        const char *bad, char **copy_out, struct base_error *err)
{
	cJSON *root;

	*copy_out = NULL;
	if (!data && len) {
		base_error_set(err, "%s: no data", what);
		return NULL;
	}
	if (len > max) {
		base_error_set(err, "%s is %zu bytes, more than the %zu byte limit", what, len,
		               max);
		return NULL;
	}
	root = json_parse(data, len, copy_out);
	if (!root)
		base_error_set(err, "%s %s", what, bad);
	return root;
}

int reg_manifest_parse(const uint8_t *data, size_t len, const char *content_type,
                       struct reg_manifest *m, struct base_error *err)
{
	char digest[REG_DIGEST_MAX];
	cJSON *root = NULL;
	char *text = NULL;
	int rc = BASE_EFAIL;

	memset(m, 0, sizeof(*m));
	root = json_open(data, len, REG_MANIFEST_MAX, "manifest", "is not valid JSON", &text, err);
	if (!root)
		goto out;
	/* The parse copy doubles as raw (with a NUL past len, harmless). */
	m->raw.data = (uint8_t *)text;
	m->raw.len = len;
	text = NULL;
	reg_digest_sha256(m->raw.data, m->raw.len, digest);
	m->digest = strdup(digest);
	if (!m->digest) {
		base_error_set(err, "out of memory");
		goto out;
	}
	if (manifest_read(root, content_type, m, err) < 0)
		goto out;
	rc = BASE_OK;
out:
	cJSON_Delete(root);
	free(text);
	if (rc < 0)
		reg_manifest_free(m);
	return rc;
}

static const char *annotation_get(const struct reg_descriptor *d, const char *key)
{
	for (size_t i = 0; i < d->n_annotations; i++)
		if (d->annotations[i].key && strcmp(d->annotations[i].key, key) == 0)
			return d->annotations[i].value;
	return NULL;
}

int reg_descriptor_is_attestation(const struct reg_descriptor *d)
{
	const char *t;

	if (!d)
		return 0;
	t = annotation_get(d, "vnd.docker.reference.type");
	if (t && strcmp(t, "attestation-manifest") == 0)
		return 1;
	return d->has_platform && d->platform.os && d->platform.architecture &&
	       strcmp(d->platform.os, "unknown") == 0 &&
	       strcmp(d->platform.architecture, "unknown") == 0;
}

long reg_list_select(const struct reg_manifest *m, const struct reg_platform *want)
{
	if (!m || !want || !m->is_list)
		return -1;
	for (size_t i = 0; i < m->n_entries; i++) {
		const struct reg_descriptor *d = &m->entries[i];
		/* Only an image can be a platform's child; a nested index or an
		 * attestation is never one, whatever platform it claims. */
		if (!d->has_platform || reg_descriptor_is_attestation(d) ||
		    !reg_media_type_is_image(d->media_type))
			continue;
		if (reg_platform_match(want, &d->platform))
			return (long)i;
	}
	return -1;
}

int reg_image_config_platform(const uint8_t *data, size_t len, struct reg_platform *out,
                              struct base_error *err)
{
	cJSON *root = NULL;
	char *text = NULL;
	int rc = BASE_EFAIL;

	memset(out, 0, sizeof(*out));
	root = json_open(data, len, REG_CONFIG_MAX, "image config", "is not a JSON object", &text,
	                 err);
	if (!root)
		goto out;
	if (!cJSON_IsObject(root)) {
		base_error_set(err, "image config is not a JSON object");
		goto out;
	}
	if (get_req_str(root, "architecture", "", &out->architecture, err) < 0 ||
	    get_req_str(root, "os", "", &out->os, err) < 0 ||
	    get_str(root, "variant", "", &out->variant, err) < 0 ||
	    get_str(root, "os.version", "", &out->os_version, err) < 0 ||
	    get_strv(root, "os.features", "", &out->os_features, &out->n_os_features, err) < 0) {
		base_error_wrap(err, "image config");
		goto out;
	}
	if (!out->architecture[0] || !out->os[0]) {
		base_error_set(err, "image config: %s is empty",
		               out->os[0] ? "architecture" : "os");
		goto out;
	}
	/* "" means none, as in the OCI image spec's omitempty fields */
	if (out->variant && !out->variant[0]) {
		free(out->variant);
		out->variant = NULL;
	}
	if (out->os_version && !out->os_version[0]) {
		free(out->os_version);
		out->os_version = NULL;
	}
	rc = BASE_OK;
out:
	cJSON_Delete(root);
	free(text);
	if (rc < 0)
		reg_platform_free(out);
	return rc;
}
