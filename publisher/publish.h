/* publish.h — the check and publish jobs as library functions (config →
 * plan → checks → actions → status), called by cmd_check.c/cmd_publish.c
 * and by tests; and the reports that print their results (report.c). */
#ifndef MANIFOLD_PUBLISH_H
#define MANIFOLD_PUBLISH_H

#include <stdio.h>

#include "pub.h"

/* Called from worker threads as jobs finish; must be thread-safe. */
typedef void (*pub_progress_fn)(void *ctx, const char *phase, size_t done, size_t total);

struct pub_job_options {
	const char *config_path; /* -c */
	const char *status_path; /* --status; NULL: the config's status:, else none */
	const char *only;        /* --only NAME|REF, or NULL */
	const char *shard;       /* --shard I/N; NULL: JOB_COMPLETION_INDEX/JOB_COMPLETIONS */
	struct pub_global g;     /* -j, --insecure, --dry-run, --output json */
	int commit;              /* --commit (implied by git.push) */
	struct pub_git_options git;
	pub_progress_fn progress; /* may be NULL */
	void *progress_ctx;
};

/* What one target's run wrote (or, with --dry-run, would write). */
struct pub_target_writes {
	char **refs; /* tags written; empty when unchanged/incomplete/failed */
	size_t n_refs;
	long long list_size; /* bytes of the list, -1 when none was built */
};

struct pub_job_result {
	/* This run's targets, in plan order (check: state PUB_T_PUBLISHED
	 * means "ready", see pub_check_state_str). */
	struct pub_target_status *targets;
	struct pub_target_writes *writes; /* parallel to targets (publish only) */
	size_t n_targets;
	struct pub_run run; /* this run's counts and times */
	struct reg_stats stats;
	char *status_path; /* the status file written, or NULL */
	int committed;     /* pub_git_record made a commit */
	int is_spec;       /* the config was a manifest-tool spec */
	int dry_run;
};
void pub_job_result_free(struct pub_job_result *r);

/* Both return an exit code (PUB_EXIT_*). err is filled when the run itself
 * went wrong (config error: PUB_EXIT_USAGE and nothing written; status
 * write or git failure: PUB_EXIT_FAILED); err->msg is "" otherwise. out is
 * filled as far as the run got and must be freed either way. */
int pub_check_job(const struct pub_job_options *o, struct pub_job_result *out,
                  struct reg_error *err);
int pub_publish_job(const struct pub_job_options *o, struct pub_job_result *out,
                    struct reg_error *err);

/* The status file after a run: prev's records for targets that are in
 * `known` (sorted refs of every target the config describes) but not in
 * this run are kept as they were; this run's records replace the others.
 * A record is left as it was while its state and digest stay the same;
 * published and unchanged count as one state (the tag holds the same
 * list), so an unchanged night keeps "published" and `since` and the
 * file's diff is last_run alone. An incomplete or failed target keeps the
 * last published digest.
 * known NULL keeps every old record. Result sorted by target. */
int pub_status_next(const struct pub_status *prev, const struct pub_target_status *run,
                    size_t n_run, const char *const *known, size_t n_known, const char *config,
                    const struct pub_run *last_run, struct pub_status **out, struct reg_error *err);

/* "ready", "incomplete", "failed" for a check result's target state. */
const char *pub_check_state_str(enum pub_target_state s);

/* ---- pool.c: one mutex per distinct key ------------------------------------ */

/* Jobs i and j with equal keys[i], keys[j] share a mutex (publish: one per
 * target repository, so two targets never write the same repository at
 * once — concurrent PUTs of identical content race in some registries). */
struct pub_keylock;
int pub_keylock_new(const char *const *keys, size_t n, struct pub_keylock **out,
                    struct reg_error *err);
void pub_keylock_lock(struct pub_keylock *kl, size_t i);
void pub_keylock_unlock(struct pub_keylock *kl, size_t i);
void pub_keylock_free(struct pub_keylock *kl); /* NULL safe */

/* ---- command-line helpers (common.c) ---------------------------------------- */

/* argv[*i] is the flag `lng` ("--status") or `shrt` ("-c", may be NULL),
 * with its value as the next argument or after '=' (or glued to a short
 * flag: "-j8"). Returns 1 and sets *val (advancing *i past a separate
 * value), 0 when argv[*i] is another flag, -1 when the value is missing. */
int pub_arg_value(int argc, char **argv, int *i, const char *lng, const char *shrt,
                  const char **val);
/* A config platform as a list entry's platform (features included). */
int pub_platform_from_farm(const struct farm_platform *fp, struct reg_platform *out,
                           struct reg_error *err);
/* The config's `format:` as the list builder's. */
enum reg_list_format pub_list_format(enum farm_format f);

/* "-j N": 1..1024. */
int pub_arg_jobs(const char *text, int *out);

/* ---- report.c ------------------------------------------------------------ */

enum pub_report_kind { PUB_REPORT_CHECK, PUB_REPORT_PUBLISH };

/* Summary table (colour when color), or with json the machine form:
 * {"targets":[{"target","state","digest","reason","platforms":[{"platform",
 * "source","state","digest","reason"}]}],"summary":{...}} (absent values
 * are null). With a dry-run publish the table lists what would be written. */
void pub_report_print(FILE *f, enum pub_report_kind kind, const struct pub_job_result *r, int json,
                      int color);

/* A progress line on stderr, drawn only when stderr is a terminal. */
struct pub_progress;
struct pub_progress *pub_progress_new(void);
void pub_progress_update(void *ctx, const char *phase, size_t done, size_t total);
/* Clears the line; NULL safe. */
void pub_progress_free(struct pub_progress *p);

#endif
