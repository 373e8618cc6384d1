/* config_level.c — the keys manifold's config lets both `defaults` and an
 * image set, read the same way for both: registry, platforms, templates,
 * formats and policies, annotations, signing keys. What an image sets wins
 * over the defaults (pick, pick_level). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_level.h"

const char *const farm_level_keys[K_COUNT + 1] = {
    "registry", "platforms", "optional-platforms", "source", "target", "sources", "format",
    "verify-platform", "allow-shrink", "attestations", "referrers", "annotations", "overwrite",
    "recheck-children",
    /* signed releases (config_sign.c) */
    "sign-key", "require-signature", NULL};

static void platforms_free(struct farm_platform *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		farm_platform_clear(&v[i]);
	free(v);
}

void farm_shared_platforms_clear(struct farm_shared_platforms *s)
{
	platforms_free(s->v, s->n);
	s->v = NULL;
	s->n = 0;
}

void farm_level_clear(struct farm_level *l)
{
	free(l->registry);
	free(l->source);
	free(l->target);
	platforms_free(l->platforms, l->n_platforms);
	platforms_free(l->optional, l->n_optional);
	farm_kv_free(l->sources, l->n_sources);
	farm_kv_free(l->annotations, l->n_annotations);
	farm_key_refs_free(l->sign_key, l->sign_key ? 1 : 0);
	farm_key_refs_free(l->require_sig, l->n_require_sig);
}

/* Each platform of `list` (the list under key `name`, read from `node`)
 * that `other` has too is an error naming both places. */
int farm_platforms_conflict(struct farm_ctx *x, const struct farm_node *node, const char *name,
                            const struct farm_platform *list, size_t n,
                            const struct farm_platform *other, size_t m, const char *label)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < m; j++) {
			if (strcmp(list[i].name, other[j].name) != 0)
				continue;
			size_t mark = farm_path_key(x, name);
			farm_path_index(x, i);
			rc = farm_fail(x, node->items[i],
			               "\"%s\" is both required and optional (%s at %d:%d)",
			               list[i].name, label, other[j].pos.line, other[j].pos.column);
			farm_path_pop(x, mark);
		}
	}
	return rc;
}

/* `recheck-children`: a whole number of days, "1d" to "365d". */
static int read_days(struct farm_ctx *x, const struct farm_node *n, int *out)
{
	char *s = NULL, *end = NULL;
	long v = 0;
	int rc;

	if (farm_get_string(x, n, &s) < 0)
		return -1;
	if (s[0] >= '0' && s[0] <= '9')
		v = strtol(s, &end, 10);
	if (!end || strcmp(end, "d") != 0 || v < 1 || v > 365) {
		rc = farm_fail(x, n, "\"%s\" is not a number of days from 1d to 365d, like \"7d\"",
		               s);
	} else {
		*out = (int)v;
		rc = 0;
	}
	free(s);
	return rc;
}

int farm_level_read(struct farm_ctx *x, const struct farm_node *n, struct farm_level *l)
{
	static const char *const formats[] = {"auto", "docker", "oci", NULL};
	static const char *const attestations[] = {"keep", "drop", NULL};
	static const char *const referrers[] = {"copy", "skip", NULL};
	for (size_t i = 0; i < n->n_pairs; i++) {
		const char *k = n->pairs[i].key->scalar;
		const struct farm_node *v = n->pairs[i].value;
		int key = 0, r = 0;
		while (key < K_COUNT && strcmp(farm_level_keys[key], k) != 0)
			key++;
		/* not a shared key, or a duplicate (already reported) */
		if (key == K_COUNT || l->at[key])
			continue;
		l->at[key] = v;
		size_t mark = farm_path_key(x, k);
		switch ((enum farm_level_key)key) {
		case K_REGISTRY:
			r = farm_read_registry_value(x, v, &l->registry);
			break;
		case K_PLATFORMS:
			r = farm_read_platforms(x, v, 0, &l->platforms, &l->n_platforms);
			break;
		case K_OPTIONAL:
			r = farm_read_platforms(x, v, 1, &l->optional, &l->n_optional);
			break;
		case K_SOURCE:
		case K_TARGET:
			r = farm_read_template(x, v, key == K_SOURCE,
			                       key == K_SOURCE ? &l->source : &l->target);
			break;
		case K_SOURCES:
			r = farm_read_source_map(x, v, &l->sources, &l->n_sources);
			break;
		case K_FORMAT:
			r = farm_read_enum(x, v, formats, &l->value[key]);
			break;
		case K_VERIFY:
		case K_SHRINK:
		case K_OVERWRITE:
			r = farm_get_bool(x, v, &l->value[key]);
			break;
		case K_RECHECK:
			r = read_days(x, v, &l->value[key]);
			break;
		case K_ATTESTATIONS:
			r = farm_read_enum(x, v, attestations, &l->value[key]);
			break;
		case K_REFERRERS:
			r = farm_read_enum(x, v, referrers, &l->value[key]);
			break;
		case K_SIGN_KEY:
			if (!(l->sign_key = calloc(1, sizeof(*l->sign_key))))
				r = farm_fail(x, v, "out of memory");
			else
				r = farm_read_key_ref(x, v, l->sign_key);
			break;
		case K_REQUIRE_SIG:
			r = farm_read_key_list(x, v, &l->require_sig, &l->n_require_sig);
			break;
		case K_ANNOTATIONS:
		case K_COUNT:
			r = farm_get_kv_map(x, v, &l->annotations, &l->n_annotations);
			break;
		}
		farm_path_pop(x, mark);
		if (r < 0)
			l->bad |= BIT(key);
	}
	if (!(l->bad & (BIT(K_PLATFORMS) | BIT(K_OPTIONAL))) &&
	    farm_platforms_conflict(x, l->at[K_OPTIONAL], "optional-platforms", l->optional,
	                            l->n_optional, l->platforms, l->n_platforms, "platforms") < 0)
		l->bad |= BIT(K_OPTIONAL);
	return l->bad ? -1 : 0;
}

/* The image's value when it sets a valid one, else the defaults', else def. */
int farm_level_pick(const struct farm_level *own, const struct farm_level *d, enum farm_level_key k,
                    int def)
{
	if (own->at[k] && !(own->bad & BIT(k)))
		return own->value[k];
	if (d->at[k] && !(d->bad & BIT(k)))
		return d->value[k];
	return def;
}

/* The level whose list applies to the image: its own when it sets one. */
const struct farm_level *farm_level_of(const struct farm_level *own, const struct farm_level *d,
                                       enum farm_level_key k)
{
	return own->at[k] ? own : d;
}
