/* engine.h — the publisher's jobs as library functions: a session on the
 * registries, the plan, the decision for each target, publish and check,
 * retag, inspect, the single-list operations (push, append, annotate,
 * delete), the worker pool, and the logging hook they report through.
 *
 * Never prints, never exits: results come back in structs, errors in a
 * caller-owned struct base_error with context added on the way up, log lines
 * through the sink cli/ installs. Uses farm/ (the config and plan),
 * registry/ (the wire) and status/ (the record); nothing here includes a
 * cli/ header. Thread model: the pool runs jobs on worker threads, each with
 * its own struct reg_session; shared state is named, with its lock, where
 * it is declared. Returns: 0 ok, BASE_EINPUT when the input was wrong and
 * nothing was sent or written, other negative values on failure. */
#ifndef MANIFOLD_ENGINE_H
#define MANIFOLD_ENGINE_H

#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "farm.h"
#include "registry.h"
#include "status.h"

/* ---- logging hook (log.c) ------------------------------------------------ */

enum pub_log_level { PUB_LOG_DEBUG, PUB_LOG_INFO, PUB_LOG_WARN, PUB_LOG_ERROR };

/* One field of a structured event: a string (str), or a number (is_num,
 * num). A string field whose str is NULL does not apply and is left out. */
struct pub_log_field {
	const char *key; /* "target", "http_status" */
	const char *str;
	long long num;
	int is_num;
};
#define PUB_LOG_STR(k, v) ((struct pub_log_field){.key = (k), .str = (v)})
#define PUB_LOG_NUM(k, v) ((struct pub_log_field){.key = (k), .num = (v), .is_num = 1})

/* Receives every line at or above the sink's level, from any thread (it
 * must be thread-safe), with the event's fields (n_fields 0 for a plain
 * line). cli/ installs one that writes stderr as text (the message alone)
 * or as JSON lines (message and fields); with none installed lines are
 * dropped. Set before any thread starts. */
typedef void (*pub_log_sink_fn)(void *ctx, enum pub_log_level level, const char *msg,
                                const struct pub_log_field *fields, size_t n_fields);
void pub_log_set_sink(pub_log_sink_fn fn, void *ctx, enum pub_log_level min_level);
void pub_log(enum pub_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line with fields: text logs show the message, JSON logs the fields too. */
void pub_log_event(enum pub_log_level level, const struct pub_log_field *fields, size_t n_fields,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* 1 when a line at level would reach the sink. */
int pub_log_enabled(enum pub_log_level level);
/* Adapter for reg_client_options.log. */
void pub_log_registry(void *ctx, enum reg_log_level level, const char *msg);
/* "debug", "info", "warning", "error". */
const char *pub_log_level_str(enum pub_log_level level);

/* ---- session on the registries (session.c) --------------------------------- */

/* Options every registry-talking job shares. */
struct pub_global {
	int insecure;          /* --insecure */
	int jobs;              /* -j N, default 16 */
	int output_json;       /* --output json */
	int dry_run;           /* --dry-run */
	const char *auth_file; /* --authfile; NULL: $REGISTRY_AUTH_FILE */
};

/* Platform callback for farm_load_options (wraps reg_platform_parse). */
int pub_platform_check(void *ctx, const char *text, char *norm, size_t norm_len, char *why,
                       size_t why_len);
/* Make a registry client from the config's registries (cfg may be NULL) and the
 * global options. */
int pub_client_new(const struct farm_config *cfg, const struct pub_global *g,
                   struct reg_client **out, struct base_error *err);
/* The same for one of shard_count shards (0: not sharded): each registry's
 * request budget is split among them unless `rate-limit-shared: false`. */
int pub_client_new_sharded(const struct farm_config *cfg, const struct pub_global *g,
                           unsigned shard_count, struct reg_client **out, struct base_error *err);
/* budget.c: r's request budgets (its preset's, replaced by each key the
 * config sets; this shard's part) into s. BASE_EINPUT for an unknown preset. */
int pub_budget_settings(const struct farm_registry *r, unsigned shard_count,
                        struct reg_registry_settings *s, struct base_error *err);
/* A client (pub_client_new: cfg may be NULL) and one session on it, for the
 * single-list commands. Free the session, then the client. */
int pub_session_open(const struct farm_config *cfg, const struct pub_global *g,
                     struct reg_client **c, struct reg_session **s, struct base_error *err);
/* A registry name as references carry it ("index.docker.io" →
 * "docker.io"), malloc'd; NULL out of memory. */
char *pub_registry_name(const char *name);
/* A config platform as a list entry's platform (features included). */
int pub_platform_from_farm(const struct farm_platform *fp, struct reg_platform *out,
                           struct base_error *err);
/* The config's `format:` as the list builder's. */
enum reg_list_format pub_list_format(enum farm_format f);
/* ---- worker pool ------------------------------------------------------- */

/* Run fn(session, i, ctx) for every i in [0, n) on `workers` threads, each
 * owning its own reg_session. Returns when all are done. fn must not fail
 * the pool: it records its own results in ctx (indexed by i). Returns -1
 * only when no session/thread could be started (err filled). */
typedef void (*pub_job_fn)(struct reg_session *s, size_t i, void *ctx);
int pub_pool_run(struct reg_client *c, int workers, size_t n, pub_job_fn fn, void *ctx,
                 struct base_error *err);

/* ---- assembling one list (publish, push from-spec/from-args) ----------- */

/* One entry of a list to publish. The caller fills source, platform (as it
 * is to be written in the list) and annotations; pub_child_resolve fills the
 * rest. Free with pub_child_free. */
struct pub_child {
	char *source;                     /* per-arch reference as configured */
	const struct reg_ref *source_ref; /* optional: source parsed already (a plan's);
	                                   * borrowed, outlives the child */
	struct reg_platform platform;     /* the entry's platform, written as given */
	struct reg_annotation *annotations;
	size_t n_annotations;
	/* filled by pub_child_resolve */
	enum pub_platform_state state;
	char *reason;                 /* why not ready, or NULL */
	int from_list;                /* the source tag was itself a list; its entry was taken */
	struct reg_ref resolved;      /* source repository @ child digest */
	struct reg_manifest manifest; /* the child image manifest, exact bytes */
	/* optional input: the config check already passed at this child digest
	 * (status file cache), so it is skipped when the child resolves to it */
	const char *verified_digest;
	int verified; /* filled: the child's config matched (now or cached) */
	/* What travels with the child (travel.c); inputs, 0 by default. */
	int keep_attestations; /* keep a list source's attestations for this child */
	int copy_referrers;    /* copy its referrers when the child is copied */
	int refresh_referrers; /* and when it is in the target repository already */
	/* filled by pub_child_resolve when keep_attestations and the source
	 * is a list: that list, and the indexes of its attestation entries
	 * whose vnd.docker.reference.digest is the child, in list order */
	struct reg_manifest source_list;
	size_t *attestations;
	size_t n_attestations;
};
void pub_child_free(struct pub_child *c);

/* GET the source; when it is a list take its entry for c->platform
 * (attestations skipped); when verify, GET the config blob and check its
 * platform. Sets c->state: READY, MISSING (404 / no entry for the platform),
 * WRONG_PLATFORM (config says otherwise; reason names both), or ERROR
 * (err filled, reason set). Returns 0 when READY, -1 otherwise. */
int pub_child_resolve(struct reg_session *s, struct pub_child *c, int verify,
                      struct base_error *err);

/* Children must all be READY. Copies every child into target's repository
 * (reg_copy_manifest by digest), builds the list (reg_list_build, entries
 * in the order given), and PUTs it to target's tag and every extra ref
 * unless that tag already holds the digest. *changed = 1 when any tag was
 * written. With dry_run nothing is written; digest and bytes are still
 * computed. digest_out gets the list digest, media_type_out a static string,
 * size_out the list size. */
struct pub_list_result {
	char digest[REG_DIGEST_MAX];
	const char *media_type;
	size_t size;
	int changed;
	/* Also filled on failure: the target's tag holds the list (it did, or
	 * its PUT went through), and the extra tag whose write failed, or NULL. */
	int tag_holds;
	const struct reg_ref *failed_extra;
	/* The tags this call wrote (or with dry_run would write): the target's
	 * tag, and how many extra tags (which: pub_list_io.extra_written). */
	int tag_written;
	size_t n_extra_written;
};
int pub_list_publish(struct reg_session *s, const struct reg_ref *target,
                     const struct reg_ref *extra, size_t n_extra, struct pub_child *children,
                     size_t n_children, enum reg_list_format format,
                     const struct reg_annotation *annotations, size_t n_annotations, int dry_run,
                     struct pub_list_result *out, struct base_error *err);

/* Read after write (readback.c): HEAD tag until it answers digest, retried
 * with backoff (0.1 s doubling to 2 s) for pub_readback_budget_ms() in all.
 * 0 when it does; else -1, err naming the digest, the tries and what the
 * tag answered last. One HEAD when the registry is consistent. */
int pub_tag_readback(struct reg_session *s, const struct reg_ref *tag, const char *digest,
                     struct base_error *err);
/* MANIFOLD_READBACK_TIMEOUT_MS (0..600000) when set, else 10000. */
long pub_readback_budget_ms(void);
/* ---- the decision for one target (decide.c) ------------------------------ */

/* What one HEAD found. */
struct pub_decide_head {
	int rc;                 /* 0, BASE_ENOTFOUND, or another error */
	const char *digest;     /* NULL or "": the registry named none */
	const char *media_type; /* NULL or "": none */
	long long size;         /* -1 unknown */
	const char *error;      /* why, when rc is another error */
};

/* What resolving one child (pub_child_resolve: GETs, config check) found. */
struct pub_decide_child {
	enum pub_platform_state state;
	const char *digest, *media_type; /* READY: the child image manifest's */
	long long size;
	int verified;          /* its config matched, now or cached */
	int from_list;         /* the source tag was a list; its entry was taken */
	int attestations_kept; /* from_list: its attestations travel with it (`keep`) */
	const char *reason;    /* the child's reason, or NULL */
	const char *error;     /* the resolve error (used when reason is NULL) */
};

struct pub_decide_source {
	const char *platform; /* name as in the config */
	int optional;         /* from optional-platforms: joins the list when ready, never blocks */
	struct pub_decide_head head;
	struct pub_decide_child child; /* read when children_known */
};

/* One extra tag of the target: what its HEAD found and, when it holds a
 * list the record cannot describe, that list's platforms (named as the
 * config names them where an entry matches). */
struct pub_decide_extra {
	const char *ref; /* the extra tag's reference, for reasons */
	struct pub_decide_head head;
	int current_known; /* PUB_NEED_EXTRA_LISTS: current/n_current filled */
	const char *const *current;
	size_t n_current;
};

/* Everything the decision reads. The first call gives the HEADs; when the
 * decision says what it needs next (need), the caller learns that and calls
 * again with it set, until need is PUB_NEED_NOTHING or the verdict is not
 * PUBLISH. */
struct pub_decide_input {
	const struct pub_decide_source *sources; /* one per platform, config order */
	size_t n_sources;
	const struct pub_decide_head *target; /* the target tag; NULL: not asked (check) */
	const struct pub_target_status *prev; /* last run's record, or NULL */
	int verify;                           /* verify-platform */
	size_t n_extra;                       /* extra tags of the target */
	/* PUB_NEED_LIST_DIGEST: the list built from the HEAD answers alone */
	int list_known;
	const char *list_digest; /* NULL: it could not be built */
	/* PUB_NEED_EXTRA_TAGS: every extra tag's HEAD (n_extra of them) */
	const struct pub_decide_extra *extras;
	int extras_known;
	/* No surprise overwrite (publish.md, "Tags manifold did not write"):
	 * the digests the status file records as manifold's (every record's
	 * digest but a foreign one), sorted by strcmp; overwrite (`overwrite`,
	 * --overwrite) lets any tag be replaced. */
	const char *const *written;
	size_t n_written;
	/* The status file was written by this run's sharding (the same shard
	 * count, or none): it has a record of every target this run owns
	 * that manifold published, so a target with none is new */
	int written_complete;
	int overwrite;
	/* PUB_NEED_CHILDREN: sources[].child filled */
	int children_known;
	/* allow-shrink: the tag's list may be replaced by one with fewer platforms */
	int allow_shrink;
	/* After the children: the digest of the list they make (NULL: not
	 * built). When the tag holds it, nothing would change: no shrink. */
	const char *built_digest;
	/* PUB_NEED_CURRENT_LIST: the platforms of the list the tag holds (its
	 * entries named as the config names them where one matches), n_current
	 * 0 when the tag holds no list */
	int current_known;
	const char *const *current;
	size_t n_current;
};

enum pub_verdict {
	PUB_VERDICT_UNCHANGED,  /* the tags hold the list the HEADs describe */
	PUB_VERDICT_PUBLISH,    /* every platform is there (check: ready) */
	PUB_VERDICT_INCOMPLETE, /* some platform is missing: write nothing */
	PUB_VERDICT_FAILED,     /* a registry error or a wrong platform */
	PUB_VERDICT_HELD        /* the list would drop platforms the tag's list has */
};

enum pub_decide_need {
	PUB_NEED_NOTHING,
	PUB_NEED_LIST_DIGEST,  /* every source is an image verified earlier (or verify is
	                        * off) and the tag has a digest: build the list from the
	                        * HEADs and compare */
	PUB_NEED_EXTRA_TAGS,   /* the tag holds that list, or the list is about to be
	                        * written: HEAD every extra tag */
	PUB_NEED_CHILDREN,     /* GET (and verify) every child */
	PUB_NEED_CURRENT_LIST, /* the list is about to change and the record does not say
	                        * which platforms the tag's list has: GET it */
	PUB_NEED_EXTRA_LISTS   /* an extra tag holds another list the record cannot
	                        * describe: GET those marked PUB_EXTRA_UNKNOWN */
};

/* What to do with one extra tag once the list is known. */
enum pub_extra_action {
	PUB_EXTRA_UNKNOWN, /* not decided yet */
	PUB_EXTRA_KEEP,    /* it holds the list already */
	PUB_EXTRA_WRITE,   /* write the list to it */
	PUB_EXTRA_HELD,    /* left as it is: its list would lose a platform */
	PUB_EXTRA_FOREIGN  /* left as it is: it holds what manifold did not write */
};

/* One platform as decided; strings are borrowed from the input (or static). */
struct pub_decide_platform {
	enum pub_platform_state state;
	const char *digest, *media_type; /* NULL when none */
	long long size;                  /* -1 unknown */
	int verified;
	int included; /* goes in the list: ready, required or optional */
	const char *reason;
	/* the config check passed at this digest on an earlier night (prev's
	 * record, DESIGN rule 5): a child resolving to it needs no config GET */
	const char *verified_digest;
};

struct pub_decision {
	enum pub_verdict verdict;
	enum pub_decide_need need;             /* PUB_VERDICT_PUBLISH only */
	char *reason;                          /* malloc'd: "missing a, b", the error, or NULL;
	                                        * PUBLISH with extras_held: the held extra tags */
	struct pub_decide_platform *platforms; /* malloc'd, n_sources */
	size_t n_platforms;
	/* the target tag holds a digest manifold did not write (whatever the
	 * verdict; overwrite aside) */
	int foreign;
	/* PUBLISH, need NOTHING, n_extra: each extra tag's action (malloc'd);
	 * extras_held: some are HELD (the target is recorded held once the
	 * rest is written) */
	enum pub_extra_action *extras;
	int extras_held;
};
void pub_decision_free(struct pub_decision *d); /* NULL safe */

/* Pure (no I/O): decide what to do with one target from what the registry
 * answered, the previous record and the config. out is overwritten (free a
 * previous decision first); 0, or -1 out of memory (out is then empty). */
int pub_decide(const struct pub_decide_input *in, struct pub_decision *out);

/* Re-checking the children of a list in place (publish.md, "Missing
 * children"): 1 when target ref is due on day number `day` (days since
 * 1970-01-01 UTC) with a period of `period_days` (<= 1: every day). Each
 * target is due exactly one day in every period, spread by a hash of ref. */
int pub_recheck_due(const char *ref, long day, int period_days);
/* Is what h found manifold's to replace (publish.md, "Tags manifold did
 * not write")? 1 yes, 0 no: the rule pub_decide applies to every tag. */
int pub_decide_manifolds(const struct pub_decide_input *in, const struct pub_decide_head *h);

/* "--shard I/N" or JOB_COMPLETION_INDEX/JOB_COMPLETIONS from the environment
 * (text NULL). *count = 0 when sharding is off. Errors name the value. */
int pub_shard_parse(const char *text, unsigned *index, unsigned *count, struct base_error *err);
/* "sha256:<hex>" of the config file's bytes: what a shard's status file
 * records (pub_shard_info.config_digest) to say which config wrote it. */
int pub_config_digest(const char *path, char out[REG_DIGEST_MAX], struct base_error *err);
/* Every target reference the config at path describes (sorted; free each
 * and the array) and its digest, for `manifold status -c`. BASE_EINPUT on a
 * config error (err names the place), -1 otherwise. */
int pub_config_targets(const char *path, char ***refs, size_t *n, char digest[REG_DIGEST_MAX],
                       struct base_error *err);

/* ---- what a night costs (estimate.c) --------------------------------------- */

/* One registry's requests: a night where nothing changed, and the most a
 * night can send (every target republished), by method. */
struct pub_estimate_registry {
	char registry[256];
	unsigned long unchanged;
	unsigned long head, get, post, put; /* the most, by method */
	unsigned long max;                  /* their sum */
	unsigned long manifest_gets;        /* of get: child manifests (Docker Hub's pulls) */
	int referrers_asked;                /* the referrers API asked once (in get) */
	double unchanged_s, max_s;          /* how long each takes at the budget; -1: none */
	char budget[192];                   /* "rate-limit 2000/min, ..." or "none" */
};
struct pub_estimate {
	struct pub_estimate_registry *registries; /* sorted by name */
	size_t n;
	int blobs_guessed; /* some child's blob count is unknown and counted as 2 */
	/* Peak memory (bytes), from figures measured per target and child
	 * (estimate.c): what every shard holds (the config and plan of all
	 * targets), what the run's selected targets add, and what all targets
	 * of the config would add in one run. */
	double mem_fixed, mem_run, mem_run_all;
};
/* Shards a night needs so that each fits limit bytes (with a tenth spare):
 * 0 when none does (the config and plan alone take more). */
unsigned pub_estimate_shards(const struct pub_estimate *e, double limit);
void pub_estimate_free(struct pub_estimate *e); /* NULL safe */
/* From the plan's selected targets and the status file (prev may be NULL),
 * without a request. 0, BASE_EINPUT (a preset unknown) or -1. */
struct pub_plan;           /* job_internal.h */
struct pub_plan_selection; /* job_internal.h */
int pub_estimate_compute(const struct farm_config *cfg, const struct pub_plan *plan,
                         const struct pub_plan_selection *sel, const struct pub_status *prev,
                         unsigned shard_count, struct pub_estimate *out, struct base_error *err);
/* A warning for each registry whose unchanged night takes longer than
 * deadline_ms at its budget (deadline_ms 0: none). */
void pub_estimate_warn(const struct pub_estimate *e, long deadline_ms);

/* Called from worker threads as jobs finish; must be thread-safe. */
typedef void (*pub_progress_fn)(void *ctx, const char *phase, size_t done, size_t total);

struct pub_job_options {
	const char *config_path; /* -c */
	const char *status_path; /* --status; NULL: the config's status:, else none */
	const char *shard;       /* --shard I/N; NULL: JOB_COMPLETION_INDEX/JOB_COMPLETIONS */
	struct pub_global g;     /* -j, --insecure, --dry-run, --output json */
	int commit;              /* --commit (implied by git.push) */
	int allow_shrink;        /* publish --allow-shrink: as allow-shrink: true everywhere */
	int overwrite;           /* publish --overwrite: as overwrite: true everywhere */
	int recheck_children;    /* publish --recheck-children: every target is due */
	/* check --verify: GET each child and check its config (status_path's
	 * verified digests spare the GETs publish already made) */
	int verify;
	struct pub_git_options git;
	pub_progress_fn progress; /* may be NULL */
	void *progress_ctx;
	/* --only NAME|REF...: a target is kept when any name is its image's
	 * name or its reference; each name must keep one. n_only 0: all. */
	const char *const *only_names;
	size_t n_only;
	/* Stopping early (publish.md, "Deadline and signals"): once
	 * deadline_ms (> 0) has passed since the job began, or *stop (may be
	 * NULL; a signal handler sets it to the signal's number) is non-zero,
	 * no new target is started and requests in flight are cancelled, except
	 * a list PUT under way, which gets grace_ms (0: 10 s) more. Targets the
	 * run did not finish are "not reached": left out of the result, their
	 * records kept as they were. */
	long deadline_ms;
	long grace_ms;
	volatile sig_atomic_t *stop;
	/* --refresh-referrers: copy the referrers of children already in the
	 * target repository too (images with `referrers: copy`) */
	int refresh_referrers;
	/* --estimate: make the plan, read the status file and compute
	 * pub_job_result.estimate; send nothing, write nothing. */
	int estimate;
};

/* Why a run stopped early. */
enum pub_stop_cause { PUB_STOP_NONE, PUB_STOP_DEADLINE, PUB_STOP_SIGNAL };

/* What one target's run wrote (or, with --dry-run, would write). */
struct pub_target_writes {
	char **refs; /* tags written; empty when unchanged/incomplete/failed */
	size_t n_refs;
	long long list_size; /* bytes of the list, -1 when none was built */
};

struct pub_job_result {
	/* This run's targets, in plan order (check: ready, incomplete or
	 * failed). */
	struct pub_target_status *targets;
	struct pub_target_writes *writes; /* parallel to targets (publish only) */
	size_t n_targets;
	struct pub_run run; /* this run's counts and times */
	struct reg_stats stats;
	struct reg_request_count *requests; /* by registry, method, status (malloc'd) */
	size_t n_requests;
	unsigned shard_index, shard_count; /* count 0: not sharded */
	/* From the status file as written (NULL without one): its
	 * last_success, the oldest `since` of its incomplete targets (NULL
	 * when none is incomplete), its held targets and the oldest `since`
	 * of those (NULL when none is held). */
	char *last_success;
	char *oldest_incomplete_since;
	size_t held_in_status;
	char *oldest_held_since;
	int has_status;    /* a status file was written: the two above are known */
	char *status_path; /* the status file written, or NULL */
	int committed;     /* pub_git_record made a commit */
	int push_attempts; /* --push: pushes tried (1 when the first landed), 0 without */
	int is_spec;       /* the config was a manifest-tool spec */
	int dry_run;
	enum pub_stop_cause stopped; /* the run stopped early, and why */
	int stop_signal;             /* PUB_STOP_SIGNAL: the signal's number */
	size_t not_reached;          /* selected targets it did not finish */
	/* Per registry: requests sent, 429s, time waiting for the budget. */
	struct reg_budget_stats *budgets;
	size_t n_budgets;
	struct pub_estimate estimate; /* publish: --estimate, or a --deadline run's check */
};
void pub_job_result_free(struct pub_job_result *r);

/* Both return 0 when the run went through (the targets' own states, counted
 * in out->run, say how it went), BASE_EINPUT on a config or usage error
 * (nothing sent or written), -1 when the run itself went wrong (a status
 * write or git failure); err is filled then, err->msg is "" otherwise. out
 * is filled as far as the run got and must be freed either way. */
int pub_check_job(const struct pub_job_options *o, struct pub_job_result *out,
                  struct base_error *err);
int pub_publish_job(const struct pub_job_options *o, struct pub_job_result *out,
                    struct base_error *err);

/* ---- login, logout (login.c) --------------------------------------------- */

/* Where login and logout keep credentials: auth_file (--authfile), else
 * $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
int pub_login_path(const char *auth_file, char *buf, size_t n, struct base_error *err);
/* The registry named by HOST, "host:port" or "https://host/..." as
 * references carry it, in buf. */
int pub_login_registry(const char *host, char *buf, size_t n, struct base_error *err);
/* Check user and password against registry (GET /v2/ with them; a 401 is
 * an error and nothing is written), then store them in path's auths. */
int pub_login(const struct pub_global *g, const char *registry, const char *user,
              const char *password, const char *path, struct base_error *err);

/* ---- metrics (metrics.c, metrics_push.c) --------------------------------- */

/* The run's metrics in the Prometheus text exposition format (HELP and
 * TYPE lines, base units): targets by state, run duration, requests by
 * registry/method/code, retries by cause, bytes copied, the last success,
 * the oldest incomplete target's age, and (publish) the held targets and
 * the oldest one's age (docs/kubernetes.md lists them). check: r is a
 * check run. Sharded runs label every series with shard. malloc'd, or NULL
 * out of memory. */
char *pub_metrics_text(const struct pub_job_result *r, int check, double duration_seconds);
/* Write text to path for node_exporter's textfile collector: atomically,
 * mode 0644. */
int pub_metrics_write(const char *path, const char *text, struct base_error *err);
/* PUT text to a Prometheus Pushgateway: URL/metrics/job/manifold, or the
 * URL itself when it has a grouping key (".../metrics/job/J[/L/V]..."),
 * then /command/COMMAND when command is not NULL ("check") and /shard/I
 * when sharded (shard_count > 0), replacing that group. TLS is verified;
 * err names the URL and the gateway's answer. */
int pub_metrics_push(const char *url, const char *text, const char *command, unsigned shard_index,
                     unsigned shard_count, struct base_error *err);
/* The gateway URL is http:// or https://, and a grouping key in it is a
 * job name and LABEL/VALUE pairs without shard or command (else a usage
 * error in err). */
int pub_metrics_url_check(const char *url, struct base_error *err);

/* The word check prints for its states: "ready", "incomplete", "failed". */
const char *pub_check_state_str(enum pub_target_state s);

/* ---- inspect (inspect.c) ------------------------------------------------- */
/* One list entry and, when it could be fetched, the manifest it names. */
struct pub_inspect_child {
	const struct reg_descriptor *entry; /* points into pub_inspect.m.entries */
	int fetched;
	struct reg_manifest manifest; /* valid when fetched */
	char *error;                  /* why it could not be fetched, or NULL */
};

struct pub_inspect {
	char *name;            /* the reference as given, or the file name */
	struct reg_manifest m; /* what the tag/file holds (the explained list for --file
	                          on a combined manifest) */
	/* An image (or the one entry --platform picked): its config's platform. */
	int has_config_platform;
	struct reg_platform config_platform;
	/* A list: its entries (only the picked one with --platform). */
	struct pub_inspect_child *children;
	size_t n_children;
	/* --platform on a list: the entry that was picked, -1 otherwise. */
	long picked;
	/* --file on a 2015 combined manifest: what it said. */
	int combined;
	struct reg_descriptor combined_target; /* the shared image config */
	struct reg_annotation *combined_labels;
	size_t n_combined_labels;
};
void pub_inspect_free(struct pub_inspect *in);

/* GET ref; for a list GET every entry's manifest (by digest, from the same
 * repository) for its layers, or only the entry for `want` when non-NULL;
 * for an image GET its config blob for the platform (and check it against
 * `want` when given). A child that cannot be fetched is recorded in its
 * error, not fatal. Returns 0, or negative with err filled. */
int pub_inspect_fetch(struct reg_session *s, const char *name, const struct reg_ref *ref,
                      const struct reg_platform *want, struct pub_inspect *out,
                      struct base_error *err);

/* Read a manifest from memory (a file): any of the four manifest types, or
 * the 2015 combined-manifest form (schemaVersion 2, "target" config,
 * "dependencies" keyed by os then architecture, "labels"), which becomes the
 * OCI index it would be today: one OCI image manifest per os/architecture
 * (the target as config, the layers as uncompressed OCI layers), labels as
 * index annotations (createdAt -> org.opencontainers.image.created, version
 * -> org.opencontainers.image.version). Those child manifests are built
 * here, so their layers are shown. `want` picks one entry as for fetch. */
int pub_inspect_file(const char *name, const uint8_t *data, size_t len,
                     const struct reg_platform *want, struct pub_inspect *out,
                     struct base_error *err);

/* 1 when data is the 2015 combined-manifest form. */
int pub_inspect_file_is_combined(const uint8_t *data, size_t len);

/* Number of children that could not be fetched. */
size_t pub_inspect_errors(const struct pub_inspect *in);

/* ---- retag (retag.c) ----------------------------------------------------- */
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
	char digest[REG_DIGEST_MAX]; /* source digest, "" when it could not be learnt */
	char *media_type;            /* source media type, or NULL */
	int64_t size;                /* source manifest size, -1 unknown */
	int source_missing;          /* failed because the source does not exist */
	char *reason;                /* why failed, held or refused, or NULL */
	char dest[REG_DIGEST_MAX];   /* held, refused: what the destination holds */
	struct reg_copy_stats stats;
};

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
	 * (pub_status_find_copy); NULL: nothing is known to be manifold's */
	const struct pub_status *written;
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
void pub_copy_results_free(struct pub_copy_result *r, size_t n);

struct pub_copy_counts {
	int copied, unchanged, would_copy, failed, held, refused;
};
void pub_copy_count(const struct pub_copy_result *r, size_t n, struct pub_copy_counts *out);

/* Record the results in st's copy records (status.h, pub_status_record_copies):
 * one per copy, keyed by destination, state copied/unchanged/failed, the
 * destination's digest and media type (a failed copy keeps the last one
 * recorded), reason, since kept while the state class and digest stay.
 * last_retag gets started/finished and the counts; targets and last_run
 * are not touched. would-copy results are not recorded. */
int pub_retag_record(struct pub_status *st, const struct pub_copy_result *r, size_t n,
                     const char *started, const char *finished, struct base_error *err);
/* Under the status file's lock (pub_status_lock): load path, set its config
 * when it has none, pub_retag_record (finished = now), write it. */
int pub_retag_status_update(const char *path, const char *config, const struct pub_copy_result *r,
                            size_t n, const char *started, struct base_error *err);

/* ---- prune (prune.c, prune_decide.c) ------------------------------------ */

/* The decision, pure: what the HEADs and the lists said, by index. */
struct pub_prune_use {
	size_t source;        /* index into the sources */
	const char *platform; /* the platform's name in the config */
	const char *child;    /* the list's image entry for it (its digest), NULL: none */
	/* the target's repository does not serve child (HEAD by digest: 404):
	 * a source holding it is the last copy */
	int child_missing;
};
struct pub_prune_in_target {
	const char *ref;
	/* why its list cannot vouch for its sources: "not published", "holds
	 * an image, not a list", an extra tag that differs, a registry error;
	 * NULL when the tag (and every extra tag) holds the list */
	const char *why_not;
	const struct pub_prune_use *uses; /* one per source, config order */
	size_t n_uses;
};
struct pub_prune_in_source {
	const char *ref;         /* one distinct per-arch source tag */
	int selected;            /* a source of a target this run prunes (--only) */
	int absent;              /* its HEAD said 404 */
	const char *error;       /* its HEAD failed otherwise, or NULL */
	const char *digest;      /* what it holds (HEAD) */
	const char *target_repo; /* a target of the config in the same repository, or NULL */
	const char *retag_to;    /* a retag: rule of the config copies it here, or NULL */
};
struct pub_prune_verdict {
	int deletable;
	char *reason; /* why kept (malloc'd), NULL when deletable or not selected */
};
/* out[i] for sources[i]: a selected source that exists is deletable only
 * when no retag: rule reads it, no target of the config lives in its
 * repository, every target using it (all of them, selected or not) is
 * satisfied: its list is there and each of its sources is gone already or
 * holds exactly that list's child for its platform; and no list's
 * repository lacks the child it holds (it would be the last copy). 0, or
 * -1 out of memory (out freed). */
int pub_prune_decide(const struct pub_prune_in_target *targets, size_t n_targets,
                     const struct pub_prune_in_source *sources, size_t n_sources,
                     struct pub_prune_verdict *out);

struct pub_prune_options {
	const char *config_path;       /* -c */
	struct pub_global g;           /* -j, --insecure */
	const char *const *only_names; /* --only NAME|REF: targets to prune; n_only 0: all */
	size_t n_only;
	int confirm; /* --confirm: delete; else a dry run */
};

enum pub_prune_action {
	PUB_PRUNE_DELETED,
	PUB_PRUNE_WOULD_DELETE, /* dry run */
	PUB_PRUNE_KEPT,
	PUB_PRUNE_FAILED, /* deletable, but the DELETE failed */
	PUB_PRUNE__COUNT
};
/* "deleted", "would-delete", "kept", "failed". */
const char *pub_prune_action_str(enum pub_prune_action a);

struct pub_prune_item {
	char *ref;    /* the source tag */
	char *digest; /* what it held, or NULL */
	enum pub_prune_action action;
	char *reason; /* why kept or failed, NULL otherwise */
};
struct pub_prune_result {
	struct pub_prune_item *items; /* every source of the pruned targets, sorted by ref */
	size_t n_items;
	int dry_run;
	int unsupported; /* the registry has deletes disabled */
	int errors;      /* registry errors met (the items say where) */
};
void pub_prune_result_free(struct pub_prune_result *r);

/* Load the config, HEAD every target tag (GET its list, HEAD each of its
 * entries in the target's repository by digest) and every source
 * of the targets to prune and of any target sharing one, decide
 * (pub_prune_decide), then per repository and digest: the repository's
 * tags (reg_tags_list, every page) and a HEAD of each, so a digest another
 * tag holds is not deleted; a HEAD of each tag to delete again, just
 * before; then DELETE by digest (with confirm). 0 when it ran (items say
 * what happened), BASE_EINPUT on a config error, -1 when it could not start. */
int pub_prune_job(const struct pub_prune_options *o, struct pub_prune_result *out,
                  struct base_error *err);

/* ---- single-list work (single.c, list_edit.c) ---------------------------- */

/* ---- annotations "k=v" ------------------------------------------------- */

/* Add "key=value" to *arr (a key already present gets the new value, in
 * place). Empty key or no '=' is an error naming the text. */
int pub_annotation_add(struct reg_annotation **arr, size_t *n, const char *kv,
                       struct base_error *err);
void pub_annotations_free(struct reg_annotation *a, size_t n);

/* ---- one list to push (push from-spec / from-args) --------------------- */

struct pub_single {
	struct reg_ref target;
	struct reg_ref *extra; /* extra tags, same repository (spec `tags:`, --tags) */
	size_t n_extra;
	struct pub_child *children; /* in the order the spec / --platforms gives */
	size_t n_children;
	enum reg_list_format format;
	struct reg_annotation *annotations; /* index level */
	size_t n_annotations;
	int verify; /* check each child's config against its platform */
};
void pub_single_free(struct pub_single *p);

/* farm_platform_check_fn for specs: pub_platform_check, and besides a
 * variant manifold has no table for on an architecture that has none
 * ("linux/ppc64/ppc64le", as manifest-tool specs in the wild carry) is kept
 * as written, lower-cased. */
int pub_spec_platform_check(void *ctx, const char *text, char *norm, size_t norm_len, char *why,
                            size_t why_len);

/* From a manifest-tool spec loaded by farm_config_load (cfg->is_spec, one
 * image, one tag): target, extra tags, per-platform sources, platform
 * fields (variant, os.version, os.features, features) and annotations. */
int pub_single_from_spec(const struct farm_config *cfg, struct pub_single *out,
                         struct base_error *err);

/* manifest-tool's from-args: platforms "linux/amd64,linux/arm/v7";
 * tmpl with ARCH OS VARIANT (or {arch} {os} {variant}) tokens; target
 * "repo:tag"; tags "a,b" or NULL (extra tags in target's repository). */
int pub_single_from_args(const char *platforms, const char *tmpl, const char *target,
                         const char *tags, struct pub_single *out, struct base_error *err);

/* Resolve every child (pub_child_resolve), then pub_list_publish the READY
 * ones. A MISSING child is an error naming its platform and source, unless
 * ignore_missing: then it is left out (its state stays MISSING so the
 * caller can warn), and only "every platform missing" is an error.
 * WRONG_PLATFORM and ERROR children always fail the push. Nothing is
 * written unless every child that takes part is READY. */
int pub_single_push(struct reg_session *s, struct pub_single *p, int ignore_missing, int dry_run,
                    struct pub_list_result *out, struct base_error *err);

/* ---- editing an existing list ----------------------------------------- */

/* One edit of a list, applied by pub_list_edit. Every entry the edit does
 * not touch keeps its mediaType, digest, size, platform and annotations. */
struct pub_entry_edit {
	/* Which entry: an entry whose os/arch/variant/os.version are exactly
	 * these (after normalisation) wins; else the one entry that matches
	 * under containerd's rules (reg_platform_match). */
	const struct reg_platform *select;

	/* Append / replace (set digest): the entry to put in place of the
	 * selected one, or at the end when none matches. Its platform is
	 * `select`. Buildx attestation entries that point at a replaced
	 * digest are dropped with it. */
	const char *media_type;
	const char *digest;
	int64_t size;

	/* Annotate (digest NULL): the selected entry must exist. NULL keeps
	 * the field, "" removes it. */
	const char *variant;
	const char *os_version;
	/* pub_list_update: when variant or os_version changes, the child's
	 * image config must name the edited platform, as publish checks */
	int verify_platform;
	int set_os_features; /* replace os.features with these */
	char **os_features;
	size_t n_os_features;
	int set_features; /* replace features with these */
	char **features;
	size_t n_features;

	/* Merged (same key: new value) into the selected / new entry and into
	 * the index. Annotations need an OCI index: a Docker list that gets
	 * any becomes one. */
	const struct reg_annotation *annotations;
	size_t n_annotations;
	const struct reg_annotation *index_annotations;
	size_t n_index_annotations;
};

struct pub_edit_result {
	struct base_buf bytes;  /* the new list, deterministic (reg_list_build) */
	const char *media_type; /* static */
	char digest[REG_DIGEST_MAX];
	long index;    /* position of the edited entry in the new list */
	int replaced;  /* append: an entry for the platform was replaced */
	int converted; /* a Docker list became an OCI index */
};
void pub_edit_result_free(struct pub_edit_result *r);

/* Pure: apply e to list (a parsed list) and build the new bytes. Existing
 * format is kept unless it cannot carry the result (Docker list with
 * annotations or a non-Docker child → OCI index). */
int pub_list_edit(const struct reg_manifest *list, const struct pub_entry_edit *e,
                  struct pub_edit_result *out, struct base_error *err);

/* GET target (a tag), which must be a list; apply e (for an annotate with
 * e->verify_platform that changes the platform: first check the child's
 * image config names the edited platform); PUT the new bytes to
 * the tag unless they equal what it holds (out->changed = 0). For an
 * append, `child` (resolved, READY) is first copied into target's
 * repository by digest. dry_run writes nothing. */
int pub_list_update(struct reg_session *s, const struct reg_ref *target,
                    const struct pub_entry_edit *e, const struct pub_child *child, int dry_run,
                    struct pub_list_result *out, struct pub_edit_result *edit,
                    struct base_error *err);

/* Make child ready for `append SOURCE [--platform P]`: with platform NULL
 * the platform is read from SOURCE's image config (SOURCE must then be an
 * image, not a list); otherwise SOURCE is resolved for P (an entry of a
 * list source), checked against its config when verify. */
int pub_append_child(struct reg_session *s, const char *source, const char *platform, int verify,
                     struct pub_child *child, struct base_error *err);

/* ---- delete ------------------------------------------------------------ */

struct pub_delete_result {
	char digest[REG_DIGEST_MAX];
	char media_type[128];
	char **other_tags; /* tags of the repository holding the same digest */
	size_t n_other_tags;
	int deleted;
};
void pub_delete_result_free(struct pub_delete_result *r);

/* Delete the list target points at (DELETE by digest — the list only; its
 * children stay). Unless force: BASE_ENOTLIST when it is an image, BASE_EHELD
 * when another tag of the repository (reg_tags_list + HEAD each) holds the
 * same digest, since a delete by digest removes every tag on it.
 * BASE_EUNSUPPORTED when the registry has deletes disabled. dry_run checks
 * everything and deletes nothing. */
int pub_list_delete(struct reg_session *s, const struct reg_ref *target, int force, int dry_run,
                    struct pub_delete_result *out, struct base_error *err);

/* The tags of repo's repository (reg_tags_list, every page), other than
 * those in skip, whose HEAD answers digest: what a DELETE of that digest
 * would remove besides them. *out (n_out tags) is the caller's, free with
 * reg_tags_free. */
int pub_tags_holding(struct reg_session *s, const struct reg_ref *repo, const char *digest,
                     const char *const *skip, size_t n_skip, char ***out, size_t *n_out,
                     struct base_error *err);

/* ---- signed releases (verify.c; docs/signing.md) ------------------------ */

/* What `manifold verify` found for one tag. */
struct pub_verify_result {
	char digest[REG_DIGEST_MAX]; /* what the tag holds */
	char *signature;             /* "valid", "no signature", "signature by an unknown key",
	                              * "signature for another digest" */
	char *signed_by;             /* the key id that signed it, or NULL */
	char *record;                /* "valid", "no publish record", "publish record by an
	                              * unknown key", … for another digest, … does not match */
	char *record_by;             /* the key id that signed the record, or NULL */
	char *statement;             /* the record's in-toto statement when valid, else NULL */
	int ok;                      /* signature and record both valid */
	char record_why[640];
};
void pub_verify_result_free(struct pub_verify_result *r); /* NULL safe */
/* ref's manifest, its cosign signature and publish record against the
 * public keys in key_files (PEM). BASE_EINPUT when a key cannot be read
 * (nothing sent); -1 on a registry error; 0 with out->ok saying whether
 * both verified. */
int pub_verify(struct reg_session *s, const struct reg_ref *ref, const char *const *key_files,
               size_t n_files, struct pub_verify_result *out, struct base_error *err);

/* What inspect shows of a digest's cosign tags, without keys. */
struct pub_sig_item {
	char *kind;   /* "signature" or "attestation" */
	char *detail; /* "cosign simple signing of sha256:…", "PREDICATE, DSSE key sha256:…" */
};
struct pub_sig_info {
	struct pub_sig_item *items;
	size_t n_items;
};
void pub_sig_info_free(struct pub_sig_info *in); /* NULL safe */
int pub_sig_inspect(struct reg_session *s, const struct reg_ref *ref, const char *digest,
                    struct pub_sig_info *out, struct base_error *err);

#endif
