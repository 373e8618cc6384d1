/* cli.h — the manifold command line: one cmd_*.c per subcommand, the
 * printing of human and JSON output, the log sink on stderr, and the
 * mapping of results to exit codes. Nothing outside cli/ includes it; cli/
 * reaches the jobs only through engine.h and the record through status.h. */
#ifndef MANIFOLD_CLI_H
#define MANIFOLD_CLI_H

#include <stdio.h>

#include "engine.h"

/* Exit codes (DESIGN.md). */
enum {
	PUB_EXIT_OK = 0,         /* every target published or unchanged */
	PUB_EXIT_FAILED = 1,     /* some target failed */
	PUB_EXIT_USAGE = 2,      /* usage or config error, nothing written */
	PUB_EXIT_INCOMPLETE = 3, /* no failure, some target incomplete */
};

/* Exit code of a check or publish run: the job's return (PUB_EINPUT →
 * usage, other negative → failed) and its counts. */
int cli_exit_code(int job_rc, const struct pub_run *run);

/* ---- log sink (log_sink.c) ---------------------------------------------- */

enum cli_log_format { CLI_LOG_TEXT, CLI_LOG_JSON };
/* Installs the stderr sink; once, in main, before threads start. */
void cli_log_init(enum cli_log_format format, enum pub_log_level min_level);
/* 1 when colour may be used on this stream (a terminal, NO_COLOR unset, TERM not dumb). */
int cli_color_enabled(FILE *f);

/* ---- output (output.c, out_inspect.c, out_retag.c) ----------------------- */

/* Human-readable report (see docs/retag-inspect.md for its shape). */
void pub_inspect_render_text(FILE *f, const struct pub_inspect *in);
/* The same as one JSON object with a trailing newline. Returns 0 or -1. */
int pub_inspect_render_json(FILE *f, const struct pub_inspect *in);

/* One line per copy and a summary line; colour only when `color`. */
void pub_retag_render_text(FILE *f, const struct pub_copy_result *r, size_t n, int color);
/* {"copies": [...], "summary": {...}} with a trailing newline. */
int pub_retag_render_json(FILE *f, const struct pub_copy_result *r, size_t n);

/* ---- command-line helpers (common.c) ---------------------------------------- */

/* argv[*i] is the flag `lng` ("--status") or `shrt` ("-c", may be NULL),
 * with its value as the next argument or after '=' (or glued to a short
 * flag: "-j8"). Returns 1 and sets *val (advancing *i past a separate
 * value), 0 when argv[*i] is another flag, -1 when the value is missing. */
int pub_arg_value(int argc, char **argv, int *i, const char *lng, const char *shrt,
                  const char **val);
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

/* ---- commands: each is one cmd_*.c file -------------------------------- */

int cmd_check_main(int argc, char **argv);
int cmd_publish_main(int argc, char **argv);
int cmd_retag_main(int argc, char **argv);
int cmd_inspect_main(int argc, char **argv);
int cmd_status_main(int argc, char **argv);
int cmd_push_main(int argc, char **argv); /* push from-spec | from-args */
int cmd_append_main(int argc, char **argv);
int cmd_annotate_main(int argc, char **argv);
int cmd_delete_main(int argc, char **argv);

#endif
