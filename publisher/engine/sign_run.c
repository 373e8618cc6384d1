/* sign_run.c — a run's signing keys (each key the config names loaded
 * once, before the first request) and signing one published list: its
 * cosign signature (`sha256-<hex>.sig`) and its publish record (an
 * in-toto statement in a DSSE envelope, `sha256-<hex>.att`), each written
 * only when the status record and then the registry say this key has not
 * signed this digest yet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job_internal.h"
#include "sign.h"

struct pub_signing {
	struct pub_key **keys; /* owned, one per distinct (file|env, private) */
	char **names;          /* parallel: "p:file:PATH" / "k:env:NAME" */
	size_t n_keys;
	struct pub_sign_image *images; /* the images with keys; their pubs owned here */
	size_t n_images;
	char config_digest[REG_DIGEST_MAX]; /* of the config file's bytes, "" unknown */
};

void pub_signing_free(struct pub_signing *sg)
{
	if (!sg)
		return;
	for (size_t i = 0; i < sg->n_keys; i++) {
		pub_key_free(sg->keys[i]);
		free(sg->names[i]);
	}
	for (size_t i = 0; i < sg->n_images; i++)
		free(sg->images[i].pubs);
	free(sg->keys);
	free(sg->names);
	free(sg->images);
	free(sg);
}

/* The key at ref, loaded once per run. */
static int key_get(struct pub_signing *sg, const struct farm_config *cfg, const char *base,
                   const struct farm_key_ref *ref, int priv, const char *what, struct pub_key **out,
                   struct base_error *err)
{
	char name[4200];
	struct pub_key *k = NULL, **nk;
	char **nn;

	snprintf(name, sizeof(name), "%c:%s:%s", priv ? 'p' : 'k', ref->env ? "env" : "file",
	         ref->env ? ref->env : ref->file);
	for (size_t i = 0; i < sg->n_keys; i++) {
		if (strcmp(sg->names[i], name) == 0) {
			*out = sg->keys[i];
			return 0;
		}
	}
	if (pub_key_load(ref->file, ref->env, base, priv, &k, err) < 0) {
		char msg[BASE_EMSG];
		snprintf(msg, sizeof(msg), "%s", err->msg);
		base_error_set(err, "%s:%d:%d: %s: %s", cfg->path, ref->pos.line, ref->pos.column,
		               what, msg);
		return BASE_EINPUT;
	}
	nk = realloc(sg->keys, (sg->n_keys + 1) * sizeof(*nk));
	if (nk)
		sg->keys = nk;
	nn = nk ? realloc(sg->names, (sg->n_keys + 1) * sizeof(*nn)) : NULL;
	if (nn)
		sg->names = nn;
	if (!nk || !nn || !(sg->names[sg->n_keys] = strdup(name))) {
		pub_key_free(k);
		base_error_set(err, "out of memory");
		return -1;
	}
	sg->keys[sg->n_keys++] = k;
	*out = k;
	return 0;
}

static void config_digest(const char *path, char out[REG_DIGEST_MAX])
{
	FILE *f = fopen(path, "rb");
	struct base_buf b = {0};
	char buf[8192];
	size_t n;

	out[0] = '\0';
	if (!f)
		return;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		base_buf_put(&b, buf, n);
	fclose(f);
	if (b.data)
		reg_digest_sha256(b.data, b.len, out);
	base_buf_free(&b);
}

int pub_signing_new(const struct farm_config *cfg, const struct pub_plan *plan, int with_private,
                    struct pub_signing **out, struct base_error *err)
{
	struct pub_signing *sg = NULL;
	char base[4096];
	const char *slash = cfg->path ? strrchr(cfg->path, '/') : NULL;
	int rc = -1, any = 0;

	*out = NULL;
	for (size_t i = 0; i < cfg->n_images; i++)
		any |=
		    (cfg->images[i].sign_key && with_private) || cfg->images[i].n_require_signature;
	for (size_t i = 0; plan && i < plan->n_other_keys; i++)
		any |= !plan->other_keys[i].priv || with_private;
	if (!any)
		return 0;
	snprintf(base, sizeof(base), "%.*s", slash ? (int)(slash - cfg->path) : 1,
	         slash ? cfg->path : ".");
	if (!(sg = calloc(1, sizeof(*sg))) ||
	    !(sg->images = calloc(cfg->n_images, sizeof(*sg->images)))) {
		base_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < cfg->n_images; i++) {
		const struct farm_image *img = &cfg->images[i];
		struct pub_sign_image *si = &sg->images[sg->n_images];
		if (!(img->sign_key && with_private) && !img->n_require_signature)
			continue;
		si->img = img;
		sg->n_images++;
		if (img->sign_key && with_private &&
		    (rc = key_get(sg, cfg, base, img->sign_key, 1, "sign-key", &si->priv, err)) < 0)
			goto out;
		if (img->n_require_signature &&
		    !(si->pubs = calloc(img->n_require_signature, sizeof(*si->pubs)))) {
			base_error_set(err, "out of memory");
			rc = -1;
			goto out;
		}
		for (size_t k = 0; k < img->n_require_signature; k++, si->n_pubs++)
			if ((rc = key_get(sg, cfg, base, &img->require_signature[k], 0,
			                  "require-signature", &si->pubs[k], err)) < 0)
				goto out;
	}
	/* the keys of images this run does not hold are read all the same */
	for (size_t i = 0; plan && i < plan->n_other_keys; i++) {
		struct pub_key *k;
		int priv = plan->other_keys[i].priv;
		if (priv && !with_private)
			continue;
		if ((rc = key_get(sg, cfg, base, &plan->other_keys[i].ref, priv,
		                  priv ? "sign-key" : "require-signature", &k, err)) < 0)
			goto out;
	}
	if (cfg->path)
		config_digest(cfg->path, sg->config_digest);
	*out = sg;
	sg = NULL;
	rc = 0;
out:
	pub_signing_free(sg);
	return rc;
}

const struct pub_sign_image *pub_signing_image(const struct pub_signing *sg,
                                               const struct farm_image *img)
{
	for (size_t i = 0; sg && i < sg->n_images; i++)
		if (sg->images[i].img == img)
			return &sg->images[i];
	return NULL;
}

/* ---- signing one list ----------------------------------------------------- */

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? strdup(s) : NULL;
}

/* The signature, unless the .sig tag has a valid one by k already. */
static int sign_sig(struct reg_session *s, const struct reg_ref *repo, const char *name,
                    const char *digest, struct pub_key *k, struct base_error *err)
{
	struct pub_sig_set set;
	struct base_buf payload = {0}, sig = {0}, config = {0}, manifest = {0};
	char *sig64 = NULL;
	int rc = -1;

	if (pub_sig_fetch(s, repo, digest, ".sig", &k, 1, &set, err) < 0)
		goto out;
	if (pub_sig_judge(&set, digest, NULL) == PUB_SIG_VALID) {
		pub_log(PUB_LOG_DEBUG, "%s@%s: signed by %s already", name, digest, k->id);
		rc = 0;
		goto out;
	}
	if (pub_sign_payload(name, digest, &payload) < 0) {
		base_error_set(err, "out of memory");
		goto out;
	}
	if (pub_key_sign(k, payload.data, payload.len, &sig, err) < 0)
		goto out;
	if (!(sig64 = pub_b64_encode(sig.data, sig.len))) {
		base_error_set(err, "out of memory");
		goto out;
	}
	if (pub_sig_manifest(&set, k, &payload, sig64, &config, &manifest, err) < 0 ||
	    pub_sig_push(s, repo, digest, ".sig", &config, &payload, &manifest, err) < 0)
		goto out;
	rc = 0;
out:
	free(sig64);
	base_buf_free(&payload);
	base_buf_free(&sig);
	base_buf_free(&config);
	base_buf_free(&manifest);
	pub_sig_set_free(&set);
	return rc;
}

/* What the publish record says of the children: the record's platforms
 * that went in the list. */
static int prov_children(const struct tjob *j, const struct pub_sign_image *si,
                         struct pub_prov_child **out, size_t *n, char ***verdicts)
{
	size_t m = j->out->n_platforms;
	*out = calloc(m ? m : 1, sizeof(**out));
	*verdicts = calloc(m ? m : 1, sizeof(**verdicts));
	*n = 0;
	if (!*out || !*verdicts)
		return -1;
	for (size_t k = 0; k < m; k++) {
		const struct status_platform_status *p = &j->out->platforms[k];
		struct pub_prov_child *c = &(*out)[*n];
		if (p->state != STATUS_P_READY || !p->digest)
			continue;
		c->platform = p->platform;
		c->verified_platform = p->verified ? p->platform : NULL;
		c->digest = p->digest;
		c->source = p->source;
		if (p->signed_by) {
			size_t len = strlen(p->signed_by) + 16;
			if (!((*verdicts)[k] = malloc(len)))
				return -1;
			snprintf((*verdicts)[k], len, "valid by %s", p->signed_by);
			c->signature = (*verdicts)[k];
		} else {
			c->signature = si->n_pubs ? "unchecked" : "not required";
		}
		(*n)++;
	}
	return 0;
}

/* The publish record, unless the .att tag has this key's record for
 * digest already. */
static int sign_att(struct reg_session *s, struct job_ctx *x, const struct tjob *j,
                    const struct pub_sign_image *si, const struct reg_ref *repo, const char *name,
                    const char *digest, struct base_error *err)
{
	struct pub_key *k = si->priv;
	struct pub_sig_set set;
	struct pub_prov_child *kids = NULL;
	char **verdicts = NULL;
	size_t n_kids = 0;
	struct base_buf st = {0}, env = {0}, config = {0}, manifest = {0};
	int rc = -1;

	if (pub_sig_fetch(s, repo, digest, ".att", &k, 1, &set, err) < 0)
		goto out;
	for (size_t i = 0; i < set.n_layers; i++) {
		const struct pub_sig_layer *l = &set.layers[i];
		if (l->by == k && strcmp(l->signed_digest, digest) == 0 && l->predicate_type &&
		    strcmp(l->predicate_type, PUB_PREDICATE_TYPE) == 0) {
			rc = 0;
			goto out;
		}
	}
	if (prov_children(j, si, &kids, &n_kids, &verdicts) < 0) {
		base_error_set(err, "out of memory");
		goto out;
	}
	{
		const char *cd = x->signing->config_digest[0] ? x->signing->config_digest : NULL;
		struct pub_prov p = {name, digest, cd, NULL, kids, n_kids};
		if (pub_prov_statement(&p, &st, err) < 0 ||
		    pub_dsse_sign(k, PUB_MT_INTOTO, st.data, st.len, &env, err) < 0 ||
		    pub_att_manifest(&set, k, &env, PUB_PREDICATE_TYPE, &config, &manifest, err) <
		        0 ||
		    pub_sig_push(s, repo, digest, ".att", &config, &env, &manifest, err) < 0)
			goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; verdicts && i < j->out->n_platforms; i++)
		free(verdicts[i]);
	free(verdicts);
	free(kids);
	base_buf_free(&st);
	base_buf_free(&env);
	base_buf_free(&config);
	base_buf_free(&manifest);
	pub_sig_set_free(&set);
	return rc;
}

void pub_sign_target(struct reg_session *s, struct job_ctx *x, struct tjob *j, int changed)
{
	const struct pub_sign_image *si = pub_signing_image(x->signing, j->t->farm->image);
	const char *digest = j->out->digest;
	const struct reg_ref *repo = &j->t->ref;
	enum pub_flight_claim cl;
	struct base_error err;
	char *name = NULL, flight[2 * REG_DIGEST_MAX];
	int rc = -1;

	if (!si || !si->priv || !digest || x->o->g.dry_run)
		return;
	/* The record says this key signed this digest: not a request more. */
	if (!changed && j->prev && j->prev->digest && j->prev->signed_by &&
	    strcmp(j->prev->digest, digest) == 0 && strcmp(j->prev->signed_by, si->priv->id) == 0) {
		set_str(&j->out->signed_by, si->priv->id);
		return;
	}
	base_error_clear(&err);
	/* Two targets of this run with the same list in one repository (a
	 * tag and its twin): the first signs, the other finds it done. The
	 * key is part of the flight: another image's key signs for itself. */
	snprintf(flight, sizeof(flight), "%s#%s", digest, si->priv->id);
	/* And one signer at a time per (repository, digest), whatever its
	 * key, so two keys' layers never overwrite each other within a run:
	 * the digest alone is a lock (ended with ok 0, it is never done). */
	pub_flight_begin(x->flights, PUB_FLIGHT_SIGN, repo, digest, 1);
	cl = pub_flight_begin(x->flights, PUB_FLIGHT_SIGN, repo, flight, 1);
	if (cl == PUB_FLIGHT_DONE) {
		pub_flight_end(x->flights, PUB_FLIGHT_SIGN, repo, digest, 0);
		set_str(&j->out->signed_by, si->priv->id);
		return;
	}
	if (!(name = reg_ref_format_repo(repo)))
		base_error_set(&err, "out of memory");
	else if (sign_sig(s, repo, name, digest, si->priv, &err) == 0 &&
	         sign_att(s, x, j, si, repo, name, digest, &err) == 0)
		rc = 0;
	pub_flight_end(x->flights, PUB_FLIGHT_SIGN, repo, flight, rc == 0);
	pub_flight_end(x->flights, PUB_FLIGHT_SIGN, repo, digest, 0);
	if (rc == 0) {
		set_str(&j->out->signed_by, si->priv->id);
		pub_log(PUB_LOG_INFO, "%s: signed %s with key %s", j->out->target, digest,
		        si->priv->id);
	} else {
		char why[BASE_EMSG + 64];
		pub_job_note_fail(j, &err, repo->registry);
		snprintf(why, sizeof(why), "published but not signed: %s", err.msg);
		j->out->state = STATUS_T_FAILED;
		set_str(&j->out->reason, why);
		j->tag_holds = 1;
	}
	free(name);
}
