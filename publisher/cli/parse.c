/* parse.c — the one parse loop over the option table (options.c), and the
 * dispatch of `manifold [global options] COMMAND [ARGS]`. Long options take
 * --opt=value or --opt value, short ones -jN, -j N, and flags cluster (-vh);
 * "--" ends the options. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_strv_free(struct cli_strv *s)
{
	status_strv_free(s->v, s->n);
	s->v = NULL;
	s->n = 0;
}

static int strv_push(struct cli_strv *s, const char *text, size_t len)
{
	char **nv = realloc(s->v, (s->n + 1) * sizeof(*nv));
	if (!nv)
		return -1;
	s->v = nv;
	if (!(nv[s->n] = strndup(text, len)))
		return -1;
	s->n++;
	return 0;
}

int cli_strv_split(struct cli_strv *s, const char *text)
{
	while (*text) {
		size_t len = strcspn(text, ",");
		if (len && strv_push(s, text, len) < 0)
			return -1;
		text += len;
		if (*text == ',')
			text++;
	}
	return 0;
}

void cli_args_free(struct cli_args *a)
{
	cli_strv_free(&a->only);
	cli_strv_free(&a->annotations);
	cli_strv_free(&a->index_annotations);
	cli_strv_free(&a->keys);
	free(a->operands);
	memset(a, 0, sizeof(*a));
}

static const struct cli_option *find_long(const struct cli_command *cmd, const char *name,
                                          size_t len)
{
	for (size_t i = 0; i < cli_n_options; i++) {
		const struct cli_option *o = &cli_options[i];
		if ((o->commands & CLI_IN(cmd->id)) && strlen(o->name) == len &&
		    strncmp(o->name, name, len) == 0)
			return o;
	}
	return NULL;
}

static const struct cli_option *find_short(const struct cli_command *cmd, char letter)
{
	for (size_t i = 0; i < cli_n_options; i++)
		if ((cli_options[i].commands & CLI_IN(cmd->id)) && cli_options[i].letter == letter)
			return &cli_options[i];
	return NULL;
}

/* "want table, json, markdown or html" */
/* "want a, b or c" into buf. */
static void choices(char *buf, size_t size, const char *const *v)
{
	size_t len = (size_t)snprintf(buf, size, "want ");
	for (size_t i = 0; v[i] && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		                        i == 0     ? ""
		                        : v[i + 1] ? ", "
		                                   : " or ",
		                        v[i]);
}

static int one_of(const char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

/* Store one option's value; -1 after printing why it is bad. `flag` is the
 * option as it was written ("-j", "--jobs"). */
static int store(const struct cli_command *cmd, const struct cli_option *o, const char *flag,
                 const char *val, struct cli_args *a)
{
	void *at = (char *)a + o->off;
	const char *const *values;
	char *end;
	long n;

	switch (o->store) {
	case CLI_STORE_HELP:
	case CLI_STORE_FLAG:
		*(int *)at = 1;
		return 0;
	case CLI_STORE_STR:
		/* An optional value left out reads as "" (--push: the default remote). */
		*(const char **)at = val ? val : "";
		return 0;
	case CLI_STORE_LIST:
		if (strv_push(at, val, strlen(val)) < 0)
			goto oom;
		return 0;
	case CLI_STORE_SPLIT: {
		struct cli_strv *s = at;
		size_t before = s->n;
		if (cli_strv_split(s, val) < 0)
			goto oom;
		if (s->n == before) {
			cli_error(cmd->name, "%s \"%s\": want %s[,%s...]", flag, val, o->value,
			          o->value);
			return -1;
		}
		return 0;
	}
	case CLI_STORE_JOBS:
		errno = 0;
		n = strtol(val, &end, 10);
		if (errno || end == val || *end || n < 1 || n > 1024) {
			cli_error(cmd->name, "%s \"%s\": want a number 1..1024", flag, val);
			return -1;
		}
		*(int *)at = (int)n;
		return 0;
	case CLI_STORE_ENUM:
	case CLI_STORE_FORMAT:
		values = cli_option_values(o, cmd);
		if (!one_of(values, val)) {
			char want[512];
			choices(want, sizeof(want), values);
			/* `status -o FILE` once meant the output file. */
			if (cmd->id == CLI_STATUS && strpbrk(val, "./"))
				cli_error(cmd->name, "%s \"%s\": %s (a file is --output-file %s)",
				          flag, val, want, val);
			else
				cli_error(cmd->name, "%s \"%s\": %s", flag, val, want);
			return -1;
		}
		*(const char **)at = val;
		return 0;
	}
	return 0;
oom:
	cli_error(cmd->name, "out of memory");
	return -1;
}

static int unknown(const struct cli_command *cmd, const char *flag, size_t len)
{
	cli_error(cmd->name, "unknown option \"%.*s\"; see 'manifold %s --help'", (int)len, flag,
	          cmd->name);
	return -1;
}

static int missing(const struct cli_command *cmd, const char *flag, const struct cli_option *o)
{
	cli_error(cmd->name, "%s needs a value (%s)", flag, o->value);
	return -1;
}

/* argv[*i] is a long option. */
static int parse_long(const struct cli_command *cmd, int argc, char **argv, int *i,
                      struct cli_args *a)
{
	const char *arg = argv[*i], *eq = strchr(arg, '='), *val = NULL;
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct cli_option *o = find_long(cmd, arg + 2, len - 2);
	char flag[64];

	if (!o)
		return unknown(cmd, arg, len);
	snprintf(flag, sizeof(flag), "--%s", o->name);
	switch (o->arg) {
	case CLI_ARG_NONE:
		if (eq) {
			cli_error(cmd->name, "%s takes no value", flag);
			return -1;
		}
		break;
	case CLI_ARG_REQUIRED:
		if (eq)
			val = eq + 1;
		else if (*i + 1 < argc)
			val = argv[++*i];
		else
			return missing(cmd, flag, o);
		break;
	case CLI_ARG_OPTIONAL:
		if (eq)
			val = eq + 1;
		else if (*i + 1 < argc && argv[*i + 1][0] != '-')
			val = argv[++*i];
		break;
	}
	return store(cmd, o, flag, val, a);
}

/* argv[*i] is "-x", "-xVALUE" or a cluster of flags "-vh". */
static int parse_short(const struct cli_command *cmd, int argc, char **argv, int *i,
                       struct cli_args *a)
{
	for (const char *p = argv[*i] + 1; *p; p++) {
		const struct cli_option *o = find_short(cmd, *p);
		char flag[3] = {'-', *p, '\0'};
		const char *val;

		if (!o)
			return unknown(cmd, flag, 2);
		if (o->arg == CLI_ARG_NONE) {
			if (store(cmd, o, flag, NULL, a) < 0)
				return -1;
			continue;
		}
		if (p[1])
			val = p + 1;
		else if (*i + 1 < argc)
			val = argv[++*i];
		else if (o->arg == CLI_ARG_OPTIONAL)
			val = NULL;
		else
			return missing(cmd, flag, o);
		return store(cmd, o, flag, val, a);
	}
	return 0;
}

/* An auth file named by --authfile or REGISTRY_AUTH_FILE must exist: a
 * typo would otherwise send every request anonymously. login and logout
 * create theirs. */
static int authfile_check(const struct cli_command *cmd, const struct cli_args *a)
{
	struct base_error err = {0};

	if (!find_long(cmd, "authfile", 8) || cmd->id == CLI_LOGIN || cmd->id == CLI_LOGOUT)
		return 0;
	if (pub_auth_file_check(a->g.auth_file, "--authfile", &err) == 0)
		return 0;
	cli_error(cmd->name, "%s", err.msg);
	return -1;
}

/* --tls or --ca-file with --insecure, and a --ca-file that cannot be read:
 * usage errors, before anything is sent. */
static int tls_check(const struct cli_command *cmd, const struct cli_args *a)
{
	struct base_error err = {0};

	if (pub_tls_options_check(&a->g, &err) == 0)
		return 0;
	cli_error(cmd->name, "%s", err.msg);
	return -1;
}

int cli_parse(const struct cli_command *cmd, int argc, char **argv, struct cli_args *out)
{
	int operands_only = 0;

	memset(out, 0, sizeof(*out));
	cli_log_command(cmd->name);
	out->g.jobs = 16;
	out->operands = calloc((size_t)argc + 1, sizeof(*out->operands));
	if (!out->operands) {
		cli_error(cmd->name, "out of memory");
		return -1;
	}
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		int rc;
		if (operands_only || arg[0] != '-' || arg[1] == '\0') {
			out->operands[out->n_operands++] = argv[i];
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			operands_only = 1;
			continue;
		}
		rc = arg[1] == '-' ? parse_long(cmd, argc, argv, &i, out)
		                   : parse_short(cmd, argc, argv, &i, out);
		if (rc < 0)
			return -1;
		if (out->help) {
			cli_help_print(stdout, cmd);
			return 1;
		}
	}
	if (cmd->max_operands >= 0 && out->n_operands > (size_t)cmd->max_operands) {
		cli_error(cmd->name, "unexpected argument \"%s\"; see 'manifold %s --help'",
		          out->operands[cmd->max_operands], cmd->name);
		return -1;
	}
	out->output_set = out->output != NULL;
	if (cmd->formats && !out->output)
		out->output = cmd->formats[0];
	out->json = out->output && strcmp(out->output, "json") == 0;
	cli_log_init(out->log_format && strcmp(out->log_format, "json") == 0 ? CLI_LOG_JSON
	                                                                     : CLI_LOG_TEXT,
	             out->verbose ? PUB_LOG_DEBUG : PUB_LOG_INFO);
	if (tls_check(cmd, out) < 0)
		return -1;
	return authfile_check(cmd, out);
}

/* ---- dispatch ------------------------------------------------------------ */

/* Options every command takes (-v, --log-format) may stand before the
 * command's name; *n_skip gets how many words they use. 0, or -1 when
 * arg is no such option. */
static int global_option(const char *arg, const char *next, int *n_skip)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);

	for (size_t i = 0; i < cli_n_options; i++) {
		const struct cli_option *o = &cli_options[i];
		int is_long = arg[1] == '-' && strlen(o->name) == len - 2 &&
		              strncmp(o->name, arg + 2, len - 2) == 0;
		int is_short = arg[1] != '-' && o->letter && arg[1] == o->letter && arg[2] == '\0';
		if (o->commands != CLI_ALL || o->store == CLI_STORE_HELP || !(is_long || is_short))
			continue;
		*n_skip = o->arg == CLI_ARG_REQUIRED && !eq && next ? 2 : 1;
		return 0;
	}
	return -1;
}

/* argv[first..] starts with global options, then a command name: the
 * command's argv (name, the global options, the rest) into *out. */
static int find_command(const char *who, int argc, char **argv, int first, int *at)
{
	int i = first, skip;
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "--version") == 0)
			break;
		if (global_option(argv[i], i + 1 < argc ? argv[i + 1] : NULL, &skip) < 0) {
			cli_error(who, "unknown option \"%s\"; see 'manifold%s%s --help'", argv[i],
			          *who ? " " : "", who);
			return -1;
		}
		i += skip;
	}
	*at = i;
	return 0;
}

static int run_at(const struct cli_program *prog, const struct cli_command *cmd, int argc,
                  char **argv, int first, int at)
{
	char **nargv = calloc((size_t)argc + 1, sizeof(*nargv));
	int n = 0, rc;

	if (!nargv) {
		cli_error(NULL, "out of memory");
		return CLI_EXIT_USAGE;
	}
	nargv[n++] = argv[at];
	for (int i = first; i < at; i++)
		nargv[n++] = argv[i];
	for (int i = at + 1; i < argc; i++)
		nargv[n++] = argv[i];
	rc = cmd->run(prog, n, nargv);
	free(nargv);
	return rc;
}

int cli_main(const struct cli_program *prog, int argc, char **argv)
{
	int at;

	cli_log_scan_argv(argc, argv);
	if (find_command("", argc, argv, 1, &at) < 0)
		return CLI_EXIT_USAGE;
	if (at >= argc) {
		if (cli_log_json())
			cli_error(NULL, "no command given; see 'manifold --help'");
		else
			cli_program_help_print(stderr, prog);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[at], "--help") == 0 || strcmp(argv[at], "-h") == 0 ||
	    strcmp(argv[at], "help") == 0) {
		cli_program_help_print(stdout, prog);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[at], "--version") == 0 || strcmp(argv[at], "version") == 0) {
		printf("manifold %s\n", MANIFOLD_VERSION);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < prog->n_commands; i++)
		if (strcmp(argv[at], prog->commands[i]->name) == 0)
			return run_at(prog, prog->commands[i], argc, argv, 1, at);
	cli_error(NULL, "\"%s\" is not a command; see 'manifold --help'", argv[at]);
	return CLI_EXIT_USAGE;
}

int cli_run_subcommand(const struct cli_program *prog, const struct cli_command *cmd, int argc,
                       char **argv)
{
	int at;

	if (find_command(cmd->name, argc, argv, 1, &at) < 0)
		return CLI_EXIT_USAGE;
	if (at >= argc || strcmp(argv[at], "-h") == 0 || strcmp(argv[at], "--help") == 0) {
		if (at >= argc && cli_log_json())
			cli_error(cmd->name, "no subcommand given; see 'manifold %s --help'",
			          cmd->name);
		else
			cli_help_print(at >= argc ? stderr : stdout, cmd);
		return at >= argc ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	for (size_t i = 0; cmd->subcommands[i]; i++) {
		const char *sub = strchr(cmd->subcommands[i]->name, ' ');
		if (sub && strcmp(sub + 1, argv[at]) == 0)
			return run_at(prog, cmd->subcommands[i], argc, argv, 1, at);
	}
	char subs[512];
	size_t len = 0;
	subs[0] = '\0';
	for (size_t i = 0; cmd->subcommands[i] && len < sizeof(subs); i++)
		len += (size_t)snprintf(subs + len, sizeof(subs) - len, "%s%s",
		                        i == 0                    ? ""
		                        : cmd->subcommands[i + 1] ? ", "
		                                                  : " or ",
		                        strchr(cmd->subcommands[i]->name, ' ') + 1);
	cli_error(cmd->name, "\"%s\" is not %s; see 'manifold %s --help'", argv[at], subs,
	          cmd->name);
	return CLI_EXIT_USAGE;
}
