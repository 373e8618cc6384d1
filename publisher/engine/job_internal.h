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
	int rc;                      /* REG_OK, REG_ENOTFOUND, or another error (err says why) */
	int64_t size;                /* Content-Length, -1 unknown */
	const char *media_type;      /* static, or mt_owned, or NULL */
	char *mt_owned;              /* a media type manifold has no name for */
	struct reg_error *err;       /* malloc'd, when rc is another error */
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
	/* The registry error that failed the target after its HEADs (a child
	 * GET, a copy, a PUT), for its log event: status and code; malloc'd
	 * only then, NULL when there was none. fail_registry: the registry it
	 * was from. */
	struct reg_error *fail;
	const char *fail_registry;
	int not_reached; /* the run stopped before this target was done */
	int tag_holds;   /* its tag holds the list this run built (even if it failed) */
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
	/* stopping early (stop.c): set before the phases, except stop_at_ms
	 * and cause, which the first worker to see the stop sets (atomics) */
	struct timespec t0; /* CLOCK_MONOTONIC when the job began */
	long deadline_ms, grace_ms;
	volatile sig_atomic_t *stop;
	atomic_llong stop_at_ms; /* ms since t0 when the stop was first seen, -1 before */
	atomic_int cause;        /* enum pub_stop_cause */
};

/* stop.c. Arm the stop (o's deadline, grace and flag) from now. */
void pub_stop_init(struct job_ctx *x, const struct pub_job_options *o);
/* 1 once no new work may start (the deadline passed or the flag is set). */
int pub_stop_now(struct job_ctx *x);
/* reg_cancel_fn over a job_ctx: everything once stopped, a list PUT
 * (finishing) only when the grace is over too. */
int pub_stop_cancel(void *ctx, int finishing);
/* The stop's cause into the result, and the commit subject's note for it
 * ("interrupted by SIGTERM: 12 targets not reached") in buf. */
void pub_stop_result(struct job_ctx *x, struct pub_job_result *out, char *buf, size_t len);

/* budget.c. The client may not wait for a budget past x's deadline. */
void pub_budget_arm(struct job_ctx *x, struct reg_client *c);
/* Failed targets a used-up budget stopped: reason "rate limited by HOST
 * until TIME" (state stays failed: the status file's schema is kept). */
void pub_budget_mark_limited(struct tjob *jobs, size_t n);

/* Pool jobs: HEAD pair i (check, pub_job_fn); HEAD, decide and publish
 * target i with the worker's crew (publish, pub_crew_job_fn). */
void pub_job_head(struct reg_session *s, size_t i, void *ctx);
void pub_job_target(struct pub_crew *crew, size_t i, void *ctx);
/* check: the target's state (ready, incomplete, failed) from its HEADs. */
void pub_job_check_target(struct tjob *j);
/* target_log.c: the target's log event (its outcome, with fields); check
 * says whether the run is a check. */
void pub_job_target_log(const struct tjob *j, int check, int dry_run);
/* metrics.c: what the metrics read from the status file just written. */
void pub_metrics_from_status(const struct pub_status *st, struct pub_job_result *out);
/* Remember err as what failed j (the first one wins). */
void pub_job_note_fail(struct tjob *j, const struct reg_error *err, const char *registry);

#endif
