/* cmd_status.c — `manifold status FILE...`: merge the files (shards), report
 * as a table, JSON, Markdown or HTML, optionally what changed since a git
 * revision, and --check for alerting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: manifold status FILE... [--format table|json|markdown|html] [-o OUT]\n"
	        "                       [--since REV] [--check [--max-incomplete-age 48h]]\n\n"
	        "Reports on status files; several files (shards) are merged by target.\n"
	        "  --format F               table (default), json, markdown, html\n"
	        "  -o, --output-file OUT    write the report to OUT instead of stdout\n"
	        "  --since REV              also report what changed since git revision REV\n"
	        "  --check                  exit 1 when a target failed or is incomplete too long\n"
	        "  --max-incomplete-age D   with --check: 48h (default), 2d, 90m, 3600s\n");
}

int cmd_status_main(int argc, char **argv)
{
	const char *format = "table", *outpath = NULL, *rev = NULL, *maxage_text = "48h";
	const char **files = calloc((size_t)argc + 1, sizeof(*files));
	size_t nfiles = 0;
	int check = 0, rc = PUB_EXIT_USAGE;
	struct pub_status *all = NULL, *old = NULL;
	struct pub_since since;
	int have_since = 0;
	struct reg_error err = {0};
	FILE *out = stdout;
	char *now = NULL;
	long long maxage;

	if (!files)
		return PUB_EXIT_USAGE;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			rc = PUB_EXIT_OK;
			goto out;
		} else if (!strcmp(a, "--check")) {
			check = 1;
			continue;
		} else if (!strcmp(a, "--format")) {
			dst = &format;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output-file")) {
			dst = &outpath;
		} else if (!strcmp(a, "--since")) {
			dst = &rev;
		} else if (!strcmp(a, "--max-incomplete-age")) {
			dst = &maxage_text;
		} else if (!strncmp(a, "--format=", 9)) {
			format = a + 9;
			continue;
		} else if (!strncmp(a, "--since=", 8)) {
			rev = a + 8;
			continue;
		} else if (!strncmp(a, "--max-incomplete-age=", 21)) {
			maxage_text = a + 21;
			continue;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "manifold status: unknown option %s\n", a);
			usage(stderr);
			goto out;
		} else {
			files[nfiles++] = a;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "manifold status: %s needs a value\n", a);
			goto out;
		}
		*dst = argv[++i];
	}
	if (!nfiles) {
		fprintf(stderr, "manifold status: no status file given\n");
		usage(stderr);
		goto out;
	}
	if (strcmp(format, "table") && strcmp(format, "json") && strcmp(format, "markdown") &&
	    strcmp(format, "html")) {
		fprintf(stderr,
		        "manifold status: --format \"%s\": want table, json, markdown or html\n",
		        format);
		goto out;
	}
	if ((maxage = pub_duration_parse(maxage_text)) < 0) {
		fprintf(stderr,
		        "manifold status: --max-incomplete-age \"%s\": want e.g. 48h, 2d, 90m\n",
		        maxage_text);
		goto out;
	}
	for (size_t i = 0; i < nfiles; i++) {
		struct pub_status *st = NULL;
		if (pub_status_load(files[i], &st, &err) < 0) {
			fprintf(stderr, "manifold status: %s\n", err.msg);
			goto out;
		}
		if (!all) {
			all = st;
		} else {
			int m = pub_status_merge(all, st, &err);
			pub_status_free(st);
			if (m < 0) {
				fprintf(stderr, "manifold status: %s\n", err.msg);
				goto out;
			}
		}
		if (rev) {
			struct pub_status *o = NULL;
			if (pub_git_status_at(files[i], rev, &o, &err) < 0) {
				fprintf(stderr, "manifold status: %s\n", err.msg);
				goto out;
			}
			if (!old) {
				old = o;
			} else {
				int m = pub_status_merge(old, o, &err);
				pub_status_free(o);
				if (m < 0) {
					fprintf(stderr, "manifold status: %s\n", err.msg);
					goto out;
				}
			}
		}
	}
	now = pub_now_rfc3339();
	if (!now)
		goto out;
	if (rev) {
		if (pub_since_diff(old, all, rev, &since, &err) < 0) {
			fprintf(stderr, "manifold status: %s\n", err.msg);
			goto out;
		}
		have_since = 1;
	}
	if (outpath && !(out = fopen(outpath, "w"))) {
		fprintf(stderr, "manifold status: %s: %m\n", outpath);
		out = stdout;
		goto out;
	}
	const struct pub_since *sp = have_since ? &since : NULL;
	int r;
	if (!strcmp(format, "json"))
		r = pub_report_json(out, all, sp, now);
	else if (!strcmp(format, "markdown"))
		r = pub_report_markdown(out, all, sp, now);
	else if (!strcmp(format, "html"))
		r = pub_report_html(out, all, sp, now);
	else
		r = pub_report_table(out, all, sp, now, !outpath && cli_color_enabled(stdout));
	if (r < 0 || fflush(out) != 0) {
		fprintf(stderr, "manifold status: writing the report failed\n");
		rc = PUB_EXIT_FAILED;
		goto out;
	}
	rc = PUB_EXIT_OK;
	if (check && pub_status_check(stderr, all, maxage, now) > 0)
		rc = PUB_EXIT_FAILED;
out:
	if (out != stdout && fclose(out) != 0 && rc == PUB_EXIT_OK) {
		fprintf(stderr, "manifold status: %s: write failed\n", outpath);
		rc = PUB_EXIT_FAILED;
	}
	if (have_since)
		pub_since_free(&since);
	free(now);
	pub_status_free(all);
	pub_status_free(old);
	free(files);
	return rc;
}
