/* test_farm_spec.c — manifest-tool's per-image spec read as a one-image
 * config: the reference texts' own YAML (tests/data/farm/), the shipped
 * example, spellings found in the wild, and the errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "farm.h"
#include "farm_platform.h"

static int lenient = 1;
static const struct farm_load_options opts = {.platform_check = platform_check,
                                              .platform_ctx = &lenient};

static struct farm_config *load_file(const char *dir_env, const char *rel, struct farm_error *err)
{
	char path[1024];
	const char *dir = getenv(dir_env);
	struct farm_config *c = NULL;
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : ".", rel);
	err->msg[0] = '\0';
	if (farm_config_load(path, &opts, &c, err) < 0)
		return NULL;
	return c;
}

/* load_file that must succeed */
static struct farm_config *load_ok(const char *dir_env, const char *rel)
{
	struct farm_error err;
	struct farm_config *c = load_file(dir_env, rel, &err);
	if (!c)
		print_error("%s\n", err.msg);
	assert_non_null(c);
	return c;
}

/* The message with the directory part of the path removed. */
static const char *tail(const struct farm_error *err)
{
	const char *s = strstr(err->msg, "farm/manifest-tool");
	return s ? s : err->msg;
}

static struct farm_plan *expand(const struct farm_config *c)
{
	struct farm_plan *p = NULL;
	struct farm_error err;
	assert_int_equal(farm_plan_expand(c, NULL, &p, &err), 0);
	assert_non_null(p);
	return p;
}

static void spec_reads_blog_form_as_one_image(void **state)
{
	(void)state;
	struct farm_config *c = load_ok("MANIFOLD_TESTDATA", "farm/manifest-tool-004.yaml");
	assert_int_equal(c->is_spec, 1);
	assert_int_equal(c->n_images, 1);
	assert_int_equal(c->n_registries, 0);
	assert_int_equal(c->n_retag, 0);
	const struct farm_image *im = &c->images[0];
	assert_string_equal(im->name, "demo");
	assert_string_equal(im->registry, "s8345002:5000");
	assert_int_equal(im->n_tags, 1);
	assert_string_equal(im->tags[0], "v0.2");
	assert_int_equal(im->n_extra_tags, 0);
	assert_string_equal(im->target, "s8345002:5000/demo:{tag}");
	assert_null(im->source);
	assert_int_equal(im->format, FARM_FORMAT_AUTO);
	assert_int_equal(im->verify_platform, 1);
	assert_int_equal(im->n_platforms, 2);
	assert_string_equal(im->platforms[0].name, "linux/s390x");
	assert_string_equal(im->platforms[0].source, "s8345002:5000/demo-s390x:v0.2");
	assert_int_equal(im->platforms[0].pos.line, 6);
	assert_int_equal(im->platforms[0].pos.column, 7);
	assert_string_equal(im->platforms[1].name, "linux/amd64");
	assert_string_equal(im->platforms[1].source, "s8345002:5000/demo-amd64:v0.2");
	farm_config_free(c);
}

static void spec_blog_form_plans_its_manifests_as_sources(void **state)
{
	(void)state;
	struct farm_config *c = load_ok("MANIFOLD_TESTDATA", "farm/manifest-tool-004.yaml");
	struct farm_plan *p = expand(c);
	assert_int_equal(p->n_targets, 1);
	assert_string_equal(p->targets[0].ref, "s8345002:5000/demo:v0.2");
	assert_int_equal(p->targets[0].n_sources, 2);
	assert_string_equal(p->targets[0].sources[0].ref, "s8345002:5000/demo-s390x:v0.2");
	assert_string_equal(p->targets[0].sources[1].ref, "s8345002:5000/demo-amd64:v0.2");
	farm_plan_free(p);
	farm_config_free(c);
}

static void spec_reads_gist_form_with_wild_spellings(void **state)
{
	(void)state;
	struct farm_config *c = load_ok("MANIFOLD_TESTDATA", "farm/manifest-tool-001.yaml");
	const struct farm_image *im = &c->images[0];
	assert_string_equal(im->name, "myrepo/myimage");
	assert_string_equal(im->registry, "docker.io");
	assert_string_equal(im->tags[0], "latest");
	assert_string_equal(im->target, "myrepo/myimage:{tag}");
	assert_int_equal(im->n_platforms, 2);
	assert_string_equal(im->platforms[0].name, "linux/ppc64/ppc64le");
	assert_string_equal(im->platforms[0].variant, "ppc64le");
	assert_string_equal(im->platforms[0].source, "myrepo/myimage_ppc64le");
	/* os: Linux, architecture: x86_64 */
	assert_string_equal(im->platforms[1].name, "linux/amd64");
	assert_string_equal(im->platforms[1].os, "linux");
	assert_string_equal(im->platforms[1].arch, "amd64");
	assert_int_equal(im->platforms[1].n_features, 1);
	assert_string_equal(im->platforms[1].features[0], "sse");
	assert_int_equal(im->platforms[1].n_os_features, 0);
	farm_config_free(c);
}

static void spec_gist_form_plans_hub_target(void **state)
{
	(void)state;
	struct farm_config *c = load_ok("MANIFOLD_TESTDATA", "farm/manifest-tool-001.yaml");
	struct farm_plan *p = expand(c);
	assert_string_equal(p->targets[0].ref, "myrepo/myimage:latest");
	farm_plan_free(p);
	farm_config_free(c);
}

static void spec_gist_original_is_a_yaml_syntax_error(void **state)
{
	(void)state;
	struct farm_error err;
	/* the gist's first version, which its comments call a syntax error */
	assert_null(load_file("MANIFOLD_TESTDATA", "farm/manifest-tool-001-original.yaml", &err));
	assert_string_equal(tail(&err), "farm/manifest-tool-001-original.yaml:4:14: YAML syntax "
	                                "error: mapping values are not allowed in this context");
}

static void spec_blog_as_published_is_a_yaml_syntax_error(void **state)
{
	(void)state;
	struct farm_error err;
	/* the blog post, as its page shows it (indentation lost) */
	assert_null(
	    load_file("MANIFOLD_TESTDATA", "farm/manifest-tool-004-as-published.yaml", &err));
	assert_string_equal(tail(&err), "farm/manifest-tool-004-as-published.yaml:8:1: YAML syntax "
	                                "error: did not find expected key (while parsing a block "
	                                "mapping that started at 1:1)");
}

static void spec_reads_shipped_example(void **state)
{
	(void)state;
	struct farm_config *c = load_ok("MANIFOLD_SOURCE_DIR", "configs/manifest-tool-spec.yaml");
	const struct farm_image *im = &c->images[0];
	assert_string_equal(im->name, "pause");
	assert_string_equal(im->registry, "registry.example.com");
	assert_string_equal(im->tags[0], "3.10");
	assert_int_equal(im->n_extra_tags, 2);
	assert_string_equal(im->extra_tags[0], "3.10.0");
	assert_string_equal(im->extra_tags[1], "latest");
	assert_int_equal(im->n_annotations, 1);
	assert_string_equal(im->annotations[0].key, "org.opencontainers.image.source");
	assert_int_equal(im->n_platforms, 6);
	assert_string_equal(im->platforms[1].name, "linux/arm64/v8");
	assert_string_equal(im->platforms[2].name, "linux/arm/v7");
	const struct farm_platform *w = &im->platforms[5];
	assert_string_equal(w->name, "windows/amd64:10.0.17763.6659");
	assert_string_equal(w->os_version, "10.0.17763.6659");
	assert_int_equal(w->n_os_features, 1);
	assert_string_equal(w->os_features[0], "win32k");
	assert_int_equal(w->n_annotations, 1);
	assert_string_equal(w->annotations[0].value,
	                    "mcr.microsoft.com/windows/nanoserver:ltsc2019");
	farm_config_free(c);
}

static void spec_shipped_example_plans_tags_and_windows_source(void **state)
{
	(void)state;
	struct farm_config *c = load_ok("MANIFOLD_SOURCE_DIR", "configs/manifest-tool-spec.yaml");
	struct farm_plan *p = expand(c);
	assert_string_equal(p->targets[0].ref, "registry.example.com/pause:3.10");
	assert_int_equal(p->targets[0].n_extra_refs, 2);
	assert_string_equal(p->targets[0].extra_refs[1], "registry.example.com/pause:latest");
	assert_string_equal(p->targets[0].sources[5].ref,
	                    "registry.example.com/pause-windows-amd64:3.10-ltsc2019");
	farm_plan_free(p);
	farm_config_free(c);
}

/* The spec must be rejected with exactly this message; a failure points
 * at the caller's line. */
static void expect_error(const char *file, int line, const char *yaml, const char *want)
{
	struct farm_config *c = NULL;
	struct farm_error err = {0};
	if (farm_config_parse("spec.yaml", yaml, strlen(yaml), &opts, &c, &err) == 0) {
		farm_config_free(c);
		unit_fail_at(file, line, "loaded, want %s", want);
		return;
	}
	_assert_string_equal(err.msg, want, file, line);
}
#define EXPECT_ERROR(y, w) expect_error(__FILE__, __LINE__, y, w)

static void spec_rejects_missing_or_misspelt_manifests(void **state)
{
	(void)state;
	EXPECT_ERROR("image: r.io/a:v1\n", "spec.yaml:1:1: missing required key \"manifests\"");
	EXPECT_ERROR("image: r.io/a:v1\nmanifests: []\n",
	             "spec.yaml:2:12: manifests: empty list, want at least one manifest");
	EXPECT_ERROR("image: r.io/a:v1\nmanifest: []\n",
	             "spec.yaml:2:1: unknown key \"manifest\" (did you mean \"manifests\"?)");
}

static void spec_rejects_bad_image_references(void **state)
{
	(void)state;
	EXPECT_ERROR("image: r.io/a@sha256:00\nmanifests: [{image: x, platform: {os: linux, "
	             "architecture: amd64}}]\n",
	             "spec.yaml:1:8: image: \"r.io/a@sha256:00\" is not a valid image reference "
	             "(want [HOST/]NAME[:TAG])");
	EXPECT_ERROR("image: r.io/A:v1\nmanifests: [{image: x, platform: {os: linux, "
	             "architecture: amd64}}]\n",
	             "spec.yaml:1:8: image: \"A\" is not a valid repository name");
	EXPECT_ERROR("image: r.io/a:v1\nmanifests:\n"
	             "  - {image: \"x y\", platform: {os: linux, architecture: amd64}}\n",
	             "spec.yaml:3:13: manifests[0].image: \"x y\" is not a valid image reference");
}

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void spec_carries_digest_pinned_manifests_into_the_plan(void **state)
{
	(void)state;
	const char *y = "image: r.io/app:v1\n"
	                "manifests:\n"
	                "  - image: r.io/app@sha256:" HEX64 "\n"
	                "    platform: {os: linux, architecture: amd64}\n"
	                "  - image: app-arm64:v1@sha256:" HEX64 "\n"
	                "    platform: {os: linux, architecture: arm64}\n"
	                "  - image: r.io/app-s390x:v1\n"
	                "    platform: {os: linux, architecture: s390x}\n";
	struct farm_config *c = NULL;
	struct farm_plan *p = NULL;
	struct farm_error err = {0};
	if (farm_config_parse("spec.yaml", y, strlen(y), &opts, &c, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(farm_plan_expand(c, NULL, &p, &err), 0);
	assert_int_equal(p->targets[0].n_sources, 3);
	assert_string_equal(p->targets[0].sources[0].ref, "r.io/app@sha256:" HEX64);
	assert_string_equal(p->targets[0].sources[1].ref, "app-arm64:v1@sha256:" HEX64);
	assert_string_equal(p->targets[0].sources[2].ref, "r.io/app-s390x:v1");
	assert_int_equal(p->targets[0].sources[0].optional, 0);
	farm_plan_free(p);
	farm_config_free(c);
}

static void spec_rejects_malformed_digests(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "r.io/app@sha256:0123",        /* too short */
	    "r.io/app@sha256:" HEX64 "00", /* too long */
	    "r.io/app@SHA256:" HEX64,      /* algorithm case */
	    "r.io/app@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
	    "r.io/app@md5:0123456789abcdef0123456789abcdef", /* not a registered algorithm */
	    "@sha256:" HEX64,                                /* no name */
	    "r.io/app@sha256:" HEX64 "@sha256:" HEX64,       /* two digests */
	};
	for (size_t i = 0; i < UNIT_COUNT(bad); i++) {
		char y[512], want[512];
		snprintf(y, sizeof(y),
		         "image: r.io/a:v1\nmanifests:\n  - image: \"%s\"\n"
		         "    platform: {os: linux, architecture: amd64}\n",
		         bad[i]);
		snprintf(
		    want, sizeof(want),
		    "spec.yaml:3:12: manifests[0].image: \"%s\" is not a valid image reference "
		    "(want NAME[:TAG]@sha256:<64 hex digits>)",
		    bad[i]);
		EXPECT_ERROR(y, want);
	}
}

static void spec_reports_every_bad_manifest(void **state)
{
	(void)state;
	struct farm_config *c = NULL;
	struct farm_error err = {0};
	const char *y = "image: r.io/a:v1\n"
	                "manifests:\n"
	                "  - {image: \"x y\", platform: {os: linux, architecture: amd64}}\n"
	                "  - {image: b, platform: {os: linux, architecture: amd64}}\n"
	                "  - {image: c, platform: {os: linux}}\n";
	assert_int_equal(farm_config_parse("spec.yaml", y, strlen(y), &opts, &c, &err), -1);
	assert_string_equal(err.all,
	                    "spec.yaml:3:13: manifests[0].image: \"x y\" is not a valid image "
	                    "reference\n"
	                    "spec.yaml:4:26: manifests[1].platform: duplicate platform "
	                    "\"linux/amd64\" (first at 3:30)\n"
	                    "spec.yaml:5:26: manifests[2].platform: missing required key "
	                    "\"architecture\"\n");
	assert_int_equal(err.n_errors, 3);
}

static void spec_rejects_bad_platforms(void **state)
{
	(void)state;
	EXPECT_ERROR(
	    "image: r.io/a:v1\nmanifests:\n  - image: x\n    platform: {os: linux}\n",
	    "spec.yaml:4:15: manifests[0].platform: missing required key \"architecture\"");
	EXPECT_ERROR(
	    "image: r.io/a:v1\nmanifests:\n  - image: x\n"
	    "    platform: {os: linux, architecture: mips128}\n",
	    "spec.yaml:4:15: manifests[0].platform: \"linux/mips128\" is not a known platform");
	EXPECT_ERROR("image: r.io/a:v1\nmanifests:\n"
	             "  - {image: x, platform: {os: linux, architecture: amd64}}\n"
	             "  - {image: y, platform: {os: Linux, architecture: x86_64}}\n",
	             "spec.yaml:4:26: manifests[1].platform: duplicate platform \"linux/amd64\" "
	             "(first at 3:26)");
	EXPECT_ERROR(
	    "image: r.io/a:v1\nmanifests:\n"
	    "  - {image: x, platform: {os: linux, architecture: amd64, osversion: [1]}}\n",
	    "spec.yaml:3:70: manifests[0].platform.osversion: expected a string, got a list");
}

static void spec_rejects_tag_repeating_the_image_tag(void **state)
{
	(void)state;
	EXPECT_ERROR("image: r.io/a:v1\ntags: [v2, v1]\nmanifests:\n"
	             "  - {image: x, platform: {os: linux, architecture: amd64}}\n",
	             "spec.yaml:2:12: tags[1]: duplicate tag \"v1\" (the image's own tag)");
}

static void spec_image_gives_registry_name_tag_and_target(void **state)
{
	(void)state;
	static const struct {
		const char *image, *registry, *name, *tag, *target;
	} cases[] = {
	    {"localhost/a", "localhost", "a", "latest", "localhost/a:{tag}"},
	    {"localhost:5000/a/b:v1", "localhost:5000", "a/b", "v1", "localhost:5000/a/b:{tag}"},
	    {"busybox", "docker.io", "busybox", "latest", "busybox:{tag}"},
	    {"library/busybox:1.36", "docker.io", "library/busybox", "1.36",
	     "library/busybox:{tag}"},
	    {"docker.io/library/busybox:1", "docker.io", "library/busybox", "1",
	     "docker.io/library/busybox:{tag}"},
	};
	for (size_t i = 0; i < UNIT_COUNT(cases); i++) {
		char y[512];
		snprintf(y, sizeof(y),
		         "image: %s\nmanifests: [{image: x, platform: {os: linux, architecture: "
		         "amd64}}]\n",
		         cases[i].image);
		struct farm_config *c = NULL;
		struct farm_error err;
		assert_int_equal(farm_config_parse("s.yaml", y, strlen(y), &opts, &c, &err), 0);
		assert_non_null(c);
		assert_string_equal(c->images[0].registry, cases[i].registry);
		assert_string_equal(c->images[0].name, cases[i].name);
		assert_string_equal(c->images[0].tags[0], cases[i].tag);
		assert_string_equal(c->images[0].target, cases[i].target);
		farm_config_free(c);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(spec_reads_blog_form_as_one_image),
	    cmocka_unit_test(spec_blog_form_plans_its_manifests_as_sources),
	    cmocka_unit_test(spec_reads_gist_form_with_wild_spellings),
	    cmocka_unit_test(spec_gist_form_plans_hub_target),
	    cmocka_unit_test(spec_gist_original_is_a_yaml_syntax_error),
	    cmocka_unit_test(spec_blog_as_published_is_a_yaml_syntax_error),
	    cmocka_unit_test(spec_reads_shipped_example),
	    cmocka_unit_test(spec_shipped_example_plans_tags_and_windows_source),
	    cmocka_unit_test(spec_rejects_missing_or_misspelt_manifests),
	    cmocka_unit_test(spec_rejects_bad_image_references),
	    cmocka_unit_test(spec_carries_digest_pinned_manifests_into_the_plan),
	    cmocka_unit_test(spec_rejects_malformed_digests),
	    cmocka_unit_test(spec_reports_every_bad_manifest),
	    cmocka_unit_test(spec_rejects_bad_platforms),
	    cmocka_unit_test(spec_rejects_tag_repeating_the_image_tag),
	    cmocka_unit_test(spec_image_gives_registry_name_tag_and_target),
	};
	return unit_run_group("test_farm_spec", tests, argc, argv);
}
