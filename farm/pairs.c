/* pairs.c — ad hoc copy lists for `manifold retag --from-file`: one
 * "SRC DST" pair per line, '#' comments and blank lines ignored. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "farm_internal.h"

#define PAIRS_MAX_LINE 4096

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int farm_pairs_load(const char *path, struct farm_copy_plan **out, struct farm_error *err)
{
	struct farm_copy_plan *p = NULL;
	char *line = NULL;
	size_t line_cap = 0, cap = 0, lineno = 0;
	ssize_t got;
	int rc = -1;
	FILE *f = fopen(path, "r");

	*out = NULL;
	if (!f) {
		farm_err_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!(p = calloc(1, sizeof(*p))))
		goto oom;
	while ((got = getline(&line, &line_cap, f)) != -1) {
		lineno++;
		if (got > PAIRS_MAX_LINE) {
			farm_err_set(err, "%s:%zu: line longer than %d bytes", path, lineno,
			             PAIRS_MAX_LINE);
			goto out;
		}
		if (memchr(line, '\0', (size_t)got)) {
			farm_err_set(err, "%s:%zu: NUL character in line", path, lineno);
			goto out;
		}
		/* References never contain '#', so it starts a comment anywhere. */
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *field[3];
		size_t len[3], n = 0;
		for (char *s = line; *s;) {
			while (is_blank(*s))
				s++;
			if (!*s)
				break;
			char *start = s;
			while (*s && !is_blank(*s))
				s++;
			if (n < 3) {
				field[n] = start;
				len[n] = (size_t)(s - start);
			}
			n++;
		}
		if (n == 0)
			continue;
		if (n != 2) {
			farm_err_set(err, "%s:%zu: expected \"SRC DST\", got %zu field%s", path,
			             lineno, n, n == 1 ? "" : "s");
			goto out;
		}
		if (p->n_copies == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct farm_copy *nc = realloc(p->copies, ncap * sizeof(*nc));
			if (!nc)
				goto oom;
			p->copies = nc;
			cap = ncap;
		}
		struct farm_copy *c = &p->copies[p->n_copies];
		memset(c, 0, sizeof(*c));
		c->from = farm_strndup(field[0], len[0]);
		c->to = farm_strndup(field[1], len[1]);
		p->n_copies++;
		if (!c->from || !c->to)
			goto oom;
	}
	if (ferror(f)) {
		farm_err_set(err, "%s: read error", path);
		goto out;
	}
	*out = p;
	p = NULL;
	rc = 0;
	goto out;
oom:
	farm_err_set(err, "%s: out of memory", path);
out:
	farm_copy_plan_free(p);
	free(line);
	fclose(f);
	return rc;
}
