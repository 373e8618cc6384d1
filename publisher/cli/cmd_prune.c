/* cmd_prune.c — `manifold prune -c CONFIG`: options, then pub_prune_job and
 * its report. Deletes nothing without --confirm. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_output.h"
#include "prune.h"

static int cmd_prune_main(const struct cli_program *prog, int argc, char **argv)
{
	struct pub_prune_options o = {0};
	struct pub_prune_result res = {0};
	struct base_error err;
	struct cli_args a;
	int rc;

	(void)prog;
	base_error_clear(&err);
	if ((rc = cli_parse(&cli_cmd_prune, argc, argv, &a)) != 0) {
		cli_args_free(&a);
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if (!a.config || a.n_operands) {
		cli_error("prune", "%s; see 'manifold prune --help'",
		          a.config ? "takes no operands" : "-c CONFIG is required");
		cli_args_free(&a);
		return CLI_EXIT_USAGE;
	}
	o.config_path = a.config;
	o.only_names = (const char *const *)a.only.v;
	o.n_only = a.only.n;
	o.g = a.g;
	o.confirm = a.confirm;
	rc = pub_prune_job(&o, &res, &err);
	if (rc < 0) {
		cli_error("prune", "%s", err.msg);
		rc = cli_exit_of_rc(rc);
		goto out;
	}
	if (res.unsupported)
		pub_log(PUB_LOG_ERROR,
		        "the registry has deletes disabled (405 UNSUPPORTED): nothing "
		        "was deleted there; set storage.delete.enabled: true "
		        "(REGISTRY_STORAGE_DELETE_ENABLED=true)");
	for (size_t i = 0; i < res.n_items; i++)
		if (res.items[i].action == PUB_PRUNE_FAILED)
			pub_log(PUB_LOG_ERROR, "%s: %s", res.items[i].ref, res.items[i].reason);
	if (a.json ? cli_prune_render_json(stdout, &res) < 0
	           : (cli_prune_render_text(stdout, &res, cli_color_enabled(stdout)), 0)) {
		rc = CLI_EXIT_FAILED;
		goto out;
	}
	rc = res.errors || res.unsupported ? CLI_EXIT_FAILED : CLI_EXIT_OK;
out:
	pub_prune_result_free(&res);
	cli_args_free(&a);
	return rc;
}

const struct cli_command cli_cmd_prune = {
    .name = "prune",
    .id = CLI_PRUNE,
    .run = cmd_prune_main,
    .synopsis = "-c CONFIG [--only NAME] [--confirm] [options]",
    .summary = "delete per-arch source tags whose published lists hold them",
    .description =
        "Deletes the per-arch source tags of targets whose published list holds exactly\n"
        "their digests: the target tag (and every extra tag) must hold a list whose\n"
        "child for each platform is what the source tag holds. A tag another target\n"
        "still needs, a rebuilt source and the sources of an unpublished target are\n"
        "kept, and so is a digest that another tag of the repository holds (a registry\n"
        "deletes by digest). Each tag is checked again just before its delete.\n\n"
        "Without --confirm nothing is deleted: prune says what it would delete.",
    .exit_codes = "0 done (kept tags included), 1 a registry error, a failed delete or "
                  "deletes disabled on the registry, 2 usage or config error",
    .formats = cli_formats_text_json,
    .max_operands = -1,
};
