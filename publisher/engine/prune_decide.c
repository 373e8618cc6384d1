/* prune_decide.c — which per-arch source tags prune may delete: a pure
 * function of what the HEADs and the lists said, so every case is a table
 * row in a unit test. Deleting is safe only when every target using a tag
 * has published a list whose child for that platform is the tag's digest:
 * the list's own repository then holds the child, and the tag is no longer
 * needed. A child that repository does not serve keeps its source (the last
 * copy), and a tag a retag: rule reads is kept for that rule. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prune.h"

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	if (n < 0 || !(s = malloc((size_t)n + 1)))
		return NULL;
	va_start(ap, f);
	vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

/* Why target t cannot let its sources go, or NULL when it can. */
static char *target_blocked(const struct pub_prune_in_target *t,
                            const struct pub_prune_in_source *sources)
{
	if (t->why_not)
		return fmt("%s: %s", t->ref, t->why_not);
	for (size_t k = 0; k < t->n_uses; k++) {
		const struct pub_prune_use *u = &t->uses[k];
		const struct pub_prune_in_source *s = &sources[u->source];
		if (s->absent)
			continue; /* gone already: nothing to keep */
		if (s->error)
			return fmt("%s", s->error);
		if (!u->child)
			return fmt("%s: its list has no %s entry", t->ref, u->platform);
		if (strcmp(u->child, s->digest) != 0)
			return fmt(
			    "%s holds %s, not the %s child of %s (rebuilt since the list was "
			    "published)",
			    s->ref, s->digest, u->platform, t->ref);
	}
	return NULL;
}

int pub_prune_decide(const struct pub_prune_in_target *targets, size_t n_targets,
                     const struct pub_prune_in_source *sources, size_t n_sources,
                     struct pub_prune_verdict *out)
{
	char **blocked = calloc(n_targets ? n_targets : 1, sizeof(*blocked));

	if (!blocked)
		return -1;
	for (size_t i = 0; i < n_sources; i++)
		out[i] = (struct pub_prune_verdict){0, NULL};
	for (size_t t = 0; t < n_targets; t++)
		blocked[t] = target_blocked(&targets[t], sources);
	for (size_t i = 0; i < n_sources; i++) {
		const struct pub_prune_in_source *s = &sources[i];
		const char *why = NULL;
		size_t users = 0;

		if (!s->selected)
			continue;
		if (s->absent) {
			out[i].reason = strdup("not found: nothing to delete");
			goto next;
		}
		if (s->error) {
			out[i].reason = strdup(s->error);
			goto next;
		}
		if (s->retag_to) {
			out[i].reason =
			    fmt("a retag: rule reads it (copies it to %s)", s->retag_to);
			goto next;
		}
		if (s->target_repo) {
			out[i].reason =
			    fmt("in the repository of target %s: its digest may be that "
			        "list's child",
			        s->target_repo);
			goto next;
		}
		for (size_t t = 0; t < n_targets && !why; t++) {
			for (size_t k = 0; k < targets[t].n_uses; k++) {
				if (targets[t].uses[k].source != i)
					continue;
				users++;
				if (blocked[t])
					why = blocked[t];
				break;
			}
		}
		if (why) {
			size_t l = strlen(s->ref);
			/* its own digest differs: the line names it already */
			out[i].reason = users == 1 && strncmp(why, s->ref, l) == 0 && why[l] == ' '
			                    ? strdup(why + l + 1)
			                    : fmt("still needed: %s", why);
			goto next;
		}
		if (!users) {
			out[i].reason = strdup("no target uses it");
			goto next;
		}
		/* G2: nothing destroys the last copy of a list's child. */
		for (size_t t = 0; t < n_targets && !why; t++) {
			for (size_t k = 0; k < targets[t].n_uses; k++) {
				const struct pub_prune_use *u = &targets[t].uses[k];
				if (u->source != i || !u->child_missing || !u->child ||
				    strcmp(u->child, s->digest) != 0)
					continue;
				why = targets[t].ref;
				out[i].reason =
				    fmt("last copy: the %s child of %s (%s) is missing from "
				        "that list's repository",
				        u->platform, targets[t].ref, u->child);
				break;
			}
		}
		if (why)
			goto next;
		out[i].deletable = 1;
		continue;
	next:
		if (!out[i].reason) {
			for (size_t k = 0; k <= i; k++)
				free(out[k].reason);
			for (size_t t = 0; t < n_targets; t++)
				free(blocked[t]);
			free(blocked);
			return -1;
		}
	}
	for (size_t t = 0; t < n_targets; t++)
		free(blocked[t]);
	free(blocked);
	return 0;
}
