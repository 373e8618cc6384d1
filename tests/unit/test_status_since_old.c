/* test_status_since_old.c — what `status --since REV` reads of a file at
 * REV (since_old.c), against real git repositories: the diff from the
 * table equals the diff from the whole records (escapes, backslashes up to
 * a quote, null, members in any order, keys inside platforms, a key
 * twice); a bad record at REV is
 * an error naming file, revision and member; of a target in two files the
 * newer since counts, ties the first file's. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "status_report.h"

static char root[256];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* root/<name>: a repository whose files[i] hold at[i] in its one commit and
 * now[i] in the work tree; paths[i] their paths. */
static void repo(const char *name, size_t n, const char *const *at, const char *const *now,
                 char paths[][512])
{
	assert_int_equal(sh("set -e; cd %s && git init -q -b main %s && cd %s && git config "
	                    "user.name T && git config user.email t@x",
	                    root, name, name),
	                 0);
	for (size_t i = 0; i < n; i++) {
		snprintf(paths[i], 512, "%s/%s/s%zu.json", root, name, i);
		put(paths[i], at[i]);
	}
	assert_int_equal(sh("set -e; cd %s/%s && git add -A && git commit -qm night1", root, name),
	                 0);
	for (size_t i = 0; i < n; i++)
		put(paths[i], now[i]);
}

/* "published a b c, still d" — what changed, as names. */
static void describe(const struct status_since *s, char *buf, size_t len)
{
	size_t o = 0;
	const struct {
		const char *word;
		const struct status_target_status *const *v;
		size_t n;
	} lists[] = {{"published", s->published, s->n_published},
	             {"broken", s->broken, s->n_broken},
	             {"still", s->still, s->n_still}};
	buf[0] = '\0';
	for (size_t k = 0; k < 3; k++) {
		o += (size_t)snprintf(buf + o, len - o, "%s%s:", k ? "; " : "", lists[k].word);
		for (size_t i = 0; i < lists[k].n; i++)
			o += (size_t)snprintf(buf + o, len - o, " %s", lists[k].v[i]->target);
	}
}

static const char OLD_TRICKY[] =
    "{\"schema\": 1, \"targets\": [\n"
    /* members in another order, a platform's own state and digest inside */
    " {\"since\": \"2026-12-01T03:00:00Z\", \"platforms\": [{\"platform\": \"linux/amd64\", "
    "\"state\": \"ready\", \"digest\": \"sha256:ccc\", \"target\": \"x\"}], "
    "\"digest\": \"sha256:aaa\", \"state\": \"published\", \"target\": \"r.example/a:v1\"},\n"
    /* an escaped target and digest, and a null digest elsewhere */
    " {\"target\": \"r.example\\/b:v1\", \"state\": \"unchanged\", \"digest\": "
    "\"sha256:\\u0062bb\", \"reason\": \"a \\\"quoted\\\" } ] reason\"},\n"
    /* a reason whose backslashes run up to a quote, escaped and not */
    " {\"target\": \"r.example/c:v1\", \"state\": \"failed\", \"digest\": null, "
    "\"reason\": \"a \\\\\\\" b \\\\\", "
    "\"extra_tags\": [{\"tag\": \"latest\", \"digest\": \"sha256:eee\"}]},\n"
    /* a key twice: the first counts, as cJSON reads it */
    " {\"target\": \"r.example/d:v1\", \"state\": \"incomplete\", \"state\": \"published\", "
    "\"digest\": \"sha256:ddd\"},\n"
    " {\"target\": \"r.example/gone:v1\", \"state\": \"published\"}\n"
    "]}\n";

static const char NOW_TRICKY[] =
    "{\"schema\": 1, \"targets\": [\n"
    " {\"target\": \"r.example/a:v1\", \"state\": \"published\", \"digest\": \"sha256:aaa\"},\n"
    " {\"target\": \"r.example/b:v1\", \"state\": \"published\", \"digest\": \"sha256:bbb\"},\n"
    " {\"target\": \"r.example/c:v1\", \"state\": \"published\", \"digest\": \"sha256:ccc\"},\n"
    " {\"target\": \"r.example/d:v1\", \"state\": \"failed\", \"digest\": \"sha256:ddd\"},\n"
    " {\"target\": \"r.example/e:v1\", \"state\": \"incomplete\"}\n"
    "]}\n";

static void since_old_diff_is_the_whole_records_diff(void **state)
{
	const char *at[] = {OLD_TRICKY}, *now[] = {NOW_TRICKY};
	char paths[1][512], got[1024], want[1024];
	const char *files[1];
	struct status_status *cur = NULL, *whole = NULL;
	struct status_since_old *old = NULL;
	struct status_since s, w;
	struct base_error err = {0};

	(void)state;
	repo("tricky", 1, at, now, paths);
	files[0] = paths[0];
	assert_int_equal(status_load_all(files, 1, "HEAD", NULL, &cur, &old, &err), 0);
	assert_int_equal(status_since_diff_old(old, cur, "HEAD", &s, &err), 0);
	describe(&s, got, sizeof(got));
	/* the same text parsed whole, record by record */
	assert_int_equal(status_parse("s0.json", OLD_TRICKY, strlen(OLD_TRICKY), &whole, &err), 0);
	assert_int_equal(status_since_diff(whole, cur, "HEAD", &w, &err), 0);
	describe(&w, want, sizeof(want));
	assert_string_equal(got, want);
	assert_string_equal(got, "published: r.example/c:v1; broken: r.example/e:v1; still: "
	                         "r.example/d:v1");
	status_since_free(&s);
	status_since_free(&w);
	status_since_old_free(old);
	status_free(cur);
	status_free(whole);
}

static void since_old_bad_record_names_file_revision_and_member(void **state)
{
	static const struct {
		const char *record, *want;
	} cases[] = {
	    {"{\"target\": \"r/a:v1\", \"state\": \"published\", \"digest\": 5}",
	     "targets[0].digest: want a string"},
	    {"{\"target\": \"r/a:v1\", \"state\": \"shiny\"}",
	     "targets[0].state: \"shiny\" is not a target state"},
	    {"{\"state\": \"published\"}", "targets[0].target: missing"},
	    {"[\"r/a:v1\"]", "targets[0]: want an object"},
	    {"{\"target\": \"r/a:v1\" \"state\": \"published\"}", "s0.json: not valid JSON"},
	};
	char name[32], paths[1][512];
	const char *files[1];

	(void)state;
	for (size_t i = 0; i < UNIT_COUNT(cases); i++) {
		char at[512], msg[1024];
		const char *ats[1] = {at}, *nows[1] = {"{\"schema\": 1, \"targets\": []}\n"};
		struct status_status *cur = NULL;
		struct status_since_old *old = NULL;
		struct base_error err = {0};
		snprintf(at, sizeof(at), "{\"schema\": 1, \"targets\": [%s]}\n", cases[i].record);
		snprintf(name, sizeof(name), "bad%zu", i);
		repo(name, 1, ats, nows, paths);
		files[0] = paths[0];
		assert_int_equal(status_load_all(files, 1, "HEAD", NULL, &cur, &old, &err), -1);
		snprintf(msg, sizeof(msg), "%s at HEAD: ", paths[0]);
		assert_non_null(strstr(err.msg, msg));
		assert_non_null(strstr(err.msg, cases[i].want));
		status_since_old_free(old);
		status_free(cur);
	}
}

static void since_old_two_files_newer_since_counts(void **state)
{
	/* a at REV: failed in file 0 (newer), published in file 1; b: the
	 * same since in both, failed in file 0 (first), published in file 1 */
	const char *at[] = {
	    "{\"schema\": 1, \"targets\": [{\"target\": \"r/a:v1\", \"state\": \"failed\", "
	    "\"since\": \"2026-12-02T00:00:00Z\"}, {\"target\": \"r/b:v1\", \"state\": \"failed\", "
	    "\"since\": \"2026-12-01T00:00:00Z\"}]}\n",
	    "{\"schema\": 1, \"targets\": [{\"target\": \"r/a:v1\", \"state\": \"published\", "
	    "\"digest\": \"sha256:1\", \"since\": \"2026-12-01T00:00:00Z\"}, {\"target\": "
	    "\"r/b:v1\", "
	    "\"state\": \"published\", \"digest\": \"sha256:1\", \"since\": "
	    "\"2026-12-01T00:00:00Z\"}, {\"target\": \"r/c:v1\", \"state\": \"published\", "
	    "\"digest\": \"sha256:1\", \"since\": \"2026-12-01T00:00:00Z\"}]}\n"};
	const char *now[] = {
	    "{\"schema\": 1, \"targets\": []}\n",
	    "{\"schema\": 1, \"targets\": [{\"target\": \"r/a:v1\", \"state\": \"published\", "
	    "\"digest\": \"sha256:1\"}, {\"target\": \"r/b:v1\", \"state\": \"published\", "
	    "\"digest\": \"sha256:1\"}, {\"target\": \"r/c:v1\", \"state\": \"published\", "
	    "\"digest\": \"sha256:1\"}]}\n"};
	char paths[2][512], got[1024];
	const char *files[2];
	struct status_status *cur = NULL;
	struct status_since_old *old = NULL;
	struct status_since s;
	struct base_error err = {0};

	(void)state;
	repo("two", 2, at, now, paths);
	files[0] = paths[0];
	files[1] = paths[1];
	assert_int_equal(status_load_all(files, 2, "HEAD", NULL, &cur, &old, &err), 0);
	assert_int_equal(status_since_diff_old(old, cur, "HEAD", &s, &err), 0);
	describe(&s, got, sizeof(got));
	assert_string_equal(got, "published: r/a:v1 r/b:v1; broken:; still:");
	status_since_free(&s);
	status_since_old_free(old);
	status_free(cur);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(since_old_diff_is_the_whole_records_diff),
	    cmocka_unit_test(since_old_bad_record_names_file_revision_and_member),
	    cmocka_unit_test(since_old_two_files_newer_since_counts),
	};
	int rc;

	if (unit_git_sandbox("since", root, sizeof(root)) < 0)
		return 2;
	rc = unit_run_group("test_status_since_old", tests, argc, argv);
	if (unit_tmpdir_remove(root) < 0)
		rc = rc ? rc : 1;
	return rc;
}
