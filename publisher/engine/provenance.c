/* provenance.c — the publish record of a list: an in-toto v1 statement
 * whose subject is the list (repository and digest) and whose predicate
 * (https://manifold.dev/publish/v1, docs/signing.md) says what went into
 * it: each child's digest, claimed and verified platform, source and
 * signature verdict, the config's digest, manifold's version. No time is
 * in it, so the same list gives the same bytes. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sign.h"

static int add_str(cJSON *o, const char *k, const char *v)
{
	return v ? cJSON_AddStringToObject(o, k, v) != NULL : cJSON_AddNullToObject(o, k) != NULL;
}

int pub_prov_statement(const struct pub_prov *p, struct base_buf *out, struct base_error *err)
{
	cJSON *st = cJSON_CreateObject(), *subj, *one, *dg, *pred, *kids;
	char *text = NULL;
	int ok;

	memset(out, 0, sizeof(*out));
	ok = st && reg_digest_valid(p->digest) &&
	     cJSON_AddStringToObject(st, "_type", "https://in-toto.io/Statement/v1") &&
	     (subj = cJSON_AddArrayToObject(st, "subject")) && (one = cJSON_CreateObject()) &&
	     cJSON_AddItemToArray(subj, one) && cJSON_AddStringToObject(one, "name", p->repo) &&
	     (dg = cJSON_AddObjectToObject(one, "digest")) &&
	     cJSON_AddStringToObject(dg, "sha256", p->digest + 7) &&
	     cJSON_AddStringToObject(st, "predicateType", PUB_PREDICATE_TYPE) &&
	     (pred = cJSON_AddObjectToObject(st, "predicate")) &&
	     cJSON_AddStringToObject(pred, "manifold_version", MANIFOLD_VERSION) &&
	     add_str(pred, "config_digest", p->config_digest) &&
	     add_str(pred, "status_commit", p->status_commit) &&
	     (kids = cJSON_AddArrayToObject(pred, "children"));
	for (size_t i = 0; ok && i < p->n_children; i++) {
		const struct pub_prov_child *c = &p->children[i];
		cJSON *k = cJSON_CreateObject();
		ok = k && cJSON_AddItemToArray(kids, k) && add_str(k, "platform", c->platform) &&
		     add_str(k, "verified_platform", c->verified_platform) &&
		     add_str(k, "digest", c->digest) && add_str(k, "source", c->source) &&
		     add_str(k, "signature", c->signature);
	}
	if (ok && (text = cJSON_PrintUnformatted(st))) {
		out->data = (uint8_t *)text;
		out->len = strlen(text);
	}
	cJSON_Delete(st);
	if (!text) {
		base_error_set(err, "the publish record of %s: out of memory", p->repo);
		return -1;
	}
	return 0;
}
