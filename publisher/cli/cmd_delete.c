/* cmd_delete.c — `manifold delete TARGET`: delete a list (by digest; its
 * children stay), refusing when the digest also backs another tag. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int cmd_delete_main(const struct cli_program *prog, int argc, char **argv)
{
	struct cli_args a;
	int rc = PUB_EXIT_USAGE, pr;
	struct base_error err = {0};
	struct reg_ref target = {0};
	struct reg_client *client = NULL;
	struct reg_session *sess = NULL;
	struct pub_delete_result res = {0};

	(void)prog;
	pr = cli_parse(&cli_cmd_delete, argc, argv, &a);
	if (pr != 0) {
		rc = pr > 0 ? PUB_EXIT_OK : PUB_EXIT_USAGE;
		goto out;
	}
	if (a.n_operands != 1) {
		fprintf(stderr, "manifold delete: needs TARGET; see 'manifold delete --help'\n");
		goto out;
	}
	if (reg_ref_parse(a.operands[0], &target, &err) < 0) {
		fprintf(stderr, "manifold delete: %s\n", err.msg);
		goto out;
	}
	rc = PUB_EXIT_FAILED;
	if (pub_session_open(NULL, &a.g, &client, &sess, &err) < 0 ||
	    pub_list_delete(sess, &target, a.force, a.g.dry_run, &res, &err) < 0) {
		fprintf(stderr, "manifold delete: %s\n", err.msg);
		goto out;
	}
	for (size_t i = 0; i < res.n_other_tags; i++)
		pub_log(PUB_LOG_WARN, "tag %s held the same digest and is %s too (--force)",
		        res.other_tags[i], a.g.dry_run ? "to be deleted" : "deleted");
	if (a.json) {
		if (cli_delete_result_json(stdout, &res, a.g.dry_run) < 0)
			goto out;
	} else if (a.g.dry_run) {
		printf("Would delete: %s\n", res.digest);
	} else {
		printf("Deleted: %s\n", res.digest);
	}
	rc = PUB_EXIT_OK;
out:
	pub_delete_result_free(&res);
	reg_session_free(sess);
	reg_client_free(client);
	reg_ref_free(&target);
	cli_args_free(&a);
	return rc;
}

const struct cli_command cli_cmd_delete = {
    .name = "delete",
    .id = CLI_DELETE,
    .run = cmd_delete_main,
    .synopsis = "TARGET [--force] [--insecure] [--dry-run] [-o json]",
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
