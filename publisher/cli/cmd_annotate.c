/* cmd_annotate.c — `manifold annotate TARGET --platform P ...`: change the
 * platform fields and annotations of one entry of an existing list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* "a,b" as a list; "" an empty one (clears the field). */
static int features_from(const char *text, char ***out, size_t *n)
{
	struct cli_strv v = {0};
	if (cli_strv_split(&v, text) < 0) {
		cli_strv_free(&v);
		return -1;
	}
	*out = v.v;
	*n = v.n;
	return 0;
}

static int cmd_annotate_main(const struct cli_program *prog, int argc, char **argv)
{
	struct cli_args a;
	const char *platform;
	struct reg_annotation *ann = NULL, *idx = NULL;
	size_t n_ann = 0, n_idx = 0;
	int rc = PUB_EXIT_USAGE, pr;
	struct base_error err = {0};
	struct reg_ref target = {0};
	struct reg_platform sel = {0};
	struct reg_client *client = NULL;
	struct reg_session *sess = NULL;
	struct pub_list_result res = {0};
	struct pub_edit_result edit = {0};
	struct pub_entry_edit e = {0};

	(void)prog;
	pr = cli_parse(&cli_cmd_annotate, argc, argv, &a);
	if (pr != 0) {
		rc = pr > 0 ? PUB_EXIT_OK : PUB_EXIT_USAGE;
		goto out;
	}
	platform = a.platform;
	e.variant = a.variant;
	e.os_version = a.os_version;
	if (a.os_features) {
		e.set_os_features = 1;
		if (features_from(a.os_features, &e.os_features, &e.n_os_features) < 0)
			goto out;
	}
	if (a.features) {
		e.set_features = 1;
		if (features_from(a.features, &e.features, &e.n_features) < 0)
			goto out;
	}
	if (cli_annotations("annotate", &a.annotations, &ann, &n_ann) < 0 ||
	    cli_annotations("annotate", &a.index_annotations, &idx, &n_idx) < 0)
		goto out;
	if (a.n_operands != 1 || !platform) {
		fprintf(stderr, "manifold annotate: needs TARGET and --platform; see 'manifold "
		                "annotate --help'\n");
		goto out;
	}
	if (reg_ref_parse(a.operands[0], &target, &err) < 0) {
		fprintf(stderr, "manifold annotate: %s\n", err.msg);
		goto out;
	}
	if (reg_platform_parse(platform, &sel, &err) < 0) {
		fprintf(stderr, "manifold annotate: --platform: %s\n", err.msg);
		goto out;
	}
	e.select = &sel;
	e.verify_platform = !a.no_verify;
	e.annotations = ann;
	e.n_annotations = n_ann;
	e.index_annotations = idx;
	e.n_index_annotations = n_idx;
	rc = PUB_EXIT_FAILED;
	if (pub_session_open(NULL, &a.g, &client, &sess, &err) < 0 ||
	    pub_list_update(sess, &target, &e, NULL, a.g.dry_run, &res, &edit, &err) < 0) {
		fprintf(stderr, "manifold annotate: %s\n", err.msg);
		goto out;
	}
	if (edit.converted)
		pub_log(PUB_LOG_INFO, "the Docker list becomes an OCI image index (annotations "
		                      "need one)");
	if (cli_list_result_print(&res, a.g.dry_run, a.json, "the entry already reads so") < 0)
		goto out;
	rc = PUB_EXIT_OK;
out:
	pub_edit_result_free(&edit);
	reg_session_free(sess);
	reg_client_free(client);
	reg_platform_free(&sel);
	reg_ref_free(&target);
	pub_strv_free(e.os_features, e.n_os_features);
	pub_strv_free(e.features, e.n_features);
	pub_annotations_free(ann, n_ann);
	pub_annotations_free(idx, n_idx);
	cli_args_free(&a);
	return rc;
}

const struct cli_command cli_cmd_annotate = {
    .name = "annotate",
    .id = CLI_ANNOTATE,
    .run = cmd_annotate_main,
    .synopsis = "TARGET --platform P [--variant V] [--os-version V]\n"
                "TARGET --platform P [--os-features a,b] [--features a,b] [options]",
    .summary = "change the platform fields of one list entry",
    .description =
        "Change the entry of list TARGET for platform P; every other entry is kept as it\n"
        "is. An empty value removes the field (--variant \"\"). Prints\n"
        "\"Digest: sha256:<hex> <size>\" of the new list.",
    .exit_codes = "0 done or unchanged, 1 registry error or no such entry, 2 usage error",
    .formats = cli_formats_text_json,
    .max_operands = -1,
};
