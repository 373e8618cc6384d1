/* test_pub_status.c — the status file: exact serialised bytes, parse round
 * trip, JSON-path errors, atomic writes, state names, shard values. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
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

static void status_serialize_exact_bytes(void)
{
	struct pub_status *st = make_status();
	char *text = pub_status_serialize(st);
	CHECK_STR(text, expected);
	/* serialising does not reorder the caller's array */
	CHECK_STR(st->targets[0].target, "reg.example/pause:3.10");
	free(text);
	pub_status_free(st);
}

static void status_empty_serializes_empty_targets(void)
{
	struct pub_status st = {.schema = 1};
	char *text = pub_status_serialize(&st);
	CHECK_STR(text, "{\n  \"schema\": 1,\n  \"last_run\": {\n    \"published\": 0,\n"
	                "    \"unchanged\": 0,\n    \"incomplete\": 0,\n    \"failed\": 0\n  },\n"
	                "  \"targets\": []\n}\n");
	free(text);
}

static void status_parse_round_trip(void)
{
	struct pub_status *st = NULL;
	struct reg_error err;
	struct pub_target_status *t, copy;
	char *again;

	reg_error_clear(&err);
	CHECK_INT(pub_status_parse("s.json", expected, strlen(expected), &st, &err), 0);
	if (!st)
		return;
	CHECK_INT(st->n_targets, 2);
	CHECK_STR(st->config, "configs/release.yaml");
	CHECK_INT(st->last_run.incomplete, 1);
	t = pub_status_find(st, "reg.example/app:v1");
	CHECK(t != NULL);
	if (t) {
		CHECK_INT(t->state, PUB_T_PUBLISHED);
		CHECK_INT(t->platforms[0].size, 525);
		CHECK_INT(t->platforms[0].verified, 1);
		CHECK_STR(t->platforms[0].media_type, REG_MT_OCI_MANIFEST);
		CHECK_INT(pub_target_status_copy(&copy, t), 0);
		CHECK_STR(copy.platforms[0].digest, "sha256:bb");
		CHECK_STR(copy.since, "2026-11-22T03:00:05Z");
		pub_target_status_free(&copy);
	}
	t = pub_status_find(st, "reg.example/pause:3.10");
	CHECK(t != NULL);
	if (t) {
		CHECK_STR(t->reason, "missing linux/s390x \"q\"\n");
		CHECK_INT(t->platforms[0].size, -1);
		CHECK_INT(t->platforms[0].verified, 0);
		CHECK(t->platforms[0].digest == NULL);
	}
	CHECK(pub_status_find(st, "reg.example/none:v1") == NULL);
	again = pub_status_serialize(st);
	CHECK_STR(again, expected);
	free(again);
	pub_status_free(st);
}

static void status_parse_errors_name_path(void)
{
	static const char bad_state[] =
	    "{\"schema\": 1, \"targets\": [{\"target\": \"a/b:c\", \"state\": \"done\"}]}";
	static const char bad_plat[] =
	    "{\"schema\": 1, \"targets\": [{\"target\": \"a/b:c\", \"state\": \"failed\","
	    " \"platforms\": [{\"platform\": \"linux/amd64\", \"state\": \"ready\", \"size\": "
	    "\"1\"}]}]}";
	static const char bad_schema[] = "{\"schema\": 2, \"targets\": []}";
	static const char dup[] =
	    "{\"schema\": 1, \"targets\": [{\"target\": \"a/b:c\", \"state\": "
	    "\"failed\"}, {\"target\": \"a/b:c\", \"state\": \"failed\"}]}";
	struct pub_status *st = NULL;
	struct reg_error err;

	reg_error_clear(&err);
	CHECK_INT(pub_status_parse("s.json", bad_state, strlen(bad_state), &st, &err), -1);
	CHECK_STR(err.msg, "s.json: targets[0].state: \"done\" is not a target state");
	CHECK_INT(pub_status_parse("s.json", bad_plat, strlen(bad_plat), &st, &err), -1);
	CHECK_STR(err.msg, "s.json: targets[0].platforms[0].size: want a non-negative integer");
	CHECK_INT(pub_status_parse("s.json", bad_schema, strlen(bad_schema), &st, &err), -1);
	CHECK_STR(err.msg, "s.json: schema: want 1, got 2");
	CHECK_INT(pub_status_parse("s.json", "{\"schema\":", 10, &st, &err), -1);
	CHECK_STR(err.msg, "s.json: not valid JSON");
	CHECK_INT(pub_status_parse("s.json", dup, strlen(dup), &st, &err), -1);
	CHECK_STR(err.msg, "s.json: targets: \"a/b:c\" appears twice");
	CHECK(st == NULL);
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

static void status_write_is_atomic(void)
{
	char dir[] = "/tmp/manifold-status-XXXXXX", path[256], sub[256];
	struct pub_status *st = make_status(), *back = NULL, *missing = NULL;
	struct reg_error err;

	reg_error_clear(&err);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(sub, sizeof(sub), "%s/status", dir);
	snprintf(path, sizeof(path), "%s/status/release.json", dir);
	/* a missing file is an empty status */
	CHECK_INT(pub_status_load(path, &missing, &err), 0);
	CHECK(missing != NULL && missing->n_targets == 0);
	pub_status_free(missing);

	CHECK_INT(pub_status_write(path, st, &err), 0);
	CHECK_INT(pub_status_write(path, st, &err), 0); /* replace */
	CHECK_INT(count_entries(sub), 1);               /* no temp file left */
	CHECK_INT(pub_status_load(path, &back, &err), 0);
	CHECK(back != NULL && back->n_targets == 2);
	pub_status_free(back);

	/* a directory in the way: error names the file, nothing left behind */
	snprintf(path, sizeof(path), "%s/status", dir);
	CHECK_INT(pub_status_write(path, st, &err), -1);
	CHECK(strncmp(err.msg, path, strlen(path)) == 0);
	CHECK_INT(count_entries(sub), 1);

	snprintf(path, sizeof(path), "%s/status/release.json", dir);
	unlink(path);
	rmdir(sub);
	rmdir(dir);
	pub_status_free(st);
}

static void state_names(void)
{
	enum pub_target_state t;
	enum pub_platform_state p;

	CHECK_STR(pub_target_state_str(PUB_T_PUBLISHED), "published");
	CHECK_STR(pub_target_state_str(PUB_T_UNCHANGED), "unchanged");
	CHECK_STR(pub_target_state_str(PUB_T_INCOMPLETE), "incomplete");
	CHECK_STR(pub_target_state_str(PUB_T_FAILED), "failed");
	CHECK_STR(pub_platform_state_str(PUB_P_READY), "ready");
	CHECK_STR(pub_platform_state_str(PUB_P_MISSING), "missing");
	CHECK_STR(pub_platform_state_str(PUB_P_WRONG_PLATFORM), "wrong-platform");
	CHECK_STR(pub_platform_state_str(PUB_P_ERROR), "error");
	for (int i = 0; i < PUB_T__COUNT; i++) {
		CHECK_INT(pub_target_state_parse(pub_target_state_str(i), &t), 0);
		CHECK_INT(t, i);
	}
	for (int i = 0; i < PUB_P__COUNT; i++) {
		CHECK_INT(pub_platform_state_parse(pub_platform_state_str(i), &p), 0);
		CHECK_INT(p, i);
	}
	CHECK_INT(pub_target_state_parse("ready", &t), 0);
	CHECK_INT(t, PUB_T_READY);
	CHECK_INT(pub_platform_state_parse("wrong_platform", &p), -1);
}

static void shard_values(void)
{
	struct reg_error err;
	unsigned i, n;

	reg_error_clear(&err);
	CHECK_INT(pub_shard_parse("2/4", &i, &n, &err), 0);
	CHECK_INT(i, 2);
	CHECK_INT(n, 4);
	CHECK_INT(pub_shard_parse("4/4", &i, &n, &err), -1);
	CHECK_STR(err.msg, "--shard \"4/4\": want INDEX/COUNT with 0 <= INDEX < COUNT");
	CHECK_INT(pub_shard_parse("-1/4", &i, &n, &err), -1);
	CHECK_INT(pub_shard_parse("1/", &i, &n, &err), -1);
	CHECK_INT(pub_shard_parse("1", &i, &n, &err), -1);
	unsetenv("JOB_COMPLETION_INDEX");
	CHECK_INT(pub_shard_parse(NULL, &i, &n, &err), 0);
	CHECK_INT(n, 0);
	setenv("JOB_COMPLETION_INDEX", "3", 1);
	setenv("JOB_COMPLETIONS", "8", 1);
	CHECK_INT(pub_shard_parse(NULL, &i, &n, &err), 0);
	CHECK_INT(i, 3);
	CHECK_INT(n, 8);
	unsetenv("JOB_COMPLETIONS");
	CHECK_INT(pub_shard_parse(NULL, &i, &n, &err), -1);
	CHECK_STR(err.msg, "JOB_COMPLETION_INDEX is set (3) but JOB_COMPLETIONS is not");
	unsetenv("JOB_COMPLETION_INDEX");
}

static void now_honours_override(void)
{
	char *now;
	setenv("MANIFOLD_NOW", "2026-11-22T03:00:00Z", 1);
	now = pub_now_rfc3339();
	CHECK_STR(now, "2026-11-22T03:00:00Z");
	free(now);
	unsetenv("MANIFOLD_NOW");
	now = pub_now_rfc3339();
	CHECK(now && strlen(now) == 20 && now[19] == 'Z' && now[10] == 'T');
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

/* since moves only with state or digest; published→unchanged at the same
 * digest is no change (the record keeps "published"); incomplete keeps the last digest; records of
 * targets not run are kept while configured, dropped when not. */
static void status_next_keeps_since(void)
{
	struct pub_status *prev = make_status(), *next = NULL;
	struct pub_target_status run[3];
	struct pub_run lr = {.started = "2026-11-23T03:00:00Z",
	                     .finished = "2026-11-23T03:00:01Z",
	                     .unchanged = 1,
	                     .incomplete = 1,
	                     .published = 1};
	const char *known[] = {"reg.example/app:v1", "reg.example/new:v1", "reg.example/other:v2",
	                       "reg.example/pause:3.10"};
	struct reg_error err;
	struct pub_target_status *t;

	reg_error_clear(&err);
	pub_status_sort(prev);
	/* a third, configured but not run this time */
	prev->targets = realloc(prev->targets, 4 * sizeof(*prev->targets));
	prev->targets[2] = rec("reg.example/other:v2", PUB_T_FAILED, NULL);
	prev->targets[2].since = strdup("2026-01-01T00:00:00Z");
	prev->targets[3] = rec("reg.example/gone:v1", PUB_T_PUBLISHED, "sha256:gg");
	prev->n_targets = 4;
	pub_status_sort(prev);

	run[0] = rec("reg.example/app:v1", PUB_T_UNCHANGED, "sha256:aa");
	run[1] = rec("reg.example/pause:3.10", PUB_T_INCOMPLETE, NULL);
	run[1].reason = strdup("missing linux/s390x \"q\"\n");
	run[2] = rec("reg.example/new:v1", PUB_T_PUBLISHED, "sha256:nn");
	CHECK_INT(pub_status_next(prev, run, 3, known, 4, "c.yaml", &lr, &next, &err), 0);
	if (!next)
		goto out;
	CHECK_INT(next->n_targets, 4);
	CHECK_STR(next->config, "c.yaml");
	CHECK_INT(next->last_run.published, 1);
	CHECK_STR(next->last_run.finished, "2026-11-23T03:00:01Z");
	t = pub_status_find(next, "reg.example/app:v1");
	CHECK(t && t->state == PUB_T_PUBLISHED);
	CHECK_STR(t ? t->since : NULL, "2026-11-22T03:00:05Z");
	t = pub_status_find(next, "reg.example/pause:3.10");
	CHECK_STR(t ? t->since : NULL, "2026-11-21T03:00:00Z");
	t = pub_status_find(next, "reg.example/new:v1");
	CHECK_STR(t ? t->since : NULL, "2026-11-23T03:00:00Z");
	t = pub_status_find(next, "reg.example/other:v2");
	CHECK_STR(t ? t->since : NULL, "2026-01-01T00:00:00Z");
	CHECK(pub_status_find(next, "reg.example/gone:v1") == NULL);
	pub_status_free(next);
	next = NULL;

	/* app fails now: keeps its last digest, since moves */
	pub_target_status_free(&run[0]);
	run[0] = rec("reg.example/app:v1", PUB_T_FAILED, NULL);
	CHECK_INT(pub_status_next(prev, run, 1, NULL, 0, "c.yaml", &lr, &next, &err), 0);
	t = pub_status_find(next, "reg.example/app:v1");
	CHECK_STR(t ? t->digest : NULL, "sha256:aa");
	CHECK_STR(t ? t->media_type : NULL, REG_MT_OCI_INDEX);
	CHECK_STR(t ? t->since : NULL, "2026-11-23T03:00:00Z");
	CHECK(pub_status_find(next, "reg.example/gone:v1") != NULL); /* known NULL: kept */
out:
	for (int i = 0; i < 3; i++)
		pub_target_status_free(&run[i]);
	pub_status_free(next);
	pub_status_free(prev);
}

int main(void)
{
	status_serialize_exact_bytes();
	status_empty_serializes_empty_targets();
	status_parse_round_trip();
	status_parse_errors_name_path();
	status_write_is_atomic();
	state_names();
	shard_values();
	now_honours_override();
	status_next_keeps_since();
	return check_finish();
}
