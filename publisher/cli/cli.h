/* cli.h — the manifold command line: one option table for every command
 * (options.c) from which the parser, --help, the man page and the shell
 * completions are made; one cmd_*.c per subcommand; the printing of human
 * and JSON output; the log sink on stderr; the mapping of results to exit
 * codes. Nothing outside cli/ includes it; cli/
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
	PUB_EXIT_DEADLINE = 4,   /* no failure, but --deadline left targets not reached */
	/* 128 + N: stopped by signal N (130 SIGINT, 143 SIGTERM), as shells say */
};

/* Exit code of a check or publish run: the job's return (BASE_EINPUT →
 * usage, other negative → failed) and its counts. */
int cli_exit_code(int job_rc, const struct pub_run *run);
/* The exit code of a call's return code alone (base's BASE_* codes, one
 * table in exit.c): 0 → 0, BASE_EINPUT → 2, any other failure → 1. */
int cli_exit_of_rc(int rc);

/* ---- stopping early (stop.c) ---------------------------------------------- */

struct cli_args;

/* --deadline and --grace into o (a bad duration: -1 after printing a usage
 * error naming `who`), and SIGTERM/SIGINT handlers that set o->stop. */
int cli_stop_options(const char *who, const struct cli_args *a, struct pub_job_options *o);
/* The signal that asked the run to stop (SIGTERM, SIGINT), 0 when none
 * came; read at the very end too, so a signal during the status write, the
 * commit, the push or the metrics push still makes the exit 128 + N. */
int cli_stop_signal(void);
/* cli_exit_code, then: stopped by signal N (in res, or cli_stop_signal
 * now) → 128 + N; --deadline left targets not reached and nothing failed
 * → PUB_EXIT_DEADLINE. */
int cli_exit_code_job(int job_rc, const struct pub_job_result *res);

/* ---- log sink (log_sink.c) ---------------------------------------------- */

enum cli_log_format { CLI_LOG_TEXT, CLI_LOG_JSON };
/* Installs the stderr sink; once, in main, before threads start. */
void cli_log_init(enum cli_log_format format, enum pub_log_level min_level);
/* 1 when colour may be used on this stream (a terminal, NO_COLOR unset, TERM not dumb). */
int cli_color_enabled(FILE *f);
/* 1 with --log-format json: every line on stderr is a JSON object. */
int cli_log_json(void);
/* A command's error: "manifold WHO: MSG" on stderr, or with --log-format
 * json one error line {"level":"error","msg":MSG,"command":WHO}. */
void cli_error(const char *who, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- output (output.c, out_inspect.c, out_retag.c) ----------------------- */

/* Human-readable report (see docs/retag-inspect.md for its shape). */
void pub_inspect_render_text(FILE *f, const struct pub_inspect *in);
/* The same as one JSON object with a trailing newline. Returns 0 or -1. */
int pub_inspect_render_json(FILE *f, const struct pub_inspect *in);

/* One line per copy and a summary line; colour only when `color`. */
void pub_retag_render_text(FILE *f, const struct pub_copy_result *r, size_t n, int color);
/* {"copies": [...], "summary": {...}} with a trailing newline. */
int pub_retag_render_json(FILE *f, const struct pub_copy_result *r, size_t n);

/* One line per source tag (deleted, would delete, kept with why) and a
 * summary line (out_prune.c). */
void pub_prune_render_text(FILE *f, const struct pub_prune_result *r, int color);
/* {"schema": 1, "dry_run", "deleted": [{"ref", "digest"}], "kept": [{"ref",
 * "reason"}], "failed": [{"ref", "reason"}]} with a trailing newline. */
int pub_prune_render_json(FILE *f, const struct pub_prune_result *r);

/* ---- check and publish reports (output.c) -------------------------------- */

enum pub_report_kind { PUB_REPORT_CHECK, PUB_REPORT_PUBLISH };

/* Summary table (colour when color), or with json the machine form:
 * {"targets":[{"target","state","digest","reason","platforms":[{"platform",
 * "source","state","digest","reason"}]}],"summary":{...}} (absent values
 * are null). With a dry-run publish the table lists what would be written. */
void pub_report_print(FILE *f, enum pub_report_kind kind, const struct pub_job_result *r, int json,
                      int color);

/* out_estimate.c: `publish --estimate`: per registry the requests of an
 * unchanged night and the most a night can send, and their time at the
 * budget; with json {"schema": 1, "registries": [{"registry",
 * "unchanged_requests", "max_requests", "seconds_at_budget", ...}]}. */
/* limit: the memory a run may use in bytes (0: none known), from names where
 * it came from ("--memory-limit", "cgroup memory.max"). */
void pub_estimate_print(FILE *f, const struct pub_estimate *e, int json, double limit,
                        const char *from);
/* --memory-limit's SIZE ("512M", "2G", "1.5GiB", bytes), else the cgroup's
 * memory.max (0 and from NULL when neither says). -1 when text is no size. */
int cli_memory_limit(const char *text, double *bytes, const char **from);
/* The run's per-registry budget counters: a line each in text (only the
 * registries that had a budget, a 429 or a wait), or the summary's
 * "registries" array (every registry spoken to). */
void pub_budget_summary_text(FILE *f, const struct pub_job_result *r);
struct cJSON;
void pub_budget_summary_json(struct cJSON *summary, const struct pub_job_result *r);

/* A progress line on stderr, drawn only when stderr is a terminal. */
struct pub_progress;
struct pub_progress *pub_progress_new(void);
void pub_progress_update(void *ctx, const char *phase, size_t done, size_t total);
/* Clears the line; NULL safe. */
void pub_progress_free(struct pub_progress *p);

/* ---- the option table (options.c) --------------------------------------- */

/* Every command that takes options: one bit each in cli_option.commands. */
enum cli_cmd_id {
	CLI_CHECK,
	CLI_PUBLISH,
	CLI_RETAG,
	CLI_INSPECT,
	CLI_STATUS,
	CLI_PUSH, /* only dispatches to from-spec / from-args */
	CLI_PUSH_SPEC,
	CLI_PUSH_ARGS,
	CLI_APPEND,
	CLI_ANNOTATE,
	CLI_DELETE,
	CLI_COMPLETION,
	CLI_MAN,
	CLI_LOGIN,
	CLI_LOGOUT,
	CLI_PRUNE,
	CLI_VERIFY,
	CLI__NCMD
};
#define CLI_IN(id) (1u << (id))
#define CLI_ALL    ((1u << CLI__NCMD) - 1)

enum cli_arg { CLI_ARG_NONE, CLI_ARG_REQUIRED, CLI_ARG_OPTIONAL };

/* How the parse loop stores a value in struct cli_args (at cli_option.off). */
enum cli_store {
	CLI_STORE_HELP,   /* print the command's help, exit 0 */
	CLI_STORE_FLAG,   /* int = 1 */
	CLI_STORE_STR,    /* const char * = the value (the last one given wins) */
	CLI_STORE_LIST,   /* struct cli_strv: one more item (repeatable) */
	CLI_STORE_SPLIT,  /* struct cli_strv: comma list, repeatable */
	CLI_STORE_JOBS,   /* int, 1..1024 */
	CLI_STORE_ENUM,   /* const char *, one of cli_option.values */
	CLI_STORE_FORMAT, /* const char *, one of the command's formats */
};

/* What a value completes to in the shell. */
enum cli_complete { CLI_COMP_NONE, CLI_COMP_FILE, CLI_COMP_DIR };

/* One option. A long name may appear in two rows when its meaning differs
 * per command (--platform), never with overlapping command sets. */
struct cli_option {
	const char *name;           /* long name, without "--" */
	char letter;                /* short option, or 0 */
	enum cli_arg arg;           /* none / required / optional value */
	const char *value;          /* value name in help: "FILE", "N" */
	enum cli_store store;       /* how it is stored */
	size_t off;                 /* where in struct cli_args */
	enum cli_complete complete; /* FILE/DIR values */
	const char *const *values;  /* enumerated values (CLI_STORE_ENUM), NULL-terminated */
	unsigned commands;          /* CLI_IN() bits of the commands that take it */
	const char *help;           /* one line */
};
extern const struct cli_option cli_options[];
extern const size_t cli_n_options;

/* Strings owned by the vector (copies of the arguments). */
struct cli_strv {
	char **v;
	size_t n;
};
void cli_strv_free(struct cli_strv *s);
/* Appends the non-empty items of "a,b,c" to s. -1 out of memory. */
int cli_strv_split(struct cli_strv *s, const char *text);

/* Every value any command's options can take; fields a command does not
 * take stay 0/NULL. Strings point into argv unless a cli_strv. */
struct cli_args {
	struct pub_global g;    /* -j, --insecure, --dry-run (output_json stays 0) */
	const char *output;     /* -o FORMAT (default: the command's first format) */
	int output_set;         /* -o was given (not the default) */
	int json;               /* -o json */
	const char *log_format; /* --log-format text|json */
	int help, verbose;
	/* check, publish, retag */
	const char *config, *status, *shard;
	const char *deadline, *grace; /* check, publish: durations */
	struct cli_strv only;
	/* check, publish: --metrics-file, --pushgateway */
	const char *metrics_file, *pushgateway;
	/* login */
	const char *username;
	int password_stdin;
	/* publish */
	int commit, allow_shrink;
	int overwrite;                           /* --overwrite (publish, retag) */
	int recheck_children;                    /* --recheck-children */
	int verify;                              /* check --verify */
	int refresh_referrers;                   /* --refresh-referrers */
	const char *push_remote, *repo, *author; /* --push: push_remote "" = the default */
	int estimate;                            /* --estimate */
	const char *memory_limit;                /* --memory-limit SIZE (with --estimate) */
	/* retag */
	const char *from_file;
	/* inspect */
	const char *file, *platform;
	int raw;
	int signatures; /* --signatures */
	/* status */
	const char *output_file, *since, *max_incomplete_age;
	int check;
	const char *history, *days; /* --history [RANGE] ("" = HEAD), --days N */
	/* push, append, annotate */
	const char *platforms, *template_ref, *target, *tags;
	int ignore_missing, no_verify, force;
	struct cli_strv annotations, index_annotations;
	const char *variant, *os_version, *os_features, *features;
	/* prune */
	int confirm;
	/* verify */
	struct cli_strv keys; /* --key PUB.pem */
	/* operands, in order (pointers into argv) */
	char **operands;
	size_t n_operands;
};
void cli_args_free(struct cli_args *a);

struct cli_program;

/* One command: its name, how to run it, and the texts of its --help and
 * man page section; each lives in its cmd_*.c file. */
struct cli_command {
	const char *name; /* "check", "push from-spec" */
	enum cli_cmd_id id;
	int (*run)(const struct cli_program *prog, int argc, char **argv);
	const char *synopsis;             /* after "manifold NAME "; lines split by '\n' */
	const char *summary;              /* one line, for `manifold --help` */
	const char *description;          /* paragraphs split by "\n\n" */
	const char *exit_codes;           /* one sentence */
	const char *const *formats;       /* -o values, the default first; NULL-terminated */
	int max_operands;                 /* -1: any number (the command checks) */
	enum cli_complete operands;       /* what operands complete to */
	const char *const *operand_words; /* or these words (NULL-terminated) */
	const struct cli_command *const *subcommands; /* NULL-terminated, or NULL */
	int hidden;                                   /* left out of `manifold --help` */
};

/* main.c's dispatch table. */
struct cli_program {
	const struct cli_command *const *commands;
	size_t n_commands;
};

extern const char *const cli_formats_text_json[]; /* text, json */
extern const char *const cli_formats_status[];    /* table, json, markdown, html */

/* The options cmd takes, in table order; NULL when i is past the end. */
const struct cli_option *cli_option_at(const struct cli_command *cmd, size_t i);
/* The values an option's argument can take for cmd (its own, or the
 * command's formats for -o), or NULL. */
const char *const *cli_option_values(const struct cli_option *o, const struct cli_command *cmd);

/* Parse argv[1..] (argv[0] is the command's name) into *out (zeroed first;
 * free with cli_args_free in every case). Returns 0 to run, 1 when --help
 * was printed (exit 0), -1 after printing a usage error naming the flag and
 * the command (exit 2). On 0 the log sink is installed (-v, --log-format). */
int cli_parse(const struct cli_command *cmd, int argc, char **argv, struct cli_args *out);

/* `manifold [global options] COMMAND ...`: --help, --version, dispatch
 * (global options before COMMAND are handed to it). Returns the exit code. */
int cli_main(const struct cli_program *prog, int argc, char **argv);
/* For a command with subcommands: argv[1] names one. */
int cli_run_subcommand(const struct cli_program *prog, const struct cli_command *cmd, int argc,
                       char **argv);

/* ---- generated texts (help.c, man.c, completion.c) ----------------------- */

void cli_help_print(FILE *f, const struct cli_command *cmd);
void cli_program_help_print(FILE *f, const struct cli_program *prog);
int cli_man_print(FILE *f, const struct cli_program *prog);
int cli_completion_bash(FILE *f, const struct cli_program *prog);
int cli_completion_zsh(FILE *f, const struct cli_program *prog);

/* ---- JSON output helpers (out_json.c) ------------------------------------ */

struct cJSON;
/* A new object whose first key is "schema": 1, or NULL. */
struct cJSON *cli_json_root(void);
/* Prints it 2-space indented with a newline, deletes it. 0 or -1. */
int cli_json_print(FILE *f, struct cJSON *root);
/* A state word as JSON writes it, snake_case ("would publish" -> "would_publish"),
 * in buf. */
const char *cli_json_state(const char *state, char *buf, size_t len);
/* {"schema":1,"digest","media_type","size","changed","dry_run"} of one list write. */
int cli_list_result_json(FILE *f, const struct pub_list_result *r, int dry_run);
/* The end of every single-list write (push, append, annotate): log a dry
 * run or, when nothing changed, `unchanged`; print the JSON document or the
 * manifest-tool line "Digest: sha256:<hex> <size>". 0, or -1. */
int cli_list_result_print(const struct pub_list_result *r, int dry_run, int json,
                          const char *unchanged);
/* {"schema":1,"digest","media_type","deleted","dry_run","other_tags"} of a delete. */
int cli_delete_result_json(FILE *f, const struct pub_delete_result *r, int dry_run);

/* ---- option values for the engine (values.c) ------------------------------ */

/* Keep the copies whose image name or destination is one of names; each
 * name must keep one (else err names it). n 0 keeps everything. */
int cli_copy_plan_only(struct farm_copy_plan *plan, char *const *names, size_t n,
                       struct base_error *err);
/* Appends the pairs SRC DST of pairs[0..n) (n even) to plan. -1 out of memory. */
int cli_copy_plan_add_pairs(struct farm_copy_plan *plan, char *const *pairs, size_t n);
/* Every reference of plan parses; else err says which does not (a usage
 * error: nothing is written). */
int cli_copy_plan_check_refs(const struct farm_copy_plan *plan, struct base_error *err);
/* Adds every "KEY=VALUE" of kv to *arr; -1 after printing "manifold WHO: why". */
int cli_annotations(const char *who, const struct cli_strv *kv, struct reg_annotation **arr,
                    size_t *n);

/* ---- commands: each is one cmd_*.c file -------------------------------- */

extern const struct cli_command cli_cmd_check, cli_cmd_publish, cli_cmd_retag, cli_cmd_inspect,
    cli_cmd_status, cli_cmd_push, cli_cmd_push_spec, cli_cmd_push_args, cli_cmd_append,
    cli_cmd_annotate, cli_cmd_delete, cli_cmd_completion, cli_cmd_man, cli_cmd_prune,
    cli_cmd_verify;
extern const struct cli_command cli_cmd_login, cli_cmd_logout;

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
