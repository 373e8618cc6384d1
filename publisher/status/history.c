/* history.c — the status file's history as series: per night the targets by
 * state, per target its state each night (and how long it took to turn
 * green, its longest incomplete streak, its platforms' own runs), per
 * platform how many targets lacked it each night. Pure: history_git.c feeds
 * it from git, tests feed it by hand. */
#include <stdlib.h>
#include <string.h>

#include "status.h"

static int is_green(int s)
{
	return s == PUB_T_PUBLISHED || s == PUB_T_UNCHANGED;
}

/* Published and unchanged are one state for streaks: the tag holds the list. */
static int same_run(int a, int b)
{
	return a == b || (is_green(a) && is_green(b));
}

struct pub_history *pub_history_new(size_t expect_nights)
{
	struct pub_history *h = calloc(1, sizeof(*h));
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

static void plat_run_free(struct pub_history_plat *p)
{
	free(p->platform);
	free(p->digest);
	free(p->green_digest);
}

void pub_history_free(struct pub_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n_nights; i++)
		free(h->nights[i].finished);
	for (size_t i = 0; i < h->n_targets; i++) {
		struct pub_history_target *t = &h->targets[i];
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
static int grow_nights(struct pub_history *h)
{
	size_t cap = h->cap_nights * 2;
	struct pub_history_night *nn;
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
		memset(s + h->cap_nights, PUB_HISTORY_ABSENT, cap - h->cap_nights);
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
	return strcmp(((const struct pub_history_target *)a)->target,
	              ((const struct pub_history_target *)b)->target);
}

const struct pub_history_target *pub_history_find(const struct pub_history *h, const char *target)
{
	struct pub_history_target key = {.target = (char *)target};
	if (!h || !h->n_targets)
		return NULL;
	return bsearch(&key, h->targets, h->n_targets, sizeof(key), cmp_target);
}

const struct pub_history_plat *pub_history_plat(const struct pub_history_target *t,
                                                const char *platform)
{
	for (size_t j = 0; t && j < t->n_plats; j++)
		if (strcmp(t->plats[j].platform, platform) == 0)
			return &t->plats[j];
	return NULL;
}

/* The target's row. Rows [0, sorted) are sorted; a new one (absent on every
 * earlier night) is appended after them; the caller sorts once per night. */
static struct pub_history_target *target_row(struct pub_history *h, const char *name, size_t sorted,
                                             size_t *cap)
{
	struct pub_history_target key = {.target = (char *)name}, *t = NULL;
	if (sorted)
		t = bsearch(&key, h->targets, sorted, sizeof(key), cmp_target);
	/* targets come sorted, so a repeated new one is the last appended */
	if (!t && h->n_targets > sorted && strcmp(h->targets[h->n_targets - 1].target, name) == 0)
		t = &h->targets[h->n_targets - 1];
	if (t)
		return t;
	if (h->n_targets == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct pub_history_target *nt = realloc(h->targets, nc * sizeof(*nt));
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
	memset(t->states, PUB_HISTORY_ABSENT, h->cap_nights);
	t->first_night = h->n_nights - 1; /* the night being added */
	h->n_targets++;
	return t;
}

static struct pub_history_platform *platform_col(struct pub_history *h, const char *name)
{
	struct pub_history_platform *np, *p;
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
	if (pub_streq0(*dst, src) && (!*dst) == (!src))
		return 0;
	free(*dst);
	*dst = src ? strdup(src) : NULL;
	return src && !*dst ? -1 : 0;
}

/* The platform's own run: it starts again when its state or digest changes
 * or when it was not seen the night before. */
static int plat_track(struct pub_history_target *t, const struct pub_platform_status *p,
                      size_t night, int green)
{
	struct pub_history_plat *r = (struct pub_history_plat *)pub_history_plat(t, p->platform);
	if (!r) {
		struct pub_history_plat *np = realloc(t->plats, (t->n_plats + 1) * sizeof(*np));
		if (!np)
			return -1;
		t->plats = np;
		r = &np[t->n_plats];
		memset(r, 0, sizeof(*r));
		if (!(r->platform = strdup(p->platform)))
			return -1;
		t->n_plats++;
		r->since_night = night;
	} else if (r->state != p->state || !pub_streq0(r->digest, p->digest) ||
	           r->last_night + 1 != night) {
		r->since_night = night;
	}
	r->state = p->state;
	r->last_night = night;
	if (set_str(&r->digest, p->digest) < 0)
		return -1;
	return green ? set_str(&r->green_digest, p->digest) : 0;
}

static int add_target(struct pub_history *h, struct pub_history_target *row,
                      const struct pub_target_status *t, size_t night)
{
	row->states[night] = (unsigned char)t->state;
	h->nights[night].counts[t->state]++;
	for (size_t j = 0; j < t->n_platforms; j++) {
		const struct pub_platform_status *p = &t->platforms[j];
		struct pub_history_platform *col = platform_col(h, p->platform);
		if (!col || plat_track(row, p, night, is_green(t->state)) < 0)
			return -1;
		if (p->state != PUB_P_READY)
			col->lacking[night]++;
	}
	return 0;
}

int pub_history_add(struct pub_history *h, const char *commit, const char *finished,
                    const struct pub_target_status *const *targets, size_t n,
                    struct base_error *err)
{
	size_t night = h->n_nights, cap = h->n_targets, sorted = h->n_targets;
	struct pub_history_night *nt;

	if (grow_nights(h) < 0)
		goto oom;
	nt = &h->nights[night];
	memset(nt, 0, sizeof(*nt));
	snprintf(nt->commit, sizeof(nt->commit), "%s", commit ? commit : "");
	if (finished && !(nt->finished = strdup(finished)))
		goto oom;
	h->n_nights++;
	for (size_t i = 0; i < n; i++) {
		const struct pub_target_status *t = targets[i];
		struct pub_history_target *row;
		if ((unsigned)t->state >= PUB_T__COUNT)
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

int pub_history_add_status(struct pub_history *h, const char *commit, const struct pub_status *st,
                           struct base_error *err)
{
	const struct pub_target_status **v = calloc(st->n_targets + 1, sizeof(*v));
	int rc;
	if (!v) {
		base_error_set(err, "history: out of memory");
		return -1;
	}
	for (size_t i = 0; i < st->n_targets; i++)
		v[i] = &st->targets[i];
	rc = pub_history_add(h, commit, st->last_run.finished, v, st->n_targets, err);
	free(v);
	return rc;
}

static void target_figures(struct pub_history_target *t, size_t nights)
{
	size_t run = 0;
	t->nights_to_green = -1;
	t->longest_incomplete = 0;
	t->nights_in_state = 0;
	for (size_t n = t->first_night; n < nights; n++) {
		int s = t->states[n];
		if (s == PUB_HISTORY_ABSENT) {
			run = 0;
		} else {
			run = n > t->first_night && same_run(t->states[n - 1], s) ? run + 1 : 1;
			if (is_green(s) && t->nights_to_green < 0)
				t->nights_to_green = (long)(n - t->first_night);
			if (s == PUB_T_INCOMPLETE && run > t->longest_incomplete)
				t->longest_incomplete = run;
		}
	}
	t->nights_in_state = run;
}

void pub_history_finish(struct pub_history *h)
{
	for (size_t i = 0; h && i < h->n_targets; i++)
		target_figures(&h->targets[i], h->n_nights);
}

void pub_history_summary(const struct pub_history_target *ht, char *buf, size_t len)
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

void pub_report_age(const struct pub_target_status *t, const struct pub_history *h, const char *now,
                    char *buf, size_t len)
{
	const struct pub_history_target *ht = pub_history_find(h, t->target);
	const char *st = pub_target_state_str(t->state);
	if (ht && h->n_nights && ht->nights_in_state &&
	    same_run(ht->states[h->n_nights - 1], t->state)) {
		snprintf(buf, len, "%s for %zu night%s", st, ht->nights_in_state,
		         ht->nights_in_state == 1 ? "" : "s");
		return;
	}
	char age[32];
	pub_age_format(t->since, now, age, sizeof(age));
	if (age[0])
		snprintf(buf, len, "%s for %s", st, age);
	else
		snprintf(buf, len, "%s", st);
}
