/* test_status_file.c — the status file as a document: exact serialised
 * bytes, parse round trip, JSON-path errors, atomic writes, the `shard`
 * record (round trip, follows last_run in a merge, out of range); the
 * reader takes the targets array one element at a time. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "status_file.h"
#include "status_sample.h"

static void status_serialize_is_exact_and_sorted_by_target(void **state)
{
	(void)state;
	struct status_status *st = status_sample();
	char *text = status_serialize(st);
	assert_str_or_null_equal(text, status_sample_json);
	free(text);
	status_free(st);
}

static void status_serialize_leaves_caller_order_alone(void **state)
{
	(void)state;
	struct status_status *st = status_sample();
	char *text = status_serialize(st);
	assert_string_equal(st->targets[0].target, "reg.example/pause:3.10");
	free(text);
	status_free(st);
}

static void status_empty_serializes_empty_targets(void **state)
{
	(void)state;
	struct status_status st = {.schema = 1};
	char *text = status_serialize(&st);
	assert_str_or_null_equal(
	    text, "{\n  \"schema\": 1,\n  \"last_run\": {\n    \"published\": 0,\n"
	          "    \"unchanged\": 0,\n    \"incomplete\": 0,\n    \"failed\": 0\n"
	          "  },\n  \"targets\": []\n}\n");
	free(text);
}

static struct status_status *parse_status_sample_json(void)
{
	struct status_status *st = status_sample_read();
	assert_non_null(st);
	return st;
}

static void status_parse_reads_every_field(void **state)
{
	(void)state;
	struct status_status *st = parse_status_sample_json();
	assert_int_equal(st->n_targets, 2);
	assert_string_equal(st->config, "configs/release.yaml");
	assert_int_equal(st->last_run.incomplete, 1);
	struct status_target_status *t = status_find(st, "reg.example/app:v1");
	assert_non_null(t);
	assert_int_equal(t->state, STATUS_T_PUBLISHED);
	assert_int_equal(t->platforms[0].size, 525);
	assert_int_equal(t->platforms[0].verified, 1);
	assert_string_equal(t->platforms[0].media_type, SAMPLE_OCI_MANIFEST);
	status_free(st);
}

static void status_target_copy_keeps_platforms_and_since(void **state)
{
	(void)state;
	struct status_status *st = parse_status_sample_json();
	struct status_target_status copy;
	struct status_target_status *t = status_find(st, "reg.example/app:v1");
	assert_non_null(t);
	assert_int_equal(status_target_status_copy(&copy, t), 0);
	assert_string_equal(copy.platforms[0].digest, "sha256:bb");
	assert_string_equal(copy.since, "2026-11-22T03:00:05Z");
	status_target_status_free(&copy);
	status_free(st);
}

static void status_parse_reads_absent_fields_as_unset(void **state)
{
	(void)state;
	struct status_status *st = parse_status_sample_json();
	struct status_target_status *t = status_find(st, "reg.example/pause:3.10");
	assert_non_null(t);
	assert_string_equal(t->reason, "missing linux/s390x \"q\"\n");
	assert_int_equal(t->platforms[0].size, -1);
	assert_int_equal(t->platforms[0].verified, 0);
	assert_null(t->platforms[0].digest);
	status_free(st);
}

static void status_find_unknown_target_is_null(void **state)
{
	(void)state;
	struct status_status *st = parse_status_sample_json();
	assert_null(status_find(st, "reg.example/none:v1"));
	status_free(st);
}

static void status_parse_then_serialize_gives_the_same_bytes(void **state)
{
	(void)state;
	struct status_status *st = parse_status_sample_json();
	char *again = status_serialize(st);
	assert_str_or_null_equal(again, status_sample_json);
	free(again);
	status_free(st);
}

/* Parsing `json` fails with exactly `msg` and gives no status. */
static void expect_parse_error(const char *file, int line, const char *json, const char *msg)
{
	struct status_status *st = NULL;
	struct base_error err;
	base_error_clear(&err);
	_assert_int_equal(status_parse("s.json", json, strlen(json), &st, &err), -1, file, line);
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
	EXPECT_PARSE_ERROR("{\"schema\": 3, \"targets\": []}", "s.json: schema: want 1, got 3");
	EXPECT_PARSE_ERROR(
	    "{\"schema\": 2, \"targets\": []}",
	    "s.json: schema: 2 is a split status's header, which names its \"parts\"");
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
	struct status_status *st = NULL;
	struct base_error err;

	(void)state;
	base_error_clear(&err);
	assert_int_equal(status_parse("s.json", json, strlen(json), &st, &err), 0);
	assert_int_equal(st->n_targets, 2);
	assert_string_equal(st->targets[0].target, "a/b:[]{\"");
	assert_string_equal(st->targets[1].target, "a/b:c");
	assert_string_equal(st->config, "x.yaml");
	status_free(st);
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
	struct status_status *missing = NULL;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(status_load(fx->path, &missing, &err), 0);
	assert_non_null(missing);
	assert_int_equal(missing->n_targets, 0);
	status_free(missing);
}

/* A file of many targets is read a window at a time (status_parse.c):
 * targets cut by a window's edge, and brackets and quotes inside strings,
 * read back to the same bytes; a file cut short is not valid JSON. */
static void status_load_reads_a_big_file_window_by_window(void **state)
{
	struct status_dir *fx = *state;
	struct status_status *st = status_sample(), *back = NULL;
	struct base_error err;
	const size_t n = 3000;
	char name[64], *text, *again;
	FILE *f;

	base_error_clear(&err);
	st->targets = realloc(st->targets, n * sizeof(*st->targets));
	assert_non_null(st->targets);
	for (size_t i = st->n_targets; i < n; i++) {
		assert_int_equal(status_target_status_copy(&st->targets[i], &st->targets[i % 2]),
		                 0);
		snprintf(name, sizeof(name), "reg.example/t%05zu:v1", i);
		free(st->targets[i].target);
		st->targets[i].target = strdup(name);
		free(st->targets[i].reason);
		st->targets[i].reason = strdup(i % 3 ? "a \"quoted\" ]} reason \\" : "[{,:");
	}
	st->n_targets = n;
	status_sort(st);
	assert_int_equal(status_write(fx->path, st, &err), 0);
	text = status_serialize(st);
	assert_non_null(text);
	assert_true(strlen(text) > 4 * 128 * 1024);
	assert_int_equal(status_load(fx->path, &back, &err), 0);
	assert_int_equal(back->n_targets, n);
	again = status_serialize(back);
	assert_non_null(again);
	assert_string_equal(again, text);
	status_free(back);
	back = NULL;
	free(again);

	f = fopen(fx->path, "w");
	assert_non_null(f);
	fwrite(text, 1, strlen(text) / 2, f);
	fclose(f);
	assert_int_equal(status_load(fx->path, &back, &err), -1);
	assert_null(back);
	assert_non_null(strstr(err.msg, ": not valid JSON"));
	assert_memory_equal(err.msg, fx->path, strlen(fx->path));
	free(text);
	status_free(st);
}

static void status_write_replaces_without_leaving_a_temp_file(void **state)
{
	struct status_dir *fx = *state;
	struct status_status *st = status_sample(), *back = NULL;
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(status_write(fx->path, st, &err), 0);
	assert_int_equal(status_write(fx->path, st, &err), 0); /* replace */
	assert_int_equal(count_entries(fx->sub), 1);           /* no temp file left */
	assert_int_equal(status_load(fx->path, &back, &err), 0);
	assert_non_null(back);
	assert_int_equal(back->n_targets, 2);
	status_free(back);
	status_free(st);
}

static void status_write_error_names_file_and_leaves_nothing(void **state)
{
	struct status_dir *fx = *state;
	struct status_status *st = status_sample();
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(status_write(fx->path, st, &err), 0);
	/* a directory in the way */
	assert_int_equal(status_write(fx->sub, st, &err), -1);
	assert_memory_equal(err.msg, fx->sub, strlen(fx->sub));
	assert_int_equal(count_entries(fx->sub), 1);
	status_free(st);
}

/* --status through a link keeps the link (the file it names is replaced),
 * and a FIFO or device (/dev/null) is written through, never replaced by
 * a regular file. */
static void status_write_keeps_a_link_and_a_fifo(void **state)
{
	struct status_dir *fx = *state;
	struct status_status *st = status_sample(), *back = NULL;
	char link[4200], fifo[4200], *text = status_serialize(st), got[8192];
	struct base_error err;
	struct stat sb;
	ssize_t n, total = 0;
	int rd;

	base_error_clear(&err);
	assert_non_null(text);
	assert_int_equal(mkdir(fx->sub, 0755), 0);
	snprintf(link, sizeof(link), "%s/linked.json", fx->sub);
	assert_int_equal(symlink(fx->path, link), 0);
	assert_int_equal(status_write(link, st, &err), 0);
	assert_int_equal(status_write(link, st, &err), 0);
	assert_int_equal(lstat(link, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	assert_int_equal(status_load(fx->path, &back, &err), 0);
	assert_int_equal(back->n_targets, 2);
	status_free(back);
	assert_int_equal(unlink(link), 0);

	snprintf(fifo, sizeof(fifo), "%s/pipe", fx->sub);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	rd = open(fifo, O_RDWR | O_NONBLOCK); /* a reader, so writing does not block */
	assert_true(rd >= 0);
	assert_true(strlen(text) < sizeof(got));
	assert_int_equal(status_write(fifo, st, &err), 0);
	while ((n = read(rd, got + total, sizeof(got) - 1 - (size_t)total)) > 0)
		total += n;
	got[total] = '\0';
	assert_string_equal(got, text);
	assert_int_equal(stat(fifo, &sb), 0);
	assert_true(S_ISFIFO(sb.st_mode));
	close(rd);
	assert_int_equal(unlink(fifo), 0);
	assert_int_equal(count_entries(fx->sub), 1); /* no temporary file left */
	free(text);
	status_free(st);
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
	struct status_status *a = NULL, *b = NULL;
	struct base_error err;
	char *again;

	base_error_clear(&err);
	assert_int_equal(status_parse("s.json", text, strlen(text), &a, &err), 0);
	assert_int_equal(a->shard.index, 2);
	assert_int_equal(a->shard.count, 4);
	assert_string_equal(a->shard.config_digest, "sha256:ab");
	again = status_serialize(a);
	assert_str_or_null_equal(again, text);
	free(again);
	/* b finished later, unsharded: the merge takes its (absent) shard */
	b = calloc(1, sizeof(*b));
	b->schema = 1;
	b->last_run.finished = strdup("2026-11-23T03:00:00Z");
	assert_int_equal(status_merge(a, b, &err), 0);
	assert_int_equal(a->shard.count, 0);
	assert_null(a->shard.config_digest);
	status_free(a);
	status_free(b);
}

static void status_shard_index_out_of_range_is_a_parse_error(void **state)
{
	(void)state;
	expect_parse_error(__FILE__, __LINE__,
	                   "{\"schema\": 1, \"shard\": {\"index\": 4, \"count\": 4}}",
	                   "s.json: shard: want 0 <= index < count, got index 4, count 4");
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
	    cmocka_unit_test_setup_teardown(status_load_reads_a_big_file_window_by_window,
	                                    status_dir_setup, status_dir_teardown),
	    cmocka_unit_test_setup_teardown(status_write_replaces_without_leaving_a_temp_file,
	                                    status_dir_setup, status_dir_teardown),
	    cmocka_unit_test_setup_teardown(status_write_keeps_a_link_and_a_fifo, status_dir_setup,
	                                    status_dir_teardown),
	    cmocka_unit_test_setup_teardown(status_write_error_names_file_and_leaves_nothing,
	                                    status_dir_setup, status_dir_teardown),
	    cmocka_unit_test(status_shard_info_round_trips_and_follows_last_run),
	    cmocka_unit_test(status_shard_index_out_of_range_is_a_parse_error),
	};
	return unit_run_group("test_status_file", tests, argc, argv);
}
