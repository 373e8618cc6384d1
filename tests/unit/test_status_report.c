/* test_status_report.c — the table and Markdown reports, byte for byte against
 * under tests/data/status; ages, durations, the --since diff and --check. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "status_report.h"
#include "status_testdata.h"
#include "report_internal.h"

static const char *NOW = "2026-11-22T09:00:00Z";

static struct status_status *load(const char *name)
{
	return status_testdata(name);
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

typedef int (*render_fn)(FILE *, const struct status_status *, const struct status_since *,
                         const char *);

static int table_plain(FILE *f, const struct status_status *st, const struct status_since *s,
                       const char *now)
{
	return status_report_table(f, st, s, now, 0);
}

static char *render(render_fn fn, const struct status_status *st, const struct status_since *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(fn(f, st, s, NOW), 0);
	fclose(f);
	return buf;
}

static void expect_render(render_fn fn, const struct status_status *st,
                          const struct status_since *s, const char *expected_file)
{
	char *got = render(fn, st, s), *want = slurp(expected_file);
	assert_str_or_null_equal(got, want);
	free(got);
	free(want);
}

/* night.json, shard1.json, and night.json merged with shard1.json */
struct statuses {
	struct status_status *night, *shard, *merged;
};

static int statuses_setup(void **state)
{
	struct base_error err = {0};
	struct statuses *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	*state = fx;
	fx->night = load("night.json");
	fx->shard = load("shard1.json");
	fx->merged = load("night.json");
	if (!fx->night || !fx->shard || !fx->merged)
		return -1;
	if (status_merge(fx->merged, fx->shard, &err) != 0) {
		print_error("%s\n", err.msg);
		return -1;
	}
	return 0;
}

static int statuses_teardown(void **state)
{
	struct statuses *fx = *state;
	status_free(fx->night);
	status_free(fx->shard);
	status_free(fx->merged);
	free(fx);
	return 0;
}

static void report_table_is_exact(void **state)
{
	struct statuses *fx = *state;
	expect_render(table_plain, fx->night, NULL, "night.table.txt");
}

static void report_markdown_is_exact(void **state)
{
	struct statuses *fx = *state;
	expect_render(status_report_markdown, fx->night, NULL, "night.md");
}

static void report_markdown_of_merged_shards_is_exact(void **state)
{
	(void)state;
	struct base_error err = {0};
	struct status_status *night = load("night.json"), *shard = load("shard1.json");
	assert_non_null(night);
	assert_non_null(shard);
	/* night + shard1: pause now published, etcd new */
	assert_int_equal(status_merge(night, shard, &err), 0);
	expect_render(status_report_markdown, night, NULL, "merged.md");
	status_free(night);
	status_free(shard);
}

static void since_lists_newly_published_and_still_broken(void **state)
{
	struct statuses *fx = *state;
	struct base_error err = {0};
	struct status_since since;
	assert_int_equal(status_since_diff(fx->night, fx->merged, "HEAD~1", &since, &err), 0);
	assert_int_equal(since.n_published, 2);
	assert_int_equal(since.n_broken, 0);
	assert_int_equal(since.n_still, 1);
	assert_string_equal(since.published[0]->target, "reg.example/etcd:3.5.15");
	assert_string_equal(since.published[1]->target, "reg.example/pause:3.10");
	assert_string_equal(since.still[0]->target, "reg.example/coredns:v1.11.3");
	status_since_free(&since);
}

static void since_markdown_is_exact(void **state)
{
	struct statuses *fx = *state;
	struct base_error err = {0};
	struct status_since since;
	assert_int_equal(status_since_diff(fx->night, fx->merged, "HEAD~1", &since, &err), 0);
	expect_render(status_report_markdown, fx->merged, &since, "since.md");
	status_since_free(&since);
}

static void since_the_other_way_lists_newly_broken(void **state)
{
	struct statuses *fx = *state;
	struct base_error err = {0};
	struct status_since since;
	/* pause newly broken, etcd gone */
	assert_int_equal(status_since_diff(fx->merged, fx->night, "v1", &since, &err), 0);
	assert_int_equal(since.n_broken, 1);
	assert_string_equal(since.broken[0]->target, "reg.example/pause:3.10");
	assert_int_equal(since.n_published, 0);
	status_since_free(&since);
}

static void age_format_gives_two_largest_units(void **state)
{
	(void)state;
	char age[32];
	status_age_format("2026-11-19T03:00:00Z", NOW, age, sizeof(age));
	assert_string_equal(age, "3d 6h");
	status_age_format("2026-11-22T08:48:00Z", NOW, age, sizeof(age));
	assert_string_equal(age, "12m");
	status_age_format("garbage", NOW, age, sizeof(age));
	assert_string_equal(age, "");
}

static void check_reports_failed_always_and_incomplete_past_the_limit(void **state)
{
	struct statuses *fx = *state;
	char *buf = NULL;
	size_t len = 0;
	/* coredns failed always; pause incomplete for 3d 6h */
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(status_check(f, fx->night, 48 * 3600, NOW), 2);
	assert_int_equal(status_check(f, fx->night, 4 * 86400, NOW), 1);
	fclose(f);
	assert_str_or_null_equal(
	    buf, "FAILED reg.example/coredns:v1.11.3: linux/arm/v7: wrong platform: config says "
	         "linux/amd64\n"
	         "INCOMPLETE reg.example/pause:3.10: for 3d 6h (missing linux/arm64/v8)\n"
	         "FAILED reg.example/coredns:v1.11.3: linux/arm/v7: wrong platform: config says "
	         "linux/amd64\n");
	free(buf);
}

static void check_reports_a_held_target_whatever_its_age(void **state)
{
	struct statuses *fx = *state;
	struct status_target_status *t = &fx->shard->targets[0];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(status_target_unpack(t), 0); /* read packed: made changeable */
	t->state = STATUS_T_HELD;
	free(t->reason);
	t->reason = strdup("would drop linux/s390x, which the tag's current list has");
	assert_int_equal(status_check(f, fx->shard, 30L * 86400, "2026-11-22T05:11:00Z"), 1);
	fclose(f);
	assert_str_or_null_equal(buf, "HELD reg.example/etcd:3.5.15: for 2h 0m (would drop "
	                              "linux/s390x, which the tag's current list has)\n");
	free(buf);
}

/* Every character HTML gives a meaning to is escaped, wherever it stands,
 * and the text around it is written as it is. */
static void html_escape_is_exact(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"", ""},
	    {"plain reg.example/pause:3.10", "plain reg.example/pause:3.10"},
	    {"&<>\"'", "&amp;&lt;&gt;&quot;&#39;"},
	    {"a<b>c&d\"e'f", "a&lt;b&gt;c&amp;d&quot;e&#39;f"},
	    {"<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"},
	    {"ends with &", "ends with &amp;"},
	    {"caf\xc3\xa9 \xe2\x9c\x93", "caf\xc3\xa9 \xe2\x9c\x93"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		assert_non_null(f);
		status_html_esc(f, cases[i].in);
		fclose(f);
		assert_string_equal(buf, cases[i].out);
		free(buf);
	}
}

static void check_passes_a_healthy_status(void **state)
{
	struct statuses *fx = *state;
	assert_int_equal(status_check(stderr, fx->shard, 3600, NOW), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(report_table_is_exact, statuses_setup,
	                                    statuses_teardown),
	    cmocka_unit_test_setup_teardown(report_markdown_is_exact, statuses_setup,
	                                    statuses_teardown),
	    cmocka_unit_test(report_markdown_of_merged_shards_is_exact),
	    cmocka_unit_test_setup_teardown(since_lists_newly_published_and_still_broken,
	                                    statuses_setup, statuses_teardown),
	    cmocka_unit_test_setup_teardown(since_markdown_is_exact, statuses_setup,
	                                    statuses_teardown),
	    cmocka_unit_test_setup_teardown(since_the_other_way_lists_newly_broken, statuses_setup,
	                                    statuses_teardown),
	    cmocka_unit_test(age_format_gives_two_largest_units),
	    cmocka_unit_test(html_escape_is_exact),
	    cmocka_unit_test_setup_teardown(
	        check_reports_failed_always_and_incomplete_past_the_limit, statuses_setup,
	        statuses_teardown),
	    cmocka_unit_test_setup_teardown(check_reports_a_held_target_whatever_its_age,
	                                    statuses_setup, statuses_teardown),
	    cmocka_unit_test_setup_teardown(check_passes_a_healthy_status, statuses_setup,
	                                    statuses_teardown),
	};
	return unit_run_group("test_status_report", tests, argc, argv);
}
