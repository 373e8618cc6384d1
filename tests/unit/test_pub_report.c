/* test_pub_report.c — the table and Markdown reports, byte for byte against
 * under tests/data/status; ages, durations, the --since diff and --check. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "status.h"

static const char *NOW = "2026-11-22T09:00:00Z";

static struct pub_status *load(const char *name)
{
	char path[1024];
	struct pub_status *st = NULL;
	struct reg_error err = {0};
	snprintf(path, sizeof(path), "%s/status/%s", getenv("MANIFOLD_TESTDATA"), name);
	if (pub_status_load(path, &st, &err) < 0)
		fprintf(stderr, "%s\n", err.msg);
	return st;
}

static char *slurp(const char *name)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/status/%s", getenv("MANIFOLD_TESTDATA"), name);
	FILE *f = fopen(path, "r");
	if (!f)
		return strdup("(missing expected file)");
	char *buf = calloc(1, 1 << 16);
	size_t n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

typedef int (*render_fn)(FILE *, const struct pub_status *, const struct pub_since *, const char *);

static int table_plain(FILE *f, const struct pub_status *st, const struct pub_since *s,
                       const char *now)
{
	return pub_report_table(f, st, s, now, 0);
}

static char *render(render_fn fn, const struct pub_status *st, const struct pub_since *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CHECK_INT(fn(f, st, s, NOW), 0);
	fclose(f);
	return buf;
}

static void expect_render(render_fn fn, const struct pub_status *st, const struct pub_since *s,
                          const char *expected_file)
{
	char *got = render(fn, st, s), *want = slurp(expected_file);
	CHECK_STR(got, want);
	free(got);
	free(want);
}

int main(void)
{
	struct pub_status *night = load("night.json"), *shard = load("shard1.json");
	struct reg_error err = {0};
	char age[32];

	CHECK(night && shard);
	if (!night || !shard)
		return check_finish();
	expect_render(table_plain, night, NULL, "night.table.txt");
	expect_render(pub_report_markdown, night, NULL, "night.md");

	/* --since: night → night+shard1 (pause now published, etcd new) */
	struct pub_status *merged = load("night.json");
	CHECK_INT(pub_status_merge(merged, shard, &err), 0);
	expect_render(pub_report_markdown, merged, NULL, "merged.md");
	struct pub_since since;
	CHECK_INT(pub_since_diff(night, merged, "HEAD~1", &since, &err), 0);
	CHECK_INT(since.n_published, 2);
	CHECK_INT(since.n_broken, 0);
	CHECK_INT(since.n_still, 1);
	if (since.n_published == 2 && since.n_still == 1) {
		CHECK_STR(since.published[0]->target, "reg.example/etcd:3.5.15");
		CHECK_STR(since.published[1]->target, "reg.example/pause:3.10");
		CHECK_STR(since.still[0]->target, "reg.example/coredns:v1.11.3");
	}
	expect_render(pub_report_markdown, merged, &since, "since.md");
	pub_since_free(&since);

	/* the other way round: pause newly broken, etcd gone */
	CHECK_INT(pub_since_diff(merged, night, "v1", &since, &err), 0);
	CHECK_INT(since.n_broken, 1);
	if (since.n_broken == 1)
		CHECK_STR(since.broken[0]->target, "reg.example/pause:3.10");
	CHECK_INT(since.n_published, 0);
	pub_since_free(&since);

	pub_age_format("2026-11-19T03:00:00Z", NOW, age, sizeof(age));
	CHECK_STR(age, "3d 6h");
	pub_age_format("2026-11-22T08:48:00Z", NOW, age, sizeof(age));
	CHECK_STR(age, "12m");
	pub_age_format("garbage", NOW, age, sizeof(age));
	CHECK_STR(age, "");
	CHECK_INT(pub_duration_parse("48h"), 172800);
	CHECK_INT(pub_duration_parse("2d"), 172800);
	CHECK_INT(pub_duration_parse("90m"), 5400);
	CHECK_INT(pub_duration_parse("48"), -1);
	CHECK_INT(pub_duration_parse("-1h"), -1);

	/* --check: coredns failed always; pause incomplete for 3d 6h */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CHECK_INT(pub_status_check(f, night, 48 * 3600, NOW), 2);
	CHECK_INT(pub_status_check(f, night, 4 * 86400, NOW), 1);
	fclose(f);
	CHECK_STR(buf,
	          "FAILED reg.example/coredns:v1.11.3: linux/arm/v7: wrong platform: config says "
	          "linux/amd64\n"
	          "INCOMPLETE reg.example/pause:3.10: for 3d 6h (missing linux/arm64/v8)\n"
	          "FAILED reg.example/coredns:v1.11.3: linux/arm/v7: wrong platform: config says "
	          "linux/amd64\n");
	free(buf);
	CHECK_INT(pub_status_check(stderr, shard, 3600, NOW), 0);

	pub_status_free(night);
	pub_status_free(shard);
	pub_status_free(merged);
	return check_finish();
}
