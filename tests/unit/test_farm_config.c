/* test_farm_config.c — the config loader: what a valid config turns into,
 * and the exact message (file:line:column: path: cause) for each kind of
 * mistake. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "farm.h"
#include "farm_platform.h"

static const struct farm_load_options opts = {.platform_check = platform_check};

static struct farm_config *load(const char *yaml, struct farm_error *err)
{
	struct farm_config *c = NULL;
	err->msg[0] = '\0';
	if (farm_config_parse("release.yaml", yaml, strlen(yaml), &opts, &c, err) < 0)
		return NULL;
	return c;
}

/* The config must be rejected with exactly this message; a failure points
 * at the caller's line. */
static void expect_error(const char *file, int line, const char *yaml, const char *want)
{
	struct farm_error err;
	struct farm_config *c = load(yaml, &err);
	if (c) {
		farm_config_free(c);
		print_error("loaded, want error %s\n", want);
		_fail(file, line);
		return;
	}
	_assert_string_equal(err.msg, want, file, line);
}
#define EXPECT_ERROR(yaml, want) expect_error(__FILE__, __LINE__, yaml, want)

static const char *const full =
    "defaults:\n"                                                     /* 1 */
    "  registry: registry.example.com\n"                              /* 2 */
    "  platforms: [linux/amd64, Linux/aarch64/v8, linux/arm/v7]\n"    /* 3 */
    "  annotations: {org.opencontainers.image.vendor: Example}\n"     /* 4 */
    "registries:\n"                                                   /* 5 */
    "  registry.example.com: {max-concurrency: 16, max-rate: 2.5}\n"  /* 6 */
    "  \"ci:5000\": {insecure: true, ca-file: certs/ci.pem}\n"        /* 7 */
    "images:\n"                                                       /* 8 */
    "  - name: kube-proxy\n"                                          /* 9 */
    "    tags: [v1.31.0, v1.30.4]\n"                                  /* 10 */
    "    extra-tags: [latest]\n"                                      /* 11 */
    "  - name: pause\n"                                               /* 12 */
    "    tags: [\"3.10\"]\n"                                          /* 13 */
    "    platforms: [linux/amd64, windows/amd64:10.0.17763.6659]\n"   /* 14 */
    "    format: oci\n"                                               /* 15 */
    "    verify-platform: false\n"                                    /* 16 */
    "    annotations: {org.opencontainers.image.vendor: K8s, a: b}\n" /* 17 */
    "    platform-annotations:\n"                                     /* 18 */
    "      windows/amd64:10.0.17763.6659: {os: ltsc2019}\n"           /* 19 */
    "  - name: coredns\n"                                             /* 20 */
    "    tags: [v1.11.3]\n"                                           /* 21 */
    "    registry: ci:5000/mirror\n"                                  /* 22 */
    "    source: \"{registry}/{name}:{tag}-{arch}\"\n"                /* 23 */
    "    sources: {linux/arm/v7: \"{registry}/{name}:{tag}-arm\"}\n"  /* 24 */
    "retag:\n"                                                        /* 25 */
    "  - from: \"{registry}/{name}:{tag}\"\n"                         /* 26 */
    "    to: \"mirror.example.com/{name}:{tag}\"\n"                   /* 27 */
    "    images: [pause]\n"                                           /* 28 */
    "status: status/release.json\n";                                  /* 29 */

/* *state: `full` loaded with the registry module's platform check */
static int full_setup(void **state)
{
	struct farm_error err;
	struct farm_config *c = load(full, &err);
	if (!c) {
		print_error("%s\n", err.msg);
		return -1;
	}
	*state = c;
	return 0;
}

static int full_teardown(void **state)
{
	farm_config_free(*state);
	return 0;
}

static void config_reads_path_status_and_registries(void **state)
{
	const struct farm_config *c = *state;
	assert_string_equal(c->path, "release.yaml");
	assert_int_equal(c->is_spec, 0);
	assert_string_equal(c->status, "status/release.json");
	assert_int_equal(c->n_registries, 2);
	assert_string_equal(c->registries[0].name, "registry.example.com");
	assert_int_equal(c->registries[0].max_concurrency, 16);
	assert_true(c->registries[0].max_rate == 2.5);
	assert_int_equal(c->registries[0].insecure, 0);
	assert_int_equal(c->registries[0].pos.line, 6);
	assert_int_equal(c->registries[0].pos.column, 3);
	const struct farm_registry *r = farm_config_registry(c, "ci:5000");
	assert_ptr_equal(r, &c->registries[1]);
	assert_int_equal(r->insecure, 1);
	assert_string_equal(r->ca_file, "certs/ci.pem"); /* from memory: as written */
	assert_null(farm_config_registry(c, "other"));
}

static void config_image_takes_defaults(void **state)
{
	const struct farm_config *c = *state;
	assert_int_equal(c->n_images, 3);
	const struct farm_image *kp = &c->images[0];
	assert_string_equal(kp->name, "kube-proxy");
	assert_int_equal(kp->pos.line, 9);
	assert_int_equal(kp->pos.column, 5);
	assert_int_equal(kp->n_tags, 2);
	assert_string_equal(kp->tags[1], "v1.30.4");
	assert_int_equal(kp->n_extra_tags, 1);
	assert_string_equal(kp->extra_tags[0], "latest");
	assert_string_equal(kp->registry, "registry.example.com");
	assert_string_equal(kp->source, "{registry}/{name}-{arch}:{tag}");
	assert_string_equal(kp->target, "{registry}/{name}:{tag}");
	assert_int_equal(kp->format, FARM_FORMAT_AUTO);
	assert_int_equal(kp->verify_platform, 1);
	assert_int_equal(kp->n_platforms, 3);
	assert_string_equal(kp->platforms[1].name, "linux/arm64/v8");
	assert_string_equal(kp->platforms[1].os, "linux");
	assert_string_equal(kp->platforms[1].arch, "arm64");
	assert_string_equal(kp->platforms[1].variant, "v8");
	assert_null(kp->platforms[0].variant);
	assert_null(kp->platforms[0].os_version);
	assert_int_equal(kp->platforms[2].pos.line, 3);
	assert_int_equal(kp->platforms[2].pos.column, 46);
	assert_int_equal(kp->n_annotations, 1);
	assert_string_equal(kp->annotations[0].key, "org.opencontainers.image.vendor");
	assert_string_equal(kp->annotations[0].value, "Example");
}

static void config_image_overrides_defaults_and_merges_annotations(void **state)
{
	const struct farm_config *c = *state;
	const struct farm_image *pause = &c->images[1];
	assert_int_equal(pause->format, FARM_FORMAT_OCI);
	assert_int_equal(pause->verify_platform, 0);
	assert_string_equal(pause->tags[0], "3.10");
	assert_int_equal(pause->n_platforms, 2);
	assert_string_equal(pause->platforms[1].name, "windows/amd64:10.0.17763.6659");
	assert_string_equal(pause->platforms[1].os, "windows");
	assert_string_equal(pause->platforms[1].arch, "amd64");
	assert_string_equal(pause->platforms[1].os_version, "10.0.17763.6659");
	assert_int_equal(pause->platforms[1].n_annotations, 1);
	assert_string_equal(pause->platforms[1].annotations[0].key, "os");
	assert_string_equal(pause->platforms[1].annotations[0].value, "ltsc2019");
	assert_int_equal(pause->platforms[0].n_annotations, 0);
	/* the image's own annotation wins over the default of the same key */
	assert_int_equal(pause->n_annotations, 2);
	assert_string_equal(pause->annotations[0].value, "K8s");
	assert_string_equal(pause->annotations[1].key, "a");
}

static void config_image_sources_override_one_platform(void **state)
{
	const struct farm_config *c = *state;
	const struct farm_image *cd = &c->images[2];
	assert_string_equal(cd->registry, "ci:5000/mirror");
	assert_string_equal(cd->source, "{registry}/{name}:{tag}-{arch}");
	assert_null(cd->platforms[0].source);
	assert_string_equal(cd->platforms[2].source, "{registry}/{name}:{tag}-arm");
}

static void config_reads_retag_rules(void **state)
{
	const struct farm_config *c = *state;
	assert_int_equal(c->n_retag, 1);
	assert_string_equal(c->retag[0].from, "{registry}/{name}:{tag}");
	assert_string_equal(c->retag[0].to, "mirror.example.com/{name}:{tag}");
	assert_int_equal(c->retag[0].n_images, 1);
	assert_string_equal(c->retag[0].images[0], "pause");
	assert_int_equal(c->retag[0].pos.line, 26);
}

static void config_without_platform_check_keeps_spelling(void **state)
{
	(void)state;
	const char *y = "images:\n"
	                "  - {name: a, tags: [v1], registry: r.io, platforms: [Linux/x86_64]}\n";
	struct farm_config *c = NULL;
	struct farm_error err;
	assert_int_equal(farm_config_parse("x.yaml", y, strlen(y), NULL, &c, &err), 0);
	assert_non_null(c);
	assert_string_equal(c->images[0].platforms[0].name, "Linux/x86_64");
	assert_string_equal(c->images[0].platforms[0].os, "Linux");
	farm_config_free(c);
}

static void config_without_platform_check_still_wants_os_and_arch(void **state)
{
	(void)state;
	const char *y = "images:\n  - {name: a, tags: [v1], registry: r.io, platforms: [linux]}\n";
	struct farm_config *c = NULL;
	struct farm_error err;
	assert_int_equal(farm_config_parse("x.yaml", y, strlen(y), NULL, &c, &err), -1);
	assert_string_equal(err.msg,
	                    "x.yaml:2:55: images[0].platforms[0]: \"linux\" is not a valid "
	                    "platform (want os/arch[/variant][:os.version])");
}

static void config_load_resolves_ca_file_against_its_dir(void **state)
{
	(void)state;
	char path[] = "/tmp/farm-config-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *y =
	    "registries: {\"r.io\": {ca-file: ca.pem}, \"s.io\": {ca-file: /etc/ca.pem}}\n"
	    "images: [{name: a, tags: [v1], registry: r.io, platforms: [linux/amd64]}]\n";
	FILE *f = fdopen(fd, "w");
	fputs(y, f);
	fclose(f);
	struct farm_config *c = NULL;
	struct farm_error err;
	int rc = farm_config_load(path, &opts, &c, &err);
	unlink(path);
	assert_int_equal(rc, 0);
	assert_non_null(c);
	assert_string_equal(c->path, path);
	assert_string_equal(c->registries[0].ca_file, "/tmp/ca.pem");
	assert_string_equal(c->registries[1].ca_file, "/etc/ca.pem");
	farm_config_free(c);
}

static void config_load_names_missing_file(void **state)
{
	(void)state;
	struct farm_config *c = NULL;
	struct farm_error err;
	assert_int_equal(farm_config_load("/nonexistent/x.yaml", &opts, &c, &err), -1);
	assert_string_equal(err.msg, "/nonexistent/x.yaml: No such file or directory");
	assert_null(c);
}

#define IMG "images:\n  - name: a\n    tags: [v1]\n    registry: r.io\n"

static void config_rejects_unknown_key(void **state)
{
	(void)state;
	EXPECT_ERROR(IMG "    plaforms: [linux/amd64]\n",
	             "release.yaml:5:5: images[0]: unknown key \"plaforms\" (did you mean "
	             "\"platforms\"?)");
	EXPECT_ERROR("imagez: []\n",
	             "release.yaml:1:1: unknown key \"imagez\" (did you mean \"images\"?)");
	EXPECT_ERROR("defaults: {colour: blue}\nimages: []\n",
	             "release.yaml:1:12: defaults: unknown key \"colour\"");
	EXPECT_ERROR("registries:\n  \"ci:5000\": {insecur: true}\n" IMG,
	             "release.yaml:2:15: registries.\"ci:5000\": unknown key \"insecur\" (did you "
	             "mean \"insecure\"?)");
}

static void config_rejects_wrong_types(void **state)
{
	(void)state;
	EXPECT_ERROR("images: {name: a}\n",
	             "release.yaml:1:9: images: expected a list, got a mapping");
	EXPECT_ERROR(IMG "    source: [a, b]\n",
	             "release.yaml:5:13: images[0].source: expected a string, got a list");
	EXPECT_ERROR("registries:\n  \"ci:5000\":\n    insecure: yes please\n" IMG,
	             "release.yaml:3:15: registries.\"ci:5000\".insecure: expected true or false, "
	             "got \"yes please\"");
	EXPECT_ERROR(
	    IMG "    platforms: linux/amd64\n",
	    "release.yaml:5:16: images[0].platforms: expected a list, got \"linux/amd64\"");
	EXPECT_ERROR(IMG "    platforms:\n",
	             "release.yaml:5:15: images[0].platforms: expected a list, got nothing");
	EXPECT_ERROR("- a\n", "release.yaml:1:1: expected a mapping, got a list");
	EXPECT_ERROR(
	    "registries: {r.io: {max-concurrency: 0}}\n" IMG,
	    "release.yaml:1:38: registries.\"r.io\".max-concurrency: expected an integer of "
	    "at least 1, got \"0\"");
	EXPECT_ERROR("registries: {r.io: {max-rate: -1}}\n" IMG,
	             "release.yaml:1:31: registries.\"r.io\".max-rate: expected a number greater "
	             "than 0, got \"-1\"");
	EXPECT_ERROR("registries: {\"r.io/x\": {}}\n" IMG,
	             "release.yaml:1:14: registries.\"r.io/x\": \"r.io/x\" is not a valid registry "
	             "(want host[:port])");
	EXPECT_ERROR("defaults: {format: dockr}\n" IMG,
	             "release.yaml:1:20: defaults.format: expected auto, docker or oci, got "
	             "\"dockr\"");
	EXPECT_ERROR(IMG "    platforms: [linux/amd64]\n    annotations: {a: [1]}\n",
	             "release.yaml:6:22: images[0].annotations.a: expected a string, got a list");
	EXPECT_ERROR("status: [a]\n" IMG "    platforms: [linux/amd64]\n",
	             "release.yaml:1:9: status: expected a string, got a list");
}

static void config_rejects_missing_and_empty(void **state)
{
	(void)state;
	EXPECT_ERROR("images:\n  - name: pause\n    registry: r.io\n",
	             "release.yaml:2:5: images[0]: missing required key \"tags\"");
	EXPECT_ERROR("defaults: {}\n", "release.yaml:1:1: missing required key \"images\"");
	EXPECT_ERROR(IMG, "release.yaml:2:5: images[0]: missing required key \"platforms\" (not "
	                  "set in defaults either)");
	EXPECT_ERROR(
	    "images:\n  - {name: a, tags: [v1], platforms: [linux/amd64]}\n",
	    "release.yaml:2:5: images[0]: missing required key \"registry\" (the templates "
	    "use {registry}; not set in defaults either)");
	EXPECT_ERROR("images:\n  - {name: a, tags: [], registry: r.io}\n",
	             "release.yaml:2:21: images[0].tags: empty list, want at least one tag");
	EXPECT_ERROR("images: []\n",
	             "release.yaml:1:9: images: empty list, want at least one image");
	EXPECT_ERROR(IMG "    platforms: []\n",
	             "release.yaml:5:16: images[0].platforms: empty list, want at least one "
	             "platform");
	EXPECT_ERROR("", "release.yaml: empty config: want a mapping with an \"images\" list");
	EXPECT_ERROR("# nothing but a comment\n",
	             "release.yaml: empty config: want a mapping with an \"images\" list");
	EXPECT_ERROR("---\n", "release.yaml: empty config: want a mapping with an \"images\" list");
}

static void config_rejects_duplicates(void **state)
{
	(void)state;
	EXPECT_ERROR("defaults: {registry: r.io, platforms: [linux/amd64]}\n"
	             "images:\n"
	             "  - name: pause\n"
	             "    tags: [\"3.10\"]\n"
	             "  - name: pause\n"
	             "    tags: [\"3.9\"]\n",
	             "release.yaml:5:11: images[1].name: duplicate image \"pause\" (first at 3:5)");
	EXPECT_ERROR(IMG "    platforms: [linux/amd64]\n    tags: [v2]\n",
	             "release.yaml:6:5: images[0]: duplicate key \"tags\" (first at 3:5)");
	EXPECT_ERROR("images:\n  - {name: a, tags: [v1, v2, v1], registry: r.io}\n",
	             "release.yaml:2:30: images[0].tags[2]: duplicate tag \"v1\" (first at 2:22)");
	EXPECT_ERROR("images:\n  - {name: a, tags: [v1], extra-tags: [v1], registry: r.io}\n",
	             "release.yaml:2:40: images[0].extra-tags[0]: duplicate tag \"v1\" (first at "
	             "2:22)");
	EXPECT_ERROR(
	    IMG "    platforms: [linux/amd64, linux/arm64, linux/amd64]\n",
	    "release.yaml:5:43: images[0].platforms[2]: duplicate platform \"linux/amd64\" "
	    "(first at 5:17)");
	EXPECT_ERROR(
	    IMG "    platforms: [linux/amd64, Linux/x86_64]\n",
	    "release.yaml:5:30: images[0].platforms[1]: duplicate platform \"Linux/x86_64\" "
	    "(normalised \"linux/amd64\", first at 5:17)");
}

/* Duplicates are found by name, not by comparing each image (or tag) with
 * every earlier one: a big file names the first place all the same, far
 * apart or not, and a retag rule finds its images among all of them. */
static char *big_config(size_t images, size_t tags, const char *tail)
{
	size_t cap = 256 + images * (40 + tags * 8) + strlen(tail);
	char *y = malloc(cap);
	size_t n;

	assert_non_null(y);
	n = (size_t)snprintf(y, cap,
	                     "defaults: {registry: r.io, platforms: [linux/amd64]}\nimages:\n");
	for (size_t i = 0; i < images; i++) {
		n += (size_t)snprintf(y + n, cap - n, "  - {name: img-%05zu, tags: [", i);
		for (size_t t = 0; t < tags; t++)
			n += (size_t)snprintf(y + n, cap - n, "%sv%zu", t ? ", " : "", t);
		n += (size_t)snprintf(y + n, cap - n, "]}\n");
	}
	snprintf(y + n, cap - n, "%s", tail);
	return y;
}

static void config_duplicates_at_scale(void **state)
{
	struct farm_error err;
	struct farm_config *c;
	char *y;

	(void)state;
	y = big_config(5000, 1, "  - {name: img-01234, tags: [v1]}\n");
	EXPECT_ERROR(y, "release.yaml:5003:12: images[5000].name: duplicate image \"img-01234\" "
	                "(first at 1237:5)");
	free(y);
	y = big_config(5000, 1,
	               "retag:\n  - {from: \"{name}:{tag}\", to: \"{name}:{tag}-r\", "
	               "images: [img-04999, img-00000, img-04990]}\n");
	c = load(y, &err);
	assert_non_null(c);
	assert_int_equal(c->n_images, 5000);
	assert_int_equal(c->retag[0].n_images, 3);
	farm_config_free(c);
	free(y);
	y = big_config(1, 5000, "");
	c = load(y, &err);
	assert_non_null(c);
	assert_int_equal(c->images[0].n_tags, 5000);
	farm_config_free(c);
	free(y);
	EXPECT_ERROR("images:\n  - {name: a, tags: [v1, v2, v3], extra-tags: [x, v3, x], "
	             "registry: r.io}\n",
	             "release.yaml:2:51: images[0].extra-tags[1]: duplicate tag \"v3\" (first at "
	             "2:30)");
	EXPECT_ERROR("images:\n  - {name: a, tags: [v1, v2, v3], extra-tags: [x, y, x], "
	             "registry: r.io}\n",
	             "release.yaml:2:54: images[0].extra-tags[2]: duplicate tag \"x\" (first at "
	             "2:48)");
}

static void config_rejects_bad_platforms_and_values(void **state)
{
	(void)state;
	EXPECT_ERROR(IMG "    platforms: [linux/amd64, linux/arm64/v9]\n",
	             "release.yaml:5:30: images[0].platforms[1]: \"linux/arm64/v9\" is not a known "
	             "platform");
	EXPECT_ERROR("defaults:\n  platforms:\n    - linux/amd64\n    - plan10/amd64\n" IMG,
	             "release.yaml:4:7: defaults.platforms[1]: \"plan10/amd64\" is not a known "
	             "platform");
	EXPECT_ERROR(IMG "    platforms: [linux/amd64]\n    sources: {linux/arm64: \"x\"}\n",
	             "release.yaml:6:15: images[0].sources.\"linux/arm64\": \"linux/arm64\" is not "
	             "one of this image's platforms");
	EXPECT_ERROR(IMG "    platforms: [linux/amd64]\n"
	                 "    platform-annotations: {linux/s390x: {a: b}}\n",
	             "release.yaml:6:28: images[0].platform-annotations.\"linux/s390x\": "
	             "\"linux/s390x\" is not one of this image's platforms");
	EXPECT_ERROR("images:\n  - {name: Kube-Proxy, tags: [v1], registry: r.io}\n",
	             "release.yaml:2:12: images[0].name: \"Kube-Proxy\" is not a valid repository "
	             "name");
	EXPECT_ERROR("images:\n  - {name: a, tags: [\"v1+b\"], registry: r.io}\n",
	             "release.yaml:2:22: images[0].tags[0]: \"v1+b\" is not a valid tag");
	EXPECT_ERROR(
	    "images:\n  - {name: a, tags: [v1], registry: \"r io\"}\n",
	    "release.yaml:2:37: images[0].registry: \"r io\" is not a valid registry (want "
	    "host[:port][/path])");
}

static void config_rejects_bad_templates(void **state)
{
	(void)state;
	EXPECT_ERROR(IMG "    source: \"{registry}/{name}-{archh}:{tag}\"\n",
	             "release.yaml:5:13: images[0].source: unknown template token \"{archh}\" (did "
	             "you mean \"{arch}\"?)");
	EXPECT_ERROR(IMG "    source: \"{registry}/{nam\"\n",
	             "release.yaml:5:13: images[0].source: unclosed \"{\" in template "
	             "\"{registry}/{nam\"");
	EXPECT_ERROR("defaults: {target: \"{registry}/{name}-{arch}:{tag}\"}\n" IMG,
	             "release.yaml:1:20: defaults.target: a target cannot use per-platform tokens "
	             "({os} {arch} {variant})");
	EXPECT_ERROR(IMG "    platforms: [linux/amd64]\nretag:\n  - {from: \"{x}\", to: y}\n",
	             "release.yaml:7:12: retag[0].from: unknown template token \"{x}\" (known: "
	             "{registry} {name} {tag} {os} {arch} {variant})");
	EXPECT_ERROR(IMG
	             "    platforms: [linux/amd64]\nretag:\n  - {from: a, to: b, images: [b]}\n",
	             "release.yaml:7:31: retag[0].images[0]: no image named \"b\"");
	EXPECT_ERROR(IMG "    platforms: [linux/amd64]\nretag:\n  - {from: a}\n",
	             "release.yaml:7:5: retag[0]: missing required key \"to\"");
}

/* A source that expands to its own image's target: the first night would
 * overwrite the per-arch image with the list. Each platform is named, with
 * the key that set its source (the image's, or the defaults'). */
static void config_rejects_a_source_that_is_its_target(void **state)
{
	(void)state;
	struct farm_error err;
	struct farm_config *c = load(IMG "    platforms: [linux/amd64, linux/s390x]\n"
	                                 "    source: \"{registry}/{name}:{tag}\"\n",
	                             &err);
	assert_null(c);
	assert_string_equal(
	    err.all, "release.yaml:6:13: images[0].source: the linux/amd64 source of image \"a\" "
	             "is \"r.io/a:v1\", its own target: publishing would overwrite the per-arch "
	             "image with the list\n"
	             "release.yaml:6:13: images[0].source: the linux/s390x source of image \"a\" "
	             "is \"r.io/a:v1\", its own target: publishing would overwrite the per-arch "
	             "image with the list\n");
	EXPECT_ERROR(IMG "    platforms: [linux/amd64, linux/s390x]\n"
	                 "    sources: {linux/s390x: \"{registry}/a:v1\"}\n",
	             "release.yaml:6:28: images[0].sources.\"linux/s390x\": the linux/s390x "
	             "source of image \"a\" is \"r.io/a:v1\", its own target: publishing would "
	             "overwrite the per-arch image with the list");
	EXPECT_ERROR("defaults:\n  platforms: [linux/amd64]\n  target: "
	             "\"{registry}/{name}-amd64:{tag}\"\n" IMG,
	             "release.yaml:3:11: defaults.target: the linux/amd64 source of image \"a\" is "
	             "\"r.io/a-amd64:v1\", its own target: publishing would overwrite the "
	             "per-arch image with the list");
	/* another tag's target is no harm */
	c = load("images:\n  - name: a\n    tags: [v1, v2]\n"
	         "    registry: r.io\n    platforms: [linux/amd64]\n"
	         "    source: \"{registry}/{name}:v1-amd64\"\n",
	         &err);
	assert_non_null(c);
	farm_config_free(c);
}

static void config_rejects_a_retag_rule_onto_itself(void **state)
{
	(void)state;
	EXPECT_ERROR(IMG
	             "    platforms: [linux/amd64]\nretag:\n"
	             "  - {from: \"{registry}/{name}-{arch}:{tag}\", to: \"r.io/a-amd64:{tag}\"}\n",
	             "release.yaml:7:50: retag[0].to: expands to \"r.io/a-amd64:v1\" for image "
	             "\"a\", the same reference as from: a copy onto itself");
}

static void config_reads_retag_overwrite_and_allow_shrink(void **state)
{
	(void)state;
	struct farm_error err;
	struct farm_config *c =
	    load(IMG "    platforms: [linux/amd64]\nretag:\n"
	             "  - {from: \"{registry}/{name}:{tag}\", to: \"m.io/{name}:{tag}\", "
	             "overwrite: true, allow-shrink: true}\n"
	             "  - {from: \"{registry}/{name}:{tag}\", to: \"n.io/{name}:{tag}\"}\n",
	         &err);
	assert_non_null(c);
	assert_int_equal(c->n_retag, 2);
	assert_true(c->retag[0].overwrite);
	assert_true(c->retag[0].allow_shrink);
	assert_false(c->retag[1].overwrite);
	assert_false(c->retag[1].allow_shrink);
	farm_config_free(c);
	EXPECT_ERROR(IMG "    platforms: [linux/amd64]\nretag:\n"
	                 "  - {from: a, to: b, overwrite: yes please}\n",
	             "release.yaml:7:33: retag[0].overwrite: expected true or false, got \"yes "
	             "please\"");
}

static void config_rejects_yaml_errors(void **state)
{
	(void)state;
	EXPECT_ERROR("images:\n  - name: a\n   tags: [v1]\n",
	             "release.yaml:3:4: YAML syntax error: did not find expected '-' indicator "
	             "(while parsing a block collection that started at 2:3)");
	EXPECT_ERROR("images: [a, b\n",
	             "release.yaml:2:1: YAML syntax error: did not find expected ',' or ']' (while "
	             "parsing a flow sequence that started at 1:9)");
	EXPECT_ERROR("defaults: &d {registry: r.io}\nimages: *d\n",
	             "release.yaml:1:11 (via alias at 2:9): images: expected a list, got a "
	             "mapping");
	EXPECT_ERROR("images: []\n---\nimages: []\n",
	             "release.yaml:2:1: more than one YAML document (only one is read)");
	EXPECT_ERROR("images: \"\\0\"\n",
	             "release.yaml:1:9: a string cannot contain a NUL character");
	EXPECT_ERROR("? [a]\n: b\n", "release.yaml:1:3: a mapping key must be a string");
	char deep[200];
	memset(deep, '[', 100);
	deep[100] = '\0';
	EXPECT_ERROR(deep, "release.yaml:1:65: nesting deeper than 64 levels");
}

static void config_reports_every_error_in_document_order(void **state)
{
	(void)state;
	struct farm_error err;
	struct farm_config *c = load("images:\n"                                       /* 1 */
	                             "  - name: a\n"                                   /* 2 */
	                             "    tags: [v1, \"v 2\"]\n"                       /* 3 */
	                             "    platforms: [linux/amd64]\n"                  /* 4 */
	                             "    source: \"{archh}\"\n"                       /* 5 */
	                             "  - name: A\n"                                   /* 6 */
	                             "    tags: [v1]\n"                                /* 7 */
	                             "    format: dockr\n"                             /* 8 */
	                             "registries: {r.io: {max-rate: 0, retries: x}}\n" /* 9 */
	                             "defaults: {verify-platform: maybe}\n",           /* 10 */
	                             &err);
	assert_null(c);
	assert_string_equal(err.msg, "release.yaml:3:16: images[0].tags[1]: \"v 2\" is not a "
	                             "valid tag");
	assert_str_or_null_equal(
	    err.all,
	    "release.yaml:3:16: images[0].tags[1]: \"v 2\" is not a valid tag\n"
	    "release.yaml:5:13: images[0].source: unknown template token \"{archh}\" (did you "
	    "mean \"{arch}\"?)\n"
	    "release.yaml:6:11: images[1].name: \"A\" is not a valid repository name\n"
	    "release.yaml:8:13: images[1].format: expected auto, docker or oci, got \"dockr\"\n"
	    "release.yaml:6:5: images[1]: missing required key \"platforms\" (not set in "
	    "defaults either)\n"
	    "release.yaml:9:31: registries.\"r.io\".max-rate: expected a number greater than 0, "
	    "got \"0\"\n"
	    "release.yaml:9:43: registries.\"r.io\".retries: expected an integer from 0 to 100, "
	    "got \"x\"\n"
	    "release.yaml:10:29: defaults.verify-platform: expected true or false, got "
	    "\"maybe\"\n");
	assert_int_equal(err.n_errors, 8);
}

static void config_single_error_is_all_of_the_list(void **state)
{
	(void)state;
	struct farm_error err;
	assert_null(load(IMG "    platforms: [linux/amd64]\n    format: dockr\n", &err));
	assert_string_equal(err.msg, "release.yaml:6:13: images[0].format: expected auto, docker "
	                             "or oci, got \"dockr\"");
	assert_string_equal(err.all, "release.yaml:6:13: images[0].format: expected auto, docker "
	                             "or oci, got \"dockr\"\n");
	assert_int_equal(err.n_errors, 1);
	/* errors that stop at the first fill the list the same way */
	assert_null(load("images: [a, b\n", &err));
	assert_int_equal(err.n_errors, 1);
	assert_int_equal(strlen(err.all), strlen(err.msg) + 1);
}

static void config_lists_at_most_max_errors_and_counts_all(void **state)
{
	(void)state;
	char yaml[1024] = IMG "    platforms: [";
	for (int i = 0; i < 30; i++)
		snprintf(yaml + strlen(yaml), sizeof(yaml) - strlen(yaml), "%sbad%d/x",
		         i ? ", " : "", i);
	snprintf(yaml + strlen(yaml), sizeof(yaml) - strlen(yaml), "]\n");
	struct farm_error err;
	assert_null(load(yaml, &err));
	assert_int_equal(err.n_errors, 30);
	size_t lines = 0;
	for (const char *p = err.all; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, FARM_MAX_ERRORS);
	assert_non_null(strstr(err.all, "images[0].platforms[19]: "));
	assert_null(strstr(err.all, "images[0].platforms[20]: "));
}

static void config_misspelt_required_key_is_reported_once(void **state)
{
	(void)state;
	struct farm_error err;
	assert_null(load("defaults: {registry: r.io}\n"
	                 "images:\n  - {name: a, tag: [v1], plaforms: [linux/amd64]}\n",
	                 &err));
	assert_string_equal(err.all, "release.yaml:3:15: images[0]: unknown key \"tag\" (did you "
	                             "mean \"tags\"?)\n"
	                             "release.yaml:3:26: images[0]: unknown key \"plaforms\" (did "
	                             "you mean \"platforms\"?)\n");
}

static void config_error_in_defaults_is_not_repeated_per_image(void **state)
{
	(void)state;
	struct farm_error err;
	assert_null(load("defaults: {registry: \"r io\", platforms: [linux/arm64/v9]}\n"
	                 "images:\n  - {name: a, tags: [v1]}\n  - {name: b, tags: [v1]}\n",
	                 &err));
	assert_string_equal(err.all,
	                    "release.yaml:1:22: defaults.registry: \"r io\" is not a valid "
	                    "registry (want host[:port][/path])\n"
	                    "release.yaml:1:42: defaults.platforms[0]: \"linux/arm64/v9\" is not "
	                    "a known platform\n");
}

static struct farm_config *load_example(void)
{
	char path[1024];
	const char *dir = getenv("MANIFOLD_SOURCE_DIR");
	snprintf(path, sizeof(path), "%s/configs/example.yaml", dir ? dir : ".");
	struct farm_config *c = NULL;
	struct farm_error err;
	int rc = farm_config_load(path, &opts, &c, &err);
	if (rc != 0)
		print_error("%s\n", err.msg);
	assert_int_equal(rc, 0);
	assert_non_null(c);
	return c;
}

static void config_reads_budgets_and_presets(void **state)
{
	struct farm_error err;
	struct farm_config *c =
	    load("registries:\n"
	         "  r.io: {rate-limit: 2000/min, write-rate-limit: 100/6h, pull-rate-limit: 50/s}\n"
	         "  q.io: {preset: dockerhub, rate-limit: none, rate-limit-shared: false}\n"
	         "  s.io: {rate-limit: 30/10s, max-rate: 5}\n" IMG "    platforms: [linux/amd64]\n",
	         &err);
	(void)state;
	if (!c)
		print_error("%s\n", err.msg);
	assert_non_null(c);
	const struct farm_registry *r = farm_config_registry(c, "r.io");
	const struct farm_registry *q = farm_config_registry(c, "q.io");
	const struct farm_registry *s = farm_config_registry(c, "s.io");
	assert_int_equal(r->rate_limit.limit, 2000);
	assert_int_equal(r->rate_limit.window_ms, 60000);
	assert_int_equal(r->write_rate_limit.limit, 100);
	assert_int_equal(r->write_rate_limit.window_ms, 6 * 3600000L);
	assert_int_equal(r->pull_rate_limit.window_ms, 1000);
	assert_null(r->preset);
	assert_int_equal(r->rate_limit_shared, -1);
	assert_string_equal(q->preset, "dockerhub");
	assert_int_equal(q->rate_limit.set, 1);
	assert_int_equal(q->rate_limit.limit, 0);
	assert_int_equal(q->write_rate_limit.set, 0);
	assert_int_equal(q->rate_limit_shared, 0);
	assert_int_equal(s->rate_limit.limit, 30);
	assert_int_equal(s->rate_limit.window_ms, 10000);
	assert_true(s->max_rate == 5);
	farm_config_free(c);
}

static void config_rejects_bad_budgets(void **state)
{
	(void)state;
	EXPECT_ERROR("registries: {r.io: {rate-limit: 2000}}\n" IMG,
	             "release.yaml:1:33: registries.\"r.io\".rate-limit: expected a budget like "
	             "\"2000/min\", \"100/6h\" or \"50/s\", or none, got \"2000\"");
	EXPECT_ERROR("registries: {r.io: {write-rate-limit: 0/s}}\n" IMG,
	             "release.yaml:1:39: registries.\"r.io\".write-rate-limit: expected a budget "
	             "like \"2000/min\", \"100/6h\" or \"50/s\", or none, got \"0/s\"");
	EXPECT_ERROR("registries: {r.io: {rate-limit: 10/2d}}\n" IMG,
	             "release.yaml:1:33: registries.\"r.io\".rate-limit: expected a budget like "
	             "\"2000/min\", \"100/6h\" or \"50/s\", or none, got \"10/2d\"");
	EXPECT_ERROR("registries: {r.io: {preset: gcr}}\n" IMG,
	             "release.yaml:1:29: registries.\"r.io\".preset: expected ghcr, dockerhub, "
	             "artifact-registry, ecr or quay, got \"gcr\"");
}

static void config_example_ships_valid(void **state)
{
	(void)state;
	struct farm_config *c = load_example();
	assert_int_equal(c->n_images, 18);
	assert_int_equal(c->n_registries, 2);
	assert_int_equal(c->n_retag, 2);
	assert_string_equal(c->status, "status/release.json");
	const struct farm_image *pause = &c->images[6];
	assert_string_equal(pause->name, "pause");
	assert_int_equal(pause->n_platforms, 7);
	assert_string_equal(pause->platforms[5].os_version, "10.0.17763.6659");
	assert_string_equal(pause->platforms[6].source, "{registry}/{name}:{tag}-windows-ltsc2022");
	assert_int_equal(pause->n_annotations, 2);
	assert_int_equal(c->images[0].n_platforms, 5);
	farm_config_free(c);
}

static void config_example_plans_every_target_and_source(void **state)
{
	(void)state;
	struct farm_config *c = load_example();
	struct farm_plan *p = NULL;
	struct farm_error err;
	assert_int_equal(farm_plan_expand(c, NULL, &p, &err), 0);
	assert_non_null(p);
	size_t sources = 0;
	for (size_t i = 0; i < p->n_targets; i++)
		sources += p->targets[i].n_sources;
	assert_int_equal(p->n_targets, 29);
	assert_int_equal(sources, 25 * 5 + 2 + 2 + 3 + 7);
	farm_plan_free(p);
	farm_config_free(c);
}

static void config_example_retags_every_copy(void **state)
{
	(void)state;
	struct farm_config *c = load_example();
	struct farm_copy_plan *cp = NULL;
	struct farm_error err;
	assert_int_equal(farm_retag_expand(c, NULL, &cp, &err), 0);
	assert_non_null(cp);
	assert_int_equal(cp->n_copies, 12 * 5 + 8);
	farm_copy_plan_free(cp);
	farm_config_free(c);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(config_example_ships_valid),
	    cmocka_unit_test(config_example_plans_every_target_and_source),
	    cmocka_unit_test(config_example_retags_every_copy),
	    cmocka_unit_test_setup_teardown(config_reads_path_status_and_registries, full_setup,
	                                    full_teardown),
	    cmocka_unit_test_setup_teardown(config_image_takes_defaults, full_setup, full_teardown),
	    cmocka_unit_test_setup_teardown(config_image_overrides_defaults_and_merges_annotations,
	                                    full_setup, full_teardown),
	    cmocka_unit_test_setup_teardown(config_image_sources_override_one_platform, full_setup,
	                                    full_teardown),
	    cmocka_unit_test_setup_teardown(config_reads_retag_rules, full_setup, full_teardown),
	    cmocka_unit_test(config_without_platform_check_keeps_spelling),
	    cmocka_unit_test(config_without_platform_check_still_wants_os_and_arch),
	    cmocka_unit_test(config_load_resolves_ca_file_against_its_dir),
	    cmocka_unit_test(config_load_names_missing_file),
	    cmocka_unit_test(config_rejects_unknown_key),
	    cmocka_unit_test(config_rejects_wrong_types),
	    cmocka_unit_test(config_rejects_missing_and_empty),
	    cmocka_unit_test(config_rejects_duplicates),
	    cmocka_unit_test(config_duplicates_at_scale),
	    cmocka_unit_test(config_rejects_bad_platforms_and_values),
	    cmocka_unit_test(config_rejects_bad_templates),
	    cmocka_unit_test(config_rejects_a_source_that_is_its_target),
	    cmocka_unit_test(config_rejects_a_retag_rule_onto_itself),
	    cmocka_unit_test(config_reads_retag_overwrite_and_allow_shrink),
	    cmocka_unit_test(config_reads_budgets_and_presets),
	    cmocka_unit_test(config_rejects_bad_budgets),
	    cmocka_unit_test(config_rejects_yaml_errors),
	    cmocka_unit_test(config_reports_every_error_in_document_order),
	    cmocka_unit_test(config_single_error_is_all_of_the_list),
	    cmocka_unit_test(config_lists_at_most_max_errors_and_counts_all),
	    cmocka_unit_test(config_misspelt_required_key_is_reported_once),
	    cmocka_unit_test(config_error_in_defaults_is_not_repeated_per_image),
	};
	return unit_run_group("test_farm_config", tests, argc, argv);
}
