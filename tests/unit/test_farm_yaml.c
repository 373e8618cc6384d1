/* test_farm_yaml.c — the YAML under the config: anchors and aliases of
 * scalars, lists and mappings, merge keys, the places an error inside an
 * aliased node names, and the node cap that stops aliases expanding past
 * it ("billion laughs"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "farm_load.h"

static void yaml_aliases_copy_scalars_lists_and_mappings(void **state)
{
	(void)state;
	struct farm_config *c =
	    LOAD_OK("defaults:\n"
	            "  registry: &reg r.io\n"
	            "  annotations: &ann {org.opencontainers.image.vendor: Example}\n"
	            "images:\n"
	            "  - name: a\n"
	            "    tags: &tags [v1, v2]\n"
	            "    platforms: &plat [linux/amd64, linux/arm64/v8]\n"
	            "  - name: b\n"
	            "    tags: *tags\n"
	            "    platforms: *plat\n"
	            "    registry: *reg\n"
	            "    platform-annotations: {linux/amd64: *ann}\n");
	const struct farm_image *b = &c->images[1];
	assert_int_equal(b->n_tags, 2);
	assert_string_equal(b->tags[1], "v2");
	assert_string_equal(b->registry, "r.io");
	assert_int_equal(b->n_platforms, 2);
	assert_string_equal(b->platforms[1].name, "linux/arm64/v8");
	/* an aliased node keeps the anchor's place */
	assert_int_equal(b->platforms[1].pos.line, 7);
	assert_int_equal(b->platforms[1].pos.column, 36);
	assert_int_equal(b->platforms[0].n_annotations, 1);
	assert_string_equal(b->platforms[0].annotations[0].value, "Example");
	farm_config_free(c);
}

static void yaml_merge_key_takes_keys_the_mapping_does_not_set(void **state)
{
	(void)state;
	struct farm_config *c = LOAD_OK("defaults: {registry: r.io, platforms: [linux/amd64]}\n"
	                                "images:\n"
	                                "  - &base\n"
	                                "    name: a\n"
	                                "    tags: [v1]\n"
	                                "    source: \"{registry}/{name}:{tag}-{arch}\"\n"
	                                "    format: oci\n"
	                                "  - <<: *base\n"
	                                "    name: b\n"
	                                "  - name: c\n"
	                                "    <<: [{tags: [v3], format: docker}, *base]\n");
	const struct farm_image *b = &c->images[1], *im = &c->images[2];
	assert_string_equal(b->name, "b");
	assert_string_equal(b->tags[0], "v1");
	assert_string_equal(b->source, "{registry}/{name}:{tag}-{arch}");
	assert_int_equal(b->format, FARM_FORMAT_OCI);
	/* the first mapping of a merge list wins over later ones */
	assert_string_equal(im->name, "c");
	assert_string_equal(im->tags[0], "v3");
	assert_int_equal(im->format, FARM_FORMAT_DOCKER);
	assert_string_equal(im->source, "{registry}/{name}:{tag}-{arch}");
	farm_config_free(c);
}

static void yaml_anchor_inside_merge_stays_whole_for_later_aliases(void **state)
{
	(void)state;
	struct farm_config *c = LOAD_OK("defaults: {registry: r.io, platforms: [linux/amd64]}\n"
	                                "images:\n"
	                                "  - name: a\n"
	                                "    <<: &t {tags: [v1]}\n"
	                                "  - name: b\n"
	                                "    <<: *t\n");
	assert_string_equal(c->images[0].tags[0], "v1");
	assert_string_equal(c->images[1].tags[0], "v1");
	farm_config_free(c);
}

static void yaml_error_in_aliased_node_names_anchor_and_alias(void **state)
{
	(void)state;
	EXPECT_ERRORS("defaults: {registry: r.io}\n"
	              "images:\n"
	              "  - name: a\n"
	              "    tags: [v1]\n"
	              "    platforms: &p [linux/amd64, linux/arm64/v9]\n"
	              "  - name: b\n"
	              "    tags: [v1]\n"
	              "    platforms: *p\n",
	              "release.yaml:5:33: images[0].platforms[1]: \"linux/arm64/v9\" is not a "
	              "known platform\n"
	              "release.yaml:5:33 (via alias at 8:16): images[1].platforms[1]: "
	              "\"linux/arm64/v9\" is not a known platform\n");
	EXPECT_ERRORS("defaults: {registry: r.io, platforms: [linux/amd64]}\n"
	              "images:\n"
	              "  - &i {name: a, tags: [v1], colour: red}\n"
	              "  - <<: *i\n"
	              "    name: b\n",
	              "release.yaml:3:30: images[0]: unknown key \"colour\"\n"
	              "release.yaml:3:30 (via alias at 4:9): images[1]: unknown key \"colour\"\n");
}

static void yaml_rejects_bad_aliases_and_merges(void **state)
{
	(void)state;
	EXPECT_ERRORS("images: *nope\n",
	              "release.yaml:1:9: alias *nope: no anchor &nope before it\n");
	EXPECT_ERRORS("images: &a [*a]\n",
	              "release.yaml:1:13: alias *a is inside the node it names\n");
	EXPECT_ERRORS("images:\n  - name: a\n    <<: [x]\n",
	              "release.yaml:3:5: a merge key (<<) takes a mapping or a list of mappings\n");
	EXPECT_ERRORS("images:\n  - name: a\n    <<: 5\n",
	              "release.yaml:3:5: a merge key (<<) takes a mapping or a list of mappings\n");
	/* only the plain "<<" merges; quoted, it is an ordinary key */
	EXPECT_ERRORS("defaults: {registry: r.io, platforms: [linux/amd64]}\n"
	              "images:\n  - {name: a, tags: [v1], \"<<\": {format: oci}}\n",
	              "release.yaml:3:27: images[0]: unknown key \"<<\"\n");
	/* a merged key does not count as a duplicate; one written twice does */
	EXPECT_ERRORS("defaults: {registry: r.io, platforms: [linux/amd64]}\n"
	              "images:\n  - {<<: {tags: [v0]}, name: a, tags: [v1], name: b}\n",
	              "release.yaml:3:45: images[0]: duplicate key \"name\" (first at 3:24)\n");
}

/* Ten times more nodes per level: what aliases expand to passes the node
 * cap at the sixth level (f) and must fail there, not copy on. */
static void yaml_billion_laughs_stops_at_the_node_cap(void **state)
{
	(void)state;
	char yaml[2048];
	size_t used = (size_t)snprintf(
	    yaml, sizeof(yaml), "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (char lvl = 'b'; lvl <= 'i'; lvl++) {
		used += (size_t)snprintf(yaml + used, sizeof(yaml) - used, "%c: &%c [", lvl, lvl);
		for (int k = 0; k < 10; k++)
			used += (size_t)snprintf(yaml + used, sizeof(yaml) - used, "%s*%c",
			                         k ? ", " : "", lvl - 1);
		used += (size_t)snprintf(yaml + used, sizeof(yaml) - used, "]\n");
	}
	assert_true(used < sizeof(yaml));
	/* e is 111111 nodes (10^5 lols); f's eighth alias of e passes 10^6. */
	EXPECT_ERRORS(yaml, "release.yaml:6:36: alias *e: more than 1000000 nodes with aliases "
	                    "expanded\n");
}

static void yaml_alias_cannot_nest_past_the_depth_cap(void **state)
{
	(void)state;
	char yaml[512];
	char open[61], close[61];
	memset(open, '[', 60);
	memset(close, ']', 60);
	open[60] = close[60] = '\0';
	snprintf(yaml, sizeof(yaml), "a: &a %s%s\nb: [[[[[*a]]]]]\n", open, close);
	EXPECT_ERRORS(yaml, "release.yaml:2:9: alias *a: nesting deeper than 64 levels\n");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(yaml_aliases_copy_scalars_lists_and_mappings),
	    cmocka_unit_test(yaml_merge_key_takes_keys_the_mapping_does_not_set),
	    cmocka_unit_test(yaml_anchor_inside_merge_stays_whole_for_later_aliases),
	    cmocka_unit_test(yaml_error_in_aliased_node_names_anchor_and_alias),
	    cmocka_unit_test(yaml_rejects_bad_aliases_and_merges),
	    cmocka_unit_test(yaml_billion_laughs_stops_at_the_node_cap),
	    cmocka_unit_test(yaml_alias_cannot_nest_past_the_depth_cap),
	};
	return unit_run_group("farm_yaml", tests, argc, argv);
}
