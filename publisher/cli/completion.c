/* completion.c — bash and zsh completion scripts from main.c's dispatch
 * table and the option table: the commands, each command's options, the
 * values of enumerated options (-o, --log-format), files where a value or
 * an operand is a file. */
#include <string.h>

#include "cli.h"

/* Every command with options of its own, subcommands included, in order:
 * calls fn for each. */
typedef void (*each_fn)(FILE *f, const struct cli_command *cmd);
static void each_command(FILE *f, const struct cli_program *prog, each_fn fn)
{
	for (size_t i = 0; i < prog->n_commands; i++) {
		const struct cli_command *c = prog->commands[i];
		if (c->hidden)
			continue;
		fn(f, c);
		for (size_t k = 0; c->subcommands && c->subcommands[k]; k++)
			fn(f, c->subcommands[k]);
	}
}

static const char *sub_name(const struct cli_command *c)
{
	return strchr(c->name, ' ') + 1;
}

/* The words of v, space separated. */
static void print_words(FILE *f, const char *const *v)
{
	for (size_t i = 0; v && v[i]; i++)
		fprintf(f, "%s%s", i ? " " : "", v[i]);
}

/* ---- bash ---------------------------------------------------------------- */

/* An option's spellings as a case pattern: "-c|--config". */
static void bash_value_pattern(FILE *f, const struct cli_option *o)
{
	if (o->letter)
		fprintf(f, "-%c|", o->letter);
	fprintf(f, "--%s", o->name);
}

static void bash_command(FILE *f, const struct cli_command *cmd)
{
	const struct cli_option *o;

	fprintf(f, "\t\"%s\")\n", cmd->name);
	if (cmd->subcommands) {
		fputs("\t\twords=\"", f);
		for (size_t k = 0; cmd->subcommands[k]; k++)
			fprintf(f, "%s ", sub_name(cmd->subcommands[k]));
		fputs("-h --help\"\n\t\t;;\n", f);
		return;
	}
	fputs("\t\tcase $prev in\n", f);
	for (size_t i = 0; (o = cli_option_at(cmd, i)); i++) {
		const char *const *v = cli_option_values(o, cmd);
		if (o->arg != CLI_ARG_REQUIRED)
			continue;
		fputs("\t\t", f);
		bash_value_pattern(f, o);
		if (v) {
			fputs(") COMPREPLY=($(compgen -W \"", f);
			print_words(f, v);
			fputs("\" -- \"$cur\")); return ;;\n", f);
		} else if (o->complete == CLI_COMP_FILE) {
			fputs(") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", f);
		} else if (o->complete == CLI_COMP_DIR) {
			fputs(") COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n", f);
		} else {
			fputs(") return ;;\n", f);
		}
	}
	fputs("\t\tesac\n\t\twords=\"", f);
	for (size_t i = 0; (o = cli_option_at(cmd, i)); i++) {
		if (o->letter)
			fprintf(f, "-%c ", o->letter);
		fprintf(f, "--%s ", o->name);
	}
	fputs("\"\n", f);
	if (cmd->operands == CLI_COMP_FILE)
		fputs(
		    "\t\t[[ $cur == -* ]] || { COMPREPLY=($(compgen -f -- \"$cur\")); return; }\n",
		    f);
	if (cmd->operand_words) {
		fputs("\t\t[[ $cur == -* ]] || words=\"", f);
		print_words(f, cmd->operand_words);
		fputs("\"\n", f);
	}
	fputs("\t\t;;\n", f);
}

/* Options of any command that take a separate value: the word after one
 * is a value, not the command's name. */
static void bash_any_value(FILE *f)
{
	int first = 1;
	for (size_t i = 0; i < cli_n_options; i++) {
		const struct cli_option *o = &cli_options[i];
		int dup = 0;
		if (o->arg != CLI_ARG_REQUIRED)
			continue;
		for (size_t k = 0; k < i; k++)
			dup |= strcmp(cli_options[k].name, o->name) == 0;
		if (dup)
			continue;
		if (!first)
			fputc('|', f);
		first = 0;
		bash_value_pattern(f, o);
	}
}

int cli_completion_bash(FILE *f, const struct cli_program *prog)
{
	fputs("# bash completion for manifold, made by 'manifold completion bash'\n"
	      "_manifold() {\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
	      "\tlocal cmd= w words i skip=\n"
	      "\t# bash splits --opt=value at '=' (COMP_WORDBREAKS)\n"
	      "\tif [[ $cur == = ]]; then\n"
	      "\t\tcur=\n"
	      "\telif [[ $prev == = ]]; then\n"
	      "\t\tprev=${COMP_WORDS[COMP_CWORD - 2]}\n"
	      "\tfi\n"
	      "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	      "\t\tw=${COMP_WORDS[i]}\n"
	      "\t\tif [[ $w == = ]]; then\n"
	      "\t\t\tskip=1\n"
	      "\t\t\tcontinue\n"
	      "\t\tfi\n"
	      "\t\tif [[ -n $skip ]]; then\n"
	      "\t\t\tskip=\n"
	      "\t\t\tcontinue\n"
	      "\t\tfi\n"
	      "\t\tcase $w in\n"
	      "\t\t",
	      f);
	bash_any_value(f);
	fputs(") skip=1 ;;\n"
	      "\t\t-*) ;;\n"
	      "\t\t*)\n"
	      "\t\t\tif [[ -z $cmd ]]; then\n"
	      "\t\t\t\tcmd=$w\n",
	      f);
	for (size_t i = 0; i < prog->n_commands; i++)
		if (prog->commands[i]->subcommands)
			fprintf(f,
			        "\t\t\telif [[ $cmd == %s ]]; then\n"
			        "\t\t\t\tcmd=\"%s $w\"\n",
			        prog->commands[i]->name, prog->commands[i]->name);
	fputs("\t\t\tfi\n"
	      "\t\t\t;;\n"
	      "\t\tesac\n"
	      "\tdone\n"
	      "\tcase $cmd in\n"
	      "\t\"\")\n"
	      "\t\tcase $prev in\n"
	      "\t\t--log-format) COMPREPLY=($(compgen -W \"text json\" -- \"$cur\")); return ;;\n"
	      "\t\tesac\n"
	      "\t\twords=\"",
	      f);
	for (size_t i = 0; i < prog->n_commands; i++)
		if (!prog->commands[i]->hidden)
			fprintf(f, "%s ", prog->commands[i]->name);
	fputs("-v --verbose --log-format -h --help --version\"\n\t\t;;\n", f);
	each_command(f, prog, bash_command);
	fputs("\t*) return ;;\n"
	      "\tesac\n"
	      "\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
	      "}\n"
	      "complete -F _manifold manifold\n",
	      f);
	return ferror(f) ? -1 : 0;
}

/* ---- zsh ----------------------------------------------------------------- */

/* s inside a single-quoted zsh word, and inside _arguments' [...]. */
static void zsh_quoted(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else if (*s == '[' || *s == ']' || *s == ':')
			fprintf(f, "\\%c", *s);
		else
			fputc(*s, f);
	}
}

static void zsh_function_name(FILE *f, const struct cli_command *cmd)
{
	fputs("_manifold_", f);
	for (const char *p = cmd->name; *p; p++)
		fputc(*p == ' ' || *p == '-' ? '_' : *p, f);
}

static void zsh_option(FILE *f, const struct cli_option *o, const struct cli_command *cmd)
{
	const char *const *v = cli_option_values(o, cmd);
	const char *sfx = o->arg == CLI_ARG_REQUIRED ? "=" : o->arg == CLI_ARG_OPTIONAL ? "=-" : "";
	int many = o->store == CLI_STORE_LIST || o->store == CLI_STORE_SPLIT;

	fputs("\t\t", f);
	if (o->store == CLI_STORE_HELP)
		fputs("'(- *)'", f);
	else if (o->letter && !many)
		fprintf(f, "'(-%c --%s)'", o->letter, o->name);
	if (many)
		fputs("'*'", f);
	if (o->letter)
		fprintf(f, "{-%c%s,--%s%s}", o->letter, o->arg == CLI_ARG_NONE ? "" : "+", o->name,
		        sfx);
	else
		fprintf(f, "'--%s%s'", o->name, sfx);
	fputs("'[", f);
	zsh_quoted(f, o->help);
	fputc(']', f);
	if (o->arg != CLI_ARG_NONE) {
		fputs(o->arg == CLI_ARG_OPTIONAL ? "::" : ":", f);
		zsh_quoted(f, o->value);
		fputc(':', f);
		if (v) {
			fputc('(', f);
			print_words(f, v);
			fputc(')', f);
		} else if (o->complete == CLI_COMP_FILE) {
			fputs("_files", f);
		} else if (o->complete == CLI_COMP_DIR) {
			fputs("_files -/", f);
		} else {
			fputc(' ', f);
		}
	}
	fputs("' \\\n", f);
}

static void zsh_command(FILE *f, const struct cli_command *cmd)
{
	const struct cli_option *o;

	zsh_function_name(f, cmd);
	fputs("() {\n", f);
	if (cmd->subcommands) {
		fputs("\tlocal -a subs\n\tsubs=(\n", f);
		for (size_t k = 0; cmd->subcommands[k]; k++) {
			fprintf(f, "\t\t'%s:", sub_name(cmd->subcommands[k]));
			zsh_quoted(f, cmd->subcommands[k]->summary);
			fputs("'\n", f);
		}
		fputs("\t)\n\tif ((CURRENT == 2)); then\n"
		      "\t\t_describe -t commands 'subcommand' subs\n"
		      "\t\treturn\n"
		      "\tfi\n"
		      "\tcase $words[2] in\n",
		      f);
		for (size_t k = 0; cmd->subcommands[k]; k++) {
			fprintf(f, "\t%s)\n\t\tshift words\n\t\t((CURRENT--))\n\t\t",
			        sub_name(cmd->subcommands[k]));
			zsh_function_name(f, cmd->subcommands[k]);
			fputs("\n\t\t;;\n", f);
		}
		fputs("\tesac\n}\n\n", f);
		return;
	}
	fputs("\t_arguments -s -S \\\n", f);
	for (size_t i = 0; (o = cli_option_at(cmd, i)); i++)
		zsh_option(f, o, cmd);
	if (cmd->operands == CLI_COMP_FILE) {
		fputs("\t\t'*:file:_files'\n", f);
	} else if (cmd->operand_words) {
		fputs("\t\t'1:shell:(", f);
		print_words(f, cmd->operand_words);
		fputs(")'\n", f);
	} else {
		fputs("\t\t'*: :'\n", f);
	}
	fputs("}\n\n", f);
}

int cli_completion_zsh(FILE *f, const struct cli_program *prog)
{
	fputs("#compdef manifold\n"
	      "# zsh completion for manifold, made by 'manifold completion zsh'\n\n",
	      f);
	each_command(f, prog, zsh_command);
	fputs("_manifold() {\n"
	      "\tlocal curcontext=$curcontext state line\n"
	      "\tlocal -a commands\n"
	      "\tcommands=(\n",
	      f);
	for (size_t i = 0; i < prog->n_commands; i++) {
		if (prog->commands[i]->hidden)
			continue;
		fprintf(f, "\t\t'%s:", prog->commands[i]->name);
		zsh_quoted(f, prog->commands[i]->summary);
		fputs("'\n", f);
	}
	fputs(
	    "\t)\n"
	    "\t_arguments -C \\\n"
	    "\t\t'(-v --verbose)'{-v,--verbose}'[debug logs]' \\\n"
	    "\t\t'--log-format=[log lines on stderr as text or JSON lines]:FORMAT:(text json)' \\\n"
	    "\t\t'(- :)'{-h,--help}'[this help]' \\\n"
	    "\t\t'(- :)--version[the version]' \\\n"
	    "\t\t'1: :->command' \\\n"
	    "\t\t'*:: :->args'\n"
	    "\tcase $state in\n"
	    "\tcommand) _describe -t commands 'manifold command' commands ;;\n"
	    "\targs)\n"
	    "\t\tcase $words[1] in\n",
	    f);
	for (size_t i = 0; i < prog->n_commands; i++) {
		if (prog->commands[i]->hidden)
			continue;
		fprintf(f, "\t\t%s) ", prog->commands[i]->name);
		zsh_function_name(f, prog->commands[i]);
		fputs(" ;;\n", f);
	}
	fputs("\t\tesac\n"
	      "\t\t;;\n"
	      "\tesac\n"
	      "}\n\n"
	      "_manifold \"$@\"\n",
	      f);
	return ferror(f) ? -1 : 0;
}
