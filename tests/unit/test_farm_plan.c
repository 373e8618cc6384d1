/* test_farm_plan.c — a small config expanded into targets × platforms,
 * --only, shards, retag rules and "SRC DST" pair files, value by value. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "farm.h"

static const char *const yaml = "defaults:\n"
                                "  registry: registry.example.com\n"
                                "  platforms: [linux/amd64, linux/arm64/v8, linux/arm/v7]\n"
                                "images:\n"
                                "  - name: kube-proxy\n"
                                "    tags: [v1.31.0, v1.30.4]\n"
                                "    extra-tags: [latest, v1.31]\n"
                                "  - name: pause\n"
                                "    tags: [\"3.10\"]\n"
                                "    platforms: [linux/amd64, windows/amd64:10.0.17763.6659]\n"
                                "    source: \"{registry}/{name}-{os}-{arch}:{tag}\"\n"
                                "  - name: coredns\n"
                                "    tags: [v1.11.3]\n"
                                "    registry: ci:5000\n"
                                "    source: \"{registry}/{name}:{tag}-{arch}{variant}\"\n"
                                "    target: \"mirror.example.com/coredns/{name}:{tag}\"\n"
                                "    sources: {linux/arm/v7: \"{registry}/{name}:{tag}-arm\"}\n"
                                "retag:\n"
                                "  - from: \"{registry}/{name}-{arch}:{tag}\"\n"
                                "    to: \"{registry}/{name}:{tag}-{arch}{variant}\"\n"
                                "    images: [kube-proxy]\n"
                                "  - from: \"{registry}/{name}:{tag}\"\n"
                                "    to: \"backup.example.com/{name}:{tag}\"\n";

/* *state: `yaml` loaded */
static int config_setup(void **state)
{
	struct farm_config *c = NULL;
	struct farm_error err;
	if (farm_config_parse("plan.yaml", yaml, strlen(yaml), NULL, &c, &err) < 0) {
		print_error("%s\n", err.msg);
		return -1;
	}
	*state = c;
	return 0;
}

static int config_teardown(void **state)
{
	farm_config_free(*state);
	return 0;
}

static struct farm_plan *expand(const struct farm_config *c, const char *only)
{
	struct farm_plan *p = NULL;
	struct farm_error err;
	assert_int_equal(farm_plan_expand(c, only, &p, &err), 0);
	assert_non_null(p);
	return p;
}

static void plan_expands_every_tag_over_every_platform(void **state)
{
	const struct farm_config *c = *state;
	struct farm_plan *p = expand(c, NULL);
	assert_int_equal(p->n_targets, 4);
	const struct farm_target *t = &p->targets[0];
	assert_ptr_equal(t->image, &c->images[0]);
	assert_string_equal(t->tag, "v1.31.0");
	assert_string_equal(t->ref, "registry.example.com/kube-proxy:v1.31.0");
	assert_int_equal(t->n_sources, 3);
	assert_ptr_equal(t->sources[1].platform, &c->images[0].platforms[1]);
	assert_string_equal(t->sources[0].ref, "registry.example.com/kube-proxy-amd64:v1.31.0");
	assert_string_equal(t->sources[1].ref, "registry.example.com/kube-proxy-arm64:v1.31.0");
	assert_string_equal(t->sources[2].ref, "registry.example.com/kube-proxy-arm:v1.31.0");
	t = &p->targets[1];
	assert_string_equal(t->ref, "registry.example.com/kube-proxy:v1.30.4");
	assert_string_equal(t->sources[2].ref, "registry.example.com/kube-proxy-arm:v1.30.4");
	farm_plan_free(p);
}

static void plan_gives_extra_tags_to_the_first_tag_only(void **state)
{
	const struct farm_config *c = *state;
	struct farm_plan *p = expand(c, NULL);
	const struct farm_target *t = &p->targets[0];
	assert_int_equal(t->n_extra_refs, 2);
	assert_string_equal(t->extra_refs[0], "registry.example.com/kube-proxy:latest");
	assert_string_equal(t->extra_refs[1], "registry.example.com/kube-proxy:v1.31");
	t = &p->targets[1];
	assert_int_equal(t->n_extra_refs, 0);
	assert_null(t->extra_refs);
	farm_plan_free(p);
}

static void plan_fills_os_into_source_template(void **state)
{
	const struct farm_config *c = *state;
	struct farm_plan *p = expand(c, NULL);
	const struct farm_target *t = &p->targets[2];
	assert_string_equal(t->ref, "registry.example.com/pause:3.10");
	assert_int_equal(t->n_sources, 2);
	assert_string_equal(t->sources[0].ref, "registry.example.com/pause-linux-amd64:3.10");
	assert_string_equal(t->sources[1].ref, "registry.example.com/pause-windows-amd64:3.10");
	assert_string_equal(t->sources[1].platform->os_version, "10.0.17763.6659");
	farm_plan_free(p);
}

static void plan_uses_target_template_and_per_platform_source(void **state)
{
	const struct farm_config *c = *state;
	struct farm_plan *p = expand(c, NULL);
	const struct farm_target *t = &p->targets[3];
	assert_string_equal(t->ref, "mirror.example.com/coredns/coredns:v1.11.3");
	assert_string_equal(t->sources[0].ref, "ci:5000/coredns:v1.11.3-amd64");
	assert_string_equal(t->sources[1].ref, "ci:5000/coredns:v1.11.3-arm64v8");
	assert_string_equal(t->sources[2].ref, "ci:5000/coredns:v1.11.3-arm"); /* the override */
	farm_plan_free(p);
}

static void plan_only_selects_image_by_name(void **state)
{
	struct farm_plan *p = expand(*state, "kube-proxy");
	assert_int_equal(p->n_targets, 2);
	assert_string_equal(p->targets[1].ref, "registry.example.com/kube-proxy:v1.30.4");
	farm_plan_free(p);
}

static void plan_only_selects_target_by_ref(void **state)
{
	struct farm_plan *p = expand(*state, "registry.example.com/kube-proxy:v1.30.4");
	assert_int_equal(p->n_targets, 1);
	assert_string_equal(p->targets[0].tag, "v1.30.4");
	assert_string_equal(p->targets[0].sources[0].ref,
	                    "registry.example.com/kube-proxy-amd64:v1.30.4");
	farm_plan_free(p);
}

static void plan_only_empty_selects_everything(void **state)
{
	struct farm_plan *p = expand(*state, "");
	assert_int_equal(p->n_targets, 4);
	farm_plan_free(p);
}

static void plan_only_unknown_name_is_an_error(void **state)
{
	struct farm_plan *p = NULL;
	struct farm_error err;
	assert_int_equal(farm_plan_expand(*state, "kube-prox", &p, &err), -1);
	assert_null(p);
	assert_string_equal(err.msg, "--only \"kube-prox\": no image or target of that name");
}

static void shard_split_is_fnv1a_modulo_count(void **state)
{
	(void)state;
	/* FNV-1a 64("registry.example.com/kube-proxy:v1.31.0") = 0x0c788a67c6500e2b */
	const char *ref = "registry.example.com/kube-proxy:v1.31.0";
	assert_int_equal(farm_shard_has(ref, 1, 2), 1);
	assert_int_equal(farm_shard_has(ref, 0, 2), 0);
	assert_int_equal(farm_shard_has(ref, 0, 3), 1);
	assert_int_equal(farm_shard_has(ref, 4, 7), 1);
	assert_int_equal(farm_shard_has(ref, 3, 7), 0);
	assert_int_equal(farm_shard_has("a", 1, 3), 1); /* 0xaf63dc4c8601ec8c */
	assert_int_equal(farm_shard_has("a", 0, 1), 1);
	assert_int_equal(farm_shard_has("a", 0, 0), 1);
	assert_int_equal(farm_shard_has("a", 3, 3), 0);
}

static void retag_expands_per_platform_then_per_target(void **state)
{
	const struct farm_config *c = *state;
	struct farm_copy_plan *p = NULL;
	struct farm_error err;
	assert_int_equal(farm_retag_expand(c, NULL, &p, &err), 0);
	assert_non_null(p);
	/* rule 0: kube-proxy × 2 tags × 3 platforms; rule 1: 4 targets */
	assert_int_equal(p->n_copies, 10);
	assert_string_equal(p->copies[0].from, "registry.example.com/kube-proxy-amd64:v1.31.0");
	assert_string_equal(p->copies[0].to, "registry.example.com/kube-proxy:v1.31.0-amd64");
	assert_ptr_equal(p->copies[0].image, &c->images[0]);
	assert_ptr_equal(p->copies[0].platform, &c->images[0].platforms[0]);
	assert_string_equal(p->copies[1].to, "registry.example.com/kube-proxy:v1.31.0-arm64v8");
	assert_string_equal(p->copies[5].from, "registry.example.com/kube-proxy-arm:v1.30.4");
	assert_string_equal(p->copies[5].to, "registry.example.com/kube-proxy:v1.30.4-armv7");
	assert_string_equal(p->copies[6].from, "registry.example.com/kube-proxy:v1.31.0");
	assert_string_equal(p->copies[6].to, "backup.example.com/kube-proxy:v1.31.0");
	assert_null(p->copies[6].platform);
	assert_string_equal(p->copies[9].from, "ci:5000/coredns:v1.11.3");
	assert_string_equal(p->copies[9].to, "backup.example.com/coredns:v1.11.3");
	farm_copy_plan_free(p);
}

static void retag_only_selects_copy_by_destination(void **state)
{
	struct farm_copy_plan *p = NULL;
	struct farm_error err;
	assert_int_equal(farm_retag_expand(*state, "backup.example.com/pause:3.10", &p, &err), 0);
	assert_non_null(p);
	assert_int_equal(p->n_copies, 1);
	assert_string_equal(p->copies[0].from, "registry.example.com/pause:3.10");
	farm_copy_plan_free(p);
}

static void retag_only_unknown_name_is_an_error(void **state)
{
	struct farm_copy_plan *p = NULL;
	struct farm_error err;
	assert_int_equal(farm_retag_expand(*state, "nothing", &p, &err), -1);
	assert_string_equal(err.msg, "--only \"nothing\": no image or target of that name");
}

/* *state: the path of an empty temp file, removed after the case */
static int pairs_setup(void **state)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/farm-pairs-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	*state = path;
	return 0;
}

static int pairs_teardown(void **state)
{
	unlink(*state);
	return 0;
}

static void write_pairs(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void pairs_load_skips_comments_and_blank_lines(void **state)
{
	const char *path = *state;
	write_pairs(
	    path,
	    "# promotion\n\n  r.io/a-amd64:v1\tr.io/a:v1-amd64  # first\nr.io/b:v1 s.io/b:v1\n");
	struct farm_copy_plan *p = NULL;
	struct farm_error err;
	assert_int_equal(farm_pairs_load(path, &p, &err), 0);
	assert_non_null(p);
	assert_int_equal(p->n_copies, 2);
	assert_string_equal(p->copies[0].from, "r.io/a-amd64:v1");
	assert_string_equal(p->copies[0].to, "r.io/a:v1-amd64");
	assert_string_equal(p->copies[1].to, "s.io/b:v1");
	assert_null(p->copies[1].image);
	assert_null(p->copies[1].platform);
	farm_copy_plan_free(p);
}

static void pairs_load_names_line_with_one_field(void **state)
{
	const char *path = *state;
	struct farm_copy_plan *p = NULL;
	struct farm_error err;
	char want[256];
	write_pairs(path, "r.io/a r.io/b\n# x\nr.io/c\n");
	assert_int_equal(farm_pairs_load(path, &p, &err), -1);
	snprintf(want, sizeof(want), "%s:3: expected \"SRC DST\", got 1 field", path);
	assert_string_equal(err.msg, want);
}

static void pairs_load_names_line_with_three_fields(void **state)
{
	const char *path = *state;
	struct farm_copy_plan *p = NULL;
	struct farm_error err;
	char want[256];
	write_pairs(path, "a b c\n");
	assert_int_equal(farm_pairs_load(path, &p, &err), -1);
	snprintf(want, sizeof(want), "%s:1: expected \"SRC DST\", got 3 fields", path);
	assert_string_equal(err.msg, want);
}

static void pairs_load_names_missing_file(void **state)
{
	const char *path = *state;
	struct farm_copy_plan *p = NULL;
	struct farm_error err;
	char want[256];
	unlink(path);
	assert_int_equal(farm_pairs_load(path, &p, &err), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err.msg, want);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(plan_expands_every_tag_over_every_platform,
	                                    config_setup, config_teardown),
	    cmocka_unit_test_setup_teardown(plan_gives_extra_tags_to_the_first_tag_only,
	                                    config_setup, config_teardown),
	    cmocka_unit_test_setup_teardown(plan_fills_os_into_source_template, config_setup,
	                                    config_teardown),
	    cmocka_unit_test_setup_teardown(plan_uses_target_template_and_per_platform_source,
	                                    config_setup, config_teardown),
	    cmocka_unit_test_setup_teardown(plan_only_selects_image_by_name, config_setup,
	                                    config_teardown),
	    cmocka_unit_test_setup_teardown(plan_only_selects_target_by_ref, config_setup,
	                                    config_teardown),
	    cmocka_unit_test_setup_teardown(plan_only_empty_selects_everything, config_setup,
	                                    config_teardown),
	    cmocka_unit_test_setup_teardown(plan_only_unknown_name_is_an_error, config_setup,
	                                    config_teardown),
	    cmocka_unit_test(shard_split_is_fnv1a_modulo_count),
	    cmocka_unit_test_setup_teardown(retag_expands_per_platform_then_per_target,
	                                    config_setup, config_teardown),
	    cmocka_unit_test_setup_teardown(retag_only_selects_copy_by_destination, config_setup,
	                                    config_teardown),
	    cmocka_unit_test_setup_teardown(retag_only_unknown_name_is_an_error, config_setup,
	                                    config_teardown),
	    cmocka_unit_test_setup_teardown(pairs_load_skips_comments_and_blank_lines, pairs_setup,
	                                    pairs_teardown),
	    cmocka_unit_test_setup_teardown(pairs_load_names_line_with_one_field, pairs_setup,
	                                    pairs_teardown),
	    cmocka_unit_test_setup_teardown(pairs_load_names_line_with_three_fields, pairs_setup,
	                                    pairs_teardown),
	    cmocka_unit_test_setup_teardown(pairs_load_names_missing_file, pairs_setup,
	                                    pairs_teardown),
	};
	int rc = unit_run_group("test_farm_plan", tests, argc, argv);
	/* the free functions take NULL */
	farm_plan_free(NULL);
	farm_copy_plan_free(NULL);
	farm_config_free(NULL);
	return rc;
}
