/* cmd_delete.c — `manifold delete TARGET`: delete a list (by digest; its
 * children stay), refusing when the digest also backs another tag. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_output.h"
#include "lists.h"

static int cmd_delete_main(const struct cli_program *prog, int argc, char **argv)
{
	struct cli_args a;
	int rc = CLI_EXIT_USAGE, pr;
	struct base_error err = {0};
	struct pub_delete_result res = {0};

	(void)prog;
	pr = cli_parse(&cli_cmd_delete, argc, argv, &a);
	if (pr != 0) {
		rc = pr > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
		goto out;
	}
	if (a.n_operands != 1) {
		cli_error("delete", "needs TARGET; see 'manifold delete --help'");
		goto out;
	}
	struct pub_delete_options o = {.g = a.g, .target = a.operands[0], .force = a.force};
	pr = pub_delete_run(&o, &res, &err);
	if (pr < 0) {
		cli_error("delete", "%s", err.msg);
		rc = cli_exit_of_rc(pr);
		goto out;
	}
	rc = CLI_EXIT_FAILED;
	if (a.json) {
		if (cli_delete_result_json(stdout, &res, a.g.dry_run) < 0)
			goto out;
	} else if (a.g.dry_run) {
		printf("Would delete: %s\n", res.digest);
	} else {
		printf("Deleted: %s\n", res.digest);
	}
	rc = CLI_EXIT_OK;
out:
	pub_delete_result_free(&res);
	cli_args_free(&a);
	return rc;
}

const struct cli_command cli_cmd_delete = {
    .name = "delete",
    .id = CLI_DELETE,
    .run = cmd_delete_main,
    .synopsis = "TARGET [--force] [--insecure | --tls] [--ca-file F] [--dry-run] [-o json]",
    .summary = "delete a list (never its children)",
    .description =
        "Delete the list TARGET points at. Only the list goes; the images it lists stay.\n"
        "A registry deletes by digest, which removes every tag on that digest: when\n"
        "another tag of the repository holds the same list, or TARGET is an image and\n"
        "not a list, delete refuses unless --force.",
    .exit_codes = "0 deleted, 1 refused, registry error, or deletes disabled on the registry, "
                  "2 usage error",
    .formats = cli_formats_text_json,
    .max_operands = -1,
};
