/* report_internal.h — what the status wing's renderers share (report*.c);
 * not copied to build/include, so no other folder sees it. */
#ifndef MANIFOLD_REPORT_INTERNAL_H
#define MANIFOLD_REPORT_INTERNAL_H

#include <stdio.h>

#include "status_report.h"

#define STATUS_N(a) (sizeof(a) / sizeof((a)[0]))

/* Text as HTML (the five special characters escaped); NULL writes nothing. */
void status_html_esc(FILE *f, const char *s);
/* The history section of the page: the two charts and their keys. */
void status_html_history_charts(FILE *f, const struct status_history *h);
/* One target's nights as an inline SVG strip; nothing when h lacks it. */
void status_html_history_strip(FILE *f, const struct status_history *h, const char *target);
/* The Markdown history section (GFM tables only). */
void status_md_history(FILE *f, const struct status_history *h, const struct status_status *st,
                       const char *now);
/* "2026-11-22": the night's date (from last_run.finished), else "night N". */
void status_history_night_date(const struct status_history *h, size_t n, char *buf, size_t len);
/* The hex part of "sha256:…", at most 12 characters; "" for NULL. */
void status_short_digest(const char *d, char *buf, size_t len);
/* root as JSON text and a newline (indented when pretty); 0 or -1. */
struct cJSON;
int status_json_write(FILE *f, struct cJSON *root, int pretty);
/* The legend, one entry per cell or target state: word and meaning. */
struct status_legend_entry {
	const char *state, *meaning;
};
extern const struct status_legend_entry status_legend[];
extern const size_t status_legend_n;

#endif
