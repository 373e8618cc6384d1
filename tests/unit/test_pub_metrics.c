/* test_pub_metrics.c — the metrics text (pub_metrics_text) and what it reads
 * from the status file: exact exposition lines, label escaping, the shard
 * label, check's states, the held targets, and last_success carried over
 * a failed night or one that left a target held (pub_status_next) and
 * through a round trip of the file. */
#include "unit.h"

#include "job_internal.h"

static struct pub_job_result result(void)
{
	static struct reg_request_count req[] = {
	    {"reg.example", "GET", 200, 7},
	    {"we\"ird\\host", "HEAD", 0, 2},
	};
	struct pub_job_result r;

	memset(&r, 0, sizeof(r));
	r.run.published = 2;
	r.run.incomplete = 1;
	r.run.finished = "2026-11-22T03:00:10Z";
	r.requests = req;
	r.n_requests = 2;
	r.stats.retries_timeout = 3;
	r.stats.bytes_copied = 123456789012ULL;
	r.has_status = 1;
	r.last_success = "2026-11-20T03:00:00Z";
	r.oldest_incomplete_since = "2026-11-21T03:00:10Z";
	r.held_in_status = 2;
	r.oldest_held_since = "2026-11-22T01:00:10Z";
	return r;
}

static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

#define assert_line(text, line)                                                                    \
	do {                                                                                       \
		if (!has_line(text, line))                                                         \
			fail_msg("line [%s] not in:\n%s", line, text);                             \
	} while (0)

static void metrics_text_has_exact_samples(void **state)
{
	struct pub_job_result r = result();
	char *t = pub_metrics_text(&r, 0, 1.5);

	(void)state;
	assert_non_null(t);
	assert_line(t, "# TYPE manifold_targets gauge");
	assert_line(t, "manifold_targets{state=\"published\"} 2");
	assert_line(t, "manifold_targets{state=\"unchanged\"} 0");
	assert_line(t, "manifold_targets{state=\"incomplete\"} 1");
	assert_line(t, "manifold_run_duration_seconds 1.500");
	assert_line(t, "# TYPE manifold_requests_total counter");
	assert_line(
	    t, "manifold_requests_total{registry=\"reg.example\",method=\"GET\",code=\"200\"} 7");
	assert_line(t, "manifold_retries_total{cause=\"timeout\"} 3");
	assert_line(t, "manifold_copied_bytes_total 123456789012");
	assert_line(t, "manifold_last_success_timestamp_seconds 1795143600");
	assert_line(t, "manifold_last_run_timestamp_seconds 1795316410");
	assert_line(t, "manifold_oldest_incomplete_age_seconds 86400");
	assert_line(t, "# TYPE manifold_held_targets gauge");
	assert_line(t, "manifold_held_targets 2");
	assert_line(t, "manifold_oldest_held_age_seconds 7200");
	free(t);
}

static void metrics_labels_are_escaped_and_no_answer_is_none(void **state)
{
	struct pub_job_result r = result();
	char *t = pub_metrics_text(&r, 0, 0);

	(void)state;
	assert_line(t, "manifold_requests_total{registry=\"we\\\"ird\\\\host\",method=\"HEAD\","
	               "code=\"none\"} 2");
	free(t);
}

static void metrics_of_a_shard_label_every_sample(void **state)
{
	struct pub_job_result r = result();
	char *t, *line;

	(void)state;
	r.shard_index = 3;
	r.shard_count = 4;
	t = pub_metrics_text(&r, 1, 0);
	assert_line(t, "manifold_targets{state=\"ready\",shard=\"3\"} 0");
	assert_line(t, "manifold_copied_bytes_total{shard=\"3\"} 123456789012");
	assert_null(strstr(t, "state=\"published\""));
	assert_null(strstr(t, "manifold_held_targets"));
	for (line = t; *line; line = strchr(line, '\n') + 1)
		if (*line != '#')
			assert_true(strstr(line, "shard=\"3\"") < strchr(line, '\n'));
	free(t);
}

static void metrics_without_status_file_use_this_run(void **state)
{
	struct pub_job_result r = result();
	char *t;

	(void)state;
	r.has_status = 0;
	t = pub_metrics_text(&r, 0, 0);
	assert_line(t, "manifold_last_success_timestamp_seconds 1795316410");
	assert_null(strstr(t, "manifold_oldest_incomplete_age_seconds"));
	free(t);
	r.run.failed = 1;
	t = pub_metrics_text(&r, 0, 0);
	assert_null(strstr(t, "manifold_last_success_timestamp_seconds"));
	free(t);
	r.run.failed = 0;
	r.run.held = 1;
	t = pub_metrics_text(&r, 0, 0);
	assert_null(strstr(t, "manifold_last_success_timestamp_seconds"));
	assert_line(t, "manifold_held_targets 1");
	assert_null(strstr(t, "manifold_oldest_held_age_seconds"));
	free(t);
}

/* A night that leaves a target held is no success, until the target is
 * published (or the record is gone); the status file counts its held
 * targets and the oldest one's since for the metrics. */
static void last_success_waits_while_a_target_is_held(void **state)
{
	struct pub_status *a = NULL, *b = NULL, *c = NULL;
	struct pub_run good = {"2026-11-20T03:00:00Z", "2026-11-20T03:00:09Z", 1, 0, 0, 0, 0, 0};
	struct pub_run hold = {"2026-11-21T03:00:00Z", "2026-11-21T03:00:09Z", 0, 0, 0, 0, 0, 1};
	struct pub_run next = {"2026-11-22T03:00:00Z", "2026-11-22T03:00:09Z", 0, 1, 0, 0, 0, 0};
	struct pub_target_status pub = {
	    .target = "reg/app:v1", .state = PUB_T_PUBLISHED, .digest = "sha256:aa"};
	struct pub_target_status held = pub, other = pub;
	struct pub_job_result r;
	struct base_error err;

	(void)state;
	held.state = PUB_T_HELD;
	held.reason = "would drop linux/arm64";
	other.target = "reg/other:v1";
	base_error_clear(&err);
	memset(&r, 0, sizeof(r));
	assert_int_equal(pub_status_next(NULL, &pub, 1, NULL, 0, "c.yaml", &good, &a, &err), 0);
	assert_string_equal(a->last_success, "2026-11-20T03:00:09Z");
	assert_int_equal(pub_status_next(a, &held, 1, NULL, 0, "c.yaml", &hold, &b, &err), 0);
	assert_string_equal(b->last_success, "2026-11-20T03:00:09Z");
	/* a later night that does not touch the held target: still held */
	assert_int_equal(pub_status_next(b, &other, 1, NULL, 0, "c.yaml", &next, &c, &err), 0);
	assert_string_equal(c->last_success, "2026-11-20T03:00:09Z");
	pub_metrics_from_status(c, &r);
	assert_int_equal(r.held_in_status, 1);
	assert_string_equal(r.oldest_held_since, "2026-11-21T03:00:00Z");
	assert_string_equal(r.last_success, "2026-11-20T03:00:09Z");
	pub_status_free(c);
	/* published again: the night is a success */
	assert_int_equal(pub_status_next(b, &pub, 1, NULL, 0, "c.yaml", &next, &c, &err), 0);
	assert_string_equal(c->last_success, "2026-11-22T03:00:09Z");
	pub_metrics_from_status(c, &r);
	assert_int_equal(r.held_in_status, 0);
	assert_null(r.oldest_held_since);
	pub_job_result_free(&r);
	pub_status_free(a);
	pub_status_free(b);
	pub_status_free(c);
}

static void last_success_survives_a_failed_night_and_the_file(void **state)
{
	struct pub_status *a = NULL, *b = NULL, *back = NULL;
	struct pub_run good = {"2026-11-20T03:00:00Z", "2026-11-20T03:00:09Z", 1, 0, 0, 0, 0, 0};
	struct pub_run bad = {"2026-11-21T03:00:00Z", "2026-11-21T03:00:09Z", 0, 1, 0, 1, 0, 0};
	struct base_error err;
	char *text;

	(void)state;
	base_error_clear(&err);
	assert_int_equal(pub_status_next(NULL, NULL, 0, NULL, 0, "c.yaml", &good, &a, &err), 0);
	assert_string_equal(a->last_success, "2026-11-20T03:00:09Z");
	assert_int_equal(pub_status_next(a, NULL, 0, NULL, 0, "c.yaml", &bad, &b, &err), 0);
	assert_string_equal(b->last_success, "2026-11-20T03:00:09Z");
	text = pub_status_serialize(b);
	assert_non_null(strstr(text, "    \"failed\": 1,\n    \"last_success\": "
	                             "\"2026-11-20T03:00:09Z\"\n  },\n"));
	assert_int_equal(pub_status_parse("s.json", text, strlen(text), &back, &err), 0);
	assert_string_equal(back->last_success, "2026-11-20T03:00:09Z");
	free(text);
	pub_status_free(a);
	pub_status_free(b);
	pub_status_free(back);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(metrics_text_has_exact_samples),
	    cmocka_unit_test(metrics_labels_are_escaped_and_no_answer_is_none),
	    cmocka_unit_test(metrics_of_a_shard_label_every_sample),
	    cmocka_unit_test(metrics_without_status_file_use_this_run),
	    cmocka_unit_test(last_success_survives_a_failed_night_and_the_file),
	    cmocka_unit_test(last_success_waits_while_a_target_is_held),
	};
	return unit_run_group("test_pub_metrics", tests, argc, argv);
}
