/* test_engine_prune.c — pub_prune_decide, the pure part of prune: a source
 * goes only when every target using it has its list and each of that
 * target's sources holds the list's child (or is gone), no target lives
 * in its repository, no retag: rule reads it and no list's repository
 * lacks its child; otherwise it is kept and the reason says why. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "prune.h"

#define A "sha256:aa"
#define B "sha256:bb"

/* sources: 0 app-amd64, 1 app-arm64, 2 shared-arm64 */
static struct pub_prune_in_source src[3];
static struct pub_prune_use app_uses[2], other_uses[2];
static struct pub_prune_in_target tgt[2];
static struct pub_prune_verdict v[3];

static void fixture(void)
{
	memset(v, 0, sizeof(v));
	src[0] = (struct pub_prune_in_source){"r/app-amd64:v1", 1, 0, NULL, A, NULL, NULL};
	src[1] = (struct pub_prune_in_source){"r/app-arm64:v1", 1, 0, NULL, B, NULL, NULL};
	src[2] = (struct pub_prune_in_source){"r/shared-arm64:v1", 0, 0, NULL, B, NULL, NULL};
	app_uses[0] = (struct pub_prune_use){0, "linux/amd64", A, 0};
	app_uses[1] = (struct pub_prune_use){1, "linux/arm64", B, 0};
	other_uses[0] = (struct pub_prune_use){0, "linux/amd64", A, 0};
	other_uses[1] = (struct pub_prune_use){2, "linux/arm64", B, 0};
	tgt[0] = (struct pub_prune_in_target){"r/app:v1", NULL, app_uses, 2};
	tgt[1] = (struct pub_prune_in_target){"r/other:v1", NULL, other_uses, 2};
}

static void decide(size_t n_targets)
{
	assert_int_equal(pub_prune_decide(tgt, n_targets, src, 3, v), 0);
}

static void release(void)
{
	for (size_t i = 0; i < 3; i++)
		free(v[i].reason);
}

static void prune_deletes_what_every_list_holds(void **state)
{
	(void)state;
	fixture();
	decide(2);
	assert_true(v[0].deletable);
	assert_true(v[1].deletable);
	assert_false(v[2].deletable); /* not a source of a pruned target */
	assert_null(v[2].reason);
	release();
}

static void prune_keeps_a_source_another_target_needs(void **state)
{
	(void)state;
	fixture();
	tgt[1].why_not = "not published";
	decide(2);
	assert_false(v[0].deletable);
	assert_string_equal(v[0].reason, "still needed: r/other:v1: not published");
	assert_true(v[1].deletable);
	release();
}

static void prune_keeps_a_rebuilt_source_and_its_targets_others(void **state)
{
	(void)state;
	fixture();
	src[1].digest = "sha256:cc";
	decide(1);
	assert_string_equal(v[1].reason, "holds sha256:cc, not the linux/arm64 child of r/app:v1 "
	                                 "(rebuilt since the list was published)");
	assert_false(v[0].deletable);
	assert_string_equal(v[0].reason, "still needed: r/app-arm64:v1 holds sha256:cc, not the "
	                                 "linux/arm64 child of r/app:v1 (rebuilt since the list "
	                                 "was published)");
	release();
}

static void prune_a_gone_source_blocks_nothing(void **state)
{
	(void)state;
	fixture();
	src[1].absent = 1;
	decide(1);
	assert_true(v[0].deletable);
	assert_string_equal(v[1].reason, "not found: nothing to delete");
	release();
}

static void prune_keeps_sources_in_a_target_repository(void **state)
{
	(void)state;
	fixture();
	src[0].target_repo = "r/app:v1";
	decide(1);
	assert_string_equal(
	    v[0].reason,
	    "in the repository of target r/app:v1: its digest may be that list's child");
	assert_true(v[1].deletable);
	release();
}

static void prune_keeps_on_a_registry_error_or_a_missing_entry(void **state)
{
	(void)state;
	fixture();
	src[1].error = "r/app-arm64:v1: HEAD manifest: 500";
	decide(1);
	assert_string_equal(v[1].reason, "r/app-arm64:v1: HEAD manifest: 500");
	assert_string_equal(v[0].reason, "still needed: r/app-arm64:v1: HEAD manifest: 500");
	release();
	fixture();
	app_uses[1].child = NULL;
	decide(1);
	assert_string_equal(v[0].reason,
	                    "still needed: r/app:v1: its list has no linux/arm64 entry");
	release();
}

/* G2: the list's repository lost a child; its source is the last copy. */
static void prune_keeps_the_last_copy_of_a_missing_child(void **state)
{
	(void)state;
	fixture();
	app_uses[1].child_missing = 1;
	decide(1);
	assert_true(v[0].deletable); /* its child is there: the list still has it */
	assert_false(v[1].deletable);
	assert_string_equal(v[1].reason, "last copy: the linux/arm64 child of r/app:v1 "
	                                 "(sha256:bb) is missing from that list's repository");
	release();
	/* missing from the other target's repository: kept too */
	fixture();
	src[2].selected = 1;
	other_uses[1].child_missing = 1;
	decide(2);
	assert_true(v[0].deletable);
	assert_false(v[2].deletable);
	assert_string_equal(v[2].reason, "last copy: the linux/arm64 child of r/other:v1 "
	                                 "(sha256:bb) is missing from that list's repository");
	release();
}

static void prune_keeps_what_a_retag_rule_reads(void **state)
{
	(void)state;
	fixture();
	src[0].retag_to = "mirror/app:v1-amd64";
	decide(1);
	assert_false(v[0].deletable);
	assert_string_equal(v[0].reason,
	                    "a retag: rule reads it (copies it to mirror/app:v1-amd64)");
	assert_true(v[1].deletable);
	release();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(prune_deletes_what_every_list_holds),
	    cmocka_unit_test(prune_keeps_a_source_another_target_needs),
	    cmocka_unit_test(prune_keeps_a_rebuilt_source_and_its_targets_others),
	    cmocka_unit_test(prune_a_gone_source_blocks_nothing),
	    cmocka_unit_test(prune_keeps_sources_in_a_target_repository),
	    cmocka_unit_test(prune_keeps_on_a_registry_error_or_a_missing_entry),
	    cmocka_unit_test(prune_keeps_the_last_copy_of_a_missing_child),
	    cmocka_unit_test(prune_keeps_what_a_retag_rule_reads),
	};
	return unit_run_group("pub_prune", tests, argc, argv);
}
