/* test_engine_plan.c — the plan a run holds (pub_plan_make): a shard or
 * --only keeps only its own targets, parsed, while every target of the
 * config is checked and remembered by the hash of its reference. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "job_internal.h"

#define N_IMAGES 40

/* N_IMAGES images of two tags and two platforms; with bad_last, the last
 * image's target template expands to a reference that does not parse. */
static struct farm_config *load(int bad_last)
{
	struct farm_config *c = NULL;
	struct farm_error err;
	char *y = malloc(64 * 1024);
	size_t n = 0;

	assert_non_null(y);
	n += (size_t)snprintf(y + n, 64 * 1024 - n,
	                      "defaults:\n"
	                      "  registry: reg.example\n"
	                      "  platforms: [linux/amd64, linux/arm64/v8]\n"
	                      "images:\n");
	for (int i = 0; i < N_IMAGES; i++)
		n += (size_t)snprintf(
		    y + n, 64 * 1024 - n, "  - {name: img%02d, tags: [v1, v2]%s}\n", i,
		    bad_last && i == N_IMAGES - 1 ? ", target: \"{registry}/{name}/UPPER:{tag}\""
		                                  : "");
	if (farm_config_parse("plan.yaml", y, n, NULL, &c, &err) < 0)
		print_error("%s\n", err.msg);
	free(y);
	assert_non_null(c);
	return c;
}

static void shard_plan_holds_only_its_own_targets(void **state)
{
	(void)state;
	struct farm_config *c = load(0);
	size_t all = 0;

	for (unsigned s = 0; s < 4; s++) {
		struct pub_plan_filter f = {NULL, 0, s, 4, 0};
		struct pub_plan *p = NULL;
		struct base_error err;
		size_t own = 0;
		char ref[64];

		base_error_clear(&err);
		assert_int_equal(pub_plan_make(c, &f, &p, &err), 0);
		for (int i = 0; i < N_IMAGES; i++)
			for (int t = 1; t <= 2; t++) {
				snprintf(ref, sizeof(ref), "reg.example/img%02d:v%d", i, t);
				own += (size_t)farm_shard_has(ref, s, 4);
				/* every target of the config is known, whichever shard */
				assert_int_equal(pub_plan_knows(p, ref), 1);
			}
		assert_int_equal(pub_plan_knows(p, "reg.example/img99:v1"), 0);
		assert_int_equal(p->n_targets, own);
		assert_int_equal(p->farm->n_targets, own);
		assert_true(own > 0 && own < 2 * N_IMAGES);
		assert_int_equal(p->n_all, 2 * N_IMAGES);
		assert_int_equal(p->n_all_sources, 4 * N_IMAGES);
		assert_int_equal(p->n_only, 2 * N_IMAGES);
		for (size_t i = 0; i < p->n_targets; i++) {
			const struct pub_plan_target *t = &p->targets[i];
			assert_ptr_equal(t->farm, &p->farm->targets[i]);
			assert_int_equal(farm_shard_has(t->farm->ref, s, 4), 1);
			assert_string_equal(t->ref.registry, "reg.example");
			assert_int_equal(t->n_sources, 2);
			assert_ptr_equal(t->sources[1].farm, &t->farm->sources[1]);
			assert_string_equal(t->sources[1].farm->platform->name, "linux/arm64/v8");
		}
		all += p->n_targets;
		pub_plan_free(p);
	}
	assert_int_equal(all, 2 * N_IMAGES);
	farm_config_free(c);
}

static void only_and_shard_keep_their_targets(void **state)
{
	(void)state;
	struct farm_config *c = load(0);
	const char *only[] = {"img03", "reg.example/img07:v2"};
	struct pub_plan_filter f = {only, 2, 0, 0, 0};
	struct pub_plan *p = NULL;
	struct base_error err;

	base_error_clear(&err);
	assert_int_equal(pub_plan_make(c, &f, &p, &err), 0);
	assert_int_equal(p->n_targets, 3);
	assert_int_equal(p->n_only, 3);
	assert_string_equal(p->targets[0].farm->ref, "reg.example/img03:v1");
	assert_string_equal(p->targets[1].farm->ref, "reg.example/img03:v2");
	assert_string_equal(p->targets[2].farm->ref, "reg.example/img07:v2");
	assert_int_equal(p->n_known, 2 * N_IMAGES);
	pub_plan_free(p);

	only[1] = "img77";
	assert_int_equal(pub_plan_make(c, &f, &p, &err), BASE_EINPUT);
	assert_null(p);
	assert_string_equal(err.msg, "--only \"img77\": no image or target of that name");
	farm_config_free(c);
}

/* A lazy plan holds where each of its targets is and nothing else; each
 * target taken up is the one the plan would have held, byte for byte. */
static void lazy_plan_makes_the_same_targets(void **state)
{
	(void)state;
	struct farm_config *c = load(0);

	for (unsigned s = 0; s < 4; s++) {
		struct pub_plan_filter held = {NULL, 0, s, 4, 0}, lazy = {NULL, 0, s, 4, 1};
		struct pub_plan *p = NULL, *q = NULL;
		struct base_error err;

		base_error_clear(&err);
		assert_int_equal(pub_plan_make(c, &held, &p, &err), 0);
		assert_int_equal(pub_plan_make(c, &lazy, &q, &err), 0);
		assert_null(q->targets);
		assert_null(q->farm->targets);
		assert_int_equal(q->farm->n_targets, 0);
		assert_non_null(q->places);
		assert_int_equal(q->n_targets, p->n_targets);
		assert_int_equal(q->n_known, p->n_known);
		assert_int_equal(q->n_all, p->n_all);
		for (size_t i = 0; i < q->n_targets; i++) {
			const struct pub_plan_target *a = &p->targets[i], *b = NULL;
			assert_int_equal(pub_plan_target_take(q, c, i, &b, &err), 0);
			assert_non_null(b->packed);
			assert_non_null(b->farm->packed);
			assert_string_equal(b->farm->ref, a->farm->ref);
			assert_string_equal(b->farm->tag, a->farm->tag);
			assert_ptr_equal(b->farm->image, a->farm->image);
			assert_string_equal(b->repo, a->repo);
			assert_string_equal(b->ref.registry, a->ref.registry);
			assert_string_equal(b->ref.repository, a->ref.repository);
			assert_string_equal(b->ref.tag, a->ref.tag);
			assert_int_equal(b->n_sources, a->n_sources);
			for (size_t k = 0; k < b->n_sources; k++) {
				assert_ptr_equal(b->sources[k].farm, &b->farm->sources[k]);
				assert_string_equal(b->sources[k].farm->ref,
				                    a->sources[k].farm->ref);
				assert_string_equal(b->sources[k].ref.repository,
				                    a->sources[k].ref.repository);
				assert_string_equal(b->sources[k].ref.tag, a->sources[k].ref.tag);
			}
			pub_plan_target_drop(q, b);
		}
		/* a held plan's target is its own, not made again */
		if (p->n_targets) {
			const struct pub_plan_target *b = NULL;
			assert_int_equal(pub_plan_target_take(p, c, 0, &b, &err), 0);
			assert_ptr_equal(b, &p->targets[0]);
			pub_plan_target_drop(p, b);
		}
		pub_plan_free(p);
		pub_plan_free(q);
	}
	farm_config_free(c);
}

/* A reference that does not parse is a config error for every shard, also
 * one that does not hold its target. */
static void every_shard_checks_every_target(void **state)
{
	(void)state;
	struct farm_config *c = load(1);
	const char *bad = "reg.example/img39/UPPER:v1";

	for (unsigned s = 0; s < 4; s++) {
		struct pub_plan_filter f = {NULL, 0, s, 4, 0};
		struct pub_plan *p = NULL;
		struct base_error err;
		base_error_clear(&err);
		assert_int_equal(pub_plan_make(c, &f, &p, &err), BASE_EINPUT);
		assert_null(p);
		assert_non_null(strstr(err.msg, "images[39] \"img39\" tag \"v1\": target: "));
		assert_non_null(strstr(err.msg, bad));
	}
	farm_config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(shard_plan_holds_only_its_own_targets),
	    cmocka_unit_test(only_and_shard_keep_their_targets),
	    cmocka_unit_test(lazy_plan_makes_the_same_targets),
	    cmocka_unit_test(every_shard_checks_every_target),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
