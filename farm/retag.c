/* retag.c — cfg->retag expanded into copies: a rule whose templates use
 * per-platform tokens gives one copy per image × tag × platform, any other
 * rule one per image × tag. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "farm_internal.h"

void farm_copy_plan_free(struct farm_copy_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_copies; i++) {
		free(p->copies[i].from);
		free(p->copies[i].to);
	}
	free(p->copies);
	free(p);
}

static int covers(const struct farm_retag_rule *r, const struct farm_image *im)
{
	if (r->n_images == 0)
		return 1;
	for (size_t i = 0; i < r->n_images; i++)
		if (strcmp(r->images[i], im->name) == 0)
			return 1;
	return 0;
}

static int add_copy(struct farm_copy_plan *p, size_t *cap, const struct farm_retag_rule *r,
                    const struct farm_image *im, const struct farm_platform *pl,
                    const struct farm_vars *v, const char *only, struct farm_error *err)
{
	struct farm_copy c = {.image = im, .platform = pl, .rule = r};
	if (!(c.from = farm_template_expand(r->from, v, err)))
		goto fail;
	if (!(c.to = farm_template_expand(r->to, v, err)))
		goto fail;
	if (only && *only && strcmp(im->name, only) != 0 && strcmp(c.to, only) != 0) {
		free(c.from);
		free(c.to);
		return 0;
	}
	if (p->n_copies == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct farm_copy *nc = realloc(p->copies, ncap * sizeof(*nc));
		if (!nc) {
			farm_err_set(err, "out of memory");
			goto fail;
		}
		p->copies = nc;
		*cap = ncap;
	}
	p->copies[p->n_copies++] = c;
	return 0;
fail:
	free(c.from);
	free(c.to);
	return -1;
}

int farm_retag_expand(const struct farm_config *cfg, const char *only, struct farm_copy_plan **out,
                      struct farm_error *err)
{
	struct farm_copy_plan *p = calloc(1, sizeof(*p));
	size_t cap = 0;
	struct farm_error scratch;
	if (!err)
		err = &scratch;
	*out = NULL;
	if (!p) {
		farm_err_set(err, "out of memory");
		return -1;
	}
	for (size_t r = 0; r < cfg->n_retag; r++) {
		const struct farm_retag_rule *rule = &cfg->retag[r];
		int per_platform = farm_template_is_per_platform(rule->from) ||
		                   farm_template_is_per_platform(rule->to);
		for (size_t i = 0; i < cfg->n_images; i++) {
			const struct farm_image *im = &cfg->images[i];
			if (!covers(rule, im))
				continue;
			for (size_t t = 0; t < im->n_tags; t++) {
				struct farm_vars v = {
				    .registry = im->registry, .name = im->name, .tag = im->tags[t]};
				size_t n_pl = per_platform ? im->n_platforms : 1;
				for (size_t k = 0; k < n_pl; k++) {
					const struct farm_platform *pl =
					    per_platform ? &im->platforms[k] : NULL;
					if (pl) {
						v.os = pl->os;
						v.arch = pl->arch;
						v.variant = pl->variant ? pl->variant : "";
					}
					if (add_copy(p, &cap, rule, im, pl, &v, only, err) < 0) {
						char why[FARM_EMSG];
						snprintf(why, sizeof(why), "%s", err->msg);
						farm_err_set(err, "retag[%zu], image \"%s\": %s", r,
						             im->name, why);
						farm_copy_plan_free(p);
						return -1;
					}
				}
			}
		}
	}
	if (only && *only && p->n_copies == 0) {
		farm_err_set(err, "--only \"%s\": no image or target of that name", only);
		farm_copy_plan_free(p);
		return -1;
	}
	*out = p;
	return 0;
}
