/* fuzz_farm_config.c — farm_config_parse on arbitrary bytes must not crash
 * or leak; loading the same bytes from a file (farm_config_load) gives the
 * same verdict and message; a config that loads expands to one target per
 * image × tag with one source per platform, and retag rules expand too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "farm.h"
#include "helpers.h"

/* Accepts any "os/arch..." with a lower-case copy, rejects "bad/..." so the
 * error path with a callback runs too. */
static int platform_check(void *ctx, const char *text, char *norm, size_t norm_len, char *why,
                          size_t why_len)
{
	(void)ctx;
	if (strncmp(text, "bad/", 4) == 0) {
		snprintf(why, why_len, "\"%s\" is not a known platform", text);
		return -1;
	}
	size_t i = 0;
	for (; text[i] && i + 1 < norm_len; i++)
		norm[i] =
		    (text[i] >= 'A' && text[i] <= 'Z') ? (char)(text[i] - 'A' + 'a') : text[i];
	norm[i] = '\0';
	return 0;
}

static void check_plan(const struct farm_config *c)
{
	struct farm_plan *p = NULL;
	struct farm_error err;
	size_t total = 0;

	if (farm_plan_expand(c, NULL, &p, &err) < 0)
		return;
	for (size_t i = 0; i < c->n_images; i++)
		total += c->images[i].n_tags;
	if (p->n_targets != total)
		fuzz_fail("the plan is not one target per image x tag");
	for (size_t i = 0; i < p->n_targets; i++) {
		const struct farm_target *t = &p->targets[i];
		if (!t->ref || t->n_sources != t->image->n_platforms)
			fuzz_fail("a target is not one source per platform");
	}
	farm_plan_free(p);
	if (c->n_images && farm_plan_expand(c, c->images[0].name, &p, &err) == 0) {
		if (p->n_targets < c->images[0].n_tags)
			fuzz_fail("--only NAME lost targets of that image");
		farm_plan_free(p);
	}
}

/* Every load allocates FARM_MAX_FILE (16 MiB), which under ASan costs over
 * a dozen parses, so libFuzzer compares file and memory on one input in 16 (by
 * content, so a crash replays); the corpus replay compares every input. */
static int load_too(const uint8_t *data, size_t size)
{
#ifdef MANIFOLD_LIBFUZZER
	unsigned h = 0;
	for (size_t i = 0; i < size; i++)
		h = h * 31u + data[i];
	return h % 16u == 0;
#else
	(void)data, (void)size;
	return 1;
#endif
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct farm_load_options opts[2] = {{.platform_check = NULL},
	                                          {.platform_check = platform_check}};
	const char *path = fuzz_temp_file(data, size);
	if (!path)
		return 0;
	for (int k = 0; k < 2; k++) {
		struct farm_config *c = NULL, *f = NULL;
		struct farm_error err, ferr;
		int rc = farm_config_parse(path, (const char *)data, size, &opts[k], &c, &err);
		if (k == 0 && load_too(data, size)) {
			int frc = farm_config_load(path, &opts[k], &f, &ferr);
			if (rc != frc || (rc < 0 && strcmp(err.msg, ferr.msg) != 0))
				fuzz_fail("the same bytes from a file and from memory give "
				          "other verdicts");
			if (rc == 0 && f->n_images != c->n_images)
				fuzz_fail("file and memory give other images");
			farm_config_free(f);
		}
		if (rc < 0)
			continue;
		check_plan(c);
		struct farm_copy_plan *cp = NULL;
		if (farm_retag_expand(c, NULL, &cp, &err) == 0)
			farm_copy_plan_free(cp);
		farm_config_free(c);
	}
	return 0;
}
