/* cmd_annotate.c — `manifold annotate TARGET --platform P ...`: change the
 * platform fields and annotations of one entry of an existing list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_output.h"
#include "lists.h"

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
	int rc = CLI_EXIT_USAGE, pr;
	struct base_error err = {0};
	struct pub_list_result res = {0};
	struct pub_annotate_options o = {0};

	(void)prog;
	pr = cli_parse(&cli_cmd_annotate, argc, argv, &a);
	if (pr != 0) {
		rc = pr > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
		goto out;
	}
	o.variant = a.variant;
	o.os_version = a.os_version;
	if (a.os_features) {
		o.set_os_features = 1;
		if (features_from(a.os_features, &o.os_features, &o.n_os_features) < 0)
			goto out;
	}
	if (a.features) {
		o.set_features = 1;
		if (features_from(a.features, &o.features, &o.n_features) < 0)
			goto out;
	}
	if (cli_annotations("annotate", &a.annotations) < 0 ||
	    cli_annotations("annotate", &a.index_annotations) < 0)
		goto out;
	if (a.n_operands != 1 || !a.platform) {
		cli_error("annotate", "needs TARGET and --platform; see 'manifold "
		                      "annotate --help'");
		goto out;
	}
	o.g = a.g;
	o.target = a.operands[0];
	o.platform = a.platform;
	o.verify = !a.no_verify;
	o.annotations = (const char *const *)a.annotations.v;
	o.n_annotations = a.annotations.n;
	o.index_annotations = (const char *const *)a.index_annotations.v;
	o.n_index_annotations = a.index_annotations.n;
	o.allow_shrink = a.allow_shrink;
	pr = pub_annotate_run(&o, &res, &err);
	if (pr < 0) {
		cli_error("annotate", "%s", err.msg);
		rc = cli_exit_of_rc(pr);
		goto out;
	}
	pr = cli_list_result_print("annotate", &res, a.g.dry_run, a.json,
	                           "the entry already reads so");
	rc = pr < 0 ? CLI_EXIT_FAILED : pr > 0 ? CLI_EXIT_INCOMPLETE : CLI_EXIT_OK;
out:
	pub_list_result_free(&res);
	status_strv_free(o.os_features, o.n_os_features);
	status_strv_free(o.features, o.n_features);
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
        "\"Digest: sha256:<hex> <size>\" of the new list. A change that makes the list\n"
        "no longer serve a platform (variant v6 on linux/arm/v7) is held (exit 3).",
    .exit_codes = "0 done or unchanged, 1 registry error or no such entry, 2 usage error, "
                  "3 held: the changed platform would drop the old one (nothing written)",
    .formats = cli_formats_text_json,
    .max_operands = -1,
};
