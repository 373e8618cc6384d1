/* job_internal.h — engine-private: what the check and publish run
 * (publish.c) shares with the work done for one target (target.c). */
#ifndef MANIFOLD_JOB_INTERNAL_H
#define MANIFOLD_JOB_INTERNAL_H

#include <stdatomic.h>

#include "decide.h"
#include "list_internal.h"
#include "plan.h"

/* ---- a worker's fan-out (crew.c) ----------------------------------------- */

/* A worker's crew: its own session (borrowed) and up to width - 1 helper
 * threads, each owning its own reg_session, started on first need and
 * kept until pub_crew_free. Only the owner's thread runs batches on it,
 * one at a time; fn must not start a batch on the same crew. */
struct pub_crew;
int pub_crew_new(struct reg_client *c, struct reg_session *own, size_t width, struct pub_crew **out,
                 struct base_error *err);
void pub_crew_free(struct pub_crew *cr); /* NULL safe; stops and joins the helpers */
struct reg_session *pub_crew_session(const struct pub_crew *cr);
/* fn(session, i, ctx) for every i in [0, n), up to width at once (the
 * calling thread takes part); returns when all are done. */
void pub_crew_run(struct pub_crew *cr, size_t n, pub_job_fn fn, void *ctx);

/* pub_pool_run where each worker also has a crew of `width` (width 1: no
 * helpers). */
typedef void (*pub_crew_job_fn)(struct pub_crew *crew, size_t i, void *ctx);
int pub_pool_run_crews(struct reg_client *c, int workers, size_t width, size_t n,
                       pub_crew_job_fn fn, void *ctx, struct base_error *err);

/* ---- single-flight writes (flight.c) -------------------------------------- */

/* One table per run, shared by every thread (its own lock inside). A key is
 * (kind, repository, digest): blob `digest` mounted or copied into the
 * repository, or manifest `digest` put into it (by digest, or the first
 * time under any tag). */
enum pub_flight_kind {
	PUB_FLIGHT_BLOB,
	PUB_FLIGHT_MANIFEST,
	PUB_FLIGHT_TRAVEL, /* a child's attestations and referrers (travel.c) */
	PUB_FLIGHT_SIGN,   /* a list's signature and publish record (sign_run.c) */
};
enum pub_flight_claim {
	PUB_FLIGHT_DONE, /* written earlier in this run: nothing to do */
	PUB_FLIGHT_MINE, /* the caller writes, then calls pub_flight_end */
	PUB_FLIGHT_BUSY  /* another thread is writing it (wait 0 only) */
};
struct pub_flights;
int pub_flights_new(struct pub_flights **out, struct base_error *err);
void pub_flights_free(struct pub_flights *f); /* NULL safe */
/* With wait, blocks while another thread holds the key; never BUSY then.
 * f NULL: always MINE. */
enum pub_flight_claim pub_flight_begin(struct pub_flights *f, enum pub_flight_kind kind,
                                       const struct reg_ref *repo, const char *digest, int wait);
/* After MINE: ok 1 makes the key DONE for the run; ok 0 hands it to the
 * next waiter. */
void pub_flight_end(struct pub_flights *f, enum pub_flight_kind kind, const struct reg_ref *repo,
                    const char *digest, int ok);
/* A manifest PUT another process raced: two shards or two runs writing one
 * blob into one repository at once (flights order this run's writes only).
 * distribution writes a blob's link file in place, so a PUT reading it
 * mid-write is answered 400 DIGEST_INVALID or MANIFEST_BLOB_UNKNOWN. Such
 * a write is tried again PUB_RACE_RETRIES times, pub_race_pause(attempt)
 * before each (PUB_RACE_PAUSE_MS, doubled each time). */
#define PUB_RACE_RETRIES  2
#define PUB_RACE_PAUSE_MS 200L
int pub_put_raced(const struct base_error *e);
void pub_race_pause(int attempt);

/* ---- what travels with a child (travel.c) ------------------------------- */

/* c's travel inputs from its image's `attestations` and `referrers`, and
 * --refresh-referrers. */
void pub_travel_setup(struct pub_child *c, const struct farm_image *img, int refresh_referrers);
/* The attestation entries of c->source_list that name c's image. 0, or -1
 * out of memory. */
int pub_travel_collect(struct pub_child *c, struct base_error *err);
/* entries[0..n) are the children's; append an entry per kept attestation
 * (platform unknown/unknown and the source's annotations, as `buildx
 * imagetools create` writes them), child by child in order, after them.
 * A Docker list cannot carry annotations: with REG_LIST_DOCKER none is
 * added. *entries is realloc'd; *n grows. */
int pub_travel_entries(const struct pub_child *children, size_t n_children,
                       enum reg_list_format format, struct reg_list_entry **entries, size_t *n,
                       struct base_error *err);
/* The children were copied to target's repository (copied = 1: the list
 * is new there) or are there already (0): with copied, each child's
 * attestation manifests are copied by digest, and its referrers
 * (reg_referrers_copy) when c->copy_referrers; without, only the
 * referrers of children with c->refresh_referrers. A digest shared by
 * two children, or by two targets of one repository (flights, may be
 * NULL), is done once. */
int pub_travel_children(struct reg_session *s, struct pub_flights *flights,
                        const struct reg_ref *target, const struct pub_child *children, size_t n,
                        int copied, struct base_error *err);
/* The referrers of digest in src's repository copied to dst's, logged. */
int pub_travel_referrers(struct reg_session *s, const struct reg_ref *src,
                         const struct reg_ref *dst, const char *digest, struct base_error *err);
/* retag: m was copied from src to dst; copy the referrers of m and, for a
 * list, of each of its entries. */
int pub_travel_retag(struct reg_session *s, const struct reg_ref *src, const struct reg_ref *dst,
                     const struct reg_manifest *m, struct base_error *err);

/* How pub_list_publish_with does its I/O (publish: many targets at once). */
struct pub_list_io {
	struct pub_crew *crew;       /* children copied in parallel on it; NULL: s, in turn */
	struct pub_flights *flights; /* blob mounts, child and first list PUTs single-flight
	                              * per (repository, digest); NULL: none */
	/* The caller HEADed the target tag already: target_digest is what it
	 * held ("" or NULL: nothing), so it is not asked again; and when the
	 * list is new, extra tags in its repository are PUT without a HEAD. */
	int target_known;
	const char *target_digest;
	/* publish: what to do with each extra tag, decided from their HEADs
	 * (pub_decide: KEEP and HELD are not written, WRITE is, without
	 * another HEAD); NULL: each as a HEAD of it says. extra_written
	 * (NULL: not wanted) gets 1 for each extra tag written. */
	const enum pub_extra_action *extra_action;
	int *extra_written;
	/* Re-check the children of a list the tag holds already (publish.md,
	 * "Missing children"): HEAD each in the target repository, copy back
	 * one that is missing. */
	int recheck;
	/* Called before the target tag's list PUT with the list's digest and
	 * media type; -1 (err filled) and the list is not PUT. NULL: none. */
	int (*before_put)(void *ctx, const char *digest, const char *media_type,
	                  struct base_error *err);
	void *before_put_ctx;
};
/* pub_list_publish with io (NULL: as pub_list_publish). The children are
 * made present in target's repository without a HEAD first: each blob is
 * mounted (reg_blob_ensure), each child PUT by digest; a blob or child
 * another target of the run already wrote there is not written again. */
int pub_list_publish_with(struct reg_session *s, const struct pub_list_io *io,
                          const struct reg_ref *target, const struct reg_ref *extra, size_t n_extra,
                          struct pub_child *children, size_t n_children,
                          enum reg_list_format format, const struct reg_annotation *annotations,
                          size_t n_annotations, int dry_run, struct pub_list_result *out,
                          struct base_error *err);

/* What one HEAD found, compact: check keeps one per source tag of the run,
 * publish one per tag of the targets in progress. The error text is
 * allocated only when there is one; a media type manifold knows points to
 * its static name. */
struct head_slot {
	int rc;                      /* BASE_OK, BASE_ENOTFOUND, or another error (err says why) */
	int64_t size;                /* Content-Length, -1 unknown */
	const char *media_type;      /* static, or mt_owned, or NULL */
	char *mt_owned;              /* a media type manifold has no name for */
	struct base_error *err;      /* malloc'd, when rc is another error */
	char digest[REG_DIGEST_MAX]; /* "" when the registry named none */
	struct reg_manifest *got;    /* the manifest, when the slot was filled by a GET */
};
/* HEAD ref into slot (any previous content freed first); with get, a GET
 * instead, the manifest kept in slot->got (pub_child_resolve takes it). */
void pub_head_slot_fill(struct reg_session *s, const struct reg_ref *ref, int get,
                        struct head_slot *slot);
void pub_head_slot_free(struct head_slot *slot); /* NULL safe; slot reusable */

struct tjob_fail {
	struct base_error err;
	const char *registry; /* or NULL */
};

/* One target through the run. Workers touch only their own tjob. A run
 * holds one for each of its targets until the records are collected: what
 * is the same for every job (the digests the status file records as
 * manifold's, --refresh-referrers) is the run's (struct job_ctx), and the
 * flags are a byte each. */
struct tjob {
	const struct pub_plan_target *t;
	const struct status_target_status *prev; /* last run's record, or NULL */
	struct head_slot *heads;       /* n_sources, then the target tag (publish); publish: only
	                                * while the target is worked on */
	struct head_slot *extra_heads; /* n_extra, once asked; only while worked on */
	/* its record and writes: x->outs[i] and x->writes_of[i], handed to the
	 * result as they are (run_collect) */
	struct status_target_status *out;
	struct pub_target_writes *writes;
	/* The registry error that failed the target after its HEADs (a child
	 * GET, a copy, a PUT), for its log event: status and code, and the
	 * registry it was from; malloc'd only then, NULL when there was none. */
	struct tjob_fail *fail;
	unsigned char with_target; /* heads has the target tag's slot */
	unsigned char verify;
	unsigned char allow_shrink; /* the image's allow-shrink, or --allow-shrink */
	unsigned char overwrite;    /* the image's overwrite, or --overwrite */
	unsigned char recheck;      /* its list's children are re-checked tonight */
	unsigned char not_reached;  /* the run stopped before this target was done */
	unsigned char tag_holds;    /* its tag holds the list this run built (even if it failed) */
	unsigned char intent;       /* a list PUT was journalled as written, not confirmed */
	unsigned char refresh_referrers; /* --refresh-referrers */
};

struct job_ctx {
	const struct pub_job_options *o;
	struct tjob *jobs;
	size_t n_jobs;
	/* the plan, its config and the status file as the run began (NULL
	 * once the workers are done) the jobs are bound to (pub_tjob_bind) */
	const struct pub_plan *plan;
	const struct farm_config *cfg;
	const struct status_status *prev;
	/* the jobs' records and writes, one array each (NULL once the result
	 * holds them) */
	struct status_target_status *outs;
	struct pub_target_writes *writes_of;
	/* check: flat (target, slot) pairs */
	size_t *head_target, *head_slot;
	size_t n_heads;
	struct pub_flights *flights; /* publish: single-flight writes of the run */
	const char **written;        /* publish: the status file's digests of manifold's (sorted,
	                              * borrowed from the status read; the array is owned) */
	size_t n_written;
	int written_complete; /* pub_decide_input.written_complete */
	long day;             /* days since 1970-01-01 of the run's start (MANIFOLD_NOW) */
	enum { RECHECK_DUE, RECHECK_ALL, RECHECK_NONE } recheck; /* publish.c, recheck_mode */
	struct status_journal *journal; /* publish: this run's journal (its own lock), or NULL */
	struct pub_signing *signing; /* sign-key / require-signature keys (sign_run.c), or NULL */
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

/* travel.c: --refresh-referrers for a target its HEADs found unchanged;
 * -1 when a copy failed (the target is then failed, the reason says why). */
int pub_travel_unchanged(struct reg_session *s, struct pub_flights *flights, struct tjob *j,
                         const struct pub_decision *d, int dry_run);
/* budget.c. The client may not wait for a budget past x's deadline. */
void pub_budget_arm(struct job_ctx *x, struct reg_client *c);
/* Failed targets a used-up budget stopped: reason "rate limited by HOST
 * until TIME" (state stays failed: the status file's schema is kept). */
void pub_budget_mark_limited(struct tjob *jobs, size_t n);

/* Pool jobs: HEAD pair i (check, pub_job_fn); HEAD, decide and publish
 * target i with the worker's crew (publish, pub_crew_job_fn). */
void pub_job_head(struct reg_session *s, size_t i, void *ctx);
/* j bound to its target t: its last record, its image's rules. target.c. */
void pub_tjob_bind(struct tjob *j, const struct pub_plan_target *t, const struct job_ctx *x);
/* j's record as the run starts it (failed, its platforms' sources), made
 * when the target is taken up; 0 or -1 out of memory. target.c. */
int pub_tjob_out_init(struct tjob *j);
void pub_job_target(struct pub_crew *crew, size_t i, void *ctx);
/* Pool job, check: target i's state (ready, incomplete, failed) from its
 * HEADs, and with --verify from its children's configs too. */
void pub_job_check_target(struct reg_session *s, size_t i, void *ctx);
/* target_log.c: the target's log event (its outcome, with fields); check
 * says whether the run is a check. */
void pub_job_target_log(const struct tjob *j, int check, int dry_run);
/* metrics.c: what the metrics read from the status file just written. */
void pub_metrics_from_status(const struct status_status *st, struct pub_job_result *out);
/* publish.c: the journal (status.h). Before a target's list PUT (a
 * pub_list_io before_put over a struct pub_intent): the intent record,
 * synced, else -1 and no PUT. Once a target's outcome is final, before it
 * is logged: its record, when the status file would change. */
struct pub_intent {
	struct job_ctx *x;
	struct tjob *j;
};
int pub_job_journal_intent(void *ctx, const char *digest, const char *media_type,
                           struct base_error *err);
void pub_job_journal_outcome(struct job_ctx *x, struct tjob *j);
/* Remember err as what failed j (the first one wins). */
void pub_job_note_fail(struct tjob *j, const struct base_error *err, const char *registry);

/* ---- one check or publish run (publish.c, publish_record.c) ------------ */

struct run {
	struct farm_config *cfg;
	struct pub_plan *plan; /* this run's targets: --only, --shard */
	struct reg_client *client;
	struct status_status *prev;
	struct job_ctx x;
	unsigned shard_i, shard_n;          /* --shard I/N (N 0: not sharded) */
	char config_digest[REG_DIGEST_MAX]; /* sharded: the config's, for the status file */
	char stop_note[128]; /* the commit subject's note when the run stopped early */
};
/* Write the run's records to the status file (under its lock, the journal
 * folded in) and, with --commit or git.push, commit and push it. 0, or -1
 * with err filled (what the journal still keeps named). */
/* The file as it was when the run began is done with once the workers
 * are: what it says stands in the result until the file is written, and
 * it is freed before the records are collected and the file read again
 * (the records that did not change hold their blocks, shared). */
void pub_run_prev_done(struct run *r, struct pub_job_result *out);
int pub_run_record(const struct pub_job_options *o, struct run *r, struct pub_job_result *out,
                   struct base_error *err);

#endif
