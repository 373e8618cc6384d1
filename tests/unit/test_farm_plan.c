/* test_farm_plan.c — a small config expanded into targets × platforms,
 * --only, shards, retag rules and "SRC DST" pair files, value by value. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
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

static struct farm_config *load(void)
{
	struct farm_config *c = NULL;
	struct farm_error err;
	if (farm_config_parse("plan.yaml", yaml, strlen(yaml), NULL, &c, &err) < 0)
		fprintf(stderr, "%s\n", err.msg);
	return c;
}

static void plan_expands_every_image_and_tag(const struct farm_config *c)
{
	struct farm_plan *p = NULL;
	struct farm_error err;
	CHECK_INT(farm_plan_expand(c, NULL, &p, &err), 0);
	if (!p)
		return;
	CHECK_INT(p->n_targets, 4);
	const struct farm_target *t = &p->targets[0];
	CHECK(t->image == &c->images[0]);
	CHECK_STR(t->tag, "v1.31.0");
	CHECK_STR(t->ref, "registry.example.com/kube-proxy:v1.31.0");
	CHECK_INT(t->n_extra_refs, 2);
	CHECK_STR(t->extra_refs[0], "registry.example.com/kube-proxy:latest");
	CHECK_STR(t->extra_refs[1], "registry.example.com/kube-proxy:v1.31");
	CHECK_INT(t->n_sources, 3);
	CHECK(t->sources[1].platform == &c->images[0].platforms[1]);
	CHECK_STR(t->sources[0].ref, "registry.example.com/kube-proxy-amd64:v1.31.0");
	CHECK_STR(t->sources[1].ref, "registry.example.com/kube-proxy-arm64:v1.31.0");
	CHECK_STR(t->sources[2].ref, "registry.example.com/kube-proxy-arm:v1.31.0");

	t = &p->targets[1]; /* extra tags only go with the first tag */
	CHECK_STR(t->ref, "registry.example.com/kube-proxy:v1.30.4");
	CHECK_INT(t->n_extra_refs, 0);
	CHECK(t->extra_refs == NULL);
	CHECK_STR(t->sources[2].ref, "registry.example.com/kube-proxy-arm:v1.30.4");

	t = &p->targets[2];
	CHECK_STR(t->ref, "registry.example.com/pause:3.10");
	CHECK_INT(t->n_sources, 2);
	CHECK_STR(t->sources[0].ref, "registry.example.com/pause-linux-amd64:3.10");
	CHECK_STR(t->sources[1].ref, "registry.example.com/pause-windows-amd64:3.10");
	CHECK_STR(t->sources[1].platform->os_version, "10.0.17763.6659");

	t = &p->targets[3];
	CHECK_STR(t->ref, "mirror.example.com/coredns/coredns:v1.11.3");
	CHECK_STR(t->sources[0].ref, "ci:5000/coredns:v1.11.3-amd64");
	CHECK_STR(t->sources[1].ref, "ci:5000/coredns:v1.11.3-arm64v8");
	CHECK_STR(t->sources[2].ref, "ci:5000/coredns:v1.11.3-arm"); /* the override */
	farm_plan_free(p);
}

static void plan_only_selects_by_name_or_ref(const struct farm_config *c)
{
	struct farm_plan *p = NULL;
	struct farm_error err;
	CHECK_INT(farm_plan_expand(c, "kube-proxy", &p, &err), 0);
	if (p) {
		CHECK_INT(p->n_targets, 2);
		CHECK_STR(p->targets[1].ref, "registry.example.com/kube-proxy:v1.30.4");
		farm_plan_free(p);
	}
	CHECK_INT(farm_plan_expand(c, "registry.example.com/kube-proxy:v1.30.4", &p, &err), 0);
	if (p) {
		CHECK_INT(p->n_targets, 1);
		CHECK_STR(p->targets[0].tag, "v1.30.4");
		CHECK_STR(p->targets[0].sources[0].ref,
		          "registry.example.com/kube-proxy-amd64:v1.30.4");
		farm_plan_free(p);
	}
	CHECK_INT(farm_plan_expand(c, "", &p, &err), 0);
	if (p) {
		CHECK_INT(p->n_targets, 4);
		farm_plan_free(p);
	}
	CHECK_INT(farm_plan_expand(c, "kube-prox", &p, &err), -1);
	CHECK(p == NULL);
	CHECK_STR(err.msg, "--only \"kube-prox\": no image or target of that name");
}

static void shard_split_is_fnv1a_modulo_count(void)
{
	/* FNV-1a 64("registry.example.com/kube-proxy:v1.31.0") = 0x0c788a67c6500e2b */
	const char *ref = "registry.example.com/kube-proxy:v1.31.0";
	CHECK_INT(farm_shard_has(ref, 1, 2), 1);
	CHECK_INT(farm_shard_has(ref, 0, 2), 0);
	CHECK_INT(farm_shard_has(ref, 0, 3), 1);
	CHECK_INT(farm_shard_has(ref, 4, 7), 1);
	CHECK_INT(farm_shard_has(ref, 3, 7), 0);
	CHECK_INT(farm_shard_has("a", 1, 3), 1); /* 0xaf63dc4c8601ec8c */
	CHECK_INT(farm_shard_has("a", 0, 1), 1);
	CHECK_INT(farm_shard_has("a", 0, 0), 1);
	CHECK_INT(farm_shard_has("a", 3, 3), 0);
}

static void retag_expands_per_platform_and_per_tag(const struct farm_config *c)
{
	struct farm_copy_plan *p = NULL;
	struct farm_error err;
	CHECK_INT(farm_retag_expand(c, NULL, &p, &err), 0);
	if (!p)
		return;
	/* rule 0: kube-proxy × 2 tags × 3 platforms; rule 1: 4 targets */
	CHECK_INT(p->n_copies, 10);
	CHECK_STR(p->copies[0].from, "registry.example.com/kube-proxy-amd64:v1.31.0");
	CHECK_STR(p->copies[0].to, "registry.example.com/kube-proxy:v1.31.0-amd64");
	CHECK(p->copies[0].image == &c->images[0]);
	CHECK(p->copies[0].platform == &c->images[0].platforms[0]);
	CHECK_STR(p->copies[1].to, "registry.example.com/kube-proxy:v1.31.0-arm64v8");
	CHECK_STR(p->copies[5].from, "registry.example.com/kube-proxy-arm:v1.30.4");
	CHECK_STR(p->copies[5].to, "registry.example.com/kube-proxy:v1.30.4-armv7");
	CHECK_STR(p->copies[6].from, "registry.example.com/kube-proxy:v1.31.0");
	CHECK_STR(p->copies[6].to, "backup.example.com/kube-proxy:v1.31.0");
	CHECK(p->copies[6].platform == NULL);
	CHECK_STR(p->copies[9].from, "ci:5000/coredns:v1.11.3");
	CHECK_STR(p->copies[9].to, "backup.example.com/coredns:v1.11.3");
	farm_copy_plan_free(p);

	CHECK_INT(farm_retag_expand(c, "backup.example.com/pause:3.10", &p, &err), 0);
	if (p) {
		CHECK_INT(p->n_copies, 1);
		CHECK_STR(p->copies[0].from, "registry.example.com/pause:3.10");
		farm_copy_plan_free(p);
	}
	CHECK_INT(farm_retag_expand(c, "nothing", &p, &err), -1);
	CHECK_STR(err.msg, "--only \"nothing\": no image or target of that name");
}

static void pairs_load_reads_lines(void)
{
	char path[] = "/tmp/farm-pairs-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	FILE *f = fdopen(fd, "w");
	fputs("# promotion\n\n  r.io/a-amd64:v1\tr.io/a:v1-amd64  # first\nr.io/b:v1 s.io/b:v1\n",
	      f);
	fclose(f);
	struct farm_copy_plan *p = NULL;
	struct farm_error err;
	CHECK_INT(farm_pairs_load(path, &p, &err), 0);
	if (p) {
		CHECK_INT(p->n_copies, 2);
		CHECK_STR(p->copies[0].from, "r.io/a-amd64:v1");
		CHECK_STR(p->copies[0].to, "r.io/a:v1-amd64");
		CHECK_STR(p->copies[1].to, "s.io/b:v1");
		CHECK(p->copies[1].image == NULL && p->copies[1].platform == NULL);
		farm_copy_plan_free(p);
	}
	f = fopen(path, "w");
	fputs("r.io/a r.io/b\n# x\nr.io/c\n", f);
	fclose(f);
	CHECK_INT(farm_pairs_load(path, &p, &err), -1);
	char want[256];
	snprintf(want, sizeof(want), "%s:3: expected \"SRC DST\", got 1 field", path);
	CHECK_STR(err.msg, want);
	f = fopen(path, "w");
	fputs("a b c\n", f);
	fclose(f);
	CHECK_INT(farm_pairs_load(path, &p, &err), -1);
	snprintf(want, sizeof(want), "%s:1: expected \"SRC DST\", got 3 fields", path);
	CHECK_STR(err.msg, want);
	unlink(path);
	CHECK_INT(farm_pairs_load(path, &p, &err), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	CHECK_STR(err.msg, want);
}

int main(void)
{
	struct farm_config *c = load();
	CHECK(c != NULL);
	if (c) {
		plan_expands_every_image_and_tag(c);
		plan_only_selects_by_name_or_ref(c);
		retag_expands_per_platform_and_per_tag(c);
	}
	shard_split_is_fnv1a_modulo_count();
	pairs_load_reads_lines();
	farm_config_free(c);
	farm_plan_free(NULL);
	farm_copy_plan_free(NULL);
	farm_config_free(NULL);
	return check_finish();
}
