/* report_internal.h — what the status wing's renderers share (report*.c);
 * not copied to build/include, so no other folder sees it. */
#ifndef MANIFOLD_REPORT_INTERNAL_H
#define MANIFOLD_REPORT_INTERNAL_H

#include <stdio.h>

#include "status_report.h"

#define STATUS_N(a) (sizeof(a) / sizeof((a)[0]))

/* Text as HTML (the five special characters escaped); NULL writes nothing. */
void status_html_esc(FILE *f, const char *s);
/* "reg.example/kube-proxy" of "reg.example/kube-proxy:v1.31.0" (tag or
 * digest cut). */
void status_report_image(const char *target, char *buf, size_t len);
/* target's link from o->registry_url (the HTML default when html is 1),
 * or "" when there is none; 0, or -1 when it does not fit. */
int status_report_registry_link(const struct status_report_opts *o, int html, const char *target,
                                char *buf, size_t len);
/* The commit link from o->commit_url, or "" */
int status_report_commit_link(const struct status_report_opts *o, char *buf, size_t len);
/* The title (default "manifold status"). */
const char *status_report_title(const struct status_report_opts *o);
/* The history section of the page: the two charts and their keys. */
void status_html_history_charts(FILE *f, const struct status_history *h);
/* One target's nights as an inline SVG strip; nothing when h lacks it. */
void status_html_history_strip(FILE *f, const struct status_history *h, const char *target);
/* Markdown pieces (report_markdown.c) the compact report (report_compact.c)
 * shares: table-cell text, the title and summary lines, the platforms. */
void status_md_text(FILE *f, const char *s);
void status_md_head(FILE *f, const struct status_report_opts *o, const struct status_status *st);
void status_md_platforms(FILE *f, const struct status_status *st);
/* -o markdown: every target (report_markdown.c); status_report_markdown_opts
 * (report_compact.c) picks it or the compact report. */
int status_md_full(FILE *f, const struct status_status *st, const struct status_report_opts *o);
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

/* The table --since reads (since_old.c), made by status_load_all
 * (status_pick.c): each file's copy at rev appended as records
 * [*first, *first + *count) (its sharding into *shard, the caller's to
 * free; a file not there at rev adds none), the records of one file
 * thinned (keep NULL: all dropped), then finished: sorted, and of a
 * target in two parts or files the newer since (ties: the first read). */
struct status_since_old *status_since_old_new(void);
int status_since_old_read(struct status_since_old *o, const char *file, const char *rev,
                          struct status_shard_info *shard, size_t *first, size_t *count,
                          struct base_error *err);
void status_since_old_keep(struct status_since_old *o, size_t first, size_t n,
                           int (*keep)(void *ctx, const char *target), void *ctx);
void status_since_old_finish(struct status_since_old *o);

#endif
