/* config_read.c — manifold's own config as a whole: the top-level keys,
 * `defaults` (config_level.c), `registries` (config_registries.c), `images`
 * (config_image.c), the retag rules and `status`. Reading goes on after an
 * error wherever the rest does not depend on the value that failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_level.h"

/* ---- retag --------------------------------------------------------------- */

/* The rule's `images` names images of this file (when the images read
 * cleanly: a name that failed would be reported again here). */
static int read_rule_images(struct farm_ctx *x, const struct farm_node *iv,
                            struct farm_retag_rule *rule, const struct farm_strset *known,
                            const char *const *names, int images_ok)
{
	size_t mark = farm_path_key(x, "images");
	int rc = farm_get_string_list(x, iv, &rule->images, &rule->n_images);
	for (size_t k = 0; rc == 0 && images_ok && k < rule->n_images; k++) {
		if (farm_strset_find(known, rule->images[k], NULL))
			continue;
		size_t m2 = farm_path_index(x, k);
		const char *s = farm_suggest(rule->images[k], names);
		if (s)
			farm_fail(x, iv->items[k], "no image named \"%s\" (did you mean \"%s\"?)",
			          rule->images[k], s);
		else
			farm_fail(x, iv->items[k], "no image named \"%s\"", rule->images[k]);
		farm_path_pop(x, m2);
	}
	farm_path_pop(x, mark);
	return rc;
}

/* The reference both from and to of the rule expand to for image im, tag
 * t and platform p (NULL: the list), or NULL when they differ. */
static char *same_reference(const struct farm_retag_rule *rule, const struct farm_image *im,
                            size_t t, const struct farm_platform *p)
{
	struct farm_vars v = {im->registry, im->name, im->tags[t], NULL, NULL, NULL};
	struct farm_error e;
	char *from, *to = NULL;
	if (p) {
		v.os = p->os;
		v.arch = p->arch;
		v.variant = p->variant ? p->variant : "";
	}
	memset(&e, 0, sizeof(e));
	from = farm_template_expand(rule->from, &v, &e);
	if (from)
		to = farm_template_expand(rule->to, &v, &e);
	if (from && to && strcmp(from, to) != 0) {
		free(to);
		to = NULL;
	}
	free(from);
	return to;
}

/* A rule whose from and to expand to one reference (for some image, tag
 * and platform it covers) would copy a tag onto itself. listed: the
 * rule's images as a set. */
static int check_rule_not_onto_itself(struct farm_ctx *x, const struct farm_node *to_node,
                                      const struct farm_retag_rule *rule,
                                      const struct farm_strset *listed, const struct farm_config *c)
{
	int per_platform =
	    farm_template_is_per_platform(rule->from) || farm_template_is_per_platform(rule->to);
	for (size_t k = 0; k < c->n_images; k++) {
		const struct farm_image *im = &c->images[k];
		if (rule->n_images && !farm_strset_find(listed, im->name, NULL))
			continue;
		size_t n_pl = per_platform ? im->n_platforms : 1;
		for (size_t t = 0; t < im->n_tags; t++) {
			for (size_t i = 0; i < n_pl; i++) {
				char *same = same_reference(
				    rule, im, t, per_platform ? &im->platforms[i] : NULL);
				if (!same)
					continue;
				size_t mark = farm_path_key(x, "to");
				farm_fail(
				    x, to_node,
				    "expands to \"%s\" for image \"%s\", the same reference as "
				    "from: a copy onto itself",
				    same, im->name);
				farm_path_pop(x, mark);
				free(same);
				return -1;
			}
		}
	}
	return 0;
}

static int read_rule(struct farm_ctx *x, const struct farm_node *rn, struct farm_retag_rule *rule,
                     const struct farm_config *c, const struct farm_strset *known,
                     const char *const *names, int images_ok)
{
	static const char *const req[] = {"from", "to", NULL};
	static const char *const opt[] = {"images", "overwrite", "allow-shrink", NULL};
	const struct farm_keys keys = {req, opt};
	int rc = 0;
	rule->pos.line = rn->line;
	rule->pos.column = rn->column;
	if (farm_check_mapping(x, rn, &keys) < 0) {
		if (rn->kind != FARM_NODE_MAP)
			return -1;
		rc = -1;
	}
	for (size_t k = 0; k < 2; k++) {
		const struct farm_node *v = farm_node_get(rn, req[k]);
		if (!v)
			continue;
		size_t m2 = farm_path_key(x, req[k]);
		rc |= farm_read_template(x, v, 1, k ? &rule->to : &rule->from);
		farm_path_pop(x, m2);
	}
	const struct farm_node *iv = farm_node_get(rn, "images");
	if (iv)
		rc |= read_rule_images(x, iv, rule, known, names, images_ok);
	for (size_t k = 1; k < 3; k++) {
		const struct farm_node *v = farm_node_get(rn, opt[k]);
		if (!v)
			continue;
		size_t m2 = farm_path_key(x, opt[k]);
		rc |= farm_get_bool(x, v, k == 1 ? &rule->overwrite : &rule->allow_shrink);
		farm_path_pop(x, m2);
	}
	int uses = rc == 0 && images_ok &&
	           (farm_template_uses(rule->from, "registry") ||
	            farm_template_uses(rule->to, "registry"));
	int check_self = rc == 0 && images_ok && rule->from && rule->to;
	/* the rule's images as a set, for both checks below */
	struct farm_strset listed = {0};
	for (size_t j = 0; (uses || check_self) && j < rule->n_images; j++)
		if (farm_strset_add(&listed, rule->images[j], j, NULL) < 0) {
			rc = farm_fail(x, rn, "out of memory");
			uses = check_self = 0;
		}
	if (check_self)
		rc = check_rule_not_onto_itself(x, farm_node_get(rn, "to"), rule, &listed, c);
	for (size_t k = 0; uses && k < c->n_images; k++) {
		const struct farm_image *im = &c->images[k];
		int covered = rule->n_images == 0 || farm_strset_find(&listed, im->name, NULL);
		if (covered && !im->registry)
			rc = farm_fail(x, rn,
			               "the rule uses {registry} but image \"%s\" has no registry",
			               im->name);
	}
	farm_strset_free(&listed);
	return rc;
}

int farm_retag_read(struct farm_ctx *x, const struct farm_node *n, struct farm_config *c,
                    const struct farm_strset *known, int images_ok)
{
	if (farm_get_seq(x, n) < 0)
		return -1;
	if (n->n_items == 0)
		return 0;
	if (!(c->retag = calloc(n->n_items, sizeof(*c->retag))))
		return farm_fail(x, n, "out of memory");
	c->n_retag = n->n_items;
	const char **names = calloc(c->n_images + 1, sizeof(*names));
	if (!names)
		return farm_fail(x, n, "out of memory");
	for (size_t i = 0, k = 0; i < c->n_images; i++)
		if (c->images[i].name)
			names[k++] = c->images[i].name;
	int rc = 0;
	for (size_t i = 0; i < n->n_items; i++) {
		size_t mark = farm_path_index(x, i);
		rc |= read_rule(x, n->items[i], &c->retag[i], c, known, names, images_ok);
		farm_path_pop(x, mark);
	}
	free(names);
	return rc;
}

int farm_retag_rule_fits(const struct farm_retag_rule *rule, const struct farm_image *im)
{
	int covered = rule->n_images == 0;
	for (size_t j = 0; !covered && j < rule->n_images; j++)
		covered = strcmp(rule->images[j], im->name) == 0;
	if (!covered || !rule->from || !rule->to)
		return 0;
	if (!im->registry && (farm_template_uses(rule->from, "registry") ||
	                      farm_template_uses(rule->to, "registry")))
		return -1;
	int per_platform =
	    farm_template_is_per_platform(rule->from) || farm_template_is_per_platform(rule->to);
	size_t n_pl = per_platform ? im->n_platforms : 1;
	for (size_t t = 0; t < im->n_tags; t++) {
		for (size_t i = 0; i < n_pl; i++) {
			char *same =
			    same_reference(rule, im, t, per_platform ? &im->platforms[i] : NULL);
			int onto_itself = same != NULL;
			free(same);
			if (onto_itself)
				return -1;
		}
	}
	return 0;
}

/* The root's `status` and `status-layout`. */
void farm_read_status_keys(struct farm_ctx *x, const struct farm_node *root, struct farm_config *c)
{
	const struct farm_node *v;
	size_t mark;

	if ((v = farm_node_get(root, "status"))) {
		mark = farm_path_key(x, "status");
		farm_get_string(x, v, &c->status);
		farm_path_pop(x, mark);
	}
	if ((v = farm_node_get(root, "status-layout"))) {
		mark = farm_path_key(x, "status-layout");
		if (farm_get_string(x, v, &c->status_layout) == 0 && c->status_layout &&
		    strcmp(c->status_layout, "auto") != 0 &&
		    strcmp(c->status_layout, "one-file") != 0 &&
		    strcmp(c->status_layout, "split") != 0)
			farm_fail(x, v,
			          "\"%s\" is not a status layout: want auto, one-file or split",
			          c->status_layout);
		farm_path_pop(x, mark);
	}
}

/* ---- the whole file ----------------------------------------------------- */

void farm_defaults_read(struct farm_ctx *x, const struct farm_node *v, struct farm_level *d)
{
	const struct farm_keys defaults_keys = {NULL, farm_level_keys};
	size_t mark = farm_path_key(x, "defaults");
	if (farm_check_mapping(x, v, &defaults_keys) < 0)
		d->bad = ~0u; /* not a mapping: nothing to inherit */
	else
		farm_level_read(x, v, d);
	farm_path_pop(x, mark);
}

int farm_config_read(struct farm_ctx *x, const struct farm_node *root, struct farm_config *c,
                     const char *base_dir)
{
	static const char *const req[] = {"images", NULL};
	static const char *const opt[] = {"defaults", "registries",    "retag",
	                                  "status",   "status-layout", NULL};
	const struct farm_keys keys = {req, opt};
	struct farm_shared_platforms shared = {NULL, 0};
	struct farm_level d = {0};
	struct farm_names names = {0}; /* the images' names, for duplicates and retag */
	const struct farm_node *v;
	size_t mark, errors = x->n_errors;

	d.shared = &shared;
	farm_check_mapping(x, root, &keys);
	if ((v = farm_node_get(root, "defaults")))
		farm_defaults_read(x, v, &d);
	if ((v = farm_node_get(root, "registries"))) {
		mark = farm_path_key(x, "registries");
		farm_read_registries(x, v, c, base_dir);
		farm_path_pop(x, mark);
	}
	size_t before_images = x->n_errors;
	if ((v = farm_node_get(root, "images")))
		farm_images_read(x, v, &d, c, &names);
	int images_ok = v && x->n_errors == before_images;
	if ((v = farm_node_get(root, "retag"))) {
		mark = farm_path_key(x, "retag");
		farm_retag_read(x, v, c, &names.set, images_ok);
		farm_path_pop(x, mark);
	}
	farm_read_status_keys(x, root, c);
	farm_level_clear(&d);
	farm_names_free(&names);
	c->shared_platforms = shared.v; /* the images point into it */
	c->n_shared_platforms = shared.n;
	return x->n_errors == errors ? 0 : -1;
}
