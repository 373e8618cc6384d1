/* report_markdown.c — manifold status as Markdown for a pull request or a
 * chat message: the summary, what changed since a revision, the targets
 * that are not green, the legend, a per-platform summary, the images ×
 * platforms matrix and, with a history, a compact history section. Only
 * what GitHub-flavoured Markdown renders: headings, lists, tables, code. */
#include <stdlib.h>
#include <string.h>

#include "status_report.h"
#include "report_internal.h"

/* Text from a registry, the config or the status file: terminal controls
 * escaped, HTML-significant characters as entities (GitHub renders inline
 * HTML), and '|' escaped since table cells may not hold it. */
static void md_text(FILE *f, const char *s)
{
	char buf[4096];
	s = status_term_text(s, buf, sizeof(buf));
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else
			fputc(*s, f);
	}
}

static const char *md_icon(const char *cell)
{
	if (!strcmp(cell, "published") || !strcmp(cell, "unchanged"))
		return "✅";
	if (!strcmp(cell, "ready"))
		return "☑️";
	if (!strcmp(cell, "missing"))
		return "⏳";
	if (!strcmp(cell, "absent"))
		return "—";
	return "❌";
}

static void md_since(FILE *f, const struct status_since *since, const char *now)
{
	char age[32];
	fprintf(f, "\n### Since `%s`\n\n", since->rev);
	for (size_t i = 0; i < since->n_published; i++)
		fprintf(f, "- newly published: `%s`\n", since->published[i]->target);
	for (size_t i = 0; i < since->n_broken; i++)
		fprintf(f, "- newly broken: `%s` (%s)\n", since->broken[i]->target,
		        status_target_state_str(since->broken[i]->state));
	for (size_t i = 0; i < since->n_still; i++) {
		status_age_format(since->still[i]->since, now, age, sizeof(age));
		fprintf(f, "- still %s: `%s` for %s\n",
		        status_target_state_str(since->still[i]->state), since->still[i]->target,
		        age);
	}
	if (!since->n_published && !since->n_broken && !since->n_still)
		fprintf(f, "- no changes\n");
}

/* How long a target has been in its state: nights when the history knows,
 * else the time since `since`. */
static void md_age(const struct status_target_status *t, const struct status_history *h,
                   const char *now, char *buf, size_t len)
{
	char full[96];
	const char *p;
	status_report_age(t, h, now, full, sizeof(full));
	p = strstr(full, " for "); /* "incomplete for 9 nights" → "9 nights" */
	snprintf(buf, len, "%s", p ? p + 5 : "");
}

static void md_not_green(FILE *f, const struct status_status *st, const struct status_history *h,
                         const char *now)
{
	int n = 0;
	char age[64];
	for (size_t i = 0; i < st->n_targets; i++) {
		const struct status_target_status *t = &st->targets[i];
		if (status_target_green(t))
			continue;
		if (!n++)
			fprintf(f, "\n### Not green\n\n| target | state | since | reason "
			           "|\n|---|---|---|---|\n");
		md_age(t, h, now, age, sizeof(age));
		fprintf(f, "| `%s` | %s | ", t->target, status_target_state_str(t->state));
		md_text(f, t->since);
		fprintf(f, " (%s) | ", age);
		md_text(f, t->reason);
		fprintf(f, " |\n");
	}
}

static void md_legend(FILE *f)
{
	fputs("\n✅ published or unchanged · ☑️ ready, but its target is not green · ⏳ "
	      "missing "
	      "(not built yet) · ❌ wrong platform or registry error · — not asked for\n",
	      f);
}

/* Per platform: how many targets ask for it and how its cells stand. */
static void md_platforms(FILE *f, const struct status_status *st, const char **plats, size_t np)
{
	fputs("\n### Platforms\n\n| platform | targets | ✅ | ☑️ | ⏳ | ❌ |\n"
	      "|---|---|---|---|---|---|\n",
	      f);
	for (size_t j = 0; j < np; j++) {
		int asked = 0, green = 0, ready = 0, missing = 0, bad = 0;
		for (size_t i = 0; i < st->n_targets; i++) {
			const struct status_platform_status *p;
			const char *cell = status_cell_state(&st->targets[i], plats[j], &p);
			if (!p)
				continue;
			asked++;
			if (!strcmp(cell, "ready"))
				ready++;
			else if (!strcmp(cell, "missing"))
				missing++;
			else if (p->state == STATUS_P_READY)
				green++;
			else
				bad++;
		}
		fprintf(f, "| %s | %d | %d | %d | %d | %d |\n", plats[j], asked, green, ready,
		        missing, bad);
	}
}

static void md_matrix(FILE *f, const struct status_status *st, const char **plats, size_t np)
{
	fprintf(f, "\n### Images × platforms\n\n| image |");
	for (size_t j = 0; j < np; j++)
		fprintf(f, " %s%s |", plats[j],
		        status_report_platform_optional(st, plats[j]) ? " (optional)" : "");
	fprintf(f, "\n|---|");
	for (size_t j = 0; j < np; j++)
		fprintf(f, "---|");
	fprintf(f, "\n");
	for (size_t i = 0; i < st->n_targets; i++) {
		const struct status_target_status *t = &st->targets[i];
		fprintf(f, "| `%s` |", t->target);
		for (size_t j = 0; j < np; j++) {
			const struct status_platform_status *p;
			const char *cell = status_cell_state(t, plats[j], &p);
			char d[16];
			status_short_digest(p ? p->digest : NULL, d, sizeof(d));
			if (!strcmp(cell, "absent"))
				fprintf(f, " — |");
			else if (d[0])
				fprintf(f, " %s `%s` |", md_icon(cell), d);
			else
				fprintf(f, " %s %s |", md_icon(cell), cell);
		}
		fprintf(f, "\n");
	}
}

/* retag's copy records, when the file has any. */
static void md_copies(FILE *f, const struct status_status *st)
{
	const struct status_retag_summary *r = &st->last_retag;

	if (!st->n_copies)
		return;
	fprintf(f,
	        "\n### Copies\n\n%zu copies; last retag %s: %d copied, %d unchanged, %d failed\n\n",
	        st->n_copies, r->finished ? r->finished : "unknown", r->copied, r->unchanged,
	        r->failed);
	fputs("| To | State | Digest | Since | From | Reason |\n|---|---|---|---|---|---|\n", f);
	for (size_t i = 0; i < st->n_copies; i++) {
		const struct status_copy_status *c = &st->copies[i];
		char d[16];
		status_short_digest(c->digest, d, sizeof(d));
		fputs("| `", f);
		md_text(f, c->to);
		fprintf(f, "` | %s %s | %s%s%s | ",
		        c->state == STATUS_C_FAILED                                 ? "❌"
		        : c->state == STATUS_C_HELD || c->state == STATUS_C_REFUSED ? "⏸️"
		                                                                    : "✅",
		        status_copy_rec_state_str(c->state), d[0] ? "`" : "", d, d[0] ? "`" : "");
		md_text(f, c->since);
		fputs(" | `", f);
		md_text(f, c->from);
		fputs("` | ", f);
		md_text(f, c->reason);
		fputs(" |\n", f);
	}
}

int status_report_markdown_history(FILE *f, const struct status_status *st,
                                   const struct status_since *since, const struct status_history *h,
                                   const char *now)
{
	int counts[STATUS_T__COUNT];
	const char **plats = NULL;
	size_t np;

	status_report_counts(st, counts);
	fprintf(f,
	        "**manifold**: %d published, %d unchanged, %d incomplete, %d failed (%zu targets",
	        counts[STATUS_T_PUBLISHED], counts[STATUS_T_UNCHANGED], counts[STATUS_T_INCOMPLETE],
	        counts[STATUS_T_FAILED], st->n_targets);
	if (st->last_run.finished)
		fprintf(f, ", last run %s", st->last_run.finished);
	fprintf(f, ")\n");
	if (since)
		md_since(f, since, now);
	md_not_green(f, st, h, now);
	np = status_report_platforms(st, &plats);
	if (st->n_targets) {
		md_legend(f);
		md_platforms(f, st, plats, np);
		md_matrix(f, st, plats, np);
	}
	md_copies(f, st);
	status_md_history(f, h, st, now);
	free(plats);
	return ferror(f) ? -1 : 0;
}

int status_report_markdown(FILE *f, const struct status_status *st,
                           const struct status_since *since, const char *now)
{
	return status_report_markdown_history(f, st, since, NULL, now);
}
