/* retag_internal.h — engine-private: one run of copies on the pool, the
 * decision for one copy, and the copies' record in the status file. */
#ifndef MANIFOLD_RETAG_INTERNAL_H
#define MANIFOLD_RETAG_INTERNAL_H

#include "engine_internal.h"
#include "retag.h"

struct pub_retag_options {
	int jobs;    /* workers; <= 0: 16 */
	int dry_run; /* HEAD only, write nothing */
	/* --overwrite: a destination tag holding a digest manifold did not
	 * write may be moved (a rule's `overwrite: true` does it for its
	 * copies) */
	int overwrite;
	/* --allow-shrink: a destination's list may be replaced by something
	 * serving fewer platforms (a rule's `allow-shrink: true` likewise) */
	int allow_shrink;
	/* what manifold wrote where: the status file's copy records
	 * (status_find_copy); NULL: nothing is known to be manifold's */
	const struct status_status *written;
	pub_progress_fn progress; /* after each copy; may be NULL */
	void *progress_ctx;
};

/* The decision for one copy once its HEADs answered, pure (a table test
 * covers it): what the destination tag holds against the source, the
 * status file's word on who wrote it, the flags, and (asked for with
 * PUB_COPY_NEED_PLATFORMS) the platforms each serves. */
struct pub_copy_in {
	const char *source; /* the source's digest */
	const char *dest;   /* what the destination tag holds; NULL or "": nothing */
	int dest_is_list;   /* it holds a list or an index */
	int manifold_wrote; /* the copy records record dest at this destination */
	int overwrite;      /* --overwrite or the rule's overwrite: true */
	int allow_shrink;   /* --allow-shrink or the rule's allow-shrink: true */
	/* the platforms the destination's list and the source serve (a list's
	 * image entries, an image's config); have NULL: not learnt yet */
	const char *const *have;
	size_t n_have;
	const char *const *want;
	size_t n_want;
};
enum pub_copy_verdict {
	PUB_COPY_DO,             /* copy (or, with --dry-run, would) */
	PUB_COPY_SAME,           /* the destination holds the source's digest: unchanged */
	PUB_COPY_NOT_MINE,       /* refused: another digest manifold did not write */
	PUB_COPY_SHRINK,         /* held: the destination's list has platforms the source lacks */
	PUB_COPY_NEED_PLATFORMS, /* learn have and want, then ask again */
};
/* *out and, for NOT_MINE and SHRINK, *reason (malloc'd: "tag holds
 * sha256:… which manifold did not write (use --overwrite)", "would drop a,
 * b, which the tag's current list has (--allow-shrink lets it through)").
 * 0, or -1 out of memory. */
int pub_copy_decide(const struct pub_copy_in *in, enum pub_copy_verdict *out, char **reason);

/* Run every copy of plan on the pool. Per copy: HEAD the source, HEAD the
 * destination; when the destination already answers the source's digest the
 * copy is unchanged and nothing is written. When it answers another digest
 * that o->written does not record at that destination, the copy is refused
 * (unless overwrite); when it holds a list with a platform the source does
 * not serve, the copy is held (unless allow-shrink). Otherwise GET the
 * source pinned to that digest and reg_copy_manifest it (blobs mounted or
 * streamed, child manifests, then the exact bytes), every blob and manifest
 * written once per (repository, digest) in the run, whichever copy needs it
 * first (the others wait). One copy failing never stops the others.
 * *out gets plan->n_copies results in plan order (free with
 * pub_copy_results_free). Returns -1 only when the pool could not start. */
int pub_retag_run(struct reg_client *c, const struct farm_copy_plan *plan,
                  const struct pub_retag_options *o, struct pub_copy_result **out,
                  struct base_error *err);

/* Record the results in st's copy records (status.h, status_record_copies):
 * one per copy, keyed by destination, state copied/unchanged/failed, the
 * destination's digest and media type (a failed copy keeps the last one
 * recorded), reason, since kept while the state class and digest stay.
 * last_retag gets started/finished and the counts; targets and last_run
 * are not touched. would-copy results are not recorded. */
int pub_retag_record(struct status_status *st, const struct pub_copy_result *r, size_t n,
                     const char *started, const char *finished, struct base_error *err);
/* Under the status file's lock (status_lock): load path, set its config
 * when it has none, pub_retag_record (finished = now), write it. */
int pub_retag_status_update(const char *path, const char *config, const struct pub_copy_result *r,
                            size_t n, const char *started, struct base_error *err);

#endif
