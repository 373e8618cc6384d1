/* cmd_publish.c — `manifold publish`, the nightly job: options, then
 * pub_publish_job and its report. */
#include <stdio.h>

#include "cli.h"
#include "cli_output.h"
#include "publish.h"

static void print_spec_digest(const struct pub_job_result *res)
{
	/* manifest-tool prints this line; scripts that parse it keep working. */
	if (res->n_targets != 1 || !res->targets[0].digest || res->writes[0].list_size < 0)
		return;
	if (res->targets[0].state != STATUS_T_PUBLISHED &&
	    res->targets[0].state != STATUS_T_UNCHANGED)
		return;
	printf("Digest: %s %lld\n", res->targets[0].digest, res->writes[0].list_size);
}

static void publish_options(const struct cli_args *a, struct pub_job_options *o)
{
	o->config_path = a->config;
	o->status_path = a->status;
	o->only_names = (const char *const *)a->only.v;
	o->n_only = a->only.n;
	o->shard = a->shard;
	o->g = a->g;
	o->git.push = a->push_remote != NULL;
	o->git.remote = a->push_remote && *a->push_remote ? a->push_remote : NULL;
	o->git.repo_dir = a->repo;
	o->git.author = a->author;
	o->commit = a->commit || o->git.push;
	o->allow_shrink = a->allow_shrink;
	o->overwrite = a->overwrite;
	o->recheck_children = a->recheck_children;
	o->refresh_referrers = a->refresh_referrers;
}

/* The report, the log lines after it and the metrics; the exit code. */
static int publish_end(const struct cli_args *a, int rc, const struct pub_job_result *res,
                       const struct base_error *err, double started)
{
	int end = 0;

	if (rc != BASE_EINPUT && res->targets && (a->json || cli_table_wanted(a))) {
		cli_report_print(stdout, CLI_REPORT_PUBLISH, res, a->json,
		                 !a->json && cli_color_enabled(stdout));
		if (res->is_spec && !a->json && !a->g.dry_run)
			print_spec_digest(res);
	}
	if (res->status_path && !err->msg[0])
		pub_log(PUB_LOG_INFO, "status written to %s%s", res->status_path,
		        res->committed ? " and committed" : "");
	if (err->msg[0])
		cli_error("publish", "%s", err->msg);
	if (rc != BASE_EINPUT)
		end = cli_run_end("publish", a, res, 0, cli_clock() - started);
	return cli_exit_with_metrics(cli_exit_code_job(rc, res), res, end);
}

static int cmd_publish_main(const struct cli_program *prog, int argc, char **argv)
{
	struct pub_job_options o = {0};
	struct pub_job_result res;
	struct pub_progress *p;
	struct base_error err;
	struct cli_args a;
	double started = cli_clock();
	int rc;

	(void)prog;
	if ((rc = cli_parse(&cli_cmd_publish, argc, argv, &a)) != 0) {
		cli_args_free(&a);
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if (!a.config) {
		cli_error("publish", "-c CONFIG is required; see 'manifold publish --help'");
		cli_args_free(&a);
		return CLI_EXIT_USAGE;
	}
	if (cli_metrics_check("publish", &a) < 0 || cli_stop_options("publish", &a, &o) < 0) {
		cli_args_free(&a);
		return CLI_EXIT_USAGE;
	}
	publish_options(&a, &o);
	double mem_limit = 0;
	const char *mem_from = NULL;
	if (a.memory_limit && !a.estimate) {
		cli_error("publish", "--memory-limit goes with --estimate");
		cli_args_free(&a);
		return CLI_EXIT_USAGE;
	}
	if (a.estimate && cli_memory_limit(a.memory_limit, &mem_limit, &mem_from) < 0) {
		cli_error("publish", "--memory-limit \"%s\": want a size (512M, 2G, 1.5GiB, bytes)",
		          a.memory_limit);
		cli_args_free(&a);
		return CLI_EXIT_USAGE;
	}
	if ((o.estimate = a.estimate) && (o.commit || a.g.dry_run)) {
		cli_error("publish", "--estimate sends and writes nothing; it does not go with "
		                     "--commit, --push or --dry-run");
		cli_args_free(&a);
		return CLI_EXIT_USAGE;
	}
	p = o.estimate ? NULL : cli_progress_new("targets");
	o.progress = cli_progress_update;
	o.progress_ctx = p;
	rc = pub_publish_job(&o, &res, &err);
	cli_progress_free(p);
	if (o.estimate) {
		if (rc == 0)
			cli_estimate_print(stdout, &res.estimate, a.json, mem_limit, mem_from);
		else if (err.msg[0])
			cli_error("publish", "%s", err.msg);
		rc = cli_exit_code_job(rc, &res);
	} else {
		rc = publish_end(&a, rc, &res, &err, started);
	}
	pub_job_result_free(&res);
	cli_args_free(&a);
	return rc;
}

const struct cli_command cli_cmd_publish = {
    .name = "publish",
    .id = CLI_PUBLISH,
    .run = cmd_publish_main,
    .synopsis = "-c CONFIG [options]",
    .summary = "publish every ready multi-arch target (the nightly job)",
    .description = "Publish every target whose platforms are all built: copy the per-arch images\n"
                   "into the target repository and push the multi-arch list. A target whose list\n"
                   "is already there is left alone; one with a platform missing is recorded as\n"
                   "incomplete and nothing is pushed for it. Optional platforms join when they\n"
                   "are there; a list that would drop a platform the tag's list has is held.",
    .exit_codes = "0 every target published or unchanged, 1 some target failed, 2 usage or "
                  "config error (nothing written), 3 some target incomplete or held, 4 --deadline "
                  "left "
                  "targets not reached, 130/143 stopped by SIGINT/SIGTERM",
    .formats = cli_formats_text_json,
    .max_operands = 0,
};
