/* buf.c — struct base_buf, the one growable buffer; the strings of a
 * packed block. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"

void base_buf_put(struct base_buf *b, const void *s, size_t n)
{
	if (b->oom)
		return;
	/* A buffer filled by hand has cap 0 and len bytes: grow from there. */
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		uint8_t *np;
		while (cap < b->len + n + 1)
			cap *= 2;
		np = realloc(b->data, cap);
		if (!np) {
			b->oom = 1;
			return;
		}
		b->data = np;
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void base_buf_str(struct base_buf *b, const char *s)
{
	base_buf_put(b, s, strlen(s));
}

void base_buf_fmt(struct base_buf *b, const char *fmt, ...)
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
		base_buf_put(b, tmp, (size_t)n);
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
	base_buf_put(b, big, (size_t)n);
	free(big);
}

char *base_buf_take(struct base_buf *b)
{
	char *p = (char *)b->data;

	if (b->oom || !p) {
		free(p);
		p = b->oom ? NULL : strdup("");
	}
	b->data = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
	return p;
}

void base_buf_free(struct base_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

size_t base_str_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

void base_str_move(char **s, char **at)
{
	size_t n;

	if (!*s)
		return;
	n = strlen(*s) + 1;
	memcpy(*at, *s, n);
	free(*s);
	*s = *at;
	*at += n;
}

void *base_mem_move(void *p, size_t n, char **at)
{
	char *to = *at;

	if (!n)
		return p;
	memcpy(to, p, n);
	free(p);
	*at += n;
	return to;
}
