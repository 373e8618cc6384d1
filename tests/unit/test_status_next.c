/* test_status_next.c — the status file after a run (status_next): a
 * record keeps its since while state and digest stay, published and
 * unchanged count as one, a failure keeps the last digest, targets the
 * config no longer has are dropped (kept when no list is given); made of
 * views, or in place of the file read again (status_next_into), it is the
 * same file. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "status_file.h"
#include "status_sample.h"

static struct status_target_status rec(const char *target, enum status_target_state state,
                                       const char *digest)
{
	struct status_target_status t = {0};
	t.target = strdup(target);
	t.state = state;
	t.digest = digest ? strdup(digest) : NULL;
	return t;
}

/* The record before a run: status_sample() sorted, plus other:v2 (failed,
 * configured but not run) and gone:v1 (published, no longer configured);
 * the run: app unchanged at the same digest, pause incomplete again, new
 * published. */
struct next_fixture {
	struct status_status *prev, *next;
	struct status_target_status run[3];
	struct status_run lr;
};

static const char *const known[] = {"reg.example/app:v1", "reg.example/new:v1",
                                    "reg.example/other:v2", "reg.example/pause:3.10"};

static int is_known(void *ctx, const char *target)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(known[i], target) == 0)
			return 1;
	return 0;
}

static int next_setup(void **state)
{
	struct next_fixture *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	*state = fx;
	fx->lr = (struct status_run){.started = "2026-11-23T03:00:00Z",
	                             .finished = "2026-11-23T03:00:01Z",
	                             .unchanged = 1,
	                             .incomplete = 1,
	                             .published = 1};
	struct status_status *prev = status_sample();
	status_sort(prev);
	prev->targets = realloc(prev->targets, 4 * sizeof(*prev->targets));
	prev->targets[2] = rec("reg.example/other:v2", STATUS_T_FAILED, NULL);
	prev->targets[2].since = strdup("2026-01-01T00:00:00Z");
	prev->targets[3] = rec("reg.example/gone:v1", STATUS_T_PUBLISHED, "sha256:gg");
	prev->n_targets = 4;
	status_sort(prev);
	fx->prev = prev;

	fx->run[0] = rec("reg.example/app:v1", STATUS_T_UNCHANGED, "sha256:aa");
	fx->run[1] = rec("reg.example/pause:3.10", STATUS_T_INCOMPLETE, NULL);
	fx->run[1].reason = strdup("missing linux/s390x \"q\"\n");
	fx->run[2] = rec("reg.example/new:v1", STATUS_T_PUBLISHED, "sha256:nn");
	return 0;
}

static int next_teardown(void **state)
{
	struct next_fixture *fx = *state;
	for (int i = 0; i < 3; i++)
		status_target_status_free(&fx->run[i]);
	status_free(fx->next);
	status_free(fx->prev);
	free(fx);
	return 0;
}

/* status_next over the whole run with the configured targets */
static struct status_status *next_of_run(struct next_fixture *fx)
{
	struct base_error err;
	base_error_clear(&err);
	assert_int_equal(
	    status_next(fx->prev, fx->run, 3, is_known, NULL, "c.yaml", &fx->lr, &fx->next, &err),
	    0);
	assert_non_null(fx->next);
	return fx->next;
}

static void status_next_takes_config_and_last_run(void **state)
{
	struct status_status *next = next_of_run(*state);
	assert_string_equal(next->config, "c.yaml");
	assert_int_equal(next->last_run.published, 1);
	assert_string_equal(next->last_run.finished, "2026-11-23T03:00:01Z");
}

static void status_next_unchanged_at_same_digest_stays_published_since_then(void **state)
{
	struct status_status *next = next_of_run(*state);
	struct status_target_status *t = status_find(next, "reg.example/app:v1");
	assert_non_null(t);
	assert_int_equal(t->state, STATUS_T_PUBLISHED);
	assert_string_equal(t->since, "2026-11-22T03:00:05Z");
}

static void status_next_incomplete_again_keeps_since(void **state)
{
	struct status_status *next = next_of_run(*state);
	struct status_target_status *t = status_find(next, "reg.example/pause:3.10");
	assert_non_null(t);
	assert_string_equal(t->since, "2026-11-21T03:00:00Z");
}

static void status_next_new_target_is_since_run_start(void **state)
{
	struct status_status *next = next_of_run(*state);
	struct status_target_status *t = status_find(next, "reg.example/new:v1");
	assert_non_null(t);
	assert_string_equal(t->since, "2026-11-23T03:00:00Z");
}

static void status_next_keeps_configured_target_not_run(void **state)
{
	struct status_status *next = next_of_run(*state);
	struct status_target_status *t = status_find(next, "reg.example/other:v2");
	assert_non_null(t);
	assert_string_equal(t->since, "2026-01-01T00:00:00Z");
}

static void status_next_drops_target_no_longer_configured(void **state)
{
	struct status_status *next = next_of_run(*state);
	assert_int_equal(next->n_targets, 4);
	assert_null(status_find(next, "reg.example/gone:v1"));
}

/* app fails now, alone in the run, no list of configured targets */
static struct status_status *next_of_app_failing(struct next_fixture *fx)
{
	struct base_error err;
	base_error_clear(&err);
	status_target_status_free(&fx->run[0]);
	fx->run[0] = rec("reg.example/app:v1", STATUS_T_FAILED, NULL);
	assert_int_equal(
	    status_next(fx->prev, fx->run, 1, NULL, 0, "c.yaml", &fx->lr, &fx->next, &err), 0);
	assert_non_null(fx->next);
	return fx->next;
}

static void status_next_failure_keeps_last_digest_and_moves_since(void **state)
{
	struct status_status *next = next_of_app_failing(*state);
	struct status_target_status *t = status_find(next, "reg.example/app:v1");
	assert_non_null(t);
	assert_string_equal(t->digest, "sha256:aa");
	assert_string_equal(t->media_type, SAMPLE_OCI_INDEX);
	assert_string_equal(t->since, "2026-11-23T03:00:00Z");
}

static void status_next_without_configured_list_keeps_every_record(void **state)
{
	struct status_status *next = next_of_app_failing(*state);
	assert_non_null(status_find(next, "reg.example/gone:v1"));
}

/* a and b serialise to the same bytes: the same file. */
static void assert_same_file(const struct status_status *a, const struct status_status *b)
{
	char *ta = status_serialize(a), *tb = status_serialize(b);
	assert_non_null(ta);
	assert_non_null(tb);
	assert_string_equal(ta, tb);
	free(ta);
	free(tb);
}

/* status_next_views makes the same file as status_next, out of the
 * strings of prev, the run and last_run: no record of its own. */
static void status_next_views_write_the_same_file_sharing_the_records(void **state)
{
	struct next_fixture *fx = *state;
	struct status_status *views = NULL;
	struct base_error err;

	base_error_clear(&err);
	next_of_run(fx);
	assert_int_equal(status_next_views(fx->prev, fx->run, 3, is_known, NULL, "c.yaml", &fx->lr,
	                                   &views, &err),
	                 0);
	assert_same_file(fx->next, views);
	assert_int_equal(views->views, 1);
	for (size_t i = 0; i < views->n_targets; i++) {
		const struct status_target_status *t = &views->targets[i];
		const struct status_target_status *p = status_find(fx->prev, t->target);
		int shared = p && t->target == p->target;
		for (size_t k = 0; k < 3 && !shared; k++)
			shared = t->target == fx->run[k].target;
		assert_true(shared);
		assert_true(t->since == fx->lr.started || (p && t->since == p->since));
	}
	status_free(views);
}

/* status_next_into makes the same file as status_next out of the file
 * read again, in place: a record that reads as the run's holds the run's
 * block (an unchanged night holds one copy of it), every other record a
 * block of its own, and the records of targets no longer configured go. */
static void status_next_into_writes_the_same_file_in_place(void **state)
{
	struct next_fixture *fx = *state;
	const struct status_target_status *p = status_find(fx->prev, "reg.example/app:v1");
	struct status_status *st = NULL;
	struct base_error err;
	char *text;

	base_error_clear(&err);
	/* the run's app:v1 reads as its record does (an unchanged night's) */
	assert_non_null(p);
	status_target_status_free(&fx->run[0]);
	assert_int_equal(status_target_status_copy(&fx->run[0], p), 0);
	fx->run[0].state = STATUS_T_UNCHANGED;
	for (int i = 0; i < 3; i++)
		assert_int_equal(status_target_pack(&fx->run[i]), 0);
	next_of_run(fx);
	/* the file as it is read again: each record packed */
	assert_non_null(text = status_serialize(fx->prev));
	assert_int_equal(status_parse("s.json", text, strlen(text), &st, &err), 0);
	free(text);
	assert_int_equal(status_next_into(st, fx->run, 3, is_known, NULL, "c.yaml", &fx->lr, &err),
	                 0);
	assert_same_file(fx->next, st);
	assert_int_equal(st->views, 0);
	assert_int_equal(st->n_targets, 4);
	assert_null(status_find(st, "reg.example/gone:v1"));
	assert_ptr_equal(status_find(st, "reg.example/app:v1")->packed, fx->run[0].packed);
	for (size_t i = 0; i < st->n_targets; i++)
		assert_non_null(st->targets[i].packed);
	status_free(st); /* the run's blocks outlive it (ASan holds the counts) */
	for (int i = 0; i < 3; i++)
		assert_non_null(fx->run[i].target);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
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
	    cmocka_unit_test_setup_teardown(
	        status_next_views_write_the_same_file_sharing_the_records, next_setup,
	        next_teardown),
	    cmocka_unit_test_setup_teardown(status_next_without_configured_list_keeps_every_record,
	                                    next_setup, next_teardown),
	    cmocka_unit_test_setup_teardown(status_next_into_writes_the_same_file_in_place,
	                                    next_setup, next_teardown),
	};
	return unit_run_group("test_status_next", tests, argc, argv);
}
