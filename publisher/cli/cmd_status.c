/* cmd_status.c — `manifold status FILE...`: options, merge the files (shards), report
 * as a table, JSON, Markdown or HTML, optionally what changed since a git
 * revision, and --check for alerting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "job_status.h"
#include "status_report.h"

/* The report in `format` (-o), with the history when one was read. */
static int render(FILE *out, const char *format, const struct status_status *all,
                  const struct status_report_opts *o)
{
	if (!strcmp(format, "json"))
		return o->hist ? status_history_report_json(out, o->hist)
		               : status_report_json(out, all, o->since, o->now);
	if (!strcmp(format, "markdown"))
		return status_report_markdown_opts(out, all, o);
	if (!strcmp(format, "html"))
		return status_report_html_opts(out, all, o);
	return status_report_table_opts(out, all, o);
}

/* Which files or records the report leaves out, and why. */
static void status_note(void *ctx, const char *msg)
{
	(void)ctx;
	cli_error("status", "%s", msg);
}

/* --check's lines on stderr: as they are, or with --log-format json one
 * error line each. How many targets are not well. */
static int check(const struct pub_status_result *res, long long maxage)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int bad;

	if (!cli_log_json())
		return status_check(stderr, res->all, maxage, res->now);
	if (!(f = open_memstream(&buf, &len))) {
		cli_error("status", "out of memory");
		return 1;
	}
	bad = status_check(f, res->all, maxage, res->now);
	fclose(f);
	for (char *line = buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		if ((nl = strchr(line, '\n')))
			*nl = '\0';
		cli_log_line("status", PUB_LOG_ERROR, line);
	}
	free(buf);
	return bad;
}

/* Write the report in -o's format to stdout, or to a temporary file beside
 * --output-file that then takes its place (a reader of the file sees the
 * last report or this one, never a part; a big report is never whole in
 * memory); then --check. The exit code. */
static int report(const struct cli_args *a, const struct pub_status_result *res, long long maxage)
{
	struct base_error err = {0};
	struct base_atomic_file af = {0};
	FILE *out = stdout;
	int rc = CLI_EXIT_FAILED, r;

	if (a->output_file) {
		if (base_file_atomic_open(&af, a->output_file, 0644, &err) < 0) {
			cli_error("status", "%s", err.msg);
			return CLI_EXIT_FAILED;
		}
		out = af.f;
	}
	struct status_report_opts ro = {
	    .now = res->now,
	    .since = res->has_since ? &res->since : NULL,
	    .hist = res->hist,
	    .title = a->title,
	    .release = a->release_name,
	    .registry_url = a->registry_url,
	    .commit = res->commit[0] ? res->commit : NULL,
	    .commit_url = a->commit_url,
	    .compact = a->compact,
	    .color = !a->output_file && cli_color_enabled(stdout),
	};
	r = render(out, a->output, res->all, &ro);
	if (r < 0 || fflush(out) != 0) {
		cli_error("status", "writing the report failed");
		goto out;
	}
	if (a->output_file && base_file_atomic_commit(&af, &err) < 0) {
		cli_error("status", "%s", err.msg);
		goto out;
	}
	rc = CLI_EXIT_OK;
	if (a->check && check(res, maxage) > 0)
		rc = CLI_EXIT_FAILED;
out:
	base_file_atomic_abort(&af);
	return rc;
}

static int cmd_status_main(const struct cli_program *prog, int argc, char **argv)
{
	struct cli_args a;
	const char *maxage_text;
	int rc = CLI_EXIT_USAGE, pr;
	struct base_error err = {0};
	struct pub_status_result res = {0};
	long long maxage;

	(void)prog;
	pr = cli_parse(&cli_cmd_status, argc, argv, &a);
	if (pr != 0) {
		rc = pr > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
		goto out;
	}
	maxage_text = a.max_incomplete_age ? a.max_incomplete_age : "48h";
	if (!a.n_operands) {
		cli_error("status", "no status file given; see 'manifold status "
		                    "--help'");
		goto out;
	}
	if (base_duration_parse(maxage_text, &maxage) < 0 || maxage > 36500 * 86400000LL) {
		cli_error("status",
		          "--max-incomplete-age: expected " BASE_DURATION_WANT(
		              "0s", "36500d") ", got \"%s\"",
		          maxage_text);
		goto out;
	}
	maxage /= 1000; /* the check counts whole seconds */
	if (a.compact && strcmp(a.output, "markdown") != 0) {
		cli_error("status", "--compact is for -o markdown, not -o %s", a.output);
		goto out;
	}
	struct pub_status_options o = {
	    .files = (const char *const *)a.operands,
	    .n_files = a.n_operands,
	    .config_path = a.config,
	    .since = a.since,
	    .history = a.history || a.days,
	    .range = a.history,
	    .days = a.days,
	    .note = status_note,
	    .want_commit = a.commit_url != NULL,
	};
	pr = pub_status_run(&o, &res, &err);
	if (pr < 0) {
		if (err.msg[0])
			cli_error("status", "%s", err.msg);
		rc = cli_exit_of_rc(pr);
		goto out;
	}
	rc = report(&a, &res, maxage);
out:
	pub_status_result_free(&res);
	cli_args_free(&a);
	return rc;
}

const struct cli_command cli_cmd_status = {
    .name = "status",
    .id = CLI_STATUS,
    .run = cmd_status_main,
    .synopsis = "FILE... [-c CONFIG] [-o table|json|markdown|html] [--output-file OUT]\n"
                "FILE... [--since REV] [--check [--max-incomplete-age 48h]]\n"
                "FILE --history [REV-RANGE] [--days N] [-o html|markdown|json]\n"
                "FILE... -o markdown --compact [--title T] [--release NAME]",
    .summary = "report on status files (table, json, markdown, html)",
    .description = "Reports on status files; several files (shards) are merged by target: those\n"
                   "of the latest sharding (shard count and config digest of the file whose run\n"
                   "finished last), each shard's own targets; stderr says what was left out.\n"
                   "With -c CONFIG, targets the config no longer has are left out too.",
    .exit_codes = "0 ok, 1 --check found a failed, held or long-incomplete target, or the "
                  "report could not be written, 2 usage error",
    .formats = cli_formats_status,
    .max_operands = -1,
    .operands = CLI_COMP_FILE,
};
