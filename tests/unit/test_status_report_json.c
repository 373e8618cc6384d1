/* test_status_report_json.c — `status -o json`, written a record at a time,
 * is byte for byte what the whole status as one cJSON tree printed: the
 * status file serialised, parsed, the summary and since added, cJSON_Print.
 * That reference is built here, as the report was built before, and the
 * two are compared on the test data, on records with every kind of
 * string, number and optional member, and on random records. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "status_report.h"
#include "status_testdata.h"

static const char *NOW = "2026-11-22T09:00:00Z";

/* ---- the reference: one tree of the whole status ----------------------- */

static cJSON *ref_list(const struct status_target_status **v, size_t n, const char *now)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; a && i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		char age[32];
		cJSON_AddStringToObject(o, "target", v[i]->target);
		cJSON_AddStringToObject(o, "state", status_target_state_str(v[i]->state));
		if (v[i]->since)
			cJSON_AddStringToObject(o, "since", v[i]->since);
		long long s = status_age_seconds(v[i]->since, now);
		if (s >= 0) {
			cJSON_AddNumberToObject(o, "age_seconds", (double)s);
			status_age_format(v[i]->since, now, age, sizeof(age));
			cJSON_AddStringToObject(o, "age", age);
		}
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static char *tree_report(const struct status_status *st, const struct status_since *since)
{
	char *text = status_serialize(st), *out = NULL, *printed;
	cJSON *root = text ? cJSON_Parse(text) : NULL, *sum;
	int counts[STATUS_T__COUNT];
	size_t unconfirmed = 0;

	assert_non_null(root);
	status_report_counts(st, counts);
	sum = cJSON_CreateObject();
	cJSON_AddNumberToObject(sum, "targets", (double)st->n_targets);
	for (int s = 0; s < STATUS_T__COUNT; s++) {
		if ((s == STATUS_T_READY || s == STATUS_T_HELD) && !counts[s])
			continue;
		cJSON_AddNumberToObject(sum, status_target_state_str((enum status_target_state)s),
		                        counts[s]);
	}
	for (size_t i = 0; i < st->n_targets; i++)
		unconfirmed += st->targets[i].unconfirmed != 0;
	if (unconfirmed)
		cJSON_AddNumberToObject(sum, "unconfirmed", (double)unconfirmed);
	cJSON_AddItemToObject(root, "summary", sum);
	if (since) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "rev", since->rev);
		cJSON_AddItemToObject(o, "newly_published",
		                      ref_list(since->published, since->n_published, NOW));
		cJSON_AddItemToObject(o, "newly_broken",
		                      ref_list(since->broken, since->n_broken, NOW));
		cJSON_AddItemToObject(o, "still_broken",
		                      ref_list(since->still, since->n_still, NOW));
		cJSON_AddItemToObject(root, "since", o);
	}
	printed = cJSON_Print(root);
	assert_non_null(printed);
	assert_true(asprintf(&out, "%s\n", printed) > 0);
	free(printed);
	cJSON_Delete(root);
	free(text);
	return out;
}

static char *stream_report(const struct status_status *st, const struct status_since *since)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(status_report_json(f, st, since, NOW), 0);
	fclose(f);
	return buf;
}

static void expect_same(const struct status_status *st, const struct status_since *since)
{
	char *want = tree_report(st, since), *got = stream_report(st, since);
	assert_string_equal(got, want);
	free(want);
	free(got);
}

/* ---- records ------------------------------------------------------------ */

static struct status_status *parse(const char *text)
{
	struct status_status *st = NULL;
	struct base_error err = {0};
	if (status_parse("t.json", text, strlen(text), &st, &err) < 0)
		fail_msg("%s", err.msg);
	return st;
}

static struct status_status *load(const char *name)
{
	struct status_status *st = status_testdata(name);
	if (!st)
		fail_msg("cannot load %s", name);
	return st;
}

/* The test data's status files, alone, merged, and with --since both ways. */
static void json_equals_tree_on_the_test_data(void **state)
{
	struct status_status *night = load("night.json"), *shard = load("shard1.json");
	struct status_status *merged = load("night.json");
	struct status_since since;
	struct base_error err = {0};

	(void)state;
	assert_int_equal(status_merge(merged, shard, &err), 0);
	expect_same(night, NULL);
	expect_same(shard, NULL);
	expect_same(merged, NULL);
	assert_int_equal(status_since_diff(night, merged, "HEAD~1", &since, &err), 0);
	expect_same(merged, &since);
	status_since_free(&since);
	assert_int_equal(status_since_diff(merged, night, "v1", &since, &err), 0);
	expect_same(night, &since);
	status_since_free(&since);
	status_free(night);
	status_free(shard);
	status_free(merged);
}

/* Every optional member once: shard, held, last_success, foreign,
 * published_at, extra tags (held, and one without its tag), unconfirmed,
 * signed_by, optional, child_missing, sizes past int and 2^53, an empty
 * platform list, copies; strings with every escape. */
static const char every_member[] =
    "{\"schema\": 1, \"config\": \"c\\\"on\\\\fig\\/x.yaml\","
    " \"shard\": {\"index\": 1, \"count\": 4, \"config_digest\": \"sha256:cc\"},"
    " \"last_run\": {\"started\": \"2026-11-22T03:00:00Z\", \"finished\": "
    "\"2026-11-22T03:00:09Z\", \"published\": 1, \"unchanged\": 2147483647, \"incomplete\": 0,"
    " \"failed\": 3, \"held\": 1, \"last_success\": \"2026-11-21T03:00:00Z\"},"
    " \"targets\": ["
    "  {\"target\": \"r.example/a:v1\", \"state\": \"published\", \"digest\": \"sha256:aa\","
    "   \"media_type\": \"application/vnd.oci.image.index.v1+json\", \"foreign\": true,"
    "   \"since\": \"2026-11-22T03:00:05Z\","
    "   \"extra_tags\": [{\"tag\": \"latest\", \"digest\": \"sha256:aa\"},"
    "                    {\"tag\": \"stable\", \"digest\": \"sha256:old\", \"held\": true},"
    "                    {\"digest\": \"sha256:older\", \"held\": true}],"
    "   \"unconfirmed\": true, \"signed_by\": \"sha256:key\","
    "   \"platforms\": [{\"platform\": \"linux/amd64\", \"optional\": true, \"source\": "
    "\"r.example/a-amd64:v1\", \"state\": \"ready\", \"digest\": \"sha256:bb\", \"size\": "
    "3000000000, \"verified\": true, \"signed_by\": \"sha256:k2\"},"
    "                   {\"platform\": \"linux/arm64\", \"source\": \"s\", \"state\": "
    "\"ready\", \"size\": 9007199254740992},"
    "                   {\"platform\": \"linux/s390x\", \"source\": \"s\", \"state\": "
    "\"ready\", \"size\": 0}]},"
    "  {\"target\": \"r.example/b:v1\", \"state\": \"failed\", \"digest\": \"sha256:dd\","
    "   \"since\": \"2026-11-22T03:00:05Z\", \"published_at\": \"2026-10-01T03:00:00Z\","
    "   \"reason\": \"q\\\" b\\\\ \\b\\f\\n\\r\\t \\u0001\\u001f \\u007f \\u00e9 \\u2028 "
    "\\ud83d\\ude00 \\/ caf\xc3\xa9 \xe2\x80\xa9 \xf0\x9f\x98\x80 <&>\","
    "   \"platforms\": [{\"platform\": \"linux/amd64\", \"source\": \"s\", \"state\": "
    "\"wrong_platform\", \"digest\": \"sha256:ee\", \"child_missing\": true, \"reason\": "
    "\"\\u0000cut\"},"
    "                   {\"platform\": \"linux/arm64\", \"source\": \"\", \"state\": "
    "\"error\", \"reason\": \"\"}]},"
    "  {\"target\": \"r.example/c:v1\", \"state\": \"held\", \"since\": \"bad date\","
    "   \"platforms\": []},"
    "  {\"target\": \"r.example/d:v1\", \"state\": \"incomplete\","
    "   \"platforms\": [{\"platform\": \"linux/amd64\", \"source\": \"s\", \"state\": "
    "\"missing\"}]}"
    " ],"
    " \"last_retag\": {\"started\": \"2026-11-20T03:00:00Z\", \"finished\": "
    "\"2026-11-20T03:00:01Z\", \"copied\": 1, \"unchanged\": 0, \"failed\": 1},"
    " \"copies\": [{\"from\": \"r.example/a:v1\", \"to\": \"p.example/a:v1\", \"state\": "
    "\"copied\", \"digest\": \"sha256:aa\", \"since\": \"2026-11-20T03:00:01Z\"},"
    "              {\"from\": \"r.example/b:v1\", \"to\": \"p.example/b:v1\", \"platform\": "
    "\"linux/amd64\", \"state\": \"failed\", \"reason\": \"tab\\there\"}]"
    "}";

static void json_equals_tree_on_every_member_and_escape(void **state)
{
	struct status_status *st = parse(every_member), *old = parse(every_member);
	struct status_since since;
	struct base_error err = {0};

	(void)state;
	expect_same(st, NULL);
	/* the old side: a green b, no c, a's digest another (a record read
	 * is one block: unpacked before a field is changed) */
	assert_int_equal(status_target_unpack(&old->targets[0]), 0);
	free(old->targets[0].digest);
	old->targets[0].digest = strdup("sha256:other");
	old->targets[1].state = STATUS_T_PUBLISHED;
	status_target_status_free(&old->targets[2]);
	old->targets[2] = old->targets[3];
	old->n_targets = 3;
	assert_int_equal(status_since_diff(old, st, "HEAD~3", &since, &err), 0);
	assert_true(since.n_published && since.n_broken && since.n_still);
	expect_same(st, &since);
	since.rev = NULL; /* cJSON leaves a NULL rev out */
	expect_same(st, &since);
	status_since_free(&since);
	status_free(st);
	status_free(old);
}

static void json_equals_tree_on_an_empty_status(void **state)
{
	struct status_status *st = parse("{\"schema\": 1}");
	struct status_status *none = parse("{\"schema\": 1}");
	struct status_since since;
	struct base_error err = {0};

	(void)state;
	expect_same(st, NULL);
	assert_int_equal(status_since_diff(none, st, "HEAD~1", &since, &err), 0);
	expect_same(st, &since);
	status_since_free(&since);
	status_free(st);
	status_free(none);
}

/* Records out of order are written sorted, as the status file has them. */
static void json_equals_tree_on_records_out_of_order(void **state)
{
	struct status_status *st = parse(every_member);
	struct status_target_status t;

	(void)state;
	t = st->targets[0];
	st->targets[0] = st->targets[3];
	st->targets[3] = t;
	expect_same(st, NULL);
	status_free(st);
}

/* Random strings (bytes 1..255, every escape and UTF-8 sequence, and
 * bytes that are no UTF-8 at all), random members and sizes. */
static char *rand_str(unsigned *seed)
{
	static const char pick[] = "ab/:.\"\\\b\f\n\r\t\x01\x1f\x7f <>&";
	size_t n = (size_t)(rand_r(seed) % 24);
	char *s = malloc(n + 1);
	for (size_t i = 0; i < n; i++) {
		int r = rand_r(seed) % 4;
		s[i] = r == 0   ? (char)(1 + rand_r(seed) % 255)
		       : r == 1 ? "\xc3\xa9\xe2\x80\xa8\xf0\x9f"[rand_r(seed) % 7]
		                : pick[(size_t)rand_r(seed) % (sizeof(pick) - 1)];
	}
	s[n] = '\0';
	return s;
}

static char *rand_opt(unsigned *seed)
{
	return rand_r(seed) % 3 ? rand_str(seed) : NULL;
}

static void json_equals_tree_on_random_records(void **state)
{
	unsigned seed = 26;

	(void)state;
	for (int round = 0; round < 200; round++) {
		struct status_status *st = calloc(1, sizeof(*st));
		st->schema = 1;
		st->config = rand_opt(&seed);
		st->last_run.started = rand_opt(&seed);
		st->last_run.published = rand_r(&seed);
		st->n_targets = (size_t)(rand_r(&seed) % 6);
		st->targets = calloc(st->n_targets + 1, sizeof(*st->targets));
		for (size_t i = 0; i < st->n_targets; i++) {
			struct status_target_status *t = &st->targets[i];
			char name[32];
			snprintf(name, sizeof(name), "r/%02zu", i);
			t->target = strdup(name);
			t->state = (enum status_target_state)(rand_r(&seed) % STATUS_T__COUNT);
			t->digest = rand_opt(&seed);
			t->reason = rand_opt(&seed);
			t->since = rand_opt(&seed);
			t->unconfirmed = rand_r(&seed) % 2;
			t->foreign = rand_r(&seed) % 2;
			if (rand_r(&seed) % 2)
				status_extra_tag_add(t, "latest", t->digest ? t->digest : "x");
			t->n_platforms = (size_t)(rand_r(&seed) % 3);
			t->platforms = calloc(t->n_platforms + 1, sizeof(*t->platforms));
			for (size_t j = 0; j < t->n_platforms; j++) {
				struct status_platform_status *p = &t->platforms[j];
				long long sizes[] = {-1,
				                     0,
				                     1,
				                     2147483647LL,
				                     2147483648LL,
				                     123456789012345678LL,
				                     9007199254740993LL};
				p->platform = rand_str(&seed);
				p->source = rand_opt(&seed);
				p->state =
				    (enum status_platform_state)(rand_r(&seed) % STATUS_P__COUNT);
				p->reason = rand_opt(&seed);
				p->size = sizes[rand_r(&seed) % 7];
				p->optional = rand_r(&seed) % 2;
				p->child_missing = rand_r(&seed) % 2;
			}
		}
		expect_same(st, NULL);
		status_free(st);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(json_equals_tree_on_the_test_data),
	    cmocka_unit_test(json_equals_tree_on_every_member_and_escape),
	    cmocka_unit_test(json_equals_tree_on_an_empty_status),
	    cmocka_unit_test(json_equals_tree_on_records_out_of_order),
	    cmocka_unit_test(json_equals_tree_on_random_records),
	};
	return unit_run_group("status_report_json", tests, argc, argv);
}
