/* history.c — the status file's history as series: per night the targets by
 * state, per target its state each night (and how long it took to turn
 * green, its longest incomplete streak, its platforms' own runs), per
 * platform how many targets lacked it each night. Pure: history_git.c feeds
 * it from git, tests feed it by hand. */
#include <stdlib.h>
#include <string.h>

#include "status_history.h"

static int is_green(int s)
{
	return s == STATUS_T_PUBLISHED || s == STATUS_T_UNCHANGED;
}

/* Published and unchanged are one state for streaks: the tag holds the list. */
static int same_run(int a, int b)
{
	return a == b || (is_green(a) && is_green(b));
}

struct status_history *status_history_new(size_t expect_nights)
{
	struct status_history *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->cap_nights = expect_nights ? expect_nights : 16;
	h->nights = calloc(h->cap_nights, sizeof(*h->nights));
	if (!h->nights) {
		free(h);
		return NULL;
	}
	return h;
}

static void plat_run_free(struct status_history_plat *p)
{
	free(p->platform);
	free(p->digest);
	free(p->green_digest);
}

void status_history_free(struct status_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n_nights; i++)
		free(h->nights[i].finished);
	for (size_t i = 0; i < h->n_targets; i++) {
		struct status_history_target *t = &h->targets[i];
		for (size_t j = 0; j < t->n_plats; j++)
			plat_run_free(&t->plats[j]);
		free(t->plats);
		free(t->states);
		free(t->target);
	}
	for (size_t i = 0; i < h->n_platforms; i++) {
		free(h->platforms[i].platform);
		free(h->platforms[i].lacking);
	}
	free(h->nights);
	free(h->targets);
	free(h->platforms);
	free(h);
}

/* Room for one more night in every per-night array. */
static int grow_nights(struct status_history *h)
{
	size_t cap = h->cap_nights * 2;
	struct status_history_night *nn;
	if (h->n_nights < h->cap_nights)
		return 0;
	nn = realloc(h->nights, cap * sizeof(*nn));
	if (!nn)
		return -1;
	h->nights = nn;
	for (size_t i = 0; i < h->n_targets; i++) {
		unsigned char *s = realloc(h->targets[i].states, cap);
		if (!s)
			return -1;
		memset(s + h->cap_nights, STATUS_HISTORY_ABSENT, cap - h->cap_nights);
		h->targets[i].states = s;
	}
	for (size_t i = 0; i < h->n_platforms; i++) {
		int *l = realloc(h->platforms[i].lacking, cap * sizeof(*l));
		if (!l)
			return -1;
		memset(l + h->cap_nights, 0, (cap - h->cap_nights) * sizeof(*l));
		h->platforms[i].lacking = l;
	}
	h->cap_nights = cap;
	return 0;
}

static int cmp_target(const void *a, const void *b)
{
	return strcmp(((const struct status_history_target *)a)->target,
	              ((const struct status_history_target *)b)->target);
}

const struct status_history_target *status_history_find(const struct status_history *h,
                                                        const char *target)
{
	struct status_history_target key = {.target = (char *)target};
	if (!h || !h->n_targets)
		return NULL;
	return bsearch(&key, h->targets, h->n_targets, sizeof(key), cmp_target);
}

const struct status_history_plat *status_history_plat(const struct status_history_target *t,
                                                      const char *platform)
{
	for (size_t j = 0; t && j < t->n_plats; j++)
		if (strcmp(t->plats[j].platform, platform) == 0)
			return &t->plats[j];
	return NULL;
}

/* The target's row. Rows [0, sorted) are sorted; a new one (absent on every
 * earlier night) is appended after them; the caller sorts once per night. */
static struct status_history_target *target_row(struct status_history *h, const char *name,
                                                size_t sorted, size_t *cap)
{
	struct status_history_target key = {.target = (char *)name}, *t = NULL;
	if (sorted)
		t = bsearch(&key, h->targets, sorted, sizeof(key), cmp_target);
	/* targets come sorted, so a repeated new one is the last appended */
	if (!t && h->n_targets > sorted && strcmp(h->targets[h->n_targets - 1].target, name) == 0)
		t = &h->targets[h->n_targets - 1];
	if (t)
		return t;
	if (h->n_targets == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct status_history_target *nt = realloc(h->targets, nc * sizeof(*nt));
		if (!nt)
			return NULL;
		h->targets = nt;
		*cap = nc;
	}
	t = &h->targets[h->n_targets];
	memset(t, 0, sizeof(*t));
	t->target = strdup(name);
	t->states = malloc(h->cap_nights);
	if (!t->target || !t->states) {
		free(t->target);
		free(t->states);
		return NULL;
	}
	memset(t->states, STATUS_HISTORY_ABSENT, h->cap_nights);
	t->first_night = h->n_nights - 1; /* the night being added */
	h->n_targets++;
	return t;
}

static struct status_history_platform *platform_col(struct status_history *h, const char *name)
{
	struct status_history_platform *np, *p;
	for (size_t i = 0; i < h->n_platforms; i++)
		if (strcmp(h->platforms[i].platform, name) == 0)
			return &h->platforms[i];
	np = realloc(h->platforms, (h->n_platforms + 1) * sizeof(*np));
	if (!np)
		return NULL;
	h->platforms = np;
	p = &np[h->n_platforms];
	p->platform = strdup(name);
	p->lacking = calloc(h->cap_nights, sizeof(*p->lacking));
	if (!p->platform || !p->lacking) {
		free(p->platform);
		free(p->lacking);
		return NULL;
	}
	h->n_platforms++;
	return p;
}

static int set_str(char **dst, const char *src)
{
	if (status_streq0(*dst, src) && (!*dst) == (!src))
		return 0;
	free(*dst);
	*dst = src ? strdup(src) : NULL;
	return src && !*dst ? -1 : 0;
}

/* The platform's own run: it starts again when its state or digest changes
 * or when it was not seen the night before. */
static int plat_track(struct status_history_target *t, const struct status_platform_status *p,
                      size_t night, int green)
{
	struct status_history_plat *r =
	    (struct status_history_plat *)status_history_plat(t, p->platform);
	if (!r) {
		struct status_history_plat *np = realloc(t->plats, (t->n_plats + 1) * sizeof(*np));
		if (!np)
			return -1;
		t->plats = np;
		r = &np[t->n_plats];
		memset(r, 0, sizeof(*r));
		if (!(r->platform = strdup(p->platform)))
			return -1;
		t->n_plats++;
		r->since_night = night;
	} else if (r->state != p->state || !status_streq0(r->digest, p->digest) ||
	           r->last_night + 1 != night) {
		r->since_night = night;
	}
	r->state = p->state;
	r->last_night = night;
	if (set_str(&r->digest, p->digest) < 0)
		return -1;
	return green ? set_str(&r->green_digest, p->digest) : 0;
}

static int add_target(struct status_history *h, struct status_history_target *row,
                      const struct status_target_status *t, size_t night)
{
	row->states[night] = (unsigned char)t->state;
	h->nights[night].counts[t->state]++;
	for (size_t j = 0; j < t->n_platforms; j++) {
		const struct status_platform_status *p = &t->platforms[j];
		struct status_history_platform *col = platform_col(h, p->platform);
		if (!col || plat_track(row, p, night, is_green(t->state)) < 0)
			return -1;
		/* an optional platform that is not there is left out, not lacking */
		if (p->state != STATUS_P_READY && !p->optional)
			col->lacking[night]++;
	}
	return 0;
}

int status_history_add(struct status_history *h, const char *commit, const char *finished,
                       const struct status_target_status *const *targets, size_t n,
                       struct base_error *err)
{
	size_t night = h->n_nights, cap = h->n_targets, sorted = h->n_targets;
	struct status_history_night *nt;

	if (grow_nights(h) < 0)
		goto oom;
	nt = &h->nights[night];
	memset(nt, 0, sizeof(*nt));
	snprintf(nt->commit, sizeof(nt->commit), "%s", commit ? commit : "");
	if (finished && !(nt->finished = strdup(finished)))
		goto oom;
	h->n_nights++;
	for (size_t i = 0; i < n; i++) {
		const struct status_target_status *t = targets[i];
		struct status_history_target *row;
		if ((unsigned)t->state >= STATUS_T__COUNT)
			continue;
		row = target_row(h, t->target, sorted, &cap);
		if (!row || add_target(h, row, t, night) < 0)
			goto oom;
	}
	if (h->n_targets > sorted)
		qsort(h->targets, h->n_targets, sizeof(*h->targets), cmp_target);
	return 0;
oom:
	base_error_set(err, "history: out of memory");
	return -1;
}

int status_history_add_status(struct status_history *h, const char *commit,
                              const struct status_status *st, struct base_error *err)
{
	const struct status_target_status **v = calloc(st->n_targets + 1, sizeof(*v));
	int rc;
	if (!v) {
		base_error_set(err, "history: out of memory");
		return -1;
	}
	for (size_t i = 0; i < st->n_targets; i++)
		v[i] = &st->targets[i];
	rc = status_history_add(h, commit, st->last_run.finished, v, st->n_targets, err);
	free(v);
	return rc;
}

static void target_figures(struct status_history_target *t, size_t nights)
{
	size_t run = 0;
	t->nights_to_green = -1;
	t->longest_incomplete = 0;
	t->nights_in_state = 0;
	for (size_t n = t->first_night; n < nights; n++) {
		int s = t->states[n];
		if (s == STATUS_HISTORY_ABSENT) {
			run = 0;
		} else {
			run = n > t->first_night && same_run(t->states[n - 1], s) ? run + 1 : 1;
			if (is_green(s) && t->nights_to_green < 0)
				t->nights_to_green = (long)(n - t->first_night);
			if (s == STATUS_T_INCOMPLETE && run > t->longest_incomplete)
				t->longest_incomplete = run;
		}
	}
	t->nights_in_state = run;
}

void status_history_finish(struct status_history *h)
{
	for (size_t i = 0; h && i < h->n_targets; i++)
		target_figures(&h->targets[i], h->n_nights);
}

void status_history_summary(const struct status_history_target *ht, char *buf, size_t len)
{
	size_t l;
	snprintf(buf, len, "%s", "");
	if (!ht)
		return;
	l = ht->longest_incomplete;
	if (ht->nights_to_green < 0)
		snprintf(buf, len, "never green");
	else if (ht->nights_to_green > 0)
		snprintf(buf, len, "green after %ld night%s", ht->nights_to_green,
		         ht->nights_to_green == 1 ? "" : "s");
	if (l)
		snprintf(buf + strlen(buf), len - strlen(buf),
		         "%slongest incomplete streak %zu night%s", buf[0] ? "; " : "", l,
		         l == 1 ? "" : "s");
}

void status_report_age(const struct status_target_status *t, const struct status_history *h,
                       const char *now, char *buf, size_t len)
{
	const struct status_history_target *ht = status_history_find(h, t->target);
	const char *st = status_target_state_str(t->state);
	if (ht && h->n_nights && ht->nights_in_state &&
	    same_run(ht->states[h->n_nights - 1], t->state)) {
		snprintf(buf, len, "%s for %zu night%s", st, ht->nights_in_state,
		         ht->nights_in_state == 1 ? "" : "s");
		return;
	}
	char age[32];
	status_age_format(t->since, now, age, sizeof(age));
	if (age[0])
		snprintf(buf, len, "%s for %s", st, age);
	else
		snprintf(buf, len, "%s", st);
}
