/* budget.c — request budgets per registry: the configured token buckets
 * (every request, writes, manifest GETs), the window a registry announces
 * in its rate-limit headers, the rate and pause a registry's 429s put on
 * every worker (AIMD), the presets of hosted registries, and the
 * per-registry counters. All of a host's budget state sits under its
 * budget_lock (reg_internal.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attempt.h"

/* Numbers as documented as of 2026 (docs/config.md, "Presets", cites the
 * page each one comes from); a value in the config replaces the preset's. */
static const struct reg_preset presets[] = {
    {"ghcr", {2000, 60000}, {0, 0}, {0, 0}, 0},
    {"dockerhub", {0, 0}, {0, 0}, {100, 3600000}, 1},
    {"artifact-registry", {60000, 60000}, {18000, 60000}, {0, 0}, 0},
    {"ecr", {1000, 1000}, {10, 1000}, {0, 0}, 0},
    {"quay", {10, 1000}, {0, 0}, {0, 0}, 0},
};

const struct reg_preset *reg_preset_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(presets) / sizeof(presets[0]); i++)
		if (strcmp(presets[i].name, name) == 0)
			return &presets[i];
	return NULL;
}

double reg_budget_rate(const struct reg_budget *b)
{
	if (!b || b->limit <= 0 || b->window_ms <= 0)
		return 0;
	return (double)b->limit * 1000.0 / (double)b->window_ms;
}

/* ---- pure arithmetic ------------------------------------------------------ */

/* Rounding up without libm; x >= 0 and well inside a long. */
static long ceil_ms(double x)
{
	long n = (long)x;
	return n + ((double)n < x);
}

static double ts_sec(const struct timespec *a, const struct timespec *b)
{
	return (double)(a->tv_sec - b->tv_sec) + (double)(a->tv_nsec - b->tv_nsec) / 1e9;
}

static void ts_add_ms(struct timespec *t, long ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static int ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* ms from now to t, rounded up; 0 when t has passed. */
static long ms_until(const struct timespec *t, const struct timespec *now)
{
	double s = ts_sec(t, now);
	return s > 0 ? ceil_ms(s * 1000.0) : 0;
}

/* The burst of a budget: what it allows in 50 ms, at least 2 (a worker
 * that wakes late then loses no token) and at most a tenth of the limit
 * (at least 1). Small, since every request of the burst is one the rate
 * must leave out of each window. */
static double bucket_burst(const struct reg_budget *bd)
{
	double burst = (double)(long)(reg_budget_rate(bd) / 20.0);
	double tenth = (double)(bd->limit / 10);

	if (burst < 2)
		burst = 2;
	if (burst > tenth)
		burst = tenth;
	if (burst < 1)
		burst = 1;
	if (burst > (double)bd->limit)
		burst = (double)bd->limit;
	return burst;
}

double reg_budget_pace(const struct reg_budget *bd)
{
	double rate;

	if (reg_budget_rate(bd) <= 0)
		return 0;
	rate = ((double)bd->limit - bucket_burst(bd)) * 1000.0 / (double)bd->window_ms;
	if (rate <= 0) /* a budget of 1: one request a window */
		rate = 1000.0 / (double)bd->window_ms;
	return rate;
}

void reg_bucket_init(struct reg_bucket *b, const struct reg_budget *bd, const struct timespec *now)
{
	memset(b, 0, sizeof(*b));
	b->last = *now;
	if (reg_budget_rate(bd) <= 0)
		return;
	b->burst = bucket_burst(bd);
	b->rate = reg_budget_pace(bd);
	b->tokens = b->burst;
}

long reg_bucket_wait_ms(struct reg_bucket *b, const struct timespec *now)
{
	if (b->rate <= 0)
		return 0;
	b->tokens += ts_sec(now, &b->last) * b->rate;
	if (b->tokens > b->burst)
		b->tokens = b->burst;
	b->last = *now;
	if (b->tokens >= 1)
		return 0;
	return ceil_ms((1 - b->tokens) / b->rate * 1000.0);
}

void reg_bucket_take(struct reg_bucket *b)
{
	if (b->rate > 0)
		b->tokens -= 1;
}

/* The first integer of a header value and its ";w=SECONDS" parameter. */
static long header_int(const char *v, long *w)
{
	char *end;
	long n;

	if (w)
		*w = -1;
	if (!v)
		return -1;
	while (*v == ' ' || *v == '\t')
		v++;
	if (*v < '0' || *v > '9')
		return -1;
	n = strtol(v, &end, 10);
	if (n < 0 || n > 1000000000L)
		return -1;
	if (w) {
		const char *p = strstr(end, "w=");
		if (p && (p[2] >= '0' && p[2] <= '9')) {
			long s = strtol(p + 2, NULL, 10);
			if (s > 0 && s <= 86400L * 31)
				*w = s;
		}
	}
	return n;
}

int reg_ratelimit_parse(const char *limit, const char *remaining, const char *reset,
                        struct reg_ratelimit *out)
{
	long w_limit = -1, w_rem = -1, r;

	out->limit = header_int(limit, &w_limit);
	out->remaining = header_int(remaining, &w_rem);
	r = header_int(reset, NULL);
	if (r >= 0 && r <= 86400L * 31)
		out->reset_ms = r * 1000;
	else if (w_rem > 0 || w_limit > 0)
		out->reset_ms = (w_rem > 0 ? w_rem : w_limit) * 1000;
	else
		out->reset_ms = -1;
	return out->remaining >= 0 ? 0 : -1;
}

void reg_window_update(struct reg_window *w, const struct reg_ratelimit *rl, unsigned long seq,
                       double share, const struct timespec *now)
{
	struct timespec reset_at = *now;
	unsigned long after = w->sent > seq ? w->sent - seq - 1 : 0;
	double left;

	if (rl->remaining < 0 || (w->known && seq < w->first))
		return;
	if (share <= 0 || share > 1)
		share = 1;
	if (rl->limit > 0)
		w->limit = (double)rl->limit * share;
	if (rl->reset_ms > w->span_ms)
		w->span_ms = rl->reset_ms;
	ts_add_ms(&reset_at, rl->reset_ms >= 0 ? rl->reset_ms : REG_WINDOW_DEFAULT_RESET_MS);
	left = (double)rl->remaining * share - (double)after;
	if (left < 0)
		left = 0;
	/* Within one window the registry's count only goes down; a Reset in
	 * whole seconds says "at most this long", so the earliest end wins. A
	 * count that went up is a new window. */
	if (!w->known || !ts_before(now, &w->reset_at) || rl->remaining > w->said) {
		w->reset_at = reset_at;
		w->remaining = left;
		w->first = seq;
	} else {
		if (ts_before(&reset_at, &w->reset_at))
			w->reset_at = reset_at;
		if (left < w->remaining)
			w->remaining = left;
	}
	w->said = rl->remaining;
	w->known = 1;
}

/* Past the end of w, the next window as the registry's Limit and the
 * window's length foretell it (*out): 1, or 0 when they are not known. */
static int window_next(const struct reg_window *w, const struct timespec *now,
                       struct reg_window *out)
{
	if (!w->known || ts_before(now, &w->reset_at) || w->limit < 1 || w->span_ms <= 0)
		return 0;
	*out = *w;
	/* the window now running, on the grid the last one's end began */
	ts_add_ms(&out->reset_at,
	          ((long)(ts_sec(now, &w->reset_at) * 1000.0) / w->span_ms + 1) * w->span_ms);
	out->remaining = w->limit;
	return 1;
}

long reg_window_wait_ms(const struct reg_window *w, const struct timespec *now)
{
	struct timespec next;
	struct reg_window rolled;
	double left_s;

	if (window_next(w, now, &rolled))
		w = &rolled;
	if (!w->known || !ts_before(now, &w->reset_at))
		return 0;
	if (w->remaining < 1)
		return ms_until(&w->reset_at, now);
	/* Spread what is left evenly over the time left. */
	left_s = ts_sec(&w->reset_at, now);
	next = w->last_sent;
	ts_add_ms(&next, (long)(left_s / w->remaining * 1000.0));
	return ms_until(&next, now);
}

unsigned long reg_window_take(struct reg_window *w, const struct timespec *now)
{
	struct reg_window rolled;

	if (window_next(w, now, &rolled))
		*w = rolled;
	if (w->known && ts_before(now, &w->reset_at) && w->remaining >= 1)
		w->remaining -= 1;
	w->last_sent = *now;
	return w->sent++;
}

/* ---- a registry's 429s ------------------------------------------------- */

static void aimd_set(struct reg_aimd *a, double rate, const struct timespec *now)
{
	if (a->ceiling > 0 && rate >= a->ceiling)
		rate = 0; /* the configured budget paces it already */
	if (rate > 0 && rate < REG_AIMD_FLOOR)
		rate = REG_AIMD_FLOOR;
	if (rate > 0 && a->rate <= 0) {
		a->b.last = *now;
		a->b.tokens = 1;
	}
	a->rate = rate;
	a->b.rate = rate;
	a->b.burst = 1;
}

long reg_aimd_answer(struct reg_aimd *a, int too_many, long ra_ms, const struct timespec *sent,
                     const struct timespec *now)
{
	long win = ra_ms > REG_AIMD_WINDOW_MS ? ra_ms : REG_AIMD_WINDOW_MS;
	double elapsed;

	/* Answers are counted in windows of at least a second, judged with
	 * the window before (a new window's first answers are too few). */
	if (!a->win_answers || ts_sec(now, &a->win_start) * 1000.0 >= (double)win) {
		int next =
		    a->win_answers && ts_sec(now, &a->win_start) * 1000.0 < 2.0 * (double)win;
		a->last_answers = next ? a->win_answers : 0;
		a->last_429 = next ? a->win_429 : 0;
		a->win_start = *now;
		a->win_answers = a->win_429 = 0;
	}
	a->win_answers++;
	if (!too_many) {
		if (a->rate > 0) {
			double r = a->rate + a->step / a->rate;
			aimd_set(a, r >= a->release ? 0 : r, now);
		}
		return 0;
	}
	a->win_429++;
	if (a->win_429 + a->last_429 < REG_AIMD_MIN_429 ||
	    (a->win_429 + a->last_429) * 4 < a->win_answers + a->last_answers)
		return 0; /* mostly fine: a hiccup, not a limit */
	/* One cut a window, and never for a request sent before the last cut
	 * (its answer tells of the rate before it). */
	if (a->has_cut &&
	    (ts_before(sent, &a->cut_at) || ts_sec(now, &a->cut_at) * 1000.0 < (double)win))
		return 0;
	elapsed = ts_sec(now, &a->win_start);
	if (elapsed < 0.1)
		elapsed = 0.1;
	double was = a->rate > 0 ? a->rate : (double)a->win_answers / elapsed;
	double cut = was / 2;
	if (cut < REG_AIMD_FLOOR)
		cut = REG_AIMD_FLOOR;
	a->step = cut / 10 > 1 ? cut / 10 : 1;
	a->release = 2 * was;
	a->has_cut = 1;
	a->cut_at = *now;
	aimd_set(a, cut, now);
	return ra_ms > 0 ? ra_ms : 0;
}

long reg_aimd_wait_ms(struct reg_aimd *a, const struct timespec *now)
{
	return a->rate > 0 ? reg_bucket_wait_ms(&a->b, now) : 0;
}

void reg_aimd_take(struct reg_aimd *a)
{
	if (a->rate > 0)
		reg_bucket_take(&a->b);
}

/* ---- a host's budget ---------------------------------------------------- */

void reg_budget_host_init(struct reg_host *h)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_init(&h->budget_lock, NULL);
	h->share = 1;
	/* Docker Hub counts manifest GETs only (HEADs are free), and its
	 * headers say so on HEAD answers too. */
	h->pull_headers = strcmp(h->name, "docker.io") == 0;
	h->pause_until = now;
}

void reg_budget_host_free(struct reg_host *h)
{
	pthread_mutex_destroy(&h->budget_lock);
}

void reg_budget_configure(struct reg_host *h, const struct reg_registry_settings *s)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&h->budget_lock);
	reg_bucket_init(&h->b_all, &s->budget_all, &now);
	reg_bucket_init(&h->b_write, &s->budget_write, &now);
	reg_bucket_init(&h->b_pull, &s->budget_pull, &now);
	h->share = s->budget_share > 0 && s->budget_share <= 1 ? s->budget_share : 1;
	h->pull_headers = h->pull_headers || s->pull_headers;
	h->has_budget = h->b_all.rate > 0 || h->b_write.rate > 0 || h->b_pull.rate > 0;
	h->aimd.ceiling = h->b_all.rate;
	pthread_mutex_unlock(&h->budget_lock);
}

static int is_write(enum reg_method m)
{
	return m == REG_M_PUT || m == REG_M_POST || m == REG_M_PATCH || m == REG_M_DELETE;
}

static int is_manifest_get(const struct reg_request *rq)
{
	return rq->method == REG_M_GET && rq->url && strstr(rq->url, "/manifests/");
}

/* Does the announced window pace this request? */
static int in_window(const struct reg_host *h, const struct reg_request *rq)
{
	return !h->pull_headers || is_manifest_get(rq);
}

/* Why a request waits for the registry's first answer (not a budget wait). */
static const char first_answer[] = "the registry's first answer";

/* The longest of what the buckets, the window and a pause ask; why names it. */
static long wait_locked(struct reg_host *h, const struct reg_request *rq,
                        const struct timespec *now, const char **why)
{
	long w, most = ms_until(&h->pause_until, now);

	*why = "the registry answered 429";
	if ((w = reg_bucket_wait_ms(&h->b_all, now)) > most) {
		most = w;
		*why = "rate-limit";
	}
	if (is_write(rq->method) && (w = reg_bucket_wait_ms(&h->b_write, now)) > most) {
		most = w;
		*why = "write-rate-limit";
	}
	if (is_manifest_get(rq) && (w = reg_bucket_wait_ms(&h->b_pull, now)) > most) {
		most = w;
		*why = "pull-rate-limit";
	}
	if (in_window(h, rq) && (w = reg_window_wait_ms(&h->window, now)) > most) {
		most = w;
		*why = "the quota the registry announces";
	}
	if ((w = reg_aimd_wait_ms(&h->aimd, now)) > most) {
		most = w;
		*why = "the registry answered 429";
	}
	if (!h->answered && h->n_requests > 0 &&
	    (w = REG_FIRST_ANSWER_MS - (long)(ts_sec(now, &h->first_sent) * 1000.0)) > 0) {
		w = w < 2 ? w : 2; /* looked at again every 2 ms: an answer ends it */
		if (w > most) {
			most = w;
			*why = first_answer;
		}
	}
	return most;
}

static void wall_time_at(const struct timespec *mono_at, const struct timespec *now, char *buf,
                         size_t n)
{
	char t[BASE_TIME_MAX];

	base_time_format(time(NULL) + (time_t)ceil_ms(ts_sec(mono_at, now)), t);
	snprintf(buf, n, "%s", t);
}

int reg_budget_take(struct reg_client *c, struct reg_host *h, const struct reg_request *rq,
                    unsigned long *seq, struct base_error *err)
{
	*seq = 0;
	if (!h)
		return BASE_OK;
	pthread_mutex_lock(&h->budget_lock);
	for (;;) {
		struct timespec now, at, t0, t1;
		const char *why;
		long wait;

		clock_gettime(CLOCK_MONOTONIC, &now);
		wait = wait_locked(h, rq, &now, &why);
		if (wait <= 0)
			break;
		at = now;
		ts_add_ms(&at, wait);
		/* (the first answer is waited for, not failed: the deadline's
		 * stop ends that wait as it ends a request in flight) */
		if (c->has_deadline && why != first_answer && ts_before(&c->deadline, &at)) {
			char until[32];
			wall_time_at(&at, &now, until, sizeof(until));
			h->limited = 1;
			snprintf(h->limited_until, sizeof(h->limited_until), "%s", until);
			pthread_mutex_unlock(&h->budget_lock);
			base_error_set(err, "%s: %s: rate limited by %s until %s (%s)", rq->what,
			               rq->op, h->name, until, why);
			return BASE_ERATELIMITED;
		}
		pthread_mutex_unlock(&h->budget_lock);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		/* Short slices: another worker's answer may move the window. */
		int cancelled = reg_cancel_wait(c, rq, wait < 250 ? wait : 250);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		pthread_mutex_lock(&h->budget_lock);
		if (why != first_answer)
			h->waited_ms += (long long)(ts_sec(&t1, &t0) * 1000.0);
		if (cancelled) {
			pthread_mutex_unlock(&h->budget_lock);
			return BASE_ECANCELED;
		}
	}
	{
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		reg_bucket_take(&h->b_all);
		reg_aimd_take(&h->aimd);
		if (is_write(rq->method))
			reg_bucket_take(&h->b_write);
		if (is_manifest_get(rq))
			reg_bucket_take(&h->b_pull);
		if (in_window(h, rq))
			*seq = reg_window_take(&h->window, &now);
		if (h->n_requests++ == 0)
			h->first_sent = now;
	}
	pthread_mutex_unlock(&h->budget_lock);
	return BASE_OK;
}

void reg_budget_answer(struct reg_host *h, const struct reg_request *rq,
                       const struct reg_response *rs, unsigned long seq,
                       const struct timespec *sent, long backoff_ms)
{
	struct reg_ratelimit rl;
	struct timespec now;
	long ra = -1, pause;

	if (!h)
		return;
	pthread_mutex_lock(&h->budget_lock);
	h->answered = 1; /* or failed: either way the others go */
	if (rs->status == 0) {
		pthread_mutex_unlock(&h->budget_lock);
		return;
	}
	if (rs->status == 429 && (ra = rs->retry_after_ms) < 0)
		ra = backoff_ms;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (rs->status == 429)
		h->n_429++;
	/* A pause whose end is before the current one's extends nothing. */
	pause = reg_aimd_answer(&h->aimd, rs->status == 429, ra, sent, &now);
	if (pause > 0) {
		struct timespec until = now;
		ts_add_ms(&until, pause);
		if (ts_before(&h->pause_until, &until))
			h->pause_until = until;
	}
	if (in_window(h, rq) &&
	    reg_ratelimit_parse(rs->rl_limit, rs->rl_remaining, rs->rl_reset, &rl) == 0) {
		reg_window_update(&h->window, &rl, seq, h->share, &now);
		h->has_budget = 1;
	}
	pthread_mutex_unlock(&h->budget_lock);
}

/* ---- the client's view -------------------------------------------------- */

void reg_client_set_deadline(struct reg_client *c, const struct timespec *at)
{
	c->has_deadline = at != NULL;
	if (at)
		c->deadline = *at;
}

static int stats_cmp(const void *a, const void *b)
{
	return strcmp(((const struct reg_budget_stats *)a)->registry,
	              ((const struct reg_budget_stats *)b)->registry);
}

int reg_client_budget_stats(struct reg_client *c, struct reg_budget_stats **out, size_t *n)
{
	size_t count = 0, i = 0;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&c->hosts_lock);
	for (struct reg_host *h = c->hosts; h; h = h->next)
		count++;
	if (count && !(*out = calloc(count, sizeof(**out)))) {
		pthread_mutex_unlock(&c->hosts_lock);
		return -1;
	}
	for (struct reg_host *h = c->hosts; h; h = h->next) {
		struct reg_budget_stats *st = &(*out)[i];
		pthread_mutex_lock(&h->budget_lock);
		if (h->n_requests == 0 && !h->limited) {
			pthread_mutex_unlock(&h->budget_lock);
			continue; /* configured, never spoken to */
		}
		snprintf(st->registry, sizeof(st->registry), "%s", h->name);
		st->requests = h->n_requests;
		st->too_many = h->n_429;
		st->waited_ms = h->waited_ms;
		st->has_budget = h->has_budget;
		st->limited = h->limited;
		snprintf(st->limited_until, sizeof(st->limited_until), "%s", h->limited_until);
		pthread_mutex_unlock(&h->budget_lock);
		i++;
	}
	pthread_mutex_unlock(&c->hosts_lock);
	if (i == 0) {
		free(*out);
		*out = NULL;
	} else {
		qsort(*out, i, sizeof(**out), stats_cmp);
	}
	*n = i;
	return 0;
}

/* The budget stage, first of a try: a request waiting for its budget holds
 * no concurrency slot. */
enum reg_verdict reg_stage_budget(struct reg_attempt *a, struct base_error *err)
{
	int rc = reg_budget_take(a->s->client, a->h, a->rq, &a->seq, err);
	if (rc >= 0)
		return REG_V_NEXT;
	a->rc = rc == BASE_ECANCELED ? reg_cancel_error(a->rq, err) : rc;
	return REG_V_FAIL;
}
