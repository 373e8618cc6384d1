/* test_status_extra_tags.c — what a record says besides its own tag: the
 * extra tags and the lists they hold ("extra_tags", and the "extra_digests"
 * of older files read into it), when the digest a target that is not green
 * serves was published ("published_at"), and a list child missing from the
 * repository ("child_missing"). */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "status_file.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static struct status_status *parse(const char *json)
{
	struct status_status *st = NULL;
	struct base_error err = {0};
	if (status_parse("s.json", json, strlen(json), &st, &err) < 0)
		fail_msg("parse: %s", err.msg);
	return st;
}

#define HEAD                                                                                       \
	"{\n  \"schema\": 1,\n  \"last_run\": {\n    \"published\": 1,\n    \"unchanged\": 0,\n"   \
	"    \"incomplete\": 0,\n    \"failed\": 0\n  },\n  \"targets\": [\n"

static void status_reads_extra_digests_of_an_older_file_and_writes_extra_tags(void **state)
{
	(void)state;
	struct status_status *st =
	    parse(HEAD "    {\n      \"target\": \"r/a:v2\",\n      \"state\": \"held\",\n"
	               "      \"digest\": \"" D2 "\",\n      \"extra_digests\": [\"" D1 "\"],\n"
	               "      \"platforms\": []\n    }\n  ]\n}\n");
	char *text = status_serialize(st), *again;
	struct status_status *back;

	assert_int_equal(st->targets[0].n_extra_digests, 1);
	assert_string_equal(st->targets[0].extra_digests[0], D1);
	assert_int_equal(st->targets[0].n_extra_tags, 0);
	/* written as an entry without a tag, held: manifold's list still */
	assert_non_null(strstr(text, "      \"extra_tags\": [\n"
	                             "        {\n"
	                             "          \"digest\": \"" D1 "\",\n"
	                             "          \"held\": true\n"
	                             "        }\n"
	                             "      ],\n"));
	assert_null(strstr(text, "extra_digests"));
	back = parse(text);
	assert_int_equal(back->targets[0].n_extra_digests, 1);
	assert_string_equal(back->targets[0].extra_digests[0], D1);
	again = status_serialize(back);
	assert_string_equal(again, text);
	free(again);
	free(text);
	status_free(back);
	status_free(st);
}

static void status_extra_tags_round_trip_with_held_marked(void **state)
{
	(void)state;
	struct status_status *st = parse(
	    HEAD "    {\n      \"target\": \"r/a:v2\",\n      \"state\": \"held\",\n"
	         "      \"digest\": \"" D2 "\",\n      \"extra_tags\": [{\"tag\": \"latest\", "
	         "\"digest\": \"" D1 "\", \"held\": true}, {\"tag\": \"v2.0\", \"digest\": "
	         "\"" D2 "\"}],\n      \"platforms\": []\n    }\n  ]\n}\n");
	const struct status_target_status *t = &st->targets[0];
	char *text = status_serialize(st);

	assert_int_equal(t->n_extra_tags, 2);
	assert_string_equal(t->extra_tags[0].tag, "latest");
	assert_string_equal(t->extra_tags[0].digest, D1);
	assert_string_equal(t->extra_tags[1].tag, "v2.0");
	assert_int_equal(t->n_extra_digests, 1);
	assert_string_equal(t->extra_digests[0], D1);
	/* one member a line, as jq prints it */
	assert_non_null(strstr(text, "      \"extra_tags\": [\n"
	                             "        {\n"
	                             "          \"tag\": \"latest\",\n"
	                             "          \"digest\": \"" D1 "\",\n"
	                             "          \"held\": true\n"
	                             "        },\n"
	                             "        {\n"
	                             "          \"tag\": \"v2.0\",\n"
	                             "          \"digest\": \"" D2 "\"\n"
	                             "        }\n"
	                             "      ],\n"));
	free(text);
	status_free(st);
}

static void status_extra_tags_rejects_an_entry_without_digest(void **state)
{
	(void)state;
	struct status_status *st = NULL;
	struct base_error err = {0};
	const char *json = HEAD "    {\"target\": \"r/a:v2\", \"state\": \"published\", "
	                        "\"extra_tags\": [{\"tag\": \"latest\"}]}\n  ]\n}\n";
	assert_int_equal(status_parse("s.json", json, strlen(json), &st, &err), -1);
	assert_string_equal(err.msg, "s.json: targets[0].extra_tags[0]: want {\"tag\": string, "
	                             "\"digest\": string, \"held\": true or false}");
	status_free(st);
}

static void rec(struct status_target_status *t, enum status_target_state s, const char *digest)
{
	memset(t, 0, sizeof(*t));
	t->target = strdup("r/a:v1");
	t->state = s;
	t->digest = digest ? strdup(digest) : NULL;
	t->digest_seen = 1;
}

/* prev (may be NULL) after a run of the one record `run` started at now. */
static struct status_status *next(const struct status_status *prev,
                                  const struct status_target_status *run, const char *now)
{
	struct status_run lr = {.started = (char *)now, .finished = (char *)now};
	struct status_status *out = NULL;
	struct base_error err = {0};
	assert_int_equal(status_next(prev, run, 1, NULL, 0, "c.yaml", &lr, &out, &err), 0);
	return out;
}

static void status_next_failed_target_keeps_when_its_digest_was_published(void **state)
{
	(void)state;
	struct status_target_status run;
	struct status_status *a, *b, *c, *d;
	char *text;

	rec(&run, STATUS_T_PUBLISHED, D1);
	a = next(NULL, &run, "2026-11-01T03:00:00Z");
	status_target_status_free(&run);
	rec(&run, STATUS_T_FAILED, D1);
	b = next(a, &run, "2026-11-05T03:00:00Z");
	assert_string_equal(b->targets[0].since, "2026-11-05T03:00:00Z");
	assert_string_equal(b->targets[0].published_at, "2026-11-01T03:00:00Z");
	text = status_serialize(b);
	assert_non_null(strstr(text, "\"since\": \"2026-11-05T03:00:00Z\",\n"
	                             "      \"published_at\": \"2026-11-01T03:00:00Z\",\n"));
	free(text);
	status_target_status_free(&run);
	/* the next night that is not green carries it on */
	rec(&run, STATUS_T_INCOMPLETE, D1);
	c = next(b, &run, "2026-11-06T03:00:00Z");
	assert_string_equal(c->targets[0].since, "2026-11-06T03:00:00Z");
	assert_string_equal(c->targets[0].published_at, "2026-11-01T03:00:00Z");
	status_target_status_free(&run);
	status_free(c);
	/* another digest than the last green one's: not known */
	rec(&run, STATUS_T_FAILED, D3);
	c = next(b, &run, "2026-11-06T03:00:00Z");
	assert_null(c->targets[0].published_at);
	status_target_status_free(&run);
	/* green again: since says it, no published_at */
	rec(&run, STATUS_T_PUBLISHED, D2);
	d = next(b, &run, "2026-11-07T03:00:00Z");
	assert_null(d->targets[0].published_at);
	text = status_serialize(d);
	assert_null(strstr(text, "published_at"));
	free(text);
	status_target_status_free(&run);
	status_free(d);
	status_free(c);
	status_free(b);
	status_free(a);
}

static void status_next_held_target_whose_list_was_written_tonight(void **state)
{
	(void)state;
	struct status_target_status run;
	struct status_status *a, *b, *c;

	rec(&run, STATUS_T_PUBLISHED, D1);
	a = next(NULL, &run, "2026-11-01T03:00:00Z");
	status_target_status_free(&run);
	/* the tag got the new list, an extra tag held the old one */
	rec(&run, STATUS_T_HELD, D2);
	run.digest_written = 1;
	b = next(a, &run, "2026-11-05T03:00:00Z");
	assert_string_equal(b->targets[0].published_at, "2026-11-05T03:00:00Z");
	/* the next night writes nothing new: the date stays */
	c = next(b, &run, "2026-11-06T03:00:00Z");
	assert_string_equal(c->targets[0].published_at, "2026-11-05T03:00:00Z");
	status_free(c);
	status_target_status_free(&run);
	/* held with the list it had: when that one was published */
	rec(&run, STATUS_T_HELD, D1);
	run.digest_written = 1;
	c = next(a, &run, "2026-11-05T03:00:00Z");
	assert_string_equal(c->targets[0].published_at, "2026-11-01T03:00:00Z");
	status_free(c);
	status_target_status_free(&run);
	status_free(b);
	status_free(a);
}

static void status_next_green_night_clears_child_missing(void **state)
{
	(void)state;
	struct status_target_status run;
	struct status_status *a;
	char *text;

	rec(&run, STATUS_T_FAILED, D1);
	run.platforms = calloc(1, sizeof(*run.platforms));
	run.n_platforms = 1;
	run.platforms[0].platform = strdup("linux/arm64");
	run.platforms[0].digest = strdup(D2);
	run.platforms[0].size = -1;
	run.platforms[0].child_missing = 1;
	a = next(NULL, &run, "2026-11-05T03:00:00Z");
	assert_int_equal(a->targets[0].platforms[0].child_missing, 1);
	text = status_serialize(a);
	assert_non_null(strstr(text, "\"child_missing\": true"));
	free(text);
	status_free(a);
	run.state = STATUS_T_PUBLISHED;
	a = next(NULL, &run, "2026-11-05T03:00:00Z");
	text = status_serialize(a);
	assert_null(strstr(text, "child_missing"));
	free(text);
	status_free(a);
	status_target_status_free(&run);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(status_reads_extra_digests_of_an_older_file_and_writes_extra_tags),
	    cmocka_unit_test(status_extra_tags_round_trip_with_held_marked),
	    cmocka_unit_test(status_extra_tags_rejects_an_entry_without_digest),
	    cmocka_unit_test(status_next_failed_target_keeps_when_its_digest_was_published),
	    cmocka_unit_test(status_next_held_target_whose_list_was_written_tonight),
	    cmocka_unit_test(status_next_green_night_clears_child_missing),
	};
	return unit_run_group("test_status_extra_tags", tests, argc, argv);
}
