/* test_status_names.c — the state names of the status file, both ways,
 * and the clock a record's times come from (MANIFOLD_NOW, RFC 3339 UTC). */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "status_file.h"

static void target_state_names(void **state)
{
	(void)state;
	assert_string_equal(status_target_state_str(STATUS_T_PUBLISHED), "published");
	assert_string_equal(status_target_state_str(STATUS_T_UNCHANGED), "unchanged");
	assert_string_equal(status_target_state_str(STATUS_T_INCOMPLETE), "incomplete");
	assert_string_equal(status_target_state_str(STATUS_T_FAILED), "failed");
}

static void platform_state_names(void **state)
{
	(void)state;
	assert_string_equal(status_platform_state_str(STATUS_P_READY), "ready");
	assert_string_equal(status_platform_state_str(STATUS_P_MISSING), "missing");
	assert_string_equal(status_platform_state_str(STATUS_P_WRONG_PLATFORM), "wrong_platform");
	assert_string_equal(status_platform_state_str(STATUS_P_ERROR), "error");
}

static void state_names_parse_back(void **state)
{
	(void)state;
	enum status_target_state t;
	enum status_platform_state p;
	for (int i = 0; i < STATUS_T__COUNT; i++) {
		assert_int_equal(status_target_state_parse(status_target_state_str(i), &t), 0);
		assert_int_equal(t, i);
	}
	for (int i = 0; i < STATUS_P__COUNT; i++) {
		assert_int_equal(status_platform_state_parse(status_platform_state_str(i), &p), 0);
		assert_int_equal(p, i);
	}
}

static void state_parse_reads_check_ready_refuses_other_spellings(void **state)
{
	(void)state;
	enum status_target_state t;
	enum status_platform_state p;
	assert_int_equal(status_target_state_parse("ready", &t), 0);
	assert_int_equal(t, STATUS_T_READY);
	/* snake_case, and the spelling of files written before it */
	assert_int_equal(status_platform_state_parse("wrong_platform", &p), 0);
	assert_int_equal(p, STATUS_P_WRONG_PLATFORM);
	p = STATUS_P_READY;
	assert_int_equal(status_platform_state_parse("wrong-platform", &p), 0);
	assert_int_equal(p, STATUS_P_WRONG_PLATFORM);
	assert_int_equal(status_platform_state_parse("Wrong_Platform", &p), -1);
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
	now = status_now_rfc3339();
	assert_str_or_null_equal(now, "2026-11-22T03:00:00Z");
	free(now);
}

static void now_is_rfc3339_utc(void **state)
{
	(void)state;
	char *now;
	unsetenv("MANIFOLD_NOW");
	now = status_now_rfc3339();
	assert_non_null(now);
	assert_int_equal(strlen(now), 20);
	assert_int_equal(now[19], 'Z');
	assert_int_equal(now[10], 'T');
	free(now);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(target_state_names),
	    cmocka_unit_test(platform_state_names),
	    cmocka_unit_test(state_names_parse_back),
	    cmocka_unit_test(state_parse_reads_check_ready_refuses_other_spellings),
	    cmocka_unit_test_teardown(now_honours_manifold_now, now_env_teardown),
	    cmocka_unit_test(now_is_rfc3339_utc),
	};
	return unit_run_group("test_status_names", tests, argc, argv);
}
