/* cmd_check.c — `manifold check`: options, then pub_check_job and its
 * report. HEADs every per-arch tag and prints readiness; writes nothing. */
#include <stdio.h>

#include "cli.h"
#include "cli_output.h"
#include "publish.h"

static int cmd_check_main(const struct cli_program *prog, int argc, char **argv)
{
	struct pub_job_options o = {0};
	struct pub_job_result res;
	struct pub_progress *p;
	struct base_error err;
	struct cli_args a;
	double started = cli_clock();
	int rc, end = 0;

	(void)prog;
	if ((rc = cli_parse(&cli_cmd_check, argc, argv, &a)) != 0) {
		cli_args_free(&a);
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if (!a.config) {
		cli_error("check", "-c CONFIG is required; see 'manifold check --help'");
		cli_args_free(&a);
		return CLI_EXIT_USAGE;
	}
	if (cli_metrics_check("check", &a) < 0) {
		cli_args_free(&a);
		return CLI_EXIT_USAGE;
	}
	o.config_path = a.config;
	o.status_path = a.status;
	o.verify = a.verify;
	o.only_names = (const char *const *)a.only.v;
	o.n_only = a.only.n;
	o.shard = a.shard;
	o.g = a.g;
	if (cli_stop_options("check", &a, &o) < 0) {
		cli_args_free(&a);
		return CLI_EXIT_USAGE;
	}
	p = cli_progress_new("targets");
	cli_progress_phase_unit(p, "checking", "requests"); /* one per per-arch tag */
	o.progress = cli_progress_update;
	o.progress_ctx = p;
	rc = pub_check_job(&o, &res, &err);
	cli_progress_free(p);
	if (rc != BASE_EINPUT && err.msg[0] == '\0' && (a.json || cli_table_wanted(&a)))
		cli_report_print(stdout, CLI_REPORT_CHECK, &res, a.json,
		                 !a.json && cli_color_enabled(stdout));
	if (err.msg[0])
		cli_error("check", "%s", err.msg);
	if (rc != BASE_EINPUT)
		end = cli_run_end("check", &a, &res, 1, cli_clock() - started);
	rc = cli_exit_with_metrics(cli_exit_code_job(rc, &res), &res, end);
	pub_job_result_free(&res);
	cli_args_free(&a);
	return rc;
}

const struct cli_command cli_cmd_check = {
    .name = "check",
    .id = CLI_CHECK,
    .run = cmd_check_main,
    .synopsis = "-c CONFIG [options]",
    .summary = "HEAD every per-arch tag and print readiness; writes nothing",
    .description = "HEAD every per-arch source tag the config names, in parallel, and print\n"
                   "which targets are ready and which platforms are missing. Writes nothing.\n"
                   "With --verify, read each image's config and check its platform as publish\n"
                   "does (digests the status file records as verified are not read again).",
    .exit_codes = "0 all ready, 1 a check failed (registry error), 2 usage or config error, "
                  "3 some target incomplete, 4 --deadline left targets not checked, 130/143 "
                  "stopped by SIGINT/SIGTERM",
    .formats = cli_formats_text_json,
    .max_operands = 0,
};
