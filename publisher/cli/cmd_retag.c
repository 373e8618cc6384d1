/* cmd_retag.c — `manifold retag`: options, the plan of copies (config rules,
 * --from-file pairs or SRC DST arguments), then the retag job. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_output.h"
#include "retag.h"

/* Which copies, from the parsed options: -1 after printing why not. */
static int check_args(const struct cli_args *a)
{
	if (a->config && (a->from_file || a->n_operands)) {
		cli_error("retag", "-c takes its copies from the config; "
		                   "SRC DST pairs and --from-file go without it");
		return -1;
	}
	if (a->only.n && !a->config) {
		cli_error("retag", "--only needs -c CONFIG");
		return -1;
	}
	if (a->n_operands % 2) {
		cli_error("retag", "\"%s\" has no destination (SRC DST pairs)",
		          a->operands[a->n_operands - 1]);
		return -1;
	}
	if (!a->config && !a->from_file && !a->n_operands) {
		cli_error("retag", "nothing to copy: give -c CONFIG, --from-file "
		                   "PAIRS or SRC DST; see --help");
		return -1;
	}
	return 0;
}

static int cmd_retag_main(const struct cli_program *prog, int argc, char **argv)
{
	struct cli_args a;
	struct base_error e = {0};
	struct pub_retag_result res = {0};
	struct pub_copy_counts cnt;
	struct pub_progress *progress;
	int rc = CLI_EXIT_USAGE, pr;

	(void)prog;
	pr = cli_parse(&cli_cmd_retag, argc, argv, &a);
	if (pr == 1) {
		rc = CLI_EXIT_OK;
		goto out;
	}
	if (pr < 0 || check_args(&a) < 0)
		goto out;
	struct pub_retag_job_options o = {
	    .config_path = a.config,
	    .from_file = a.from_file,
	    .pairs = (const char *const *)a.operands,
	    .n_pairs = a.n_operands,
	    .only_names = (const char *const *)a.only.v,
	    .n_only = a.only.n,
	    .status_path = a.status,
	    .g = a.g,
	    .overwrite = a.overwrite,
	    .allow_shrink = a.allow_shrink,
	};
	progress = cli_progress_new("copies");
	o.progress = cli_progress_update;
	o.progress_ctx = progress;
	pr = pub_retag_job(&o, &res, &e);
	cli_progress_free(progress);
	if (pr < 0) {
		cli_error("retag", "%s", e.msg);
		rc = cli_exit_of_rc(pr);
		goto out;
	}
	if (a.json)
		cli_retag_render_json(stdout, res.copies, res.n_copies);
	else
		cli_retag_render_text(stdout, res.copies, res.n_copies, cli_color_enabled(stdout));
	fflush(stdout);

	pub_copy_count(res.copies, res.n_copies, &cnt);
	rc = cnt.failed                ? CLI_EXIT_FAILED
	     : cnt.held || cnt.refused ? CLI_EXIT_INCOMPLETE
	                               : CLI_EXIT_OK;
	if (res.status_error) {
		pub_log(PUB_LOG_ERROR, "%s", res.status_error);
		rc = CLI_EXIT_FAILED;
	}
out:
	pub_retag_result_free(&res);
	cli_args_free(&a);
	return rc;
}

const struct cli_command cli_cmd_retag = {
    .name = "retag",
    .id = CLI_RETAG,
    .run = cmd_retag_main,
    .synopsis = "-c CONFIG [--only NAME] [options]\n[options] SRC DST [SRC DST ...]\n"
                "[options] --from-file PAIRS",
    .summary = "bulk copy of tags: arch-suffixed names <-> tags, promotion",
    .description = "Copies tags: every blob and child manifest the destination lacks, then the\n"
                   "manifest or list itself, byte for byte, so digests are kept. A destination\n"
                   "that already holds the source's digest is not written. One that holds a\n"
                   "digest manifold did not write (the status file's copy records) is refused\n"
                   "unless --overwrite; one whose list has a platform the source lacks is\n"
                   "held unless --allow-shrink.",
    .exit_codes = "0 all copied or unchanged, 1 some copy failed, 2 usage or config error, "
                  "3 no failure, but some copy held or refused",
    .formats = cli_formats_text_json,
    .max_operands = -1,
};
