/* report.c — the text reports of manifold status: terminal table, the
 * --since diff, the --check verdict, and what every renderer shares (cell
 * states, counts, the legend). Markdown is report_markdown.c, the HTML page
 * report_html.c, the history's charts and series report_history.c. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "status_report.h"
#include "report_internal.h"

/* A status-file string made safe for a terminal; each use has its own
 * buffer (a compound literal that lives to the end of the block). */
#define TERM_TEXT(s) status_term_text((s), (char[2048]){0}, 2048)

int status_target_green(const struct status_target_status *t)
{
	return t->state == STATUS_T_PUBLISHED || t->state == STATUS_T_UNCHANGED;
}

void status_report_counts(const struct status_status *st, int counts[STATUS_T__COUNT])
{
	memset(counts, 0, sizeof(int) * STATUS_T__COUNT);
	for (size_t i = 0; i < st->n_targets; i++)
		counts[st->targets[i].state]++;
}

size_t status_report_platforms(const struct status_status *st, const char ***out)
{
	size_t n = 0, cap = 0;
	const char **v = NULL;
	for (size_t i = 0; i < st->n_targets; i++) {
		for (size_t j = 0; j < st->targets[i].n_platforms; j++) {
			const char *p = st->targets[i].platforms[j].platform;
			size_t k;
			for (k = 0; k < n && strcmp(v[k], p) != 0; k++)
				;
			if (k < n)
				continue;
			if (n == cap) {
				const char **nv =
				    realloc(v, (cap = cap ? cap * 2 : 8) * sizeof(*v));
				if (!nv)
					break;
				v = nv;
			}
			v[n++] = p;
		}
	}
	*out = v;
	return n;
}

int status_report_platform_optional(const struct status_status *st, const char *platform)
{
	int seen = 0;
	for (size_t i = 0; i < st->n_targets; i++) {
		for (size_t j = 0; j < st->targets[i].n_platforms; j++) {
			const struct status_platform_status *p = &st->targets[i].platforms[j];
			if (strcmp(p->platform, platform) != 0)
				continue;
			if (!p->optional)
				return 0;
			seen = 1;
		}
	}
	return seen;
}

const char *status_extra_tag_holds(const struct status_target_status *t,
                                   const struct status_extra_tag *e)
{
	if (t->digest && e->digest && strcmp(t->digest, e->digest) == 0)
		return "same list";
	for (size_t i = 0; e->digest && i < t->n_extra_digests; i++)
		if (strcmp(t->extra_digests[i], e->digest) == 0)
			return "held: an earlier list";
	return "another list";
}

int status_target_child_missing(const struct status_target_status *t)
{
	for (size_t j = 0; j < t->n_platforms; j++)
		if (t->platforms[j].child_missing)
			return 1;
	return 0;
}

void status_report_image(const char *target, char *buf, size_t len)
{
	const char *slash = strrchr(target, '/'), *at = strchr(target, '@'), *colon;
	size_t n = strlen(target);

	if (at)
		n = (size_t)(at - target);
	colon =
	    memchr(slash ? slash : target, ':', n - (size_t)((slash ? slash : target) - target));
	if (colon)
		n = (size_t)(colon - target);
	snprintf(buf, len, "%.*s", (int)n, target);
}

const char *status_report_title(const struct status_report_opts *o)
{
	return o && o->title && o->title[0] ? o->title : "manifold status";
}

/* template with {name} replaced by values, each percent-encoded but for
 * what a URL path may hold as it is. */
static int url_fill(const char *tmpl, const char *const *names, const char *const *values, size_t n,
                    char *buf, size_t len)
{
	size_t o = 0;

	for (const char *p = tmpl; *p; p++) {
		size_t k;
		for (k = 0; k < n; k++)
			if (*p == '{' && strncmp(p + 1, names[k], strlen(names[k])) == 0 &&
			    p[1 + strlen(names[k])] == '}')
				break;
		if (k == n) {
			if (o + 1 >= len)
				return -1;
			buf[o++] = *p;
			continue;
		}
		for (const unsigned char *v = (const unsigned char *)values[k]; v && *v; v++) {
			int plain = (*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
			            (*v >= '0' && *v <= '9') || strchr("-._~:/", *v);
			if (o + 4 >= len)
				return -1;
			if (plain)
				buf[o++] = (char)*v;
			else
				o += (size_t)snprintf(buf + o, len - o, "%%%02X", *v);
		}
		p += 1 + strlen(names[k]);
	}
	buf[o] = '\0';
	/* only web links: a template or a value never makes another scheme */
	if (strncmp(buf, "https://", 8) != 0 && strncmp(buf, "http://", 7) != 0)
		buf[0] = '\0';
	return 0;
}

int status_report_registry_link(const struct status_report_opts *o, int html, const char *target,
                                char *buf, size_t len)
{
	const char *tmpl = o ? o->registry_url : NULL;
	static const char *const names[] = {"registry", "repository", "tag"};
	char reg[256] = "", repo[512] = "", tag[256] = "", image[768];
	const char *slash = strchr(target, '/');
	const char *values[] = {reg, repo, tag};

	buf[0] = '\0';
	if (!tmpl)
		tmpl = html ? "https://{registry}/" : "";
	if (!tmpl[0] || !slash)
		return 0;
	snprintf(reg, sizeof(reg), "%.*s", (int)(slash - target), target);
	status_report_image(target, image, sizeof(image));
	snprintf(repo, sizeof(repo), "%s", image + (slash - target) + 1);
	if (strlen(target) > strlen(image) + 1 && target[strlen(image)] == ':') {
		const char *t = target + strlen(image) + 1, *at = strchr(t, '@');
		snprintf(tag, sizeof(tag), "%.*s", (int)(at ? (size_t)(at - t) : strlen(t)), t);
	}
	if (url_fill(tmpl, names, values, 3, buf, len) < 0) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

int status_report_commit_link(const struct status_report_opts *o, char *buf, size_t len)
{
	static const char *const names[] = {"commit"};
	const char *values[1];

	buf[0] = '\0';
	if (!o || !o->commit || !o->commit[0] || !o->commit_url || !o->commit_url[0])
		return 0;
	values[0] = o->commit;
	if (url_fill(o->commit_url, names, values, 1, buf, len) < 0) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

const char *status_cell_state(const struct status_target_status *t, const char *platform,
                              const struct status_platform_status **p)
{
	*p = NULL;
	for (size_t j = 0; j < t->n_platforms; j++)
		if (strcmp(t->platforms[j].platform, platform) == 0)
			*p = &t->platforms[j];
	if (!*p)
		return "absent";
	if ((*p)->child_missing)
		return "child_missing";
	if ((*p)->optional && (*p)->state != STATUS_P_READY)
		return "optional";
	if ((*p)->state != STATUS_P_READY)
		return status_platform_state_str((*p)->state);
	return status_target_green(t) ? status_target_state_str(t->state) : "ready";
}

const struct status_legend_entry status_legend[] = {
    {"published", "the tag holds the list made from these children (green)"},
    {"unchanged", "the tag already held exactly this list; nothing was written (green)"},
    {"incomplete", "a platform is not built yet; nothing was pushed for the target"},
    {"failed", "a platform is the wrong one or the registry answered an error; nothing was "
               "pushed"},
    {"held", "the new list would drop platforms the tag's list has; nothing was pushed "
             "(allow-shrink lets it through)"},
    {"ready", "this platform is there, but its target is not green (it waits for the others)"},
    {"missing", "this platform's image is not built yet"},
    {"wrong_platform", "the image under this platform's tag is another platform"},
    {"error", "the registry answered an error for this platform"},
    {"optional", "an optional platform that is not there: left out of the list, not counted as "
                 "lacking"},
    {"child_missing", "the list the tag holds names this child, but the repository has lost it"},
    {"absent", "the target does not ask for this platform"},
};
const size_t status_legend_n = STATUS_N(status_legend);

/* ---- since (the diff itself: since_old.c) ----------------------------- */

void status_since_free(struct status_since *s)
{
	if (!s)
		return;
	free(s->published);
	free(s->broken);
	free(s->still);
	memset(s, 0, sizeof(*s));
}

/* ---- check ------------------------------------------------------------ */

int status_check(FILE *f, const struct status_status *st, long long max_incomplete_age,
                 const char *now)
{
	int bad = 0;
	for (size_t i = 0; i < st->n_targets; i++) {
		const struct status_target_status *t = &st->targets[i];
		char age[32];
		status_age_format(t->since, now, age, sizeof(age));
		if (t->state == STATUS_T_FAILED) {
			fprintf(f, "FAILED %s: %s\n", t->target,
			        t->reason ? TERM_TEXT(t->reason) : "(no reason)");
			bad++;
		} else if (t->state == STATUS_T_HELD) {
			/* a tag kept back waits for a human, whatever its age */
			fprintf(f, "HELD %s: for %s (%s)\n", t->target, age,
			        t->reason ? TERM_TEXT(t->reason) : "no reason");
			bad++;
		} else if (t->state == STATUS_T_INCOMPLETE &&
		           status_age_seconds(t->since, now) > max_incomplete_age) {
			fprintf(f, "INCOMPLETE %s: for %s (%s)\n", t->target, age,
			        t->reason ? TERM_TEXT(t->reason) : "no reason");
			bad++;
		}
	}
	return bad;
}

/* ---- table ------------------------------------------------------------ */

static const char *state_color(enum status_target_state s)
{
	switch (s) {
	case STATUS_T_PUBLISHED:
	case STATUS_T_UNCHANGED:
		return "\033[32m";
	case STATUS_T_INCOMPLETE:
	case STATUS_T_READY:
	case STATUS_T_HELD:
		return "\033[33m";
	default:
		return "\033[31m";
	}
}

void status_short_digest(const char *d, char *buf, size_t len)
{
	const char *h = d ? strchr(d, ':') : NULL;
	snprintf(buf, len, "%.12s", h ? h + 1 : (d ? d : ""));
}

/* retag's copy records, when the file has any: their own section. */
static void table_copies(FILE *f, const struct status_status *st, int color)
{
	const struct status_retag_summary *r = &st->last_retag;
	int w = 2;

	if (!st->n_copies)
		return;
	for (size_t i = 0; i < st->n_copies; i++) {
		int l = (int)strlen(st->copies[i].to);
		if (l > w)
			w = l;
	}
	fprintf(f, "\n%-*s  %-10s  %-12s  %-20s  %s\n", w, "COPY TO", "STATE", "DIGEST", "SINCE",
	        "FROM / REASON");
	for (size_t i = 0; i < st->n_copies; i++) {
		const struct status_copy_status *c = &st->copies[i];
		int bad = c->state == STATUS_C_FAILED || c->state == STATUS_C_HELD ||
		          c->state == STATUS_C_REFUSED;
		char d[16];
		status_short_digest(c->digest, d, sizeof(d));
		fprintf(f, "%-*s  %s%-10s%s  %-12s  %-20s  %s\n", w, c->to,
		        color ? (bad ? "\033[31m" : "\033[32m") : "",
		        status_copy_rec_state_str(c->state), color ? "\033[0m" : "", d,
		        c->since ? TERM_TEXT(c->since) : "",
		        bad && c->reason ? TERM_TEXT(c->reason)
		        : c->from        ? TERM_TEXT(c->from)
		                         : "");
	}
	fprintf(f, "\n%zu copies; last retag %s: %d copied, %d unchanged, %d failed\n",
	        st->n_copies, r->finished ? r->finished : "unknown", r->copied, r->unchanged,
	        r->failed);
}

/* Under a target's row: what its tag serves while it is not green, and
 * its extra tags. */
static void table_more(FILE *f, const struct status_target_status *t)
{
	char d[16];
	if (!status_target_green(t) && t->digest) {
		status_short_digest(t->digest, d, sizeof(d));
		fprintf(f, "  serves %s, published %s\n", d,
		        t->published_at ? TERM_TEXT(t->published_at) : "(date not recorded)");
	}
	for (size_t k = 0; k < t->n_extra_tags; k++) {
		status_short_digest(t->extra_tags[k].digest, d, sizeof(d));
		fprintf(f, "  + %s  %s  %s\n",
		        t->extra_tags[k].tag ? TERM_TEXT(t->extra_tags[k].tag)
		                             : "(tag not recorded)",
		        d, status_extra_tag_holds(t, &t->extra_tags[k]));
	}
}

int status_report_table(FILE *f, const struct status_status *st, const struct status_since *since,
                        const char *now, int color)
{
	struct status_report_opts o = {.now = now, .since = since, .color = color};
	return status_report_table_opts(f, st, &o);
}

int status_report_table_opts(FILE *f, const struct status_status *st,
                             const struct status_report_opts *o)
{
	const struct status_since *since = o->since;
	const char *now = o->now;
	int w = 6, counts[STATUS_T__COUNT], color = o->color;
	for (size_t i = 0; i < st->n_targets; i++) {
		int l = (int)strlen(st->targets[i].target);
		if (l > w)
			w = l;
	}
	fprintf(f, "%-*s  %-10s  %-12s  %-20s  %s\n", w, "TARGET", "STATE", "DIGEST", "SINCE",
	        "REASON");
	for (size_t i = 0; i < st->n_targets; i++) {
		const struct status_target_status *t = &st->targets[i];
		char d[16];
		status_short_digest(t->digest, d, sizeof(d));
		fprintf(f, "%-*s  %s%-10s%s  %-12s  %-20s  %s\n", w, t->target,
		        color ? state_color(t->state) : "", status_target_state_str(t->state),
		        color ? "\033[0m" : "", d, t->since ? TERM_TEXT(t->since) : "",
		        t->reason        ? TERM_TEXT(t->reason)
		        : t->unconfirmed ? "written, not confirmed (the next publish reads the tag)"
		                         : "");
		table_more(f, t);
	}
	status_report_counts(st, counts);
	fprintf(f, "\n%zu targets: %d published, %d unchanged, %d incomplete, %d failed",
	        st->n_targets, counts[STATUS_T_PUBLISHED], counts[STATUS_T_UNCHANGED],
	        counts[STATUS_T_INCOMPLETE], counts[STATUS_T_FAILED]);
	if (counts[STATUS_T_HELD])
		fprintf(f, ", %d held", counts[STATUS_T_HELD]);
	fputc('\n', f);
	table_copies(f, st, color);
	if (since) {
		char age[32];
		fprintf(f, "\nsince %s:\n", since->rev);
		for (size_t i = 0; i < since->n_published; i++)
			fprintf(f, "  newly published   %s\n", since->published[i]->target);
		for (size_t i = 0; i < since->n_broken; i++)
			fprintf(f, "  newly broken      %s (%s)\n", since->broken[i]->target,
			        status_target_state_str(since->broken[i]->state));
		for (size_t i = 0; i < since->n_still; i++) {
			status_age_format(since->still[i]->since, now, age, sizeof(age));
			fprintf(f, "  still %-11s %s for %s\n",
			        status_target_state_str(since->still[i]->state),
			        since->still[i]->target, age);
		}
		if (!since->n_published && !since->n_broken && !since->n_still)
			fprintf(f, "  no changes\n");
	}
	return ferror(f) ? -1 : 0;
}

void status_html_esc(FILE *f, const char *s)
{
	static const char set[] = "&<>\"'";
	static const char *const rep[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};

	while (s && *s) {
		/* the run up to the next character to escape, written at once */
		size_t n = strcspn(s, set);

		if (n)
			fwrite(s, 1, n, f);
		s += n;
		if (!*s)
			break;
		fputs(rep[strchr(set, *s) - set], f);
		s++;
	}
}

int status_json_write(FILE *f, struct cJSON *root, int pretty)
{
	char *text = pretty ? cJSON_Print(root) : cJSON_PrintUnformatted(root);
	int rc = -1;
	if (text && fprintf(f, "%s\n", text) >= 0 && !ferror(f))
		rc = 0;
	free(text);
	return rc;
}
