/* fuzz_farm_config.c — farm_config_parse on arbitrary bytes must not crash
 * or leak; loading the same bytes from a file (farm_config_load) gives the
 * same verdict and message; read an image at a time keeping every other
 * image (keep_image), the verdict and message are the same and the images
 * kept are the whole reading's of their places; a config that loads
 * expands to one target per image × tag with one source per platform, and
 * retag rules expand too. */
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

/* keep_image: every other image, by its place. */
static int keep_odd(void *ctx, const struct farm_config *cfg, const struct farm_image *im)
{
	(void)ctx, (void)cfg;
	return im ? (int)(im->index % 2) : 0;
}

/* The same bytes read keeping every other image: c's verdict (rc, err),
 * and of the images kept, c's at their places. */
static void check_kept(const char *path, const uint8_t *data, size_t size,
                       const struct farm_load_options *o, int rc, const struct farm_config *c,
                       const struct farm_error *err)
{
	struct farm_load_options k = *o;
	struct farm_config *h = NULL;
	struct farm_error herr;

	k.keep_image = keep_odd;
	int hrc = farm_config_parse(path, (const char *)data, size, &k, &h, &herr);
	if (hrc != rc || (rc < 0 && strcmp(herr.msg, err->msg) != 0))
		fuzz_fail("reading an image at a time gives another verdict");
	if (rc < 0)
		return;
	if (h->n_images_all != c->n_images || h->n_images != c->n_images / 2)
		fuzz_fail("keep_image kept other images");
	for (size_t i = 0; i < h->n_images; i++) {
		const struct farm_image *a = &h->images[i], *b = &c->images[a->index];
		if (a->index >= c->n_images || strcmp(a->name, b->name) != 0 ||
		    a->n_tags != b->n_tags || a->n_platforms != b->n_platforms ||
		    strcmp(a->target, b->target) != 0)
			fuzz_fail("an image kept is not the whole reading's");
	}
	farm_config_free(h);
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
		check_kept(path, data, size, &opts[k], rc, c, &err);
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
