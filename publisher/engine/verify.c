/* verify.c — `manifold verify` and the signature part of `inspect` as
 * library functions: what a tag's list is signed with (cosign's .sig tag)
 * and what its publish record (.att, an in-toto statement in a DSSE
 * envelope) says, checked against public keys and the list itself. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sign.h"

void pub_verify_result_free(struct pub_verify_result *r)
{
	if (!r)
		return;
	free(r->signature);
	free(r->signed_by);
	free(r->record);
	free(r->record_by);
	free(r->statement);
	memset(r, 0, sizeof(*r));
}

static int set(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? strdup(s) : NULL;
	return !s || *dst ? 0 : -1;
}

/* The statement's children digests are the list's images, in order. NULL
 * when they are, else what differs (static text or into buf). The
 * subject's name is where the list was published: a promoted copy (retag)
 * keeps it, as cosign's payload keeps its docker-reference. */
static const char *record_matches(const struct reg_manifest *m, const struct base_buf *st,
                                  char *buf, size_t len)
{
	cJSON *j = cJSON_ParseWithLength((const char *)st->data, st->len);
	const cJSON *subj = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "subject"), 0);
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(subj, "name");
	const cJSON *pt = cJSON_GetObjectItemCaseSensitive(j, "predicateType");
	const cJSON *kids = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(j, "predicate"), "children");
	const char *why = NULL;
	size_t e = 0;
	int k = 0;

	if (!cJSON_IsString(pt) || strcmp(pt->valuestring, PUB_PREDICATE_TYPE) != 0)
		why = "not a manifold publish record";
	else if (!cJSON_IsString(name))
		why = "its subject has no name";
	else if (!cJSON_IsArray(kids))
		why = "it lists no children";
	for (; !why && m->is_list && e < m->n_entries; e++) {
		const cJSON *c = cJSON_GetArrayItem(kids, k);
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(c, "digest");
		if (reg_descriptor_is_attestation(&m->entries[e]))
			continue;
		if (!cJSON_IsString(d) || strcmp(d->valuestring, m->entries[e].digest) != 0) {
			snprintf(buf, len, "child %d is %s in the record, %s in the list", k + 1,
			         cJSON_IsString(d) ? d->valuestring : "missing",
			         m->entries[e].digest);
			why = buf;
		}
		k++;
	}
	if (!why && m->is_list && k != cJSON_GetArraySize(kids)) {
		snprintf(buf, len, "the record has %d children, the list %d",
		         cJSON_GetArraySize(kids), k);
		why = buf;
	}
	cJSON_Delete(j);
	return why;
}

static int check_record(struct reg_session *s, const struct reg_ref *ref,
                        const struct reg_manifest *m, struct pub_key *const *keys, size_t n,
                        struct pub_verify_result *out, struct base_error *err)
{
	struct pub_sig_set att;
	const char *verdict = "no publish record";
	char buf[512];
	int rc = -1;

	if (pub_sig_fetch(s, ref, m->digest, ".att", keys, n, &att, err) < 0) {
		pub_sig_set_free(&att);
		return -1;
	}
	for (size_t i = 0; i < att.n_layers; i++) {
		const struct pub_sig_layer *l = &att.layers[i];
		const char *why;
		if (!l->predicate_type || strcmp(l->predicate_type, PUB_PREDICATE_TYPE) != 0)
			continue;
		if (!l->by) {
			if (strcmp(verdict, "no publish record") == 0)
				verdict = "publish record by an unknown key";
			continue;
		}
		if (strcmp(l->signed_digest, m->digest) != 0) {
			verdict = "publish record for another digest";
			continue;
		}
		if ((why = record_matches(m, &l->statement, buf, sizeof(buf)))) {
			snprintf(out->record_why, sizeof(out->record_why),
			         "publish record does not match the list: %s", why);
			verdict = out->record_why;
			continue;
		}
		verdict = "valid";
		if (set(&out->record_by, l->by->id) < 0 ||
		    !(out->statement = strndup((const char *)l->statement.data, l->statement.len)))
			goto oom;
		break;
	}
	if (set(&out->record, verdict) < 0)
		goto oom;
	rc = 0;
	goto out;
oom:
	base_error_set(err, "out of memory");
out:
	pub_sig_set_free(&att);
	return rc;
}

int pub_verify(struct reg_session *s, const struct reg_ref *ref, const char *const *key_files,
               size_t n_files, struct pub_verify_result *out, struct base_error *err)
{
	struct pub_key **keys = calloc(n_files ? n_files : 1, sizeof(*keys));
	struct reg_manifest m = {0};
	struct pub_sig_set sig = {0};
	const struct pub_key *by = NULL;
	size_t n = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!keys) {
		base_error_set(err, "out of memory");
		return -1;
	}
	if (n_files == 0) {
		base_error_set(err, "no public key given (--key PUB.pem)");
		rc = BASE_EINPUT;
		goto out;
	}
	for (; n < n_files; n++) {
		if (pub_key_load(key_files[n], NULL, NULL, 0, &keys[n], err) < 0) {
			rc = BASE_EINPUT;
			goto out;
		}
	}
	if (reg_manifest_get(s, ref, &m, err) < 0)
		goto out;
	snprintf(out->digest, sizeof(out->digest), "%s", m.digest);
	if (pub_sig_fetch(s, ref, m.digest, ".sig", keys, n, &sig, err) < 0)
		goto out;
	if (set(&out->signature, pub_sig_verdict_str(pub_sig_judge(&sig, m.digest, &by))) < 0 ||
	    (by && set(&out->signed_by, by->id) < 0)) {
		base_error_set(err, "out of memory");
		goto out;
	}
	if (check_record(s, ref, &m, keys, n, out, err) < 0)
		goto out;
	out->ok = by && out->record_by;
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		pub_key_free(keys[i]);
	free(keys);
	pub_sig_set_free(&sig);
	reg_manifest_free(&m);
	return rc;
}

/* ---- what inspect shows ------------------------------------------------- */

void pub_sig_info_free(struct pub_sig_info *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->n_items; i++) {
		free(in->items[i].kind);
		free(in->items[i].detail);
	}
	free(in->items);
	memset(in, 0, sizeof(*in));
}

static int info_add(struct pub_sig_info *in, const char *kind, const char *detail)
{
	struct pub_sig_item *n = realloc(in->items, (in->n_items + 1) * sizeof(*n));
	if (!n)
		return -1;
	in->items = n;
	n[in->n_items].kind = strdup(kind);
	n[in->n_items].detail = strdup(detail);
	in->n_items++;
	return n[in->n_items - 1].kind && n[in->n_items - 1].detail ? 0 : -1;
}

/* The key id a DSSE envelope names (its first signature's keyid). */
static void envelope_keyid(const struct base_buf *env, char *buf, size_t len)
{
	cJSON *j = cJSON_ParseWithLength((const char *)env->data, env->len);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "signatures"), 0), "keyid");
	snprintf(buf, len, "%s", cJSON_IsString(id) && *id->valuestring ? id->valuestring : "?");
	cJSON_Delete(j);
}

int pub_sig_inspect(struct reg_session *s, const struct reg_ref *ref, const char *digest,
                    struct pub_sig_info *out, struct base_error *err)
{
	struct pub_sig_set sig = {0}, att = {0};
	char line[512];
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (pub_sig_fetch(s, ref, digest, ".sig", NULL, 0, &sig, err) < 0 ||
	    pub_sig_fetch(s, ref, digest, ".att", NULL, 0, &att, err) < 0)
		goto out;
	for (size_t i = 0; i < sig.n_layers; i++) {
		snprintf(line, sizeof(line), "cosign simple signing of %s",
		         sig.layers[i].signed_digest[0] ? sig.layers[i].signed_digest
		                                        : "(unreadable)");
		if (info_add(out, "signature", line) < 0)
			goto oom;
	}
	for (size_t i = 0; i < att.n_layers; i++) {
		char keyid[128];
		envelope_keyid(&att.layers[i].payload, keyid, sizeof(keyid));
		snprintf(line, sizeof(line), "%s, DSSE key %s",
		         att.layers[i].predicate_type ? att.layers[i].predicate_type : "(no type)",
		         keyid);
		if (info_add(out, "attestation", line) < 0)
			goto oom;
	}
	rc = 0;
	goto out;
oom:
	base_error_set(err, "out of memory");
out:
	pub_sig_set_free(&sig);
	pub_sig_set_free(&att);
	return rc;
}
