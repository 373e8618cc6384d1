/* job_internal.h — engine-private: what the check and publish run
 * (publish.c) shares with the work done for one target (target.c). */
#ifndef MANIFOLD_JOB_INTERNAL_H
#define MANIFOLD_JOB_INTERNAL_H

#include <stdatomic.h>

#include "engine.h"

/* What one HEAD found, compact: check keeps one per source tag of the run,
 * publish one per tag of the targets in progress. The error text is
 * allocated only when there is one; a media type manifold knows points to
 * its static name. */
struct head_slot {
	int rc;                      /* REG_OK, REG_ENOTFOUND, or another error (error says why) */
	int64_t size;                /* Content-Length, -1 unknown */
	const char *media_type;      /* static, or mt_owned, or NULL */
	char *mt_owned;              /* a media type manifold has no name for */
	char *error;                 /* malloc'd, when rc is another error */
	char digest[REG_DIGEST_MAX]; /* "" when the registry named none */
};
/* HEAD ref into slot (any previous content freed first). */
void pub_head_slot_fill(struct reg_session *s, const struct reg_ref *ref, struct head_slot *slot);
void pub_head_slot_free(struct head_slot *slot); /* NULL safe; slot reusable */

/* One target through the run. Workers touch only their own tjob. */
struct tjob {
	const struct pub_plan_target *t;
	const struct pub_target_status *prev; /* last run's record, or NULL */
	struct head_slot *heads; /* n_sources, then the target tag (publish); publish: only
	                          * while the target is worked on */
	int with_target;         /* heads has the target tag's slot */
	int verify;
	struct pub_target_status out;
	struct pub_target_writes writes;
};

struct job_ctx {
	const struct pub_job_options *o;
	struct tjob *jobs;
	size_t n_jobs;
	/* check: flat (target, slot) pairs */
	size_t *head_target, *head_slot;
	size_t n_heads;
	struct pub_flights *flights; /* publish: single-flight writes of the run */
	/* progress: done is counted by every worker, the rest is set before a phase */
	atomic_size_t done;
	size_t total;
	const char *phase;
};

/* Pool jobs: HEAD pair i (check, pub_job_fn); HEAD, decide and publish
 * target i with the worker's crew (publish, pub_crew_job_fn). */
void pub_job_head(struct reg_session *s, size_t i, void *ctx);
void pub_job_target(struct pub_crew *crew, size_t i, void *ctx);
/* check: the target's state (ready, incomplete, failed) from its HEADs. */
void pub_job_check_target(struct tjob *j);

#endif
