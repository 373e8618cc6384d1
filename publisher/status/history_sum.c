/* history_sum.c — a version's summary: the few fields of each target the
 * history uses, one shared encoding (struct henc, history_internal.h) per
 * target record, so that a summary is an array of references, two nights
 * compare by pointer and a summary diffs against the version before by
 * what changed. */
#include <stdlib.h>
#include <string.h>

#include "history_internal.h"

/* ---- one target ---------------------------------------------------------- */

struct henc *status_enc_ref(struct henc *e)
{
	e->refs++;
	return e;
}

void status_enc_unref(struct henc *e)
{
	if (e && --e->refs == 0)
		free(e);
}

struct henc *status_enc_from(const uint8_t *p, size_t len)
{
	struct henc *e;
	if (len > UINT32_MAX || !(e = malloc(sizeof(*e) + len)))
		return NULL;
	e->refs = 1;
	e->len = (uint32_t)len;
	memcpy(e->p, p, len);
	return e;
}

static void put(struct base_buf *b, const char *s)
{
	base_buf_put(b, s, strlen(s) + 1);
}

static void put_byte(struct base_buf *b, unsigned v)
{
	char c = (char)v;
	base_buf_put(b, &c, 1);
}

static void put_u32(struct base_buf *b, uint32_t v)
{
	char c[4] = {(char)(v & 0xff), (char)(v >> 8 & 0xff), (char)(v >> 16 & 0xff),
	             (char)(v >> 24)};
	base_buf_put(b, c, 4);
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

struct henc *status_enc_new(const struct status_target_status *t)
{
	struct base_buf b = {0};
	struct henc *e = NULL;
	put(&b, t->target);
	put_byte(&b, (unsigned)t->state);
	if (t->n_platforms > UINT32_MAX)
		goto out;
	put_u32(&b, (uint32_t)t->n_platforms);
	for (size_t j = 0; j < t->n_platforms; j++) {
		const struct status_platform_status *p = &t->platforms[j];
		put(&b, p->platform);
		put_byte(&b, (unsigned)p->state);
		/* flags: 1 a digest follows, 2 optional (never lacking) */
		put_byte(&b, (p->digest != NULL) | (p->optional ? 2u : 0u));
		if (p->digest)
			put(&b, p->digest);
	}
	if (!b.oom)
		e = status_enc_from((const uint8_t *)b.data, b.len);
out:
	base_buf_free(&b);
	return e;
}

/* Past the NUL-terminated string at p[*at..len); 0 when there is none. */
static int skip_str(const uint8_t *p, size_t len, size_t *at)
{
	const uint8_t *nul = *at < len ? memchr(p + *at, 0, len - *at) : NULL;
	if (!nul)
		return 0;
	*at = (size_t)(nul - p) + 1;
	return 1;
}

int status_sum_target_valid(const uint8_t *p, size_t len)
{
	size_t at = 0;
	uint32_t np;
	if (!skip_str(p, len, &at) || len - at < 5 || p[at] >= STATUS_T__COUNT)
		return 0;
	np = get_u32(p + at + 1);
	at += 5;
	for (uint32_t j = 0; j < np; j++) {
		if (!skip_str(p, len, &at) || len - at < 2 || p[at] >= STATUS_P__COUNT ||
		    p[at + 1] > 3)
			return 0;
		at += 2;
		if ((p[at - 1] & 1) && !skip_str(p, len, &at))
			return 0;
	}
	return at == len;
}

/* ---- a version ----------------------------------------------------------- */

void status_sum_free(struct hsum *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		status_enc_unref(s->t[i]);
	free(s->finished);
	free(s->t);
	memset(s, 0, sizeof(*s));
}

static int grow(struct hsum *s, size_t more)
{
	if (s->n + more > s->cap) {
		size_t cap = s->cap ? s->cap : 64;
		while (cap < s->n + more)
			cap *= 2;
		struct henc **nt = realloc(s->t, cap * sizeof(*nt));
		if (!nt)
			return -1;
		s->t = nt;
		s->cap = cap;
	}
	return 0;
}

int status_sum_start(struct hsum *s, const git_oid *blob, const char *finished)
{
	memset(s, 0, sizeof(*s));
	git_oid_cpy(&s->blob, blob);
	return finished && !(s->finished = strdup(finished)) ? -1 : 0;
}

void status_sum_order(const struct hsum *s, const struct henc *first, int sorted, int *in_order)
{
	if (!sorted ||
	    (first && s->n && strcmp(status_enc_name(s->t[s->n - 1]), status_enc_name(first)) > 0))
		*in_order = 0;
}

void status_sum_finish(struct hsum *s, int in_order)
{
	if (!in_order)
		qsort(s->t, s->n, sizeof(*s->t), status_enc_ptr_cmp);
}

int status_sum_push(struct hsum *s, struct henc *e)
{
	if (grow(s, 1) < 0)
		return -1;
	s->t[s->n++] = status_enc_ref(e);
	return 0;
}

int status_sum_push_range(struct hsum *s, const struct hsum *base, size_t from, size_t count)
{
	if (grow(s, count) < 0)
		return -1;
	for (size_t i = 0; i < count; i++)
		s->t[s->n++] = status_enc_ref(base->t[from + i]);
	return 0;
}

static int same(const struct henc *a, const struct henc *b)
{
	return a == b || (a->len == b->len && memcmp(a->p, b->p, a->len) == 0);
}

long status_sum_diff(const struct hsum *base, const struct hsum *s,
                     int (*op)(void *ctx, enum status_sum_op kind, size_t n, const struct henc *e),
                     void *ctx)
{
	size_t i = 0, j = 0, nb = base ? base->n : 0, keep = 0, drop = 0;
	long inserted = 0;
	int r = 0;

	/* Runs of keeps and drops are flushed before the op that ends them. */
#define FLUSH()                                                                                    \
	do {                                                                                       \
		if (keep && (r = op(ctx, STATUS_SUM_KEEP, keep, NULL)) < 0)                        \
			return r;                                                                  \
		if (drop && (r = op(ctx, STATUS_SUM_DROP, drop, NULL)) < 0)                        \
			return r;                                                                  \
		keep = drop = 0;                                                                   \
	} while (0)
	while (i < s->n) {
		int c = 1;
		/* the same henc (the common case: no byte of it is read), or the
		 * same target with the same bytes */
		if (j < nb &&
		    (base->t[j] == s->t[i] ||
		     ((c = strcmp(status_enc_name(base->t[j]), status_enc_name(s->t[i]))) == 0 &&
		      same(base->t[j], s->t[i])))) {
			if (drop)
				FLUSH();
			keep++;
			i++;
			j++;
			continue;
		}
		if (c <= 0) {
			if (keep)
				FLUSH();
			drop++;
			j++;
			if (c < 0)
				continue;
		}
		FLUSH();
		if ((r = op(ctx, STATUS_SUM_INSERT, 1, s->t[i])) < 0)
			return r;
		inserted++;
		i++;
	}
	drop += nb - j;
	FLUSH();
#undef FLUSH
	return inserted;
}
