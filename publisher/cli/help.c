/* help.c — `manifold --help` from main.c's dispatch table and each
 * command's --help from the option table and the command's own texts;
 * its EXIT STATUS and ENVIRONMENT parts from the exit-code table (exit.c)
 * and the environment table (base/env.c). */
#include <string.h>

#include "cli.h"

#define HELP_COLUMN 26 /* where an option's help text starts */
#define HELP_WIDTH  79 /* no line goes past this column */

/* "  -c, --config FILE" / "      --push[=REMOTE]" */
static int option_label(char *buf, size_t len, const struct cli_option *o)
{
	char shrt[8] = "    ";
	if (o->letter)
		snprintf(shrt, sizeof(shrt), "-%c, ", o->letter);
	switch (o->arg) {
	case CLI_ARG_NONE:
		return snprintf(buf, len, "  %s--%s", shrt, o->name);
	case CLI_ARG_REQUIRED:
		return snprintf(buf, len, "  %s--%s %s", shrt, o->name, o->value);
	case CLI_ARG_OPTIONAL:
		return snprintf(buf, len, "  %s--%s[=%s]", shrt, o->name, o->value);
	}
	return 0;
}

/* Words of text from column `at` on, lines broken before HELP_WIDTH and
 * continued at column `indent`. */
static void print_wrapped(FILE *f, int at, int indent, const char *text)
{
	while (*text) {
		int len = (int)strcspn(text, " ");
		if (at > indent && at + 1 + len > HELP_WIDTH) {
			fprintf(f, "\n%*s", indent, "");
			at = indent;
		} else if (at > indent) {
			fputc(' ', f);
			at++;
		}
		fprintf(f, "%.*s", len, text);
		at += len;
		text += len;
		while (*text == ' ')
			text++;
	}
	fputc('\n', f);
}

/* An option's help, with its values when they are enumerated. */
static void option_help(char *buf, size_t len, const struct cli_option *o,
                        const struct cli_command *cmd)
{
	const char *const *v = cli_option_values(o, cmd);
	size_t n = (size_t)snprintf(buf, len, "%s", o->help);

	for (size_t i = 0; v && v[i] && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "|" : ": ", v[i]);
	if (v && v[0] && o->store == CLI_STORE_FORMAT && n < len)
		snprintf(buf + n, len - n, " (default %s)", v[0]);
}

void cli_help_print(FILE *f, const struct cli_command *cmd)
{
	const char *syn = cmd->synopsis;
	const struct cli_option *o;
	char label[96], text[512];
	int first = 1;

	while (*syn) {
		size_t len = strcspn(syn, "\n");
		fprintf(f, "%s manifold %s %.*s\n", first ? "usage:" : "      ", cmd->name,
		        (int)len, syn);
		first = 0;
		syn += len;
		if (*syn == '\n')
			syn++;
	}
	fprintf(f, "\n%s\n", cmd->description);
	if (cmd->subcommands) {
		fprintf(f, "\ncommands:\n");
		for (size_t i = 0; cmd->subcommands[i]; i++)
			fprintf(f, "  %-12s %s\n", strchr(cmd->subcommands[i]->name, ' ') + 1,
			        cmd->subcommands[i]->summary);
		fprintf(f, "\nRun 'manifold %s COMMAND --help' for a command's options.\n",
		        cmd->name);
	} else {
		fprintf(f, "\noptions:\n");
		for (size_t i = 0; (o = cli_option_at(cmd, i)); i++) {
			int n = option_label(label, sizeof(label), o);
			option_help(text, sizeof(text), o, cmd);
			if (n + 2 > HELP_COLUMN)
				fprintf(f, "%s\n%*s", label, HELP_COLUMN, "");
			else
				fprintf(f, "%-*s", HELP_COLUMN, label);
			print_wrapped(f, HELP_COLUMN, HELP_COLUMN, text);
		}
	}
	if (cmd->exit_codes) {
		fputs("\nexit codes:", f);
		print_wrapped(f, 11, 2, cmd->exit_codes);
	}
}

void cli_program_help_print(FILE *f, const struct cli_program *prog)
{
	fprintf(f, "usage: manifold [-v] [--log-format text|json] COMMAND [ARGS]\n"
	           "       manifold --help | --version\n\n"
	           "Publishes multi-architecture images from per-architecture builds.\n\n"
	           "commands:\n");
	for (size_t i = 0; i < prog->n_commands; i++)
		if (!prog->commands[i]->hidden)
			fprintf(f, "  %-11s %s\n", prog->commands[i]->name,
			        prog->commands[i]->summary);
	fprintf(f, "\nRun 'manifold COMMAND --help' for a command's options.\n");
	fprintf(f, "\nexit status:\n");
	for (size_t i = 0; i < cli_n_exit_statuses; i++) {
		fprintf(f, "  %-4d", cli_exit_statuses[i].code);
		print_wrapped(f, 6, 6, cli_exit_statuses[i].meaning);
	}
	fprintf(f, "\nenvironment:\n");
	for (size_t i = 0; i < base_env_n_vars; i++) {
		const struct base_env_var *v = &base_env_vars[i];
		char label[96];
		int n = snprintf(label, sizeof(label), "  %s=%s", v->name, v->value);
		if (n + 2 > HELP_COLUMN)
			fprintf(f, "%s\n%*s", label, HELP_COLUMN, "");
		else
			fprintf(f, "%-*s", HELP_COLUMN, label);
		print_wrapped(f, HELP_COLUMN, HELP_COLUMN, v->help);
	}
}
