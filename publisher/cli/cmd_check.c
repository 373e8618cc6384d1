/* cmd_check.c — `manifold check`: flags, then pub_check_job and its report.
 * HEADs every per-arch tag and prints readiness; writes nothing. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: manifold check -c CONFIG [options]\n"
	           "\n"
	           "HEAD every per-arch source tag the config names, in parallel, and print\n"
	           "which targets are ready and which platforms are missing. Writes nothing.\n"
	           "\n"
	           "options:\n"
	           "  -c, --config FILE   the config (manifold YAML or a manifest-tool spec)\n"
	           "      --only NAME     only this image name or target reference\n"
	           "  -j, --jobs N        parallel requests (default 16)\n"
	           "      --shard I/N     only shard I of N (default: "
	           "JOB_COMPLETION_INDEX/JOB_COMPLETIONS)\n"
	           "      --output FMT    text (default) or json\n"
	           "      --insecure      plain HTTP to every registry\n"
	           "  -h, --help          this help\n"
	           "\n"
	           "exit codes: 0 all ready, 1 a check failed (registry error), 2 usage or config\n"
	           "error, 3 some target incomplete\n");
}

int cmd_check_main(int argc, char **argv)
{
	struct pub_job_options o = {0};
	struct pub_job_result res;
	struct pub_progress *prog;
	struct reg_error err;
	const char *v;
	int rc;

	o.g.jobs = 16;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return PUB_EXIT_OK;
		} else if (strcmp(a, "--insecure") == 0) {
			o.g.insecure = 1;
		} else if ((rc = pub_arg_value(argc, argv, &i, "--config", "-c", &v)) != 0) {
			if (rc < 0)
				goto missing;
			o.config_path = v;
		} else if ((rc = pub_arg_value(argc, argv, &i, "--only", NULL, &v)) != 0) {
			if (rc < 0)
				goto missing;
			o.only = v;
		} else if ((rc = pub_arg_value(argc, argv, &i, "--shard", NULL, &v)) != 0) {
			if (rc < 0)
				goto missing;
			o.shard = v;
		} else if ((rc = pub_arg_value(argc, argv, &i, "--jobs", "-j", &v)) != 0) {
			if (rc < 0)
				goto missing;
			if (pub_arg_jobs(v, &o.g.jobs) < 0) {
				fprintf(stderr,
				        "manifold check: -j \"%s\": want a number 1..1024\n", v);
				return PUB_EXIT_USAGE;
			}
		} else if ((rc = pub_arg_value(argc, argv, &i, "--output", "-o", &v)) != 0) {
			if (rc < 0)
				goto missing;
			if (strcmp(v, "json") != 0 && strcmp(v, "text") != 0) {
				fprintf(stderr,
				        "manifold check: --output \"%s\": want text or json\n", v);
				return PUB_EXIT_USAGE;
			}
			o.g.output_json = strcmp(v, "json") == 0;
		} else {
			fprintf(stderr,
			        "manifold check: unknown argument \"%s\"; see 'manifold check "
			        "--help'\n",
			        a);
			return PUB_EXIT_USAGE;
		}
		continue;
	missing:
		fprintf(stderr, "manifold check: %s needs a value\n", a);
		return PUB_EXIT_USAGE;
	}
	if (!o.config_path) {
		fprintf(stderr,
		        "manifold check: -c CONFIG is required; see 'manifold check --help'\n");
		return PUB_EXIT_USAGE;
	}
	prog = pub_progress_new();
	o.progress = pub_progress_update;
	o.progress_ctx = prog;
	rc = pub_check_job(&o, &res, &err);
	pub_progress_free(prog);
	if (rc != PUB_EINPUT && err.msg[0] == '\0')
		pub_report_print(stdout, PUB_REPORT_CHECK, &res, o.g.output_json,
		                 !o.g.output_json && cli_color_enabled(stdout));
	if (err.msg[0])
		fprintf(stderr, "manifold check: %s\n", err.msg);
	rc = cli_exit_code(rc, &res.run);
	pub_job_result_free(&res);
	return rc;
}
