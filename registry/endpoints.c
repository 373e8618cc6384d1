/* endpoints.c — the distribution API endpoints (manifests, tags, blobs) from
 * one table (method, op, path, accept, cap, flags) through one call of
 * reg_http_request: build the URL and scope, check digests over exact
 * bytes, turn answers into results. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "reg_internal.h"

#define TAGS_PAGE_CAP (8u * 1024u * 1024u)
#define URL_MAX       4096

/* Everything an endpoint needs about where it talks to. */
struct target {
	const struct reg_ref *ref; /* registry and repository */
	char base[512];
	char scope[1200];
	char *what; /* reference text for messages, malloc'd */
};

static int target_init(struct reg_session *s, const struct reg_ref *ref, int push, int with_tag,
                       struct target *t, struct base_error *err)
{
	struct reg_host *h = reg_client_host(s->client, ref->registry);
	memset(t, 0, sizeof(*t));
	t->ref = ref;
	if (!h) {
		base_error_set(err, "out of memory");
		return BASE_EFAIL;
	}
	reg_host_base_url(h, t->base, sizeof(t->base));
	if (reg_auth_scope(t->scope, sizeof(t->scope), ref->repository, push) < 0) {
		base_error_set(err, "repository name too long");
		return BASE_EFAIL;
	}
	t->what = with_tag ? reg_ref_format(ref) : reg_ref_format_repo(ref);
	if (!t->what) {
		base_error_set(err, "out of memory");
		return BASE_EFAIL;
	}
	return BASE_OK;
}

static void target_free(struct target *t)
{
	free(t->what);
	t->what = NULL;
}

/* What "what" says for a blob: "registry/repo@sha256:...". */
static char *blob_what(const struct reg_ref *repo, const char *digest)
{
	char *r = reg_ref_format_repo(repo), *out;
	size_t n;
	if (!r)
		return NULL;
	n = strlen(r) + strlen(digest) + 2;
	out = malloc(n);
	if (out)
		snprintf(out, n, "%s@%s", r, digest);
	free(r);
	return out;
}

/* A blob request's target: its messages name "registry/repo@digest". */
static int blob_target_init(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                            int push, struct target *t, struct base_error *err)
{
	int rc = target_init(s, repo, push, 0, t, err);
	if (rc < 0)
		return rc;
	free(t->what);
	if (!(t->what = blob_what(repo, digest))) {
		base_error_set(err, "out of memory");
		return BASE_EFAIL;
	}
	return BASE_OK;
}

/* The endpoints of the distribution API this library calls. */
enum endpoint_id {
	EP_MANIFEST_HEAD,
	EP_MANIFEST_GET,
	EP_MANIFEST_PUT,
	EP_MANIFEST_DELETE,
	EP_TAGS,
	EP_BLOB_HEAD,
	EP_BLOB_GET,
	EP_BLOB_MOUNT,
	EP_UPLOAD_START,
	EP_UPLOAD_PUT,
	EP_UPLOAD_CANCEL,
};

#define EP_STREAM        1u  /* a blob body: low-speed limit, not a total time */
#define EP_FOLLOW        2u  /* redirects followed (auth stays on the first host) */
#define EP_JSON          4u  /* the body is JSON unless a digest vouches for it */
#define EP_HEADER_DIGEST 8u  /* the body hashes to Docker-Content-Digest when sent */
#define EP_FINISHING     16u /* the cancel hook may let it finish */

static const struct endpoint {
	enum reg_method method;
	const char *op;
	const char *path; /* after /v2/<repository>/; NULL: the URL is given (a Location) */
	const char *accept;
	size_t cap;
	unsigned flags;
} endpoints[] = {
    [EP_MANIFEST_HEAD] = {REG_M_HEAD, "HEAD manifest", "manifests/", REG_MANIFEST_ACCEPT, 0, 0},
    [EP_MANIFEST_GET] = {REG_M_GET, "GET manifest", "manifests/", REG_MANIFEST_ACCEPT,
                         REG_MANIFEST_MAX, EP_JSON | EP_HEADER_DIGEST},
    [EP_MANIFEST_PUT] = {REG_M_PUT, "PUT manifest", "manifests/", NULL, 64 * 1024, EP_FINISHING},
    [EP_MANIFEST_DELETE] = {REG_M_DELETE, "DELETE manifest", "manifests/", NULL, 64 * 1024, 0},
    [EP_TAGS] = {REG_M_GET, "GET tags", "tags/list", "application/json", TAGS_PAGE_CAP, 0},
    [EP_BLOB_HEAD] = {REG_M_HEAD, "HEAD blob", "blobs/", NULL, 0, 0},
    [EP_BLOB_GET] = {REG_M_GET, "GET blob", "blobs/", NULL, 0, EP_STREAM | EP_FOLLOW},
    [EP_BLOB_MOUNT] = {REG_M_POST, "mount blob", "blobs/uploads/", NULL, 64 * 1024, 0},
    [EP_UPLOAD_START] = {REG_M_POST, "start blob upload", "blobs/uploads/", NULL, 64 * 1024, 0},
    [EP_UPLOAD_PUT] = {REG_M_PUT, "PUT blob", NULL, NULL, 64 * 1024, EP_STREAM},
    [EP_UPLOAD_CANCEL] = {REG_M_DELETE, "cancel upload", NULL, NULL, 64 * 1024, 0},
};

/* base/v2/<repository>/<path><tail> into url. -1 when it does not fit. */
static int endpoint_url(const struct target *t, enum endpoint_id id, const char *tail, char *url,
                        size_t n)
{
	int w = snprintf(url, n, "%s/v2/%s/%s%s", t->base, t->ref->repository, endpoints[id].path,
	                 tail ? tail : "");
	return w < 0 || (size_t)w >= n ? -1 : 0;
}

/* One call of endpoint id on t: the URL is endpoint_url's (or rq->url when
 * the caller has one), the rest of rq from the table, then the request. rq
 * holds what is particular to the call (a body, a digest to check, a sink,
 * a cap); rs is filled either way. */
static int endpoint_call(struct reg_session *s, const struct target *t, enum endpoint_id id,
                         const char *tail, struct reg_request *rq, struct reg_response *rs,
                         struct base_error *err)
{
	const struct endpoint *ep = &endpoints[id];
	char url[URL_MAX];
	int own = !rq->url, rc;

	if (own) {
		if (endpoint_url(t, id, tail, url, sizeof(url)) < 0) {
			memset(rs, 0, sizeof(*rs));
			base_error_set(err, "%s: %s: URL longer than %d bytes", t->what, ep->op,
			               URL_MAX - 1);
			return BASE_EFAIL;
		}
		rq->url = url;
	}
	rq->method = ep->method;
	rq->op = ep->op;
	rq->registry = t->ref->registry;
	rq->scope = t->scope;
	rq->what = t->what;
	rq->accept = ep->accept;
	if (!rq->cap)
		rq->cap = ep->cap;
	rq->stream = !!(ep->flags & EP_STREAM);
	rq->follow = !!(ep->flags & EP_FOLLOW);
	rq->json_body = !!(ep->flags & EP_JSON);
	rq->check_header_digest = !!(ep->flags & EP_HEADER_DIGEST);
	rq->finishing |= !!(ep->flags & EP_FINISHING);
	rc = reg_http_request(s, rq, rs, err);
	if (own)
		rq->url = NULL; /* url was this call's */
	return rc;
}

static const char *manifest_reference(const struct reg_ref *ref)
{
	return ref->digest ? ref->digest : ref->tag ? ref->tag : "latest";
}

static int manifest_head(struct reg_session *s, const struct reg_ref *ref, int finishing,
                         struct reg_head *out, struct base_error *err)
{
	struct target t;
	struct reg_response rs;
	struct reg_request rq = {.finishing = finishing};
	int rc;

	memset(out, 0, sizeof(*out));
	out->size = -1;
	memset(&rs, 0, sizeof(rs));
	if ((rc = target_init(s, ref, 0, 1, &t, err)) < 0 ||
	    (rc = endpoint_call(s, &t, EP_MANIFEST_HEAD, manifest_reference(ref), &rq, &rs, err)) <
	        0)
		goto out;
	snprintf(out->media_type, sizeof(out->media_type), "%s", rs.content_type);
	/* Content-Type may carry parameters ("; charset=utf-8"). */
	out->media_type[strcspn(out->media_type, "; ")] = '\0';
	if (rs.digest[0] && !reg_digest_valid(rs.digest)) {
		base_error_set(
		    err,
		    "%s: HEAD manifest: Docker-Content-Digest \"%.80s\" is not a sha256 digest",
		    t.what, rs.digest);
		rc = BASE_EFAIL;
		goto out;
	}
	snprintf(out->digest, sizeof(out->digest), "%s", rs.digest);
	out->size = rs.content_length;
	if (ref->digest && out->digest[0] && strcmp(ref->digest, out->digest) != 0) {
		base_error_set(err, "%s: HEAD manifest: registry answered digest %s", t.what,
		               out->digest);
		rc = BASE_EFAIL;
		goto out;
	}
	if (ref->digest && !out->digest[0])
		snprintf(out->digest, sizeof(out->digest), "%s", ref->digest);
out:
	reg_response_free(&rs);
	target_free(&t);
	return rc;
}

int reg_manifest_head(struct reg_session *s, const struct reg_ref *ref, struct reg_head *out,
                      struct base_error *err)
{
	return manifest_head(s, ref, 0, out, err);
}

int reg_manifest_head_after_put(struct reg_session *s, const struct reg_ref *ref,
                                struct reg_head *out, struct base_error *err)
{
	return manifest_head(s, ref, 1, out, err);
}

int reg_manifest_get(struct reg_session *s, const struct reg_ref *ref, struct reg_manifest *out,
                     struct base_error *err)
{
	struct target t;
	struct reg_response rs;
	/* The digests are checked (and a mismatch retried) by the request. */
	struct reg_request rq = {.want_digest = ref->digest};
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&rs, 0, sizeof(rs));
	if ((rc = target_init(s, ref, 0, 1, &t, err)) < 0 ||
	    (rc = endpoint_call(s, &t, EP_MANIFEST_GET, manifest_reference(ref), &rq, &rs, err)) <
	        0)
		goto out;
	rs.content_type[strcspn(rs.content_type, "; ")] = '\0';
	rc = reg_manifest_parse(rs.body.data ? rs.body.data : (const uint8_t *)"", rs.body.len,
	                        rs.content_type[0] ? rs.content_type : NULL, out, err);
	if (rc < 0)
		base_error_wrap(err, "%s: GET manifest", t.what);
out:
	reg_response_free(&rs);
	target_free(&t);
	return rc;
}

int reg_manifest_put(struct reg_session *s, const struct reg_ref *ref, const char *media_type,
                     const uint8_t *data, size_t len, char digest_out[REG_DIGEST_MAX],
                     struct base_error *err)
{
	struct target t;
	struct reg_response rs;
	struct reg_request rq = {.content_type = media_type, .body = data, .body_len = len};
	char digest[REG_DIGEST_MAX];
	int rc;

	memset(&rs, 0, sizeof(rs));
	reg_digest_sha256(data, len, digest);
	if (digest_out)
		snprintf(digest_out, REG_DIGEST_MAX, "%s", digest);
	if ((rc = target_init(s, ref, 1, 1, &t, err)) < 0)
		goto out;
	if (!ref->tag && ref->digest && strcmp(ref->digest, digest) != 0) {
		base_error_set(err, "%s: PUT manifest: bytes have digest %s", t.what, digest);
		rc = BASE_EFAIL;
		goto out;
	}
	rc = endpoint_call(s, &t, EP_MANIFEST_PUT,
	                   ref->tag      ? ref->tag
	                   : ref->digest ? ref->digest
	                                 : digest,
	                   &rq, &rs, err);
	if (rc == BASE_OK && rs.digest[0] && strcmp(rs.digest, digest) != 0) {
		base_error_set(err, "%s: PUT manifest: registry stored digest %.80s, expected %s",
		               t.what, rs.digest, digest);
		rc = BASE_EFAIL;
	}
out:
	reg_response_free(&rs);
	target_free(&t);
	return rc;
}

int reg_manifest_delete(struct reg_session *s, const struct reg_ref *ref, struct base_error *err)
{
	struct target t;
	struct reg_response rs;
	struct reg_request rq = {0};
	int rc;

	memset(&rs, 0, sizeof(rs));
	if ((rc = target_init(s, ref, 1, 1, &t, err)) < 0)
		goto out;
	if (!ref->digest) {
		base_error_set(err, "%s: DELETE manifest: needs a digest reference", t.what);
		rc = BASE_EFAIL;
		goto out;
	}
	rc = endpoint_call(s, &t, EP_MANIFEST_DELETE, ref->digest, &rq, &rs, err);
	if (rc == BASE_EUNSUPPORTED)
		base_error_set(err,
		               "%s: DELETE manifest: %ld %s (the registry has deletes disabled)",
		               t.what, rs.status, err->code[0] ? err->code : "UNSUPPORTED");
out:
	reg_response_free(&rs);
	target_free(&t);
	return rc;
}

void reg_tags_free(char **tags, size_t n)
{
	if (!tags)
		return;
	for (size_t i = 0; i < n; i++)
		free(tags[i]);
	free(tags);
}

#define TAGS_PAGES_MAX 1000

/* Same scheme, host and port (a default port said or not). */
static int same_origin_url(CURLU *a, CURLU *b)
{
	static const CURLUPart parts[] = {CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT};
	int same = 1;
	for (size_t i = 0; same && i < sizeof(parts) / sizeof(*parts); i++) {
		char *x = NULL, *y = NULL;
		same = curl_url_get(a, parts[i], &x, CURLU_DEFAULT_PORT) == CURLUE_OK &&
		       curl_url_get(b, parts[i], &y, CURLU_DEFAULT_PORT) == CURLUE_OK &&
		       strcasecmp(x, y) == 0;
		curl_free(x);
		curl_free(y);
	}
	return same;
}

/* The link target resolved against base (curl_url_set), on base's origin,
 * written as base + path + query into url. 1, or -1 with why. */
static int link_resolve(const char *base, const char *target, char *url, size_t n, char *why,
                        size_t why_n)
{
	CURLU *u = curl_url(), *b = curl_url();
	char *path = NULL, *query = NULL;
	int rc = -1, len;

	if (!u || !b) {
		snprintf(why, why_n, "out of memory");
		goto out;
	}
	if (curl_url_set(b, CURLUPART_URL, base, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_URL, target, 0) != CURLUE_OK) {
		snprintf(why, why_n, "next page %.200s is not a URL", target);
		goto out;
	}
	if (!same_origin_url(u, b)) {
		snprintf(why, why_n, "next page %.200s is not on %.200s; not followed", target,
		         base);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
		snprintf(why, why_n, "next page %.200s has no path", target);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) != CURLUE_OK)
		query = NULL;
	len = snprintf(url, n, "%s%s%s%s", base, path, query ? "?" : "", query ? query : "");
	if (len < 0 || (size_t)len >= n) {
		snprintf(why, why_n, "next page link is longer than %zu bytes", n - 1);
		goto out;
	}
	rc = 1;
out:
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	curl_url_cleanup(b);
	return rc;
}

/* Link: </v2/x/tags/list?n=100&last=y>; rel="next" (RFC 8288) → the next
 * page's absolute URL in url. 0: no next page; 1: url set; -1: a next page
 * that must not be followed (another origin, not a URL), why says so.
 * Tokens go with the request, so only the registry's own origin is
 * followed. */
UNITTEST int reg_tags_next_link(const char *base, const char *link, char *url, size_t n, char *why,
                                size_t why_n)
{
	const char *lt, *gt, *rel;
	char *target;
	int rc;

	if (!link || !(lt = strchr(link, '<')) || !(gt = strchr(lt, '>')))
		return 0;
	rel = strstr(gt, "rel=");
	if (!rel || (strncmp(rel + 4, "\"next\"", 6) != 0 && strncmp(rel + 4, "next", 4) != 0))
		return 0;
	if (!(target = strndup(lt + 1, (size_t)(gt - lt - 1)))) {
		snprintf(why, why_n, "out of memory");
		return -1;
	}
	rc = link_resolve(base, target, url, n, why, why_n);
	free(target);
	return rc;
}

/* Pages already read, so a Link that leads back is caught. */
struct pages_seen {
	char **url;
	size_t n;
};

static int pages_seen_add(struct pages_seen *p, const char *url)
{
	char **nu;
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->url[i], url) == 0)
			return 1;
	nu = realloc(p->url, (p->n + 1) * sizeof(*nu));
	if (!nu)
		return -1;
	p->url = nu;
	if (!(p->url[p->n] = strdup(url)))
		return -1;
	p->n++;
	return 0;
}

static void pages_seen_free(struct pages_seen *p)
{
	reg_tags_free(p->url, p->n);
}

/* One page of GET tags/list: its "tags" strings are appended to *tags (*n
 * so far). Returns the page's array size (0 ends the pagination), -1 when
 * the answer is not {"tags": [...]}, -2 when out of memory. */
UNITTEST long reg_tags_page_parse(const uint8_t *data, size_t len, char ***tags, size_t *n)
{
	cJSON *doc = cJSON_ParseWithLength((const char *)data, len);
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "tags"), *it;
	long rc = -1;
	if (!cJSON_IsObject(doc) || !(cJSON_IsArray(arr) || cJSON_IsNull(arr) || !arr))
		goto out;
	size_t add = cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0;
	char **nt = add ? realloc(*tags, (*n + add) * sizeof(**tags)) : *tags;
	if (add && !nt) {
		rc = -2;
		goto out;
	}
	*tags = nt;
	if (add) {
		cJSON_ArrayForEach(it, arr)
		{
			if (cJSON_IsString(it) && ((*tags)[*n] = strdup(it->valuestring)))
				(*n)++;
		}
	}
	rc = (long)add;
out:
	cJSON_Delete(doc);
	return rc;
}

/* One page of the listing at url: its tags appended, the next page's URL
 * in url ("" after the last), or why the listing cannot be completed. A listing that cannot be
 * completed is an error, never a short list: delete's safety check reads it. */
static int tags_page(struct reg_session *s, const struct target *t, struct pages_seen *seen,
                     char *url, char ***tags, size_t *n, struct base_error *err)
{
	struct reg_response rs;
	struct reg_request rq = {.url = url};
	char why[600];
	int rc = pages_seen_add(seen, url);

	memset(&rs, 0, sizeof(rs));
	if (rc != 0) {
		if (rc < 0)
			base_error_set(err, "out of memory");
		else
			base_error_set(err,
			               "%s: GET tags: Link leads back to a page already read (%s); "
			               "the listing cannot be completed",
			               t->what, url);
		return BASE_EFAIL;
	}
	if (seen->n > TAGS_PAGES_MAX) {
		base_error_set(err,
		               "%s: GET tags: more than %d pages; the listing cannot be completed",
		               t->what, TAGS_PAGES_MAX);
		return BASE_EFAIL;
	}
	if ((rc = endpoint_call(s, t, EP_TAGS, NULL, &rq, &rs, err)) < 0)
		goto out;
	rc = BASE_EFAIL;
	if (reg_tags_page_parse(rs.body.data, rs.body.len, tags, n) < 0) {
		base_error_set(err, "%s: GET tags: answer is not {\"tags\": [...]}", t->what);
		goto out;
	}
	/* Pagination: distribution's Link: <...>; rel="next". */
	switch (reg_tags_next_link(t->base, rs.link, url, URL_MAX, why, sizeof(why))) {
	case 0:
		url[0] = '\0';
		break;
	case 1:
		break;
	default:
		base_error_set(err, "%s: GET tags: %s; the listing cannot be completed", t->what,
		               why);
		goto out;
	}
	rc = BASE_OK;
out:
	reg_response_free(&rs);
	return rc;
}

int reg_tags_list(struct reg_session *s, const struct reg_ref *repo, char ***tags_out,
                  size_t *n_out, struct base_error *err)
{
	struct pages_seen seen = {0};
	struct target t;
	char url[URL_MAX] = "";
	char **tags = NULL;
	size_t n = 0;
	int rc;

	*tags_out = NULL;
	*n_out = 0;
	if ((rc = target_init(s, repo, 0, 0, &t, err)) < 0)
		goto out;
	if (endpoint_url(&t, EP_TAGS, NULL, url, sizeof(url)) < 0) {
		base_error_set(err, "%s: GET tags: URL longer than %d bytes", t.what, URL_MAX - 1);
		rc = BASE_EFAIL;
		goto out;
	}
	do {
		rc = tags_page(s, &t, &seen, url, &tags, &n, err);
	} while (rc == BASE_OK && url[0]);
	if (rc == BASE_OK) {
		*tags_out = tags;
		*n_out = n;
		tags = NULL;
	}
out:
	pages_seen_free(&seen);
	reg_tags_free(tags, n);
	target_free(&t);
	return rc;
}

int reg_blob_head(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                  int64_t *size_out, struct base_error *err)
{
	struct target t;
	struct reg_response rs;
	struct reg_request rq = {0};
	int rc;

	memset(&rs, 0, sizeof(rs));
	if ((rc = blob_target_init(s, repo, digest, 0, &t, err)) == BASE_OK &&
	    (rc = endpoint_call(s, &t, EP_BLOB_HEAD, digest, &rq, &rs, err)) == BASE_OK && size_out)
		*size_out = rs.content_length;
	reg_response_free(&rs);
	target_free(&t);
	return rc;
}

/* GET a blob into memory (sink NULL) or a file; digest verified (and a
 * mismatch fetched again) by reg_http_request. */
static int blob_get(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                    size_t cap, struct base_buf *out, FILE *sink, uint64_t *len_out,
                    struct base_error *err)
{
	struct target t;
	struct reg_response rs;
	struct reg_request rq = {.cap = cap, .sink = sink, .want_digest = digest};
	int rc;

	memset(&rs, 0, sizeof(rs));
	if ((rc = blob_target_init(s, repo, digest, 0, &t, err)) < 0 ||
	    (rc = endpoint_call(s, &t, EP_BLOB_GET, digest, &rq, &rs, err)) < 0)
		goto out;
	if (sink && len_out)
		*len_out = rs.sink_len;
	if (out) {
		*out = rs.body;
		memset(&rs.body, 0, sizeof(rs.body));
	}
out:
	reg_response_free(&rs);
	target_free(&t);
	return rc;
}

int reg_blob_get(struct reg_session *s, const struct reg_ref *repo, const char *digest, size_t cap,
                 struct base_buf *out, struct base_error *err)
{
	memset(out, 0, sizeof(*out));
	return blob_get(s, repo, digest, cap ? cap : REG_CONFIG_MAX, out, NULL, NULL, err);
}

int reg_blob_get_file(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                      FILE *sink, uint64_t *len_out, struct base_error *err)
{
	return blob_get(s, repo, digest, 0, NULL, sink, len_out, err);
}

/* Upload URL: Location resolved against the registry, plus digest=. */
static int upload_url(const char *base, const char *location, const char *digest, char *url,
                      size_t n)
{
	int w;
	if (!location || !*location)
		return -1;
	if (strncmp(location, "http://", 7) == 0 || strncmp(location, "https://", 8) == 0)
		w = snprintf(url, n, "%s", location);
	else
		w = snprintf(url, n, "%s%s%s", base, location[0] == '/' ? "" : "/", location);
	if (w < 0 || (size_t)w >= n)
		return -1;
	if (digest)
		w = snprintf(url + w, n - (size_t)w, "%sdigest=%s", strchr(url, '?') ? "&" : "?",
		             digest);
	return w < 0 ? -1 : 0;
}

/* 202 to a mount: the registry started an ordinary upload instead; cancel
 * it so it does not linger until the registry's upload purge. */
static void upload_cancel(struct reg_session *s, const struct target *t, const char *location)
{
	char url[URL_MAX];
	struct reg_response rs;
	struct reg_request rq = {.url = url};
	struct base_error ignored;

	if (upload_url(t->base, location, NULL, url, sizeof(url)) < 0)
		return;
	base_error_clear(&ignored);
	endpoint_call(s, t, EP_UPLOAD_CANCEL, NULL, &rq, &rs, &ignored);
	reg_response_free(&rs);
}

int reg_blob_mount(struct reg_session *s, const struct reg_ref *dst_repo, const char *digest,
                   const struct reg_ref *src_repo, int *mounted, struct base_error *err)
{
	struct target t;
	struct reg_response rs;
	struct reg_request rq = {0};
	char query[URL_MAX];
	int rc;

	*mounted = 0;
	memset(&rs, 0, sizeof(rs));
	if ((rc = blob_target_init(s, dst_repo, digest, 1, &t, err)) < 0)
		goto out;
	if (reg_auth_scope_mount(t.scope, sizeof(t.scope), dst_repo->repository,
	                         src_repo->repository) < 0) {
		base_error_set(err, "repository name too long");
		rc = BASE_EFAIL;
		goto out;
	}
	snprintf(query, sizeof(query), "?mount=%s&from=%s", digest, src_repo->repository);
	if ((rc = endpoint_call(s, &t, EP_BLOB_MOUNT, query, &rq, &rs, err)) < 0)
		goto out;
	if (rs.status == 201)
		*mounted = 1;
	else if (rs.status == 202)
		upload_cancel(s, &t, rs.location);
out:
	reg_response_free(&rs);
	target_free(&t);
	return rc;
}

/* POST an upload, then PUT the whole body with ?digest= (monolithic). */
static int blob_upload(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                       const uint8_t *data, size_t len, FILE *file, int64_t file_len,
                       struct base_error *err)
{
	struct target t;
	struct reg_response rs;
	struct reg_request rq = {0};
	char url[URL_MAX];
	int rc;

	memset(&rs, 0, sizeof(rs));
	if ((rc = blob_target_init(s, repo, digest, 1, &t, err)) < 0 ||
	    (rc = endpoint_call(s, &t, EP_UPLOAD_START, NULL, &rq, &rs, err)) < 0)
		goto out;
	if (upload_url(t.base, rs.location, digest, url, sizeof(url)) < 0) {
		base_error_set(err, "%s: start blob upload: %ld without a usable Location", t.what,
		               rs.status);
		rc = BASE_EFAIL;
		goto out;
	}
	reg_response_free(&rs);
	struct reg_request pq = {
	    .url = url,
	    .content_type = "application/octet-stream",
	    .body = data,
	    .body_len = len,
	    .upload = file,
	    .upload_len = file_len,
	};
	rc = endpoint_call(s, &t, EP_UPLOAD_PUT, NULL, &pq, &rs, err);
	if (rc == 0 && rs.digest[0] && strcmp(rs.digest, digest) != 0) {
		base_error_set(err, "%s: PUT blob: registry stored digest %.80s", t.what,
		               rs.digest);
		rc = BASE_EFAIL;
	}
out:
	reg_response_free(&rs);
	target_free(&t);
	return rc;
}

int reg_blob_put(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                 const uint8_t *data, size_t len, struct base_error *err)
{
	char got[REG_DIGEST_MAX];
	reg_digest_sha256(data, len, got);
	if (strcmp(got, digest) != 0) {
		base_error_set(err, "upload blob %s: bytes have digest %s", digest, got);
		return BASE_EFAIL;
	}
	return blob_upload(s, repo, digest, data, len, NULL, 0, err);
}

int reg_blob_put_file(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                      FILE *file, int64_t len, struct base_error *err)
{
	return blob_upload(s, repo, digest, NULL, 0, file, len, err);
}
