/* ctx.c — the validation context every config reader writes to: the key
 * path ("images[3].platforms[1]"), errors recorded at their node's
 * file:line:column (and the alias's place for a copied node), and their
 * report in document order. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "farm_internal.h"

size_t farm_path_key(struct farm_ctx *x, const char *key)
{
	size_t mark = x->path_len;
	int plain = key[0] != '\0';
	for (const char *p = key; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			plain = 0;
	size_t room = sizeof(x->path) - x->path_len;
	int n = snprintf(x->path + x->path_len, room, plain ? "%s%s" : "%s\"%s\"",
	                 x->path_len ? "." : "", key);
	x->path_len = (n < 0 || (size_t)n >= room) ? sizeof(x->path) - 1 : x->path_len + (size_t)n;
	return mark;
}

size_t farm_path_index(struct farm_ctx *x, size_t i)
{
	size_t mark = x->path_len;
	size_t room = sizeof(x->path) - x->path_len;
	int n = snprintf(x->path + x->path_len, room, "[%zu]", i);
	x->path_len = (n < 0 || (size_t)n >= room) ? sizeof(x->path) - 1 : x->path_len + (size_t)n;
	return mark;
}

void farm_path_pop(struct farm_ctx *x, size_t mark)
{
	x->path_len = mark;
	x->path[mark] = '\0';
}

static int vfail(struct farm_ctx *x, const struct farm_node *n, int at_end, const char *fmt,
                 va_list ap) __attribute__((format(printf, 4, 0)));
static int vfail(struct farm_ctx *x, const struct farm_node *n, int at_end, const char *fmt,
                 va_list ap)
{
	char msg[FARM_EMSG];
	char where[FARM_EMSG];
	char line[FARM_EMSG * 3];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n && n->via_line)
		snprintf(where, sizeof(where), "%s:%d:%d (via alias at %d:%d)", x->file, n->line,
		         n->column, n->via_line, n->via_column);
	else if (n)
		snprintf(where, sizeof(where), "%s:%d:%d", x->file, n->line, n->column);
	else
		snprintf(where, sizeof(where), "%s", x->file);
	if (x->path_len)
		snprintf(line, sizeof(line), "%s: %s: %s", where, x->path, msg);
	else
		snprintf(line, sizeof(line), "%s: %s", where, msg);
	x->n_errors++;
	if (x->n_found == FARM_KEEP_ERRORS)
		return -1;
	if (!x->found && !(x->found = calloc(FARM_KEEP_ERRORS, sizeof(*x->found))))
		return -1;
	struct farm_found *f = &x->found[x->n_found];
	/* An error inside an aliased node sorts where the alias is. */
	f->line = !n ? 0 : n->via_line ? n->via_line : at_end ? n->end_line : n->line;
	f->column = !n ? 0 : n->via_line ? n->via_column : at_end ? n->end_column : n->column;
	/* cut as err->msg would be, so that FARM_MAX_ERRORS lines fit in all */
	if ((f->msg = farm_strndup(line, strnlen(line, FARM_EMSG - 1))))
		x->n_found++;
	return -1;
}

int farm_fail(struct farm_ctx *x, const struct farm_node *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(x, n, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int farm_fail_end(struct farm_ctx *x, const struct farm_node *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(x, n, 1, fmt, ap);
	va_end(ap);
	return -1;
}

int farm_ctx_finish(struct farm_ctx *x)
{
	if (x->n_errors == 0)
		return 0;
	/* Document order; errors at one place keep the order they were found
	 * in (a stable insertion sort; at most FARM_KEEP_ERRORS). */
	for (size_t i = 1; i < x->n_found; i++) {
		struct farm_found f = x->found[i];
		size_t j = i;
		for (; j > 0 &&
		       (x->found[j - 1].line > f.line ||
		        (x->found[j - 1].line == f.line && x->found[j - 1].column > f.column));
		     j--)
			x->found[j] = x->found[j - 1];
		x->found[j] = f;
	}
	struct farm_error *err = x->err;
	if (err) {
		base_error_clear(&err->base); /* as farm_err_set: no status, no code */
		if (x->n_found)
			snprintf(err->msg, sizeof(err->msg), "%s", x->found[0].msg);
		else
			snprintf(err->msg, sizeof(err->msg), "%s: out of memory", x->file);
		size_t used = 0;
		err->all[0] = '\0';
		for (size_t i = 0; i < x->n_found && i < FARM_MAX_ERRORS; i++) {
			int w = snprintf(err->all + used, sizeof(err->all) - used, "%s\n",
			                 x->found[i].msg);
			if (w > 0)
				used += (size_t)w < sizeof(err->all) - used ? (size_t)w : 0;
		}
		if (!x->n_found)
			snprintf(err->all, sizeof(err->all), "%s\n", err->msg);
		err->n_errors = x->n_errors;
	}
	for (size_t i = 0; i < x->n_found; i++)
		free(x->found[i].msg);
	free(x->found);
	x->found = NULL;
	x->n_found = 0;
	return -1;
}
