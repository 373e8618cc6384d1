/* history_sum.c — a version's summary: the few fields of each target the
 * history uses, as compact bytes that compare with memcmp, feed
 * status_history_add without a copy, and diff against the version before.
 *
 * One target: reference NUL, state (1 byte), platform count (4 bytes, little
 * endian), then per platform: name NUL, state (1 byte), 1 when a digest
 * follows else 0, the digest NUL. */
#include <stdlib.h>
#include <string.h>

#include "history_internal.h"

void status_sum_free(struct hsum *s)
{
	if (!s)
		return;
	free(s->finished);
	free(s->buf);
	free(s->off);
	memset(s, 0, sizeof(*s));
}

const uint8_t *status_sum_target(const struct hsum *s, size_t i, size_t *len)
{
	*len = (i + 1 < s->n ? s->off[i + 1] : s->len) - s->off[i];
	return s->buf + s->off[i];
}

static int grow(struct hsum *s, size_t more_bytes, size_t more_targets)
{
	if (s->len + more_bytes > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->len + more_bytes)
			cap *= 2;
		uint8_t *nb = realloc(s->buf, cap);
		if (!nb)
			return -1;
		s->buf = nb;
		s->cap = cap;
	}
	if (s->n + more_targets > s->cap_off) {
		size_t cap = s->cap_off ? s->cap_off : 64;
		while (cap < s->n + more_targets)
			cap *= 2;
		size_t *no = realloc(s->off, cap * sizeof(*no));
		if (!no)
			return -1;
		s->off = no;
		s->cap_off = cap;
	}
	return 0;
}

int status_sum_push(struct hsum *s, const uint8_t *p, size_t len)
{
	if (grow(s, len, 1) < 0)
		return -1;
	memcpy(s->buf + s->len, p, len);
	s->off[s->n++] = s->len;
	s->len += len;
	return 0;
}

int status_sum_push_range(struct hsum *s, const struct hsum *base, size_t from, size_t count)
{
	size_t start, end;
	if (!count)
		return 0;
	start = base->off[from];
	end = from + count < base->n ? base->off[from + count] : base->len;
	if (grow(s, end - start, count) < 0)
		return -1;
	memcpy(s->buf + s->len, base->buf + start, end - start);
	for (size_t i = 0; i < count; i++)
		s->off[s->n++] = s->len + base->off[from + i] - start;
	s->len += end - start;
	return 0;
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

int status_sum_from_targets(struct hsum *s, const git_oid *blob, const char *finished,
                            const struct status_target_status *const *t, size_t n)
{
	struct base_buf b = {0};
	memset(s, 0, sizeof(*s));
	git_oid_cpy(&s->blob, blob);
	if (finished && !(s->finished = strdup(finished)))
		return -1;
	if (!(s->off = malloc((n ? n : 1) * sizeof(*s->off))))
		goto oom;
	for (size_t i = 0; i < n; i++) {
		s->off[i] = b.len;
		put(&b, t[i]->target);
		put_byte(&b, (unsigned)t[i]->state);
		if (t[i]->n_platforms > UINT32_MAX)
			goto oom;
		put_u32(&b, (uint32_t)t[i]->n_platforms);
		for (size_t j = 0; j < t[i]->n_platforms; j++) {
			const struct status_platform_status *p = &t[i]->platforms[j];
			put(&b, p->platform);
			put_byte(&b, (unsigned)p->state);
			/* flags: 1 a digest follows, 2 optional (never lacking) */
			put_byte(&b, (p->digest != NULL) | (p->optional ? 2u : 0u));
			if (p->digest)
				put(&b, p->digest);
		}
	}
	if (b.oom)
		goto oom;
	s->n = s->cap_off = n;
	s->len = s->cap = b.len;
	s->buf = b.data;
	return 0;
oom:
	base_buf_free(&b);
	status_sum_free(s);
	return -1;
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

int status_sum_add(struct status_history *h, const char *commit, const struct hsum *s,
                   struct base_error *err)
{
	struct status_target_status *t = calloc(s->n + 1, sizeof(*t));
	const struct status_target_status **v = calloc(s->n + 1, sizeof(*v));
	struct status_platform_status *plats = NULL;
	size_t total = 0, used = 0;
	int rc = -1;

	if (!t || !v)
		goto oom;
	for (size_t i = 0; i < s->n; i++) {
		const uint8_t *p = s->buf + s->off[i];
		total += get_u32(p + strlen((const char *)p) + 2);
	}
	if (!(plats = calloc(total + 1, sizeof(*plats))))
		goto oom;
	/* The strings stay in s->buf: status_history_add copies what it keeps. */
	for (size_t i = 0; i < s->n; i++) {
		char *p = (char *)s->buf + s->off[i];
		t[i].target = p;
		p += strlen(p) + 1;
		t[i].state = (enum status_target_state)(uint8_t)p[0];
		t[i].n_platforms = get_u32((const uint8_t *)p + 1);
		t[i].platforms = plats + used;
		p += 5;
		for (size_t j = 0; j < t[i].n_platforms; j++) {
			struct status_platform_status *ps = &plats[used++];
			ps->platform = p;
			p += strlen(p) + 1;
			ps->state = (enum status_platform_state)(uint8_t)p[0];
			ps->size = -1;
			ps->optional = (p[1] & 2) != 0;
			p += 2;
			if (p[-1] & 1) {
				ps->digest = p;
				p += strlen(p) + 1;
			}
		}
		v[i] = &t[i];
	}
	rc = status_history_add(h, commit, s->finished, v, s->n, err);
	goto out;
oom:
	base_error_set(err, "history: out of memory");
out:
	free(plats);
	free(v);
	free(t);
	return rc;
}

static int name_cmp(const struct hsum *a, size_t i, const struct hsum *b, size_t j)
{
	return strcmp((const char *)a->buf + a->off[i], (const char *)b->buf + b->off[j]);
}

long status_sum_diff(const struct hsum *base, const struct hsum *s,
                     int (*op)(void *ctx, enum status_sum_op kind, size_t n, const uint8_t *p),
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
		int c = j < nb ? name_cmp(base, j, s, i) : 1;
		size_t la = 0, lb;
		const uint8_t *a = c == 0 ? status_sum_target(base, j, &la) : NULL;
		const uint8_t *b = status_sum_target(s, i, &lb);
		if (c == 0 && la == lb && memcmp(a, b, la) == 0) {
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
		if ((r = op(ctx, STATUS_SUM_INSERT, lb, b)) < 0)
			return r;
		inserted++;
		i++;
	}
	drop += nb - j;
	FLUSH();
#undef FLUSH
	return inserted;
}
