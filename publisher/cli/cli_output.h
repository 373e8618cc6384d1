/* cli_output.h — what the commands print: the job results as text and
 * JSON (output.c, out_json.c, out_retag.c, out_prune.c, out_estimate.c),
 * and the end of a check or publish run (run_end.c). */
#ifndef MANIFOLD_CLI_OUTPUT_H
#define MANIFOLD_CLI_OUTPUT_H

#include <stdio.h>

#include "cli.h"

/* The job results the outputs render; each command includes its job's
 * header (publish.h, retag.h, prune.h, inspect.h, lists.h, verify.h). */
struct pub_job_options;
struct pub_job_result;
struct pub_estimate;
struct pub_copy_result;
struct pub_prune_result;
struct pub_inspect;
struct pub_list_result;
struct pub_delete_result;

/* ---- output (output.c, out_json.c, out_retag.c) -------------------------- */

/* inspect's report (pub_inspect_json) as one JSON object with a trailing
 * newline. Returns 0 or -1. */
int cli_inspect_render_json(FILE *f, const struct pub_inspect *in);

/* One line per copy and a summary line; colour only when `color`. */
void cli_retag_render_text(FILE *f, const struct pub_copy_result *r, size_t n, int color);
/* {"copies": [...], "summary": {...}} with a trailing newline. */
int cli_retag_render_json(FILE *f, const struct pub_copy_result *r, size_t n);

/* One line per source tag (deleted, would delete, kept with why) and a
 * summary line (out_prune.c). */
void cli_prune_render_text(FILE *f, const struct pub_prune_result *r, int color);
/* {"schema": 1, "dry_run", "deleted": [{"ref", "digest"}], "kept": [{"ref",
 * "reason"}], "failed": [{"ref", "reason"}]} with a trailing newline. */
int cli_prune_render_json(FILE *f, const struct pub_prune_result *r);

/* ---- check and publish reports (output.c) -------------------------------- */

enum cli_report_kind { CLI_REPORT_CHECK, CLI_REPORT_PUBLISH };

/* Summary table (colour when color), or with json the machine form:
 * {"targets":[{"target","state","digest","reason","platforms":[{"platform",
 * "source","state","digest","reason"}]}],"summary":{...}} (absent values
 * are null). With a dry-run publish the table lists what would be written. */
void cli_report_print(FILE *f, enum cli_report_kind kind, const struct pub_job_result *r, int json,
                      int color);

/* out_estimate.c: `publish --estimate`: per registry the requests of an
 * unchanged night and the most a night can send, and their time at the
 * budget; with json {"schema": 1, "registries": [{"registry",
 * "unchanged_requests", "max_requests", "seconds_at_budget", ...}]}. */
/* limit: the memory a run may use in bytes (0: none known), from names where
 * it came from ("--memory-limit", "cgroup memory.max"). */
void cli_estimate_print(FILE *f, const struct pub_estimate *e, int json, double limit,
                        const char *from);
/* --memory-limit's SIZE ("512M", "2G", "1.5GiB", bytes), else the cgroup's
 * memory.max (0 and from NULL when neither says). -1 when text is no size. */
int cli_memory_limit(const char *text, double *bytes, const char **from);
/* The run's per-registry budget counters: a line each in text (only the
 * registries that had a budget, a 429 or a wait), or the summary's
 * "registries" array (every registry spoken to). */
void cli_budget_summary_text(FILE *f, const struct pub_job_result *r);
struct cJSON;
void cli_budget_summary_json(struct cJSON *summary, const struct pub_job_result *r);

/* The job's progress on stderr: a live line when stderr is a terminal, a
 * JSON progress event every few seconds and at the end with --log-format
 * json, else nothing (NULL). unit: what is counted ("targets", "copies"). */
struct pub_progress;
struct pub_progress *cli_progress_new(const char *unit);
/* Phase `phase` counts `unit` instead (both static): check's "checking"
 * counts HEAD requests, its "verifying" targets. */
void cli_progress_phase_unit(struct pub_progress *p, const char *phase, const char *unit);
void cli_progress_update(void *ctx, const char *phase, size_t done, size_t total);
/* Clears the line; NULL safe. */
void cli_progress_free(struct pub_progress *p);

/* ---- JSON output helpers (out_json.c) ------------------------------------ */

struct cJSON;
/* A new object whose first key is "schema": 1, or NULL. */
struct cJSON *cli_json_root(void);
/* Prints it 2-space indented with a newline, deletes it. 0 or -1. */
int cli_json_print(FILE *f, struct cJSON *root);
/* A state word as JSON writes it, snake_case ("would publish" -> "would_publish"),
 * in buf. */
const char *cli_json_state(const char *state, char *buf, size_t len);
/* {"schema":1,"digest","media_type","size","changed","dry_run","held"} of
 * one list write; "held": [{"tag","why","would_drop"|"digest","media_type",
 * "reason"}] ([] when nothing was held). */
int cli_list_result_json(FILE *f, const struct pub_list_result *r, int dry_run);
/* The end of every single-list write (push, append, annotate): log a dry
 * run or, when nothing changed, `unchanged`; print the JSON document or the
 * manifest-tool line "Digest: sha256:<hex> <size>". 0; 1 when tags were
 * held (each one's reason and "held: nothing written" said as `who`'s
 * errors, no Digest line; the JSON document still printed); -1. */
int cli_list_result_print(const char *who, const struct pub_list_result *r, int dry_run, int json,
                          const char *unchanged);
/* {"schema":1,"digest","media_type","deleted","dry_run","other_tags"} of a delete. */
int cli_delete_result_json(FILE *f, const struct pub_delete_result *r, int dry_run);

/* ---- the end of a check or publish run (run_end.c) ------------------------ */

/* Seconds on the monotonic clock, for a run's duration. */
double cli_clock(void);
/* 1 when the human table goes to stdout: not -o json, and with
 * --log-format json only when -o text was asked for. */
int cli_table_wanted(const struct cli_args *a);
/* --pushgateway is a URL it can push to; else -1 after saying so (usage). */
int cli_metrics_check(const char *who, const struct cli_args *a);
/* The run's summary event (counts, duration, requests), then the metrics
 * file (--metrics-file) and push (--pushgateway). 0, or -1 when the
 * metrics could not be written or pushed (said on stderr). */
int cli_run_end(const char *who, const struct cli_args *a, const struct pub_job_result *res,
                int check, double duration);
/* The exit code after cli_run_end returned end: 1 when the metrics did not
 * get out of a run that was not stopped and had no usage error. */
int cli_exit_with_metrics(int code, const struct pub_job_result *res, int end);

#endif
