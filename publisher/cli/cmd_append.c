/* cmd_append.c — `manifold append TARGET SOURCE [--platform P]`: add one
 * entry to an existing list, or replace the entry for its platform. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_output.h"
#include "lists.h"

static int cmd_append_main(const struct cli_program *prog, int argc, char **argv)
{
	struct cli_args a;
	int rc = CLI_EXIT_USAGE, pr;
	struct base_error err = {0};
	struct pub_list_result res = {0};

	(void)prog;
	pr = cli_parse(&cli_cmd_append, argc, argv, &a);
	if (pr != 0) {
		rc = pr > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
		goto out;
	}
	if (cli_annotations("append", &a.annotations) < 0 ||
	    cli_annotations("append", &a.index_annotations) < 0)
		goto out;
	if (a.n_operands != 2) {
		cli_error("append", "needs TARGET and SOURCE; see 'manifold append --help'");
		goto out;
	}
	struct pub_append_options o = {
	    .g = a.g,
	    .target = a.operands[0],
	    .source = a.operands[1],
	    .platform = a.platform,
	    .verify = !a.no_verify,
	    .annotations = (const char *const *)a.annotations.v,
	    .n_annotations = a.annotations.n,
	    .index_annotations = (const char *const *)a.index_annotations.v,
	    .n_index_annotations = a.index_annotations.n,
	    .allow_shrink = a.allow_shrink,
	};
	pr = pub_append_run(&o, &res, &err);
	if (pr < 0) {
		cli_error("append", "%s", err.msg);
		rc = cli_exit_of_rc(pr);
		goto out;
	}
	pr = cli_list_result_print("append", &res, a.g.dry_run, a.json,
	                           "the list already holds this entry");
	rc = pr < 0 ? CLI_EXIT_FAILED : pr > 0 ? CLI_EXIT_INCOMPLETE : CLI_EXIT_OK;
out:
	pub_list_result_free(&res);
	cli_args_free(&a);
	return rc;
}

const struct cli_command cli_cmd_append = {
    .name = "append",
    .id = CLI_APPEND,
    .run = cmd_append_main,
    .synopsis = "TARGET SOURCE [--platform P] [options]",
    .summary = "add or replace one entry of an existing list",
    .description =
        "Add SOURCE to the list TARGET, or replace TARGET's entry for the same platform;\n"
        "every other entry is kept as it is. SOURCE is copied into TARGET's repository.\n"
        "Prints \"Digest: sha256:<hex> <size>\" of the new list.",
    .exit_codes = "0 done or unchanged, 1 registry error or TARGET not a list, 2 usage error, "
                  "3 held: the list would lose a platform (nothing written)",
    .formats = cli_formats_text_json,
    .max_operands = -1,
};
