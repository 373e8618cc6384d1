/* client.c — the shared client (its defaults, the curl share handle, the
 * per-registry settings of reg_client_configure, stats) made and freed, and
 * per-thread sessions. What a request needs of a registry (its slot, rate,
 * handles, health) and the client's log are host.c's. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reg_internal.h"

/* A registry that accepts connections and never answers costs at most
 * REG_HOST_DOWN_AFTER tries of 15 s plus two backoffs (under 50 s) before
 * it is marked down: within a minute, as docs/publish.md promises. */
#define DEFAULT_RETRIES           4
#define DEFAULT_TIMEOUT_MS        15000L
#define DEFAULT_LOW_SPEED         1024L
#define DEFAULT_LOW_SPEED_TIME_MS 15000L

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_ALL);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *ud)
{
	struct reg_client *c = ud;
	(void)h;
	(void)access;
	if (data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_lock(&c->share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *ud)
{
	struct reg_client *c = ud;
	(void)h;
	if (data >= 0 && data < CURL_LOCK_DATA_LAST)
		pthread_mutex_unlock(&c->share_locks[data]);
}

int reg_client_new(const struct reg_client_options *opts, struct reg_client **out,
                   struct base_error *err)
{
	struct reg_client_options none = {0};
	struct reg_client *c = NULL;
	const char *env;

	*out = NULL;
	if (!opts)
		opts = &none;
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK) {
		base_error_set(err, "curl_global_init: %s", curl_easy_strerror(global_rc));
		return BASE_EFAIL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		goto oom;
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&c->share_locks[i], NULL);
	pthread_mutex_init(&c->hosts_lock, NULL);
	pthread_mutex_init(&c->auth_lock, NULL);
	pthread_cond_init(&c->auth_cond, NULL);
	pthread_mutex_init(&c->stats_lock, NULL);
	pthread_mutex_init(&c->ref_tags_lock, NULL);
	c->user_agent = strdup(opts->user_agent ? opts->user_agent : "manifold/" MANIFOLD_VERSION);
	c->max_retries = opts->max_retries > 0 ? opts->max_retries : DEFAULT_RETRIES;
	c->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : DEFAULT_TIMEOUT_MS;
	c->low_speed_limit = opts->low_speed_limit > 0 ? opts->low_speed_limit : DEFAULT_LOW_SPEED;
	c->low_speed_time_ms =
	    opts->low_speed_time_ms > 0 ? opts->low_speed_time_ms : DEFAULT_LOW_SPEED_TIME_MS;
	c->backoff_ms = opts->backoff_ms > 0 ? opts->backoff_ms : 500;
	c->insecure_all = opts->insecure_all;
	c->tls_all = opts->tls_all;
	c->ca_file_all = dup_or_null(opts->ca_file_all);
	c->docker_config = dup_or_null(opts->docker_config);
	env = base_env("REGISTRY_AUTH_FILE");
	c->auth_file = dup_or_null(opts->auth_file ? opts->auth_file : (env && *env ? env : NULL));
	c->log = opts->log;
	c->log_ctx = opts->log_ctx;
	if (!c->user_agent || (opts->docker_config && !c->docker_config) ||
	    (opts->ca_file_all && !c->ca_file_all))
		goto oom;

	/* DNS and TLS sessions are shared. Connections are not (libcurl does
	 * not support a connection cache shared by concurrent threads): each
	 * stays in its easy handle, and a host's idle handles are handed from
	 * one request to the next (reg_host_handle_take), so a night opens
	 * about as many connections as it has requests in flight. */
	c->share = curl_share_init();
	if (!c->share)
		goto oom;
	curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(c->share, CURLSHOPT_USERDATA, c);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	*out = c;
	return BASE_OK;
oom:
	reg_client_free(c);
	base_error_set(err, "out of memory");
	return BASE_EFAIL;
}

int reg_client_configure(struct reg_client *c, const char *registry,
                         const struct reg_registry_settings *s, struct base_error *err)
{
	struct reg_host *h = reg_client_host(c, registry);
	if (!h) {
		base_error_set(err, "out of memory");
		return BASE_EFAIL;
	}
	pthread_mutex_lock(&h->lock);
	/* The registry's own settings are the more specific ones: `insecure`
	 * says plain HTTP for it (whatever --tls says); otherwise asking for
	 * TLS (or naming a CA to verify it with), here or by --tls/--ca-file,
	 * wins over the loopback and --insecure defaults. Its own CA bundle
	 * replaces --ca-file's. */
	h->plain = s->insecure || (!(s->tls || s->ca_file || c->tls_all || c->ca_file_all) &&
	                           (c->insecure_all || reg_registry_is_loopback(registry)));
	free(h->ca_file);
	h->ca_file = dup_or_null(s->ca_file ? s->ca_file : c->ca_file_all);
	h->max_concurrency = s->max_concurrency > 0 ? s->max_concurrency : 0;
	h->max_rate = s->max_rate > 0 ? s->max_rate : 0;
	h->tokens = h->max_rate > 1 ? h->max_rate : 1;
	h->timeout_ms = s->timeout_ms > 0 ? s->timeout_ms : c->timeout_ms;
	h->low_speed_limit = s->low_speed_limit > 0 ? s->low_speed_limit : c->low_speed_limit;
	h->low_speed_time_ms =
	    s->low_speed_time_ms > 0 ? s->low_speed_time_ms : c->low_speed_time_ms;
	h->max_retries =
	    s->retries_set ? (s->max_retries > 0 ? s->max_retries : 0) : c->max_retries;
	pthread_mutex_unlock(&h->lock);
	reg_budget_configure(h, s);
	if ((s->ca_file || c->ca_file_all) && !h->ca_file) {
		base_error_set(err, "out of memory");
		return BASE_EFAIL;
	}
	return BASE_OK;
}

void reg_client_stats(struct reg_client *c, struct reg_stats *out)
{
	pthread_mutex_lock(&c->stats_lock);
	*out = c->stats;
	pthread_mutex_unlock(&c->stats_lock);
}

void reg_client_free(struct reg_client *c)
{
	if (!c)
		return;
	/* The hosts' handles first: a share in use cannot be cleaned up. */
	for (struct reg_host *h = c->hosts; h; h = h->next) {
		for (size_t i = 0; i < h->n_idle; i++)
			curl_easy_cleanup(h->idle[i]);
		free(h->idle);
	}
	if (c->share)
		curl_share_cleanup(c->share);
	struct reg_host *h = c->hosts;
	while (h) {
		struct reg_host *next = h->next;
		free(h->name);
		free(h->ca_file);
		free(h->realm);
		free(h->service);
		reg_creds_clear(&h->creds);
		pthread_mutex_destroy(&h->lock);
		pthread_cond_destroy(&h->cond);
		pthread_cond_destroy(&h->referrers_cond);
		reg_budget_host_free(h);
		free(h);
		h = next;
	}
	reg_auth_tokens_free(c);
	reg_stats_free(c);
	reg_referrers_free(c);
	pthread_mutex_destroy(&c->ref_tags_lock);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&c->share_locks[i]);
	pthread_mutex_destroy(&c->hosts_lock);
	pthread_mutex_destroy(&c->auth_lock);
	pthread_cond_destroy(&c->auth_cond);
	pthread_mutex_destroy(&c->stats_lock);
	free(c->user_agent);
	free(c->docker_config);
	free(c->auth_file);
	free(c->ca_file_all);
	free(c);
}

int reg_session_new(struct reg_client *c, struct reg_session **out, struct base_error *err)
{
	struct reg_session *s = calloc(1, sizeof(*s));
	*out = NULL;
	if (!s) {
		base_error_set(err, "out of memory");
		return BASE_EFAIL;
	}
	s->client = c;
	s->curl = curl_easy_init();
	if (!s->curl) {
		free(s);
		base_error_set(err, "curl_easy_init failed");
		return BASE_EFAIL;
	}
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	s->seed = (unsigned int)now.tv_nsec ^ (unsigned int)(uintptr_t)s ^ (unsigned int)getpid();
	*out = s;
	return BASE_OK;
}

void reg_session_free(struct reg_session *s)
{
	if (!s)
		return;
	if (s->curl)
		curl_easy_cleanup(s->curl);
	free(s);
}
