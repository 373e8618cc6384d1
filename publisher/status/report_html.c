/* report_html.c — manifold status as one self-contained HTML page: a header
 * with the title, the release, the run's summary, the status file's commit
 * and when the page was made, the legend, what changed since a revision,
 * the history charts, and the images × platforms matrix in a box that
 * scrolls sideways (each row linked to its registry, with what its tag
 * serves and since when, its extra tags, its state, age and reason written
 * out, each cell coloured by state) with a filter box. CSS and JS are
 * inline, nothing is loaded from elsewhere (links only), no glyph needs a
 * font the page does not ship, and the page reads the same without JS; it
 * prints (@media print). */
#include <stdlib.h>
#include <string.h>

#include "status_report.h"
#include "report_internal.h"

static const char css[] =
    "body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}"
    "h1{font-size:1.3em;margin:0 0 .3em}h2{font-size:1.1em;margin:1.2em 0 .4em}"
    "h3{font-size:1em;margin:.8em 0 .3em}"
    ".counts span{display:inline-block;padding:.3em .7em;margin-right:.5em;border-radius:4px}"
    ".meta{color:#555;margin:.4em 0}"
    "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.3em .5em;"
    "vertical-align:top}"
    "th{background:#f3f3f3;text-align:left}td.cell{min-width:6em}"
    "td code,th code{font-size:12px}td small,th small{color:#444;font-weight:normal}"
    "td.state{min-width:14em;max-width:30em}.reason{margin-top:.2em}.hist{color:#444;"
    "font-size:12px}"
    ".s-published{background:#b7e4b0}.s-unchanged{background:#dcf2d8}"
    ".s-ready{background:#fff0b3}.s-incomplete,.s-held{background:#ffe08a}.s-missing{background:#"
    "ffd27f}"
    ".s-failed,.s-error,.s-wrong_platform,.s-child_missing{background:#f5a3a3}"
    ".s-absent{background:#eee;color:#999}.s-optional{background:#dbe7f5;color:#345}"
    "th.optional{background:#e8eff8}"
    ".ok{display:inline-block;width:.35em;height:.7em;border:solid #2e7d32;"
    "border-width:0 .16em .16em 0;transform:rotate(45deg);margin:0 .3em 0 .15em}"
    ".matrix-wrap{overflow-x:auto;max-width:100%;border:1px solid #ddd}"
    "#matrix th[scope=row]{position:sticky;left:0;z-index:1;background:#f7f7f7}"
    ".extra,.serves,.failed-since{font-size:12px;color:#444;margin-top:.2em}"
    ".release{font-size:1.05em;margin:.1em 0 .4em}a{color:#1a56a8}"
    ".chart .tick{stroke:#bbb}"
    ".legend{display:flex;flex-wrap:wrap;gap:.25em 1.5em;margin:0;max-width:96em}"
    ".legend div{display:flex;gap:.6em;width:34em}"
    ".legend dt{padding:.1em .5em;border-radius:3px;min-width:8em}.legend dd{margin:0}"
    ".h-published{fill:#5cb85c}.h-unchanged{fill:#9fd89a}.h-ready{fill:#f7d154}"
    ".h-incomplete,.h-held{fill:#f0ad4e}.h-failed{fill:#d9534f}.h-absent{fill:#e6e6e6}"
    ".chart{width:100%;max-width:960px;height:auto;display:block}"
    ".chart .lack{fill:#e67e22}.chart .base{stroke:#ccc}.chart .col{fill:transparent}"
    ".chart .col:hover{fill:rgba(0,0,0,.07)}.axis{font-size:11px;fill:#555}"
    ".note{color:#555;font-size:12px;margin:.2em 0}"
    "#filter{font-size:1em;padding:.3em;width:24em;margin:.8em 0}"
    "@media print{#filter,#shown,.noscript{display:none}body{margin:0;font-size:10px}"
    ".matrix-wrap{overflow:visible;border:0}"
    "th,td{padding:.1em .3em}tr,svg,.legend{break-inside:avoid}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/* Filters rows by text (and "state:NAME"); #filter=TEXT in the URL preloads it. */
static const char js[] =
    "(function(){var box=document.getElementById('filter');"
    "function apply(){var q=box.value.trim().toLowerCase();"
    "var rows=document.querySelectorAll('#matrix tbody tr');var shown=0;"
    "for(var i=0;i<rows.length;i++){var r=rows[i];var ok=true;"
    "q.split(/\\s+/).forEach(function(w){if(!w)return;"
    "if(w.indexOf('state:')===0){if((' '+r.dataset.states+' ').indexOf(' '+w.slice(6)+' "
    "')<0)ok=false;}"
    "else if(r.dataset.target.toLowerCase().indexOf(w)<0)ok=false;});"
    "r.hidden=!ok;if(ok)shown++;}"
    "document.getElementById('shown').textContent=shown+' of '+rows.length+' shown';}"
    "box.addEventListener('input',apply);"
    "var m=/[#&]filter=([^&]*)/.exec(location.hash);if(m)box.value=decodeURIComponent(m[1]);"
    "apply();})();";

static void html_link(FILE *f, const char *url, const char *text)
{
	if (url && url[0]) {
		fputs("<a href=\"", f);
		status_html_esc(f, url);
		fputs("\">", f);
	}
	status_html_esc(f, text);
	if (url && url[0])
		fputs("</a>", f);
}

static void html_header(FILE *f, const struct status_status *st, const struct status_report_opts *o)
{
	const struct status_history *h = o->hist;
	const char *now = o->now;
	int counts[STATUS_T__COUNT];
	char url[2048];

	status_report_counts(st, counts);
	fputs("<header>\n<h1 id=\"title\">", f);
	status_html_esc(f, status_report_title(o));
	fputs("</h1>\n", f);
	if (o->release && o->release[0]) {
		fputs("<p class=\"release\" id=\"release\">release <b>", f);
		status_html_esc(f, o->release);
		fputs("</b></p>\n", f);
	}
	fputs("<p class=\"counts\">", f);
	for (int s = 0; s < STATUS_T__COUNT; s++) {
		const char *name = status_target_state_str((enum status_target_state)s);
		if (s == STATUS_T_READY && !counts[s])
			continue; /* check's state: shown only when a file has it */
		fprintf(f, "<span class=\"s-%s\" id=\"count-%s\">%d %s</span>", name, name,
		        counts[s], name);
	}
	fprintf(f, "<span>%zu targets</span></p>\n<p class=\"meta\" id=\"run\">", st->n_targets);
	if (st->last_run.finished) {
		fputs("last run ", f);
		status_html_esc(f, st->last_run.started);
		fputs(st->last_run.started ? " to " : "", f);
		status_html_esc(f, st->last_run.finished);
		fprintf(f, " (%d published, %d unchanged, %d incomplete, %d failed) · ",
		        st->last_run.published, st->last_run.unchanged, st->last_run.incomplete,
		        st->last_run.failed);
	}
	if (st->config) {
		fputs("config <code>", f);
		status_html_esc(f, st->config);
		fputs("</code> · ", f);
	}
	if (h && h->n_nights)
		fprintf(f, "%zu nights of history · ", h->n_nights);
	if (o->commit && o->commit[0]) {
		char id[13];
		snprintf(id, sizeof(id), "%.12s", o->commit);
		status_report_commit_link(o, url, sizeof(url));
		fputs("status file at commit <code id=\"commit\">", f);
		html_link(f, url, id);
		fputs("</code> · ", f);
	}
	fputs("page generated <time id=\"generated\">", f);
	status_html_esc(f, now);
	fputs("</time></p>\n</header>\n", f);
}

static void html_legend(FILE *f)
{
	fputs("<section id=\"legend\"><h2>Legend</h2>\n<dl class=\"legend\">", f);
	for (size_t i = 0; i < status_legend_n; i++)
		fprintf(f, "<div><dt class=\"s-%s\">%s</dt><dd>%s</dd></div>",
		        status_legend[i].state, status_legend[i].state, status_legend[i].meaning);
	fputs("</dl></section>\n", f);
}

static void html_since(FILE *f, const struct status_since *since, const char *now)
{
	char age[32];
	fputs("<h2>Since <code>", f);
	status_html_esc(f, since->rev);
	fputs("</code></h2><ul id=\"since\">", f);
	for (size_t i = 0; i < since->n_published; i++) {
		fputs("<li>newly published: <code>", f);
		status_html_esc(f, since->published[i]->target);
		fputs("</code></li>", f);
	}
	for (size_t i = 0; i < since->n_broken; i++) {
		fputs("<li>newly broken: <code>", f);
		status_html_esc(f, since->broken[i]->target);
		fprintf(f, "</code> (%s)</li>", status_target_state_str(since->broken[i]->state));
	}
	for (size_t i = 0; i < since->n_still; i++) {
		status_age_format(since->still[i]->since, now, age, sizeof(age));
		fprintf(f, "<li>still %s: <code>", status_target_state_str(since->still[i]->state));
		status_html_esc(f, since->still[i]->target);
		fprintf(f, "</code> for %s</li>", age);
	}
	fputs("</ul>\n", f);
}

/* The date a cell's own state began, on a target that is not green, when
 * history knows it and it is not the target's since date; "" otherwise. */
static void cell_date(const struct status_target_status *t, const struct status_history *h,
                      const struct status_history_plat *hp, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!hp || hp->since_night >= h->n_nights || status_target_green(t))
		return;
	status_history_night_date(h, hp->since_night, buf, len);
	if (t->since && strncmp(t->since, buf, 10) == 0)
		buf[0] = '\0';
}

/* A cell shows the child's short digest only where it is not the one in
 * the target's list: never on a green target, and on another target only
 * when history does not know the child from the last green night. */
static int cell_shows_digest(const struct status_target_status *t,
                             const struct status_platform_status *p,
                             const struct status_history_plat *hp)
{
	if (!p->digest || status_target_green(t))
		return 0;
	return !hp || !hp->green_digest || strcmp(hp->green_digest, p->digest) != 0;
}

static void html_cell(FILE *f, const struct status_target_status *t, const char *plat,
                      const struct status_history *h, const struct status_history_target *ht)
{
	const struct status_platform_status *p;
	const char *cell = status_cell_state(t, plat, &p);
	const struct status_history_plat *hp = p ? status_history_plat(ht, plat) : NULL;
	char d[16], date[32];

	fprintf(f, "<td class=\"cell s-%s\" data-state=\"%s\" data-platform=\"", cell, cell);
	status_html_esc(f, plat);
	fputs("\" title=\"", f);
	status_html_esc(f, p ? p->source : "not asked for");
	if (p && p->digest) {
		fputs(" ", f);
		status_html_esc(f, p->digest);
	}
	fputs("\">", f);
	if (!p) {
		fputs("—</td>", f);
		return;
	}
	if (p->state == STATUS_P_READY && !p->child_missing)
		fputs("<span class=\"ok\" role=\"img\" aria-label=\"ready\"></span>", f);
	else if (p->child_missing)
		fputs("child missing", f);
	else if (p->optional)
		fprintf(f, "optional, %s", status_platform_state_str(p->state));
	else
		fputs(cell, f);
	if (cell_shows_digest(t, p, hp)) {
		status_short_digest(p->digest, d, sizeof(d));
		fprintf(f, " <code>%s</code>", d);
	}
	if (p->reason) {
		fputs("<br><small>", f);
		status_html_esc(f, p->reason);
		fputs("</small>", f);
	}
	cell_date(t, h, hp, date, sizeof(date));
	if (date[0])
		fprintf(f, "<br><small>since %s</small>", date);
	fputs("</td>", f);
}

static void html_state_cell(FILE *f, const struct status_target_status *t,
                            const struct status_history *h, const struct status_history_target *ht,
                            const char *now)
{
	char age[96], sum[160];
	const char *st = status_target_state_str(t->state);
	status_report_age(t, h, now, age, sizeof(age));
	fprintf(f, "<td class=\"state s-%s\"><b>%s</b><span class=\"age\">%s</span>", st, st,
	        age + strlen(st));
	if (!status_target_green(t)) {
		if (t->since) {
			fputs("<div class=\"failed-since\">since <time>", f);
			status_html_esc(f, t->since);
			fputs("</time></div>", f);
		}
		fputs("<div class=\"reason\">", f);
		status_html_esc(f, t->reason ? t->reason : "(no reason recorded)");
		fputs("</div>", f);
	}
	status_history_summary(ht, sum, sizeof(sum));
	if (sum[0])
		fprintf(f, "<div class=\"hist\">%s</div>", sum);
	fputs("</td>", f);
}

/* What the tag serves: the digest, and when it was published (green: the
 * record's since; else published_at, when known). */
static void html_serves(FILE *f, const struct status_target_status *t)
{
	char d[16];
	const char *when = status_target_green(t) ? t->since : t->published_at;

	status_short_digest(t->digest, d, sizeof(d));
	if (!d[0]) {
		if (!status_target_green(t))
			fputs(
			    "<div class=\"serves\">the tag serves nothing manifold knows of</div>",
			    f);
		return;
	}
	fprintf(f, "<div class=\"serves\">%s <code>%s</code>",
	        status_target_green(t) ? "" : "serves", d);
	if (when) {
		fputs(" published <time class=\"published\">", f);
		status_html_esc(f, when);
		fputs("</time>", f);
	} else if (!status_target_green(t)) {
		fputs(" (publish date not recorded)", f);
	}
	fputs("</div>", f);
}

/* The extra tags (extra-tags) under the target: each tag, its digest and
 * what list that is; the same list as the target has its platforms. */
static void html_extra_tags(FILE *f, const struct status_target_status *t)
{
	char d[16];
	for (size_t k = 0; k < t->n_extra_tags; k++) {
		const struct status_extra_tag *e = &t->extra_tags[k];
		const char *holds = status_extra_tag_holds(t, e);
		int n = 0;
		status_short_digest(e->digest, d, sizeof(d));
		fputs("<div class=\"extra\" data-extra-tag=\"", f);
		status_html_esc(f, e->tag);
		fputs("\">also <code>", f);
		status_html_esc(f, e->tag ? e->tag : "(tag not recorded)");
		fprintf(f, "</code> <code>%s</code> %s", d, holds);
		for (size_t j = 0;
		     !strcmp(holds, "same list") && status_target_green(t) && j < t->n_platforms;
		     j++) {
			if (t->platforms[j].state != STATUS_P_READY)
				continue;
			fputs(n++ ? ", " : ": ", f);
			status_html_esc(f, t->platforms[j].platform);
		}
		fputs("</div>", f);
	}
}

static void html_row(FILE *f, const struct status_target_status *t, const char **plats, size_t np,
                     const struct status_report_opts *o)
{
	const struct status_history *h = o->hist;
	const struct status_history_target *ht = status_history_find(h, t->target);
	char url[2048];

	fputs("<tr data-target=\"", f);
	status_html_esc(f, t->target);
	fprintf(f, "\" data-states=\"%s", status_target_state_str(t->state));
	for (size_t j = 0; j < t->n_platforms; j++) {
		fprintf(f, " %s", status_platform_state_str(t->platforms[j].state));
		if (t->platforms[j].child_missing)
			fputs(" child_missing", f);
		if (t->platforms[j].optional && t->platforms[j].state != STATUS_P_READY)
			fputs(" optional", f);
	}
	fputs("\"><th scope=\"row\">", f);
	status_report_registry_link(o, 1, t->target, url, sizeof(url));
	html_link(f, url, t->target);
	html_serves(f, t);
	html_extra_tags(f, t);
	fputs("</th>", f);
	html_state_cell(f, t, h, ht, o->now);
	if (h && h->n_nights) {
		fputs("<td class=\"nights\">", f);
		status_html_history_strip(f, h, t->target);
		fputs("</td>", f);
	}
	for (size_t j = 0; j < np; j++)
		html_cell(f, t, plats[j], h, ht);
	fputs("</tr>\n", f);
}

static void html_matrix(FILE *f, const struct status_status *st, const struct status_report_opts *o)
{
	const struct status_history *h = o->hist;
	const char **plats = NULL;
	size_t np = status_report_platforms(st, &plats);
	fputs("<section id=\"targets\"><h2>Targets</h2>\n"
	      "<input id=\"filter\" type=\"search\" placeholder=\"filter: name, state:missing\" "
	      "aria-label=\"filter\"> <span id=\"shown\"></span>"
	      "<noscript><p class=\"noscript\">The filter needs JavaScript; everything else is "
	      "on the page.</p></noscript>\n"
	      "<div class=\"matrix-wrap\" id=\"matrix-wrap\">"
	      "<table id=\"matrix\"><thead><tr><th>image</th><th>state</th>",
	      f);
	if (h && h->n_nights)
		fprintf(f, "<th>last %zu nights</th>", h->n_nights);
	for (size_t j = 0; j < np; j++) {
		int opt = status_report_platform_optional(st, plats[j]);
		fputs(opt ? "<th class=\"optional\" data-platform=\"" : "<th data-platform=\"", f);
		status_html_esc(f, plats[j]);
		fputs("\">", f);
		status_html_esc(f, plats[j]);
		if (opt)
			fputs(" (optional)", f);
		fputs("</th>", f);
	}
	fputs("</tr></thead><tbody>\n", f);
	for (size_t i = 0; i < st->n_targets; i++)
		html_row(f, &st->targets[i], plats, np, o);
	fputs("</tbody></table></div></section>\n", f);
	free(plats);
}

/* retag's copy records, when the file has any: a table of their own. */
static void html_copies(FILE *f, const struct status_status *st)
{
	const struct status_retag_summary *r = &st->last_retag;

	if (!st->n_copies)
		return;
	fprintf(f, "<section id=\"copies\"><h2>Copies</h2>\n<p>%zu copies; last retag ",
	        st->n_copies);
	status_html_esc(f, r->finished ? r->finished : "unknown");
	fprintf(f, ": %d copied, %d unchanged, %d failed</p>\n", r->copied, r->unchanged,
	        r->failed);
	fputs("<table id=\"copy-table\"><thead><tr><th>to</th><th>state</th><th>digest</th>"
	      "<th>since</th><th>from</th><th>reason</th></tr></thead><tbody>\n",
	      f);
	for (size_t i = 0; i < st->n_copies; i++) {
		const struct status_copy_status *c = &st->copies[i];
		const char *word = status_copy_rec_state_str(c->state);
		char d[16];
		status_short_digest(c->digest, d, sizeof(d));
		fputs("<tr><td>", f);
		status_html_esc(f, c->to);
		fprintf(
		    f,
		    "</td><td class=\"s-%s\" data-state=\"%s\">%s</td><td><code>%s</code></td><td>",
		    c->state == STATUS_C_FAILED                                 ? "failed"
		    : c->state == STATUS_C_HELD || c->state == STATUS_C_REFUSED ? "held"
		                                                                : "published",
		    word, word, d);
		status_html_esc(f, c->since);
		fputs("</td><td>", f);
		status_html_esc(f, c->from);
		fputs("</td><td>", f);
		status_html_esc(f, c->reason);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></section>\n", f);
}

int status_report_html_opts(FILE *f, const struct status_status *st,
                            const struct status_report_opts *o)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width\"><title>",
	      f);
	status_html_esc(f, status_report_title(o));
	if (o->release && o->release[0]) {
		fputs(" · ", f);
		status_html_esc(f, o->release);
	}
	fputs("</title><style>", f);
	fputs(css, f);
	fputs("</style></head><body>\n", f);
	html_header(f, st, o);
	html_legend(f);
	if (o->since)
		html_since(f, o->since, o->now);
	status_html_history_charts(f, o->hist);
	html_matrix(f, st, o);
	html_copies(f, st);
	fputs("<script>", f);
	fputs(js, f);
	fputs("</script>\n</body></html>\n", f);
	return ferror(f) ? -1 : 0;
}

int status_report_html_history(FILE *f, const struct status_status *st,
                               const struct status_since *since, const struct status_history *h,
                               const char *now)
{
	struct status_report_opts o = {.now = now, .since = since, .hist = h};
	return status_report_html_opts(f, st, &o);
}

int status_report_html(FILE *f, const struct status_status *st, const struct status_since *since,
                       const char *now)
{
	return status_report_html_history(f, st, since, NULL, now);
}
