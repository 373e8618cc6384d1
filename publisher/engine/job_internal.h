/* job_internal.h — engine-private: what the check and publish run
 * (publish.c) shares with the work done for one target (target.c). */
#ifndef MANIFOLD_JOB_INTERNAL_H
#define MANIFOLD_JOB_INTERNAL_H

#include <stdatomic.h>

#include "engine.h"

/* One HEAD of phase 1. */
struct head_slot {
	int rc; /* REG_OK, REG_ENOTFOUND, or another error (err says why) */
	struct reg_head h;
	struct reg_error err;
};

/* One target through both phases. Workers touch only their own tjob. */
struct tjob {
	const struct pub_plan_target *t;
	const struct pub_target_status *prev; /* last run's record, or NULL */
	struct head_slot *heads;              /* n_sources, then the target tag (publish) */
	int with_target;                      /* heads has the target tag's slot */
	int verify;
	struct pub_target_status out;
	struct pub_target_writes writes;
	/* The registry error that failed the target after phase 1 (a child
	 * GET, a copy, a PUT), for its log event: status and code; fail.msg
	 * is "" when there was none. fail_registry: the registry it was from. */
	struct reg_error fail;
	const char *fail_registry;
};

struct job_ctx {
	const struct pub_job_options *o;
	struct tjob *jobs;
	size_t n_jobs;
	/* phase 1: flat (target, slot) pairs */
	size_t *head_target, *head_slot;
	size_t n_heads;
	struct pub_keylock *repo_locks; /* publish: one per target repository */
	/* progress: done is counted by every worker, the rest is set before a phase */
	atomic_size_t done;
	size_t total;
	const char *phase;
};

/* Pool jobs (pub_job_fn): HEAD pair i; decide and publish target i. */
void pub_job_head(struct reg_session *s, size_t i, void *ctx);
void pub_job_target(struct reg_session *s, size_t i, void *ctx);
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
