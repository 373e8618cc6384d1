/* test_farm_policy.c — the keys that say how an image is published:
 * optional-platforms (and their place in the plan), allow-shrink,
 * attestations, referrers, and `sources` in defaults; what each resolves
 * to, defaults against images, and the exact message for each mistake. */
#include <stdlib.h>
#include <string.h>

#include "farm_load.h"

#define IMG "images:\n  - name: a\n    tags: [v1]\n    registry: r.io\n"

static void policy_defaults_to_keep_copy_and_no_shrink(void **state)
{
	(void)state;
	struct farm_config *c = LOAD_OK(IMG "    platforms: [linux/amd64]\n");
	const struct farm_image *im = &c->images[0];
	assert_int_equal(im->allow_shrink, 0);
	assert_int_equal(im->attestations, FARM_ATTESTATIONS_KEEP);
	assert_int_equal(im->referrers, FARM_REFERRERS_COPY);
	assert_int_equal(im->n_optional, 0);
	assert_int_equal(im->platforms[0].optional, 0);
	farm_config_free(c);
}

static void policy_image_overrides_defaults(void **state)
{
	(void)state;
	struct farm_config *c =
	    LOAD_OK("defaults:\n"
	            "  registry: r.io\n"
	            "  platforms: [linux/amd64]\n"
	            "  allow-shrink: true\n"
	            "  attestations: drop\n"
	            "  referrers: skip\n"
	            "images:\n"
	            "  - {name: a, tags: [v1]}\n"
	            "  - {name: b, tags: [v1], allow-shrink: false, attestations: keep,\n"
	            "     referrers: copy}\n"
	            "  - {name: c, tags: [v1], referrers: copy}\n");
	const struct farm_image *a = &c->images[0], *b = &c->images[1], *im = &c->images[2];
	assert_int_equal(a->allow_shrink, 1);
	assert_int_equal(a->attestations, FARM_ATTESTATIONS_DROP);
	assert_int_equal(a->referrers, FARM_REFERRERS_SKIP);
	assert_int_equal(b->allow_shrink, 0);
	assert_int_equal(b->attestations, FARM_ATTESTATIONS_KEEP);
	assert_int_equal(b->referrers, FARM_REFERRERS_COPY);
	assert_int_equal(im->allow_shrink, 1);
	assert_int_equal(im->attestations, FARM_ATTESTATIONS_DROP);
	assert_int_equal(im->referrers, FARM_REFERRERS_COPY);
	farm_config_free(c);
}

static void policy_rejects_unknown_values_naming_the_allowed_ones(void **state)
{
	(void)state;
	EXPECT_ERROR("defaults: {attestations: maybe}\n" IMG,
	             "release.yaml:1:26: defaults.attestations: expected keep or drop, got "
	             "\"maybe\"");
	EXPECT_ERROR(IMG "    platforms: [linux/amd64]\n    referrers: none\n",
	             "release.yaml:6:16: images[0].referrers: expected copy or skip, got \"none\"");
	EXPECT_ERROR(IMG "    platforms: [linux/amd64]\n    referrers: [copy]\n",
	             "release.yaml:6:16: images[0].referrers: expected copy or skip, got a list");
	EXPECT_ERROR(IMG "    platforms: [linux/amd64]\n    attestations:\n",
	             "release.yaml:6:18: images[0].attestations: expected keep or drop, got "
	             "nothing");
	EXPECT_ERROR("defaults: {allow-shrink: sometimes}\n" IMG,
	             "release.yaml:1:26: defaults.allow-shrink: expected true or false, got "
	             "\"sometimes\"");
	EXPECT_ERROR(IMG "    platforms: [linux/amd64]\n    allow-shrink: 1\n",
	             "release.yaml:6:19: images[0].allow-shrink: expected true or false, got "
	             "\"1\"");
	EXPECT_ERROR(IMG "    platforms: [linux/amd64]\n    attestation: drop\n",
	             "release.yaml:6:5: images[0]: unknown key \"attestation\" (did you mean "
	             "\"attestations\"?)");
}

static void optional_platforms_follow_required_in_config_order(void **state)
{
	(void)state;
	struct farm_config *c = LOAD_OK("defaults:\n"
	                                "  registry: r.io\n"
	                                "  platforms: [linux/amd64, linux/arm64/v8]\n"
	                                "  optional-platforms: [linux/s390x, Linux/PPC64LE]\n"
	                                "images:\n"
	                                "  - {name: a, tags: [v1]}\n");
	const struct farm_image *im = &c->images[0];
	assert_int_equal(im->n_platforms, 4);
	assert_int_equal(im->n_optional, 2);
	const char *const want[] = {"linux/amd64", "linux/arm64/v8", "linux/s390x",
	                            "linux/ppc64le"};
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(im->platforms[i].name, want[i]);
		assert_int_equal(im->platforms[i].optional, i >= 2);
	}
	assert_int_equal(im->platforms[3].pos.line, 4);
	assert_int_equal(im->platforms[3].pos.column, 37);
	farm_config_free(c);
}

static void optional_platforms_of_image_replace_defaults(void **state)
{
	(void)state;
	struct farm_config *c =
	    LOAD_OK("defaults:\n"
	            "  registry: r.io\n"
	            "  platforms: [linux/amd64]\n"
	            "  optional-platforms: [linux/s390x]\n"
	            "images:\n"
	            "  - {name: a, tags: [v1], optional-platforms: [linux/arm/v7]}\n"
	            "  - {name: b, tags: [v1], optional-platforms: []}\n"
	            "  - name: c\n"
	            "    tags: [v1]\n"
	            "    platforms: [linux/arm64]\n");
	assert_int_equal(c->images[0].n_platforms, 2);
	assert_string_equal(c->images[0].platforms[1].name, "linux/arm/v7");
	assert_int_equal(c->images[0].platforms[1].optional, 1);
	assert_int_equal(c->images[1].n_platforms, 1);
	assert_int_equal(c->images[1].n_optional, 0);
	assert_int_equal(c->images[2].n_platforms, 2); /* own required, defaults' optional */
	assert_string_equal(c->images[2].platforms[0].name, "linux/arm64");
	assert_string_equal(c->images[2].platforms[1].name, "linux/s390x");
	assert_int_equal(c->images[2].n_optional, 1);
	farm_config_free(c);
}

static void optional_platforms_rejects_what_platforms_rejects(void **state)
{
	(void)state;
	EXPECT_ERROR(IMG "    platforms: [linux/amd64]\n"
	                 "    optional-platforms: [linux/s390x, Linux/s390x]\n",
	             "release.yaml:6:39: images[0].optional-platforms[1]: duplicate platform "
	             "\"Linux/s390x\" (normalised \"linux/s390x\", first at 6:26)");
	EXPECT_ERROR(IMG "    platforms: [linux/amd64]\n"
	                 "    optional-platforms: [linux/arm64/v9]\n",
	             "release.yaml:6:26: images[0].optional-platforms[0]: \"linux/arm64/v9\" is "
	             "not a known platform");
	EXPECT_ERROR(IMG "    platforms: [linux/amd64]\n    optional-platforms: linux/s390x\n",
	             "release.yaml:6:25: images[0].optional-platforms: expected a list, got "
	             "\"linux/s390x\"");
	EXPECT_ERROR(IMG "    optional-platforms: [linux/s390x]\n",
	             "release.yaml:2:5: images[0]: missing required key \"platforms\" (not set "
	             "in defaults either)");
}

static void optional_platform_also_required_names_both_places(void **state)
{
	(void)state;
	EXPECT_ERROR("defaults:\n"
	             "  platforms: [linux/amd64, linux/s390x]\n"
	             "  optional-platforms: [linux/arm64, linux/s390x]\n" IMG,
	             "release.yaml:3:37: defaults.optional-platforms[1]: \"linux/s390x\" is both "
	             "required and optional (platforms at 2:28)");
	EXPECT_ERROR(IMG "    platforms: [linux/amd64, linux/s390x]\n"
	                 "    optional-platforms: [Linux/x86_64]\n",
	             "release.yaml:6:26: images[0].optional-platforms[0]: \"linux/amd64\" is both "
	             "required and optional (platforms at 5:17)");
	EXPECT_ERROR("defaults:\n"
	             "  optional-platforms: [linux/s390x]\n" IMG
	             "    platforms: [linux/amd64, linux/s390x]\n",
	             "release.yaml:7:30: images[0].platforms[1]: \"linux/s390x\" is both required "
	             "and optional (defaults.optional-platforms at 2:24)");
	EXPECT_ERROR("defaults:\n"
	             "  platforms: [linux/amd64, linux/s390x]\n" IMG
	             "    optional-platforms: [linux/s390x]\n",
	             "release.yaml:7:26: images[0].optional-platforms[0]: \"linux/s390x\" is both "
	             "required and optional (defaults.platforms at 2:28)");
}

static const char *const sources_yaml =
    "defaults:\n"                                                                    /* 1 */
    "  registry: r.io\n"                                                             /* 2 */
    "  platforms: [linux/amd64, linux/arm/v7]\n"                                     /* 3 */
    "  optional-platforms: [linux/s390x]\n"                                          /* 4 */
    "  sources:\n"                                                                   /* 5 */
    "    Linux/armhf: \"{registry}/{name}:{tag}-arm\"\n"                             /* 6 */
    "    linux/s390x: \"{registry}/zarch/{name}:{tag}\"\n"                           /* 7 */
    "images:\n"                                                                      /* 8 */
    "  - {name: a, tags: [v1]}\n"                                                    /* 9 */
    "  - name: b\n"                                                                  /* 10 */
    "    tags: [v2]\n"                                                               /* 11 */
    "    source: \"{registry}/b/{arch}:{tag}\"\n"                                    /* 12 */
    "    sources: {linux/arm/v7: \"{registry}/b-arm32:{tag}\",\n"                    /* 13 */
    "              linux/s390x: \"{registry}/b-z:{tag}\"}\n"                         /* 14 */
    "  - {name: c, tags: [v3], platforms: [linux/amd64], optional-platforms: []}\n"; /* 15 */

static void defaults_sources_apply_per_platform_and_image_wins(void **state)
{
	(void)state;
	struct farm_config *c = LOAD_OK(sources_yaml);
	const struct farm_image *a = &c->images[0], *b = &c->images[1], *im = &c->images[2];
	assert_null(a->platforms[0].source);
	assert_string_equal(a->platforms[1].source, "{registry}/{name}:{tag}-arm");
	assert_string_equal(a->platforms[2].source, "{registry}/zarch/{name}:{tag}");
	assert_null(b->platforms[0].source);
	assert_string_equal(b->platforms[1].source, "{registry}/b-arm32:{tag}");
	assert_string_equal(b->platforms[2].source, "{registry}/b-z:{tag}");
	assert_int_equal(im->n_platforms, 1);
	assert_null(im->platforms[0].source);
	farm_config_free(c);
}

static void plan_lists_optional_sources_last_with_their_flag(void **state)
{
	(void)state;
	struct farm_config *c = LOAD_OK(sources_yaml);
	struct farm_plan *p = NULL;
	struct farm_error err;
	assert_int_equal(farm_plan_expand(c, NULL, &p, &err), 0);
	assert_int_equal(p->n_targets, 3);
	const struct farm_target *t = &p->targets[0];
	assert_int_equal(t->n_sources, 3);
	assert_string_equal(t->sources[0].ref, "r.io/a-amd64:v1");
	assert_int_equal(t->sources[0].optional, 0);
	assert_string_equal(t->sources[1].ref, "r.io/a:v1-arm");
	assert_int_equal(t->sources[1].optional, 0);
	assert_string_equal(t->sources[2].ref, "r.io/zarch/a:v1");
	assert_int_equal(t->sources[2].optional, 1);
	assert_ptr_equal(t->sources[2].platform, &c->images[0].platforms[2]);
	t = &p->targets[1];
	assert_string_equal(t->sources[0].ref, "r.io/b/amd64:v2");
	assert_string_equal(t->sources[1].ref, "r.io/b-arm32:v2");
	assert_string_equal(t->sources[2].ref, "r.io/b-z:v2");
	assert_int_equal(t->sources[2].optional, 1);
	assert_int_equal(p->targets[2].n_sources, 1);
	farm_plan_free(p);
	farm_config_free(c);
}

static void defaults_sources_rejects_bad_keys_and_templates(void **state)
{
	(void)state;
	EXPECT_ERROR("defaults:\n  sources: {linux/arm64/v9: x}\n" IMG,
	             "release.yaml:2:13: defaults.sources.\"linux/arm64/v9\": \"linux/arm64/v9\" "
	             "is not a known platform");
	EXPECT_ERROR("defaults:\n  sources: {linux/amd64: \"{archh}\"}\n" IMG,
	             "release.yaml:2:26: defaults.sources.\"linux/amd64\": unknown template "
	             "token \"{archh}\" (did you mean \"{arch}\"?)");
	EXPECT_ERROR("defaults:\n  sources: {linux/amd64: x, Linux/x86_64: y}\n" IMG,
	             "release.yaml:2:29: defaults.sources.\"Linux/x86_64\": \"Linux/x86_64\" names "
	             "the same platform as an earlier key");
	EXPECT_ERROR("defaults:\n  sources: [x]\n" IMG,
	             "release.yaml:2:12: defaults.sources: expected a mapping, got a list");
	EXPECT_ERROR(IMG "    platforms: [linux/amd64]\n    sources: {linux/amd64: x, "
	                 "Linux/x86_64: y}\n",
	             "release.yaml:6:31: images[0].sources.\"Linux/x86_64\": \"Linux/x86_64\" "
	             "names the same platform as an earlier key");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(policy_defaults_to_keep_copy_and_no_shrink),
	    cmocka_unit_test(policy_image_overrides_defaults),
	    cmocka_unit_test(policy_rejects_unknown_values_naming_the_allowed_ones),
	    cmocka_unit_test(optional_platforms_follow_required_in_config_order),
	    cmocka_unit_test(optional_platforms_of_image_replace_defaults),
	    cmocka_unit_test(optional_platforms_rejects_what_platforms_rejects),
	    cmocka_unit_test(optional_platform_also_required_names_both_places),
	    cmocka_unit_test(defaults_sources_apply_per_platform_and_image_wins),
	    cmocka_unit_test(plan_lists_optional_sources_last_with_their_flag),
	    cmocka_unit_test(defaults_sources_rejects_bad_keys_and_templates),
	};
	return unit_run_group("farm_policy", tests, argc, argv);
}
