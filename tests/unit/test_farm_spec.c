/* test_farm_spec.c — manifest-tool's per-image spec read as a one-image
 * config: the reference texts' own YAML (tests/data/farm/), the shipped
 * example, spellings found in the wild, and the errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "farm.h"
#include "farm_platform.h"

static int lenient = 1;
static const struct farm_load_options opts = {platform_check, &lenient};

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

/* The message with the directory part of the path removed. */
static const char *tail(const struct farm_error *err)
{
	const char *s = strstr(err->msg, "farm/");
	return s ? s : err->msg;
}

static void spec_reads_manifest_tool_blog_form(void)
{
	struct farm_error err;
	struct farm_config *c = load_file("MANIFOLD_TESTDATA", "farm/manifest-tool-004.yaml", &err);
	CHECK(c != NULL);
	if (!c) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	CHECK_INT(c->is_spec, 1);
	CHECK_INT(c->n_images, 1);
	CHECK_INT(c->n_registries, 0);
	CHECK_INT(c->n_retag, 0);
	const struct farm_image *im = &c->images[0];
	CHECK_STR(im->name, "demo");
	CHECK_STR(im->registry, "s8345002:5000");
	CHECK_INT(im->n_tags, 1);
	CHECK_STR(im->tags[0], "v0.2");
	CHECK_INT(im->n_extra_tags, 0);
	CHECK_STR(im->target, "s8345002:5000/demo:{tag}");
	CHECK_STR(im->source, NULL);
	CHECK_INT(im->format, FARM_FORMAT_AUTO);
	CHECK_INT(im->verify_platform, 1);
	CHECK_INT(im->n_platforms, 2);
	CHECK_STR(im->platforms[0].name, "linux/s390x");
	CHECK_STR(im->platforms[0].source, "s8345002:5000/demo-s390x:v0.2");
	CHECK_INT(im->platforms[0].pos.line, 6);
	CHECK_INT(im->platforms[0].pos.column, 7);
	CHECK_STR(im->platforms[1].name, "linux/amd64");
	CHECK_STR(im->platforms[1].source, "s8345002:5000/demo-amd64:v0.2");

	struct farm_plan *p = NULL;
	CHECK_INT(farm_plan_expand(c, NULL, &p, &err), 0);
	if (p) {
		CHECK_INT(p->n_targets, 1);
		CHECK_STR(p->targets[0].ref, "s8345002:5000/demo:v0.2");
		CHECK_INT(p->targets[0].n_sources, 2);
		CHECK_STR(p->targets[0].sources[0].ref, "s8345002:5000/demo-s390x:v0.2");
		CHECK_STR(p->targets[0].sources[1].ref, "s8345002:5000/demo-amd64:v0.2");
		farm_plan_free(p);
	}
	farm_config_free(c);
}

static void spec_reads_gist_form_with_wild_spellings(void)
{
	struct farm_error err;
	struct farm_config *c = load_file("MANIFOLD_TESTDATA", "farm/manifest-tool-001.yaml", &err);
	CHECK(c != NULL);
	if (!c) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	const struct farm_image *im = &c->images[0];
	CHECK_STR(im->name, "myrepo/myimage");
	CHECK_STR(im->registry, "docker.io");
	CHECK_STR(im->tags[0], "latest");
	CHECK_STR(im->target, "myrepo/myimage:{tag}");
	CHECK_INT(im->n_platforms, 2);
	CHECK_STR(im->platforms[0].name, "linux/ppc64/ppc64le");
	CHECK_STR(im->platforms[0].variant, "ppc64le");
	CHECK_STR(im->platforms[0].source, "myrepo/myimage_ppc64le");
	/* os: Linux, architecture: x86_64 */
	CHECK_STR(im->platforms[1].name, "linux/amd64");
	CHECK_STR(im->platforms[1].os, "linux");
	CHECK_STR(im->platforms[1].arch, "amd64");
	CHECK_INT(im->platforms[1].n_features, 1);
	CHECK_STR(im->platforms[1].features[0], "sse");
	CHECK_INT(im->platforms[1].n_os_features, 0);
	struct farm_plan *p = NULL;
	CHECK_INT(farm_plan_expand(c, NULL, &p, &err), 0);
	if (p) {
		CHECK_STR(p->targets[0].ref, "myrepo/myimage:latest");
		farm_plan_free(p);
	}
	farm_config_free(c);
}

static void spec_reports_reference_texts_as_published(void)
{
	struct farm_error err;
	/* the gist's first version, which its comments call a syntax error */
	CHECK(load_file("MANIFOLD_TESTDATA", "farm/manifest-tool-001-original.yaml", &err) == NULL);
	CHECK_STR(tail(&err), "farm/manifest-tool-001-original.yaml:4:14: YAML syntax error: "
	                      "mapping values are not allowed in this context");
	/* the blog post, as its page shows it (indentation lost) */
	CHECK(load_file("MANIFOLD_TESTDATA", "farm/manifest-tool-004-as-published.yaml", &err) ==
	      NULL);
	CHECK_STR(tail(&err), "farm/manifest-tool-004-as-published.yaml:8:1: YAML syntax "
	                      "error: did not find expected key (while parsing a block mapping "
	                      "that started at 1:1)");
}

static void spec_reads_shipped_example(void)
{
	struct farm_error err;
	struct farm_config *c =
	    load_file("MANIFOLD_SOURCE_DIR", "configs/manifest-tool-spec.yaml", &err);
	CHECK(c != NULL);
	if (!c) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	const struct farm_image *im = &c->images[0];
	CHECK_STR(im->name, "pause");
	CHECK_STR(im->registry, "registry.example.com");
	CHECK_STR(im->tags[0], "3.10");
	CHECK_INT(im->n_extra_tags, 2);
	CHECK_STR(im->extra_tags[0], "3.10.0");
	CHECK_STR(im->extra_tags[1], "latest");
	CHECK_INT(im->n_annotations, 1);
	CHECK_STR(im->annotations[0].key, "org.opencontainers.image.source");
	CHECK_INT(im->n_platforms, 6);
	CHECK_STR(im->platforms[1].name, "linux/arm64/v8");
	CHECK_STR(im->platforms[2].name, "linux/arm/v7");
	const struct farm_platform *w = &im->platforms[5];
	CHECK_STR(w->name, "windows/amd64:10.0.17763.6659");
	CHECK_STR(w->os_version, "10.0.17763.6659");
	CHECK_INT(w->n_os_features, 1);
	CHECK_STR(w->os_features[0], "win32k");
	CHECK_INT(w->n_annotations, 1);
	CHECK_STR(w->annotations[0].value, "mcr.microsoft.com/windows/nanoserver:ltsc2019");
	struct farm_plan *p = NULL;
	CHECK_INT(farm_plan_expand(c, NULL, &p, &err), 0);
	if (p) {
		CHECK_STR(p->targets[0].ref, "registry.example.com/pause:3.10");
		CHECK_INT(p->targets[0].n_extra_refs, 2);
		CHECK_STR(p->targets[0].extra_refs[1], "registry.example.com/pause:latest");
		CHECK_STR(p->targets[0].sources[5].ref,
		          "registry.example.com/pause-windows-amd64:3.10-ltsc2019");
		farm_plan_free(p);
	}
	farm_config_free(c);
}

static void expect_error(int line, const char *yaml, const char *want)
{
	struct farm_config *c = NULL;
	struct farm_error err = {""};
	if (farm_config_parse("spec.yaml", yaml, strlen(yaml), &opts, &c, &err) == 0) {
		fprintf(stderr, "line %d: loaded, want %s\n", line, want);
		farm_config_free(c);
		check_failed++;
	} else if (strcmp(err.msg, want) != 0) {
		fprintf(stderr, "line %d:\n  got  %s\n  want %s\n", line, err.msg, want);
		check_failed++;
	} else {
		check_passed++;
	}
}
#define EXPECT_ERROR(y, w) expect_error(__LINE__, y, w)

static void spec_rejects_mistakes(void)
{
	EXPECT_ERROR("image: r.io/a:v1\n", "spec.yaml:1:1: missing required key \"manifests\"");
	EXPECT_ERROR("image: r.io/a:v1\nmanifests: []\n",
	             "spec.yaml:2:12: manifests: empty list, want at least one manifest");
	EXPECT_ERROR("image: r.io/a:v1\nmanifest: []\n",
	             "spec.yaml:2:1: unknown key \"manifest\" (did you mean \"manifests\"?)");
	EXPECT_ERROR("image: r.io/a@sha256:00\nmanifests: [{image: x, platform: {os: linux, "
	             "architecture: amd64}}]\n",
	             "spec.yaml:1:8: image: \"r.io/a@sha256:00\" is not a valid image reference "
	             "(want [HOST/]NAME[:TAG])");
	EXPECT_ERROR("image: r.io/A:v1\nmanifests: [{image: x, platform: {os: linux, "
	             "architecture: amd64}}]\n",
	             "spec.yaml:1:8: image: \"A\" is not a valid repository name");
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
	EXPECT_ERROR("image: r.io/a:v1\ntags: [v2, v1]\nmanifests:\n"
	             "  - {image: x, platform: {os: linux, architecture: amd64}}\n",
	             "spec.yaml:2:12: tags[1]: duplicate tag \"v1\" (the image's own tag)");
	EXPECT_ERROR(
	    "image: r.io/a:v1\nmanifests:\n"
	    "  - {image: x, platform: {os: linux, architecture: amd64, osversion: [1]}}\n",
	    "spec.yaml:3:70: manifests[0].platform.osversion: expected a string, got a list");
	EXPECT_ERROR("image: r.io/a:v1\nmanifests:\n"
	             "  - {image: \"x y\", platform: {os: linux, architecture: amd64}}\n",
	             "spec.yaml:3:13: manifests[0].image: \"x y\" is not a valid image reference");
}

static void spec_host_detection(void)
{
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
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char y[512];
		snprintf(y, sizeof(y),
		         "image: %s\nmanifests: [{image: x, platform: {os: linux, architecture: "
		         "amd64}}]\n",
		         cases[i].image);
		struct farm_config *c = NULL;
		struct farm_error err;
		CHECK_INT(farm_config_parse("s.yaml", y, strlen(y), &opts, &c, &err), 0);
		if (!c)
			continue;
		CHECK_STR(c->images[0].registry, cases[i].registry);
		CHECK_STR(c->images[0].name, cases[i].name);
		CHECK_STR(c->images[0].tags[0], cases[i].tag);
		CHECK_STR(c->images[0].target, cases[i].target);
		farm_config_free(c);
	}
}

int main(void)
{
	spec_reads_manifest_tool_blog_form();
	spec_reads_gist_form_with_wild_spellings();
	spec_reports_reference_texts_as_published();
	spec_reads_shipped_example();
	spec_rejects_mistakes();
	spec_host_detection();
	return check_finish();
}
