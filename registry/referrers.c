/* referrers.c — the manifests that refer to an image (signatures, SBOMs,
 * attestations), found and copied to another repository: the referrers API
 * of the OCI distribution spec where the registry offers it (asked once a
 * run per registry), else its referrers tag schema, and cosign's tags in
 * every case, found in one tag listing per source repository a run. */
#include <stdlib.h>
#include <string.h>

#include "reg_internal.h"

#define URL_MAX              4096
#define REFERRERS_TAG_PREFIX "sha256-"

/* One source repository's referrers tags, listed once a run. */
struct reg_ref_tags {
	char *key;            /* "registry/repository" */
	pthread_mutex_t lock; /* held while listing: one listing a repository */
	int state;            /* 0 not listed yet, 1 listed, -1 could not be */
	char **tags;          /* sorted; only those of the tag schema and cosign */
	size_t n;
};

static size_t key_hash(const char *s)
{
	size_t h = (size_t)14695981039346656037ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
	return h;
}

/* The table is open addressing, at most half full. Under ref_tags_lock. */
static int ref_tags_grow(struct reg_client *c)
{
	size_t cap = c->cap_ref_tags ? c->cap_ref_tags * 2 : 64;
	struct reg_ref_tags **t = calloc(cap, sizeof(*t));

	if (!t)
		return -1;
	for (size_t i = 0; i < c->cap_ref_tags; i++) {
		struct reg_ref_tags *e = c->ref_tags[i];
		if (!e)
			continue;
		size_t j = key_hash(e->key) & (cap - 1);
		while (t[j])
			j = (j + 1) & (cap - 1);
		t[j] = e;
	}
	free(c->ref_tags);
	c->ref_tags = t;
	c->cap_ref_tags = cap;
	return 0;
}

static struct reg_ref_tags *ref_tags_entry(struct reg_client *c, const struct reg_ref *repo)
{
	size_t len = strlen(repo->registry) + strlen(repo->repository) + 2, j;
	struct reg_ref_tags *e = NULL;
	char *key = malloc(len);

	if (!key)
		return NULL;
	snprintf(key, len, "%s/%s", repo->registry, repo->repository);
	pthread_mutex_lock(&c->ref_tags_lock);
	if ((c->n_ref_tags + 1) * 2 > c->cap_ref_tags && ref_tags_grow(c) < 0)
		goto out;
	for (j = key_hash(key) & (c->cap_ref_tags - 1); c->ref_tags[j];
	     j = (j + 1) & (c->cap_ref_tags - 1)) {
		if (strcmp(c->ref_tags[j]->key, key) == 0) {
			e = c->ref_tags[j];
			goto out;
		}
	}
	if (!(e = calloc(1, sizeof(*e))))
		goto out;
	e->key = key;
	key = NULL;
	pthread_mutex_init(&e->lock, NULL);
	c->ref_tags[j] = e;
	c->n_ref_tags++;
out:
	pthread_mutex_unlock(&c->ref_tags_lock);
	free(key);
	return e;
}

void reg_referrers_free(struct reg_client *c)
{
	for (size_t i = 0; i < c->cap_ref_tags; i++) {
		struct reg_ref_tags *e = c->ref_tags[i];
		if (!e)
			continue;
		reg_tags_free(e->tags, e->n);
		pthread_mutex_destroy(&e->lock);
		free(e->key);
		free(e);
	}
	free(c->ref_tags);
	c->ref_tags = NULL;
	c->n_ref_tags = c->cap_ref_tags = 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keep the referrers tags of a listing, sorted. */
static void keep_referrers_tags(struct reg_ref_tags *e, char **tags, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (strncmp(tags[i], REFERRERS_TAG_PREFIX, strlen(REFERRERS_TAG_PREFIX)) == 0)
			tags[k++] = tags[i];
		else
			free(tags[i]);
	}
	if (k)
		qsort(tags, k, sizeof(*tags), str_cmp);
	e->tags = tags;
	e->n = k;
}

/* Does src_repo hold tag? 1 yes, 0 no, from the run's one listing of the
 * repository; -1 when it could not be listed (ask the tag itself). */
static int listed(struct reg_session *s, const struct reg_ref *src_repo, const char *tag)
{
	struct reg_ref_tags *e = ref_tags_entry(s->client, src_repo);
	int found;

	if (!e)
		return -1;
	pthread_mutex_lock(&e->lock);
	if (e->state == 0) {
		struct base_error err;
		char **tags = NULL;
		size_t n = 0;
		base_error_clear(&err);
		if (reg_tags_list(s, src_repo, &tags, &n, &err) == BASE_OK) {
			keep_referrers_tags(e, tags, n);
			e->state = 1;
		} else {
			reg_client_logf(s->client, REG_LOG_DEBUG,
			                "%s: referrers tags asked one by one: %s", e->key, err.msg);
			e->state = -1;
		}
	}
	if (e->state < 0) {
		pthread_mutex_unlock(&e->lock);
		return -1;
	}
	found = e->n && bsearch(&tag, e->tags, e->n, sizeof(*e->tags), str_cmp) != NULL;
	pthread_mutex_unlock(&e->lock);
	return found;
}

/* Tags cosign writes next to an image (sign, attest, attach sbom). */
static const char *const cosign_suffixes[] = {".sig", ".att", ".sbom"};

int reg_referrers_get(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                      struct reg_manifest *out, struct base_error *err)
{
	struct reg_host *h = reg_client_host(s->client, repo->registry);
	struct reg_response rs;
	char base[512], scope[1200], url[URL_MAX];
	char *what = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&rs, 0, sizeof(rs));
	if (!h) {
		base_error_set(err, "out of memory");
		return BASE_EFAIL;
	}
	if (!reg_digest_valid(digest)) {
		base_error_set(err, "referrers of %.100s: not a sha256 digest", digest);
		return BASE_EFAIL;
	}
	pthread_mutex_lock(&h->lock);
	int api = h->referrers_api;
	pthread_mutex_unlock(&h->lock);
	if (api < 0) {
		base_error_set(err, "%s: no referrers API (it answered 404 before)",
		               repo->registry);
		return BASE_ENOTFOUND;
	}
	reg_host_base_url(h, base, sizeof(base));
	if (reg_auth_scope(scope, sizeof(scope), repo->repository, 0) < 0) {
		base_error_set(err, "repository name too long");
		return BASE_EFAIL;
	}
	what = reg_ref_format_repo(repo);
	if (!what) {
		base_error_set(err, "out of memory");
		return BASE_EFAIL;
	}
	snprintf(url, sizeof(url), "%s/v2/%s/referrers/%s", base, repo->repository, digest);
	struct reg_request rq = {
	    .method = REG_M_GET,
	    .registry = repo->registry,
	    .url = url,
	    .scope = scope,
	    .what = what,
	    .op = "GET referrers",
	    .accept = REG_MT_OCI_INDEX,
	    .cap = REG_MANIFEST_MAX,
	};
	rc = reg_http_request(s, &rq, &rs, err);
	/* A registry with the API answers 200 for any repository it has (OCI
	 * distribution spec): its first 404 says it has none, for the run. */
	if (rc == BASE_OK || rc == BASE_ENOTFOUND || rc == BASE_EUNSUPPORTED) {
		pthread_mutex_lock(&h->lock);
		h->referrers_api = rc == BASE_OK ? 1 : -1;
		pthread_mutex_unlock(&h->lock);
	}
	if (rc < 0)
		goto out;
	/* The answer is built by the registry: no digest to check it against. */
	rc = reg_manifest_parse(rs.body.data ? rs.body.data : (const uint8_t *)"", rs.body.len,
	                        REG_MT_OCI_INDEX, out, err);
	if (rc == BASE_OK && !out->is_list) {
		reg_manifest_free(out);
		base_error_set(err, "not an image index");
		rc = BASE_EFAIL;
	}
	if (rc < 0)
		base_error_wrap(err, "%s: GET referrers", what);
out:
	reg_response_free(&rs);
	free(what);
	return rc;
}

int reg_referrers_tag(const char *digest, const char *suffix, char *buf, size_t n)
{
	if (!reg_digest_valid(digest))
		return -1;
	/* "sha256:<hex>" → "sha256-<hex>" (OCI distribution spec, "Referrers
	 * Tag Schema"; cosign appends its suffix). */
	return snprintf(buf, n, "sha256-%s%s", digest + 7, suffix ? suffix : "") < (int)n ? 0 : -1;
}

/* GET src:tag and copy it, with what it references, to dst:tag. A tag the
 * source does not have (by its listing, else by its GET) is no error. */
static int copy_tag(struct reg_session *s, const struct reg_ref *src_repo,
                    const struct reg_ref *dst_repo, const char *tag,
                    struct reg_referrers_result *res, struct base_error *err)
{
	struct reg_ref src = reg_ref_at(src_repo, tag, NULL), dst = reg_ref_at(dst_repo, tag, NULL);
	struct reg_manifest m;
	int rc;

	if (listed(s, src_repo, tag) == 0)
		return BASE_OK;
	rc = reg_manifest_get(s, &src, &m, err);
	if (rc == BASE_ENOTFOUND) {
		base_error_clear(err);
		return BASE_OK;
	}
	if (rc < 0)
		return rc;
	rc = reg_copy_manifest(s, &src, &m, &dst, &res->stats, err);
	if (rc == BASE_OK)
		res->tags++;
	reg_manifest_free(&m);
	return rc;
}

/* Every manifest a referrers API answer lists, copied by digest; when the
 * destination has no referrers API, the answer itself goes to the tag
 * schema's tag there so clients of that registry still find them. */
static int copy_from_api(struct reg_session *s, const struct reg_ref *src_repo,
                         const struct reg_ref *dst_repo, const char *digest,
                         const struct reg_manifest *index, struct reg_referrers_result *res,
                         struct base_error *err)
{
	char tag[REG_DIGEST_MAX + 16];
	int rc = BASE_OK;

	for (size_t i = 0; rc == BASE_OK && i < index->n_entries; i++) {
		const char *dg = index->entries[i].digest;
		struct reg_ref src = reg_ref_at(src_repo, NULL, dg),
		               dst = reg_ref_at(dst_repo, NULL, dg);
		struct reg_manifest m;
		if ((rc = reg_manifest_get(s, &src, &m, err)) < 0)
			break;
		rc = reg_copy_manifest(s, &src, &m, &dst, &res->stats, err);
		reg_manifest_free(&m);
		if (rc == BASE_OK)
			res->api++;
	}
	if (rc < 0 || index->n_entries == 0 || reg_ref_same_registry(src_repo, dst_repo))
		return rc;
	{
		struct reg_manifest probe;
		rc = reg_referrers_get(s, dst_repo, digest, &probe, err);
		reg_manifest_free(&probe);
		if (rc == BASE_OK)
			return BASE_OK; /* the destination indexed them by their subject */
		if (rc != BASE_ENOTFOUND && rc != BASE_EUNSUPPORTED)
			return rc;
	}
	base_error_clear(err);
	if (reg_referrers_tag(digest, NULL, tag, sizeof(tag)) < 0) {
		base_error_set(err, "referrers of %s: bad digest", digest);
		return BASE_EFAIL;
	}
	{
		struct reg_ref dst = reg_ref_at(dst_repo, tag, NULL);
		rc = reg_manifest_put(s, &dst, REG_MT_OCI_INDEX, index->raw.data, index->raw.len,
		                      NULL, err);
	}
	if (rc == BASE_OK)
		res->tags++;
	return rc;
}

int reg_referrers_copy(struct reg_session *s, const struct reg_ref *src_repo,
                       const struct reg_ref *dst_repo, const char *digest,
                       struct reg_referrers_result *res, struct base_error *err)
{
	struct reg_manifest index;
	char tag[REG_DIGEST_MAX + 16];
	int rc;

	if (reg_referrers_tag(digest, NULL, tag, sizeof(tag)) < 0) {
		base_error_set(err, "referrers of %.100s: not a sha256 digest", digest);
		return BASE_EFAIL;
	}
	rc = reg_referrers_get(s, src_repo, digest, &index, err);
	if (rc == BASE_OK) {
		res->source_api = 1;
		rc = copy_from_api(s, src_repo, dst_repo, digest, &index, res, err);
		reg_manifest_free(&index);
	} else if (rc == BASE_ENOTFOUND || rc == BASE_EUNSUPPORTED) {
		/* No referrers API (distribution 2.8 answers 404): the tag schema. */
		base_error_clear(err);
		rc = copy_tag(s, src_repo, dst_repo, tag, res, err);
	}
	for (size_t i = 0; rc == BASE_OK && i < sizeof(cosign_suffixes) / sizeof(*cosign_suffixes);
	     i++) {
		if (reg_referrers_tag(digest, cosign_suffixes[i], tag, sizeof(tag)) < 0) {
			base_error_set(err, "referrers of %s: bad digest", digest);
			return BASE_EFAIL;
		}
		rc = copy_tag(s, src_repo, dst_repo, tag, res, err);
	}
	if (rc < 0) {
		char *name = reg_ref_format_repo(src_repo);
		base_error_wrap(err, "referrers of %s@%s", name ? name : src_repo->repository,
		                digest);
		free(name);
	}
	return rc;
}
