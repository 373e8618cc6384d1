/* cli.h — the manifold command line: one option table for every command
 * (options.c) from which the parser, --help, the man page and the shell
 * completions are made; one cmd_*.c per subcommand; the printing of human
 * and JSON output; the log sink on stderr; the mapping of results to exit
 * codes. Nothing outside cli/ includes it; cli/
 * reaches the jobs only through engine.h and the record through status.h. */
#ifndef MANIFOLD_CLI_H
#define MANIFOLD_CLI_H

#include <stdio.h>

#include "job.h"

struct pub_job_options;
struct pub_job_result;

/* Exit codes (DESIGN.md). */
enum {
	CLI_EXIT_OK = 0,         /* every target published or unchanged */
	CLI_EXIT_FAILED = 1,     /* some target failed */
	CLI_EXIT_USAGE = 2,      /* usage or config error, nothing written */
	CLI_EXIT_INCOMPLETE = 3, /* no failure, some target incomplete */
	CLI_EXIT_DEADLINE = 4,   /* no failure, but --deadline left targets not reached */
	/* 128 + N: stopped by signal N (130 SIGINT, 143 SIGTERM), as shells say */
};

/* Every exit code a command may end with, in order (exit.c): the man
 * page's EXIT STATUS and `manifold --help` are made from this table. */
struct cli_exit_status {
	int code;
	const char *meaning; /* one line */
};
extern const struct cli_exit_status cli_exit_statuses[];
extern const size_t cli_n_exit_statuses;

/* Exit code of a check or publish run: the job's return (BASE_EINPUT →
 * usage, other negative → failed) and its counts. */
int cli_exit_code(int job_rc, const struct status_run *run);
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
 * → CLI_EXIT_DEADLINE. */
int cli_exit_code_job(int job_rc, const struct pub_job_result *res);

/* ---- log sink (log_sink.c) ---------------------------------------------- */

enum cli_log_format { CLI_LOG_TEXT, CLI_LOG_JSON };
/* Installs the stderr sink; once, in main, before threads start. */
void cli_log_init(enum cli_log_format format, enum pub_log_level min_level);
/* 1 when colour may be used on this stream (a terminal, NO_COLOR unset, TERM not dumb). */
int cli_color_enabled(FILE *f);
/* 1 with --log-format json: every line on stderr is a JSON object. */
int cli_log_json(void);
/* A command's error: "manifold WHO: MSG" on stderr ("manifold: MSG" when
 * WHO is NULL or ""), or with --log-format json one error line
 * {"level":"error","msg":MSG,"command":WHO,...}. */
void cli_error(const char *who, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* cli_error's line at any level, MSG as it is. */
void cli_log_line(const char *who, enum pub_log_level level, const char *msg);
/* Before the options are parsed: --log-format json anywhere in argv (before
 * "--") makes the usage errors found while parsing JSON lines too. */
void cli_log_scan_argv(int argc, char **argv);
/* A JSON progress event {"event":"progress","phase","done","total","rate"
 * (units/s),"eta" (seconds, null while unknown)}, its msg "PHASE: DONE/TOTAL
 * UNIT, RATE/s"; with --log-format json only. */
void cli_log_progress(const char *phase, const char *unit, size_t done, size_t total, double rate,
                      double eta);
/* The command every later JSON log line names (its "command" field). */
void cli_log_command(const char *name);

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
	int overwrite;                           /* --overwrite (publish, retag, push) */
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
	const char *history, *days;            /* --history [RANGE] ("" = HEAD), --days N */
	int compact;                           /* status -o markdown --compact */
	const char *title, *release_name;      /* status --title, --release */
	const char *registry_url, *commit_url; /* status --registry-url, --commit-url */
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

/* ---- option values checked before the engine takes them (values.c) -------- */

/* Every "KEY=VALUE" of kv is an annotation; -1 after printing
 * "manifold WHO: why". */
int cli_annotations(const char *who, const struct cli_strv *kv);

/* ---- commands: each is one cmd_*.c file -------------------------------- */

extern const struct cli_command cli_cmd_check, cli_cmd_publish, cli_cmd_retag, cli_cmd_inspect,
    cli_cmd_status, cli_cmd_push, cli_cmd_push_spec, cli_cmd_push_args, cli_cmd_append,
    cli_cmd_annotate, cli_cmd_delete, cli_cmd_completion, cli_cmd_man, cli_cmd_prune,
    cli_cmd_verify;
extern const struct cli_command cli_cmd_login, cli_cmd_logout;

#endif
