/* http.c — one HTTP exchange: the curl handle set up for a try (URL scheme
 * and TLS policy, timeouts, Authorization, method and body), the answer
 * captured with a hard cap (headers through curl_easy_header, a blob body
 * into a sink with its sha256 and Range resume), and a request's state set
 * up and finished around its tries. The stages that use it: request.c;
 * error messages for non-2xx answers: http_error.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "attempt.h"

#define ERROR_BODY_CAP (64u * 1024u)
#define WWW_AUTH_CAP   8192u
#define LINK_CAP       4096u
#define LOCATION_CAP   65536u

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
	rs->retry_after_ms = -1;
}

static void response_reset_headers(struct reg_response *rs)
{
	rs->status = 0;
	rs->digest[0] = '\0';
	rs->content_type[0] = '\0';
	rs->content_length = -1;
	rs->retry_after_ms = -1;
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

/* The last value of header name in the answer being read, or NULL. */
static const char *header_last(CURL *e, const char *name)
{
	struct curl_header *hd;
	if (curl_easy_header(e, name, 0, CURLH_HEADER, -1, &hd) != CURLHE_OK)
		return NULL;
	if (hd->amount > 1 &&
	    curl_easy_header(e, name, hd->amount - 1, CURLH_HEADER, -1, &hd) != CURLHE_OK)
		return NULL;
	return hd->value;
}

static void header_copy(CURL *e, const char *name, char *dst, size_t n)
{
	const char *v = header_last(e, name);
	snprintf(dst, n, "%s", v ? v : "");
}

static char *header_dup(CURL *e, const char *name, size_t cap)
{
	const char *v = header_last(e, name);
	return v ? strndup(v, cap) : NULL;
}

/* WWW-Authenticate: a Bearer challenge over a Basic one when both are sent. */
static char *www_auth_pick(CURL *e)
{
	struct curl_header *hd;
	size_t n;
	const char *pick = NULL;
	if (curl_easy_header(e, "WWW-Authenticate", 0, CURLH_HEADER, -1, &hd) != CURLHE_OK)
		return NULL;
	n = hd->amount;
	pick = hd->value;
	for (size_t i = 0; i < n && strncasecmp(pick, "Bearer", 6) != 0; i++)
		if (curl_easy_header(e, "WWW-Authenticate", i, CURLH_HEADER, -1, &hd) ==
		        CURLHE_OK &&
		    strncasecmp(hd->value, "Bearer", 6) == 0)
			pick = hd->value;
	return strndup(pick, WWW_AUTH_CAP);
}

/* One answer's header block has ended: what the request path reads of it. */
static void headers_read(CURL *e, struct reg_response *rs)
{
	curl_off_t cl = -1, ra = 0;
	long code = 0;

	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	rs->status = code;
	header_copy(e, "Docker-Content-Digest", rs->digest, sizeof(rs->digest));
	header_copy(e, "Content-Type", rs->content_type, sizeof(rs->content_type));
	header_copy(e, "Content-Range", rs->content_range, sizeof(rs->content_range));
	header_copy(e, "RateLimit-Limit", rs->rl_limit, sizeof(rs->rl_limit));
	header_copy(e, "RateLimit-Remaining", rs->rl_remaining, sizeof(rs->rl_remaining));
	header_copy(e, "RateLimit-Reset", rs->rl_reset, sizeof(rs->rl_reset));
	if (curl_easy_getinfo(e, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK && cl >= 0)
		rs->content_length = cl;
	/* curl reads both forms (delta-seconds, HTTP-date); whether one was
	 * sent at all is the header's presence. */
	if (header_last(e, "Retry-After") &&
	    curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK)
		rs->retry_after_ms = reg_retry_after_clamp(ra);
	free(rs->location);
	rs->location = header_dup(e, "Location", LOCATION_CAP);
	free(rs->www_auth);
	rs->www_auth = www_auth_pick(e);
	free(rs->link);
	rs->link = header_dup(e, "Link", LINK_CAP);
}

/* Start the sink over: empty file, fresh digest. */
static int sink_restart(struct reg_xfer *x)
{
	FILE *f = x->rq->sink;
	x->rs->sink_len = 0;
	if (fflush(f) != 0 || ftruncate(fileno(f), 0) != 0 || fseeko(f, 0, SEEK_SET) != 0)
		return -1;
	return EVP_DigestInit_ex(x->md, EVP_sha256(), NULL) == 1 ? 0 : -1;
}

/* End of a resumed answer's headers: append, start over, or give up. */
static int resume_decide(struct reg_xfer *x)
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

/* Only the shape of the header block is watched here: a new answer (a
 * redirect hop) starts over, its end is when its headers are read. */
static size_t on_header(char *buf, size_t size, size_t nitems, void *ud)
{
	struct reg_xfer *x = ud;
	size_t len = size * nitems;

	if (len >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
		response_reset_headers(x->rs);
		x->headers_done = 0;
	} else if ((len == 2 && buf[0] == '\r') || (len == 1 && buf[0] == '\n')) {
		x->headers_done = 1;
		headers_read(x->e, x->rs);
		if (x->rq->sink && x->resume_at && is_2xx(x->rs->status) && resume_decide(x) < 0)
			return 0;
	}
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
	struct reg_xfer *x = ud;
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
	/* An announced oversize body never starts (CURLOPT_MAXFILESIZE_LARGE);
	 * one without a length stops here. */
	if (x->rq->cap && rs->body.len + len > x->rq->cap) {
		x->overflow = 1;
		return 0;
	}
	if (buf_append(&rs->body, data, len) < 0)
		return 0;
	return len;
}

/* curl's progress callback: the way a stalled transfer learns of a cancel. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	struct reg_xfer *x = ud;
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	if (reg_cancelled(x->c, x->rq))
		x->cancelled = 1;
	return x->cancelled;
}

static void set_limits(CURL *e, const struct reg_request *rq, const struct reg_limits *lim,
                       int fresh)
{
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
	/* A 2xx body in memory announced past its cap is refused unread. */
	if (!rq->sink && rq->cap && rq->method != REG_M_HEAD)
		curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)rq->cap);
}

static void set_tls(CURL *e, const struct reg_request *rq, const struct reg_host *h)
{
	int plain_ok = h ? h->plain : 0;
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h && h->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->ca_file);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, plain_ok ? "http,https" : "https");
	if (rq->follow) {
		/* Blob GETs may be redirected to storage on another host. With
		 * UNRESTRICTED_AUTH off, libcurl sends neither our Authorization
		 * header nor the Basic credentials to a different host, scheme
		 * or port. */
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
		curl_easy_setopt(e, CURLOPT_UNRESTRICTED_AUTH, 0L);
	}
}

static struct curl_slist *header_add(struct curl_slist *hdrs, const char *name, const char *v)
{
	char line[8300];
	struct curl_slist *t;
	if (!v)
		return hdrs;
	snprintf(line, sizeof(line), "%s: %s", name, v);
	t = curl_slist_append(hdrs, line);
	explicit_bzero(line, sizeof(line));
	return t ? t : hdrs;
}

/* Request headers and Authorization: a Bearer header, or Basic credentials
 * curl encodes itself. */
static struct curl_slist *set_headers(CURL *e, const struct reg_request *rq,
                                      const struct reg_authz *az)
{
	struct curl_slist *hdrs = NULL, *t;
	hdrs = header_add(hdrs, "Accept", rq->accept);
	hdrs = header_add(hdrs, "Content-Type", rq->content_type);
	hdrs = header_add(hdrs, "Authorization", az->bearer);
	if ((t = curl_slist_append(hdrs, "Expect:")))
		hdrs = t;
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	if (az->user) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, az->user);
		curl_easy_setopt(e, CURLOPT_PASSWORD, az->pass ? az->pass : "");
	}
	return hdrs;
}

static void set_method(CURL *e, const struct reg_request *rq)
{
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
}

static void set_callbacks(CURL *e, const struct reg_client *c, struct reg_xfer *x)
{
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	if (c->cancel) {
		curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(e, CURLOPT_XFERINFODATA, x);
	}
}

/* What curl_easy_perform said, made exact: a cut inside the headers is a
 * dropped answer, an announced oversize 2xx body an overflow. */
static CURLcode perform_result(struct reg_session *s, struct reg_xfer *x, CURLcode cc)
{
	struct reg_response *rs = x->rs;
	if (cc == CURLE_FILESIZE_EXCEEDED) {
		headers_read(x->e, rs);
		x->overflow = 1;
		return cc;
	}
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
		curl_easy_getinfo(x->e, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_getinfo(x->e, CURLINFO_HTTP_VERSION, &version);
		rs->status = code;
		rs->http10 = version == CURL_HTTP_VERSION_1_0;
	}
	return cc;
}

/* One exchange on a handle of h (a token fetch: the session's own). */
static CURLcode exchange(struct reg_session *s, const struct reg_request *rq, struct reg_host *h,
                         const struct reg_limits *lim, const struct reg_authz *az,
                         struct reg_xfer *x, int fresh)
{
	struct reg_client *c = s->client;
	CURL *e = h ? reg_host_handle_take(h) : s->curl;
	struct curl_slist *hdrs, *t;
	CURLcode cc;

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
	set_limits(e, rq, lim, fresh);
	if (x->resume_at) {
		char range[32];
		snprintf(range, sizeof(range), "%llu-", (unsigned long long)x->resume_at);
		curl_easy_setopt(e, CURLOPT_RANGE, range);
	}
	set_tls(e, rq, h);
	hdrs = set_headers(e, rq, az);
	set_method(e, rq);
	set_callbacks(e, c, x);
	x->e = e;
	x->headers_done = 0;
	cc = perform_result(s, x, curl_easy_perform(e));
	x->e = NULL;
	/* The header list held the Authorization line: wipe before freeing. */
	for (t = hdrs; t; t = t->next)
		if (strncmp(t->data, "Authorization:", 14) == 0)
			explicit_bzero(t->data, strlen(t->data));
	curl_slist_free_all(hdrs);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(e, CURLOPT_USERNAME, NULL);
	curl_easy_setopt(e, CURLOPT_PASSWORD, NULL);
	if (h) {
		/* Nothing of this try or session stays reachable from it. */
		curl_easy_setopt(e, CURLOPT_ERRORBUFFER, NULL);
		reg_host_handle_put(h, e);
	}
	return cc;
}

enum reg_verdict reg_stage_reset(struct reg_attempt *a, struct base_error *err)
{
	const struct reg_request *rq = a->rq;
	struct reg_xfer *x = &a->x;
	int bad = 0;

	response_reset_headers(a->rs);
	a->rs->sink_digest[0] = '\0';
	x->overflow = 0;
	x->sink_fail = 0;
	x->range_bad = 0;
	/* A sink carries on from the bytes kept when this try resumes. */
	x->resume_at = rq->sink ? a->resume_at : 0;
	if (rq->upload && fseeko(rq->upload, 0, SEEK_SET) != 0)
		bad = 1;
	else if (rq->sink && !x->resume_at)
		bad = sink_restart(x) < 0;
	else if (rq->sink)
		bad = fflush(rq->sink) != 0;
	if (!bad)
		return REG_V_NEXT;
	base_error_set(err, "%s: %s: temporary file: %s", rq->what, rq->op, strerror(errno));
	a->rc = BASE_EFAIL;
	return REG_V_FAIL;
}

/* The try itself, between its slot being taken (acquire) and given back:
 * its answer goes to the budget and the counts. */
enum reg_verdict reg_stage_perform(struct reg_attempt *a, struct base_error *err)
{
	struct reg_client *c = a->s->client;
	(void)err;
	clock_gettime(CLOCK_MONOTONIC, &a->started);
	a->cc =
	    exchange(a->s, a->rq, a->h, &a->lim, &a->authz, &a->x, reg_fault_wants_fresh(a->cause));
	reg_budget_answer(a->h, a->rq, a->rs, a->seq, &a->started, c->backoff_ms);
	reg_host_release(a->h);
	reg_stats_try(c, a->rq->method, a->cause);
	reg_stats_answer(c, a->h ? a->h->name : a->rq->plain_ok, a->rq->method, a->rs->status);
	a->cause = REG_FAULT_NONE;
	return REG_V_NEXT;
}

void reg_authz_clear(struct reg_authz *a)
{
	char **fields[] = {&a->bearer, &a->user, &a->pass};
	for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
		if (*fields[i]) {
			explicit_bzero(*fields[i], strlen(*fields[i]));
			free(*fields[i]);
			*fields[i] = NULL;
		}
	}
}

/* Is url on the registry's own origin (scheme, host and port)? Credentials
 * are attached only then; an upload Location may point elsewhere. */
static int same_origin(const char *url, const char *base)
{
	size_t n = strlen(base);
	return strncmp(url, base, n) == 0 && (url[n] == '/' || url[n] == '?' || url[n] == '\0');
}

static void limits_of(const struct reg_client *c, const struct reg_host *h, struct reg_limits *lim)
{
	lim->timeout_ms = h ? h->timeout_ms : c->timeout_ms;
	lim->low_speed_limit = h ? h->low_speed_limit : c->low_speed_limit;
	lim->low_speed_time_ms = h ? h->low_speed_time_ms : c->low_speed_time_ms;
	lim->max_retries = h ? h->max_retries : c->max_retries;
}

int reg_attempt_init(struct reg_attempt *a, struct reg_session *s, const struct reg_request *rq,
                     struct reg_response *rs, struct base_error *err)
{
	struct reg_client *c = s->client;

	memset(a, 0, sizeof(*a));
	a->s = s;
	a->rq = rq;
	a->rs = rs;
	a->total = -1;
	a->x.rq = rq;
	a->x.rs = rs;
	a->x.c = c;
	memset(rs, 0, sizeof(*rs));
	rs->content_length = -1;
	rs->retry_after_ms = -1;
	if (rq->registry) {
		if (!(a->h = reg_client_host(c, rq->registry)))
			goto oom;
		reg_host_base_url(a->h, a->base, sizeof(a->base));
	} else if (rq->plain_ok) {
		/* Token fetch: refuse to send credentials over plain http to a
		 * realm unless the registry itself is spoken to in plain http. */
		a->rh = reg_client_host(c, rq->plain_ok);
		if (rq->basic_user && strncmp(rq->url, "https://", 8) != 0 &&
		    !(a->rh && a->rh->plain)) {
			base_error_set(
			    err, "%s: %s: refusing to send credentials to a non-https token realm",
			    rq->what, rq->op);
			return BASE_EFAIL;
		}
	}
	/* A token fetch is bounded like the registry it is for. */
	limits_of(c, a->h ? a->h : a->rh, &a->lim);
	a->use_auth =
	    rq->basic_user != NULL || (a->h && rq->scope && same_origin(rq->url, a->base));
	if (rq->sink && !(a->x.md = EVP_MD_CTX_new()))
		goto oom;
	if (rq->basic_user && (!(a->authz.user = strdup(rq->basic_user)) ||
	                       !(a->authz.pass = strdup(rq->basic_pass ? rq->basic_pass : ""))))
		goto oom;
	return BASE_OK;
oom:
	base_error_set(err, "out of memory");
	return BASE_EFAIL;
}

int reg_attempt_end(struct reg_attempt *a, struct base_error *err)
{
	if (a->rc == BASE_OK) {
		if (!is_2xx(a->rs->status))
			a->rc = reg_status_error(a->rq, a->rs, err);
		else if (a->rq->sink && !a->rs->sink_digest[0])
			reg_digest_final(a->x.md, a->rs->sink_digest);
	}
	reg_authz_clear(&a->authz);
	EVP_MD_CTX_free(a->x.md);
	a->x.md = NULL;
	return a->rc;
}

/* A request with no registry behind it (a token server): no budget, no
 * registry auth, no challenge; a try that fails on the way is retried like
 * any other. */
int reg_http_exchange(struct reg_session *s, const struct reg_request *rq, struct reg_response *rs,
                      struct base_error *err)
{
	static enum reg_verdict (*const stages[])(struct reg_attempt *, struct base_error *) = {
	    reg_stage_reset, reg_stage_acquire, reg_stage_perform, reg_stage_classify};
	struct reg_attempt a;
	enum reg_verdict v;

	if ((a.rc = reg_attempt_init(&a, s, rq, rs, err)) < 0)
		return reg_attempt_end(&a, err);
	do {
		v = REG_V_NEXT;
		for (size_t i = 0; v == REG_V_NEXT && i < sizeof(stages) / sizeof(*stages); i++)
			v = stages[i](&a, err);
		if (v == REG_V_RETRY)
			v = reg_stage_backoff(&a, err);
	} while (v == REG_V_AGAIN);
	return reg_attempt_end(&a, err);
}
