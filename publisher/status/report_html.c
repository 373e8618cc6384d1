/* status_html.c — manifold status as one self-contained HTML page: counts,
 * the images × platforms matrix coloured by state (short digest and since in
 * each cell) and a filter box. No external assets: CSS and JS are inline. */
#include <stdlib.h>
#include <string.h>

#include "status.h"

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static const char css[] =
    "body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}"
    "h1{font-size:1.3em}.counts span{display:inline-block;padding:.3em .7em;margin-right:.5em;"
    "border-radius:4px}"
    "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.3em .5em;"
    "vertical-align:top}"
    "th{background:#f3f3f3;text-align:left}td.cell{min-width:8em}"
    "td.cell code{font-size:12px}td.cell small{color:#444}"
    ".s-published{background:#b7e4b0}.s-unchanged{background:#dcf2d8}"
    ".s-ready{background:#fff0b3}.s-incomplete{background:#ffe08a}.s-missing{background:#ffd27f}"
    ".s-failed,.s-error,.s-wrong-platform{background:#f5a3a3}.s-absent{background:#eee;color:#999}"
    "#filter{font-size:1em;padding:.3em;width:24em;margin:.8em 0}";

/* Filters rows by text (and "state:NAME"); #filter=TEXT in the URL preloads it. */
static const char js[] =
    "(function(){var box=document.getElementById('filter');"
    "function apply(){var q=box.value.trim().toLowerCase();"
    "var rows=document.querySelectorAll('tbody tr');var shown=0;"
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

int pub_report_html(FILE *f, const struct pub_status *st, const struct pub_since *since,
                    const char *now)
{
	int counts[PUB_T__COUNT];
	const char **plats = NULL;
	size_t np = pub_report_platforms(st, &plats);
	char age[32];

	pub_report_counts(st, counts);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<title>manifold status</title><style>",
	      f);
	fputs(css, f);
	fputs("</style></head><body>\n<h1>manifold status</h1>\n<p class=\"counts\">", f);
	for (int s = 0; s < PUB_T__COUNT; s++) {
		const char *name = pub_target_state_str((enum pub_target_state)s);
		if (s == PUB_T_READY && !counts[s])
			continue; /* check's state: shown only when a file has it */
		fprintf(f, "<span class=\"s-%s\" id=\"count-%s\">%d %s</span>", name, name,
		        counts[s], name);
	}
	fprintf(f, "<span>%zu targets</span>", st->n_targets);
	if (st->last_run.finished) {
		fputs("<span>last run ", f);
		esc(f, st->last_run.finished);
		fputs("</span>", f);
	}
	fputs("</p>\n", f);
	if (since) {
		fputs("<h2>Since <code>", f);
		esc(f, since->rev);
		fputs("</code></h2><ul id=\"since\">", f);
		for (size_t i = 0; i < since->n_published; i++) {
			fputs("<li>newly published: <code>", f);
			esc(f, since->published[i]->target);
			fputs("</code></li>", f);
		}
		for (size_t i = 0; i < since->n_broken; i++) {
			fputs("<li>newly broken: <code>", f);
			esc(f, since->broken[i]->target);
			fprintf(f, "</code> (%s)</li>",
			        pub_target_state_str(since->broken[i]->state));
		}
		for (size_t i = 0; i < since->n_still; i++) {
			pub_age_format(since->still[i]->since, now, age, sizeof(age));
			fprintf(f, "<li>still %s: <code>",
			        pub_target_state_str(since->still[i]->state));
			esc(f, since->still[i]->target);
			fprintf(f, "</code> for %s</li>", age);
		}
		fputs("</ul>\n", f);
	}
	fputs("<input id=\"filter\" type=\"search\" placeholder=\"filter: name, state:missing\" "
	      "aria-label=\"filter\"> <span id=\"shown\"></span>\n"
	      "<table id=\"matrix\"><thead><tr><th>image</th><th>state</th>",
	      f);
	for (size_t j = 0; j < np; j++) {
		fputs("<th>", f);
		esc(f, plats[j]);
		fputs("</th>", f);
	}
	fputs("</tr></thead><tbody>\n", f);
	for (size_t i = 0; i < st->n_targets; i++) {
		const struct pub_target_status *t = &st->targets[i];
		fputs("<tr data-target=\"", f);
		esc(f, t->target);
		fprintf(f, "\" data-states=\"%s", pub_target_state_str(t->state));
		for (size_t j = 0; j < t->n_platforms; j++)
			fprintf(f, " %s", pub_platform_state_str(t->platforms[j].state));
		fputs("\"><th>", f);
		esc(f, t->target);
		fprintf(f, "</th><td class=\"s-%s\" title=\"", pub_target_state_str(t->state));
		esc(f, t->reason);
		fprintf(f, "\">%s</td>", pub_target_state_str(t->state));
		for (size_t j = 0; j < np; j++) {
			const struct pub_platform_status *p;
			const char *cell = pub_cell_state(t, plats[j], &p);
			const char *d = p && p->digest ? strchr(p->digest, ':') : NULL;
			fprintf(f, "<td class=\"cell s-%s\" data-state=\"%s\" data-platform=\"",
			        cell, cell);
			esc(f, plats[j]);
			fputs("\" title=\"", f);
			esc(f, p && p->reason ? p->reason : (p ? p->source : ""));
			fputs("\">", f);
			if (!p) {
				fputs("—</td>", f);
				continue;
			}
			if (d)
				fprintf(f, "<code>%.12s</code>", d + 1);
			else
				fputs(cell, f);
			fputs("<br><small>", f);
			esc(f, t->since);
			fputs("</small></td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n<script>", f);
	fputs(js, f);
	fputs("</script>\n</body></html>\n", f);
	free(plats);
	return ferror(f) ? -1 : 0;
}
