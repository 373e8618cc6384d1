/* cmd_man.c — `manifold man` (not listed in --help): print manifold.1, the
 * man page made from the option table; the build writes it after linking. */
#include "cli.h"

static int cmd_man_main(const struct cli_program *prog, int argc, char **argv)
{
	struct cli_args a;
	int rc = cli_parse(&cli_cmd_man, argc, argv, &a);

	cli_args_free(&a);
	if (rc != 0)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	if (cli_man_print(stdout, prog) < 0 || fflush(stdout) != 0) {
		cli_error("man", "writing the page failed");
		return CLI_EXIT_FAILED;
	}
	return CLI_EXIT_OK;
}

const struct cli_command cli_cmd_man = {
    .name = "man",
    .id = CLI_MAN,
    .run = cmd_man_main,
    .synopsis = "",
    .summary = "print the manual page (roff)",
    .description = "Print manifold.1, the manual page, in man(7) roff.",
    .max_operands = 0,
    .hidden = 1,
};
