/* inspect.c — fetching what a tag holds (a list's entries and their layers,
 * an image's config platform and layers), from a registry or a file; and
 * the 2015 combined-manifest proposal explained as today's list. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine.h"

static int inspect_children_init(struct pub_inspect *in, const struct reg_platform *want,
                                 struct base_error *err);
static int inspect_combined_explain(struct pub_inspect *out, const uint8_t *data, size_t len,
                                    const struct reg_platform *want, struct base_error *err);

void pub_inspect_free(struct pub_inspect *in)
{
	if (!in)
		return;
	free(in->name);
	reg_manifest_free(&in->m);
	reg_platform_free(&in->config_platform);
	for (size_t i = 0; i < in->n_children; i++) {
		reg_manifest_free(&in->children[i].manifest);
		free(in->children[i].error);
	}
	free(in->children);
	free(in->combined_target.media_type);
	free(in->combined_target.digest);
	for (size_t i = 0; i < in->n_combined_labels; i++) {
		free(in->combined_labels[i].key);
		free(in->combined_labels[i].value);
	}
	free(in->combined_labels);
	memset(in, 0, sizeof(*in));
	in->picked = -1;
}

size_t pub_inspect_errors(const struct pub_inspect *in)
{
	size_t n = 0;
	for (size_t i = 0; i < in->n_children; i++)
		n += in->children[i].error != NULL;
	return n;
}

/* Children for a list: every entry, or the one `want` selects. */
static int inspect_children_init(struct pub_inspect *in, const struct reg_platform *want,
                                 struct base_error *err)
{
	size_t first = 0, n = in->m.n_entries;

	in->picked = -1;
	if (want) {
		long k = reg_list_select(&in->m, want);
		if (k < 0) {
			char *p = reg_platform_format(want);
			base_error_set(err, "%s: no entry for %s", in->name,
			               p ? p : "that platform");
			free(p);
			return BASE_ENOTFOUND;
		}
		in->picked = k;
		first = (size_t)k;
		n = 1;
	}
	in->children = calloc(n ? n : 1, sizeof(*in->children));
	if (!in->children) {
		base_error_set(err, "out of memory");
		return BASE_EFAIL;
	}
	in->n_children = n;
	for (size_t i = 0; i < n; i++)
		in->children[i].entry = &in->m.entries[first + i];
	return 0;
}

static int fetch_config_platform(struct reg_session *s, struct pub_inspect *in,
                                 const struct reg_ref *repo, const struct reg_manifest *img,
                                 const struct reg_platform *want, struct base_error *err)
{
	struct base_buf cfg = {0};
	int rc;

	rc = reg_blob_get(s, repo, img->config.digest, REG_CONFIG_MAX, &cfg, err);
	if (rc < 0) {
		base_error_wrap(err, "%s: config %s", in->name, img->config.digest);
		return rc;
	}
	rc = reg_image_config_platform(cfg.data, cfg.len, &in->config_platform, err);
	base_buf_free(&cfg);
	if (rc < 0) {
		base_error_wrap(err, "%s: config %s", in->name, img->config.digest);
		return rc;
	}
	in->has_config_platform = 1;
	if (want && !reg_platform_match(want, &in->config_platform)) {
		char *w = reg_platform_format(want), *h = reg_platform_format(&in->config_platform);
		base_error_set(err, "%s is %s, not %s", in->name, h ? h : "?", w ? w : "?");
		free(w);
		free(h);
		return BASE_ENOTFOUND;
	}
	return 0;
}

/* An empty result named `name`, nothing picked yet. */
static int inspect_start(struct pub_inspect *out, const char *name, struct base_error *err)
{
	memset(out, 0, sizeof(*out));
	out->picked = -1;
	out->name = strdup(name);
	if (!out->name) {
		base_error_set(err, "out of memory");
		return -1;
	}
	return 0;
}

int pub_inspect_fetch(struct reg_session *s, const char *name, const struct reg_ref *ref,
                      const struct reg_platform *want, struct pub_inspect *out,
                      struct base_error *err)
{
	int rc;

	if (inspect_start(out, name, err) < 0)
		return BASE_EFAIL;
	rc = reg_manifest_get(s, ref, &out->m, err);
	if (rc < 0)
		return rc;
	if (!out->m.is_list)
		return fetch_config_platform(s, out, ref, &out->m, want, err);

	rc = inspect_children_init(out, want, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < out->n_children; i++) {
		struct pub_inspect_child *ch = &out->children[i];
		struct reg_ref child = {0};
		struct base_error e;

		base_error_clear(&e);
		if (reg_ref_copy(&child, ref) < 0) {
			base_error_set(err, "out of memory");
			return BASE_EFAIL;
		}
		free(child.tag);
		child.tag = NULL;
		free(child.digest);
		child.digest = strdup(ch->entry->digest);
		if (child.digest && reg_manifest_get(s, &child, &ch->manifest, &e) == 0) {
			ch->fetched = 1;
		} else {
			if (!child.digest)
				base_error_set(&e, "out of memory");
			ch->error = strdup(e.msg);
		}
		reg_ref_free(&child);
	}
	return 0;
}

int pub_inspect_file(const char *name, const uint8_t *data, size_t len,
                     const struct reg_platform *want, struct pub_inspect *out,
                     struct base_error *err)
{
	int rc;

	if (inspect_start(out, name, err) < 0)
		return BASE_EFAIL;
	if (pub_inspect_file_is_combined(data, len))
		return inspect_combined_explain(out, data, len, want, err);
	rc = reg_manifest_parse(data, len, NULL, &out->m, err);
	if (rc < 0) {
		base_error_wrap(err, "%s", name);
		return rc;
	}
	if (!out->m.is_list) {
		if (want) {
			base_error_set(
			    err,
			    "%s: --platform picks a list entry; this is one image "
			    "(its platform is in its config, which a file does not hold)",
			    name);
			return BASE_EFAIL;
		}
		return 0;
	}
	return inspect_children_init(out, want, err);
}

/* ---- the 2015 combined manifest ---------------------------------------
 * A proposal of June 2015 (before the manifest list): one manifest whose
 * "target" is the image config and whose "dependencies" hold layer lists
 * keyed by os, then architecture. No registry ever accepted it. Today the
 * same content is an index of one image manifest per platform; we build
 * exactly that, deterministically, so its digests can be shown. */

#define COMBINED_MT "application/vnd.docker.container.image.combined+json"

int pub_inspect_file_is_combined(const uint8_t *data, size_t len)
{
	cJSON *j = cJSON_ParseWithLength((const char *)data, len);
	int yes = cJSON_IsObject(j) &&
	          cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "target")) &&
	          cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "dependencies")) &&
	          !cJSON_GetObjectItemCaseSensitive(j, "manifests") &&
	          !cJSON_GetObjectItemCaseSensitive(j, "layers");
	cJSON_Delete(j);
	return yes;
}

/* Today's names for the proposal's media types. */
static const char *combined_media_type(const char *mt)
{
	if (strcmp(mt, "application/vnd.docker.container.image.rootfs.diff+x-tar") == 0)
		return "application/vnd.oci.image.layer.v1.tar";
	if (strcmp(mt, REG_MT_DOCKER_CONFIG) == 0)
		return REG_MT_OCI_CONFIG;
	return mt;
}

/* {"mediaType", "length", "digest"} → descriptor; `where` names it in errors. */
static int combined_descriptor(const cJSON *o, const char *where, int today,
                               struct reg_descriptor *d, struct base_error *err)
{
	const cJSON *mt = cJSON_GetObjectItemCaseSensitive(o, "mediaType");
	const cJSON *ln = cJSON_GetObjectItemCaseSensitive(o, "length");
	const cJSON *dg = cJSON_GetObjectItemCaseSensitive(o, "digest");

	if (!cJSON_IsObject(o)) {
		base_error_set(err, "%s: not an object", where);
		return BASE_EFAIL;
	}
	if (!cJSON_IsString(mt)) {
		base_error_set(err, "%s.mediaType: missing or not a string", where);
		return BASE_EFAIL;
	}
	if (!cJSON_IsNumber(ln) || ln->valuedouble < 0 || ln->valuedouble > 9007199254740992.0 ||
	    ln->valuedouble != (double)(int64_t)ln->valuedouble) {
		base_error_set(err, "%s.length: missing or not a size", where);
		return BASE_EFAIL;
	}
	if (!cJSON_IsString(dg) || !reg_digest_valid(dg->valuestring)) {
		base_error_set(err, "%s.digest: missing or not a sha256 digest", where);
		return BASE_EFAIL;
	}
	d->media_type = strdup(today ? combined_media_type(mt->valuestring) : mt->valuestring);
	d->digest = strdup(dg->valuestring);
	d->size = (int64_t)ln->valuedouble;
	if (!d->media_type || !d->digest) {
		base_error_set(err, "out of memory");
		return BASE_EFAIL;
	}
	return 0;
}

static void descriptor_clear(struct reg_descriptor *d)
{
	free(d->media_type);
	free(d->digest);
	memset(d, 0, sizeof(*d));
}

/* JSON strings we write come from the file; escaped as reg_list_build
 * escapes them. */
static void put_json_string(FILE *f, const char *s)
{
	struct base_buf b = {0};

	base_json_str(&b, s, BASE_JSON_GO);
	if (b.data)
		fwrite(b.data, 1, b.len, f);
	base_buf_free(&b);
}

static void put_descriptor(FILE *f, const char *indent, const struct reg_descriptor *d)
{
	fprintf(f, "{\n%s   \"mediaType\": ", indent);
	put_json_string(f, d->media_type);
	fprintf(f, ",\n%s   \"digest\": \"%s\",\n%s   \"size\": %lld\n%s}", indent, d->digest,
	        indent, (long long)d->size, indent);
}

/* One OCI image manifest, laid out as reg_list_build lays out lists. */
static int combined_child_bytes(const struct reg_descriptor *cfg, const cJSON *layers,
                                const char *where, struct base_buf *out, struct base_error *err)
{
	char *buf = NULL, lw[600];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int i = 0, rc = 0;
	const cJSON *l;

	if (!f) {
		base_error_set(err, "out of memory");
		return BASE_EFAIL;
	}
	fprintf(f, "{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"%s\",\n   \"config\": ",
	        REG_MT_OCI_MANIFEST);
	put_descriptor(f, "   ", cfg);
	fprintf(f, ",\n   \"layers\": [");
	cJSON_ArrayForEach(l, layers)
	{
		struct reg_descriptor d = {0};
		snprintf(lw, sizeof(lw), "%s[%d]", where, i);
		if (combined_descriptor(l, lw, 1, &d, err) < 0) {
			descriptor_clear(&d);
			rc = BASE_EFAIL;
			break;
		}
		fprintf(f, "%s\n      ", i++ ? "," : "");
		put_descriptor(f, "      ", &d);
		descriptor_clear(&d);
	}
	fprintf(f, "\n   ]\n}");
	fclose(f);
	if (rc == 0) {
		out->data = (uint8_t *)buf;
		out->len = len;
	} else {
		free(buf);
	}
	return rc;
}

struct combined_platform {
	struct reg_platform platform;
	struct reg_manifest manifest;
};

static int combined_labels(struct pub_inspect *out, const cJSON *labels, struct base_error *err)
{
	const cJSON *l;
	size_t n = 0;

	if (!labels)
		return 0;
	if (!cJSON_IsObject(labels)) {
		base_error_set(err, "%s: labels: not an object", out->name);
		return BASE_EFAIL;
	}
	out->combined_labels =
	    calloc((size_t)cJSON_GetArraySize(labels) + 1, sizeof(*out->combined_labels));
	if (!out->combined_labels)
		goto oom;
	cJSON_ArrayForEach(l, labels)
	{
		if (!cJSON_IsString(l)) {
			base_error_set(err, "%s: labels.%s: not a string", out->name, l->string);
			return BASE_EFAIL;
		}
		out->combined_labels[n].key = strdup(l->string);
		out->combined_labels[n].value = strdup(l->valuestring);
		out->n_combined_labels = ++n;
		if (!out->combined_labels[n - 1].key || !out->combined_labels[n - 1].value)
			goto oom;
	}
	return 0;
oom:
	base_error_set(err, "out of memory");
	return BASE_EFAIL;
}

/* dependencies[] → one platform (and its built manifest) per os × arch. */
static int combined_platforms(struct pub_inspect *out, const cJSON *deps,
                              const struct reg_descriptor *cfg, struct combined_platform **pl,
                              size_t *n, struct base_error *err)
{
	const cJSON *dep, *os, *arch;
	char where[512];
	int di = 0;

	cJSON_ArrayForEach(dep, deps)
	{
		if (!cJSON_IsObject(dep)) {
			base_error_set(err, "%s: dependencies[%d]: not an object", out->name, di);
			return BASE_EFAIL;
		}
		cJSON_ArrayForEach(os, dep)
		{
			if (strcmp(os->string, "mediaType") == 0)
				continue;
			if (!cJSON_IsObject(os)) {
				base_error_set(
				    err, "%s: dependencies[%d].%s: not a map of architectures",
				    out->name, di, os->string);
				return BASE_EFAIL;
			}
			cJSON_ArrayForEach(arch, os)
			{
				struct combined_platform *grown, *p;
				struct base_buf bytes = {0};
				int rc;

				snprintf(where, sizeof(where), "%s: dependencies[%d].%s.%s",
				         out->name, di, os->string, arch->string);
				if (!cJSON_IsArray(arch)) {
					base_error_set(err, "%s: not a list of layers", where);
					return BASE_EFAIL;
				}
				grown = realloc(*pl, (*n + 1) * sizeof(*grown));
				if (!grown) {
					base_error_set(err, "out of memory");
					return BASE_EFAIL;
				}
				*pl = grown;
				p = &grown[(*n)++];
				memset(p, 0, sizeof(*p));
				if (reg_platform_from_parts(os->string, arch->string, NULL, NULL,
				                            &p->platform, err) < 0) {
					base_error_wrap(err, "%s", where);
					return BASE_EFAIL;
				}
				if (combined_child_bytes(cfg, arch, where, &bytes, err) < 0)
					return BASE_EFAIL;
				rc = reg_manifest_parse(bytes.data, bytes.len, REG_MT_OCI_MANIFEST,
				                        &p->manifest, err);
				base_buf_free(&bytes);
				if (rc < 0)
					return rc;
			}
		}
		di++;
	}
	if (*n == 0) {
		base_error_set(err, "%s: dependencies: no os/architecture holds layers", out->name);
		return BASE_EFAIL;
	}
	return 0;
}

/* The index's annotations: the labels under their OCI names where one exists. */
static const char *label_annotation(const char *key)
{
	if (strcmp(key, "createdAt") == 0)
		return "org.opencontainers.image.created";
	if (strcmp(key, "version") == 0)
		return "org.opencontainers.image.version";
	return key;
}

static int inspect_combined_explain(struct pub_inspect *out, const uint8_t *data, size_t len,
                                    const struct reg_platform *want, struct base_error *err)
{
	cJSON *j = cJSON_ParseWithLength((const char *)data, len);
	struct combined_platform *pl = NULL;
	struct reg_list_entry *entries = NULL;
	struct reg_annotation *ann = NULL;
	struct base_buf index = {0};
	const char *index_mt = NULL;
	struct reg_descriptor cfg;
	size_t n = 0;
	int rc = BASE_EFAIL;
	char where[512];

	out->combined = 1;
	snprintf(where, sizeof(where), "%s: target", out->name);
	if (combined_descriptor(cJSON_GetObjectItemCaseSensitive(j, "target"), where, 0,
	                        &out->combined_target, err) < 0 ||
	    combined_labels(out, cJSON_GetObjectItemCaseSensitive(j, "labels"), err) < 0)
		goto out;
	/* The children carry the target as their config, under today's media type. */
	cfg = out->combined_target;
	cfg.media_type = (char *)combined_media_type(cfg.media_type);
	if (combined_platforms(out, cJSON_GetObjectItemCaseSensitive(j, "dependencies"), &cfg, &pl,
	                       &n, err) < 0)
		goto out;
	entries = calloc(n, sizeof(*entries));
	ann = calloc(out->n_combined_labels + 1, sizeof(*ann));
	if (!entries || !ann) {
		base_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		entries[i].media_type = REG_MT_OCI_MANIFEST;
		entries[i].digest = pl[i].manifest.digest;
		entries[i].size = (int64_t)pl[i].manifest.raw.len;
		entries[i].platform = &pl[i].platform;
	}
	for (size_t i = 0; i < out->n_combined_labels; i++) {
		ann[i].key = (char *)label_annotation(out->combined_labels[i].key);
		ann[i].value = out->combined_labels[i].value;
	}
	if (reg_list_build(REG_LIST_OCI, entries, n, ann, out->n_combined_labels, &index, &index_mt,
	                   err) < 0 ||
	    reg_manifest_parse(index.data, index.len, index_mt, &out->m, err) < 0) {
		base_error_wrap(err, "%s: building today's index", out->name);
		goto out;
	}
	if (inspect_children_init(out, want, err) < 0)
		goto out;
	for (size_t i = 0; i < out->n_children; i++) {
		size_t k = (size_t)(out->children[i].entry - out->m.entries);
		out->children[i].manifest = pl[k].manifest;
		memset(&pl[k].manifest, 0, sizeof(pl[k].manifest));
		out->children[i].fetched = 1;
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++) {
		reg_platform_free(&pl[i].platform);
		reg_manifest_free(&pl[i].manifest);
	}
	free(pl);
	free(entries);
	free(ann);
	base_buf_free(&index);
	cJSON_Delete(j);
	return rc;
}
