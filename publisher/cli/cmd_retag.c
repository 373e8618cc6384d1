/* cmd_retag.c — `manifold retag`: options, the plan of copies (config rules,
 * --from-file pairs or SRC DST arguments), then the retag job. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Which copies, from the parsed options: -1 after printing why not. */
static int check_args(const struct cli_args *a)
{
	if (a->config && (a->from_file || a->n_operands)) {
		fprintf(stderr, "manifold retag: -c takes its copies from the config; "
		                "SRC DST pairs and --from-file go without it\n");
		return -1;
	}
	if (a->only.n && !a->config) {
		fprintf(stderr, "manifold retag: --only needs -c CONFIG\n");
		return -1;
	}
	if (a->n_operands % 2) {
		fprintf(stderr, "manifold retag: \"%s\" has no destination (SRC DST pairs)\n",
		        a->operands[a->n_operands - 1]);
		return -1;
	}
	if (!a->config && !a->from_file && !a->n_operands) {
		fprintf(stderr, "manifold retag: nothing to copy: give -c CONFIG, --from-file "
		                "PAIRS or SRC DST; see --help\n");
		return -1;
	}
	return 0;
}

static int record_status(const char *path, const char *config, const struct pub_copy_result *r,
                         size_t n, const char *started)
{
	struct base_error e;

	base_error_clear(&e);
	if (pub_retag_status_update(path, config, r, n, started, &e) < 0) {
		pub_log(PUB_LOG_ERROR, "status %s: %s", path, e.msg);
		return -1;
	}
	return 0;
}

static int cmd_retag_main(const struct cli_program *prog, int argc, char **argv)
{
	struct cli_args a;
	struct farm_config *cfg = NULL;
	struct farm_copy_plan *plan = NULL;
	struct farm_error fe = {0};
	struct reg_client *client = NULL;
	struct base_error e;
	struct pub_copy_result *res = NULL;
	struct pub_copy_counts cnt;
	struct pub_retag_options o = {0};
	struct pub_status *written = NULL;
	char *started = NULL;
	const char *status_path;
	int rc = PUB_EXIT_USAGE, pr;

	(void)prog;
	base_error_clear(&e);
	pr = cli_parse(&cli_cmd_retag, argc, argv, &a);
	if (pr == 1) {
		rc = PUB_EXIT_OK;
		goto out;
	}
	if (pr < 0 || check_args(&a) < 0)
		goto out;

	if (a.config) {
		struct farm_load_options lo = {pub_platform_check, NULL};
		if (farm_config_load(a.config, &lo, &cfg, &fe) < 0 ||
		    farm_retag_expand(cfg, NULL, &plan, &fe) < 0) {
			fprintf(stderr, "manifold retag: %s\n", fe.msg);
			goto out;
		}
		if (cli_copy_plan_only(plan, a.only.v, a.only.n, &e) < 0) {
			fprintf(stderr, "manifold retag: %s\n", e.msg);
			goto out;
		}
		if (cfg->n_retag == 0) {
			fprintf(stderr, "manifold retag: %s: no retag: rules\n", a.config);
			goto out;
		}
	} else if (a.from_file) {
		if (farm_pairs_load(a.from_file, &plan, &fe) < 0) {
			fprintf(stderr, "manifold retag: %s\n", fe.msg);
			goto out;
		}
	} else if (!(plan = calloc(1, sizeof(*plan)))) {
		fprintf(stderr, "manifold retag: out of memory\n");
		goto out;
	}
	if (cli_copy_plan_add_pairs(plan, a.operands, a.n_operands) < 0) {
		fprintf(stderr, "manifold retag: out of memory\n");
		goto out;
	}
	if (cli_copy_plan_check_refs(plan, &e) < 0) {
		fprintf(stderr, "manifold retag: %s\n", e.msg);
		goto out;
	}

	if (pub_client_new(cfg, &a.g, &client, &e) < 0) {
		fprintf(stderr, "manifold retag: %s\n", e.msg);
		goto out;
	}
	/* What manifold wrote where, read before the first request: a
	 * destination tag holding anything else is not moved without
	 * --overwrite. */
	status_path = a.status ? a.status : cfg ? cfg->status : NULL;
	if (status_path && pub_status_load(status_path, &written, &e) < 0) {
		fprintf(stderr, "manifold retag: status %s: %s\n", status_path, e.msg);
		goto out;
	}
	started = pub_now_rfc3339();
	o.jobs = a.g.jobs;
	o.dry_run = a.g.dry_run;
	o.overwrite = a.overwrite;
	o.allow_shrink = a.allow_shrink;
	o.written = written;
	pub_log(PUB_LOG_INFO, "retag: %zu copies on %d workers%s", plan->n_copies, o.jobs,
	        o.dry_run ? " (dry run)" : "");
	if (pub_retag_run(client, plan, &o, &res, &e) < 0) {
		fprintf(stderr, "manifold retag: %s\n", e.msg);
		rc = PUB_EXIT_FAILED;
		goto out;
	}
	for (size_t i = 0; i < plan->n_copies; i++) {
		if (res[i].state == PUB_COPY_FAILED)
			pub_log(PUB_LOG_ERROR, "%s", res[i].reason ? res[i].reason : "copy failed");
		else if (res[i].state == PUB_COPY_HELD || res[i].state == PUB_COPY_REFUSED)
			pub_log(PUB_LOG_WARN, "%s %s: %s", res[i].to,
			        pub_copy_state_str(res[i].state),
			        res[i].reason ? res[i].reason : "");
	}

	if (a.json)
		pub_retag_render_json(stdout, res, plan->n_copies);
	else
		pub_retag_render_text(stdout, res, plan->n_copies, cli_color_enabled(stdout));
	fflush(stdout);

	pub_copy_count(res, plan->n_copies, &cnt);
	rc = cnt.failed                ? PUB_EXIT_FAILED
	     : cnt.held || cnt.refused ? PUB_EXIT_INCOMPLETE
	                               : PUB_EXIT_OK;
	if (status_path && !a.g.dry_run &&
	    record_status(status_path, a.config, res, plan->n_copies, started ? started : "") < 0)
		rc = PUB_EXIT_FAILED;
out:
	if (plan)
		pub_copy_results_free(res, plan->n_copies);
	free(started);
	pub_status_free(written);
	reg_client_free(client);
	farm_copy_plan_free(plan);
	farm_config_free(cfg);
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
