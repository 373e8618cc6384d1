/* status_report.h — the reports made from status files (report.c,
 * report_json.c, report_markdown.c, report_compact.c, report_html.c,
 * report_history.c):
 * table, JSON, Markdown (full or compact), HTML, what changed since a
 * revision, the --check verdict; and
 * the files a report is read from, several shards merged (status_pick.c).
 * Functions return 0 or negative and fill a caller-owned struct base_error. */
#ifndef MANIFOLD_STATUS_REPORT_H
#define MANIFOLD_STATUS_REPORT_H

#include <stdio.h>

#include "status_history.h"

/* ---- reports (report.c, report_markdown.c, report_html.c) --------------- */

/* What changed between an older status and the current one. Arrays point
 * into `cur` (not owned); free with status_since_free. */
struct status_since {
	const char *rev;
	const struct status_target_status *
	    *published; /* green now; new, was not green, or new digest */
	size_t n_published;
	const struct status_target_status **broken; /* not green now, green or absent before */
	size_t n_broken;
	const struct status_target_status **still; /* not green now and before */
	size_t n_still;
};

/* The status files at a revision as --since reads them (since_old.c):
 * per target its state, digest and since, sorted, nothing else of the
 * records. status_load_all makes one; free with status_since_old_free. */
struct status_since_old;
void status_since_old_free(struct status_since_old *o);
/* The table of st's records (st may be NULL: none). */
int status_since_old_of(const struct status_status *st, struct status_since_old **out,
                        struct base_error *err);
/* What changed from old to cur; old NULL: nothing was there. */
int status_since_diff_old(const struct status_since_old *old, const struct status_status *cur,
                          const char *rev, struct status_since *out, struct base_error *err);
/* The same from a whole status at the revision. */
int status_since_diff(const struct status_status *old, const struct status_status *cur,
                      const char *rev, struct status_since *out, struct base_error *err);
void status_since_free(struct status_since *s);

/* What a report says besides the records (`manifold status` options,
 * docs/status.md "Reports"). Zeroed: the defaults. */
struct status_report_opts {
	const char *now;                   /* RFC 3339: ages */
	const struct status_since *since;  /* or NULL */
	const struct status_history *hist; /* or NULL */
	const char *title;                 /* NULL: "manifold status" */
	const char *release;               /* the release's name, or NULL */
	/* A target's registry link: {registry}, {repository}, {tag} replaced
	 * (percent-encoded); only http(s) URLs are linked. NULL: HTML links
	 * https://{registry}/, Markdown links nothing. "": no links. */
	const char *registry_url;
	const char *commit;     /* the status file's commit (hex), or NULL */
	const char *commit_url; /* {commit} replaced; NULL: the id as text */
	int compact;            /* Markdown: STATUS_MD_COMPACT_MAX characters at most */
	int color;              /* table: ANSI colours */
};

/* --compact's bound: a GitHub comment holds 65,536 characters. */
#define STATUS_MD_COMPACT_MAX 60000

int status_report_table_opts(FILE *f, const struct status_status *st,
                             const struct status_report_opts *o);
/* Without compact: every target; with it, what is not green grouped by
 * image, state and reason with counts, as many groups as fit in
 * STATUS_MD_COMPACT_MAX bytes, and a line saying what was left out. */
int status_report_markdown_opts(FILE *f, const struct status_status *st,
                                const struct status_report_opts *o);
int status_report_html_opts(FILE *f, const struct status_status *st,
                            const struct status_report_opts *o);

/* now: RFC 3339 (ages). since may be NULL. color only for the table. */
int status_report_table(FILE *f, const struct status_status *st, const struct status_since *since,
                        const char *now, int color);
int status_report_markdown(FILE *f, const struct status_status *st,
                           const struct status_since *since, const char *now);
/* The JSON report (report_json.c): the status file's document, laid out as
 * cJSON_Print lays it out, plus "summary" and, with since, "since";
 * written one target at a time, never whole in memory. */
int status_report_json(FILE *f, const struct status_status *st, const struct status_since *since,
                       const char *now);
int status_report_html(FILE *f, const struct status_status *st, const struct status_since *since,
                       const char *now);

/* The same reports with a history (NULL: as above). html adds the charts
 * (inline SVG) and ages in nights; markdown a compact history section. */
int status_report_markdown_history(FILE *f, const struct status_status *st,
                                   const struct status_since *since, const struct status_history *h,
                                   const char *now);
int status_report_html_history(FILE *f, const struct status_status *st,
                               const struct status_since *since, const struct status_history *h,
                               const char *now);
/* The series as JSON: {"schema": 1, "truncated": false, "nights": [...],
 * "targets": [...], "platforms": [...]} (docs/status.md). */
int status_history_report_json(FILE *f, const struct status_history *h);

/* Lines "FAILED ref: reason" / "INCOMPLETE ref: for 3d 4h (over 48h)" to f;
 * returns the number of such targets. */
int status_check(FILE *f, const struct status_status *st, long long max_incomplete_age,
                 const char *now);

/* Shared by the renderers: the union of platforms in first-seen order. */
size_t status_report_platforms(const struct status_status *st, const char ***out);
/* 1 when every record of platform in st is optional (optional-platforms):
 * the matrix header says "(optional)". */
int status_report_platform_optional(const struct status_status *st, const char *platform);
int status_target_green(const struct status_target_status *t);
/* One matrix cell: the platform's record (or NULL) and its state word:
 * "published"/"unchanged" when the target is green, else "ready", or the
 * platform's own state ("missing", ...); "absent" when the target lacks it. */
const char *status_cell_state(const struct status_target_status *t, const char *platform,
                              const struct status_platform_status **p);
/* "same list" when extra tag e holds the target's digest, else "held: an
 * earlier list" (a list of manifold's it keeps) or "another list". */
const char *status_extra_tag_holds(const struct status_target_status *t,
                                   const struct status_extra_tag *e);
/* 1 when a platform's child is missing from the target's repository. */
int status_target_child_missing(const struct status_target_status *t);
/* Counts by target state. */
void status_report_counts(const struct status_status *st, int counts[STATUS_T__COUNT]);

/* ---- the files a report is read from (status_pick.c) ------------------ */

/* How status_load_all picks among several files (`manifold status`). */
struct status_pick {
	/* Told of each file left out and why, of each shard of the latest
	 * sharding no file was given for, and of records left out; may be NULL. */
	void (*note)(void *ctx, const char *msg);
	void *note_ctx;
	/* 1 when shard index of count owns target (farm_shard_has); NULL: a
	 * shard file's every record counts. */
	int (*owns)(const char *target, unsigned index, unsigned count);
	/* -c CONFIG: its every target (sorted) and digest; known NULL: none
	 * given. */
	const char *config_path;
	const char *const *known;
	size_t n_known;
	const char *config_digest;
};
/* The files named (shards of one night) read and merged by target into
 * *cur; with rev (and old non-NULL) their copies at git revision rev
 * merged into the table *old too (the same files, the same records left
 * out, of a target in two files the newer since). A file that does not
 * exist is an error naming it. With pick and several files: only the
 * files of the latest sharding are merged — the shard count and config
 * digest ("shard") of the file whose run finished last; the others are
 * left out (a note says which, and why), and of a shard file only the
 * records of the targets its shard owns (pick->owns). With pick->known,
 * records of targets not in it are left out. Each file is read once and
 * its records moved into *cur, so *cur's records are held once; of each
 * copy at rev only target, state, digest and since are kept, read target
 * by target before the current files are read. Free *cur with
 * status_free and *old with status_since_old_free, also after an error. */
int status_load_all(const char *const *files, size_t n, const char *rev,
                    const struct status_pick *pick, struct status_status **cur,
                    struct status_since_old **old, struct base_error *err);

#endif
