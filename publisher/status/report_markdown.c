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
	if (!strcmp(cell, "optional"))
		return "➖";
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

/* `ref`, as a link when o has a registry link for it. */
static void md_target(FILE *f, const struct status_report_opts *o, const char *target)
{
	char url[2048];
	status_report_registry_link(o, 0, target, url, sizeof(url));
	fputs(url[0] ? "[`" : "`", f);
	md_text(f, target);
	fputs("`", f);
	if (url[0])
		fprintf(f, "](%s)", url);
}

/* What the tag of a target that is not green serves, and since when. */
static void md_serves(FILE *f, const struct status_target_status *t)
{
	char d[16];
	status_short_digest(t->digest, d, sizeof(d));
	if (!d[0]) {
		fputs("nothing", f);
		return;
	}
	fprintf(f, "`%s` ", d);
	if (t->published_at) {
		fputs("published ", f);
		md_text(f, t->published_at);
	} else {
		fputs("(publish date not recorded)", f);
	}
}

static const char *md_state(const struct status_target_status *t)
{
	if (status_target_child_missing(t))
		return t->state == STATUS_T_FAILED ? "failed (child missing)" : "child missing";
	return status_target_state_str(t->state);
}

static void md_not_green(FILE *f, const struct status_status *st,
                         const struct status_report_opts *o)
{
	int n = 0;
	char age[64];
	for (size_t i = 0; i < st->n_targets; i++) {
		const struct status_target_status *t = &st->targets[i];
		if (status_target_green(t))
			continue;
		if (!n++)
			fprintf(f, "\n### Not green\n\n| target | state | since | serves | reason "
			           "|\n|---|---|---|---|---|\n");
		md_age(t, o->hist, o->now, age, sizeof(age));
		fputs("| ", f);
		md_target(f, o, t->target);
		fprintf(f, " | %s | ", md_state(t));
		md_text(f, t->since);
		fprintf(f, " (%s) | ", age);
		md_serves(f, t);
		fputs(" | ", f);
		md_text(f, t->reason);
		fprintf(f, " |\n");
	}
}

/* Each target's extra tags, the list each holds. */
static void md_extra_tags(FILE *f, const struct status_status *st)
{
	int n = 0;
	for (size_t i = 0; i < st->n_targets; i++) {
		const struct status_target_status *t = &st->targets[i];
		for (size_t k = 0; k < t->n_extra_tags; k++) {
			char d[16];
			if (!n++)
				fputs("\n### Extra tags\n\n| target | extra tag | digest | holds "
				      "|\n|---|---|---|---|\n",
				      f);
			status_short_digest(t->extra_tags[k].digest, d, sizeof(d));
			fputs("| `", f);
			md_text(f, t->target);
			fputs("` | `", f);
			md_text(f, t->extra_tags[k].tag ? t->extra_tags[k].tag : "(not recorded)");
			fprintf(f, "` | `%s` | %s |\n", d,
			        status_extra_tag_holds(t, &t->extra_tags[k]));
		}
	}
}

/* 1 when some target asks for an optional platform: then the legend and
 * the platforms table have its column. */
static int any_optional(const struct status_status *st)
{
	for (size_t i = 0; i < st->n_targets; i++)
		for (size_t j = 0; j < st->targets[i].n_platforms; j++)
			if (st->targets[i].platforms[j].optional)
				return 1;
	return 0;
}

static void md_legend(FILE *f, const struct status_status *st)
{
	fprintf(f,
	        "\n✅ published or unchanged · ☑️ ready, but its target is not green · ⏳ "
	        "missing (not built yet) · ❌ wrong platform, registry error or child missing from "
	        "the repository%s · — not asked for\n",
	        any_optional(st) ? " · ➖ optional, not there (left out, not lacking)" : "");
}

/* Per platform: how many targets ask for it and how its cells stand. */
static void md_platforms(FILE *f, const struct status_status *st, const char **plats, size_t np)
{
	int opts = any_optional(st);
	fprintf(f,
	        "\n### Platforms\n\n| platform | targets | ✅ | ☑️ | ⏳ | ❌ |%s\n"
	        "|---|---|---|---|---|---|%s\n",
	        opts ? " ➖ |" : "", opts ? "---|" : "");
	for (size_t j = 0; j < np; j++) {
		int asked = 0, green = 0, ready = 0, missing = 0, bad = 0, opt = 0;
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
			else if (!strcmp(cell, "optional"))
				opt++;
			else if (!strcmp(cell, "child_missing"))
				bad++;
			else if (p->state == STATUS_P_READY)
				green++;
			else
				bad++;
		}
		fprintf(f, "| %s | %d | %d | %d | %d | %d |", plats[j], asked, green, ready,
		        missing, bad);
		if (opts)
			fprintf(f, " %d |", opt);
		fputc('\n', f);
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
			else if (!strcmp(cell, "child_missing"))
				fprintf(f, " %s child missing `%s` |", md_icon(cell), d);
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

/* The title, release and commit lines, when given. */
static void md_head(FILE *f, const struct status_report_opts *o)
{
	char url[2048];
	if (o->title || o->release) {
		fputs("## ", f);
		md_text(f, status_report_title(o));
		if (o->release && o->release[0]) {
			fputs(": release ", f);
			md_text(f, o->release);
		}
		fputs("\n\n", f);
	}
	if (o->commit && o->commit[0]) {
		status_report_commit_link(o, url, sizeof(url));
		fprintf(f, "Status file at commit %s`%.12s`%s%s%s.\n\n", url[0] ? "[" : "",
		        o->commit, url[0] ? "](" : "", url, url[0] ? ")" : "");
	}
}

static void md_summary(FILE *f, const struct status_status *st)
{
	int counts[STATUS_T__COUNT];
	status_report_counts(st, counts);
	fprintf(f, "**manifold**: %d published, %d unchanged, %d incomplete, %d failed",
	        counts[STATUS_T_PUBLISHED], counts[STATUS_T_UNCHANGED], counts[STATUS_T_INCOMPLETE],
	        counts[STATUS_T_FAILED]);
	if (counts[STATUS_T_HELD])
		fprintf(f, ", %d held", counts[STATUS_T_HELD]);
	fprintf(f, " (%zu targets", st->n_targets);
	if (st->last_run.finished)
		fprintf(f, ", last run %s", st->last_run.finished);
	fprintf(f, ")\n");
}

int status_md_full(FILE *f, const struct status_status *st, const struct status_report_opts *o)
{
	const char **plats = NULL;
	size_t np;

	md_head(f, o);
	md_summary(f, st);
	if (o->since)
		md_since(f, o->since, o->now);
	md_not_green(f, st, o);
	md_extra_tags(f, st);
	np = status_report_platforms(st, &plats);
	if (st->n_targets) {
		md_legend(f, st);
		md_platforms(f, st, plats, np);
		md_matrix(f, st, plats, np);
	}
	md_copies(f, st);
	status_md_history(f, o->hist, st, o->now);
	free(plats);
	return ferror(f) ? -1 : 0;
}

int status_report_markdown_history(FILE *f, const struct status_status *st,
                                   const struct status_since *since, const struct status_history *h,
                                   const char *now)
{
	struct status_report_opts o = {.now = now, .since = since, .hist = h};
	return status_md_full(f, st, &o); /* compact is 0 */
}

int status_report_markdown(FILE *f, const struct status_status *st,
                           const struct status_since *since, const char *now)
{
	return status_report_markdown_history(f, st, since, NULL, now);
}

/* Shared with report_compact.c. */
void status_md_text(FILE *f, const char *s)
{
	md_text(f, s);
}

void status_md_platforms(FILE *f, const struct status_status *st)
{
	const char **plats = NULL;
	size_t np = status_report_platforms(st, &plats);
	if (np)
		md_platforms(f, st, plats, np);
	free(plats);
}

void status_md_head(FILE *f, const struct status_report_opts *o, const struct status_status *st)
{
	md_head(f, o);
	md_summary(f, st);
}
