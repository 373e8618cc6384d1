/* cmd_publish.c — `manifold publish`, the nightly job: flags, then
 * pub_publish_job and its report. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: manifold publish -c CONFIG [options]\n"
	        "\n"
	        "Publish every target whose platforms are all built: copy the per-arch images\n"
	        "into the target repository and push the multi-arch list. A target whose list\n"
	        "is already there is left alone; one with a platform missing is recorded as\n"
	        "incomplete and nothing is pushed for it.\n"
	        "\n"
	        "options:\n"
	        "  -c, --config FILE    the config (manifold YAML or a manifest-tool spec)\n"
	        "      --status FILE    status file to update (default: the config's status:)\n"
	        "      --dry-run        print the plan and what would be written; write nothing\n"
	        "      --only NAME      only this image name or target reference\n"
	        "  -j, --jobs N         parallel requests (default 16)\n"
	        "      --shard I/N      only shard I of N (default: "
	        "JOB_COMPLETION_INDEX/JOB_COMPLETIONS)\n"
	        "      --output FMT     text (default) or json\n"
	        "      --insecure       plain HTTP to every registry\n"
	        "      --commit         commit the status file (libgit2)\n"
	        "      --push [REMOTE]  commit and push the branch (default remote: origin)\n"
	        "      --repo DIR       git repository (default: found from the status file)\n"
	        "      --author \"N <e>\" commit author (default: git config, else manifold)\n"
	        "  -h, --help           this help\n"
	        "\n"
	        "exit codes: 0 every target published or unchanged, 1 some target failed,\n"
	        "2 usage or config error (nothing written), 3 some target incomplete\n");
}

static void print_spec_digest(const struct pub_job_result *res)
{
	/* manifest-tool prints this line; scripts that parse it keep working. */
	if (res->n_targets != 1 || !res->targets[0].digest || res->writes[0].list_size < 0)
		return;
	if (res->targets[0].state != PUB_T_PUBLISHED && res->targets[0].state != PUB_T_UNCHANGED)
		return;
	printf("Digest: %s %lld\n", res->targets[0].digest, res->writes[0].list_size);
}

int cmd_publish_main(int argc, char **argv)
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
		} else if (strcmp(a, "--dry-run") == 0) {
			o.g.dry_run = 1;
		} else if (strcmp(a, "--commit") == 0) {
			o.commit = 1;
		} else if (strcmp(a, "--push") == 0) {
			o.git.push = 1;
			if (i + 1 < argc && argv[i + 1][0] != '-')
				o.git.remote = argv[++i];
		} else if (strncmp(a, "--push=", 7) == 0) {
			o.git.push = 1;
			o.git.remote = a + 7;
		} else if ((rc = pub_arg_value(argc, argv, &i, "--config", "-c", &v)) != 0) {
			if (rc < 0)
				goto missing;
			o.config_path = v;
		} else if ((rc = pub_arg_value(argc, argv, &i, "--status", NULL, &v)) != 0) {
			if (rc < 0)
				goto missing;
			o.status_path = v;
		} else if ((rc = pub_arg_value(argc, argv, &i, "--only", NULL, &v)) != 0) {
			if (rc < 0)
				goto missing;
			o.only = v;
		} else if ((rc = pub_arg_value(argc, argv, &i, "--shard", NULL, &v)) != 0) {
			if (rc < 0)
				goto missing;
			o.shard = v;
		} else if ((rc = pub_arg_value(argc, argv, &i, "--repo", NULL, &v)) != 0) {
			if (rc < 0)
				goto missing;
			o.git.repo_dir = v;
		} else if ((rc = pub_arg_value(argc, argv, &i, "--author", NULL, &v)) != 0) {
			if (rc < 0)
				goto missing;
			o.git.author = v;
		} else if ((rc = pub_arg_value(argc, argv, &i, "--jobs", "-j", &v)) != 0) {
			if (rc < 0)
				goto missing;
			if (pub_arg_jobs(v, &o.g.jobs) < 0) {
				fprintf(stderr,
				        "manifold publish: -j \"%s\": want a number 1..1024\n", v);
				return PUB_EXIT_USAGE;
			}
		} else if ((rc = pub_arg_value(argc, argv, &i, "--output", "-o", &v)) != 0) {
			if (rc < 0)
				goto missing;
			if (strcmp(v, "json") != 0 && strcmp(v, "text") != 0) {
				fprintf(stderr,
				        "manifold publish: --output \"%s\": want text or json\n",
				        v);
				return PUB_EXIT_USAGE;
			}
			o.g.output_json = strcmp(v, "json") == 0;
		} else {
			fprintf(stderr,
			        "manifold publish: unknown argument \"%s\"; see 'manifold publish "
			        "--help'\n",
			        a);
			return PUB_EXIT_USAGE;
		}
		continue;
	missing:
		fprintf(stderr, "manifold publish: %s needs a value\n", a);
		return PUB_EXIT_USAGE;
	}
	if (!o.config_path) {
		fprintf(stderr,
		        "manifold publish: -c CONFIG is required; see 'manifold publish --help'\n");
		return PUB_EXIT_USAGE;
	}
	if (o.git.push)
		o.commit = 1;
	prog = pub_progress_new();
	o.progress = pub_progress_update;
	o.progress_ctx = prog;
	rc = pub_publish_job(&o, &res, &err);
	pub_progress_free(prog);
	if (rc != PUB_EINPUT && res.targets) {
		pub_report_print(stdout, PUB_REPORT_PUBLISH, &res, o.g.output_json,
		                 !o.g.output_json && cli_color_enabled(stdout));
		if (res.is_spec && !o.g.output_json && !o.g.dry_run)
			print_spec_digest(&res);
	}
	if (res.status_path && !err.msg[0])
		pub_log(PUB_LOG_INFO, "status written to %s%s", res.status_path,
		        res.committed ? " and committed" : "");
	if (err.msg[0])
		fprintf(stderr, "manifold publish: %s\n", err.msg);
	rc = cli_exit_code(rc, &res.run);
	pub_job_result_free(&res);
	return rc;
}
