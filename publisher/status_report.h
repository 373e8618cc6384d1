/* status_report.h — reports from status files (manifold status): table,
 * JSON, Markdown, HTML; what changed since a revision; the --check verdict. */
#ifndef MANIFOLD_STATUS_REPORT_H
#define MANIFOLD_STATUS_REPORT_H

#include <stdio.h>

#include "pub.h"

/* What changed between an older status and the current one. Arrays point
 * into `cur` (not owned); free with pub_since_free. */
struct pub_since {
	const char *rev;
	const struct pub_target_status *
	    *published; /* green now; new, was not green, or new digest */
	size_t n_published;
	const struct pub_target_status **broken; /* not green now, green or absent before */
	size_t n_broken;
	const struct pub_target_status **still; /* not green now and before */
	size_t n_still;
};

int pub_since_diff(const struct pub_status *old, const struct pub_status *cur, const char *rev,
                   struct pub_since *out, struct reg_error *err);
void pub_since_free(struct pub_since *s);

/* "3d 4h", "5h 12m", "12m": how long from since to now; "" when unknown. */
void pub_age_format(const char *since, const char *now, char *buf, size_t len);
/* Seconds, or -1 when either time does not parse. */
long long pub_age_seconds(const char *since, const char *now);
/* "48h", "2d", "90m", "3600s" → seconds; -1 when invalid. */
long long pub_duration_parse(const char *text);

/* now: RFC 3339 (ages). since may be NULL. color only for the table. */
int pub_report_table(FILE *f, const struct pub_status *st, const struct pub_since *since,
                     const char *now, int color);
int pub_report_markdown(FILE *f, const struct pub_status *st, const struct pub_since *since,
                        const char *now);
int pub_report_json(FILE *f, const struct pub_status *st, const struct pub_since *since,
                    const char *now);
int pub_report_html(FILE *f, const struct pub_status *st, const struct pub_since *since,
                    const char *now);

/* Lines "FAILED ref: reason" / "INCOMPLETE ref: for 3d 4h (over 48h)" to f;
 * returns the number of such targets. */
int pub_status_check(FILE *f, const struct pub_status *st, long long max_incomplete_age,
                     const char *now);

/* The status file's copy at git revision rev (libgit2; repository found
 * from the file's path); an empty status when the file is not there. */
int pub_git_status_at(const char *status_path, const char *rev, struct pub_status **out,
                      struct reg_error *err);

/* Shared by the renderers: the union of platforms in first-seen order. */
size_t pub_report_platforms(const struct pub_status *st, const char ***out);
int pub_target_green(const struct pub_target_status *t);
/* One matrix cell: the platform's record (or NULL) and its state word:
 * "published"/"unchanged" when the target is green, else "ready", or the
 * platform's own state ("missing", ...); "absent" when the target lacks it. */
const char *pub_cell_state(const struct pub_target_status *t, const char *platform,
                           const struct pub_platform_status **p);
/* Counts by target state. */
void pub_report_counts(const struct pub_status *st, int counts[PUB_T__COUNT]);

#endif
