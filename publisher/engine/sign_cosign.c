/* sign_cosign.c — cosign's tag layout: the `sha256-<hex>.sig` manifest
 * whose layers are simple-signing payloads annotated with their base64
 * signature, and the `sha256-<hex>.att` manifest whose layers are DSSE
 * envelopes; read back and checked against keys, or built (deterministic
 * bytes) and pushed. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sign.h"

#define SIG_BLOB_MAX (1024u * 1024u)

static const char *const verdict_names[] = {"valid", "no signature", "signature by an unknown key",
                                            "signature for another digest"};

const char *pub_sig_verdict_str(enum pub_sig_verdict v)
{
	return (unsigned)v < sizeof(verdict_names) / sizeof(verdict_names[0]) ? verdict_names[v]
	                                                                      : "?";
}

void pub_sig_set_free(struct pub_sig_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_layers; i++) {
		free(s->layers[i].digest);
		free(s->layers[i].signature);
		free(s->layers[i].predicate_type);
		base_buf_free(&s->layers[i].payload);
		base_buf_free(&s->layers[i].statement);
	}
	free(s->layers);
	reg_manifest_free(&s->manifest);
	memset(s, 0, sizeof(*s));
}

static const char *annotation(const struct reg_descriptor *d, const char *key)
{
	for (size_t i = 0; i < d->n_annotations; i++)
		if (strcmp(d->annotations[i].key, key) == 0)
			return d->annotations[i].value;
	return NULL;
}

/* The subject digest of an in-toto statement (its first subject). */
static void statement_subject(const struct base_buf *st, char digest[REG_DIGEST_MAX])
{
	cJSON *j = cJSON_ParseWithLength((const char *)st->data, st->len);
	const cJSON *subj = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "subject"), 0);
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(subj, "digest"), "sha256");
	digest[0] = '\0';
	if (cJSON_IsString(d) && strlen(d->valuestring) == 64)
		snprintf(digest, REG_DIGEST_MAX, "sha256:%s", d->valuestring);
	cJSON_Delete(j);
}

static void layer_check(struct pub_sig_layer *l, int att, struct pub_key *const *keys,
                        size_t n_keys)
{
	struct base_error ignored;
	base_error_clear(&ignored);
	if (att) {
		char why[64];
		if (pub_dsse_verify(l->payload.data, l->payload.len, keys, n_keys, &l->statement,
		                    &l->by, why, sizeof(why), &ignored) == 1)
			statement_subject(&l->statement, l->signed_digest);
		return;
	}
	struct base_buf der = {0};
	if (l->signature && pub_b64_decode(l->signature, &der) == 0) {
		for (size_t k = 0; !l->by && k < n_keys; k++)
			if (pub_key_verify(keys[k], l->payload.data, l->payload.len, der.data,
			                   der.len))
				l->by = keys[k];
	}
	base_buf_free(&der);
	pub_sign_payload_digest(l->payload.data, l->payload.len, l->signed_digest, &ignored);
}

int pub_sig_fetch(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                  const char *suffix, struct pub_key *const *keys, size_t n_keys,
                  struct pub_sig_set *out, struct base_error *err)
{
	int att = strcmp(suffix, ".att") == 0;
	const char *want = att ? PUB_MT_DSSE : PUB_MT_SIMPLESIGNING;
	char tag[128];
	struct reg_ref ref;
	int r;

	memset(out, 0, sizeof(*out));
	if (reg_referrers_tag(digest, suffix, tag, sizeof(tag)) < 0) {
		base_error_set(err, "%s: not a sha256 digest", digest);
		return -1;
	}
	ref = reg_ref_at(repo, tag, NULL);
	r = reg_manifest_get(s, &ref, &out->manifest, err);
	if (r == BASE_ENOTFOUND) {
		base_error_clear(err);
		return 0;
	}
	if (r < 0)
		return -1;
	out->present = 1;
	if (out->manifest.is_list)
		return 0; /* not cosign's layout: no signature in it */
	if (!(out->layers = calloc(out->manifest.n_layers ? out->manifest.n_layers : 1,
	                           sizeof(*out->layers)))) {
		base_error_set(err, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < out->manifest.n_layers; i++) {
		const struct reg_descriptor *d = &out->manifest.layers[i];
		struct pub_sig_layer *l = &out->layers[out->n_layers];
		const char *sig = annotation(d, PUB_ANN_SIGNATURE);
		const char *pt = annotation(d, "predicateType");
		if (!d->media_type || strcmp(d->media_type, want) != 0 || d->size < 0 ||
		    (uint64_t)d->size > SIG_BLOB_MAX)
			continue;
		if (!(l->digest = strdup(d->digest)) || (sig && !(l->signature = strdup(sig))) ||
		    (pt && !(l->predicate_type = strdup(pt)))) {
			out->n_layers++;
			base_error_set(err, "out of memory");
			return -1;
		}
		l->index = i;
		out->n_layers++;
		if (reg_blob_get(s, repo, d->digest, SIG_BLOB_MAX, &l->payload, err) < 0) {
			base_error_wrap(err, "%s layer %s", tag, d->digest);
			return -1;
		}
		layer_check(l, att, keys, n_keys);
	}
	return 0;
}

enum pub_sig_verdict pub_sig_judge(const struct pub_sig_set *set, const char *digest,
                                   const struct pub_key **by)
{
	enum pub_sig_verdict v = PUB_SIG_NONE;
	if (by)
		*by = NULL;
	for (size_t i = 0; i < set->n_layers; i++) {
		const struct pub_sig_layer *l = &set->layers[i];
		if (l->by && strcmp(l->signed_digest, digest) == 0) {
			if (by)
				*by = l->by;
			return PUB_SIG_VALID;
		}
		if (l->by)
			v = PUB_SIG_OTHER_DIGEST;
		else if (v == PUB_SIG_NONE)
			v = PUB_SIG_UNKNOWN_KEY;
	}
	return v;
}

/* ---- building ----------------------------------------------------------- */

static int take_json(cJSON *j, struct base_buf *out)
{
	char *t = j ? cJSON_PrintUnformatted(j) : NULL;
	cJSON_Delete(j);
	memset(out, 0, sizeof(*out));
	if (!t)
		return -1;
	out->data = (uint8_t *)t;
	out->len = strlen(t);
	return 0;
}

/* The config cosign's signature images carry: an empty image whose rootfs
 * lists the layers. */
static int sig_config(const char *const *digests, size_t n, struct base_buf *out)
{
	cJSON *c = cJSON_CreateObject(), *h, *one, *rootfs, *ids;
	int ok = c && cJSON_AddStringToObject(c, "architecture", "") &&
	         cJSON_AddStringToObject(c, "created", "0001-01-01T00:00:00Z") &&
	         (h = cJSON_AddArrayToObject(c, "history")) && (one = cJSON_CreateObject()) &&
	         cJSON_AddItemToArray(h, one) &&
	         cJSON_AddStringToObject(one, "created", "0001-01-01T00:00:00Z") &&
	         cJSON_AddStringToObject(c, "os", "") &&
	         (rootfs = cJSON_AddObjectToObject(c, "rootfs")) &&
	         cJSON_AddStringToObject(rootfs, "type", "layers") &&
	         (ids = cJSON_AddArrayToObject(rootfs, "diff_ids")) &&
	         cJSON_AddObjectToObject(c, "config");
	for (size_t i = 0; ok && i < n; i++)
		ok = cJSON_AddItemToArray(ids, cJSON_CreateString(digests[i]));
	if (!ok) {
		cJSON_Delete(c);
		return -1;
	}
	return take_json(c, out);
}

static cJSON *descriptor(const char *mt, const char *digest, int64_t size)
{
	cJSON *d = cJSON_CreateObject();
	if (!d || !cJSON_AddStringToObject(d, "mediaType", mt) ||
	    !cJSON_AddNumberToObject(d, "size", (double)size) ||
	    !cJSON_AddStringToObject(d, "digest", digest)) {
		cJSON_Delete(d);
		return NULL;
	}
	return d;
}

/* One layer: media type, size, digest, annotations (key, value pairs). */
struct layer_spec {
	const char *media_type;
	const char *digest;
	int64_t size;
	const struct reg_annotation *annotations;
	size_t n_annotations;
};

static int image_manifest(const struct layer_spec *layers, size_t n, struct base_buf *config,
                          struct base_buf *manifest)
{
	const char **digests = calloc(n ? n : 1, sizeof(*digests));
	char cdg[REG_DIGEST_MAX];
	cJSON *m = NULL, *arr;
	int ok = 0;

	memset(config, 0, sizeof(*config));
	if (!digests)
		return -1;
	for (size_t i = 0; i < n; i++)
		digests[i] = layers[i].digest;
	if (sig_config(digests, n, config) < 0)
		goto out;
	reg_digest_sha256(config->data, config->len, cdg);
	ok = (m = cJSON_CreateObject()) && cJSON_AddNumberToObject(m, "schemaVersion", 2) &&
	     cJSON_AddStringToObject(m, "mediaType", REG_MT_OCI_MANIFEST) &&
	     cJSON_AddItemToObject(m, "config",
	                           descriptor(REG_MT_OCI_CONFIG, cdg, (int64_t)config->len)) &&
	     (arr = cJSON_AddArrayToObject(m, "layers"));
	for (size_t i = 0; ok && i < n; i++) {
		cJSON *d = descriptor(layers[i].media_type, layers[i].digest, layers[i].size), *a;
		ok = d && cJSON_AddItemToArray(arr, d) &&
		     (a = cJSON_AddObjectToObject(d, "annotations"));
		for (size_t k = 0; ok && k < layers[i].n_annotations; k++)
			ok = cJSON_AddStringToObject(a, layers[i].annotations[k].key,
			                             layers[i].annotations[k].value) != NULL;
	}
	if (ok)
		ok = take_json(m, manifest) == 0;
	else
		cJSON_Delete(m);
out:
	if (!ok)
		base_buf_free(config);
	free(digests);
	return ok ? 0 : -1;
}

/* The layers of prev that stay, in their order: those another key made
 * (this key's own are replaced: a key never signs one digest twice). Two
 * keys signing one digest make the same payload, so layers may share a
 * blob digest and differ in their signature only: a layer is told by its
 * place. ls has room for them. */
static size_t keep_layers(const struct pub_sig_set *prev, const struct pub_key *k,
                          struct layer_spec *ls)
{
	size_t n_prev = prev && !prev->manifest.is_list ? prev->manifest.n_layers : 0, n = 0;
	for (size_t i = 0; i < n_prev; i++) {
		const struct reg_descriptor *d = &prev->manifest.layers[i];
		int by_k = 0;
		for (size_t j = 0; j < prev->n_layers; j++)
			by_k |= prev->layers[j].index == i && prev->layers[j].by == k;
		if (by_k)
			continue;
		ls[n++] = (struct layer_spec){d->media_type, d->digest, d->size, d->annotations,
		                              d->n_annotations};
	}
	return n;
}

static int manifest_with(const struct pub_sig_set *prev, const struct pub_key *k,
                         struct layer_spec mine, struct base_buf *config, struct base_buf *manifest,
                         struct base_error *err)
{
	size_t n_prev = prev && !prev->manifest.is_list ? prev->manifest.n_layers : 0, n;
	struct layer_spec *ls = calloc(n_prev + 1, sizeof(*ls));
	int rc = -1;

	if (!ls) {
		base_error_set(err, "out of memory");
		return -1;
	}
	n = keep_layers(prev, k, ls);
	ls[n++] = mine;
	if (image_manifest(ls, n, config, manifest) < 0)
		base_error_set(err, "out of memory");
	else
		rc = 0;
	free(ls);
	return rc;
}

int pub_sig_manifest(const struct pub_sig_set *prev, const struct pub_key *k,
                     const struct base_buf *payload, const char *sig_b64, struct base_buf *config,
                     struct base_buf *manifest, struct base_error *err)
{
	struct reg_annotation ann = {(char *)PUB_ANN_SIGNATURE, (char *)sig_b64};
	char pdg[REG_DIGEST_MAX];

	reg_digest_sha256(payload->data, payload->len, pdg);
	return manifest_with(
	    prev, k, (struct layer_spec){PUB_MT_SIMPLESIGNING, pdg, (int64_t)payload->len, &ann, 1},
	    config, manifest, err);
}

int pub_att_manifest(const struct pub_sig_set *prev, const struct pub_key *k,
                     const struct base_buf *envelope, const char *predicate_type,
                     struct base_buf *config, struct base_buf *manifest, struct base_error *err)
{
	struct reg_annotation ann[2] = {{(char *)PUB_ANN_SIGNATURE, (char *)""},
	                                {(char *)"predicateType", (char *)predicate_type}};
	char edg[REG_DIGEST_MAX];

	reg_digest_sha256(envelope->data, envelope->len, edg);
	return manifest_with(prev, k,
	                     (struct layer_spec){PUB_MT_DSSE, edg, (int64_t)envelope->len, ann, 2},
	                     config, manifest, err);
}

int pub_sig_push(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                 const char *suffix, const struct base_buf *config, const struct base_buf *layer,
                 const struct base_buf *manifest, struct base_error *err)
{
	char tag[128], cdg[REG_DIGEST_MAX], ldg[REG_DIGEST_MAX];
	struct reg_ref ref;

	if (reg_referrers_tag(digest, suffix, tag, sizeof(tag)) < 0) {
		base_error_set(err, "%s: not a sha256 digest", digest);
		return -1;
	}
	reg_digest_sha256(config->data, config->len, cdg);
	reg_digest_sha256(layer->data, layer->len, ldg);
	if (reg_blob_put(s, repo, ldg, layer->data, layer->len, err) < 0 ||
	    reg_blob_put(s, repo, cdg, config->data, config->len, err) < 0) {
		base_error_wrap(err, "%s", tag);
		return -1;
	}
	ref = reg_ref_at(repo, tag, NULL);
	if (reg_manifest_put(s, &ref, REG_MT_OCI_MANIFEST, manifest->data, manifest->len, NULL,
	                     err) < 0)
		return -1;
	return 0;
}
