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

/* t a new row of target name: absent on every earlier night, first seen
 * on the night being added. -1: out of memory (nothing held). */
static int row_init(const struct status_history *h, struct status_history_target *t,
                    const char *name)
{
	memset(t, 0, sizeof(*t));
	t->target = strdup(name);
	t->states = malloc(h->cap_nights);
	if (!t->target || !t->states) {
		free(t->target);
		free(t->states);
		return -1;
	}
	memset(t->states, STATUS_HISTORY_ABSENT, h->cap_nights);
	t->first_night = h->n_nights - 1;
	return 0;
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
	if (row_init(h, t, name) < 0)
		return NULL;
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

/* ---- built from summaries, by what changed ---------------------------------
 *
 * status_history_add costs work for every target every night. A history
 * read from git (history_git.c) instead hands over each night as a summary
 * whose targets are shared encodings (struct henc): a target whose henc is
 * the one it had the night before has not changed, so its state run goes
 * on, its platforms' runs go on, and the night's counts and the platforms
 * lacking stay as they were; only a target that is new, changed or gone is
 * decoded and its share of the counts moved. A run's nights are written
 * into the target's states when it ends. The figures are the ones
 * status_history_add gives for the same nights. */

#include "history_internal.h"

#define ROW_NONE ((size_t)-1)
#define ROW_SKIP ((size_t)-2)

/* What a row (a target of h->targets, in the order first seen) had on the
 * last night it was in the file. */
struct hrow {
	struct henc *cur;      /* its record then (a reference), or NULL */
	size_t last;           /* that night, or ROW_NONE */
	size_t run_from;       /* first night of the run that ends at last */
	unsigned char state;   /* cur's state */
	unsigned char counted; /* in the running counts and lacking */
	unsigned char open;    /* the run is not yet written into states */
	uint32_t *lack;        /* the platform columns cur lacks */
	size_t n_lack;
};

struct hbuild {
	struct status_history *h;
	struct hrow *rows; /* parallel to h->targets, which stays unsorted until the end */
	size_t n_rows, cap_rows;
	size_t *slots; /* open addressing by reference: row index + 1, 0 empty */
	size_t n_slots;
	struct henc **prev; /* the night before's targets, in its order (NULL: skipped) */
	size_t *prev_row;
	size_t n_prev;
	size_t *gone; /* rows of the night before not met in order this night */
	size_t n_gone, cap_gone;
	/* records a row held until this night: released when the night is
	 * added, so the night before's list stays readable while it is walked */
	struct henc **old;
	size_t n_old, cap_old;
	int counts[STATUS_T__COUNT];
	int *lacking; /* per platform column, on the night being added */
	size_t cap_lacking;
	struct status_platform_status *plats; /* decoding scratch */
	size_t cap_plats;
	size_t decoded;
};

static uint64_t name_hash(const char *s)
{
	uint64_t x = 0xcbf29ce484222325ull;
	for (; *s; s++)
		x = (x ^ (unsigned char)*s) * 0x100000001b3ull;
	return x;
}

struct hbuild *status_build_new(struct status_history *h)
{
	struct hbuild *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->h = h;
	return b;
}

void status_build_free(struct hbuild *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n_rows; i++) {
		status_enc_unref(b->rows[i].cur);
		free(b->rows[i].lack);
	}
	free(b->rows);
	free(b->slots);
	free(b->prev);
	free(b->prev_row);
	free(b->gone);
	for (size_t i = 0; i < b->n_old; i++)
		status_enc_unref(b->old[i]);
	free(b->old);
	free(b->lacking);
	free(b->plats);
	free(b);
}

size_t status_build_decoded(const struct hbuild *b)
{
	return b ? b->decoded : 0;
}

static int slots_grow(struct hbuild *b)
{
	size_t n = b->n_slots ? b->n_slots * 2 : 1024, *ns;
	if (!(ns = calloc(n, sizeof(*ns))))
		return -1;
	for (size_t r = 0; r < b->n_rows; r++) {
		size_t k = (size_t)name_hash(b->h->targets[r].target) & (n - 1);
		while (ns[k])
			k = (k + 1) & (n - 1);
		ns[k] = r + 1;
	}
	free(b->slots);
	b->slots = ns;
	b->n_slots = n;
	return 0;
}

/* The row of target name, made (absent on every earlier night) when it has none. */
static size_t build_row(struct hbuild *b, const char *name)
{
	struct status_history *h = b->h;
	struct status_history_target *t;
	size_t k, r;

	if ((b->n_rows + 1) * 2 > b->n_slots && slots_grow(b) < 0)
		return ROW_NONE;
	for (k = (size_t)name_hash(name) & (b->n_slots - 1); b->slots[k];
	     k = (k + 1) & (b->n_slots - 1))
		if (strcmp(h->targets[b->slots[k] - 1].target, name) == 0)
			return b->slots[k] - 1;
	if (b->n_rows == b->cap_rows) {
		size_t nc = b->cap_rows ? b->cap_rows * 2 : 64;
		struct status_history_target *nt = realloc(h->targets, nc * sizeof(*nt));
		struct hrow *nr;
		if (!nt)
			return ROW_NONE;
		h->targets = nt;
		if (!(nr = realloc(b->rows, nc * sizeof(*nr))))
			return ROW_NONE;
		b->rows = nr;
		b->cap_rows = nc;
	}
	r = b->n_rows;
	t = &h->targets[r];
	memset(&b->rows[r], 0, sizeof(b->rows[r]));
	b->rows[r].last = ROW_NONE;
	if (row_init(h, t, name) < 0)
		return ROW_NONE;
	b->n_rows = h->n_targets = r + 1;
	b->slots[k] = r + 1;
	return r;
}

/* e decoded into t: its strings point into e, its platforms into b's scratch. */
static int build_decode(struct hbuild *b, const struct henc *e, struct status_target_status *t)
{
	const char *p = (const char *)e->p;
	memset(t, 0, sizeof(*t));
	t->target = (char *)p;
	p += strlen(p) + 1;
	t->state = (enum status_target_state)(uint8_t)p[0];
	t->n_platforms = (size_t)(uint8_t)p[1] | (size_t)(uint8_t)p[2] << 8 |
	                 (size_t)(uint8_t)p[3] << 16 | (size_t)(uint8_t)p[4] << 24;
	p += 5;
	if (t->n_platforms > b->cap_plats) {
		struct status_platform_status *np = realloc(b->plats, t->n_platforms * sizeof(*np));
		if (!np)
			return -1;
		b->plats = np;
		b->cap_plats = t->n_platforms;
	}
	t->platforms = b->plats;
	for (size_t j = 0; j < t->n_platforms; j++) {
		struct status_platform_status *ps = &t->platforms[j];
		memset(ps, 0, sizeof(*ps));
		ps->platform = (char *)p;
		p += strlen(p) + 1;
		ps->state = (enum status_platform_state)(uint8_t)p[0];
		ps->size = -1;
		ps->optional = (p[1] & 2) != 0;
		p += 2;
		if (p[-1] & 1) {
			ps->digest = (char *)p;
			p += strlen(p) + 1;
		}
	}
	return 0;
}

/* Row r leaves the night's counts and lacking, and the run that ended on
 * its last night is written into its states; its record's platforms were
 * seen until then (a night with the same record leaves their last_night). */
static int build_close(struct hbuild *b, size_t r)
{
	struct status_history_target *t = &b->h->targets[r];
	struct hrow *x = &b->rows[r];
	struct status_target_status d;

	if (x->counted) {
		b->counts[x->state]--;
		for (size_t k = 0; k < x->n_lack; k++)
			b->lacking[x->lack[k]]--;
		x->counted = 0;
	}
	if (!x->open)
		return 0;
	x->open = 0;
	memset(t->states + x->run_from, x->state, x->last + 1 - x->run_from);
	if (build_decode(b, x->cur, &d) < 0)
		return -1;
	for (size_t j = 0; j < d.n_platforms; j++) {
		struct status_history_plat *pr =
		    (struct status_history_plat *)status_history_plat(t, d.platforms[j].platform);
		if (pr)
			pr->last_night = x->last;
	}
	return 0;
}

static int build_lacking_room(struct hbuild *b)
{
	size_t n = b->h->n_platforms;
	int *nl;
	if (n <= b->cap_lacking)
		return 0;
	if (!(nl = realloc(b->lacking, n * 2 * sizeof(*nl))))
		return -1;
	memset(nl + b->cap_lacking, 0, (n * 2 - b->cap_lacking) * sizeof(*nl));
	b->lacking = nl;
	b->cap_lacking = n * 2;
	return 0;
}

/* A row's record it no longer holds, released after the night. */
static int build_release(struct hbuild *b, struct henc *e)
{
	if (b->n_old == b->cap_old) {
		size_t nc = b->cap_old ? b->cap_old * 2 : 64;
		struct henc **no = realloc(b->old, nc * sizeof(*no));
		if (!no) {
			status_enc_unref(e);
			return -1;
		}
		b->old = no;
		b->cap_old = nc;
	}
	b->old[b->n_old++] = e;
	return 0;
}

/* Target e on the night being added, when it is not the record its row
 * had the night before: its row, ROW_SKIP when it is left out (a target
 * twice in one version: the first counts), ROW_NONE out of memory. */
static size_t build_target(struct hbuild *b, struct henc *e)
{
	struct status_history *h = b->h;
	size_t night = h->n_nights - 1, r, n_lack = 0;
	struct status_history_target *t;
	struct status_target_status d;
	struct hrow *x;
	uint32_t *lack = NULL;

	if ((unsigned)e->p[strlen(status_enc_name(e)) + 1] >= STATUS_T__COUNT)
		return ROW_SKIP;
	if ((r = build_row(b, status_enc_name(e))) == ROW_NONE)
		return ROW_NONE;
	x = &b->rows[r];
	t = &h->targets[r];
	if (x->last == night)
		return ROW_SKIP;
	if (x->counted && x->last + 1 == night && x->cur->len == e->len &&
	    memcmp(x->cur->p, e->p, e->len) == 0) {
		/* the same bytes read again (a version from git after one from the cache) */
		if (build_release(b, x->cur) < 0) {
			x->cur = NULL;
			return ROW_NONE;
		}
		x->cur = status_enc_ref(e);
		x->last = night;
		return r;
	}
	b->decoded++;
	if (x->cur && build_close(b, r) < 0)
		return ROW_NONE;
	if (build_decode(b, e, &d) < 0 || !(lack = calloc(d.n_platforms + 1, sizeof(*lack))))
		goto oom;
	for (size_t j = 0; j < d.n_platforms; j++) {
		const struct status_platform_status *p = &d.platforms[j];
		struct status_history_platform *col = platform_col(h, p->platform);
		if (!col || build_lacking_room(b) < 0 ||
		    plat_track(t, p, night, is_green(d.state)) < 0)
			goto oom;
		/* an optional platform that is not there is left out, not lacking */
		if (p->state != STATUS_P_READY && !p->optional) {
			lack[n_lack++] = (uint32_t)(col - h->platforms);
			b->lacking[col - h->platforms]++;
		}
	}
	b->counts[d.state]++;
	free(x->lack);
	x->lack = lack;
	x->n_lack = n_lack;
	x->state = (unsigned char)d.state;
	x->counted = x->open = 1;
	x->run_from = x->last = night;
	if (x->cur && build_release(b, x->cur) < 0) {
		x->cur = NULL;
		return ROW_NONE;
	}
	x->cur = status_enc_ref(e);
	return r;
oom:
	free(lack);
	return ROW_NONE;
}

static int gone_push(struct hbuild *b, size_t r)
{
	if (b->n_gone == b->cap_gone) {
		size_t nc = b->cap_gone ? b->cap_gone * 2 : 64,
		       *ng = realloc(b->gone, nc * sizeof(*ng));
		if (!ng)
			return -1;
		b->gone = ng;
		b->cap_gone = nc;
	}
	b->gone[b->n_gone++] = r;
	return 0;
}

int status_build_night(struct hbuild *b, const char *commit, const struct hsum *s,
                       struct base_error *err)
{
	struct status_history *h = b->h;
	struct status_history_night *nt;
	struct henc **next = NULL;
	size_t night = h->n_nights, i = 0, j = 0, *next_row = NULL;

	if (grow_nights(h) < 0 || !(next = calloc(s->n + 1, sizeof(*next))) ||
	    !(next_row = calloc(s->n + 1, sizeof(*next_row))))
		goto oom;
	nt = &h->nights[night];
	memset(nt, 0, sizeof(*nt));
	snprintf(nt->commit, sizeof(nt->commit), "%s", commit ? commit : "");
	if (s->finished && !(nt->finished = strdup(s->finished)))
		goto oom;
	h->n_nights++;
	b->n_gone = 0;
	while (i < s->n) {
		size_t r;
		int c;
		/* the record the target had the night before, in the same place */
		if (j < b->n_prev && s->t[i] == b->prev[j] &&
		    b->rows[b->prev_row[j]].last + 1 == night) {
			b->rows[b->prev_row[j]].last = night;
			next[i] = s->t[i];
			next_row[i++] = b->prev_row[j++];
			continue;
		}
		c = j >= b->n_prev ? 1
		    : !b->prev[j]  ? -1
		                   : strcmp(status_enc_name(b->prev[j]), status_enc_name(s->t[i]));
		if (c <= 0) {
			if (b->prev[j] && gone_push(b, b->prev_row[j]) < 0)
				goto oom;
			j++;
			if (c < 0)
				continue;
		}
		if ((r = build_target(b, s->t[i])) == ROW_NONE)
			goto oom;
		next[i] = r == ROW_SKIP ? NULL : s->t[i];
		next_row[i++] = r;
	}
	for (; j < b->n_prev; j++)
		if (b->prev[j] && gone_push(b, b->prev_row[j]) < 0)
			goto oom;
	/* not met in order: gone, unless met again elsewhere this night */
	for (size_t k = 0; k < b->n_gone; k++)
		if (b->rows[b->gone[k]].last != night && build_close(b, b->gone[k]) < 0)
			goto oom;
	memcpy(nt->counts, b->counts, sizeof(nt->counts));
	for (size_t p = 0; p < h->n_platforms; p++)
		h->platforms[p].lacking[night] = b->lacking[p];
	for (size_t k = 0; k < b->n_old; k++)
		status_enc_unref(b->old[k]);
	b->n_old = 0;
	free(b->prev);
	free(b->prev_row);
	b->prev = next;
	b->prev_row = next_row;
	b->n_prev = s->n;
	return 0;
oom:
	free(next);
	free(next_row);
	base_error_set(err, "history: out of memory");
	return -1;
}

int status_build_end(struct hbuild *b, struct base_error *err)
{
	for (size_t r = 0; r < b->n_rows; r++) {
		if (build_close(b, r) < 0) {
			base_error_set(err, "history: out of memory");
			return -1;
		}
		status_enc_unref(b->rows[r].cur);
		free(b->rows[r].lack);
	}
	b->n_rows = 0;
	if (b->h->n_targets)
		qsort(b->h->targets, b->h->n_targets, sizeof(*b->h->targets), cmp_target);
	status_history_finish(b->h);
	return 0;
}
