/* test_status_copies.c — retag's copy records in the status file: the
 * section's exact bytes and their round trip, a file without it read and
 * written as before, the since rule (kept while state class and digest
 * stay), recording leaves targets and last_run alone, publish's next status
 * and the merge keep them. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "status.h"

/* The status json holds, parsed; the case fails at the caller's line otherwise. */
#define parse(json) parse_at(__FILE__, __LINE__, (json))
static struct pub_status *parse_at(const char *file, int line, const char *json)
{
	struct base_error err = {0};
	struct pub_status *st = NULL;

	if (pub_status_parse("t.json", json, strlen(json), &st, &err) != 0)
		unit_fail_at(file, line, "parse: %s", err.msg);
	return st;
}

static const char with_copies[] =
    "{\n"
    "  \"schema\": 1,\n"
    "  \"last_run\": {\n"
    "    \"published\": 0,\n"
    "    \"unchanged\": 0,\n"
    "    \"incomplete\": 0,\n"
    "    \"failed\": 0\n"
    "  },\n"
    "  \"targets\": [],\n"
    "  \"last_retag\": {\n"
    "    \"started\": \"2026-02-01T00:00:00Z\",\n"
    "    \"finished\": \"2026-02-01T00:00:09Z\",\n"
    "    \"copied\": 1,\n"
    "    \"unchanged\": 0,\n"
    "    \"failed\": 1\n"
    "  },\n"
    "  \"copies\": [\n"
    "    {\n"
    "      \"from\": \"r/a-amd64:v1\",\n"
    "      \"to\": \"r/a:v1-amd64\",\n"
    "      \"platform\": \"linux/amd64\",\n"
    "      \"state\": \"copied\",\n"
    "      \"digest\": \"sha256:aa\",\n"
    "      \"media_type\": \"application/vnd.oci.image.manifest.v1+json\",\n"
    "      \"since\": \"2026-02-01T00:00:09Z\"\n"
    "    },\n"
    "    {\n"
    "      \"from\": \"r/b:v1\",\n"
    "      \"to\": \"r/m/b:v1\",\n"
    "      \"state\": \"failed\",\n"
    "      \"since\": \"2026-02-01T00:00:09Z\",\n"
    "      \"reason\": \"source: HEAD manifest: 404\"\n"
    "    }\n"
    "  ]\n"
    "}\n";

static void copies_serialise_parse_round_trip(void **state)
{
	struct pub_status *st = parse(with_copies);
	char *text;
	(void)state;
	assert_non_null(st);
	assert_int_equal(st->n_copies, 2);
	assert_string_equal(st->copies[0].to, "r/a:v1-amd64");
	assert_int_equal(st->copies[0].state, PUB_C_COPIED);
	assert_string_equal(st->copies[0].platform, "linux/amd64");
	assert_null(st->copies[1].platform);
	assert_int_equal(st->copies[1].state, PUB_C_FAILED);
	assert_string_equal(st->last_retag.finished, "2026-02-01T00:00:09Z");
	assert_int_equal(st->last_retag.failed, 1);
	assert_int_equal(st->n_targets, 0);
	text = pub_status_serialize(st);
	assert_non_null(text);
	assert_bytes_equal(text, strlen(text), with_copies, strlen(with_copies));
	free(text);
	pub_status_free(st);
}

static void copies_sorted_by_to_when_written(void **state)
{
	struct pub_status st = {.schema = 1};
	struct pub_copy_status c[2] = {{.from = "x", .to = "r/z:1", .state = PUB_C_COPIED},
	                               {.from = "y", .to = "r/a:1", .state = PUB_C_UNCHANGED}};
	char *text;
	(void)state;
	st.copies = c;
	st.n_copies = 2;
	text = pub_status_serialize(&st);
	assert_non_null(text);
	assert_true(strstr(text, "r/a:1") < strstr(text, "r/z:1"));
	assert_string_equal(st.copies[0].to, "r/z:1"); /* the caller's array is not sorted */
	free(text);
}

static void copies_absent_reads_and_writes_as_before(void **state)
{
	static const char old[] = "{\n"
	                          "  \"schema\": 1,\n"
	                          "  \"last_run\": {\n"
	                          "    \"published\": 1,\n"
	                          "    \"unchanged\": 0,\n"
	                          "    \"incomplete\": 0,\n"
	                          "    \"failed\": 0\n"
	                          "  },\n"
	                          "  \"targets\": [\n"
	                          "    {\n"
	                          "      \"target\": \"r/old:v1\",\n"
	                          "      \"state\": \"published\",\n"
	                          "      \"platforms\": []\n"
	                          "    }\n"
	                          "  ]\n"
	                          "}\n";
	struct pub_status *st = parse(old);
	char *text;
	(void)state;
	assert_non_null(st);
	assert_int_equal(st->n_copies, 0);
	assert_null(st->last_retag.finished);
	assert_int_equal(st->n_targets, 1); /* an old retag record stays a target */
	text = pub_status_serialize(st);
	assert_bytes_equal(text, strlen(text), old, strlen(old));
	free(text);
	pub_status_free(st);
}

static void copies_parse_errors_name_the_place(void **state)
{
	struct pub_status *st = NULL;
	struct base_error err = {0};
	static const char bad_state[] =
	    "{\"schema\":1,\"copies\":[{\"to\":\"r/a:1\",\"state\":\"published\"}]}";
	static const char twice[] = "{\"schema\":1,\"copies\":[{\"to\":\"r/a:1\",\"state\":"
	                            "\"copied\"},{\"to\":\"r/a:1\",\"state\":\"failed\"}]}";
	static const char no_to[] = "{\"schema\":1,\"copies\":[{\"state\":\"copied\"}]}";
	(void)state;
	assert_int_equal(pub_status_parse("s.json", bad_state, strlen(bad_state), &st, &err), -1);
	assert_string_equal(err.msg, "s.json: copies[0].state: \"published\" is not a copy state");
	assert_int_equal(pub_status_parse("s.json", twice, strlen(twice), &st, &err), -1);
	assert_string_equal(err.msg, "s.json: copies: \"r/a:1\" appears twice");
	assert_int_equal(pub_status_parse("s.json", no_to, strlen(no_to), &st, &err), -1);
	assert_string_equal(err.msg, "s.json: copies[0].to: missing");
	assert_null(st);
}

/* ---- the since rule ------------------------------------------------------- */

#define T0 "2026-02-01T00:00:00Z"
#define T1 "2026-02-02T00:00:00Z"

static void next_is(enum pub_copy_rec_state prev_state, const char *prev_digest,
                    enum pub_copy_rec_state run_state, const char *run_digest,
                    enum pub_copy_rec_state want_state, const char *want_digest,
                    const char *want_since)
{
	struct pub_copy_status prev = {
	    .to = "r/a:1", .state = prev_state, .digest = (char *)prev_digest, .since = T0};
	struct pub_copy_status run = {.from = "r/a-amd64:1",
	                              .to = "r/a:1",
	                              .state = run_state,
	                              .digest = (char *)run_digest,
	                              .since = "ignored"};
	struct pub_copy_status out;
	assert_int_equal(pub_copy_status_next(&prev, &run, T1, &out), 0);
	assert_int_equal(out.state, want_state);
	assert_str_or_null_equal(out.digest, want_digest);
	assert_string_equal(out.since, want_since);
	assert_string_equal(out.from, "r/a-amd64:1");
	pub_copy_status_free(&out);
}

static void since_kept_while_state_and_digest_stay(void **state)
{
	(void)state;
	/* a rerun that finds the copy made: the record keeps every byte */
	next_is(PUB_C_COPIED, "sha256:aa", PUB_C_UNCHANGED, "sha256:aa", PUB_C_COPIED, "sha256:aa",
	        T0);
	next_is(PUB_C_UNCHANGED, "sha256:aa", PUB_C_COPIED, "sha256:aa", PUB_C_UNCHANGED,
	        "sha256:aa", T0);
	/* failing again: the last digest is kept, and so is since */
	next_is(PUB_C_FAILED, "sha256:aa", PUB_C_FAILED, NULL, PUB_C_FAILED, "sha256:aa", T0);
}

static void since_moves_when_state_or_digest_changes(void **state)
{
	(void)state;
	next_is(PUB_C_COPIED, "sha256:aa", PUB_C_COPIED, "sha256:bb", PUB_C_COPIED, "sha256:bb",
	        T1);
	next_is(PUB_C_COPIED, "sha256:aa", PUB_C_FAILED, NULL, PUB_C_FAILED, "sha256:aa", T1);
	next_is(PUB_C_FAILED, "sha256:aa", PUB_C_COPIED, "sha256:aa", PUB_C_COPIED, "sha256:aa",
	        T1);
	/* a failure after a refusal: the digest someone else wrote is not
	 * carried into a record that would make it manifold's */
	next_is(PUB_C_REFUSED, "sha256:ee", PUB_C_FAILED, NULL, PUB_C_FAILED, NULL, T1);
	next_is(PUB_C_HELD, "sha256:aa", PUB_C_FAILED, NULL, PUB_C_FAILED, "sha256:aa", T1);
}

static void since_of_a_new_record_is_now(void **state)
{
	struct pub_copy_status run = {
	    .to = "r/a:1", .state = PUB_C_UNCHANGED, .digest = "sha256:aa"};
	struct pub_copy_status out;
	(void)state;
	assert_int_equal(pub_copy_status_next(NULL, &run, T1, &out), 0);
	assert_int_equal(out.state, PUB_C_UNCHANGED);
	assert_string_equal(out.since, T1);
	pub_copy_status_free(&out);
}

/* ---- recording, publish's next status, merge ----------------------------- */

#define TARGET_FILE                                                                                \
	"{\"schema\":1,\"last_run\":{\"started\":\"" T0 "\",\"finished\":\"" T0                    \
	"\",\"published\":1,\"unchanged\":0,\"incomplete\":0,\"failed\":0},"                       \
	"\"targets\":[{\"target\":\"r/app:v1\",\"state\":\"published\",\"digest\":"                \
	"\"sha256:11\",\"since\":\"" T0 "\",\"platforms\":[]}]}"

static void record_leaves_targets_and_last_run(void **state)
{
	struct pub_status *st = parse(TARGET_FILE);
	char *before, *after;
	struct base_error err = {0};
	struct pub_copy_status run[2] = {
	    {.from = "r/x:1", .to = "r/app:v1", .state = PUB_C_COPIED, .digest = "sha256:22"},
	    {.from = "r/y:1", .to = "r/app:v1", .state = PUB_C_COPIED, .digest = "sha256:33"}};
	struct pub_retag_summary sum = {T1, T1, 2, 0, 0};
	(void)state;
	assert_non_null(st);
	before = pub_status_serialize(st);
	assert_int_equal(pub_status_record_copies(st, run, 2, &sum, T1, &err), 0);
	assert_int_equal(st->n_targets, 1);
	assert_string_equal(st->targets[0].digest, "sha256:11");
	assert_string_equal(st->last_run.finished, T0);
	assert_int_equal(st->n_copies, 1); /* one destination: the later copy wins */
	assert_string_equal(st->copies[0].from, "r/y:1");
	assert_string_equal(st->copies[0].since, T1);
	assert_string_equal(st->last_retag.started, T1);
	assert_int_equal(st->last_retag.copied, 2);
	after = pub_status_serialize(st);
	/* the file up to the targets' end is what it was */
	assert_int_equal(strncmp(before, after, strlen(before) - 3), 0);
	free(before);
	free(after);
	pub_status_free(st);
}

static void publish_next_keeps_copies(void **state)
{
	struct pub_status *prev = parse(with_copies), *next = NULL;
	struct pub_target_status run = {
	    .target = "r/app:v1", .state = PUB_T_PUBLISHED, .digest = "sha256:11"};
	struct pub_run lr = {.started = T1, .finished = T1, .published = 1};
	struct base_error err = {0};
	char *ta, *tb;
	(void)state;
	assert_non_null(prev);
	assert_int_equal(pub_status_next(prev, &run, 1, NULL, 0, NULL, &lr, &next, &err), 0);
	assert_int_equal(next->n_copies, 2);
	ta = pub_status_serialize(prev);
	tb = pub_status_serialize(next);
	assert_non_null(strstr(ta, "\"last_retag\""));
	assert_string_equal(strstr(ta, "\"last_retag\""), strstr(tb, "\"last_retag\""));
	free(ta);
	free(tb);
	pub_status_free(prev);
	pub_status_free(next);
}

static void merge_copies_newer_since_wins(void **state)
{
	struct pub_status *a = parse(
	    "{\"schema\":1,\"last_retag\":{\"finished\":\"" T0 "\"},\"copies\":["
	    "{\"to\":\"r/a:1\",\"state\":\"copied\",\"digest\":\"sha256:aa\",\"since\":\"" T0 "\"},"
	    "{\"to\":\"r/b:1\",\"state\":\"copied\",\"since\":\"" T1 "\"}]}");
	struct pub_status *b = parse(
	    "{\"schema\":1,\"last_retag\":{\"finished\":\"" T1 "\",\"copied\":3},\"copies\":["
	    "{\"to\":\"r/a:1\",\"state\":\"copied\",\"digest\":\"sha256:bb\",\"since\":\"" T1 "\"},"
	    "{\"to\":\"r/b:1\",\"state\":\"failed\",\"since\":\"" T0 "\"},"
	    "{\"to\":\"r/c:1\",\"state\":\"unchanged\",\"since\":\"" T0 "\"}]}");
	struct base_error err = {0};
	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(pub_status_merge(a, b, &err), 0);
	assert_int_equal(a->n_copies, 3);
	assert_string_equal(a->copies[0].digest, "sha256:bb");
	assert_int_equal(a->copies[1].state, PUB_C_COPIED);
	assert_string_equal(a->copies[2].to, "r/c:1");
	assert_string_equal(a->last_retag.finished, T1);
	assert_int_equal(a->last_retag.copied, 3);
	pub_status_free(a);
	pub_status_free(b);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(copies_serialise_parse_round_trip),
	    cmocka_unit_test(copies_sorted_by_to_when_written),
	    cmocka_unit_test(copies_absent_reads_and_writes_as_before),
	    cmocka_unit_test(copies_parse_errors_name_the_place),
	    cmocka_unit_test(since_kept_while_state_and_digest_stay),
	    cmocka_unit_test(since_moves_when_state_or_digest_changes),
	    cmocka_unit_test(since_of_a_new_record_is_now),
	    cmocka_unit_test(record_leaves_targets_and_last_run),
	    cmocka_unit_test(publish_next_keeps_copies),
	    cmocka_unit_test(merge_copies_newer_since_wins),
	};
	return unit_run_group("status_copies", tests, argc, argv);
}
