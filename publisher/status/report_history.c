/* report_history.c — the history as reports: inline SVG charts for the HTML
 * page (targets by state per night, targets lacking each platform per night,
 * a strip of nights per target), the compact Markdown section and the JSON
 * series. */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "status_report.h"
#include "report_internal.h"

#define CHART_W 960
#define CHART_H 150
#define STRIP_W 180
#define LABEL_W 130 /* platform names left of the bars */
#define ROW_H   26

static int is_green(int s)
{
	return s == STATUS_T_PUBLISHED || s == STATUS_T_UNCHANGED;
}

void status_history_night_date(const struct status_history *h, size_t n, char *buf, size_t len)
{
	const char *f = h->nights[n].finished;
	if (f && strlen(f) >= 10)
		snprintf(buf, len, "%.10s", f);
	else
		snprintf(buf, len, "night %zu", n + 1);
}

static int night_max(const struct status_history *h)
{
	int max = 1;
	for (size_t n = 0; n < h->n_nights; n++) {
		int sum = 0;
		for (int s = 0; s < STATUS_T__COUNT; s++)
			sum += h->nights[n].counts[s];
		if (sum > max)
			max = sum;
	}
	return max;
}

/* Dates under a chart whose bars start at x0: AXIS_TICKS ticks (fewer
 * when there are fewer nights) spread evenly from the first night to the
 * last, each a short line and the night's date under its bar. */
#define AXIS_TICKS 7
static void chart_axis(FILE *f, const struct status_history *h, int x0, int y)
{
	size_t n = h->n_nights, ticks = n < AXIS_TICKS ? n : AXIS_TICKS, last = (size_t)-1;
	double bw = (double)(CHART_W - x0) / (double)n;

	fputs("<g class=\"x-axis\">", f);
	for (size_t k = 0; k < ticks; k++) {
		size_t i = ticks == 1 ? 0 : (k * (n - 1) + (ticks - 1) / 2) / (ticks - 1);
		double x = x0 + bw * ((double)i + 0.5);
		const char *anchor = "middle";
		char d[32];

		if (i == last)
			continue;
		last = i;
		if (x - x0 < 40)
			anchor = "start"; /* the label stays inside the chart */
		else if (CHART_W - x < 40)
			anchor = "end";
		status_history_night_date(h, i, d, sizeof(d));
		fprintf(f,
		        "<line class=\"tick\" x1=\"%.2f\" x2=\"%.2f\" y1=\"%d\" y2=\"%d\"/>"
		        "<text x=\"%.2f\" y=\"%d\" class=\"axis\" text-anchor=\"%s\">%s</text>",
		        x, x, y - 14, y - 10, x, y, anchor, d);
	}
	fputs("</g>", f);
}

/* Stacked bars, one <g data-night> per night, worst state at the bottom. */
static void chart_states(FILE *f, const struct status_history *h)
{
	static const int order[] = {STATUS_T_FAILED, STATUS_T_HELD,      STATUS_T_INCOMPLETE,
	                            STATUS_T_READY,  STATUS_T_UNCHANGED, STATUS_T_PUBLISHED};
	int max = night_max(h);
	double bw = (double)CHART_W / (double)h->n_nights;

	fprintf(f,
	        "<svg id=\"chart-states\" class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
	        "aria-label=\"targets by state, night by night\">",
	        CHART_W, CHART_H + 18);
	for (size_t n = 0; n < h->n_nights; n++) {
		const int *c = h->nights[n].counts;
		double y = CHART_H;
		char d[32];
		status_history_night_date(h, n, d, sizeof(d));
		fprintf(f,
		        "<g data-night=\"%zu\" data-date=\"%s\"><title>%s: %d published, %d "
		        "unchanged, %d incomplete, %d failed</title>",
		        n, d, d, c[STATUS_T_PUBLISHED], c[STATUS_T_UNCHANGED],
		        c[STATUS_T_INCOMPLETE], c[STATUS_T_FAILED]);
		for (size_t k = 0; k < STATUS_N(order); k++) {
			double hh = (double)c[order[k]] * (CHART_H - 14) / max;
			if (c[order[k]] == 0)
				continue;
			y -= hh;
			fprintf(f,
			        "<rect class=\"h-%s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
			        "height=\"%.2f\"/>",
			        status_target_state_str((enum status_target_state)order[k]),
			        bw * (double)n, y, bw > 2 ? bw - 1 : bw, hh);
		}
		fputs("</g>", f);
	}
	chart_axis(f, h, 0, CHART_H + 14);
	fprintf(f, "<text x=\"2\" y=\"10\" class=\"axis\">%d targets</text></svg>\n", max);
	fputs(
	    "<p class=\"note\"><svg width=\"10\" height=\"10\"><rect class=\"h-published\" "
	    "width=\"10\" height=\"10\"/></svg> published <svg width=\"10\" height=\"10\"><rect "
	    "class=\"h-unchanged\" width=\"10\" height=\"10\"/></svg> unchanged <svg width=\"10\" "
	    "height=\"10\"><rect class=\"h-incomplete\" width=\"10\" height=\"10\"/></svg> "
	    "incomplete <svg width=\"10\" height=\"10\"><rect class=\"h-failed\" width=\"10\" "
	    "height=\"10\"/></svg> failed</p>\n",
	    f);
}

static int lacking_max(const struct status_history *h)
{
	int max = 1;
	for (size_t p = 0; p < h->n_platforms; p++)
		for (size_t n = 0; n < h->n_nights; n++)
			if (h->platforms[p].lacking[n] > max)
				max = h->platforms[p].lacking[n];
	return max;
}

/* One row of bars per platform (small multiples: lines of equal values
 * would hide each other); one <g data-night> column per night, its figures
 * as the tooltip. */
static void chart_platforms(FILE *f, const struct status_history *h)
{
	int max = lacking_max(h), rows = (int)h->n_platforms, height = rows * ROW_H;
	double bw = (double)(CHART_W - LABEL_W) / (double)h->n_nights;

	fprintf(f,
	        "<svg id=\"chart-platforms\" class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
	        "aria-label=\"targets lacking each platform, night by night\">",
	        CHART_W, height + 18);
	for (int p = 0; p < rows; p++) {
		int nights = 0;
		for (size_t n = 0; n < h->n_nights; n++)
			nights += h->platforms[p].lacking[n] > 0;
		fprintf(f,
		        "<line class=\"base\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>"
		        "<text x=\"0\" y=\"%d\" class=\"axis\">",
		        LABEL_W, CHART_W, (p + 1) * ROW_H, (p + 1) * ROW_H, (p + 1) * ROW_H - 6);
		status_html_esc(f, h->platforms[p].platform);
		fprintf(f, " (%d)</text>", nights);
	}
	for (size_t n = 0; n < h->n_nights; n++) {
		char d[32];
		double x = LABEL_W + bw * (double)n;
		status_history_night_date(h, n, d, sizeof(d));
		fprintf(f, "<g data-night=\"%zu\" data-date=\"%s\"><title>%s, targets lacking:", n,
		        d, d);
		for (int p = 0; p < rows; p++)
			fprintf(f, "%s %s %d", p ? "," : "", h->platforms[p].platform,
			        h->platforms[p].lacking[n]);
		fprintf(
		    f,
		    "</title><rect class=\"col\" x=\"%.2f\" y=\"0\" width=\"%.2f\" height=\"%d\"/>",
		    x, bw, height);
		for (int p = 0; p < rows; p++) {
			int v = h->platforms[p].lacking[n];
			double hh = (double)v * (ROW_H - 4) / max;
			if (v)
				fprintf(f,
				        "<rect class=\"lack\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
				        "height=\"%.2f\"/>",
				        x, (p + 1) * ROW_H - hh, bw > 2 ? bw - 1 : bw, hh);
		}
		fputs("</g>", f);
	}
	chart_axis(f, h, LABEL_W, height + 14);
	fputs("</svg>\n", f);
	fprintf(f,
	        "<p class=\"note\">A full bar is %d target%s; in brackets the nights the "
	        "platform was lacking.</p>\n",
	        max, max == 1 ? "" : "s");
}

void status_html_history_charts(FILE *f, const struct status_history *h)
{
	char a[32], b[32];
	if (!h || !h->n_nights)
		return;
	status_history_night_date(h, 0, a, sizeof(a));
	status_history_night_date(h, h->n_nights - 1, b, sizeof(b));
	fprintf(f,
	        "<section id=\"history\"><h2>History</h2><p>%zu night%s, %s to %s, one per "
	        "commit of the status file%s.</p>\n<h3>Targets by state</h3>\n",
	        h->n_nights, h->n_nights == 1 ? "" : "s", a, b,
	        h->truncated ? " (the oldest left out: at most 1000 are read)" : "");
	chart_states(f, h);
	fputs("<h3>Targets lacking each platform</h3>\n", f);
	chart_platforms(f, h);
	fputs("</section>\n", f);
}

/* One target's nights as runs of one state: a rect per run. */
void status_html_history_strip(FILE *f, const struct status_history *h, const char *target)
{
	const struct status_history_target *t = status_history_find(h, target);
	double w;
	if (!t || !h->n_nights)
		return;
	w = (double)STRIP_W / (double)h->n_nights;
	fprintf(f,
	        "<svg class=\"strip\" viewBox=\"0 0 %d 12\" width=\"%d\" height=\"12\" "
	        "role=\"img\" aria-label=\"state night by night\">",
	        STRIP_W, STRIP_W);
	for (size_t n = 0, end; n < h->n_nights; n = end) {
		int s = t->states[n];
		char a[32], b[32];
		for (end = n + 1; end < h->n_nights && t->states[end] == s; end++)
			;
		status_history_night_date(h, n, a, sizeof(a));
		status_history_night_date(h, end - 1, b, sizeof(b));
		fprintf(f,
		        "<rect class=\"h-%s\" x=\"%.2f\" width=\"%.2f\" height=\"12\"><title>%s: "
		        "%s to %s (%zu night%s)</title></rect>",
		        s == STATUS_HISTORY_ABSENT
		            ? "absent"
		            : status_target_state_str((enum status_target_state)s),
		        w * (double)n, w * (double)(end - n),
		        s == STATUS_HISTORY_ABSENT
		            ? "not in the file"
		            : status_target_state_str((enum status_target_state)s),
		        a, b, end - n, end - n == 1 ? "" : "s");
	}
	fputs("</svg>", f);
}

/* ---- markdown ------------------------------------------------------------ */

/* At most 60 columns: a bucket of nights shows its largest value. */
static void md_spark(FILE *f, const int *v, size_t n)
{
	static const char *const bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
	size_t cols = n < 60 ? n : 60;
	int max = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	for (size_t c = 0; c < cols; c++) {
		int m = 0;
		for (size_t i = c * n / cols; i < (c + 1) * n / cols; i++)
			if (v[i] > m)
				m = v[i];
		fputs(max ? bars[(m * 7 + max - 1) / max] : bars[0], f);
	}
}

static void md_series(FILE *f, const char *name, const int *v, size_t n)
{
	int min = v[0], max = v[0];
	for (size_t i = 1; i < n; i++) {
		if (v[i] < min)
			min = v[i];
		if (v[i] > max)
			max = v[i];
	}
	fprintf(f, "| %s | %d | %d | %d | `", name, v[n - 1], min, max);
	md_spark(f, v, n);
	fputs("` |\n", f);
}

static const char *md_night_icon(int s)
{
	if (s == STATUS_HISTORY_ABSENT)
		return "·";
	if (is_green(s))
		return "✅";
	return s == STATUS_T_FAILED ? "❌" : "⏳";
}

static int had_trouble(const struct status_history *h, const struct status_history_target *t)
{
	for (size_t n = t->first_night; n < h->n_nights; n++)
		if (t->states[n] != STATUS_HISTORY_ABSENT && !is_green(t->states[n]))
			return 1;
	return 0;
}

static void md_targets(FILE *f, const struct status_history *h, const struct status_status *st,
                       const char *now)
{
	size_t shown = 0, more = 0, last = h->n_nights < 14 ? h->n_nights : 14;
	for (size_t i = 0; i < h->n_targets; i++) {
		const struct status_history_target *t = &h->targets[i];
		const struct status_target_status *cur = status_find(st, t->target);
		char age[64], sum[128];
		if (!had_trouble(h, t))
			continue;
		if (shown == 50) {
			more++;
			continue;
		}
		if (!shown++)
			fprintf(
			    f,
			    "\n| target | now | history | last %zu nights |\n|---|---|---|---|\n",
			    last);
		if (cur)
			status_report_age(cur, h, now, age, sizeof(age));
		else
			snprintf(age, sizeof(age), "removed");
		status_history_summary(t, sum, sizeof(sum));
		fprintf(f, "| `%s` | %s | %s | ", t->target, age, sum);
		for (size_t n = h->n_nights - last; n < h->n_nights; n++)
			fputs(md_night_icon(t->states[n]), f);
		fputs(" |\n", f);
	}
	if (more)
		fprintf(f, "\n… and %zu more targets that were not green on some night.\n", more);
}

void status_md_history(FILE *f, const struct status_history *h, const struct status_status *st,
                       const char *now)
{
	int v[STATUS_HISTORY_MAX_NIGHTS];
	char a[32], b[32], name[160];
	size_t n = h ? h->n_nights : 0;
	if (!n)
		return;
	if (n > STATUS_HISTORY_MAX_NIGHTS)
		n = STATUS_HISTORY_MAX_NIGHTS;
	status_history_night_date(h, 0, a, sizeof(a));
	status_history_night_date(h, n - 1, b, sizeof(b));
	fprintf(f, "\n### History: %zu nights, %s to %s%s\n\n", n, a, b,
	        h->truncated ? " (older ones left out: at most 1000)" : "");
	fputs("| series | last night | min | max | nights, oldest to newest |\n"
	      "|---|---|---|---|---|\n",
	      f);
	for (int k = 0; k < 3; k++) {
		static const char *const names[] = {"green", "incomplete", "failed"};
		for (size_t i = 0; i < n; i++) {
			const int *c = h->nights[i].counts;
			v[i] = k == 0   ? c[STATUS_T_PUBLISHED] + c[STATUS_T_UNCHANGED]
			       : k == 1 ? c[STATUS_T_INCOMPLETE]
			                : c[STATUS_T_FAILED];
		}
		md_series(f, names[k], v, n);
	}
	for (size_t p = 0; p < h->n_platforms; p++) {
		snprintf(name, sizeof(name), "lacking %s", h->platforms[p].platform);
		md_series(f, name, h->platforms[p].lacking, n);
	}
	md_targets(f, h, st, now);
}

/* ---- json ---------------------------------------------------------------- */

static cJSON *json_nights(const struct status_history *h)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t n = 0; a && n < h->n_nights; n++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToArray(a, o);
		cJSON_AddStringToObject(o, "commit", h->nights[n].commit);
		if (h->nights[n].finished)
			cJSON_AddStringToObject(o, "finished", h->nights[n].finished);
		else
			cJSON_AddNullToObject(o, "finished");
		for (int s = 0; s < STATUS_T__COUNT; s++) {
			if ((s == STATUS_T_READY || s == STATUS_T_HELD) && !h->nights[n].counts[s])
				continue;
			cJSON_AddNumberToObject(
			    o, status_target_state_str((enum status_target_state)s),
			    h->nights[n].counts[s]);
		}
	}
	return a;
}

static cJSON *json_target(const struct status_history *h, const struct status_history_target *t)
{
	cJSON *o = cJSON_CreateObject(), *states = cJSON_CreateArray();
	int last = h->n_nights ? t->states[h->n_nights - 1] : STATUS_HISTORY_ABSENT;
	cJSON_AddStringToObject(o, "target", t->target);
	if (last == STATUS_HISTORY_ABSENT)
		cJSON_AddNullToObject(o, "state");
	else
		cJSON_AddStringToObject(o, "state",
		                        status_target_state_str((enum status_target_state)last));
	cJSON_AddNumberToObject(o, "nights_in_state", (double)t->nights_in_state);
	if (t->nights_to_green < 0)
		cJSON_AddNullToObject(o, "nights_to_green");
	else
		cJSON_AddNumberToObject(o, "nights_to_green", (double)t->nights_to_green);
	cJSON_AddNumberToObject(o, "longest_incomplete", (double)t->longest_incomplete);
	for (size_t n = 0; n < h->n_nights; n++)
		cJSON_AddItemToArray(states, t->states[n] == STATUS_HISTORY_ABSENT
		                                 ? cJSON_CreateNull()
		                                 : cJSON_CreateString(status_target_state_str(
		                                       (enum status_target_state)t->states[n])));
	cJSON_AddItemToObject(o, "states", states);
	return o;
}

/* Print o unformatted, without its trailing newline; o is deleted. */
static int json_put(FILE *f, cJSON *o, size_t drop_tail)
{
	char *text = o ? cJSON_PrintUnformatted(o) : NULL;
	size_t len = text ? strlen(text) : 0;
	int rc = text && len >= drop_tail && fwrite(text, 1, len - drop_tail, f) == len - drop_tail
	             ? 0
	             : -1;
	free(text);
	cJSON_Delete(o);
	return rc;
}

/* The document one target at a time (a year of 100,000 targets is 36.5
 * million states: as one cJSON tree, gigabytes), in the bytes cJSON prints
 * the whole tree as. */
int status_history_report_json(FILE *f, const struct status_history *h)
{
	cJSON *head = cJSON_CreateObject(), *plats = cJSON_CreateArray();
	int rc = -1;

	if (!head || !plats)
		goto out;
	cJSON_AddNumberToObject(head, "schema", 1);
	cJSON_AddBoolToObject(head, "truncated", h->truncated);
	cJSON_AddNumberToObject(head, "max_nights", STATUS_HISTORY_MAX_NIGHTS);
	for (size_t p = 0; p < h->n_platforms; p++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToArray(plats, o);
		cJSON_AddStringToObject(o, "platform", h->platforms[p].platform);
		cJSON_AddItemToObject(
		    o, "lacking", cJSON_CreateIntArray(h->platforms[p].lacking, (int)h->n_nights));
	}
	/* {"schema":1,…,"max_nights":1000 — the object without its closing brace */
	rc = json_put(f, head, 1);
	head = NULL;
	if (rc < 0 || fputs(",\"nights\":", f) < 0 || json_put(f, json_nights(h), 0) < 0 ||
	    fputs(",\"targets\":[", f) < 0) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < h->n_targets; i++) {
		if ((i && fputc(',', f) == EOF) ||
		    json_put(f, json_target(h, &h->targets[i]), 0) < 0) {
			rc = -1;
			goto out;
		}
	}
	rc = fputs("],\"platforms\":", f) < 0 || json_put(f, plats, 0) < 0 || fputs("}\n", f) < 0 ||
	             ferror(f)
	         ? -1
	         : 0;
	plats = NULL;
out:
	cJSON_Delete(head);
	cJSON_Delete(plats);
	return rc;
}
