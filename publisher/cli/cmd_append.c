/* cmd_append.c — `manifold append TARGET SOURCE [--platform P]`: add one
 * entry to an existing list, or replace the entry for its platform. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int cmd_append_main(const struct cli_program *prog, int argc, char **argv)
{
	struct cli_args a;
	const char *platform;
	struct reg_annotation *ann = NULL, *idx = NULL;
	size_t n_ann = 0, n_idx = 0;
	int rc = PUB_EXIT_USAGE, pr;
	struct base_error err = {0};
	struct reg_ref target = {0};
	struct reg_client *client = NULL;
	struct reg_session *sess = NULL;
	struct pub_child child = {0};
	struct pub_list_result res = {0};
	struct pub_edit_result edit = {0};

	(void)prog;
	pr = cli_parse(&cli_cmd_append, argc, argv, &a);
	if (pr != 0) {
		rc = pr > 0 ? PUB_EXIT_OK : PUB_EXIT_USAGE;
		goto out;
	}
	platform = a.platform;
	if (cli_annotations("append", &a.annotations, &ann, &n_ann) < 0 ||
	    cli_annotations("append", &a.index_annotations, &idx, &n_idx) < 0)
		goto out;
	if (a.n_operands != 2) {
		fprintf(stderr,
		        "manifold append: needs TARGET and SOURCE; see 'manifold append --help'\n");
		goto out;
	}
	if (reg_ref_parse(a.operands[0], &target, &err) < 0) {
		fprintf(stderr, "manifold append: %s\n", err.msg);
		goto out;
	}
	if (platform) {
		struct reg_platform p = {0};
		if (reg_platform_parse(platform, &p, &err) < 0) {
			fprintf(stderr, "manifold append: --platform: %s\n", err.msg);
			goto out;
		}
		reg_platform_free(&p);
	}
	rc = PUB_EXIT_FAILED;
	if (pub_session_open(NULL, &a.g, &client, &sess, &err) < 0 ||
	    pub_append_child(sess, a.operands[1], platform, !a.no_verify, &child, &err) < 0) {
		fprintf(stderr, "manifold append: %s\n", err.msg);
		goto out;
	}
	struct pub_entry_edit e = {
	    .select = &child.platform,
	    .media_type = child.manifest.media_type,
	    .digest = child.manifest.digest,
	    .size = (int64_t)child.manifest.raw.len,
	    .annotations = ann,
	    .n_annotations = n_ann,
	    .index_annotations = idx,
	    .n_index_annotations = n_idx,
	};
	if (pub_list_update(sess, &target, &e, &child, a.g.dry_run, &res, &edit, &err) < 0) {
		fprintf(stderr, "manifold append: %s\n", err.msg);
		goto out;
	}
	if (res.changed) {
		char *p = reg_platform_format(&child.platform);
		pub_log(PUB_LOG_INFO, "%s entry %s: %s", edit.replaced ? "replaced" : "added",
		        p ? p : "?", child.manifest.digest);
		free(p);
	}
	if (edit.converted)
		pub_log(PUB_LOG_INFO, "the Docker list becomes an OCI image index (annotations "
		                      "or an OCI child need one)");
	if (cli_list_result_print(&res, a.g.dry_run, a.json, "the list already holds this entry") <
	    0)
		goto out;
	rc = PUB_EXIT_OK;
out:
	pub_edit_result_free(&edit);
	pub_child_free(&child);
	reg_session_free(sess);
	reg_client_free(client);
	reg_ref_free(&target);
	pub_annotations_free(ann, n_ann);
	pub_annotations_free(idx, n_idx);
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
    .exit_codes = "0 done or unchanged, 1 registry error, 2 usage error",
    .formats = cli_formats_text_json,
    .max_operands = -1,
};
