/* test_engine_shard.c — which shard a run is (pub_shard_parse): --shard I/N
 * and an Indexed Job's JOB_COMPLETION_INDEX / JOB_COMPLETIONS, and the
 * messages for values out of range. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "engine_internal.h"

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

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(shard_parse_reads_index_and_count),
	    cmocka_unit_test(shard_parse_rejects_out_of_range_and_malformed),
	    cmocka_unit_test_teardown(shard_without_flag_or_job_index_is_none, job_env_teardown),
	    cmocka_unit_test_teardown(shard_comes_from_indexed_job_env, job_env_teardown),
	    cmocka_unit_test_teardown(shard_job_index_needs_job_completions, job_env_teardown),
	    cmocka_unit_test_teardown(shard_job_index_out_of_range_names_the_env, job_env_teardown),
	};
	return unit_run_group("test_engine_shard", tests, argc, argv);
}
