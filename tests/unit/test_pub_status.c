/* test_pub_status.c — the status file: exact serialised bytes, parse round
 * trip, JSON-path errors, atomic writes, state names, shard values. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "engine.h"

static const char expected[] =
    "{\n"
    "  \"schema\": 1,\n"
    "  \"config\": \"configs/release.yaml\",\n"
    "  \"last_run\": {\n"
    "    \"started\": \"2026-11-22T03:00:00Z\",\n"
    "    \"finished\": \"2026-11-22T03:00:09Z\",\n"
    "    \"published\": 1,\n"
    "    \"unchanged\": 0,\n"
    "    \"incomplete\": 1,\n"
    "    \"failed\": 0\n"
    "  },\n"
    "  \"targets\": [\n"
    "    {\n"
    "      \"target\": \"reg.example/app:v1\",\n"
    "      \"state\": \"published\",\n"
    "      \"digest\": \"sha256:aa\",\n"
    "      \"media_type\": \"application/vnd.oci.image.index.v1+json\",\n"
    "      \"since\": \"2026-11-22T03:00:05Z\",\n"
    "      \"platforms\": [\n"
    "        {\n"
    "          \"platform\": \"linux/amd64\",\n"
    "          \"source\": \"reg.example/app-amd64:v1\",\n"
    "          \"state\": \"ready\",\n"
    "          \"digest\": \"sha256:bb\",\n"
    "          \"media_type\": \"application/vnd.oci.image.manifest.v1+json\",\n"
    "          \"size\": 525,\n"
    "          \"verified\": true\n"
    "        }\n"
    "      ]\n"
    "    },\n"
    "    {\n"
    "      \"target\": \"reg.example/pause:3.10\",\n"
    "      \"state\": \"incomplete\",\n"
    "      \"since\": \"2026-11-21T03:00:00Z\",\n"
    "      \"reason\": \"missing linux/s390x \\\"q\\\"\\n\",\n"
    "      \"platforms\": [\n"
    "        {\n"
    "          \"platform\": \"linux/s390x\",\n"
    "          \"source\": \"reg.example/pause-s390x:3.10\",\n"
    "          \"state\": \"missing\"\n"
    "        }\n"
    "      ]\n"
    "    }\n"
    "  ]\n"
    "}\n";

/* Built out of order on purpose: serialisation sorts by target. */
static struct pub_status *make_status(void)
{
	struct pub_status *st = calloc(1, sizeof(*st));
	struct pub_target_status *t;

	st->schema = 1;
	st->config = strdup("configs/release.yaml");
	st->last_run.started = strdup("2026-11-22T03:00:00Z");
	st->last_run.finished = strdup("2026-11-22T03:00:09Z");
	st->last_run.published = 1;
	st->last_run.incomplete = 1;
	st->n_targets = 2;
	st->targets = calloc(2, sizeof(*st->targets));

	t = &st->targets[0];
	t->target = strdup("reg.example/pause:3.10");
	t->state = PUB_T_INCOMPLETE;
	t->since = strdup("2026-11-21T03:00:00Z");
	t->reason = strdup("missing linux/s390x \"q\"\n");
	t->n_platforms = 1;
	t->platforms = calloc(1, sizeof(*t->platforms));
	t->platforms[0].platform = strdup("linux/s390x");
	t->platforms[0].source = strdup("reg.example/pause-s390x:3.10");
	t->platforms[0].state = PUB_P_MISSING;
	t->platforms[0].size = -1;

	t = &st->targets[1];
	t->target = strdup("reg.example/app:v1");
	t->state = PUB_T_PUBLISHED;
	t->digest = strdup("sha256:aa");
	t->media_type = strdup(REG_MT_OCI_INDEX);
	t->since = strdup("2026-11-22T03:00:05Z");
	t->n_platforms = 1;
	t->platforms = calloc(1, sizeof(*t->platforms));
	t->platforms[0].platform = strdup("linux/amd64");
	t->platforms[0].source = strdup("reg.example/app-amd64:v1");
	t->platforms[0].state = PUB_P_READY;
	t->platforms[0].digest = strdup("sha256:bb");
	t->platforms[0].media_type = strdup(REG_MT_OCI_MANIFEST);
	t->platforms[0].size = 525;
	t->platforms[0].verified = 1;
	return st;
}

static void status_serialize_is_exact_and_sorted_by_target(void **state)
{
	(void)state;
	struct pub_status *st = make_status();
	char *text = pub_status_serialize(st);
	assert_str_or_null_equal(text, expected);
	free(text);
	pub_status_free(st);
}

static void status_serialize_leaves_caller_order_alone(void **state)
{
	(void)state;
	struct pub_status *st = make_status();
	char *text = pub_status_serialize(st);
	assert_string_equal(st->targets[0].target, "reg.example/pause:3.10");
	free(text);
	pub_status_free(st);
}

static void status_empty_serializes_empty_targets(void **state)
{
	(void)state;
	struct pub_status st = {.schema = 1};
	char *text = pub_status_serialize(&st);
	assert_str_or_null_equal(
	    text, "{\n  \"schema\": 1,\n  \"last_run\": {\n    \"published\": 0,\n"
	          "    \"unchanged\": 0,\n    \"incomplete\": 0,\n    \"failed\": 0\n"
	          "  },\n  \"targets\": []\n}\n");
	free(text);
}

static struct pub_status *parse_expected(void)
{
	struct pub_status *st = NULL;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(pub_status_parse("s.json", expected, strlen(expected), &st, &err), 0);
	assert_non_null(st);
	return st;
}

static void status_parse_reads_every_field(void **state)
{
	(void)state;
	struct pub_status *st = parse_expected();
	assert_int_equal(st->n_targets, 2);
	assert_string_equal(st->config, "configs/release.yaml");
	assert_int_equal(st->last_run.incomplete, 1);
	struct pub_target_status *t = pub_status_find(st, "reg.example/app:v1");
	assert_non_null(t);
	assert_int_equal(t->state, PUB_T_PUBLISHED);
	assert_int_equal(t->platforms[0].size, 525);
	assert_int_equal(t->platforms[0].verified, 1);
	assert_string_equal(t->platforms[0].media_type, REG_MT_OCI_MANIFEST);
	pub_status_free(st);
}

static void status_target_copy_keeps_platforms_and_since(void **state)
{
	(void)state;
	struct pub_status *st = parse_expected();
	struct pub_target_status copy;
	struct pub_target_status *t = pub_status_find(st, "reg.example/app:v1");
	assert_non_null(t);
	assert_int_equal(pub_target_status_copy(&copy, t), 0);
	assert_string_equal(copy.platforms[0].digest, "sha256:bb");
	assert_string_equal(copy.since, "2026-11-22T03:00:05Z");
	pub_target_status_free(&copy);
	pub_status_free(st);
}

static void status_parse_reads_absent_fields_as_unset(void **state)
{
	(void)state;
	struct pub_status *st = parse_expected();
	struct pub_target_status *t = pub_status_find(st, "reg.example/pause:3.10");
	assert_non_null(t);
	assert_string_equal(t->reason, "missing linux/s390x \"q\"\n");
	assert_int_equal(t->platforms[0].size, -1);
	assert_int_equal(t->platforms[0].verified, 0);
	assert_null(t->platforms[0].digest);
	pub_status_free(st);
}

static void status_find_unknown_target_is_null(void **state)
{
	(void)state;
	struct pub_status *st = parse_expected();
	assert_null(pub_status_find(st, "reg.example/none:v1"));
	pub_status_free(st);
}

static void status_parse_then_serialize_gives_the_same_bytes(void **state)
{
	(void)state;
	struct pub_status *st = parse_expected();
	char *again = pub_status_serialize(st);
	assert_str_or_null_equal(again, expected);
	free(again);
	pub_status_free(st);
}

/* Parsing `json` fails with exactly `msg` and gives no status. */
static void expect_parse_error(const char *file, int line, const char *json, const char *msg)
{
	struct pub_status *st = NULL;
	struct base_error err;
	base_error_clear(&err);
	_assert_int_equal(pub_status_parse("s.json", json, strlen(json), &st, &err), -1, file,
	                  line);
	_assert_string_equal(err.msg, msg, file, line);
	_assert_true(st == NULL, "st == NULL", file, line);
}
#define EXPECT_PARSE_ERROR(json, msg) expect_parse_error(__FILE__, __LINE__, json, msg)

static void status_parse_rejects_unknown_target_state(void **state)
{
	(void)state;
	EXPECT_PARSE_ERROR(
	    "{\"schema\": 1, \"targets\": [{\"target\": \"a/b:c\", \"state\": \"done\"}]}",
	    "s.json: targets[0].state: \"done\" is not a target state");
}

static void status_parse_rejects_non_integer_size(void **state)
{
	(void)state;
	EXPECT_PARSE_ERROR(
	    "{\"schema\": 1, \"targets\": [{\"target\": \"a/b:c\", \"state\": \"failed\","
	    " \"platforms\": [{\"platform\": \"linux/amd64\", \"state\": \"ready\", \"size\": "
	    "\"1\"}]}]}",
	    "s.json: targets[0].platforms[0].size: want a non-negative integer");
}

/* Numbers a cast to long long cannot hold (undefined behaviour before the
 * range check) are refused like any other bad size or count. */
static void status_parse_rejects_sizes_and_counts_out_of_range(void **state)
{
	static const char *const sizes[] = {"1e300", "-1e300", "-1", "9007199254740993e3", "0.5"};
	char json[512];
	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(json, sizeof(json),
		         "{\"schema\": 1, \"targets\": [{\"target\": \"a/b:c\", \"state\": "
		         "\"failed\", \"platforms\": [{\"platform\": \"linux/amd64\", \"state\": "
		         "\"ready\", \"size\": %s}]}]}",
		         sizes[i]);
		EXPECT_PARSE_ERROR(
		    json, "s.json: targets[0].platforms[0].size: want a non-negative integer");
	}
	EXPECT_PARSE_ERROR("{\"schema\": 1e300}", "s.json: $.schema: want a non-negative integer");
	EXPECT_PARSE_ERROR("{\"schema\": 1, \"last_run\": {\"failed\": -1e300}}",
	                   "s.json: last_run.failed: want a non-negative integer");
	EXPECT_PARSE_ERROR("{\"schema\": 1, \"last_run\": {\"published\": 3e9}}",
	                   "s.json: last_run.published: 3000000000 is too large");
}

static void status_parse_rejects_other_schema(void **state)
{
	(void)state;
	EXPECT_PARSE_ERROR("{\"schema\": 2, \"targets\": []}", "s.json: schema: want 1, got 2");
}

static void status_parse_rejects_invalid_json(void **state)
{
	(void)state;
	EXPECT_PARSE_ERROR("{\"schema\":", "s.json: not valid JSON");
}

/* The reader takes the targets array one element at a time: wherever it
 * sits among the keys, and with the same errors as a whole-tree parse. */
static void status_parse_reads_targets_before_schema(void **state)
{
	const char *json = "{\"targets\": [{\"target\": \"a/b:c\", \"state\": \"failed\"},"
	                   " {\"target\": \"a/b:[]{\\\"\", \"state\": \"failed\"}],"
	                   " \"schema\": 1, \"config\": \"x.yaml\"}";
	struct pub_status *st = NULL;
	struct base_error err;

	(void)state;
	base_error_clear(&err);
	assert_int_equal(pub_status_parse("s.json", json, strlen(json), &st, &err), 0);
	assert_int_equal(st->n_targets, 2);
	assert_string_equal(st->targets[0].target, "a/b:[]{\"");
	assert_string_equal(st->targets[1].target, "a/b:c");
	assert_string_equal(st->config, "x.yaml");
	pub_status_free(st);
}

static void status_parse_rejects_broken_target_and_trailing_bytes(void **state)
{
	(void)state;
	EXPECT_PARSE_ERROR("{\"schema\": 1, \"targets\": [{\"target\": }]}",
	                   "s.json: not valid JSON");
	EXPECT_PARSE_ERROR("{\"schema\": 1, \"targets\": [{\"target\": \"a/b:c\", \"state\": "
	                   "\"failed\"} {}]}",
	                   "s.json: not valid JSON");
	EXPECT_PARSE_ERROR("{\"schema\": 1, \"targets\": []} x", "s.json: not valid JSON");
	EXPECT_PARSE_ERROR("[1]", "s.json: want a JSON object");
	EXPECT_PARSE_ERROR("{\"schema\": 1, \"targets\": 3}", "s.json: targets: want an array");
	EXPECT_PARSE_ERROR("{\"schema\": 2, \"targets\": [{]}", "s.json: not valid JSON");
}

static void status_parse_rejects_target_given_twice(void **state)
{
	(void)state;
	EXPECT_PARSE_ERROR("{\"schema\": 1, \"targets\": [{\"target\": \"a/b:c\", \"state\": "
	                   "\"failed\"}, {\"target\": \"a/b:c\", \"state\": \"failed\"}]}",
	                   "s.json: targets: \"a/b:c\" appears twice");
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* A temp dir; the status file goes to <dir>/status/release.json. */
struct status_dir {
	char dir[64], sub[128], path[256];
};

static int status_dir_setup(void **state)
{
	struct status_dir *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	*state = fx;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/manifold-status-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->sub, sizeof(fx->sub), "%s/status", fx->dir);
	snprintf(fx->path, sizeof(fx->path), "%s/status/release.json", fx->dir);
	return 0;
}

static int status_dir_teardown(void **state)
{
	struct status_dir *fx = *state;
	unlink(fx->path);
	rmdir(fx->sub);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static void status_load_of_missing_file_is_empty_status(void **state)
{
	struct status_dir *fx = *state;
	struct pub_status *missing = NULL;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(pub_status_load(fx->path, &missing, &err), 0);
	assert_non_null(missing);
	assert_int_equal(missing->n_targets, 0);
	pub_status_free(missing);
}

static void status_write_replaces_without_leaving_a_temp_file(void **state)
{
	struct status_dir *fx = *state;
	struct pub_status *st = make_status(), *back = NULL;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(pub_status_write(fx->path, st, &err), 0);
	assert_int_equal(pub_status_write(fx->path, st, &err), 0); /* replace */
	assert_int_equal(count_entries(fx->sub), 1);               /* no temp file left */
	assert_int_equal(pub_status_load(fx->path, &back, &err), 0);
	assert_non_null(back);
	assert_int_equal(back->n_targets, 2);
	pub_status_free(back);
	pub_status_free(st);
}

static void status_write_error_names_file_and_leaves_nothing(void **state)
{
	struct status_dir *fx = *state;
	struct pub_status *st = make_status();
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(pub_status_write(fx->path, st, &err), 0);
	/* a directory in the way */
	assert_int_equal(pub_status_write(fx->sub, st, &err), -1);
	assert_memory_equal(err.msg, fx->sub, strlen(fx->sub));
	assert_int_equal(count_entries(fx->sub), 1);
	pub_status_free(st);
}

static void target_state_names(void **state)
{
	(void)state;
	assert_string_equal(pub_target_state_str(PUB_T_PUBLISHED), "published");
	assert_string_equal(pub_target_state_str(PUB_T_UNCHANGED), "unchanged");
	assert_string_equal(pub_target_state_str(PUB_T_INCOMPLETE), "incomplete");
	assert_string_equal(pub_target_state_str(PUB_T_FAILED), "failed");
}

static void platform_state_names(void **state)
{
	(void)state;
	assert_string_equal(pub_platform_state_str(PUB_P_READY), "ready");
	assert_string_equal(pub_platform_state_str(PUB_P_MISSING), "missing");
	assert_string_equal(pub_platform_state_str(PUB_P_WRONG_PLATFORM), "wrong-platform");
	assert_string_equal(pub_platform_state_str(PUB_P_ERROR), "error");
}

static void state_names_parse_back(void **state)
{
	(void)state;
	enum pub_target_state t;
	enum pub_platform_state p;
	for (int i = 0; i < PUB_T__COUNT; i++) {
		assert_int_equal(pub_target_state_parse(pub_target_state_str(i), &t), 0);
		assert_int_equal(t, i);
	}
	for (int i = 0; i < PUB_P__COUNT; i++) {
		assert_int_equal(pub_platform_state_parse(pub_platform_state_str(i), &p), 0);
		assert_int_equal(p, i);
	}
}

static void state_parse_reads_check_ready_refuses_other_spellings(void **state)
{
	(void)state;
	enum pub_target_state t;
	enum pub_platform_state p;
	assert_int_equal(pub_target_state_parse("ready", &t), 0);
	assert_int_equal(t, PUB_T_READY);
	assert_int_equal(pub_platform_state_parse("wrong_platform", &p), -1);
}

static int job_env_teardown(void **state)
{
	(void)state;
	unsetenv("JOB_COMPLETION_INDEX");
	unsetenv("JOB_COMPLETIONS");
	return 0;
}

static void shard_parse_reads_index_and_count(void **state)
{
	(void)state;
	struct base_error err;
	unsigned i, n;
	base_error_clear(&err);
	assert_int_equal(pub_shard_parse("2/4", &i, &n, &err), 0);
	assert_int_equal(i, 2);
	assert_int_equal(n, 4);
}

static void shard_parse_rejects_out_of_range_and_malformed(void **state)
{
	(void)state;
	struct base_error err;
	unsigned i, n;
	base_error_clear(&err);
	assert_int_equal(pub_shard_parse("4/4", &i, &n, &err), -1);
	assert_string_equal(
	    err.msg, "--shard \"4/4\": shard index 4 out of range: 4 shards are numbered 0..3");
	assert_int_equal(pub_shard_parse("5/4", &i, &n, &err), -1);
	assert_string_equal(
	    err.msg, "--shard \"5/4\": shard index 5 out of range: 4 shards are numbered 0..3");
	assert_int_equal(pub_shard_parse("-1/4", &i, &n, &err), -1);
	assert_int_equal(pub_shard_parse("1/", &i, &n, &err), -1);
	assert_int_equal(pub_shard_parse("1", &i, &n, &err), -1);
}

static void shard_without_flag_or_job_index_is_none(void **state)
{
	(void)state;
	struct base_error err;
	unsigned i, n;
	base_error_clear(&err);
	unsetenv("JOB_COMPLETION_INDEX");
	assert_int_equal(pub_shard_parse(NULL, &i, &n, &err), 0);
	assert_int_equal(n, 0);
}

static void shard_comes_from_indexed_job_env(void **state)
{
	(void)state;
	struct base_error err;
	unsigned i, n;
	base_error_clear(&err);
	setenv("JOB_COMPLETION_INDEX", "3", 1);
	setenv("JOB_COMPLETIONS", "8", 1);
	assert_int_equal(pub_shard_parse(NULL, &i, &n, &err), 0);
	assert_int_equal(i, 3);
	assert_int_equal(n, 8);
}

static void shard_job_index_needs_job_completions(void **state)
{
	(void)state;
	struct base_error err;
	unsigned i, n;
	base_error_clear(&err);
	setenv("JOB_COMPLETION_INDEX", "3", 1);
	unsetenv("JOB_COMPLETIONS");
	assert_int_equal(pub_shard_parse(NULL, &i, &n, &err), -1);
	assert_string_equal(err.msg, "JOB_COMPLETION_INDEX is set (3) but JOB_COMPLETIONS is not");
}

static void shard_job_index_out_of_range_names_the_env(void **state)
{
	(void)state;
	struct base_error err;
	unsigned i, n;
	base_error_clear(&err);
	setenv("JOB_COMPLETION_INDEX", "4", 1);
	setenv("JOB_COMPLETIONS", "4", 1);
	assert_int_equal(pub_shard_parse(NULL, &i, &n, &err), -1);
	assert_string_equal(err.msg, "shard index out of range: JOB_COMPLETION_INDEX=4 (the "
	                             "Indexed Job's pod index) is not in 0..3, the indexes of "
	                             "JOB_COMPLETIONS=4 shards; keep JOB_COMPLETIONS equal to "
	                             "the Job's spec.completions");
	assert_int_equal(n, 0);
}

/* A sharded run's file: "shard" after "config", exact bytes, a round trip,
 * and a merge keeps the later-finished run's. */
static void status_shard_info_round_trips_and_follows_last_run(void **state)
{
	(void)state;
	static const char text[] =
	    "{\n  \"schema\": 1,\n  \"config\": \"c.yaml\",\n  \"shard\": {\n"
	    "    \"index\": 2,\n    \"count\": 4,\n    \"config_digest\": \"sha256:ab\"\n  },\n"
	    "  \"last_run\": {\n    \"finished\": \"2026-11-22T03:00:00Z\",\n"
	    "    \"published\": 0,\n    \"unchanged\": 0,\n    \"incomplete\": 0,\n"
	    "    \"failed\": 0\n  },\n  \"targets\": []\n}\n";
	struct pub_status *a = NULL, *b = NULL;
	struct base_error err;
	char *again;

	base_error_clear(&err);
	assert_int_equal(pub_status_parse("s.json", text, strlen(text), &a, &err), 0);
	assert_int_equal(a->shard.index, 2);
	assert_int_equal(a->shard.count, 4);
	assert_string_equal(a->shard.config_digest, "sha256:ab");
	again = pub_status_serialize(a);
	assert_str_or_null_equal(again, text);
	free(again);
	/* b finished later, unsharded: the merge takes its (absent) shard */
	b = calloc(1, sizeof(*b));
	b->schema = 1;
	b->last_run.finished = strdup("2026-11-23T03:00:00Z");
	assert_int_equal(pub_status_merge(a, b, &err), 0);
	assert_int_equal(a->shard.count, 0);
	assert_null(a->shard.config_digest);
	pub_status_free(a);
	pub_status_free(b);
}

static void status_shard_index_out_of_range_is_a_parse_error(void **state)
{
	(void)state;
	expect_parse_error(__FILE__, __LINE__,
	                   "{\"schema\": 1, \"shard\": {\"index\": 4, \"count\": 4}}",
	                   "s.json: shard: want 0 <= index < count, got index 4, count 4");
}

static int now_env_teardown(void **state)
{
	(void)state;
	unsetenv("MANIFOLD_NOW");
	return 0;
}

static void now_honours_manifold_now(void **state)
{
	(void)state;
	char *now;
	setenv("MANIFOLD_NOW", "2026-11-22T03:00:00Z", 1);
	now = pub_now_rfc3339();
	assert_str_or_null_equal(now, "2026-11-22T03:00:00Z");
	free(now);
}

static void now_is_rfc3339_utc(void **state)
{
	(void)state;
	char *now;
	unsetenv("MANIFOLD_NOW");
	now = pub_now_rfc3339();
	assert_non_null(now);
	assert_int_equal(strlen(now), 20);
	assert_int_equal(now[19], 'Z');
	assert_int_equal(now[10], 'T');
	free(now);
}

static struct pub_target_status rec(const char *target, enum pub_target_state state,
                                    const char *digest)
{
	struct pub_target_status t = {0};
	t.target = strdup(target);
	t.state = state;
	t.digest = digest ? strdup(digest) : NULL;
	return t;
}

/* The record before a run: make_status() sorted, plus other:v2 (failed,
 * configured but not run) and gone:v1 (published, no longer configured);
 * the run: app unchanged at the same digest, pause incomplete again, new
 * published. */
struct next_fixture {
	struct pub_status *prev, *next;
	struct pub_target_status run[3];
	struct pub_run lr;
};

static const char *const known[] = {"reg.example/app:v1", "reg.example/new:v1",
                                    "reg.example/other:v2", "reg.example/pause:3.10"};

static int next_setup(void **state)
{
	struct next_fixture *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	*state = fx;
	fx->lr = (struct pub_run){.started = "2026-11-23T03:00:00Z",
	                          .finished = "2026-11-23T03:00:01Z",
	                          .unchanged = 1,
	                          .incomplete = 1,
	                          .published = 1};
	struct pub_status *prev = make_status();
	pub_status_sort(prev);
	prev->targets = realloc(prev->targets, 4 * sizeof(*prev->targets));
	prev->targets[2] = rec("reg.example/other:v2", PUB_T_FAILED, NULL);
	prev->targets[2].since = strdup("2026-01-01T00:00:00Z");
	prev->targets[3] = rec("reg.example/gone:v1", PUB_T_PUBLISHED, "sha256:gg");
	prev->n_targets = 4;
	pub_status_sort(prev);
	fx->prev = prev;

	fx->run[0] = rec("reg.example/app:v1", PUB_T_UNCHANGED, "sha256:aa");
	fx->run[1] = rec("reg.example/pause:3.10", PUB_T_INCOMPLETE, NULL);
	fx->run[1].reason = strdup("missing linux/s390x \"q\"\n");
	fx->run[2] = rec("reg.example/new:v1", PUB_T_PUBLISHED, "sha256:nn");
	return 0;
}

static int next_teardown(void **state)
{
	struct next_fixture *fx = *state;
	for (int i = 0; i < 3; i++)
		pub_target_status_free(&fx->run[i]);
	pub_status_free(fx->next);
	pub_status_free(fx->prev);
	free(fx);
	return 0;
}

/* pub_status_next over the whole run with the configured targets */
static struct pub_status *next_of_run(struct next_fixture *fx)
{
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(
	    pub_status_next(fx->prev, fx->run, 3, known, 4, "c.yaml", &fx->lr, &fx->next, &err), 0);
	assert_non_null(fx->next);
	return fx->next;
}

static void status_next_takes_config_and_last_run(void **state)
{
	struct pub_status *next = next_of_run(*state);
	assert_string_equal(next->config, "c.yaml");
	assert_int_equal(next->last_run.published, 1);
	assert_string_equal(next->last_run.finished, "2026-11-23T03:00:01Z");
}

static void status_next_unchanged_at_same_digest_stays_published_since_then(void **state)
{
	struct pub_status *next = next_of_run(*state);
	struct pub_target_status *t = pub_status_find(next, "reg.example/app:v1");
	assert_non_null(t);
	assert_int_equal(t->state, PUB_T_PUBLISHED);
	assert_string_equal(t->since, "2026-11-22T03:00:05Z");
}

static void status_next_incomplete_again_keeps_since(void **state)
{
	struct pub_status *next = next_of_run(*state);
	struct pub_target_status *t = pub_status_find(next, "reg.example/pause:3.10");
	assert_non_null(t);
	assert_string_equal(t->since, "2026-11-21T03:00:00Z");
}

static void status_next_new_target_is_since_run_start(void **state)
{
	struct pub_status *next = next_of_run(*state);
	struct pub_target_status *t = pub_status_find(next, "reg.example/new:v1");
	assert_non_null(t);
	assert_string_equal(t->since, "2026-11-23T03:00:00Z");
}

static void status_next_keeps_configured_target_not_run(void **state)
{
	struct pub_status *next = next_of_run(*state);
	struct pub_target_status *t = pub_status_find(next, "reg.example/other:v2");
	assert_non_null(t);
	assert_string_equal(t->since, "2026-01-01T00:00:00Z");
}

static void status_next_drops_target_no_longer_configured(void **state)
{
	struct pub_status *next = next_of_run(*state);
	assert_int_equal(next->n_targets, 4);
	assert_null(pub_status_find(next, "reg.example/gone:v1"));
}

/* app fails now, alone in the run, no list of configured targets */
static struct pub_status *next_of_app_failing(struct next_fixture *fx)
{
	struct base_error err;
	base_error_clear(&err);
	pub_target_status_free(&fx->run[0]);
	fx->run[0] = rec("reg.example/app:v1", PUB_T_FAILED, NULL);
	assert_int_equal(
	    pub_status_next(fx->prev, fx->run, 1, NULL, 0, "c.yaml", &fx->lr, &fx->next, &err), 0);
	assert_non_null(fx->next);
	return fx->next;
}

static void status_next_failure_keeps_last_digest_and_moves_since(void **state)
{
	struct pub_status *next = next_of_app_failing(*state);
	struct pub_target_status *t = pub_status_find(next, "reg.example/app:v1");
	assert_non_null(t);
	assert_string_equal(t->digest, "sha256:aa");
	assert_string_equal(t->media_type, REG_MT_OCI_INDEX);
	assert_string_equal(t->since, "2026-11-23T03:00:00Z");
}

static void status_next_without_configured_list_keeps_every_record(void **state)
{
	struct pub_status *next = next_of_app_failing(*state);
	assert_non_null(pub_status_find(next, "reg.example/gone:v1"));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(status_serialize_is_exact_and_sorted_by_target),
	    cmocka_unit_test(status_serialize_leaves_caller_order_alone),
	    cmocka_unit_test(status_empty_serializes_empty_targets),
	    cmocka_unit_test(status_parse_reads_every_field),
	    cmocka_unit_test(status_target_copy_keeps_platforms_and_since),
	    cmocka_unit_test(status_parse_reads_absent_fields_as_unset),
	    cmocka_unit_test(status_find_unknown_target_is_null),
	    cmocka_unit_test(status_parse_then_serialize_gives_the_same_bytes),
	    cmocka_unit_test(status_parse_rejects_unknown_target_state),
	    cmocka_unit_test(status_parse_rejects_non_integer_size),
	    cmocka_unit_test(status_parse_rejects_sizes_and_counts_out_of_range),
	    cmocka_unit_test(status_parse_rejects_other_schema),
	    cmocka_unit_test(status_parse_rejects_invalid_json),
	    cmocka_unit_test(status_parse_rejects_target_given_twice),
	    cmocka_unit_test(status_parse_reads_targets_before_schema),
	    cmocka_unit_test(status_parse_rejects_broken_target_and_trailing_bytes),
	    cmocka_unit_test_setup_teardown(status_load_of_missing_file_is_empty_status,
	                                    status_dir_setup, status_dir_teardown),
	    cmocka_unit_test_setup_teardown(status_write_replaces_without_leaving_a_temp_file,
	                                    status_dir_setup, status_dir_teardown),
	    cmocka_unit_test_setup_teardown(status_write_error_names_file_and_leaves_nothing,
	                                    status_dir_setup, status_dir_teardown),
	    cmocka_unit_test(target_state_names),
	    cmocka_unit_test(platform_state_names),
	    cmocka_unit_test(state_names_parse_back),
	    cmocka_unit_test(state_parse_reads_check_ready_refuses_other_spellings),
	    cmocka_unit_test(shard_parse_reads_index_and_count),
	    cmocka_unit_test(shard_parse_rejects_out_of_range_and_malformed),
	    cmocka_unit_test_teardown(shard_without_flag_or_job_index_is_none, job_env_teardown),
	    cmocka_unit_test_teardown(shard_comes_from_indexed_job_env, job_env_teardown),
	    cmocka_unit_test_teardown(shard_job_index_needs_job_completions, job_env_teardown),
	    cmocka_unit_test_teardown(shard_job_index_out_of_range_names_the_env, job_env_teardown),
	    cmocka_unit_test(status_shard_info_round_trips_and_follows_last_run),
	    cmocka_unit_test(status_shard_index_out_of_range_is_a_parse_error),
	    cmocka_unit_test_teardown(now_honours_manifold_now, now_env_teardown),
	    cmocka_unit_test(now_is_rfc3339_utc),
	    cmocka_unit_test_setup_teardown(status_next_takes_config_and_last_run, next_setup,
	                                    next_teardown),
	    cmocka_unit_test_setup_teardown(
	        status_next_unchanged_at_same_digest_stays_published_since_then, next_setup,
	        next_teardown),
	    cmocka_unit_test_setup_teardown(status_next_incomplete_again_keeps_since, next_setup,
	                                    next_teardown),
	    cmocka_unit_test_setup_teardown(status_next_new_target_is_since_run_start, next_setup,
	                                    next_teardown),
	    cmocka_unit_test_setup_teardown(status_next_keeps_configured_target_not_run, next_setup,
	                                    next_teardown),
	    cmocka_unit_test_setup_teardown(status_next_drops_target_no_longer_configured,
	                                    next_setup, next_teardown),
	    cmocka_unit_test_setup_teardown(status_next_failure_keeps_last_digest_and_moves_since,
	                                    next_setup, next_teardown),
	    cmocka_unit_test_setup_teardown(status_next_without_configured_list_keeps_every_record,
	                                    next_setup, next_teardown),
	};
	return unit_run_group("test_pub_status", tests, argc, argv);
}
