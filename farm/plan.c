/* plan.c — the config expanded into targets × platforms: every image ×
 * tag becomes one target reference with one source reference per platform
 * (required, then optional, each in config order), kept or dropped as it
 * is expanded (a shard holds only its own), plus the stable shard split of
 * targets. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "farm_internal.h"

static void target_clear(struct farm_target *t)
{
	if (t->packed) {
		free(t->packed);
		memset(t, 0, sizeof(*t));
		return;
	}
	free(t->tag);
	free(t->ref);
	farm_strv_free(t->extra_refs, t->n_extra_refs);
	for (size_t i = 0; i < t->n_sources; i++)
		free(t->sources[i].ref);
	free(t->sources);
	memset(t, 0, sizeof(*t));
}

void farm_plan_free(struct farm_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_targets; i++)
		target_clear(&p->targets[i]);
	free(p->targets);
	free(p);
}

static char *expand_tag(const struct farm_image *im, const char *tag, struct farm_error *err)
{
	struct farm_vars v = {.registry = im->registry, .name = im->name, .tag = tag};
	return farm_template_expand(im->target, &v, err);
}

/* A spec's sources are references as written, never templates. */
static int fill_target(const struct farm_config *cfg, const struct farm_image *im, size_t tag,
                       struct farm_target *t, struct farm_error *err)
{
	t->image = im;
	t->tag_index = tag;
	if (!(t->tag = strdup(im->tags[tag])))
		goto oom;
	if (!(t->ref = expand_tag(im, t->tag, err)))
		return -1;
	if (tag == 0 && im->n_extra_tags) {
		if (!(t->extra_refs = calloc(im->n_extra_tags, sizeof(*t->extra_refs))))
			goto oom;
		t->n_extra_refs = im->n_extra_tags;
		for (size_t i = 0; i < im->n_extra_tags; i++)
			if (!(t->extra_refs[i] = expand_tag(im, im->extra_tags[i], err)))
				return -1;
	}
	if (!(t->sources = calloc(im->n_platforms, sizeof(*t->sources))))
		goto oom;
	t->n_sources = im->n_platforms;
	for (size_t i = 0; i < im->n_platforms; i++) {
		const struct farm_platform *p = &im->platforms[i];
		struct farm_source *s = &t->sources[i];
		s->platform = p;
		s->optional = p->optional;
		if (cfg->is_spec) {
			if (!(s->ref = farm_strdup(p->source)))
				goto oom;
			continue;
		}
		struct farm_vars v = {.registry = im->registry,
		                      .name = im->name,
		                      .tag = t->tag,
		                      .os = p->os,
		                      .arch = p->arch,
		                      .variant = p->variant ? p->variant : ""};
		if (!(s->ref = farm_template_expand(p->source ? p->source : im->source, &v, err)))
			return -1;
	}
	return 0;
oom:
	farm_err_set(err, "out of memory");
	return -1;
}

/* t's strings and arrays moved into one block (t->packed); -1 out of
 * memory, t as it was. */
static int target_pack(struct farm_target *t)
{
	size_t srcs = t->n_sources * sizeof(*t->sources);
	size_t extra = t->n_extra_refs * sizeof(*t->extra_refs);
	size_t len = srcs + extra + base_str_size(t->tag) + base_str_size(t->ref);
	char *block, *at;

	for (size_t i = 0; i < t->n_extra_refs; i++)
		len += base_str_size(t->extra_refs[i]);
	for (size_t i = 0; i < t->n_sources; i++)
		len += base_str_size(t->sources[i].ref);
	if (!(block = malloc(len ? len : 1)))
		return -1;
	at = block;
	t->sources = base_mem_move(t->sources, srcs, &at);
	t->extra_refs = base_mem_move(t->extra_refs, extra, &at);
	base_str_move(&t->tag, &at);
	base_str_move(&t->ref, &at);
	for (size_t i = 0; i < t->n_extra_refs; i++)
		base_str_move(&t->extra_refs[i], &at);
	for (size_t i = 0; i < t->n_sources; i++)
		base_str_move(&t->sources[i].ref, &at);
	t->packed = block;
	return 0;
}

/* Room for one more target in p (doubling). */
static int plan_grow(struct farm_plan *p, size_t *cap)
{
	struct farm_target *n;
	size_t nc;

	if (p->n_targets < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 16;
	if (!(n = realloc(p->targets, nc * sizeof(*n))))
		return -1;
	p->targets = n;
	*cap = nc;
	return 0;
}

/* Shrinks the array to what it holds (a plan lives all the run). */
static void plan_fit(struct farm_plan *p, size_t cap)
{
	struct farm_target *n;

	if (p->n_targets && p->n_targets < cap &&
	    (n = realloc(p->targets, p->n_targets * sizeof(*n))))
		p->targets = n;
}

/* fill_target's failure, named by image and tag. */
static void target_failed(const struct farm_image *im, size_t k, struct farm_error *err)
{
	char why[FARM_EMSG];
	snprintf(why, sizeof(why), "%s", err->msg);
	farm_err_set(err, "image \"%s\" tag \"%s\": %s", im->name, im->tags[k], why);
}

int farm_target_make(const struct farm_config *cfg, const struct farm_image *im, size_t tag,
                     struct farm_target *out, struct farm_error *err)
{
	memset(out, 0, sizeof(*out));
	if (fill_target(cfg, im, tag, out, err) < 0) {
		target_failed(im, tag, err);
		target_clear(out);
		return -1;
	}
	if (target_pack(out) < 0) {
		target_clear(out);
		farm_err_set(err, "out of memory");
		return -1;
	}
	return 0;
}

void farm_target_clear(struct farm_target *t)
{
	target_clear(t);
}

int farm_image_targets(const struct farm_config *cfg, const struct farm_image *im,
                       farm_plan_keep_fn keep, void *ctx, struct farm_error *err)
{
	struct farm_target cur;
	struct farm_error scratch;
	int kept = 0;

	if (!err)
		err = &scratch;
	err->msg[0] = '\0';
	memset(&cur, 0, sizeof(cur));
	for (size_t k = 0; k < im->n_tags; k++) {
		int r;
		if (fill_target(cfg, im, k, &cur, err) < 0) {
			target_failed(im, k, err);
			target_clear(&cur);
			return -1;
		}
		r = keep(ctx, &cur);
		target_clear(&cur);
		if (r < 0)
			return -1;
		kept += r > 0;
	}
	return kept;
}

int farm_plan_expand_kept(const struct farm_config *cfg, farm_plan_keep_fn keep, void *ctx,
                          struct farm_plan **out, struct farm_error *err)
{
	struct farm_plan *p = calloc(1, sizeof(*p));
	struct farm_target cur;
	size_t cap = 0;
	struct farm_error scratch;
	if (!err)
		err = &scratch;
	memset(&cur, 0, sizeof(cur));
	err->msg[0] = '\0';
	*out = NULL;
	if (!p)
		goto oom;
	for (size_t i = 0; i < cfg->n_images; i++) {
		const struct farm_image *im = &cfg->images[i];
		for (size_t k = 0; k < im->n_tags; k++) {
			int kept;
			if (fill_target(cfg, im, k, &cur, err) < 0) {
				target_failed(im, k, err);
				goto fail;
			}
			kept = keep ? keep(ctx, &cur) : 1;
			if (kept < 0)
				goto fail;
			if (!kept) {
				target_clear(&cur);
				continue;
			}
			if (plan_grow(p, &cap) < 0 || target_pack(&cur) < 0)
				goto oom;
			p->targets[p->n_targets++] = cur; /* moved: cur's strings are p's now */
			memset(&cur, 0, sizeof(cur));
		}
	}
	plan_fit(p, cap);
	*out = p;
	return 0;
oom:
	farm_err_set(err, "out of memory");
fail:
	target_clear(&cur);
	farm_plan_free(p);
	return -1;
}

/* farm_plan_expand's `only`: the image of that name, or the target of that
 * reference. */
static int keep_only(void *ctx, const struct farm_target *t)
{
	const char *only = ctx;
	return strcmp(t->image->name, only) == 0 || strcmp(t->ref, only) == 0;
}

int farm_plan_expand(const struct farm_config *cfg, const char *only, struct farm_plan **out,
                     struct farm_error *err)
{
	struct farm_error scratch;
	int by_only = only && *only;
	if (!err)
		err = &scratch;
	if (farm_plan_expand_kept(cfg, by_only ? keep_only : NULL, (void *)only, out, err) < 0)
		return -1;
	if (by_only && (*out)->n_targets == 0) {
		farm_plan_free(*out);
		*out = NULL;
		farm_err_set(err, "--only \"%s\": no image or target of that name", only);
		return -1;
	}
	return 0;
}

uint64_t farm_ref_hash(const char *ref)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a 64 offset basis */
	for (const unsigned char *s = (const unsigned char *)ref; *s; s++) {
		h ^= *s;
		h *= 1099511628211ULL; /* FNV-1a 64 prime */
	}
	return h;
}

int farm_shard_has(const char *ref, unsigned index, unsigned count)
{
	if (count <= 1)
		return index == 0;
	if (index >= count)
		return 0;
	return farm_ref_hash(ref) % count == index;
}
