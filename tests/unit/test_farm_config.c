/* test_farm_config.c — the config loader: what a valid config turns into,
 * and the exact message (file:line:column: path: cause) for each kind of
 * mistake. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "farm.h"
#include "farm_platform.h"

static const struct farm_load_options opts = {platform_check, NULL};

static struct farm_config *load(const char *yaml, struct farm_error *err)
{
	struct farm_config *c = NULL;
	err->msg[0] = '\0';
	if (farm_config_parse("release.yaml", yaml, strlen(yaml), &opts, &c, err) < 0)
		return NULL;
	return c;
}

/* The config must be rejected with exactly this message. */
static void expect_error(int line, const char *yaml, const char *want)
{
	struct farm_error err;
	struct farm_config *c = load(yaml, &err);
	if (c) {
		fprintf(stderr, "test at line %d: loaded, want error %s\n", line, want);
		check_failed++;
		farm_config_free(c);
		return;
	}
	if (strcmp(err.msg, want) != 0) {
		fprintf(stderr, "test at line %d:\n  got  %s\n  want %s\n", line, err.msg, want);
		check_failed++;
		return;
	}
	check_passed++;
}
#define EXPECT_ERROR(yaml, want) expect_error(__LINE__, yaml, want)

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

static void config_loads_and_resolves_defaults(void)
{
	struct farm_error err;
	struct farm_config *c = load(full, &err);
	CHECK(c != NULL);
	if (!c) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	CHECK_STR(c->path, "release.yaml");
	CHECK_INT(c->is_spec, 0);
	CHECK_STR(c->status, "status/release.json");
	CHECK_INT(c->n_registries, 2);
	CHECK_STR(c->registries[0].name, "registry.example.com");
	CHECK_INT(c->registries[0].max_concurrency, 16);
	CHECK(c->registries[0].max_rate == 2.5);
	CHECK_INT(c->registries[0].insecure, 0);
	CHECK_INT(c->registries[0].pos.line, 6);
	CHECK_INT(c->registries[0].pos.column, 3);
	const struct farm_registry *r = farm_config_registry(c, "ci:5000");
	CHECK(r == &c->registries[1]);
	CHECK_INT(r->insecure, 1);
	CHECK_STR(r->ca_file, "certs/ci.pem"); /* from memory: as written */
	CHECK(farm_config_registry(c, "other") == NULL);

	CHECK_INT(c->n_images, 3);
	const struct farm_image *kp = &c->images[0];
	CHECK_STR(kp->name, "kube-proxy");
	CHECK_INT(kp->pos.line, 9);
	CHECK_INT(kp->pos.column, 5);
	CHECK_INT(kp->n_tags, 2);
	CHECK_STR(kp->tags[1], "v1.30.4");
	CHECK_INT(kp->n_extra_tags, 1);
	CHECK_STR(kp->extra_tags[0], "latest");
	CHECK_STR(kp->registry, "registry.example.com");
	CHECK_STR(kp->source, "{registry}/{name}-{arch}:{tag}");
	CHECK_STR(kp->target, "{registry}/{name}:{tag}");
	CHECK_INT(kp->format, FARM_FORMAT_AUTO);
	CHECK_INT(kp->verify_platform, 1);
	CHECK_INT(kp->n_platforms, 3);
	CHECK_STR(kp->platforms[1].name, "linux/arm64/v8");
	CHECK_STR(kp->platforms[1].os, "linux");
	CHECK_STR(kp->platforms[1].arch, "arm64");
	CHECK_STR(kp->platforms[1].variant, "v8");
	CHECK_STR(kp->platforms[0].variant, NULL);
	CHECK_STR(kp->platforms[0].os_version, NULL);
	CHECK_INT(kp->platforms[2].pos.line, 3);
	CHECK_INT(kp->platforms[2].pos.column, 46);
	CHECK_INT(kp->n_annotations, 1);
	CHECK_STR(kp->annotations[0].key, "org.opencontainers.image.vendor");
	CHECK_STR(kp->annotations[0].value, "Example");

	const struct farm_image *pause = &c->images[1];
	CHECK_INT(pause->format, FARM_FORMAT_OCI);
	CHECK_INT(pause->verify_platform, 0);
	CHECK_STR(pause->tags[0], "3.10");
	CHECK_INT(pause->n_platforms, 2);
	CHECK_STR(pause->platforms[1].name, "windows/amd64:10.0.17763.6659");
	CHECK_STR(pause->platforms[1].os, "windows");
	CHECK_STR(pause->platforms[1].arch, "amd64");
	CHECK_STR(pause->platforms[1].os_version, "10.0.17763.6659");
	CHECK_INT(pause->platforms[1].n_annotations, 1);
	CHECK_STR(pause->platforms[1].annotations[0].key, "os");
	CHECK_STR(pause->platforms[1].annotations[0].value, "ltsc2019");
	CHECK_INT(pause->platforms[0].n_annotations, 0);
	/* the image's own annotation wins over the default of the same key */
	CHECK_INT(pause->n_annotations, 2);
	CHECK_STR(pause->annotations[0].value, "K8s");
	CHECK_STR(pause->annotations[1].key, "a");

	const struct farm_image *cd = &c->images[2];
	CHECK_STR(cd->registry, "ci:5000/mirror");
	CHECK_STR(cd->source, "{registry}/{name}:{tag}-{arch}");
	CHECK_STR(cd->platforms[0].source, NULL);
	CHECK_STR(cd->platforms[2].source, "{registry}/{name}:{tag}-arm");

	CHECK_INT(c->n_retag, 1);
	CHECK_STR(c->retag[0].from, "{registry}/{name}:{tag}");
	CHECK_STR(c->retag[0].to, "mirror.example.com/{name}:{tag}");
	CHECK_INT(c->retag[0].n_images, 1);
	CHECK_STR(c->retag[0].images[0], "pause");
	CHECK_INT(c->retag[0].pos.line, 26);
	farm_config_free(c);
}

static void config_without_callback_keeps_spelling(void)
{
	const char *y = "images:\n"
	                "  - {name: a, tags: [v1], registry: r.io, platforms: [Linux/x86_64]}\n";
	struct farm_config *c = NULL;
	struct farm_error err;
	CHECK_INT(farm_config_parse("x.yaml", y, strlen(y), NULL, &c, &err), 0);
	if (!c)
		return;
	CHECK_STR(c->images[0].platforms[0].name, "Linux/x86_64");
	CHECK_STR(c->images[0].platforms[0].os, "Linux");
	farm_config_free(c);
	y = "images:\n  - {name: a, tags: [v1], registry: r.io, platforms: [linux]}\n";
	CHECK_INT(farm_config_parse("x.yaml", y, strlen(y), NULL, &c, &err), -1);
	CHECK_STR(err.msg, "x.yaml:2:55: images[0].platforms[0]: \"linux\" is not a valid "
	                   "platform (want os/arch[/variant][:os.version])");
}

static void config_load_resolves_ca_file_against_its_dir(void)
{
	char path[] = "/tmp/farm-config-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	const char *y =
	    "registries: {\"r.io\": {ca-file: ca.pem}, \"s.io\": {ca-file: /etc/ca.pem}}\n"
	    "images: [{name: a, tags: [v1], registry: r.io, platforms: [linux/amd64]}]\n";
	FILE *f = fdopen(fd, "w");
	fputs(y, f);
	fclose(f);
	struct farm_config *c = NULL;
	struct farm_error err;
	CHECK_INT(farm_config_load(path, &opts, &c, &err), 0);
	if (c) {
		CHECK_STR(c->path, path);
		CHECK_STR(c->registries[0].ca_file, "/tmp/ca.pem");
		CHECK_STR(c->registries[1].ca_file, "/etc/ca.pem");
		farm_config_free(c);
	}
	unlink(path);
	CHECK_INT(farm_config_load("/nonexistent/x.yaml", &opts, &c, &err), -1);
	CHECK_STR(err.msg, "/nonexistent/x.yaml: No such file or directory");
	CHECK(c == NULL);
}

#define IMG "images:\n  - name: a\n    tags: [v1]\n    registry: r.io\n"

static void config_rejects_unknown_key(void)
{
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

static void config_rejects_wrong_types(void)
{
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

static void config_rejects_missing_and_empty(void)
{
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

static void config_rejects_duplicates(void)
{
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

static void config_rejects_bad_platforms_and_values(void)
{
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

static void config_rejects_bad_templates(void)
{
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

static void config_rejects_yaml_errors(void)
{
	EXPECT_ERROR("images:\n  - name: a\n   tags: [v1]\n",
	             "release.yaml:3:4: YAML syntax error: did not find expected '-' indicator "
	             "(while parsing a block collection that started at 2:3)");
	EXPECT_ERROR("images: [a, b\n",
	             "release.yaml:2:1: YAML syntax error: did not find expected ',' or ']' (while "
	             "parsing a flow sequence that started at 1:9)");
	EXPECT_ERROR("defaults: &d {registry: r.io}\nimages: *d\n",
	             "release.yaml:2:9: aliases are not supported (*d)");
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

static void config_example_ships_valid(void)
{
	char path[1024];
	const char *dir = getenv("MANIFOLD_SOURCE_DIR");
	snprintf(path, sizeof(path), "%s/configs/example.yaml", dir ? dir : ".");
	struct farm_config *c = NULL;
	struct farm_error err;
	CHECK_INT(farm_config_load(path, &opts, &c, &err), 0);
	if (!c) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	CHECK_INT(c->n_images, 18);
	CHECK_INT(c->n_registries, 2);
	CHECK_INT(c->n_retag, 2);
	CHECK_STR(c->status, "status/release.json");
	const struct farm_image *pause = &c->images[6];
	CHECK_STR(pause->name, "pause");
	CHECK_INT(pause->n_platforms, 7);
	CHECK_STR(pause->platforms[5].os_version, "10.0.17763.6659");
	CHECK_STR(pause->platforms[6].source, "{registry}/{name}:{tag}-windows-ltsc2022");
	CHECK_INT(pause->n_annotations, 2);
	CHECK_INT(c->images[0].n_platforms, 5);
	struct farm_plan *p = NULL;
	CHECK_INT(farm_plan_expand(c, NULL, &p, &err), 0);
	if (p) {
		size_t sources = 0;
		for (size_t i = 0; i < p->n_targets; i++)
			sources += p->targets[i].n_sources;
		CHECK_INT(p->n_targets, 29);
		CHECK_INT(sources, 25 * 5 + 2 + 2 + 3 + 7);
		farm_plan_free(p);
	}
	struct farm_copy_plan *cp = NULL;
	CHECK_INT(farm_retag_expand(c, NULL, &cp, &err), 0);
	if (cp) {
		CHECK_INT(cp->n_copies, 12 * 5 + 8);
		farm_copy_plan_free(cp);
	}
	farm_config_free(c);
}

int main(void)
{
	config_example_ships_valid();
	config_loads_and_resolves_defaults();
	config_without_callback_keeps_spelling();
	config_load_resolves_ca_file_against_its_dir();
	config_rejects_unknown_key();
	config_rejects_wrong_types();
	config_rejects_missing_and_empty();
	config_rejects_duplicates();
	config_rejects_bad_platforms_and_values();
	config_rejects_bad_templates();
	config_rejects_yaml_errors();
	return check_finish();
}
