/* util.c — the small helpers every publisher wing shares (strings, string
 * vectors, a growing string buffer, text made safe for a terminal, the
 * clock, an atomic file write). One copy each; engine/ and cli/ use them
 * through status_util.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "status_util.h"

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

void pub_sb_put(struct pub_sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *np;
		while (cap < b->len + n + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void pub_sb_str(struct pub_sb *b, const char *s)
{
	pub_sb_put(b, s, strlen(s));
}

void pub_sb_fmt(struct pub_sb *b, const char *fmt, ...)
{
	char tmp[256], *big;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		pub_sb_put(b, tmp, (size_t)n);
		return;
	}
	big = malloc((size_t)n + 1);
	if (!big) {
		b->oom = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	pub_sb_put(b, big, (size_t)n);
	free(big);
}

char *pub_sb_take(struct pub_sb *b)
{
	char *p = b->p;

	if (b->oom || !p) {
		free(p);
		p = b->oom ? NULL : strdup("");
	}
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
	return p;
}

void pub_sb_free(struct pub_sb *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

char *pub_now_rfc3339(void)
{
	const char *fixed = getenv("MANIFOLD_NOW");
	char buf[32];
	struct tm tm;
	time_t now;

	if (fixed && *fixed)
		return strdup(fixed);
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return strdup(buf);
}

/* The rename is the commit point: a reader (node_exporter's textfile
 * collector, git) sees the old bytes or the new ones, never a part. */
int pub_file_write_atomic(const char *path, const char *data, size_t len, unsigned mode,
                          struct reg_error *err)
{
	char tmp[4096];
	FILE *f = NULL;
	int fd, ok;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= sizeof(tmp)) {
		reg_error_set(err, "%s: path too long", path);
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		reg_error_set(err, "%s: create temporary file: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ok = fchmod(fd, (mode_t)mode) == 0 && fwrite(data, 1, len, f) == len && fflush(f) == 0 &&
	     fsync(fd) == 0;
	if (fclose(f) != 0 || !ok) {
		reg_error_set(err, "%s: write %s: %s", path, tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		reg_error_set(err, "%s: rename: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
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
