/* history_record.c — a changed record's encoding (struct henc) read
 * straight from its bytes: the few members the history takes (target,
 * state, each platform's platform, state, digest and optional) picked out
 * in one pass, the others' values only checked for the type the full
 * parse wants of them. A record in any other form (an escape or a control
 * byte in a string, a member this reader does not know, a member twice,
 * a number that is not a plain integer, a state that is not one) is left
 * to the full parse, which then gives the same encoding or the error it
 * always gave: what this reader accepts, status_parse reads alike. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "history_internal.h"

/* The record's bytes and where the reading is. */
struct rd {
	const char *d;
	size_t n, i;
};

/* A string's bytes (not NUL-terminated); s NULL: the value was null. */
struct sv {
	const char *s;
	size_t n;
};

static void ws(struct rd *r)
{
	while (r->i < r->n && (r->d[r->i] == ' ' || r->d[r->i] == '\n' || r->d[r->i] == '\t' ||
	                       r->d[r->i] == '\r'))
		r->i++;
}

/* A string without escapes or control bytes at r->i; 0, or -1 (another form). */
static int str(struct rd *r, struct sv *out)
{
	size_t k;
	if (r->i >= r->n || r->d[r->i] != '"')
		return -1;
	for (k = r->i + 1; k < r->n; k++) {
		unsigned char c = (unsigned char)r->d[k];
		if (c == '"')
			break;
		if (c == '\\' || c < 0x20)
			return -1;
	}
	if (k >= r->n)
		return -1;
	out->s = r->d + r->i + 1;
	out->n = k - r->i - 1;
	r->i = k + 1;
	return 0;
}

static int lit(struct rd *r, const char *word)
{
	size_t len = strlen(word);
	if (r->n - r->i < len || memcmp(r->d + r->i, word, len) != 0)
		return -1;
	r->i += len;
	return 0;
}

/* A string or null. */
static int str_or_null(struct rd *r, struct sv *out)
{
	out->s = NULL;
	out->n = 0;
	if (r->i < r->n && r->d[r->i] == 'n')
		return lit(r, "null");
	return str(r, out);
}

/* true, false (and null when null_ok); *on: true. */
static int boolean(struct rd *r, int null_ok, int *on)
{
	*on = 0;
	if (lit(r, "true") == 0) {
		*on = 1;
		return 0;
	}
	if (lit(r, "false") == 0 || (null_ok && lit(r, "null") == 0))
		return 0;
	return -1;
}

/* null, or an integer the full parse takes for a size (0 .. 2^53, no sign,
 * no fraction, no leading zero). */
static int size_value(struct rd *r)
{
	size_t k = r->i;
	if (lit(r, "null") == 0)
		return 0;
	while (k < r->n && r->d[k] >= '0' && r->d[k] <= '9')
		k++;
	if (k == r->i || k - r->i > 15 || (r->d[r->i] == '0' && k - r->i > 1))
		return -1;
	r->i = k;
	return 0;
}

/* Index of key in keys[0..n), or -1. */
static int key_index(const struct sv *key, const char *const *keys, int n)
{
	for (int k = 0; k < n; k++)
		if (strlen(keys[k]) == key->n && memcmp(keys[k], key->s, key->n) == 0)
			return k;
	return -1;
}

/* The next member of an object: 1 with *key read and the reading at its
 * value, 0 at the object's end (past its '}'), -1 another form. *first:
 * no member read yet. */
static int member(struct rd *r, int *first, struct sv *key)
{
	ws(r);
	if (r->i < r->n && r->d[r->i] == '}') {
		r->i++;
		return 0;
	}
	if (!*first) {
		if (r->i >= r->n || r->d[r->i] != ',')
			return -1;
		r->i++;
		ws(r);
	}
	*first = 0;
	if (str(r, key) < 0)
		return -1;
	ws(r);
	if (r->i >= r->n || r->d[r->i] != ':')
		return -1;
	r->i++;
	ws(r);
	return 1;
}

static void put(struct base_buf *b, const struct sv *s)
{
	base_buf_put(b, s->s, s->n);
	base_buf_put(b, "", 1);
}

static void put_byte(struct base_buf *b, unsigned v)
{
	char c = (char)v;
	base_buf_put(b, &c, 1);
}

/* A state string's value by parse (target or platform state); -1 none. */
static int state_of(const struct sv *s, int platform)
{
	char name[32];
	if (!s->s || s->n >= sizeof(name))
		return -1;
	memcpy(name, s->s, s->n);
	name[s->n] = '\0';
	if (platform) {
		enum status_platform_state p;
		return status_platform_state_parse(name, &p) < 0 ? -1 : (int)p;
	} else {
		enum status_target_state t;
		return status_target_state_parse(name, &t) < 0 ? -1 : (int)t;
	}
}

enum {
	P_PLATFORM,
	P_STATE,
	P_DIGEST,
	P_OPTIONAL,
	P_SOURCE,
	P_MEDIA_TYPE,
	P_REASON,
	P_SIGNED_BY,
	P_SIZE,
	P_VERIFIED,
	P_CHILD_MISSING,
	P__COUNT
};
static const char *const PLATFORM_KEYS[P__COUNT] = {
    "platform", "state",     "digest", "optional", "source",       "media_type",
    "reason",   "signed_by", "size",   "verified", "child_missing"};

/* One platform object into b: name NUL, state, flags, digest NUL. */
static int platform(struct rd *r, struct base_buf *b)
{
	struct sv key, name = {0}, state = {0}, digest = {0}, other;
	unsigned seen = 0;
	int first = 1, optional = 0, on, st, m;

	if (r->i >= r->n || r->d[r->i] != '{')
		return -1;
	r->i++;
	while ((m = member(r, &first, &key)) > 0) {
		int k = key_index(&key, PLATFORM_KEYS, P__COUNT);
		if (k < 0 || (seen & 1u << k))
			return -1;
		seen |= 1u << k;
		switch (k) {
		case P_PLATFORM:
			if (str_or_null(r, &name) < 0)
				return -1;
			break;
		case P_STATE:
			if (str_or_null(r, &state) < 0)
				return -1;
			break;
		case P_DIGEST:
			if (str_or_null(r, &digest) < 0)
				return -1;
			break;
		case P_OPTIONAL:
			if (boolean(r, 1, &optional) < 0)
				return -1;
			break;
		case P_SIZE:
			if (size_value(r) < 0)
				return -1;
			break;
		case P_VERIFIED:
		case P_CHILD_MISSING:
			if (boolean(r, 1, &on) < 0)
				return -1;
			break;
		default:
			if (str_or_null(r, &other) < 0)
				return -1;
		}
	}
	if (m < 0 || !name.s || (st = state_of(&state, 1)) < 0)
		return -1;
	put(b, &name);
	put_byte(b, (unsigned)st);
	put_byte(b, (digest.s != NULL) | (optional ? 2u : 0u));
	if (digest.s)
		put(b, &digest);
	return 0;
}

/* The platforms array (or null): each platform into b, *count of them. */
static int platforms(struct rd *r, struct base_buf *b, uint32_t *count)
{
	*count = 0;
	if (lit(r, "null") == 0)
		return 0;
	if (r->i >= r->n || r->d[r->i] != '[')
		return -1;
	r->i++;
	ws(r);
	if (r->i < r->n && r->d[r->i] == ']') {
		r->i++;
		return 0;
	}
	for (;;) {
		if (*count == UINT32_MAX || platform(r, b) < 0)
			return -1;
		(*count)++;
		ws(r);
		if (r->i < r->n && r->d[r->i] == ']') {
			r->i++;
			return 0;
		}
		if (r->i >= r->n || r->d[r->i] != ',')
			return -1;
		r->i++;
		ws(r);
	}
}

enum {
	T_TARGET,
	T_STATE,
	T_PLATFORMS,
	T_FOREIGN,
	T_UNCONFIRMED,
	T_DIGEST,
	T_MEDIA_TYPE,
	T_SINCE,
	T_PUBLISHED_AT,
	T_REASON,
	T_SIGNED_BY,
	T__COUNT
};
static const char *const TARGET_KEYS[T__COUNT] = {"target",       "state",  "platforms",  "foreign",
                                                  "unconfirmed",  "digest", "media_type", "since",
                                                  "published_at", "reason", "signed_by"};

int status_enc_read(const char *d, size_t n, struct henc **out)
{
	struct rd r = {d, n, 0};
	struct base_buf plat = {0}, b = {0};
	struct sv key, target = {0}, state = {0}, other;
	uint32_t count = 0;
	unsigned seen = 0;
	int first = 1, on, st, m, rc = 0;
	char c4[4];

	*out = NULL;
	ws(&r);
	if (r.i >= r.n || d[r.i] != '{')
		return 0;
	r.i++;
	while ((m = member(&r, &first, &key)) > 0) {
		int k = key_index(&key, TARGET_KEYS, T__COUNT);
		if (k < 0 || (seen & 1u << k))
			goto out;
		seen |= 1u << k;
		switch (k) {
		case T_TARGET:
			if (str_or_null(&r, &target) < 0)
				goto out;
			break;
		case T_STATE:
			if (str_or_null(&r, &state) < 0)
				goto out;
			break;
		case T_PLATFORMS:
			if (platforms(&r, &plat, &count) < 0)
				goto out;
			break;
		case T_FOREIGN: /* true or false: null is the full parse's error */
			if (boolean(&r, 0, &on) < 0)
				goto out;
			break;
		case T_UNCONFIRMED:
			if (boolean(&r, 1, &on) < 0)
				goto out;
			break;
		default:
			if (str_or_null(&r, &other) < 0)
				goto out;
		}
	}
	ws(&r);
	if (m < 0 || r.i != r.n || !target.s || (st = state_of(&state, 0)) < 0)
		goto out;
	put(&b, &target);
	put_byte(&b, (unsigned)st);
	c4[0] = (char)(count & 0xff);
	c4[1] = (char)(count >> 8 & 0xff);
	c4[2] = (char)(count >> 16 & 0xff);
	c4[3] = (char)(count >> 24);
	base_buf_put(&b, c4, 4);
	if (plat.len)
		base_buf_put(&b, plat.data, plat.len);
	if (plat.oom || b.oom) {
		rc = -1;
		goto out;
	}
	if (!(*out = status_enc_from((const uint8_t *)b.data, b.len)))
		rc = -1;
	else
		rc = 1;
out:
	base_buf_free(&plat);
	base_buf_free(&b);
	return rc;
}
