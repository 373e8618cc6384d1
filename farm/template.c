/* template.c — reference templates: {registry} {name} {tag} {os} {arch}
 * {variant}, and manifest-tool's bare OS ARCH VARIANT. A bare token counts
 * only when a whole run of letters and digits is made of them ("ARCH",
 * "ARCHVARIANT"; never the ARCH in "ARCHIVE" or "myARCH"), so ordinary
 * upper-case text in a reference is left alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "farm_internal.h"

enum tok { T_LIT, T_REGISTRY, T_NAME, T_TAG, T_OS, T_ARCH, T_VARIANT };

static const char *const brace_names[] = {"registry", "name", "tag", "os", "arch", "variant", NULL};
static const char *const bare_names[] = {"OS", "ARCH", "VARIANT"};

/* Called per part; prev is the template character right before the part
 * (0 at the start), which the empty-variant rule looks at. */
typedef int (*visit_fn)(void *ctx, enum tok t, int bare, const char *s, size_t len, char prev);

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Length of the bare token at s (OS/ARCH/VARIANT) or 0. */
static size_t bare_at(const char *s, size_t len, enum tok *t)
{
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(bare_names[i]);
		if (len >= n && memcmp(s, bare_names[i], n) == 0) {
			*t = (enum tok)(T_OS + i);
			return n;
		}
	}
	return 0;
}

/* 1 when the run is made entirely of bare tokens. */
static int run_is_bare(const char *s, size_t len)
{
	enum tok t;
	while (len > 0) {
		size_t n = bare_at(s, len, &t);
		if (n == 0)
			return 0;
		s += n;
		len -= n;
	}
	return 1;
}

static int walk(const char *tmpl, visit_fn visit, void *ctx, char *why, size_t why_len)
{
	const char *p = tmpl;
	while (*p) {
		char prev = p > tmpl ? p[-1] : 0;
		if (*p == '{') {
			const char *end = strchr(p + 1, '}');
			const char *open = strchr(p + 1, '{');
			if (!end || (open && open < end)) {
				snprintf(why, why_len, "unclosed \"{\" in template \"%s\"", tmpl);
				return -1;
			}
			size_t n = (size_t)(end - p - 1);
			int found = -1;
			for (int i = 0; brace_names[i]; i++)
				if (strlen(brace_names[i]) == n &&
				    memcmp(brace_names[i], p + 1, n) == 0)
					found = i;
			if (found < 0) {
				char name[64];
				snprintf(name, sizeof(name), "%.*s", (int)(n < 60 ? n : 60), p + 1);
				const char *s = farm_suggest(name, brace_names);
				if (s)
					snprintf(why, why_len,
					         "unknown template token \"{%s}\" (did you mean "
					         "\"{%s}\"?)",
					         name, s);
				else
					snprintf(why, why_len,
					         "unknown template token \"{%s}\" (known: "
					         "{registry} {name} "
					         "{tag} {os} {arch} {variant})",
					         name);
				return -1;
			}
			if (visit &&
			    visit(ctx, (enum tok)(T_REGISTRY + found), 0, p, n + 2, prev) < 0)
				return -1;
			p = end + 1;
			continue;
		}
		if (*p == '}') {
			snprintf(why, why_len, "unmatched \"}\" in template \"%s\"", tmpl);
			return -1;
		}
		if (is_alnum(*p)) {
			size_t len = 0;
			while (is_alnum(p[len]))
				len++;
			if (!run_is_bare(p, len)) {
				if (visit && visit(ctx, T_LIT, 0, p, len, prev) < 0)
					return -1;
				p += len;
				continue;
			}
			while (len > 0) {
				enum tok t = T_LIT;
				size_t n = bare_at(p, len, &t);
				if (visit && visit(ctx, t, 1, p, n, p > tmpl ? p[-1] : 0) < 0)
					return -1;
				p += n;
				len -= n;
			}
			continue;
		}
		if (visit && visit(ctx, T_LIT, 0, p, 1, prev) < 0)
			return -1;
		p++;
	}
	return 0;
}

int farm_template_check(const char *tmpl, char *why, size_t why_len)
{
	return walk(tmpl, NULL, NULL, why, why_len);
}

struct uses_ctx {
	unsigned mask;
};

static int uses_visit(void *ctx, enum tok t, int bare, const char *s, size_t len, char prev)
{
	(void)bare, (void)s, (void)len, (void)prev;
	((struct uses_ctx *)ctx)->mask |= 1u << t;
	return 0;
}

static unsigned uses_mask(const char *tmpl)
{
	struct uses_ctx u = {0};
	char why[FARM_EMSG]; /* unused: a bad template uses nothing */
	if (!tmpl || walk(tmpl, uses_visit, &u, why, sizeof(why)) < 0)
		return 0;
	return u.mask;
}

int farm_template_uses(const char *tmpl, const char *token)
{
	for (int i = 0; brace_names[i]; i++)
		if (strcmp(brace_names[i], token) == 0)
			return (uses_mask(tmpl) >> (T_REGISTRY + i)) & 1u;
	return 0;
}

int farm_template_is_per_platform(const char *tmpl)
{
	unsigned m = uses_mask(tmpl);
	return (m & ((1u << T_OS) | (1u << T_ARCH) | (1u << T_VARIANT))) != 0;
}

struct expand_ctx {
	const struct farm_vars *vars;
	const char *tmpl;
	char *buf;
	size_t len, cap;
	char *why;
	size_t why_len;
};

static int put(struct expand_ctx *e, const char *s, size_t n)
{
	if (e->len + n + 1 > e->cap) {
		size_t cap = e->cap ? e->cap : 64;
		while (cap < e->len + n + 1)
			cap *= 2;
		char *b = realloc(e->buf, cap);
		if (!b) {
			snprintf(e->why, e->why_len, "out of memory");
			return -1;
		}
		e->buf = b;
		e->cap = cap;
	}
	memcpy(e->buf + e->len, s, n);
	e->len += n;
	e->buf[e->len] = '\0';
	return 0;
}

static int expand_visit(void *ctx, enum tok t, int bare, const char *s, size_t len, char prev)
{
	struct expand_ctx *e = ctx;
	const struct farm_vars *v = e->vars;
	const char *val = NULL;
	switch (t) {
	case T_LIT:
		return put(e, s, len);
	case T_REGISTRY:
		val = v->registry;
		break;
	case T_NAME:
		val = v->name;
		break;
	case T_TAG:
		val = v->tag;
		break;
	case T_OS:
		val = v->os;
		break;
	case T_ARCH:
		val = v->arch;
		break;
	case T_VARIANT:
		val = v->variant;
		break;
	}
	if (!val) {
		snprintf(e->why, e->why_len, "template \"%s\": %.*s is not set", e->tmpl, (int)len,
		         s);
		return -1;
	}
	(void)bare;
	/* "{name}-{arch}-{variant}" for a platform without variant reads
	 * "name-amd64", not "name-amd64-". */
	if (t == T_VARIANT && val[0] == '\0' && (prev == '-' || prev == '/') && e->len > 0 &&
	    e->buf[e->len - 1] == prev) {
		e->buf[--e->len] = '\0';
		return 0;
	}
	return put(e, val, strlen(val));
}

char *farm_template_expand(const char *tmpl, const struct farm_vars *vars, struct farm_error *err)
{
	static const struct farm_vars none;
	char why[FARM_EMSG];
	struct expand_ctx e = {
	    .vars = vars ? vars : &none, .tmpl = tmpl, .why = why, .why_len = sizeof(why)};
	if (!tmpl) {
		farm_err_set(err, "no template");
		return NULL;
	}
	if (walk(tmpl, expand_visit, &e, why, sizeof(why)) < 0 || put(&e, "", 0) < 0) {
		free(e.buf);
		farm_err_set(err, "%s", why);
		return NULL;
	}
	/* a plan holds every expanded reference all the run: no spare room */
	char *fit = realloc(e.buf, e.len + 1);
	return fit ? fit : e.buf;
}
