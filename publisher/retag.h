/* retag.h — the retag job: a plan of copies (farm_retag_expand,
 * farm_pairs_load, or SRC DST pairs) run in parallel on the worker pool, one
 * result per copy, and those results recorded in the status file. Private to
 * publisher/ and its tests. */
#ifndef MANIFOLD_RETAG_H
#define MANIFOLD_RETAG_H

#include <stdint.h>
#include <stdio.h>

#include "pub.h"

enum pub_copy_state {
	PUB_COPY_COPIED,     /* the destination now holds the source's digest */
	PUB_COPY_UNCHANGED,  /* it already did; nothing was written */
	PUB_COPY_WOULD_COPY, /* --dry-run: it does not, and nothing was written */
	PUB_COPY_FAILED,
	PUB_COPY__COUNT
};
/* "copied", "unchanged", "would-copy", "failed". */
const char *pub_copy_state_str(enum pub_copy_state s);

struct pub_copy_result {
	char *from, *to; /* references as planned */
	char *platform;  /* the rule's platform name, NULL for per-tag rules and pairs */
	enum pub_copy_state state;
	char digest[REG_DIGEST_MAX]; /* source digest, "" when it could not be learnt */
	char *media_type;            /* source media type, or NULL */
	int64_t size;                /* source manifest size, -1 unknown */
	int source_missing;          /* failed because the source does not exist */
	char *reason;                /* why failed, or NULL */
	struct reg_copy_stats stats;
};

struct pub_retag_options {
	int jobs;    /* workers; <= 0: 16 */
	int dry_run; /* HEAD only, write nothing */
};

/* Run every copy of plan on the pool. Per copy: HEAD the source, HEAD the
 * destination; when the destination already answers the source's digest the
 * copy is unchanged and nothing is written; otherwise GET the source pinned
 * to that digest and reg_copy_manifest it (blobs mounted or streamed, child
 * manifests, then the exact bytes). One copy failing never stops the others.
 * *out gets plan->n_copies results in plan order (free with
 * pub_copy_results_free). Returns -1 only when the pool could not start. */
int pub_retag_run(struct reg_client *c, const struct farm_copy_plan *plan,
                  const struct pub_retag_options *o, struct pub_copy_result **out,
                  struct reg_error *err);
void pub_copy_results_free(struct pub_copy_result *r, size_t n);

struct pub_copy_counts {
	int copied, unchanged, would_copy, failed;
};
void pub_copy_count(const struct pub_copy_result *r, size_t n, struct pub_copy_counts *out);

/* Record the results in st, one target record per copy (target = destination,
 * state published/unchanged/failed, digest, media_type, reason, since kept
 * when neither state nor digest changed; one platform record whose source is
 * the copy's source and the rule's platform, "all" for a per-tag copy). A failed copy keeps the
 * digest last recorded. Sets last_run (started/finished given) and sorts st. would-copy results are
 * not recorded. */
int pub_retag_record(struct pub_status *st, const struct pub_copy_result *r, size_t n,
                     const char *started, const char *finished, struct reg_error *err);

/* One line per copy and a summary line; colour only when `color`. */
void pub_retag_render_text(FILE *f, const struct pub_copy_result *r, size_t n, int color);
/* {"copies": [...], "summary": {...}} with a trailing newline. */
int pub_retag_render_json(FILE *f, const struct pub_copy_result *r, size_t n);

#endif
