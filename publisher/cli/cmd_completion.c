/* cmd_completion.c — `manifold completion bash|zsh`: print a completion
 * script made from the option table. */
#include <string.h>

#include "cli.h"

static const char *const shells[] = {"bash", "zsh", NULL};

static int cmd_completion_main(const struct cli_program *prog, int argc, char **argv)
{
	struct cli_args a;
	int (*print)(FILE *, const struct cli_program *) = NULL;
	int rc = cli_parse(&cli_cmd_completion, argc, argv, &a);

	if (rc != 0) {
		cli_args_free(&a);
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if (a.n_operands == 1 && strcmp(a.operands[0], "bash") == 0)
		print = cli_completion_bash;
	else if (a.n_operands == 1 && strcmp(a.operands[0], "zsh") == 0)
		print = cli_completion_zsh;
	if (!print) {
		cli_error("completion", "%s%s%swant bash or zsh", a.n_operands ? "\"" : "",
		          a.n_operands ? a.operands[0] : "", a.n_operands ? "\": " : "");
		rc = CLI_EXIT_USAGE;
	} else if (print(stdout, prog) < 0 || fflush(stdout) != 0) {
		cli_error("completion", "writing the script failed");
		rc = CLI_EXIT_FAILED;
	}
	cli_args_free(&a);
	return rc;
}

const struct cli_command cli_cmd_completion = {
    .name = "completion",
    .id = CLI_COMPLETION,
    .run = cmd_completion_main,
    .synopsis = "bash|zsh",
    .summary = "print a shell completion script (bash or zsh)",
    .description =
        "Print a completion script for the shell: the commands, each command's options and\n"
        "the values of -o and --log-format. For bash: source it, or install it as\n"
        "/usr/share/bash-completion/completions/manifold. For zsh: put it on $fpath as\n"
        "_manifold.",
    .exit_codes = "0 printed, 2 usage error.",
    .max_operands = 1,
    .operand_words = shells,
};
