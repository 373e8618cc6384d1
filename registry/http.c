/* http.c — the one request function every endpoint goes through: URL scheme
 * and TLS policy, auth (anonymous first, then the registry's challenge),
 * retries with backoff, the per-registry caps, response capture with a hard
 * cap, and error messages built from the registry's error body. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "reg_internal.h"

#define ERROR_BODY_CAP (64u * 1024u)

static const char *const method_names[] = {"HEAD", "GET", "PUT", "POST", "PATCH", "DELETE"};

/* Per-try transfer state handed to the curl callbacks. */
struct xfer {
	const struct reg_request *rq;
	struct reg_response *rs;
	int overflow;  /* a 2xx body went past rq->cap */
	int sink_fail; /* writing the sink failed */
	EVP_MD_CTX *md;
};

void reg_response_free(struct reg_response *rs)
{
	if (!rs)
		return;
	reg_buf_free(&rs->body);
	free(rs->location);
	free(rs->www_auth);
	free(rs->link);
	memset(rs, 0, sizeof(*rs));
	rs->content_length = -1;
}

static void response_reset_headers(struct reg_response *rs)
{
	rs->status = 0;
	rs->digest[0] = '\0';
	rs->content_type[0] = '\0';
	rs->content_length = -1;
	rs->retry_after[0] = '\0';
	free(rs->location);
	rs->location = NULL;
	free(rs->www_auth);
	rs->www_auth = NULL;
	free(rs->link);
	rs->link = NULL;
	rs->body.len = 0;
}

static int is_2xx(long status)
{
	return status >= 200 && status < 300;
}

static void copy_trimmed(char *dst, size_t n, const char *v, size_t len)
{
	if (len >= n)
		len = n - 1;
	memcpy(dst, v, len);
	dst[len] = '\0';
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *ud)
{
	struct xfer *x = ud;
	struct reg_response *rs = x->rs;
	size_t len = size * nitems, nlen;
	const char *colon, *v;
	size_t vlen;

	if (len >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
		/* A new response (redirect hop, 100-continue): start over. */
		const char *sp = memchr(buf, ' ', len);
		response_reset_headers(rs);
		if (sp && (size_t)(sp - buf) + 4 <= len && isdigit((unsigned char)sp[1]) &&
		    isdigit((unsigned char)sp[2]) && isdigit((unsigned char)sp[3]))
			rs->status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
		return len;
	}
	colon = memchr(buf, ':', len);
	if (!colon)
		return len;
	nlen = (size_t)(colon - buf);
	v = colon + 1;
	vlen = len - nlen - 1;
	while (vlen && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
		vlen--;
#define HNAME(s) (nlen == sizeof(s) - 1 && strncasecmp(buf, s, nlen) == 0)
	if (HNAME("Docker-Content-Digest")) {
		copy_trimmed(rs->digest, sizeof(rs->digest), v, vlen);
	} else if (HNAME("Content-Type")) {
		copy_trimmed(rs->content_type, sizeof(rs->content_type), v, vlen);
	} else if (HNAME("Content-Length")) {
		char tmp[32];
		char *end;
		copy_trimmed(tmp, sizeof(tmp), v, vlen);
		errno = 0;
		long long n = strtoll(tmp, &end, 10);
		if (errno == 0 && end != tmp && *end == '\0' && n >= 0)
			rs->content_length = n;
		/* Refuse an announced oversize 2xx body before it arrives. */
		if (is_2xx(rs->status) && !x->rq->sink && x->rq->cap &&
		    x->rq->method != REG_M_HEAD && rs->content_length > (int64_t)x->rq->cap) {
			x->overflow = 1;
			return 0;
		}
	} else if (HNAME("Location")) {
		free(rs->location);
		rs->location = strndup(v, vlen);
	} else if (HNAME("WWW-Authenticate")) {
		/* Keep a Bearer challenge over a Basic one when both are sent. */
		if (!rs->www_auth || (strncasecmp(rs->www_auth, "Bearer", 6) != 0 && vlen >= 6 &&
		                      strncasecmp(v, "Bearer", 6) == 0)) {
			free(rs->www_auth);
			rs->www_auth = strndup(v, vlen < 8192 ? vlen : 8192);
		}
	} else if (HNAME("Link")) {
		free(rs->link);
		rs->link = strndup(v, vlen < 4096 ? vlen : 4096);
	} else if (HNAME("Retry-After")) {
		copy_trimmed(rs->retry_after, sizeof(rs->retry_after), v, vlen);
	}
#undef HNAME
	return len;
}

static int buf_append(struct reg_buf *b, const char *data, size_t len)
{
	uint8_t *nd = realloc(b->data, b->len + len + 1);
	if (!nd)
		return -1;
	b->data = nd;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	struct reg_response *rs = x->rs;
	size_t len = size * nmemb;

	if (!is_2xx(rs->status)) {
		/* Error bodies are only read for their message: keep the start. */
		size_t room = rs->body.len < ERROR_BODY_CAP ? ERROR_BODY_CAP - rs->body.len : 0;
		if (room && buf_append(&rs->body, data, len < room ? len : room) < 0)
			return 0;
		return len;
	}
	if (x->rq->sink) {
		if (fwrite(data, 1, len, x->rq->sink) != len) {
			x->sink_fail = 1;
			return 0;
		}
		EVP_DigestUpdate(x->md, data, len);
		rs->sink_len += len;
		return len;
	}
	if (x->rq->cap && rs->body.len + len > x->rq->cap) {
		x->overflow = 1;
		return 0;
	}
	if (buf_append(&rs->body, data, len) < 0)
		return 0;
	return len;
}

static int retryable_curl(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return 1;
	default:
		return 0;
	}
}

/* 429/502/503/504 always (DESIGN rule 7). A 500 only on HEAD: distribution
 * answers 500 to a blob HEAD that races a mount of the same blob into the
 * same repository (two targets of one image published at once); a HEAD is a
 * pure read with no body to carry a real error, so asking again is safe. */
static int retryable_status(long status, enum reg_method method)
{
	if (status == 500)
		return method == REG_M_HEAD;
	return status == 429 || status == 502 || status == 503 || status == 504;
}

/* Is url on the registry's own origin (scheme, host and port)? Credentials
 * are attached only then; an upload Location may point elsewhere. */
static int same_origin(const char *url, const char *base)
{
	size_t n = strlen(base);
	return strncmp(url, base, n) == 0 && (url[n] == '/' || url[n] == '?' || url[n] == '\0');
}

static void stats_count(struct reg_client *c, enum reg_method m, int retry)
{
	pthread_mutex_lock(&c->stats_lock);
	switch (m) {
	case REG_M_HEAD:
		c->stats.head++;
		break;
	case REG_M_GET:
		c->stats.get++;
		break;
	case REG_M_PUT:
		c->stats.put++;
		break;
	case REG_M_POST:
		c->stats.post++;
		break;
	case REG_M_PATCH:
		c->stats.patch++;
		break;
	case REG_M_DELETE:
		c->stats.del++;
		break;
	}
	if (retry)
		c->stats.retries++;
	pthread_mutex_unlock(&c->stats_lock);
}

static CURLcode perform_once(struct reg_session *s, const struct reg_request *rq,
                             const struct reg_host *h, const char *auth, struct xfer *x)
{
	struct reg_client *c = s->client;
	CURL *e = s->curl;
	struct curl_slist *hdrs = NULL, *t;
	char line[8300];
	CURLcode cc;
	int plain_ok = h ? h->plain : 0;

	curl_easy_reset(e);
	s->errbuf[0] = '\0';
	curl_easy_setopt(e, CURLOPT_SHARE, c->share);
	curl_easy_setopt(e, CURLOPT_URL, rq->url);
	curl_easy_setopt(e, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	                 c->timeout_ms < 30000 ? c->timeout_ms : 30000L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h && h->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->ca_file);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, plain_ok ? "http,https" : "https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS,
	                 (long)(plain_ok ? (CURLPROTO_HTTP | CURLPROTO_HTTPS) : CURLPROTO_HTTPS));
#endif
	if (rq->follow) {
		/* Blob GETs may be redirected to storage on another host. With
		 * UNRESTRICTED_AUTH off, libcurl does not send our custom
		 * Authorization header to a different host, scheme or port. */
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
		curl_easy_setopt(e, CURLOPT_UNRESTRICTED_AUTH, 0L);
	}

	if (rq->accept) {
		snprintf(line, sizeof(line), "Accept: %s", rq->accept);
		if ((t = curl_slist_append(hdrs, line)))
			hdrs = t;
	}
	if (rq->content_type) {
		snprintf(line, sizeof(line), "Content-Type: %s", rq->content_type);
		if ((t = curl_slist_append(hdrs, line)))
			hdrs = t;
	}
	if (auth) {
		snprintf(line, sizeof(line), "Authorization: %s", auth);
		if ((t = curl_slist_append(hdrs, line)))
			hdrs = t;
		explicit_bzero(line, sizeof(line));
	}
	if ((t = curl_slist_append(hdrs, "Expect:")))
		hdrs = t;
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);

	switch (rq->method) {
	case REG_M_HEAD:
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
		break;
	case REG_M_GET:
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
		break;
	case REG_M_POST:
	case REG_M_PUT:
	case REG_M_PATCH:
		if (rq->upload) {
			curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
			curl_easy_setopt(e, CURLOPT_READDATA, rq->upload);
			curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)rq->upload_len);
		} else {
			curl_easy_setopt(e, CURLOPT_POSTFIELDS,
			                 rq->body ? (const char *)rq->body : "");
			curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
		}
		if (rq->method != REG_M_POST || rq->upload)
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method_names[rq->method]);
		break;
	case REG_M_DELETE:
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "DELETE");
		break;
	}
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);

	cc = curl_easy_perform(e);
	if (cc == CURLE_OK) {
		long code = 0;
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
		x->rs->status = code;
	}
	/* The header list held the Authorization line: wipe before freeing. */
	for (t = hdrs; t; t = t->next)
		if (strncmp(t->data, "Authorization:", 14) == 0)
			explicit_bzero(t->data, strlen(t->data));
	curl_slist_free_all(hdrs);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
	return cc;
}

/* Reason text for statuses whose answer carries no body (HEAD). Codes follow
 * distribution's errcode names. */
static void status_default(long status, const char *op, const char **code, const char **msg)
{
	*code = "";
	*msg = "";
	switch (status) {
	case 401:
		*code = "UNAUTHORIZED";
		*msg = "authentication required";
		break;
	case 403:
		*code = "DENIED";
		*msg = "requested access to the resource is denied";
		break;
	case 404:
		if (op && strstr(op, "blob")) {
			*code = "BLOB_UNKNOWN";
			*msg = "blob unknown to registry";
		} else if (op && strstr(op, "manifest")) {
			*code = "MANIFEST_UNKNOWN";
			*msg = "manifest unknown";
		} else {
			*code = "NOT_FOUND";
			*msg = "not found";
		}
		break;
	case 405:
		*code = "UNSUPPORTED";
		*msg = "the operation is unsupported";
		break;
	case 429:
		*code = "TOOMANYREQUESTS";
		*msg = "too many requests";
		break;
	case 500:
		*msg = "Internal Server Error";
		break;
	case 502:
		*msg = "Bad Gateway";
		break;
	case 503:
		*msg = "Service Unavailable";
		break;
	case 504:
		*msg = "Gateway Timeout";
		break;
	default:
		break;
	}
}

int reg_error_body_parse(const uint8_t *data, size_t len, char *code, size_t code_n, char *msg,
                         size_t msg_n)
{
	cJSON *doc, *errors, *first, *v;
	int rc = -1;
	if (!data || len == 0)
		return -1;
	doc = cJSON_ParseWithLength((const char *)data, len);
	if (!doc)
		return -1;
	errors = cJSON_GetObjectItemCaseSensitive(doc, "errors");
	first = cJSON_IsArray(errors) ? cJSON_GetArrayItem(errors, 0) : NULL;
	if (cJSON_IsObject(first)) {
		v = cJSON_GetObjectItemCaseSensitive(first, "code");
		snprintf(code, code_n, "%s", cJSON_IsString(v) ? v->valuestring : "");
		v = cJSON_GetObjectItemCaseSensitive(first, "message");
		snprintf(msg, msg_n, "%s", cJSON_IsString(v) ? v->valuestring : "");
		rc = code[0] || msg[0] ? 0 : -1;
	}
	cJSON_Delete(doc);
	return rc;
}

static int status_error(const struct reg_request *rq, const struct reg_response *rs,
                        struct reg_error *err)
{
	char code[64] = "", msg[512] = "";
	const char *dcode, *dmsg;

	status_default(rs->status, rq->op, &dcode, &dmsg);
	if (reg_error_body_parse(rs->body.data, rs->body.len, code, sizeof(code), msg,
	                         sizeof(msg)) < 0) {
		snprintf(code, sizeof(code), "%s", dcode);
		snprintf(msg, sizeof(msg), "%s", dmsg);
	}
	for (char *p = msg; *p; p++) /* one line, whatever the registry sent */
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (code[0] && msg[0])
		reg_error_set(err, "%s: %s: %ld %s (%s)", rq->what, rq->op, rs->status, code, msg);
	else if (code[0] || msg[0])
		reg_error_set(err, "%s: %s: %ld %s", rq->what, rq->op, rs->status,
		              code[0] ? code : msg);
	else
		reg_error_set(err, "%s: %s: HTTP %ld", rq->what, rq->op, rs->status);
	err->http_status = (int)rs->status;
	snprintf(err->code, sizeof(err->code), "%s", code);
	if (rs->status == 404)
		return REG_ENOTFOUND;
	if (rs->status == 405 || strcmp(code, "UNSUPPORTED") == 0)
		return REG_EUNSUPPORTED;
	return REG_EFAIL;
}

/* Prepare per-try state: sinks truncated, uploads rewound, digest restarted. */
static int try_reset(const struct reg_request *rq, struct reg_response *rs, struct xfer *x)
{
	response_reset_headers(rs);
	rs->sink_len = 0;
	rs->sink_digest[0] = '\0';
	x->overflow = 0;
	x->sink_fail = 0;
	if (rq->upload && fseeko(rq->upload, 0, SEEK_SET) != 0)
		return -1;
	if (rq->sink) {
		if (fflush(rq->sink) != 0 || ftruncate(fileno(rq->sink), 0) != 0 ||
		    fseeko(rq->sink, 0, SEEK_SET) != 0)
			return -1;
		if (EVP_DigestInit_ex(x->md, EVP_sha256(), NULL) != 1)
			return -1;
	}
	return 0;
}

static void wait_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void sink_finish(struct xfer *x)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	static const char hex[] = "0123456789abcdef";
	char *o = x->rs->sink_digest;
	if (EVP_DigestFinal_ex(x->md, md, &n) != 1 || n != 32)
		return;
	memcpy(o, "sha256:", 7);
	o += 7;
	for (unsigned int i = 0; i < n; i++) {
		*o++ = hex[md[i] >> 4];
		*o++ = hex[md[i] & 15];
	}
	*o = '\0';
}

int reg_http_request(struct reg_session *s, const struct reg_request *rq, struct reg_response *rs,
                     struct reg_error *err)
{
	struct reg_client *c = s->client;
	struct reg_host *h = NULL;
	struct xfer x = {rq, rs, 0, 0, NULL};
	char base[512] = "";
	char *auth = NULL;
	int attempt = 0, challenged = 0, rc = REG_EFAIL, use_auth;

	memset(rs, 0, sizeof(*rs));
	rs->content_length = -1;
	if (rq->registry) {
		h = reg_client_host(c, rq->registry);
		if (!h) {
			reg_error_set(err, "out of memory");
			return REG_EFAIL;
		}
		reg_host_base_url(h, base, sizeof(base));
	} else if (rq->plain_ok) {
		/* Token fetch: refuse to send credentials over plain http to a
		 * realm unless the registry itself is spoken to in plain http. */
		struct reg_host *rh = reg_client_host(c, rq->plain_ok);
		if (rq->auth_header && strncmp(rq->url, "https://", 8) != 0 && !(rh && rh->plain)) {
			reg_error_set(
			    err, "%s: %s: refusing to send credentials to a non-https token realm",
			    rq->what, rq->op);
			return REG_EFAIL;
		}
	}
	use_auth = rq->auth_header != NULL || (h && rq->scope && same_origin(rq->url, base));
	if (rq->sink && !(x.md = EVP_MD_CTX_new())) {
		reg_error_set(err, "out of memory");
		return REG_EFAIL;
	}
	if (rq->auth_header) {
		auth = strdup(rq->auth_header);
	} else if (use_auth) {
		rc = reg_auth_header_cached(s, h, rq->scope, &auth, err);
		if (rc < 0) {
			reg_error_wrap(err, "%s: %s", rq->what, rq->op);
			goto out;
		}
	}

	for (;;) {
		CURLcode cc;
		long wait = -1;

		if (try_reset(rq, rs, &x) < 0) {
			reg_error_set(err, "%s: %s: temporary file: %s", rq->what, rq->op,
			              strerror(errno));
			rc = REG_EFAIL;
			goto out;
		}
		reg_host_acquire(h);
		cc = perform_once(s, rq, h, auth, &x);
		reg_host_release(h);
		stats_count(c, rq->method, attempt > 0);

		if (x.overflow) {
			reg_error_set(err,
			              "%s: %s: response larger than %zu bytes, transfer aborted",
			              rq->what, rq->op, rq->cap);
			rc = REG_EFAIL;
			goto out;
		}
		if (x.sink_fail) {
			reg_error_set(err, "%s: %s: writing temporary file failed", rq->what,
			              rq->op);
			rc = REG_EFAIL;
			goto out;
		}
		if (cc != CURLE_OK) {
			if (retryable_curl(cc) && attempt < c->max_retries) {
				wait = reg_backoff_ms(c->backoff_ms, attempt,
				                      (unsigned int)rand_r(&s->seed));
				reg_client_logf(c, REG_LOG_WARN,
				                "%s: %s: %s; retry %d/%d in %ld ms", rq->what,
				                rq->op, curl_easy_strerror(cc), attempt + 1,
				                c->max_retries, wait);
				wait_ms(wait);
				attempt++;
				continue;
			}
			reg_error_set(err, "%s: %s: %s%s%s", rq->what, rq->op,
			              curl_easy_strerror(cc), s->errbuf[0] ? ": " : "", s->errbuf);
			rc = REG_EFAIL;
			goto out;
		}
		if (rs->status == 401 && use_auth && !rq->auth_header && !challenged) {
			char *fresh = NULL;
			challenged = 1;
			rc = reg_auth_handle_challenge(s, h, rq->scope, rs->www_auth, &fresh, err);
			if (rc < 0) {
				reg_error_wrap(err, "%s: %s", rq->what, rq->op);
				goto out;
			}
			if (fresh) {
				if (auth)
					explicit_bzero(auth, strlen(auth));
				free(auth);
				auth = fresh;
				continue;
			}
		}
		if (retryable_status(rs->status, rq->method) && attempt < c->max_retries) {
			wait = reg_retry_after_ms(rs->retry_after, time(NULL));
			if (wait < 0)
				wait = reg_backoff_ms(c->backoff_ms, attempt,
				                      (unsigned int)rand_r(&s->seed));
			reg_client_logf(c, REG_LOG_WARN, "%s: %s: HTTP %ld; retry %d/%d in %ld ms",
			                rq->what, rq->op, rs->status, attempt + 1, c->max_retries,
			                wait);
			wait_ms(wait);
			attempt++;
			continue;
		}
		break;
	}
	if (!is_2xx(rs->status)) {
		rc = status_error(rq, rs, err);
		goto out;
	}
	if (rq->sink) {
		if (fflush(rq->sink) != 0) {
			reg_error_set(err, "%s: %s: writing temporary file failed", rq->what,
			              rq->op);
			rc = REG_EFAIL;
			goto out;
		}
		sink_finish(&x);
	}
	rc = REG_OK;
out:
	if (auth) {
		explicit_bzero(auth, strlen(auth));
		free(auth);
	}
	EVP_MD_CTX_free(x.md);
	return rc;
}
