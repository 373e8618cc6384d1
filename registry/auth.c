/* auth.c — registry authentication: WWW-Authenticate parsing, token scopes,
 * the Bearer token flow (distribution's token spec) with a per registry +
 * scope cache shared by all sessions, and Basic credentials. Tokens and
 * credentials never leave this file except as an Authorization value. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "reg_internal.h"

#define TOKEN_BODY_CAP (1024u * 1024u)
#define TOKEN_MARGIN_S 5 /* drop a token this long before it expires */

/* ---- WWW-Authenticate -------------------------------------------------- */

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static int is_tchar(int ch)
{
	return isalnum(ch) || (ch && strchr("!#$%&'*+-.^_`|~/", ch) != NULL);
}

/* Reads token or quoted-string into out (truncated values make the parse
 * fail: a cut realm is worse than none). Returns the position after it. */
static const char *read_value(const char *p, char *out, size_t n, int *bad)
{
	size_t o = 0;
	if (*p == '"') {
		p++;
		while (*p && *p != '"') {
			if (*p == '\\' && p[1])
				p++;
			if (o + 1 < n)
				out[o++] = *p;
			else
				*bad = 1;
			p++;
		}
		if (*p != '"')
			*bad = 1;
		else
			p++;
	} else {
		while (is_tchar((unsigned char)*p) || *p == '=' || *p == ':') {
			if (o + 1 < n)
				out[o++] = *p;
			else
				*bad = 1;
			p++;
		}
	}
	if (n)
		out[o] = '\0';
	return p;
}

/* A value too long for its field makes the challenge unusable. */
static void set_field(char *dst, size_t n, const char *val, int *bad)
{
	size_t len = strlen(val);
	if (len >= n) {
		*bad = 1;
		return;
	}
	memcpy(dst, val, len + 1);
}

int reg_auth_challenge_parse(const char *value, struct reg_challenge *out)
{
	struct reg_challenge cur, best;
	const char *p = value;
	int have_best = 0;

	memset(out, 0, sizeof(*out));
	memset(&best, 0, sizeof(best));
	if (!value)
		return -1;
	memset(&cur, 0, sizeof(cur));
	cur.scheme = REG_AUTH_NONE;
	int in_challenge = 0, bad = 0;
	for (;;) {
		p = skip_ws(p);
		while (*p == ',')
			p = skip_ws(p + 1);
		if (!*p)
			break;
		const char *start = p;
		while (is_tchar((unsigned char)*p))
			p++;
		size_t tlen = (size_t)(p - start);
		if (tlen == 0) { /* junk: skip one byte */
			p++;
			continue;
		}
		const char *q = skip_ws(p);
		if (*q == '=' && in_challenge) {
			char name[32], val[1024];
			size_t nl = tlen < sizeof(name) - 1 ? tlen : sizeof(name) - 1;
			memcpy(name, start, nl);
			name[nl] = '\0';
			p = read_value(skip_ws(q + 1), val, sizeof(val), &bad);
			if (strcasecmp(name, "realm") == 0)
				set_field(cur.realm, sizeof(cur.realm), val, &bad);
			else if (strcasecmp(name, "service") == 0)
				set_field(cur.service, sizeof(cur.service), val, &bad);
			else if (strcasecmp(name, "scope") == 0)
				set_field(cur.scope, sizeof(cur.scope), val, &bad);
			else if (strcasecmp(name, "error") == 0)
				set_field(cur.error, sizeof(cur.error), val, &bad);
			continue;
		}
		/* A new challenge starts: settle the previous one. */
		if (in_challenge && !bad && cur.scheme != REG_AUTH_NONE &&
		    (!have_best ||
		     (best.scheme != REG_AUTH_BEARER && cur.scheme == REG_AUTH_BEARER))) {
			if (cur.scheme == REG_AUTH_BASIC || cur.realm[0]) {
				best = cur;
				have_best = 1;
			}
		}
		memset(&cur, 0, sizeof(cur));
		bad = 0;
		in_challenge = 1;
		if (tlen == 5 && strncasecmp(start, "Basic", 5) == 0)
			cur.scheme = REG_AUTH_BASIC;
		else if (tlen == 6 && strncasecmp(start, "Bearer", 6) == 0)
			cur.scheme = REG_AUTH_BEARER;
		else
			cur.scheme = REG_AUTH_NONE;
		if (*q == '=') /* token68 form ("Scheme abc=="), not used by registries */
			p = q + 1;
	}
	if (in_challenge && !bad && cur.scheme != REG_AUTH_NONE &&
	    (!have_best || (best.scheme != REG_AUTH_BEARER && cur.scheme == REG_AUTH_BEARER))) {
		if (cur.scheme == REG_AUTH_BASIC || cur.realm[0]) {
			best = cur;
			have_best = 1;
		}
	}
	if (!have_best)
		return -1;
	*out = best;
	return 0;
}

int reg_auth_scope(char *buf, size_t n, const char *repo, int push)
{
	int w = snprintf(buf, n, "repository:%s:%s", repo, push ? "pull,push" : "pull");
	return w < 0 || (size_t)w >= n ? -1 : 0;
}

int reg_auth_scope_mount(char *buf, size_t n, const char *dst_repo, const char *src_repo)
{
	int w = snprintf(buf, n, "repository:%s:pull,push repository:%s:pull", dst_repo, src_repo);
	return w < 0 || (size_t)w >= n ? -1 : 0;
}

int reg_auth_token_parse(const uint8_t *data, size_t len, char **token, long *expires_in)
{
	cJSON *doc, *t, *e;
	*token = NULL;
	*expires_in = 60;
	doc = cJSON_ParseWithLength((const char *)data, len);
	if (!doc)
		return -1;
	t = cJSON_GetObjectItemCaseSensitive(doc, "token");
	if (!cJSON_IsString(t) || !t->valuestring[0])
		t = cJSON_GetObjectItemCaseSensitive(doc, "access_token");
	e = cJSON_GetObjectItemCaseSensitive(doc, "expires_in");
	if (cJSON_IsNumber(e) && e->valuedouble >= 1 && e->valuedouble < 1e9)
		*expires_in = (long)e->valuedouble;
	if (cJSON_IsString(t) && t->valuestring[0])
		*token = strdup(t->valuestring);
	cJSON_Delete(doc);
	return *token ? 0 : -1;
}

/* ---- the token cache (client->auth_lock) ------------------------------- */

static char *bearer_header(const char *token)
{
	size_t n = strlen(token) + 8;
	char *h = malloc(n);
	if (h)
		snprintf(h, n, "Bearer %s", token);
	return h;
}

/* Caller holds auth_lock. */
static struct reg_token *token_find(struct reg_client *c, const char *registry, const char *scope)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	for (struct reg_token *t = c->tokens; t; t = t->next)
		if (strcmp(t->registry, registry) == 0 && strcmp(t->scope, scope) == 0)
			return now.tv_sec < t->expires.tv_sec ? t : NULL;
	return NULL;
}

static void token_free(struct reg_token *t)
{
	if (!t)
		return;
	if (t->token) {
		explicit_bzero(t->token, strlen(t->token));
		free(t->token);
	}
	free(t->registry);
	free(t->scope);
	free(t);
}

static void token_store(struct reg_client *c, const char *registry, const char *scope,
                        const char *token, long expires_in)
{
	struct reg_token *t, **pp;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&c->auth_lock);
	/* Drop the entry being replaced and every expired one, so a night over
	 * thousands of repositories does not grow the list without bound. */
	for (pp = &c->tokens; *pp;) {
		t = *pp;
		if ((strcmp(t->registry, registry) == 0 && strcmp(t->scope, scope) == 0) ||
		    now.tv_sec >= t->expires.tv_sec) {
			*pp = t->next;
			token_free(t);
		} else {
			pp = &t->next;
		}
	}
	t = calloc(1, sizeof(*t));
	if (t) {
		t->registry = strdup(registry);
		t->scope = strdup(scope);
		t->token = strdup(token);
		clock_gettime(CLOCK_MONOTONIC, &t->expires);
		t->expires.tv_sec +=
		    expires_in > TOKEN_MARGIN_S * 2 ? expires_in - TOKEN_MARGIN_S : expires_in;
		if (!t->registry || !t->scope || !t->token) {
			token_free(t);
		} else {
			t->next = c->tokens;
			c->tokens = t;
		}
	}
	pthread_mutex_unlock(&c->auth_lock);
}

void reg_auth_tokens_free(struct reg_client *c)
{
	struct reg_token *t = c->tokens;
	while (t) {
		struct reg_token *next = t->next;
		token_free(t);
		t = next;
	}
	c->tokens = NULL;
}

/* Credentials for h, looked up once per client. Caller holds auth_lock.
 * -v says where they came from (never what they are). */
static int creds_load_locked(struct reg_client *c, struct reg_host *h, struct base_error *err)
{
	if (h->creds_loaded)
		return 0;
	int rc = reg_creds_lookup(c->auth_file, c->docker_config, h->name, &h->creds, err);
	if (rc < 0)
		return rc;
	h->creds_loaded = 1;
	if (h->creds.username)
		reg_client_logf(c, REG_LOG_DEBUG, "%s: using credentials from %s", h->name,
		                h->creds.source);
	else
		reg_client_logf(c, REG_LOG_DEBUG, "%s: no credentials found (looked in %s)",
		                h->name, h->creds.looked[0] ? h->creds.looked : "no file");
	return 0;
}

/* Append ": text" to err's message (the cause comes first, as it is). */
static void error_append(struct base_error *err, const char *text)
{
	size_t len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", text);
}

/* "credentials from SOURCE rejected by WHO" or "no credentials found for
 * HOST (looked in FILES)", from what the host's lookup recorded. Caller
 * holds auth_lock. */
static void creds_explain_locked(const struct reg_host *h, int sent, const char *who, char *buf,
                                 size_t n)
{
	if (sent && h->creds.username)
		snprintf(buf, n, "credentials from %s rejected by %s", h->creds.source, who);
	else
		snprintf(buf, n, "no credentials found for %s (looked in %s)", h->name,
		         h->creds.looked[0] ? h->creds.looked : "no file: HOME is not set");
}

void reg_auth_explain_401(struct reg_client *c, struct reg_host *h, int sent,
                          struct base_error *err)
{
	struct base_error lerr;
	char text[3400];

	if (!h)
		return;
	base_error_clear(&lerr);
	pthread_mutex_lock(&c->auth_lock);
	if (creds_load_locked(c, h, &lerr) < 0)
		snprintf(text, sizeof(text), "credentials for %s could not be read: %s", h->name,
		         lerr.msg);
	else
		creds_explain_locked(h, sent, h->name, text, sizeof(text));
	pthread_mutex_unlock(&c->auth_lock);
	error_append(err, text);
}

static char *basic_header(const struct reg_creds *cr)
{
	size_t n = strlen(cr->username) + strlen(cr->password) + 2;
	char *plain = malloc(n), *b64, *out = NULL;
	if (!plain)
		return NULL;
	snprintf(plain, n, "%s:%s", cr->username, cr->password);
	b64 = reg_base64_encode((const uint8_t *)plain, n - 1);
	explicit_bzero(plain, n);
	free(plain);
	if (!b64)
		return NULL;
	n = strlen(b64) + 7;
	out = malloc(n);
	if (out)
		snprintf(out, n, "Basic %s", b64);
	explicit_bzero(b64, strlen(b64));
	free(b64);
	return out;
}

/* Single flight. Returns 1 when the caller is now the one fetching (and must
 * call fetch_done), 0 when a cached token other than the one the caller
 * sent (`sent`, its Authorization header, NULL for none) is there — another
 * worker's fetch finished meanwhile, or just before the caller asked — and
 * *header_out holds it. Caller holds auth_lock. */
static int fetch_claim_locked(struct reg_client *c, const char *registry, const char *scope,
                              const char *sent, char **header_out)
{
	struct reg_token *t;

	for (;;) {
		struct reg_token *f;
		for (f = c->fetching; f; f = f->next)
			if (strcmp(f->registry, registry) == 0 && strcmp(f->scope, scope) == 0)
				break;
		if (!f)
			break;
		pthread_cond_wait(&c->auth_cond, &c->auth_lock);
	}
	if ((t = token_find(c, registry, scope))) {
		*header_out = bearer_header(t->token);
		if (*header_out && (!sent || strcmp(*header_out, sent) != 0))
			return 0;
		free(*header_out);
		*header_out = NULL;
	}
	struct reg_token *f = calloc(1, sizeof(*f));
	if (!f)
		return 1; /* fetch without the guard; fetch_done finds nothing to drop */
	f->registry = strdup(registry);
	f->scope = strdup(scope);
	if (!f->registry || !f->scope) {
		free(f->registry);
		free(f->scope);
		free(f);
		return 1;
	}
	f->next = c->fetching;
	c->fetching = f;
	return 1;
}

static void fetch_done(struct reg_client *c, const char *registry, const char *scope)
{
	pthread_mutex_lock(&c->auth_lock);
	for (struct reg_token **pp = &c->fetching; *pp; pp = &(*pp)->next) {
		struct reg_token *f = *pp;
		if (strcmp(f->registry, registry) == 0 && strcmp(f->scope, scope) == 0) {
			*pp = f->next;
			free(f->registry);
			free(f->scope);
			free(f);
			break;
		}
	}
	pthread_cond_broadcast(&c->auth_cond);
	pthread_mutex_unlock(&c->auth_lock);
}

/* The token server answered non-2xx (or not at all: err stands). A 401
 * says whose credentials it refused, or that there were none; any other
 * status is quoted with the server's own error text. */
static void token_refused(struct reg_client *c, struct reg_host *h, const char *realm, int sent,
                          const struct reg_response *rs, struct base_error *err)
{
	char text[3400], who[400];

	if (rs->status == 0)
		return;
	if (rs->status == 401) {
		snprintf(who, sizeof(who), "the token server %.300s", realm);
		pthread_mutex_lock(&c->auth_lock);
		creds_explain_locked(h, sent, who, text, sizeof(text));
		pthread_mutex_unlock(&c->auth_lock);
		base_error_set(err, "401 UNAUTHORIZED: %s", text);
		err->http_status = 401;
		snprintf(err->code, sizeof(err->code), "UNAUTHORIZED");
		return;
	}
	reg_token_error_text(rs->body.data, rs->body.len, text, 512);
	base_error_set(err, "token server %.300s refused: HTTP %ld%s%s", realm, rs->status,
	               text[0] ? ": " : "", text);
	err->http_status = (int)rs->status;
}

/* A 2xx answer: the token, or why the answer is not one. */
static int token_answer(const char *realm, const struct reg_response *rs, char **token,
                        long *expires, struct base_error *err)
{
	char why[128] = "";

	if (reg_token_answer_check(rs->body.data, rs->body.len, why, sizeof(why)) < 0 ||
	    reg_auth_token_parse(rs->body.data, rs->body.len, token, expires) < 0) {
		if (!why[0])
			snprintf(why, sizeof(why), "answer has no token");
		base_error_set(err, "token server %.300s: %s", realm, why);
		return -1;
	}
	return 0;
}

/* GET realm?service=&scope= (Basic credentials when we have them). */
static int token_fetch(struct reg_session *s, struct reg_host *h, const char *scope,
                       const char *cache_scope, const char *sent, char **header_out,
                       struct base_error *err)
{
	struct reg_client *c = s->client;
	char *realm = NULL, *service = NULL, *basic = NULL, *url = NULL, *token = NULL;
	struct reg_response rs;
	struct reg_request rq = {0};
	char op[320];
	size_t cap, len;
	long expires = 60;
	int rc = BASE_EFAIL, claimed = 0;

	memset(&rs, 0, sizeof(rs));
	pthread_mutex_lock(&c->auth_lock);
	if (!fetch_claim_locked(c, h->name, cache_scope, sent, header_out)) {
		pthread_mutex_unlock(&c->auth_lock);
		return BASE_OK;
	}
	claimed = 1;
	realm = h->realm ? strdup(h->realm) : NULL;
	service = h->service ? strdup(h->service) : NULL;
	rc = creds_load_locked(c, h, err);
	if (rc == 0 && h->creds.username)
		basic = basic_header(&h->creds);
	pthread_mutex_unlock(&c->auth_lock);
	if (rc < 0)
		goto out;
	rc = BASE_EFAIL;
	if (!realm) {
		base_error_set(err, "Bearer challenge without a realm");
		goto out;
	}
	/* Each space-separated scope is its own scope= parameter. */
	cap = strlen(realm) + 32 + (service ? 3 * strlen(service) : 0) + 4 * strlen(scope) + 64;
	url = malloc(cap);
	if (!url)
		goto oom;
	len = (size_t)snprintf(url, cap, "%s", realm);
	char sep = strchr(realm, '?') ? '&' : '?';
	if (service && *service) {
		char *e = curl_easy_escape(s->curl, service, 0);
		if (!e)
			goto oom;
		len += (size_t)snprintf(url + len, cap - len, "%cservice=%s", sep, e);
		curl_free(e);
		sep = '&';
	}
	const char *p = scope;
	while (*p) {
		size_t n = strcspn(p, " ");
		if (n) {
			char *e = curl_easy_escape(s->curl, p, (int)n);
			if (!e)
				goto oom;
			len += (size_t)snprintf(url + len, cap - len, "%cscope=%s", sep, e);
			curl_free(e);
			sep = '&';
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	snprintf(op, sizeof(op), "GET %.300s", realm);
	rq.method = REG_M_GET;
	rq.url = url;
	rq.what = "token server";
	rq.op = op;
	rq.accept = "application/json";
	rq.cap = TOKEN_BODY_CAP;
	rq.auth_header = basic;
	rq.plain_ok = h->name;
	rc = reg_http_request(s, &rq, &rs, err);
	if (rc < 0 || token_answer(realm, &rs, &token, &expires, err) < 0) {
		if (rc < 0)
			token_refused(c, h, realm, basic != NULL, &rs, err);
		rc = BASE_EFAIL;
		goto out;
	}
	token_store(c, h->name, cache_scope, token, expires);
	*header_out = bearer_header(token);
	if (!*header_out)
		goto oom;
	rc = BASE_OK;
	goto out;
oom:
	base_error_set(err, "out of memory");
	rc = BASE_EFAIL;
out:
	if (claimed)
		fetch_done(c, h->name, cache_scope);
	if (basic) {
		explicit_bzero(basic, strlen(basic));
		free(basic);
	}
	if (token) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	free(url);
	free(realm);
	free(service);
	reg_response_free(&rs);
	return rc;
}

int reg_auth_header_cached(struct reg_session *s, struct reg_host *h, const char *scope,
                           char **header_out, struct base_error *err)
{
	struct reg_client *c = s->client;
	enum reg_auth_scheme scheme;
	int rc = BASE_OK;

	*header_out = NULL;
	pthread_mutex_lock(&c->auth_lock);
	scheme = h->scheme;
	if (scheme == REG_AUTH_BEARER) {
		struct reg_token *t = token_find(c, h->name, scope);
		if (t)
			*header_out = bearer_header(t->token);
	} else if (scheme == REG_AUTH_BASIC && h->creds.username) {
		*header_out = basic_header(&h->creds);
	}
	pthread_mutex_unlock(&c->auth_lock);
	/* A registry known to want tokens gets one before the first request on
	 * a new scope, saving the anonymous 401 round trip. */
	if (scheme == REG_AUTH_BEARER && !*header_out)
		rc = token_fetch(s, h, scope, scope, NULL, header_out, err);
	return rc;
}

int reg_auth_handle_challenge(struct reg_session *s, struct reg_host *h, const char *scope,
                              const char *www_auth, const char *sent, char **header_out,
                              struct base_error *err)
{
	struct reg_client *c = s->client;
	struct reg_challenge ch;
	char *scopes = NULL;
	int rc = BASE_OK;

	*header_out = NULL;
	if (reg_auth_challenge_parse(www_auth, &ch) < 0)
		return BASE_OK; /* no usable challenge: the 401 stands */
	pthread_mutex_lock(&c->auth_lock);
	h->scheme = ch.scheme;
	if (ch.scheme == REG_AUTH_BEARER) {
		free(h->realm);
		free(h->service);
		h->realm = strdup(ch.realm);
		h->service = ch.service[0] ? strdup(ch.service) : NULL;
	} else {
		rc = creds_load_locked(c, h, err);
		if (rc == 0 && h->creds.username)
			*header_out = basic_header(&h->creds);
	}
	pthread_mutex_unlock(&c->auth_lock);
	if (ch.scheme != REG_AUTH_BEARER)
		return rc;
	/* The registry may ask for more than we did (insufficient_scope). */
	if (ch.scope[0] && !strstr(scope, ch.scope)) {
		size_t n = strlen(scope) + strlen(ch.scope) + 2;
		scopes = malloc(n);
		if (!scopes) {
			base_error_set(err, "out of memory");
			return BASE_EFAIL;
		}
		snprintf(scopes, n, "%s %s", scope, ch.scope);
	}
	/* Cached under our scope: later requests look it up by that. */
	rc = token_fetch(s, h, scopes ? scopes : scope, scope, sent, header_out, err);
	free(scopes);
	return rc;
}
