/* error.c — struct base_error: set, wrap with context, clear. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base.h"

void base_error_clear(struct base_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

void base_error_set(struct base_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

void base_error_wrap(struct base_error *err, const char *fmt, ...)
{
	char ctx[BASE_EMSG], old[BASE_EMSG];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	/* The cause is the valuable part: keep as much of it as fits after the
	 * context, rather than letting a long prefix push it out entirely. */
	memcpy(old, err->msg, sizeof(old));
	old[sizeof(old) - 1] = '\0';
	if (old[0] == '\0') {
		snprintf(err->msg, sizeof(err->msg), "%s", ctx);
		return;
	}
	size_t clen = strlen(ctx), olen = strlen(old), cap = sizeof(err->msg) - 1;
	if (clen > cap / 2)
		clen = cap / 2;
	if (olen > cap - clen - 2)
		olen = cap - clen - 2;
	memcpy(err->msg, ctx, clen);
	memcpy(err->msg + clen, ": ", 2);
	memcpy(err->msg + clen + 2, old, olen);
	err->msg[clen + 2 + olen] = '\0';
}
