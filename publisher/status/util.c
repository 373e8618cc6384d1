/* util.c — the small helpers every publisher wing shares (strings, string
 * vectors, text made safe for a terminal, the clock) and the state names of
 * the status file. One copy each; engine/ and cli/ use them through
 * status.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "status.h"

char *pub_dup_or_null(const char *s, int *fail)
{
	char *d;
	if (!s)
		return NULL;
	d = strdup(s);
	if (!d && fail)
		*fail = 1;
	return d;
}

int pub_streq0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

void pub_strv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int pub_strv_dup(char *const *src, size_t n, char ***out)
{
	char **v;

	*out = NULL;
	if (n == 0)
		return 0;
	v = calloc(n, sizeof(*v));
	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!(v[i] = strdup(src[i]))) {
			pub_strv_free(v, i);
			return -1;
		}
	}
	*out = v;
	return 0;
}

char *pub_now_rfc3339(void)
{
	const char *fixed = getenv("MANIFOLD_NOW");
	char buf[BASE_TIME_MAX];

	if (fixed && *fixed)
		return strdup(fixed);
	base_time_format(time(NULL), buf);
	return strdup(buf);
}

static const char *const target_state_names[PUB_T__COUNT] = {
    [PUB_T_PUBLISHED] = "published",
    [PUB_T_UNCHANGED] = "unchanged",
    [PUB_T_INCOMPLETE] = "incomplete",
    [PUB_T_FAILED] = "failed",
    /* check's state: a file may hold it, publish never writes it */
    [PUB_T_READY] = "ready",
    [PUB_T_HELD] = "held",
};

static const char *const platform_state_names[PUB_P__COUNT] = {
    [PUB_P_READY] = "ready",
    [PUB_P_MISSING] = "missing",
    [PUB_P_WRONG_PLATFORM] = "wrong-platform",
    [PUB_P_ERROR] = "error",
};

const char *pub_target_state_str(enum pub_target_state s)
{
	if ((unsigned)s >= PUB_T__COUNT)
		return "unknown";
	return target_state_names[s];
}

const char *pub_platform_state_str(enum pub_platform_state s)
{
	if ((unsigned)s >= PUB_P__COUNT)
		return "unknown";
	return platform_state_names[s];
}

int pub_target_state_parse(const char *s, enum pub_target_state *out)
{
	for (int i = 0; s && i < PUB_T__COUNT; i++) {
		if (strcmp(s, target_state_names[i]) == 0) {
			*out = (enum pub_target_state)i;
			return 0;
		}
	}
	return -1;
}

int pub_platform_state_parse(const char *s, enum pub_platform_state *out)
{
	for (int i = 0; s && i < PUB_P__COUNT; i++) {
		if (strcmp(s, platform_state_names[i]) == 0) {
			*out = (enum pub_platform_state)i;
			return 0;
		}
	}
	return -1;
}

/* Length of the valid UTF-8 sequence at s (2..4), or 0. */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* How one character at s shows on a terminal: into out (NUL-terminated,
 * at most 6 bytes plus NUL), returning the bytes of s it stands for. */
static size_t term_char(const unsigned char *s, char out[8])
{
	size_t n;

	if (*s == '\t' || *s == '\n' || *s == '\r') {
		snprintf(out, 8, " ");
		return 1;
	}
	if (*s < 0x20 || *s == 0x7f) {
		snprintf(out, 8, "\\x%02x", *s);
		return 1;
	}
	if (*s < 0x80) {
		out[0] = (char)*s;
		out[1] = '\0';
		return 1;
	}
	n = utf8_seq(s);
	if (!n) {
		snprintf(out, 8, "\\x%02x", *s);
		return 1;
	}
	if (n == 2 && s[0] == 0xc2 && s[1] <= 0x9f) { /* C1 control as UTF-8 */
		snprintf(out, 8, "\\x%02x", s[1]);
		return 2;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return n;
}

const char *pub_term_text(const char *s, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;
	char one[8];

	if (!s)
		return NULL;
	for (; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			break;
	if (!*p)
		return s; /* plain printable ASCII: nothing to do */
	p = (const unsigned char *)s;
	if (!len)
		return "";
	while (*p) {
		size_t used = term_char(p, one), w = strlen(one);
		if (o + w >= len)
			break;
		memcpy(buf + o, one, w);
		o += w;
		p += used;
	}
	buf[o] = '\0';
	return buf;
}

void pub_fputs_term(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char one[8];

	while (p && *p) {
		p += term_char(p, one);
		fputs(one, f);
	}
}
