/* main.c — the manifold command line: the dispatch table of its commands
 * (each lives in its own cmd_*.c); cli_main reads the global options and
 * hands over. */
#include "base.h"
#include "cli.h"

static const struct cli_command *const commands[] = {
    &cli_cmd_check, &cli_cmd_publish, &cli_cmd_retag,      &cli_cmd_inspect, &cli_cmd_status,
    &cli_cmd_push,  &cli_cmd_append,  &cli_cmd_annotate,   &cli_cmd_delete,  &cli_cmd_prune,
    &cli_cmd_login, &cli_cmd_logout,  &cli_cmd_completion, &cli_cmd_man,     &cli_cmd_verify,
};

int main(int argc, char **argv)
{
	const struct cli_program prog = {commands, sizeof(commands) / sizeof(commands[0])};
	(void)base_malloc_setup();
	return cli_main(&prog, argc, argv);
}
