/* man.c — manifold.1 (man(7) roff) from main.c's dispatch table, each
 * command's texts, the option table, the exit-code table (exit.c) and the
 * environment table (base/env.c); CMake writes it after linking. */
#include <string.h>

#include "cli.h"

/* Text as roff reads it literally: "\" and "-" escaped, a line that would
 * start with a control character guarded by "\&". */
static void roff(FILE *f, const char *s, size_t len)
{
	int bol = 1;
	for (size_t i = 0; i < len && s[i]; i++) {
		char c = s[i];
		if (bol && (c == '.' || c == '\''))
			fputs("\\&", f);
		bol = c == '\n';
		if (c == '\\')
			fputs("\\e", f);
		else if (c == '-')
			fputs("\\-", f);
		else
			fputc(c, f);
	}
}

static void roff_str(FILE *f, const char *s)
{
	roff(f, s, strlen(s));
}

/* Paragraphs split by blank lines become .PP paragraphs. */
static void paragraphs(FILE *f, const char *text)
{
	while (*text) {
		const char *end = strstr(text, "\n\n");
		size_t len = end ? (size_t)(end - text) : strlen(text);
		fputs(".PP\n", f);
		roff(f, text, len);
		fputc('\n', f);
		text += len;
		while (*text == '\n')
			text++;
	}
}

static void option_item(FILE *f, const struct cli_option *o, const struct cli_command *cmd)
{
	const char *const *v = cli_option_values(o, cmd);

	fputs(".TP\n", f);
	if (o->letter)
		fprintf(f, "\\fB\\-%c\\fR, ", o->letter);
	fputs("\\fB\\-\\-", f);
	roff_str(f, o->name);
	fputs("\\fR", f);
	if (o->arg == CLI_ARG_REQUIRED) {
		fputs(" \\fI", f);
		roff_str(f, o->value);
		fputs("\\fR", f);
	} else if (o->arg == CLI_ARG_OPTIONAL) {
		fputs("[=\\fI", f);
		roff_str(f, o->value);
		fputs("\\fR]", f);
	}
	fputc('\n', f);
	roff_str(f, o->help);
	for (size_t i = 0; v && v[i]; i++) {
		fputs(i ? "|" : ": ", f);
		roff_str(f, v[i]);
	}
	if (v && v[0] && o->store == CLI_STORE_FORMAT)
		fprintf(f, " (default %s)", v[0]);
	fputc('\n', f);
}

static void command_section(FILE *f, const struct cli_command *cmd)
{
	const char *syn = cmd->synopsis;
	const struct cli_option *o;

	fputs(".SS \"", f);
	roff_str(f, cmd->name);
	fputs("\"\n", f);
	while (*syn) {
		size_t len = strcspn(syn, "\n");
		fputs(".br\n\\fBmanifold ", f);
		roff_str(f, cmd->name);
		fputs("\\fR ", f);
		roff(f, syn, len);
		fputc('\n', f);
		syn += len;
		if (*syn == '\n')
			syn++;
	}
	paragraphs(f, cmd->description);
	if (!cmd->subcommands) {
		fputs(".PP\nOptions:\n.RS\n", f);
		for (size_t i = 0; (o = cli_option_at(cmd, i)); i++)
			option_item(f, o, cmd);
		fputs(".RE\n", f);
	}
	if (cmd->exit_codes) {
		fputs(".PP\nExit codes: ", f);
		roff_str(f, cmd->exit_codes);
		fputc('\n', f);
	}
	for (size_t i = 0; cmd->subcommands && cmd->subcommands[i]; i++)
		command_section(f, cmd->subcommands[i]);
}

int cli_man_print(FILE *f, const struct cli_program *prog)
{
	fprintf(f, ".TH MANIFOLD 1 \"\" \"manifold %s\" \"User Commands\"\n", MANIFOLD_VERSION);
	fputs(".SH NAME\n"
	      "manifold \\- publish multi\\-architecture container images\n"
	      ".SH SYNOPSIS\n"
	      "\\fBmanifold\\fR [\\fB\\-v\\fR] [\\fB\\-\\-log\\-format\\fR \\fIFORMAT\\fR] "
	      "\\fICOMMAND\\fR [\\fIARGS\\fR]\n"
	      ".br\n"
	      "\\fBmanifold\\fR \\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR\n"
	      ".SH DESCRIPTION\n"
	      "Build farms push one image per architecture; \\fBmanifold\\fR publishes the\n"
	      "multi\\-architecture list (a Docker manifest list or an OCI image index) for a\n"
	      "whole release at once, records what happened in a JSON status file kept in\n"
	      "git, and does bulk retags, inspection and single\\-list edits.\n"
	      ".PP\n"
	      "Options may be written \\fB\\-\\-opt=value\\fR or \\fB\\-\\-opt value\\fR; short "
	      "ones \\fB\\-j8\\fR or \\fB\\-j 8\\fR. \\fB\\-v\\fR and \\fB\\-\\-log\\-format\\fR "
	      "may also stand before the command. Every command that prints a result takes "
	      "\\fB\\-o json\\fR: one JSON document on stdout whose first key is "
	      "\\fB\"schema\": 1\\fR.\n"
	      ".SH COMMANDS\n",
	      f);
	for (size_t i = 0; i < prog->n_commands; i++)
		if (!prog->commands[i]->hidden)
			command_section(f, prog->commands[i]);
	fputs(".SH EXIT STATUS\n", f);
	for (size_t i = 0; i < cli_n_exit_statuses; i++) {
		fprintf(f, ".TP\n%d\n", cli_exit_statuses[i].code);
		roff_str(f, cli_exit_statuses[i].meaning);
		fputc('\n', f);
	}
	fputs(".SH ENVIRONMENT\n", f);
	for (size_t i = 0; i < base_env_n_vars; i++) {
		const struct base_env_var *v = &base_env_vars[i];
		/* the config-named row is a placeholder: NAME in italics */
		int named = strcmp(v->name, "NAME") == 0;
		fputs(named ? ".TP\n\\fI" : ".TP\n\\fB", f);
		roff_str(f, v->name);
		fputs("\\fR=\\fI", f);
		roff_str(f, v->value);
		fputs("\\fR\n", f);
		roff_str(f, v->help);
		fputc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}
