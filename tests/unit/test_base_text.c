/* test_base_text.c — base's growable buffer (grows from empty and from a
 * buffer filled by hand, take gives "" for nothing), its JSON string writer
 * in both styles (each escape pinned byte for byte) and the error's cause
 * chain (wrap prefixes, keeps the cause and its HTTP status and code, cuts
 * a long context rather than the cause); and the allocator's set-up,
 * which leaves a setting the user made for glibc as it is. */
#include <stdlib.h>

#include "base.h"
#include "unit.h"

static void buf_grows_and_stays_nul_terminated(void **state)
{
	struct base_buf b = {0};
	char big[3000];
	(void)state;

	memset(big, 'x', sizeof(big));
	base_buf_str(&b, "a");
	base_buf_put(&b, big, sizeof(big));
	base_buf_fmt(&b, "-%d-%s", 42, "z");
	assert_int_equal(b.len, 1 + sizeof(big) + 5);
	assert_int_equal(b.data[b.len], '\0');
	assert_memory_equal(b.data + b.len - 5, "-42-z", 5);
	base_buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	base_buf_free(NULL);
}

static void buf_fmt_longer_than_its_scratch(void **state)
{
	struct base_buf b = {0};
	char big[600], *t;
	(void)state;

	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	base_buf_fmt(&b, "<%s>", big);
	t = base_buf_take(&b);
	assert_int_equal(strlen(t), sizeof(big) + 1);
	assert_int_equal(t[0], '<');
	assert_int_equal(t[sizeof(big)], '>');
	assert_null(b.data);
	free(t);
}

static void buf_filled_by_hand_grows(void **state)
{
	struct base_buf b = {.data = malloc(3), .len = 3};
	(void)state;

	assert_non_null(b.data);
	memcpy(b.data, "abc", 3);
	base_buf_str(&b, "def");
	assert_int_equal(b.len, 6);
	assert_string_equal((char *)b.data, "abcdef");
	base_buf_free(&b);
}

static void buf_take_of_nothing_is_empty_text(void **state)
{
	struct base_buf b = {0};
	char *t;
	(void)state;

	t = base_buf_take(&b);
	assert_non_null(t);
	assert_string_equal(t, "");
	free(t);
}

static char *json(const char *s, enum base_json_style style)
{
	struct base_buf b = {0};
	base_json_str(&b, s, style);
	return base_buf_take(&b);
}

#define TRICKY "q\"b\\s/t\tn\nr\rb\bf\fc\x01 d\x7f <a&b> \xc3\xa9 \xe2\x80\xa8\xe2\x80\xa9"

static void json_go_style_is_go_encoding_json(void **state)
{
	char *t = json(TRICKY, BASE_JSON_GO);
	(void)state;

	assert_string_equal(t, "\"q\\\"b\\\\s/t\\tn\\nr\\rb\\u0008f\\u000cc\\u0001 d\x7f"
	                       " \\u003ca\\u0026b\\u003e \xc3\xa9 \\u2028\\u2029\"");
	free(t);
}

static void json_plain_style_uses_short_escapes_and_escapes_del(void **state)
{
	char *t = json(TRICKY, BASE_JSON_PLAIN);
	(void)state;

	assert_string_equal(t, "\"q\\\"b\\\\s/t\\tn\\nr\\rb\\bf\\fc\\u0001 d\\u007f"
	                       " <a&b> \xc3\xa9 \xe2\x80\xa8\xe2\x80\xa9\"");
	free(t);
}

static void json_empty_string(void **state)
{
	char *t = json("", BASE_JSON_GO);
	(void)state;

	assert_string_equal(t, "\"\"");
	free(t);
}

static void error_wrap_keeps_the_cause(void **state)
{
	struct base_error err;
	(void)state;

	base_error_clear(&err);
	base_error_wrap(&err, "publish %s", "x");
	assert_string_equal(err.msg, "publish x");
	base_error_set(&err, "HEAD manifest: 401 UNAUTHORIZED");
	err.http_status = 401;
	snprintf(err.code, sizeof(err.code), "UNAUTHORIZED");
	base_error_wrap(&err, "reg/a:v1");
	base_error_wrap(&err, "publish %s", "a");
	assert_string_equal(err.msg, "publish a: reg/a:v1: HEAD manifest: 401 UNAUTHORIZED");
	assert_int_equal(err.http_status, 401);
	assert_string_equal(err.code, "UNAUTHORIZED");
	base_error_set(NULL, "nothing");
	base_error_wrap(NULL, "nothing");
}

static void error_wrap_cuts_a_long_context_not_the_cause(void **state)
{
	struct base_error err = {0};
	char ctx[BASE_EMSG];
	(void)state;

	memset(ctx, 'c', sizeof(ctx) - 1);
	ctx[sizeof(ctx) - 1] = '\0';
	base_error_set(&err, "the cause");
	base_error_wrap(&err, "%s", ctx);
	assert_int_equal(strlen(err.msg), (BASE_EMSG - 1) / 2 + strlen(": the cause"));
	assert_string_equal(err.msg + (BASE_EMSG - 1) / 2, ": the cause");
}

/* MALLOC_MMAP_THRESHOLD_, MALLOC_ARENA_MAX: that one left to glibc;
 * GLIBC_TUNABLES: both. (glibc reads them at start-up; the set-up reads
 * them through base_env.) */
static void malloc_setup_leaves_the_users_settings(void **state)
{
	(void)state;
	unsetenv("GLIBC_TUNABLES");
	unsetenv("MALLOC_ARENA_MAX");
	unsetenv("MALLOC_MMAP_THRESHOLD_");
#ifdef __GLIBC__
	assert_int_equal(base_malloc_setup(), BASE_MALLOC_THRESHOLD | BASE_MALLOC_ARENAS);
	setenv("MALLOC_ARENA_MAX", "8", 1);
	assert_int_equal(base_malloc_setup(), BASE_MALLOC_THRESHOLD);
	setenv("MALLOC_MMAP_THRESHOLD_", "1048576", 1);
	assert_int_equal(base_malloc_setup(), 0);
	unsetenv("MALLOC_ARENA_MAX");
	assert_int_equal(base_malloc_setup(), BASE_MALLOC_ARENAS);
	unsetenv("MALLOC_MMAP_THRESHOLD_");
	setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=4", 1);
	assert_int_equal(base_malloc_setup(), 0);
	unsetenv("GLIBC_TUNABLES");
#else
	assert_int_equal(base_malloc_setup(), 0);
#endif
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(buf_grows_and_stays_nul_terminated),
	    cmocka_unit_test(buf_fmt_longer_than_its_scratch),
	    cmocka_unit_test(buf_filled_by_hand_grows),
	    cmocka_unit_test(buf_take_of_nothing_is_empty_text),
	    cmocka_unit_test(json_go_style_is_go_encoding_json),
	    cmocka_unit_test(json_plain_style_uses_short_escapes_and_escapes_del),
	    cmocka_unit_test(json_empty_string),
	    cmocka_unit_test(error_wrap_keeps_the_cause),
	    cmocka_unit_test(error_wrap_cuts_a_long_context_not_the_cause),
	    cmocka_unit_test(malloc_setup_leaves_the_users_settings),
	};
	return unit_run_group("test_base_text", tests, argc, argv);
}
