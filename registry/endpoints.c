/* endpoints.c — the distribution API endpoints (manifests, tags, blobs) as
 * thin wrappers over reg_http_request: build the URL and scope, check
 * digests over exact bytes, turn answers into results. */
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
	char base[512];
	char scope[1200];
	char *what; /* reference text for messages, malloc'd */
};

static int target_init(struct reg_session *s, const struct reg_ref *ref, int push, int with_tag,
                       struct target *t, struct base_error *err)
{
	struct reg_host *h = reg_client_host(s->client, ref->registry);
	memset(t, 0, sizeof(*t));
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
	t->what = blob_what(repo, digest);
	return BASE_OK;
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
	char url[URL_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	out->size = -1;
	memset(&rs, 0, sizeof(rs));
	if ((rc = target_init(s, ref, 0, 1, &t, err)) < 0)
		return rc;
	snprintf(url, sizeof(url), "%s/v2/%s/manifests/%s", t.base, ref->repository,
	         manifest_reference(ref));
	struct reg_request rq = {
	    .method = REG_M_HEAD,
	    .registry = ref->registry,
	    .url = url,
	    .scope = t.scope,
	    .what = t.what,
	    .op = "HEAD manifest",
	    .accept = REG_MANIFEST_ACCEPT,
	    .finishing = finishing,
	};
	rc = reg_http_request(s, &rq, &rs, err);
	if (rc < 0)
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
	char url[URL_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&rs, 0, sizeof(rs));
	if ((rc = target_init(s, ref, 0, 1, &t, err)) < 0)
		return rc;
	snprintf(url, sizeof(url), "%s/v2/%s/manifests/%s", t.base, ref->repository,
	         manifest_reference(ref));
	struct reg_request rq = {
	    .method = REG_M_GET,
	    .registry = ref->registry,
	    .url = url,
	    .scope = t.scope,
	    .what = t.what,
	    .op = "GET manifest",
	    .accept = REG_MANIFEST_ACCEPT,
	    .cap = REG_MANIFEST_MAX,
	    .want_digest = ref->digest,
	    .check_header_digest = 1,
	    .json_body = 1,
	};
	/* The digests are checked (and a mismatch retried) in reg_http_request. */
	rc = reg_http_request(s, &rq, &rs, err);
	if (rc < 0)
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
	char url[URL_MAX], digest[REG_DIGEST_MAX];
	const char *reference;
	int rc;

	memset(&rs, 0, sizeof(rs));
	reg_digest_sha256(data, len, digest);
	if (digest_out)
		snprintf(digest_out, REG_DIGEST_MAX, "%s", digest);
	if ((rc = target_init(s, ref, 1, 1, &t, err)) < 0)
		return rc;
	reference = ref->tag ? ref->tag : ref->digest ? ref->digest : digest;
	if (!ref->tag && ref->digest && strcmp(ref->digest, digest) != 0) {
		base_error_set(err, "%s: PUT manifest: bytes have digest %s", t.what, digest);
		rc = BASE_EFAIL;
		goto out;
	}
	snprintf(url, sizeof(url), "%s/v2/%s/manifests/%s", t.base, ref->repository, reference);
	struct reg_request rq = {
	    .method = REG_M_PUT,
	    .registry = ref->registry,
	    .url = url,
	    .scope = t.scope,
	    .what = t.what,
	    .op = "PUT manifest",
	    .content_type = media_type,
	    .body = data,
	    .body_len = len,
	    .cap = 64 * 1024,
	    .finishing = 1,
	};
	rc = reg_http_request(s, &rq, &rs, err);
	if (rc < 0)
		goto out;
	if (rs.digest[0] && strcmp(rs.digest, digest) != 0) {
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
	char url[URL_MAX];
	int rc;

	memset(&rs, 0, sizeof(rs));
	if ((rc = target_init(s, ref, 1, 1, &t, err)) < 0)
		return rc;
	if (!ref->digest) {
		base_error_set(err, "%s: DELETE manifest: needs a digest reference", t.what);
		rc = BASE_EFAIL;
		goto out;
	}
	snprintf(url, sizeof(url), "%s/v2/%s/manifests/%s", t.base, ref->repository, ref->digest);
	struct reg_request rq = {
	    .method = REG_M_DELETE,
	    .registry = ref->registry,
	    .url = url,
	    .scope = t.scope,
	    .what = t.what,
	    .op = "DELETE manifest",
	    .cap = 64 * 1024,
	};
	rc = reg_http_request(s, &rq, &rs, err);
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

/* Link: </v2/x/tags/list?n=100&last=y>; rel="next" (RFC 8288) → the next
 * page's absolute URL in url. 0: no next page; 1: url set; -1: a next page
 * that must not be followed (another host, a form we do not take), why says
 * so. Tokens go with the request, so only the registry's own origin is
 * followed. */
UNITTEST int reg_tags_next_link(const char *base, const char *link, char *url, size_t n, char *why,
                                size_t why_n)
{
	const char *lt, *gt, *rel;
	size_t bl = strlen(base);
	int len;

	if (!link || !(lt = strchr(link, '<')) || !(gt = strchr(lt, '>')))
		return 0;
	rel = strstr(gt, "rel=");
	if (!rel || (strncmp(rel + 4, "\"next\"", 6) != 0 && strncmp(rel + 4, "next", 4) != 0))
		return 0;
	len = (int)(gt - lt - 1);
	if (lt[1] == '/' && lt[2] != '/')
		len = snprintf(url, n, "%s%.*s", base, len, lt + 1);
	else if (strncmp(lt + 1, base, bl) == 0 && (lt[1 + bl] == '/' || lt[1 + bl] == '?'))
		len = snprintf(url, n, "%.*s", len, lt + 1);
	else {
		snprintf(why, why_n, "next page %.*s is not on %.200s; not followed",
		         len > 200 ? 200 : len, lt + 1, base);
		return -1;
	}
	if (len < 0 || (size_t)len >= n) {
		snprintf(why, why_n, "next page link is longer than %zu bytes", n - 1);
		return -1;
	}
	return 1;
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

int reg_tags_list(struct reg_session *s, const struct reg_ref *repo, char ***tags_out,
                  size_t *n_out, struct base_error *err)
{
	struct pages_seen seen = {0};
	struct target t;
	struct reg_response rs;
	char url[URL_MAX], why[600];
	char **tags = NULL;
	size_t n = 0;
	int rc, next;

	*tags_out = NULL;
	*n_out = 0;
	memset(&rs, 0, sizeof(rs));
	if ((rc = target_init(s, repo, 0, 0, &t, err)) < 0)
		return rc;
	snprintf(url, sizeof(url), "%s/v2/%s/tags/list", t.base, repo->repository);
	for (;;) {
		struct reg_request rq = {
		    .method = REG_M_GET,
		    .registry = repo->registry,
		    .url = url,
		    .scope = t.scope,
		    .what = t.what,
		    .op = "GET tags",
		    .cap = TAGS_PAGE_CAP,
		    .accept = "application/json",
		};
		/* A listing that cannot be completed is an error, never a short
		 * list: delete's safety check reads it. */
		if ((rc = pages_seen_add(&seen, url)) != 0) {
			if (rc < 0)
				base_error_set(err, "out of memory");
			else
				base_error_set(
				    err,
				    "%s: GET tags: Link leads back to a page already read "
				    "(%s); the listing cannot be completed",
				    t.what, url);
			rc = BASE_EFAIL;
			goto out;
		}
		if (seen.n > TAGS_PAGES_MAX) {
			base_error_set(err,
			               "%s: GET tags: more than %d pages; the listing cannot be "
			               "completed",
			               t.what, TAGS_PAGES_MAX);
			rc = BASE_EFAIL;
			goto out;
		}
		reg_response_free(&rs);
		if ((rc = reg_http_request(s, &rq, &rs, err)) < 0)
			goto out;
		if (reg_tags_page_parse(rs.body.data, rs.body.len, &tags, &n) < 0) {
			base_error_set(err, "%s: GET tags: answer is not {\"tags\": [...]}",
			               t.what);
			rc = BASE_EFAIL;
			goto out;
		}
		/* Pagination: distribution's Link: <...>; rel="next". */
		next = reg_tags_next_link(t.base, rs.link, url, sizeof(url), why, sizeof(why));
		if (next < 0) {
			base_error_set(err, "%s: GET tags: %s; the listing cannot be completed",
			               t.what, why);
			rc = BASE_EFAIL;
			goto out;
		}
		if (next == 0)
			break;
	}
	*tags_out = tags;
	*n_out = n;
	tags = NULL;
	rc = BASE_OK;
out:
	pages_seen_free(&seen);
	reg_tags_free(tags, n);
	reg_response_free(&rs);
	target_free(&t);
	return rc;
}

int reg_blob_head(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                  int64_t *size_out, struct base_error *err)
{
	struct target t;
	struct reg_response rs;
	char url[URL_MAX];
	int rc;

	memset(&rs, 0, sizeof(rs));
	if ((rc = blob_target_init(s, repo, digest, 0, &t, err)) < 0)
		return rc;
	snprintf(url, sizeof(url), "%s/v2/%s/blobs/%s", t.base, repo->repository, digest);
	struct reg_request rq = {
	    .method = REG_M_HEAD,
	    .registry = repo->registry,
	    .url = url,
	    .scope = t.scope,
	    .what = t.what ? t.what : digest,
	    .op = "HEAD blob",
	};
	rc = reg_http_request(s, &rq, &rs, err);
	if (rc == BASE_OK && size_out)
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
	char url[URL_MAX];
	int rc;

	memset(&rs, 0, sizeof(rs));
	if ((rc = blob_target_init(s, repo, digest, 0, &t, err)) < 0)
		return rc;
	snprintf(url, sizeof(url), "%s/v2/%s/blobs/%s", t.base, repo->repository, digest);
	struct reg_request rq = {
	    .method = REG_M_GET,
	    .registry = repo->registry,
	    .url = url,
	    .scope = t.scope,
	    .what = t.what ? t.what : digest,
	    .op = "GET blob",
	    .cap = cap,
	    .sink = sink,
	    .follow = 1,
	    .stream = 1,
	    .want_digest = digest,
	};
	rc = reg_http_request(s, &rq, &rs, err);
	if (rc < 0)
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

int reg_blob_mount(struct reg_session *s, const struct reg_ref *dst_repo, const char *digest,
                   const struct reg_ref *src_repo, int *mounted, struct base_error *err)
{
	struct target t;
	struct reg_response rs;
	char url[URL_MAX];
	int rc;

	*mounted = 0;
	memset(&rs, 0, sizeof(rs));
	if ((rc = blob_target_init(s, dst_repo, digest, 1, &t, err)) < 0)
		return rc;
	if (reg_auth_scope_mount(t.scope, sizeof(t.scope), dst_repo->repository,
	                         src_repo->repository) < 0) {
		base_error_set(err, "repository name too long");
		rc = BASE_EFAIL;
		goto out;
	}
	snprintf(url, sizeof(url), "%s/v2/%s/blobs/uploads/?mount=%s&from=%s", t.base,
	         dst_repo->repository, digest, src_repo->repository);
	struct reg_request rq = {
	    .method = REG_M_POST,
	    .registry = dst_repo->registry,
	    .url = url,
	    .scope = t.scope,
	    .what = t.what ? t.what : digest,
	    .op = "mount blob",
	    .cap = 64 * 1024,
	};
	rc = reg_http_request(s, &rq, &rs, err);
	if (rc < 0)
		goto out;
	if (rs.status == 201) {
		*mounted = 1;
		goto out;
	}
	/* 202: the registry started an ordinary upload instead; cancel it so
	 * it does not linger until the registry's upload purge. */
	if (rs.status == 202 && upload_url(t.base, rs.location, NULL, url, sizeof(url)) == 0) {
		struct reg_response del;
		struct base_error ignored;
		struct reg_request dq = {
		    .method = REG_M_DELETE,
		    .registry = dst_repo->registry,
		    .url = url,
		    .scope = t.scope,
		    .what = rq.what,
		    .op = "cancel upload",
		    .cap = 64 * 1024,
		};
		base_error_clear(&ignored);
		reg_http_request(s, &dq, &del, &ignored);
		reg_response_free(&del);
	}
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
	char url[URL_MAX];
	int rc;

	memset(&rs, 0, sizeof(rs));
	if ((rc = blob_target_init(s, repo, digest, 1, &t, err)) < 0)
		return rc;
	snprintf(url, sizeof(url), "%s/v2/%s/blobs/uploads/", t.base, repo->repository);
	struct reg_request rq = {
	    .method = REG_M_POST,
	    .registry = repo->registry,
	    .url = url,
	    .scope = t.scope,
	    .what = t.what ? t.what : digest,
	    .op = "start blob upload",
	    .cap = 64 * 1024,
	};
	rc = reg_http_request(s, &rq, &rs, err);
	if (rc < 0)
		goto out;
	if (upload_url(t.base, rs.location, digest, url, sizeof(url)) < 0) {
		base_error_set(err, "%s: start blob upload: %ld without a usable Location", rq.what,
		               rs.status);
		rc = BASE_EFAIL;
		goto out;
	}
	reg_response_free(&rs);
	struct reg_request pq = {
	    .method = REG_M_PUT,
	    .registry = repo->registry,
	    .url = url,
	    .scope = t.scope,
	    .what = rq.what,
	    .op = "PUT blob",
	    .content_type = "application/octet-stream",
	    .body = data,
	    .body_len = len,
	    .upload = file,
	    .upload_len = file_len,
	    .cap = 64 * 1024,
	    .stream = 1,
	};
	rc = reg_http_request(s, &pq, &rs, err);
	if (rc == 0 && rs.digest[0] && strcmp(rs.digest, digest) != 0) {
		base_error_set(err, "%s: PUT blob: registry stored digest %.80s", rq.what,
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
