/* test_pub_merge.c — pub_status_merge: per target the newer `since` wins
 * (ties: the first side), one-sided targets are kept, last_run is the later
 * finished run's, the result is sorted. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "engine.h"

static struct pub_status *parse(const char *json)
{
	struct pub_status *st = NULL;
	struct base_error err = {0};
	if (pub_status_parse("t.json", json, strlen(json), &st, &err) < 0)
		fprintf(stderr, "%s\n", err.msg);
	return st;
}

#define RUN(fin)                                                                                   \
	"\"last_run\":{\"started\":\"" fin "\",\"finished\":\"" fin                                \
	"\",\"published\":1,\"unchanged\":0,\"incomplete\":0,\"failed\":0}"
#define T(ref, state, since)                                                                       \
	"{\"target\":\"" ref "\",\"state\":\"" state "\",\"since\":\"" since "\"}"

struct sides {
	struct pub_status *a, *b;
};

/* a: b incomplete (older), c published (newer), d failed (tie);
 * b: a published (only here), b published, c failed, d unchanged, and a
 * config and a later run. */
static int sides_setup(void **state)
{
	struct sides *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	*state = fx;
	fx->a = parse("{\"schema\":1," RUN("2026-11-22T03:00:00Z") ",\"targets\":[" T(
	    "r/b:1", "incomplete",
	    "2026-11-20T00:00:00Z") "," T("r/c:1", "published",
	                                  "2026-11-21T00:00:00Z") "," T("r/d:1", "failed",
	                                                                "2026-11-21T00:00:"
	                                                                "00Z") "]}");
	fx->b = parse(
	    "{\"schema\":1,\"config\":\"x.yaml\"," RUN("2026-11-22T04:00:00Z") ",\"targets\":[" T(
	        "r/a:1", "published",
	        "2026-11-22T00:00:00Z") "," T("r/b:1", "published",
	                                      "2026-11-22T00:00:00Z") "," T("r/c:1", "failed",
	                                                                    "2026-11-"
	                                                                    "20T00:00:"
	                                                                    "00Z") "," T("r/d:1",
	                                                                                 "unchange"
	                                                                                 "d",
	                                                                                 "2026-11-"
	                                                                                 "21T00:00:"
	                                                                                 "00Z") "]"
	                                                                                        "}");
	return fx->a && fx->b ? 0 : -1;
}

static int sides_teardown(void **state)
{
	struct sides *fx = *state;
	pub_status_free(fx->a);
	pub_status_free(fx->b);
	free(fx);
	return 0;
}

static void merge_keeps_targets_of_either_side_sorted(void **state)
{
	struct sides *fx = *state;
	struct pub_status *a = fx->a;
	struct base_error err = {0};
	assert_int_equal(pub_status_merge(a, fx->b, &err), 0);
	assert_int_equal(a->n_targets, 4);
	assert_string_equal(a->targets[0].target, "r/a:1"); /* only in b: kept */
	assert_string_equal(a->targets[1].target, "r/b:1");
}

static void merge_newer_since_wins_and_ties_go_to_the_first_side(void **state)
{
	struct sides *fx = *state;
	struct pub_status *a = fx->a;
	struct base_error err = {0};
	assert_int_equal(pub_status_merge(a, fx->b, &err), 0);
	assert_int_equal(a->n_targets, 4);
	assert_string_equal(pub_target_state_str(a->targets[1].state), "published"); /* b newer */
	assert_string_equal(pub_target_state_str(a->targets[2].state), "published"); /* a newer */
	assert_string_equal(pub_target_state_str(a->targets[3].state), "failed");    /* tie: a's */
}

static void merge_takes_the_later_run_and_the_config(void **state)
{
	struct sides *fx = *state;
	struct pub_status *a = fx->a;
	struct base_error err = {0};
	assert_int_equal(pub_status_merge(a, fx->b, &err), 0);
	assert_string_equal(a->last_run.finished, "2026-11-22T04:00:00Z");
	assert_string_equal(a->config, "x.yaml");
}

static void merge_of_the_same_side_again_changes_nothing(void **state)
{
	struct sides *fx = *state;
	struct pub_status *a = fx->a;
	struct base_error err = {0};
	assert_int_equal(pub_status_merge(a, fx->b, &err), 0);
	char *once = pub_status_serialize(a);
	assert_int_equal(pub_status_merge(a, fx->b, &err), 0);
	char *twice = pub_status_serialize(a);
	assert_str_or_null_equal(twice, once);
	free(once);
	free(twice);
}

static void merge_into_empty_status_takes_the_other_side(void **state)
{
	struct sides *fx = *state;
	struct base_error err = {0};
	struct pub_status *e = parse("{\"schema\":1,\"targets\":[]}");
	assert_non_null(e);
	assert_int_equal(pub_status_merge(e, fx->b, &err), 0);
	assert_int_equal(e->n_targets, 4);
	assert_string_equal(e->last_run.finished, "2026-11-22T04:00:00Z");
	pub_status_free(e);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(merge_keeps_targets_of_either_side_sorted, sides_setup,
	                                    sides_teardown),
	    cmocka_unit_test_setup_teardown(merge_newer_since_wins_and_ties_go_to_the_first_side,
	                                    sides_setup, sides_teardown),
	    cmocka_unit_test_setup_teardown(merge_takes_the_later_run_and_the_config, sides_setup,
	                                    sides_teardown),
	    cmocka_unit_test_setup_teardown(merge_of_the_same_side_again_changes_nothing,
	                                    sides_setup, sides_teardown),
	    cmocka_unit_test_setup_teardown(merge_into_empty_status_takes_the_other_side,
	                                    sides_setup, sides_teardown),
	};
	return unit_run_group("test_pub_merge", tests, argc, argv);
}
