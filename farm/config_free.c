/* config_free.c — a config's memory given back: an image's, and the whole
 * config's. The readers (config_read.c, config_stream.c, spec.c) and the
 * loader (config.c) all free through it. */
#include <stdlib.h>
#include <string.h>

#include "farm_internal.h"

void farm_image_clear(struct farm_image *im)
{
	free(im->name);
	farm_strv_free(im->tags, im->n_tags);
	farm_strv_free(im->extra_tags, im->n_extra_tags);
	free(im->registry);
	free(im->source);
	free(im->target);
	for (size_t i = 0; !im->shares_platforms && i < im->n_platforms; i++)
		farm_platform_clear(&im->platforms[i]);
	if (!im->shares_platforms)
		free(im->platforms);
	farm_kv_free(im->annotations, im->n_annotations);
	farm_key_refs_free(im->sign_key, im->sign_key ? 1 : 0);
	farm_key_refs_free(im->require_signature, im->n_require_signature);
	memset(im, 0, sizeof(*im));
}

void farm_config_free(struct farm_config *c)
{
	if (!c)
		return;
	free(c->path);
	for (size_t i = 0; i < c->n_registries; i++) {
		free(c->registries[i].name);
		free(c->registries[i].ca_file);
		free(c->registries[i].preset);
	}
	free(c->registries);
	for (size_t i = 0; i < c->n_images; i++)
		farm_image_clear(&c->images[i]);
	free(c->images);
	for (size_t i = 0; i < c->n_shared_platforms; i++)
		farm_platform_clear(&c->shared_platforms[i]);
	free(c->shared_platforms);
	for (size_t i = 0; i < c->n_retag; i++) {
		free(c->retag[i].from);
		free(c->retag[i].to);
		farm_strv_free(c->retag[i].images, c->retag[i].n_images);
	}
	free(c->retag);
	free(c->status);
	free(c->status_layout);
	free(c);
}
