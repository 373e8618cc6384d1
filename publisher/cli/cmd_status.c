/* cmd_status.c — `manifold status FILE...`: options, merge the files (shards), report
 * as a table, JSON, Markdown or HTML, optionally what changed since a git
 * revision, and --check for alerting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The report in `format` (-o), with the history when one was read. */
static int render(FILE *out, const char *format, const struct pub_status *all,
                  const struct pub_since *sp, const struct pub_history *hist, const char *now,
                  int color)
{
	if (!strcmp(format, "json"))
		return hist ? pub_history_report_json(out, hist)
		            : pub_report_json(out, all, sp, now);
	if (!strcmp(format, "markdown"))
		return pub_report_markdown_history(out, all, sp, hist, now);
	if (!strcmp(format, "html"))
		return pub_report_html_history(out, all, sp, hist, now);
	return pub_report_table(out, all, sp, now, color);
}

/* Which files or records the report leaves out, and why. */
static void status_note(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "manifold status: %s\n", msg);
}

static int cmd_status_main(const struct cli_program *prog, int argc, char **argv)
{
	struct cli_args a;
	const char *format, *outpath = NULL, *rev, *maxage_text;
	const char *const *files;
	size_t nfiles;
	int check, rc = PUB_EXIT_USAGE, pr;
	struct pub_status *all = NULL, *old = NULL;
	struct pub_since since;
	struct pub_history *hist = NULL;
	struct pub_history_options ho = {0};
	int have_since = 0;
	struct base_error err = {0};
	struct pub_status_pick pick = {.note = status_note, .owns = farm_shard_has};
	char **known = NULL, digest[REG_DIGEST_MAX];
	size_t n_known = 0;
	FILE *out = stdout;
	char *now = NULL, *obuf = NULL;
	size_t olen = 0;
	long long maxage;
	int r;

	(void)prog;
	pr = cli_parse(&cli_cmd_status, argc, argv, &a);
	if (pr != 0) {
		rc = pr > 0 ? PUB_EXIT_OK : PUB_EXIT_USAGE;
		goto out;
	}
	format = a.output;
	outpath = a.output_file;
	rev = a.since;
	maxage_text = a.max_incomplete_age ? a.max_incomplete_age : "48h";
	check = a.check;
	files = (const char *const *)a.operands;
	nfiles = a.n_operands;
	if (!nfiles) {
		fprintf(stderr, "manifold status: no status file given; see 'manifold status "
		                "--help'\n");
		goto out;
	}
	if (base_duration_parse(maxage_text, &maxage) < 0 || maxage > 36500 * 86400000LL) {
		fprintf(stderr,
		        "manifold status: --max-incomplete-age: expected " BASE_DURATION_WANT(
		            "0s", "36500d") ", got \"%s\"\n",
		        maxage_text);
		goto out;
	}
	maxage /= 1000; /* the check counts whole seconds */
	if (a.config) {
		int cr = pub_config_targets(a.config, &known, &n_known, digest, &err);
		if (cr < 0) {
			fprintf(stderr, "manifold status: %s\n", err.msg);
			rc = cli_exit_of_rc(cr);
			goto out;
		}
		pick.config_path = a.config;
		pick.known = (const char *const *)known;
		pick.n_known = n_known;
		pick.config_digest = digest;
	}
	if (pub_status_load_all(files, nfiles, rev, &pick, &all, &old, &err) < 0) {
		fprintf(stderr, "manifold status: %s\n", err.msg);
		goto out;
	}
	if (a.config && all->shard.count && all->shard.config_digest &&
	    strcmp(all->shard.config_digest, digest) != 0)
		fprintf(
		    stderr,
		    "manifold status: %s is not the config the latest sharding ran (%.19s, this "
		    "is %.19s): its targets decide what is reported\n",
		    a.config, all->shard.config_digest, digest);
	now = pub_now_rfc3339();
	if (!now)
		goto out;
	if (a.history || a.days) {
		char *end = NULL;
		ho.range = a.history && *a.history ? a.history : NULL;
		ho.days = a.days ? strtoll(a.days, &end, 10) : 0;
		ho.now = now;
		if (nfiles != 1 || (a.days && (*end || ho.days < 1 || ho.days > 100000))) {
			fprintf(stderr,
			        "manifold status: --history takes one file; --days 1..100000\n");
			goto out;
		}
		if (pub_history_read(files[0], &ho, &hist, &err) < 0) {
			fprintf(stderr, "manifold status: %s\n", err.msg);
			goto out;
		}
	}
	if (rev) {
		if (pub_since_diff(old, all, rev, &since, &err) < 0) {
			fprintf(stderr, "manifold status: %s\n", err.msg);
			goto out;
		}
		have_since = 1;
	}
	/* --output-file: rendered in memory, then written atomically, so a
	 * reader of the file sees the last report or this one, never a part. */
	if (outpath && !(out = open_memstream(&obuf, &olen))) {
		fprintf(stderr, "manifold status: out of memory\n");
		out = stdout;
		goto out;
	}
	r = render(out, format, all, have_since ? &since : NULL, hist, now,
	           !outpath && cli_color_enabled(stdout));
	if (r < 0 || fflush(out) != 0) {
		fprintf(stderr, "manifold status: writing the report failed\n");
		rc = PUB_EXIT_FAILED;
		goto out;
	}
	if (outpath) {
		fclose(out);
		out = stdout;
		if (base_file_write_atomic(outpath, obuf, olen, 0644, &err) < 0) {
			fprintf(stderr, "manifold status: %s\n", err.msg);
			rc = PUB_EXIT_FAILED;
			goto out;
		}
	}
	rc = PUB_EXIT_OK;
	if (check && pub_status_check(stderr, all, maxage, now) > 0)
		rc = PUB_EXIT_FAILED;
out:
	if (out != stdout)
		fclose(out);
	free(obuf);
	if (have_since)
		pub_since_free(&since);
	free(now);
	pub_status_free(all);
	pub_status_free(old);
	pub_history_free(hist);
	for (size_t i = 0; i < n_known; i++)
		free(known[i]);
	free(known);
	cli_args_free(&a);
	return rc;
}

const struct cli_command cli_cmd_status = {
    .name = "status",
    .id = CLI_STATUS,
    .run = cmd_status_main,
    .synopsis = "FILE... [-c CONFIG] [-o table|json|markdown|html] [--output-file OUT]\n"
                "FILE... [--since REV] [--check [--max-incomplete-age 48h]]\n"
                "FILE --history [REV-RANGE] [--days N] [-o html|markdown|json]",
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
