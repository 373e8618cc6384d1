/* publish.h — the check and publish jobs (publish.c, target.c): the
 * options and the result of a run, what a night costs (estimate.c), and the
 * run's metrics (metrics.c, metrics_push.c). */
#ifndef MANIFOLD_PUBLISH_H
#define MANIFOLD_PUBLISH_H

#include <signal.h>
#include <stdint.h>

#include "job.h"

/* ---- what the run sent (from the registry client's counters) ------------- */

struct pub_stats {
	unsigned long head, get, put, post, patch, del; /* requests sent, retries included */
	unsigned long retries;                          /* all retries: the sum of the four below */
	unsigned long retries_status;                   /* 429, 502, 503, 504; 500 on a HEAD */
	unsigned long retries_connection; /* refused, unresolved, garbled or dropped */
	unsigned long retries_timeout;    /* connect, total or low-speed limit hit */
	unsigned long retries_digest;     /* body did not hash to the digest expected */
	uint64_t bytes_copied;            /* blob bytes streamed between repositories */
};
/* Requests sent to one registry with one method that ended in one HTTP
 * status; status 0: no answer (the connection failed or timed out). */
struct pub_request_count {
	char registry[256];
	const char *method; /* "GET", "HEAD", ...: static */
	int status;
	unsigned long count;
};
/* One registry's request budget: requests sent, 429s, time waiting. */
struct pub_budget_stats {
	char registry[256];
	unsigned long requests; /* tries sent, retries included (token fetches are not) */
	unsigned long too_many; /* answered 429 */
	long long waited_ms;    /* time requests waited for the budget, summed over workers */
	int has_budget;         /* a budget was configured or the registry announced one */
	int limited;            /* a request failed as rate limited */
	char limited_until[32]; /* then: when the budget frees up, RFC 3339 UTC */
};

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
	 * (estimate.c): what every shard holds (the config, and a hash of
	 * every target), what the run's own targets add (their plan, records
	 * and results), and what all targets of the config would add in one
	 * run. */
	double mem_fixed, mem_run, mem_run_all;
	size_t config_targets; /* targets the config describes */
	size_t plan_targets;   /* of those, the targets the plan holds: this run's */
	size_t config_images;  /* images the config holds: those of this run's targets */
};
/* Shards a night needs so that each fits limit bytes (with a tenth spare):
 * 0 when none does (the config and plan alone take more). */
unsigned pub_estimate_shards(const struct pub_estimate *e, double limit);
void pub_estimate_free(struct pub_estimate *e); /* NULL safe */
/* A warning for each registry whose unchanged night takes longer than
 * deadline_ms at its budget (deadline_ms 0: none). */
void pub_estimate_warn(const struct pub_estimate *e, long deadline_ms);

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
	struct status_git_options git;
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
	struct status_target_status *targets;
	struct pub_target_writes *writes; /* parallel to targets (publish only) */
	size_t n_targets;
	struct status_run run; /* this run's counts and times */
	struct pub_stats stats;
	struct pub_request_count *requests; /* by registry, method, status (malloc'd) */
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
	int committed;     /* status_git_record made a commit */
	int push_attempts; /* --push: pushes tried (1 when the first landed), 0 without */
	int is_spec;       /* the config was a manifest-tool spec */
	int dry_run;
	enum pub_stop_cause stopped; /* the run stopped early, and why */
	int stop_signal;             /* PUB_STOP_SIGNAL: the signal's number */
	size_t not_reached;          /* selected targets it did not finish */
	/* Per registry: requests sent, 429s, time waiting for the budget. */
	struct pub_budget_stats *budgets;
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

/* Every target reference the config at path describes (sorted; free each
 * and the array) and its digest, for `manifold status -c`. BASE_EINPUT on a
 * config error (err names the place), -1 otherwise. */
int pub_config_targets(const char *path, char ***refs, size_t *n, char digest[PUB_DIGEST_MAX],
                       struct base_error *err);

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
const char *pub_check_state_str(enum status_target_state s);

#endif
