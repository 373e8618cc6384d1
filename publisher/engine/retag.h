/* retag.h — the retag job (job_retag.c, retag.c): bulk copies of tags
 * (arch-suffixed names <-> tags, promotion) from the config's retag:
 * rules, a pairs file or SRC DST arguments; what each copy did. */
#ifndef MANIFOLD_RETAG_H
#define MANIFOLD_RETAG_H

#include <stdint.h>

#include "job.h"

/* What one copy wrote. */
struct pub_copy_stats {
	unsigned long blobs_present, blobs_mounted, blobs_copied;
	unsigned long manifests_present, manifests_put;
	uint64_t bytes_copied;
};

enum pub_copy_state {
	PUB_COPY_COPIED,     /* the destination now holds the source's digest */
	PUB_COPY_UNCHANGED,  /* it already did; nothing was written */
	PUB_COPY_WOULD_COPY, /* --dry-run: it does not, and nothing was written */
	PUB_COPY_FAILED,
	/* not written on purpose (reason says why); the run exits 3 */
	PUB_COPY_HELD,    /* the destination's list has platforms the source lacks */
	PUB_COPY_REFUSED, /* the destination holds a digest manifold did not write */
	PUB_COPY__COUNT
};
/* "copied", "unchanged", "would-copy", "failed", "held", "refused". */
const char *pub_copy_state_str(enum pub_copy_state s);

struct pub_copy_result {
	char *from, *to; /* references as planned */
	char *platform;  /* the rule's platform name, NULL for per-tag rules and pairs */
	enum pub_copy_state state;
	char digest[PUB_DIGEST_MAX]; /* source digest, "" when it could not be learnt */
	char *media_type;            /* source media type, or NULL */
	int64_t size;                /* source manifest size, -1 unknown */
	int source_missing;          /* failed because the source does not exist */
	char *reason;                /* why failed, held or refused, or NULL */
	char dest[PUB_DIGEST_MAX];   /* held, refused: what the destination holds */
	int dest_foreign;            /* held: and manifold did not write it (--overwrite) */
	struct pub_copy_stats stats;
};

void pub_copy_results_free(struct pub_copy_result *r, size_t n);

struct pub_copy_counts {
	int copied, unchanged, would_copy, failed, held, refused;
};
void pub_copy_count(const struct pub_copy_result *r, size_t n, struct pub_copy_counts *out);

struct pub_retag_job_options {
	const char *config_path;  /* -c: the config's retag: rules */
	const char *from_file;    /* --from-file: SRC DST pairs, one a line */
	const char *const *pairs; /* SRC DST operands (n_pairs even) */
	size_t n_pairs;
	const char *const *only_names; /* --only NAME|REF (with -c); n_only 0: all */
	size_t n_only;
	const char *status_path; /* --status; NULL: the config's status: */
	struct pub_global g;     /* -j, --insecure, --dry-run */
	int overwrite;           /* --overwrite */
	int allow_shrink;        /* --allow-shrink */
	/* each copy finishing (phase "copying"; --dry-run: "checking"); may be NULL */
	pub_progress_fn progress;
	void *progress_ctx;
};
struct pub_retag_result {
	struct pub_copy_result *copies; /* one per planned copy, in plan order */
	size_t n_copies;
	/* The copies ran but their record in the status file could not be
	 * written: "status PATH: why" (malloc'd), else NULL. */
	char *status_error;
};
void pub_retag_result_free(struct pub_retag_result *r);

/* Make the plan of copies (-c: the config's rules, then --only; or the
 * pairs file; then the pairs), check every reference, read the status
 * file's record of what manifold wrote, log the plan, run the copies
 * (pub_retag_run; failed, held and refused ones are logged) and record
 * them in the status file (not with --dry-run). BASE_EINPUT when nothing
 * was sent (a config, pairs, reference or status file error); -1 when the
 * copies could not start; 0 otherwise (each copy's state says how it went). */
int pub_retag_job(const struct pub_retag_job_options *o, struct pub_retag_result *out,
                  struct base_error *err);

#endif
