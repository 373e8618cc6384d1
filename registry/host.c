/* host.c — per-registry state below every request: the host found or made
 * on first use, its base URL, its concurrency slot and request rate, its
 * idle curl handles, its connection health and down mark; the acquire stage
 * (a slot and a token of the rate, then the down mark and the cancel hook);
 * and the client's log. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "attempt.h"

static struct reg_host *host_find_locked(struct reg_client *c, const char *registry)
{
	for (struct reg_host *h = c->hosts; h; h = h->next)
		if (strcmp(h->name, registry) == 0)
			return h;
	return NULL;
}

static struct reg_host *host_new(struct reg_client *c, const char *registry)
{
	struct reg_host *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->name = strdup(registry);
	if (!h->name) {
		free(h);
		return NULL;
	}
	/* --tls or --ca-file: HTTPS everywhere; else --insecure or loopback: plain. */
	h->plain = !(c->tls_all || c->ca_file_all) &&
	           (c->insecure_all || reg_registry_is_loopback(registry));
	if (c->ca_file_all && !(h->ca_file = strdup(c->ca_file_all))) {
		free(h->name);
		free(h);
		return NULL;
	}
	h->timeout_ms = c->timeout_ms;
	h->low_speed_limit = c->low_speed_limit;
	h->low_speed_time_ms = c->low_speed_time_ms;
	h->max_retries = c->max_retries;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	pthread_cond_init(&h->referrers_cond, NULL);
	reg_budget_host_init(h);
	clock_gettime(CLOCK_MONOTONIC, &h->last_refill);
	h->next = c->hosts;
	c->hosts = h;
	return h;
}

struct reg_host *reg_client_host(struct reg_client *c, const char *registry)
{
	struct reg_host *h;
	pthread_mutex_lock(&c->hosts_lock);
	h = host_find_locked(c, registry);
	if (!h)
		h = host_new(c, registry);
	pthread_mutex_unlock(&c->hosts_lock);
	return h;
}

void reg_host_base_url(const struct reg_host *h, char *buf, size_t n)
{
	snprintf(buf, n, "%s://%s", h->plain ? "http" : "https", reg_registry_api_host(h->name));
}

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(a->tv_sec - b->tv_sec) + (double)(a->tv_nsec - b->tv_nsec) / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Blocks until a concurrency slot and (with max_rate) a token are free. */
void reg_host_acquire(struct reg_host *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	while (h->max_concurrency > 0 && h->in_flight >= h->max_concurrency)
		pthread_cond_wait(&h->cond, &h->lock);
	h->in_flight++;
	while (h->max_rate > 0) {
		struct timespec now;
		double burst = h->max_rate > 1 ? h->max_rate : 1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		h->tokens += ts_diff(&now, &h->last_refill) * h->max_rate;
		if (h->tokens > burst)
			h->tokens = burst;
		h->last_refill = now;
		if (h->tokens >= 1) {
			h->tokens -= 1;
			break;
		}
		long wait = (long)((1 - h->tokens) / h->max_rate * 1000.0) + 1;
		pthread_mutex_unlock(&h->lock);
		sleep_ms(wait);
		pthread_mutex_lock(&h->lock);
	}
	pthread_mutex_unlock(&h->lock);
}

CURL *reg_host_handle_take(struct reg_host *h)
{
	CURL *e = NULL;

	pthread_mutex_lock(&h->lock);
	if (h->n_idle)
		e = h->idle[--h->n_idle];
	pthread_mutex_unlock(&h->lock);
	return e ? e : curl_easy_init();
}

void reg_host_handle_put(struct reg_host *h, CURL *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&h->lock);
	if (h->n_idle == h->cap_idle) {
		size_t cap = h->cap_idle ? h->cap_idle * 2 : 16;
		CURL **n = realloc(h->idle, cap * sizeof(*n));
		if (!n) {
			pthread_mutex_unlock(&h->lock);
			curl_easy_cleanup(e);
			return;
		}
		h->idle = n;
		h->cap_idle = cap;
	}
	h->idle[h->n_idle++] = e;
	pthread_mutex_unlock(&h->lock);
}

void reg_host_release(struct reg_host *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	h->in_flight--;
	pthread_cond_signal(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

int reg_host_note(struct reg_host *h, enum reg_fault fault, const struct timespec *started,
                  const char *why)
{
	struct timespec now;
	int marked = 0;
	if (!h)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&h->lock);
	if (fault == REG_FAULT_NONE)
		reg_health_ok(&h->health);
	else if (reg_fault_is_connection(fault))
		marked = reg_health_failed(&h->health, started, &now, why);
	pthread_mutex_unlock(&h->lock);
	return marked;
}

int reg_host_down(struct reg_host *h, struct base_error *err)
{
	int down;
	if (!h)
		return 0;
	pthread_mutex_lock(&h->lock);
	down = h->health.down;
	if (down)
		base_error_set(err,
		               "%s: registry unreachable (%d consecutive connection failures: %s)",
		               h->name, h->health.failures, h->health.last_error);
	pthread_mutex_unlock(&h->lock);
	return down;
}

void reg_client_logf(struct reg_client *c, enum reg_log_level level, const char *fmt, ...)
{
	struct reg_log_event ev = {.level = level, .delay_ms = -1};
	char msg[1024];
	va_list ap;
	if (!c->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ev.msg = msg;
	c->log(c->log_ctx, &ev);
}

void reg_client_log_event(struct reg_client *c, struct reg_log_event *ev, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	if (!c->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ev->msg = msg;
	c->log(c->log_ctx, ev);
}

/* The acquire stage: a slot (and a token of the rate), then the host's down
 * mark — another worker may have set it while this one waited — and the
 * cancel hook. The slot is given back by the perform stage. */
enum reg_verdict reg_stage_acquire(struct reg_attempt *a, struct base_error *err)
{
	reg_host_acquire(a->h);
	if (reg_host_down(a->h, err)) {
		reg_host_release(a->h);
		base_error_wrap(err, "%s: %s", a->rq->what, a->rq->op);
		a->rc = BASE_EFAIL;
		return REG_V_FAIL;
	}
	if (reg_cancelled(a->s->client, a->rq)) {
		reg_host_release(a->h);
		a->rc = reg_cancel_error(a->rq, err);
		return REG_V_FAIL;
	}
	return REG_V_NEXT;
}
