/* test_status_split.c — the status file split into a header and parts
 * (status_split.c): the exact bytes of a header and a part, part names
 * (a registry's port, one part per image, buckets for an image of many
 * tags), auto's bounds both ways, a part no target uses removed, a target
 * left in two parts read as the newer record, a header naming a directory
 * elsewhere refused, and the layout words. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "status_split.h"

struct fx {
	char dir[64], path[128], parts[128];
};

static int fx_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	*state = fx;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/manifold-split-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/release.json", fx->dir);
	snprintf(fx->parts, sizeof(fx->parts), "%s/release.d", fx->dir);
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

/* A status of n targets: refs[i] when given, else "reg.example/img:tN". */
static struct status_status *make(size_t n, const char *const *refs)
{
	struct status_status *st = calloc(1, sizeof(*st));
	assert_non_null(st);
	st->schema = 1;
	st->config = strdup("release.yaml");
	st->last_run.started = strdup("2026-12-01T03:00:00Z");
	st->last_run.finished = strdup("2026-12-01T03:00:09Z");
	st->targets = calloc(n ? n : 1, sizeof(*st->targets));
	assert_non_null(st->targets);
	for (size_t i = 0; i < n; i++) {
		char ref[64];
		struct status_target_status *t = &st->targets[i];
		if (refs)
			snprintf(ref, sizeof(ref), "%s", refs[i]);
		else
			snprintf(ref, sizeof(ref), "reg.example/img:t%05zu", i);
		t->target = strdup(ref);
		t->state = STATUS_T_PUBLISHED;
		t->digest = strdup("sha256:aa");
		t->since = strdup("2026-12-01T03:00:05Z");
	}
	st->n_targets = n;
	status_sort(st);
	return st;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int exists(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0;
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Both hold the same records, as serialised. */
static void assert_same_status(const struct status_status *a, const struct status_status *b)
{
	char *x = status_serialize(a), *y = status_serialize(b);
	assert_non_null(x);
	assert_non_null(y);
	assert_string_equal(x, y);
	free(x);
	free(y);
}

static void split_header_and_part_are_exact_bytes(void **state)
{
	struct fx *fx = *state;
	static const char *const refs[] = {"localhost:5000/team/app:v1",
	                                   "localhost:5000/team/app:v2", "reg.example/pause:3.10"};
	struct status_status *st = make(3, refs), *back = NULL;
	struct base_error err;
	char part[256], *text;
	int split = 0;

	base_error_clear(&err);
	assert_int_equal(status_store_write(fx->path, st, STATUS_LAYOUT_SPLIT, &split, &err), 0);
	assert_int_equal(split, 1);
	assert_int_equal(status_store_is_split(fx->path), 1);
	text = slurp(fx->path);
	assert_str_or_null_equal(text, "{\n"
	                               "  \"schema\": 2,\n"
	                               "  \"config\": \"release.yaml\",\n"
	                               "  \"last_run\": {\n"
	                               "    \"started\": \"2026-12-01T03:00:00Z\",\n"
	                               "    \"finished\": \"2026-12-01T03:00:09Z\",\n"
	                               "    \"published\": 0,\n"
	                               "    \"unchanged\": 0,\n"
	                               "    \"incomplete\": 0,\n"
	                               "    \"failed\": 0\n"
	                               "  },\n"
	                               "  \"parts\": \"release.d\"\n"
	                               "}\n");
	free(text);
	snprintf(part, sizeof(part), "%s/localhost_5000/team/app.json", fx->parts);
	text = slurp(part);
	assert_str_or_null_equal(text, "{\n"
	                               "  \"schema\": 1,\n"
	                               "  \"targets\": [\n"
	                               "    {\n"
	                               "      \"target\": \"localhost:5000/team/app:v1\",\n"
	                               "      \"state\": \"published\",\n"
	                               "      \"digest\": \"sha256:aa\",\n"
	                               "      \"since\": \"2026-12-01T03:00:05Z\",\n"
	                               "      \"platforms\": []\n"
	                               "    },\n"
	                               "    {\n"
	                               "      \"target\": \"localhost:5000/team/app:v2\",\n"
	                               "      \"state\": \"published\",\n"
	                               "      \"digest\": \"sha256:aa\",\n"
	                               "      \"since\": \"2026-12-01T03:00:05Z\",\n"
	                               "      \"platforms\": []\n"
	                               "    }\n"
	                               "  ]\n"
	                               "}\n");
	free(text);
	snprintf(part, sizeof(part), "%s/reg.example/pause.json", fx->parts);
	assert_true(exists(part));
	assert_int_equal(status_store_load(fx->path, &back, &err), 0);
	assert_same_status(st, back);
	status_free(back);
	status_free(st);
}

static void auto_splits_above_2000_and_joins_at_1000(void **state)
{
	struct fx *fx = *state;
	struct status_status *big = make(STATUS_SPLIT_ABOVE + 1, NULL), *mid = make(1500, NULL);
	struct status_status *small = make(STATUS_JOIN_AT, NULL), *back = NULL;
	struct base_error err;
	int split = -1;

	base_error_clear(&err);
	/* 2000 targets: still one file */
	big->n_targets--;
	assert_int_equal(status_store_write(fx->path, big, STATUS_LAYOUT_AUTO, &split, &err), 0);
	assert_int_equal(split, 0);
	assert_false(exists(fx->parts));
	big->n_targets++;
	assert_int_equal(status_store_write(fx->path, big, STATUS_LAYOUT_AUTO, &split, &err), 0);
	assert_int_equal(split, 1);
	/* 2001 tags of one image: a power of two of buckets, about 500 each */
	assert_int_equal(count_files(fx->parts), 1);
	{
		char img[256];
		snprintf(img, sizeof(img), "%s/reg.example", fx->parts);
		assert_int_equal(count_files(img), 4);
		snprintf(img, sizeof(img), "%s/reg.example/img.03.json", fx->parts);
		assert_true(exists(img));
	}
	assert_int_equal(status_store_load(fx->path, &back, &err), 0);
	assert_same_status(big, back);
	status_free(back);
	/* between the bounds: stays as it is */
	assert_int_equal(status_store_write(fx->path, mid, STATUS_LAYOUT_AUTO, &split, &err), 0);
	assert_int_equal(split, 1);
	/* at the lower bound: one file again, the parts removed */
	assert_int_equal(status_store_write(fx->path, small, STATUS_LAYOUT_AUTO, &split, &err), 0);
	assert_int_equal(split, 0);
	assert_int_equal(status_store_is_split(fx->path), 0);
	assert_false(exists(fx->parts));
	assert_int_equal(status_store_load(fx->path, &back, &err), 0);
	assert_same_status(small, back);
	status_free(back);
	/* between the bounds from one file: stays one file; KEEP keeps it */
	assert_int_equal(status_store_write(fx->path, mid, STATUS_LAYOUT_AUTO, &split, &err), 0);
	assert_int_equal(split, 0);
	assert_int_equal(status_store_write(fx->path, mid, STATUS_LAYOUT_KEEP, &split, &err), 0);
	assert_int_equal(split, 0);
	status_free(big);
	status_free(mid);
	status_free(small);
}

static void a_part_no_target_uses_is_removed(void **state)
{
	struct fx *fx = *state;
	static const char *const refs[] = {"reg.example/a:v1", "reg.example/b:v1"};
	struct status_status *st = make(2, refs);
	struct base_error err;
	char a[256], b[256], tmp[256];
	FILE *f;

	base_error_clear(&err);
	assert_int_equal(status_store_write(fx->path, st, STATUS_LAYOUT_SPLIT, NULL, &err), 0);
	snprintf(a, sizeof(a), "%s/reg.example/a.json", fx->parts);
	snprintf(b, sizeof(b), "%s/reg.example/b.json", fx->parts);
	/* a temporary file of a write cut short, and a file that is not ours */
	snprintf(tmp, sizeof(tmp), "%s/reg.example/b.json.tmp.AbC123", fx->parts);
	assert_non_null(f = fopen(tmp, "w"));
	fclose(f);
	snprintf(tmp, sizeof(tmp), "%s/README", fx->parts);
	assert_non_null(f = fopen(tmp, "w"));
	fclose(f);
	st->n_targets = 1; /* b dropped */
	assert_int_equal(status_store_write(fx->path, st, STATUS_LAYOUT_KEEP, NULL, &err), 0);
	assert_true(exists(a));
	assert_false(exists(b));
	snprintf(tmp, sizeof(tmp), "%s/reg.example/b.json.tmp.AbC123", fx->parts);
	assert_false(exists(tmp));
	snprintf(tmp, sizeof(tmp), "%s/README", fx->parts);
	assert_true(exists(tmp));
	st->n_targets = 2;
	status_free(st);
}

static void a_target_in_two_parts_reads_as_the_newer(void **state)
{
	struct fx *fx = *state;
	static const char *const refs[] = {"reg.example/a:v1"};
	struct status_status *st = make(1, refs), *back = NULL;
	struct base_error err;
	char other[256];
	FILE *f;

	base_error_clear(&err);
	assert_int_equal(status_store_write(fx->path, st, STATUS_LAYOUT_SPLIT, NULL, &err), 0);
	snprintf(other, sizeof(other), "%s/reg.example/a.1f.json", fx->parts);
	assert_non_null(f = fopen(other, "w"));
	fputs("{\"schema\": 1, \"targets\": [{\"target\": \"reg.example/a:v1\", \"state\": "
	      "\"failed\", \"since\": \"2026-12-02T03:00:00Z\", \"reason\": \"newer\"}]}\n",
	      f);
	fclose(f);
	assert_int_equal(status_store_load(fx->path, &back, &err), 0);
	assert_int_equal(back->n_targets, 1);
	assert_int_equal(back->targets[0].state, STATUS_T_FAILED);
	assert_string_equal(back->targets[0].reason, "newer");
	status_free(back);
	status_free(st);
}

/* fx->path holding text is refused by status_store_load: "<path>: why". */
static void header_refused(const struct fx *fx, const char *text, const char *why)
{
	struct status_status *back = NULL;
	struct base_error err;
	char want[256];
	FILE *f;

	base_error_clear(&err);
	assert_non_null(f = fopen(fx->path, "w"));
	fputs(text, f);
	fclose(f);
	assert_int_equal(status_store_load(fx->path, &back, &err), -1);
	assert_null(back);
	snprintf(want, sizeof(want), "%s: %s", fx->path, why);
	assert_string_equal(err.msg, want);
}

static void a_header_naming_a_directory_elsewhere_is_refused(void **state)
{
	header_refused(*state, "{\n  \"schema\": 2,\n  \"parts\": \"../elsewhere\"\n}\n",
	               "parts: want the name of a directory beside the file");
}

/* A split header is schema 2, so a reader that knows no parts refuses it
 * instead of reading a status of no targets; schema 2 is nothing else. */
static void schema_2_is_a_header_only(void **state)
{
	header_refused(*state, "{\n  \"schema\": 2,\n  \"targets\": []\n}\n",
	               "schema: 2 is a split status's header, which names its \"parts\"");
}

static void layout_words(void **state)
{
	enum status_layout l;
	(void)state;
	assert_int_equal(status_layout_parse("auto", &l), 0);
	assert_int_equal(l, STATUS_LAYOUT_AUTO);
	assert_int_equal(status_layout_parse("one-file", &l), 0);
	assert_int_equal(l, STATUS_LAYOUT_ONE_FILE);
	assert_int_equal(status_layout_parse("split", &l), 0);
	assert_int_equal(l, STATUS_LAYOUT_SPLIT);
	assert_int_equal(status_layout_parse("Split", &l), -1);
	assert_string_equal(status_layout_str(STATUS_LAYOUT_ONE_FILE), "one-file");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(split_header_and_part_are_exact_bytes, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(auto_splits_above_2000_and_joins_at_1000, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(a_part_no_target_uses_is_removed, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(a_target_in_two_parts_reads_as_the_newer, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(a_header_naming_a_directory_elsewhere_is_refused,
	                                    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(schema_2_is_a_header_only, fx_setup, fx_teardown),
	    cmocka_unit_test(layout_words),
	};
	return unit_run_group("test_status_split", tests, argc, argv);
}
