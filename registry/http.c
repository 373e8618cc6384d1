/* http.c — the one request function every endpoint goes through: URL scheme
 * and TLS policy, auth (anonymous first, then the registry's challenge),
 * timeouts, retries with backoff (fresh connections, Range resume, digest
 * checks; retry.c decides), the per-registry caps and down mark, response
 * capture with a hard cap. Error messages for non-2xx answers: http_error.c. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "reg_internal.h"

#define ERROR_BODY_CAP (64u * 1024u)

/* Per-try transfer state handed to the curl callbacks. */
struct xfer {
	const struct reg_request *rq;
	struct reg_response *rs;
	int overflow;  /* a 2xx body went past rq->cap */
	int sink_fail; /* writing the sink failed */
	EVP_MD_CTX *md;
	uint64_t resume_at; /* this try asked for "Range: bytes=resume_at-" (0: no) */
	int range_bad;      /* the answer was a 206 for another range */
	const struct reg_client *c;
	int cancelled;    /* the cancel hook aborted this try */
	int headers_done; /* the last answer's header block ended (its empty line came) */
};

/* What bounds one request: its host's settings, else the client's. */
struct limits {
	long timeout_ms, low_speed_limit, low_speed_time_ms;
	int max_retries;
};

void reg_response_free(struct reg_response *rs)
{
	if (!rs)
		return;
	base_buf_free(&rs->body);
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
	rs->content_range[0] = '\0';
	rs->rl_limit[0] = rs->rl_remaining[0] = rs->rl_reset[0] = '\0';
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

/* Start the sink over: empty file, fresh digest. */
static int sink_restart(struct xfer *x)
{
	FILE *f = x->rq->sink;
	x->rs->sink_len = 0;
	if (fflush(f) != 0 || ftruncate(fileno(f), 0) != 0 || fseeko(f, 0, SEEK_SET) != 0)
		return -1;
	return EVP_DigestInit_ex(x->md, EVP_sha256(), NULL) == 1 ? 0 : -1;
}

/* End of a resumed answer's headers: append, start over, or give up. */
static int resume_decide(struct xfer *x)
{
	switch (reg_range_answer(x->rs->status, x->rs->content_range, x->resume_at)) {
	case REG_RANGE_APPEND:
		return 0;
	case REG_RANGE_RESTART:
		x->resume_at = 0;
		if (sink_restart(x) < 0) {
			x->sink_fail = 1;
			return -1;
		}
		return 0;
	default:
		x->range_bad = 1;
		return -1;
	}
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
		x->headers_done = 0;
		if (sp && (size_t)(sp - buf) + 4 <= len && isdigit((unsigned char)sp[1]) &&
		    isdigit((unsigned char)sp[2]) && isdigit((unsigned char)sp[3]))
			rs->status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
		return len;
	}
	if ((len == 2 && buf[0] == '\r') || (len == 1 && buf[0] == '\n')) {
		x->headers_done = 1;
		if (x->rq->sink && x->resume_at && is_2xx(rs->status) && resume_decide(x) < 0)
			return 0;
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
	} else if (HNAME("Content-Range")) {
		copy_trimmed(rs->content_range, sizeof(rs->content_range), v, vlen);
	} else if (HNAME("RateLimit-Limit")) {
		copy_trimmed(rs->rl_limit, sizeof(rs->rl_limit), v, vlen);
	} else if (HNAME("RateLimit-Remaining")) {
		copy_trimmed(rs->rl_remaining, sizeof(rs->rl_remaining), v, vlen);
	} else if (HNAME("RateLimit-Reset")) {
		copy_trimmed(rs->rl_reset, sizeof(rs->rl_reset), v, vlen);
	}
#undef HNAME
	return len;
}

static int buf_append(struct base_buf *b, const char *data, size_t len)
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

/* Is url on the registry's own origin (scheme, host and port)? Credentials
 * are attached only then; an upload Location may point elsewhere. */
static int same_origin(const char *url, const char *base)
{
	size_t n = strlen(base);
	return strncmp(url, base, n) == 0 && (url[n] == '/' || url[n] == '?' || url[n] == '\0');
}

/* retry: why this try is a retry, REG_FAULT_NONE for a first try. */
static void stats_count(struct reg_client *c, enum reg_method m, enum reg_fault retry)
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
	unsigned long *by_cause[] = {
	    [REG_FAULT_STATUS] = &c->stats.retries_status,
	    [REG_FAULT_CONNECT] = &c->stats.retries_connection,
	    [REG_FAULT_DROPPED] = &c->stats.retries_connection,
	    [REG_FAULT_TIMEOUT] = &c->stats.retries_timeout,
	    [REG_FAULT_DIGEST] = &c->stats.retries_digest,
	};
	if (retry != REG_FAULT_NONE) {
		(*by_cause[retry])++;
		c->stats.retries++;
	}
	pthread_mutex_unlock(&c->stats_lock);
}

/* curl's progress callback: the way a stalled transfer learns of a cancel. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	struct xfer *x = ud;
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	if (reg_cancelled(x->c, x->rq))
		x->cancelled = 1;
	return x->cancelled;
}

static CURLcode perform_once(struct reg_session *s, const struct reg_request *rq,
                             struct reg_host *h, const struct limits *lim, const char *auth,
                             struct xfer *x, int fresh)
{
	struct reg_client *c = s->client;
	/* A registry's request takes one of its idle handles (and the
	 * connection it keeps); a token fetch uses the session's own. */
	CURL *e = h ? reg_host_handle_take(h) : s->curl;
	struct curl_slist *hdrs = NULL, *t;
	char line[8300];
	CURLcode cc;
	int plain_ok = h ? h->plain : 0;

	if (!e) {
		snprintf(s->errbuf, CURL_ERROR_SIZE, "curl_easy_init failed");
		return CURLE_OUT_OF_MEMORY;
	}
	curl_easy_reset(e);
	s->errbuf[0] = '\0';
	curl_easy_setopt(e, CURLOPT_SHARE, c->share);
	curl_easy_setopt(e, CURLOPT_URL, rq->url);
	curl_easy_setopt(e, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, lim->timeout_ms);
	if (rq->stream) {
		/* A layer may take an hour on a slow link; what matters is that
		 * it keeps moving (waiting for the first byte counts as not). */
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, lim->low_speed_limit);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (lim->low_speed_time_ms + 999) / 1000);
	} else {
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, lim->timeout_ms);
	}
	if (fresh) {
		/* The last connection may hold stray bytes or a half answer. */
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	}
	if (x->resume_at) {
		char range[32];
		snprintf(range, sizeof(range), "%llu-", (unsigned long long)x->resume_at);
		curl_easy_setopt(e, CURLOPT_RANGE, range);
	}
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
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, reg_method_name(rq->method));
		break;
	case REG_M_DELETE:
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "DELETE");
		break;
	}
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	if (c->cancel) {
		curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(e, CURLOPT_XFERINFODATA, x);
	}

	x->headers_done = 0;
	cc = curl_easy_perform(e);
	if (cc == CURLE_OK && !x->headers_done) {
		/* libcurl takes a connection closed inside the header block as
		 * the end of the answer; headers after the cut (the digest, a
		 * Location) would silently be missing. */
		snprintf(s->errbuf, CURL_ERROR_SIZE,
		         "connection closed inside the answer's headers");
		cc = CURLE_PARTIAL_FILE;
	}
	if (cc == CURLE_OK) {
		long code = 0, version = 0;
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
		x->rs->status = code;
		x->rs->http10 = version == CURL_HTTP_VERSION_1_0;
	}
	/* The header list held the Authorization line: wipe before freeing. */
	for (t = hdrs; t; t = t->next)
		if (strncmp(t->data, "Authorization:", 14) == 0)
			explicit_bzero(t->data, strlen(t->data));
	curl_slist_free_all(hdrs);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
	if (h) {
		/* Nothing of this try or session stays reachable from it. */
		curl_easy_setopt(e, CURLOPT_ERRORBUFFER, NULL);
		reg_host_handle_put(h, e);
	}
	return cc;
}

/* Prepare per-try state: uploads rewound; sinks truncated with the digest
 * restarted, unless this try resumes at resume_at (the file and the digest
 * then carry on from the bytes kept). */
static int try_reset(const struct reg_request *rq, struct reg_response *rs, struct xfer *x,
                     uint64_t resume_at)
{
	response_reset_headers(rs);
	rs->sink_digest[0] = '\0';
	x->overflow = 0;
	x->sink_fail = 0;
	x->range_bad = 0;
	x->resume_at = rq->sink ? resume_at : 0;
	if (rq->upload && fseeko(rq->upload, 0, SEEK_SET) != 0)
		return -1;
	if (rq->sink && !x->resume_at)
		return sink_restart(x);
	if (rq->sink && fflush(rq->sink) != 0)
		return -1;
	return 0;
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

static void limits_of(const struct reg_client *c, const struct reg_host *h, struct limits *lim)
{
	lim->timeout_ms = h ? h->timeout_ms : c->timeout_ms;
	lim->low_speed_limit = h ? h->low_speed_limit : c->low_speed_limit;
	lim->low_speed_time_ms = h ? h->low_speed_time_ms : c->low_speed_time_ms;
	lim->max_retries = h ? h->max_retries : c->max_retries;
}

/* A 2xx body must hash to what was asked for and to what the registry
 * announced (DESIGN rule 2). 0 when it does; else why says how. */
static int digest_check(const struct reg_request *rq, struct reg_response *rs, struct xfer *x,
                        char *why, size_t why_n)
{
	char got[REG_DIGEST_MAX];
	if (!rq->want_digest && !rq->check_header_digest)
		return 0;
	if (rq->sink) {
		sink_finish(x);
		snprintf(got, sizeof(got), "%s", rs->sink_digest);
	} else {
		reg_digest_sha256(rs->body.data, rs->body.len, got);
	}
	if (rq->want_digest && strcmp(rq->want_digest, got) != 0) {
		snprintf(why, why_n, "body has digest %s, not the one asked for", got);
		return -1;
	}
	if (rq->check_header_digest && rs->digest[0] && strcmp(rs->digest, got) != 0) {
		snprintf(why, why_n, "body has digest %s but Docker-Content-Digest says %.80s", got,
		         rs->digest);
		return -1;
	}
	return 0;
}

/* digest_check, then: a body that should be JSON is, unless a digest
 * vouched for it. */
static int body_check(const struct reg_request *rq, struct reg_response *rs, struct xfer *x,
                      char *why, size_t why_n)
{
	int vouched = rq->want_digest || (rq->check_header_digest && rs->digest[0]);

	if (digest_check(rq, rs, x, why, why_n) < 0)
		return -1;
	if (rq->json_body && !rq->sink &&
	    reg_fault_of_json_body(rs->body.data, rs->body.len, vouched) != REG_FAULT_NONE) {
		snprintf(why, why_n, "body is not JSON (%zu bytes) and has no digest to check",
		         rs->body.len);
		return -1;
	}
	return 0;
}

/* Log why a try is retried and wait. wait < 0: backoff with jitter.
 * 1 when the request was cancelled meanwhile. */
static int retry_wait(struct reg_session *s, const struct reg_request *rq, const char *why,
                      enum reg_fault f, uint64_t resume_at, int attempt, int max, long wait)
{
	char how[80] = "";
	if (wait < 0)
		wait =
		    reg_backoff_ms(s->client->backoff_ms, attempt, (unsigned int)rand_r(&s->seed));
	if (resume_at)
		snprintf(how, sizeof(how), " resuming at byte %llu", (unsigned long long)resume_at);
	else if (reg_fault_wants_fresh(f))
		snprintf(how, sizeof(how), " on a fresh connection");
	reg_client_logf(s->client, REG_LOG_WARN, "%s: %s: %s; retry %d/%d%s in %ld ms", rq->what,
	                rq->op, why, attempt + 1, max, how, wait);
	return reg_cancel_wait(s->client, rq, wait);
}

int reg_http_request(struct reg_session *s, const struct reg_request *rq, struct reg_response *rs,
                     struct base_error *err)
{
	struct reg_client *c = s->client;
	struct reg_host *h = NULL, *rh = NULL;
	struct xfer x = {rq, rs, 0, 0, NULL, 0, 0, c, 0, 0};
	struct limits lim;
	char base[512] = "";
	char *auth = NULL;
	int attempt = 0, challenged = 0, rc = BASE_EFAIL, use_auth, range_refused = 0;
	enum reg_fault cause = REG_FAULT_NONE; /* why the next try is a retry */
	uint64_t resume_at = 0;
	int64_t total = -1;    /* a blob's full length, from its 200 answer */
	unsigned long seq = 0; /* this try's place in its registry's budget window */

	memset(rs, 0, sizeof(*rs));
	rs->content_length = -1;
	if (rq->registry) {
		h = reg_client_host(c, rq->registry);
		if (!h) {
			base_error_set(err, "out of memory");
			return BASE_EFAIL;
		}
		reg_host_base_url(h, base, sizeof(base));
	} else if (rq->plain_ok) {
		/* Token fetch: refuse to send credentials over plain http to a
		 * realm unless the registry itself is spoken to in plain http. */
		rh = reg_client_host(c, rq->plain_ok);
		if (rq->auth_header && strncmp(rq->url, "https://", 8) != 0 && !(rh && rh->plain)) {
			base_error_set(
			    err, "%s: %s: refusing to send credentials to a non-https token realm",
			    rq->what, rq->op);
			return BASE_EFAIL;
		}
	}
	/* A token fetch is bounded like the registry it is for. */
	limits_of(c, h ? h : rh, &lim);
	use_auth = rq->auth_header != NULL || (h && rq->scope && same_origin(rq->url, base));
	if (rq->sink && !(x.md = EVP_MD_CTX_new())) {
		base_error_set(err, "out of memory");
		return BASE_EFAIL;
	}
	if (rq->auth_header) {
		auth = strdup(rq->auth_header);
	} else if (use_auth) {
		rc = reg_auth_header_cached(s, h, rq->scope, &auth, err);
		if (rc < 0) {
			base_error_wrap(err, "%s: %s", rq->what, rq->op);
			goto out;
		}
	}

	for (;;) {
		struct timespec started;
		enum reg_fault fault;
		char why[CURL_ERROR_SIZE + 128];
		CURLcode cc;

		if (try_reset(rq, rs, &x, resume_at) < 0) {
			base_error_set(err, "%s: %s: temporary file: %s", rq->what, rq->op,
			               strerror(errno));
			rc = BASE_EFAIL;
			goto out;
		}
		/* The budget first, so a request waiting for it holds no slot. */
		if ((rc = reg_budget_take(c, h, rq, &seq, err)) < 0) {
			if (rc == BASE_ECANCELED)
				rc = reg_cancel_error(rq, err);
			goto out;
		}
		reg_host_acquire(h);
		/* Checked after the slot: another worker may have marked the
		 * host down while this one waited. */
		if (reg_host_down(h, err)) {
			reg_host_release(h);
			base_error_wrap(err, "%s: %s", rq->what, rq->op);
			rc = BASE_EFAIL;
			goto out;
		}
		if (reg_cancelled(c, rq)) {
			reg_host_release(h);
			rc = reg_cancel_error(rq, err);
			goto out;
		}
		clock_gettime(CLOCK_MONOTONIC, &started);
		cc = perform_once(s, rq, h, &lim, auth, &x, reg_fault_wants_fresh(cause));
		reg_budget_answer(h, rq, rs, seq, &started, s->client->backoff_ms);
		reg_host_release(h);
		stats_count(c, rq->method, cause);
		reg_stats_answer(c, h ? h->name : rq->plain_ok, rq->method, rs->status);
		cause = REG_FAULT_NONE;

		if (x.overflow) {
			base_error_set(err,
			               "%s: %s: response larger than %zu bytes, transfer aborted",
			               rq->what, rq->op, rq->cap);
			rc = BASE_EFAIL;
			goto out;
		}
		if (x.sink_fail) {
			base_error_set(err, "%s: %s: writing temporary file failed", rq->what,
			               rq->op);
			rc = BASE_EFAIL;
			goto out;
		}
		if (cc != CURLE_OK && x.cancelled) {
			rc = reg_cancel_error(rq, err);
			goto out;
		}
		if (cc != CURLE_OK) {
			if (x.range_bad) {
				fault = REG_FAULT_DROPPED;
				range_refused = 1;
				snprintf(why, sizeof(why),
				         "answer to Range is for another range (%s)",
				         rs->content_range);
			} else {
				fault = reg_fault_of_curl(cc, s->errbuf);
				snprintf(why, sizeof(why), "%s%s%s", curl_easy_strerror(cc),
				         s->errbuf[0] ? ": " : "", s->errbuf);
			}
			if (reg_host_note(h, fault, &started, why))
				reg_client_logf(
				    c, REG_LOG_WARN,
				    "%s: registry unreachable (%d consecutive connection "
				    "failures: %s); later requests to it fail at once",
				    h->name, REG_HOST_DOWN_AFTER, why);
			if (reg_host_down(h, err)) {
				base_error_wrap(err, "%s: %s", rq->what, rq->op);
				rc = BASE_EFAIL;
				goto out;
			}
			if (fault != REG_FAULT_NONE && attempt < lim.max_retries) {
				if (rs->status == 200)
					total = rs->content_length;
				/* No answer at all: what the file holds still stands. */
				if (rs->status != 0 || !x.resume_at)
					resume_at = reg_resume_offset(
					    fault, rs->status, rs->sink_len, total, range_refused);
				if (!rq->sink)
					resume_at = 0;
				if (retry_wait(s, rq, why, fault, resume_at, attempt,
				               lim.max_retries, -1)) {
					rc = reg_cancel_error(rq, err);
					goto out;
				}
				attempt++;
				cause = fault;
				continue;
			}
			base_error_set(err, "%s: %s: %s", rq->what, rq->op, why);
			rc = BASE_EFAIL;
			goto out;
		}
		reg_host_note(h, REG_FAULT_NONE, &started, NULL);
		if (rs->status == 401 && use_auth && !rq->auth_header && !challenged) {
			char *fresh = NULL;
			challenged = 1;
			rc = reg_auth_handle_challenge(s, h, rq->scope, rs->www_auth, auth, &fresh,
			                               err);
			if (rc < 0) {
				base_error_wrap(err, "%s: %s", rq->what, rq->op);
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
		if (rs->status == 416 && x.resume_at && !range_refused) {
			/* Nothing past what we hold: take it all again, once. */
			range_refused = 1;
			resume_at = 0;
			continue;
		}
		fault = reg_fault_of_status(rs->status, rq->method);
		if (fault != REG_FAULT_NONE && attempt < lim.max_retries) {
			long ra = reg_retry_after_ms(rs->retry_after, time(NULL));
			snprintf(why, sizeof(why), "HTTP %ld", rs->status);
			/* A 429 waits its Retry-After; whether every worker holds
			 * off too is the budget's (reg_budget_answer). */
			if (retry_wait(s, rq, why, fault, 0, attempt, lim.max_retries, ra)) {
				rc = reg_cancel_error(rq, err);
				goto out;
			}
			attempt++;
			cause = fault;
			continue;
		}
		if (!is_2xx(rs->status))
			break;
		if (rq->sink && fflush(rq->sink) != 0) {
			base_error_set(err, "%s: %s: writing temporary file failed", rq->what,
			               rq->op);
			rc = BASE_EFAIL;
			goto out;
		}
		if (body_check(rq, rs, &x, why, sizeof(why)) < 0) {
			if (attempt >= lim.max_retries) {
				base_error_set(err, "%s: %s: %s", rq->what, rq->op, why);
				rc = BASE_EFAIL;
				goto out;
			}
			/* The bytes are dropped; the whole body comes again. */
			resume_at = 0;
			if (retry_wait(s, rq, why, REG_FAULT_DIGEST, 0, attempt, lim.max_retries,
			               -1)) {
				rc = reg_cancel_error(rq, err);
				goto out;
			}
			attempt++;
			cause = REG_FAULT_DIGEST;
			continue;
		}
		break;
	}
	if (!is_2xx(rs->status)) {
		rc = reg_status_error(rq, rs, err);
		if (rs->status == 401 && use_auth && !rq->auth_header)
			reg_auth_explain_401(c, h, auth != NULL, err);
		goto out;
	}
	if (rq->sink && !rs->sink_digest[0])
		sink_finish(&x);
	rc = BASE_OK;
out:
	if (auth) {
		explicit_bzero(auth, strlen(auth));
		free(auth);
	}
	EVP_MD_CTX_free(x.md);
	return rc;
}
