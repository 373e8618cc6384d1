/* node.c — farm's tree of positioned YAML nodes (node_load.c builds it
 * from libyaml's document): lookups, deep copies (what an alias becomes),
 * counts against FARM_MAX_NODES, and merge keys (`<<`, YAML 1.1's merge
 * type) resolved into their mapping. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "farm_internal.h"

void farm_node_free(struct farm_node *n)
{
	if (!n)
		return;
	free(n->scalar);
	for (size_t i = 0; i < n->n_items; i++)
		farm_node_free(n->items[i]);
	free(n->items);
	for (size_t i = 0; i < n->n_pairs; i++) {
		farm_node_free(n->pairs[i].key);
		farm_node_free(n->pairs[i].value);
	}
	free(n->pairs);
	free(n);
}

struct farm_node *farm_node_get(const struct farm_node *map, const char *key)
{
	if (!map || map->kind != FARM_NODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->n_pairs; i++)
		if (strcmp(map->pairs[i].key->scalar, key) == 0)
			return map->pairs[i].value;
	return NULL;
}

const char *farm_node_kind_name(const struct farm_node *n)
{
	switch (n->kind) {
	case FARM_NODE_SEQ:
		return "a list";
	case FARM_NODE_MAP:
		return "a mapping";
	default:
		return n->is_null ? "nothing" : "a string";
	}
}

int farm_node_fail(struct farm_node_build *b, int line, int column, const char *fmt, ...)
{
	char msg[FARM_EMSG / 2];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	farm_err_set(b->err, "%s:%d:%d: %s", b->name, line, column, msg);
	return -1;
}

void farm_node_build_clear(struct farm_node_build *b)
{
	for (size_t i = 0; i < b->n_spare; i++)
		farm_node_free(b->spare[i]);
	free(b->spare);
	b->spare = NULL;
	b->n_spare = 0;
}

static int spare_add(struct farm_node_build *b, struct farm_node *n, int line, int column)
{
	if (!n)
		return 0;
	struct farm_node **v = realloc(b->spare, (b->n_spare + 1) * sizeof(*v));
	if (!v) {
		farm_node_free(n);
		return farm_node_fail(b, line, column, "out of memory");
	}
	b->spare = v;
	v[b->n_spare++] = n;
	return 0;
}

/* Appends the pair to map; takes key and value (freed on failure). */
int farm_node_pair_add(struct farm_node *map, struct farm_node *key, struct farm_node *value)
{
	struct farm_node_pair *pairs = realloc(map->pairs, (map->n_pairs + 1) * sizeof(*pairs));
	if (!pairs) {
		farm_node_free(key);
		farm_node_free(value);
		return -1;
	}
	map->pairs = pairs;
	pairs[map->n_pairs].key = key;
	pairs[map->n_pairs].value = value;
	map->n_pairs++;
	return 0;
}

/* Nodes in n and its height, counting no further than limit + 1. */
size_t farm_node_count(const struct farm_node *n, size_t limit, size_t *height)
{
	size_t count = 1, h = 0, sub;
	for (size_t i = 0; i < n->n_items && count <= limit; i++) {
		count += farm_node_count(n->items[i], limit - count, &sub);
		h = sub > h ? sub : h;
	}
	for (size_t i = 0; i < n->n_pairs && count <= limit; i++) {
		count += 1 + farm_node_count(n->pairs[i].value, limit - count, &sub);
		h = sub > h ? sub : h;
	}
	*height = h + (n->kind != FARM_NODE_SCALAR);
	return count;
}

/* A deep copy of n; via (when set) becomes the place of every copied
 * node. NULL when out of memory. */
struct farm_node *farm_node_copy(const struct farm_node *n, const struct farm_node *via)
{
	struct farm_node *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->kind = n->kind;
	c->line = n->line;
	c->column = n->column;
	c->end_line = n->end_line;
	c->end_column = n->end_column;
	c->via_line = via ? via->line : n->via_line;
	c->via_column = via ? via->column : n->via_column;
	c->is_null = n->is_null;
	if (n->scalar && !(c->scalar = farm_strdup(n->scalar)))
		goto fail;
	if (n->n_items && !(c->items = calloc(n->n_items, sizeof(*c->items))))
		goto fail;
	for (; c->n_items < n->n_items; c->n_items++)
		if (!(c->items[c->n_items] = farm_node_copy(n->items[c->n_items], via)))
			goto fail;
	if (n->n_pairs && !(c->pairs = calloc(n->n_pairs, sizeof(*c->pairs))))
		goto fail;
	for (; c->n_pairs < n->n_pairs; c->n_pairs++) {
		struct farm_node_pair *p = &c->pairs[c->n_pairs];
		p->key = farm_node_copy(n->pairs[c->n_pairs].key, via);
		p->value = p->key ? farm_node_copy(n->pairs[c->n_pairs].value, via) : NULL;
		if (!p->value) {
			farm_node_free(p->key);
			goto fail;
		}
	}
	return c;
fail:
	farm_node_free(c);
	return NULL;
}

static int has_key(const char *const *keys, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(keys[i], key) == 0)
			return 1;
	return 0;
}

static int out_has_key(const struct farm_node *out, const char *key)
{
	for (size_t i = 0; i < out->n_pairs; i++)
		if (strcmp(out->pairs[i].key->scalar, key) == 0)
			return 1;
	return 0;
}

/* Moves (or, from a node an anchor still names, copies) the pairs of src
 * whose keys neither the mapping sets itself (own) nor out already has. */
static int merge_from(struct farm_node_build *b, const char *const *own, size_t n_own,
                      struct farm_node *out, struct farm_node *src, int copy, int line, int column)
{
	for (size_t i = 0; i < src->n_pairs; i++) {
		struct farm_node_pair *p = &src->pairs[i];
		int skip = has_key(own, n_own, p->key->scalar) || out_has_key(out, p->key->scalar);
		if (copy) {
			if (skip)
				continue;
			size_t height, room = FARM_MAX_NODES - b->n_nodes;
			size_t count = 1 + farm_node_count(p->value, room, &height);
			if (count > room)
				return farm_node_fail(b, line, column,
				                      "more than %d nodes with merges expanded",
				                      FARM_MAX_NODES);
			b->n_nodes += count;
			struct farm_node *k = farm_node_copy(p->key, NULL);
			struct farm_node *v = k ? farm_node_copy(p->value, NULL) : NULL;
			if (!v) {
				farm_node_free(k);
				return farm_node_fail(b, line, column, "out of memory");
			}
			if (farm_node_pair_add(out, k, v) < 0)
				return farm_node_fail(b, line, column, "out of memory");
			continue;
		}
		struct farm_node *k = p->key, *v = p->value;
		p->key = p->value = NULL;
		if (skip) {
			if (spare_add(b, k, line, column) < 0) {
				farm_node_free(v);
				return -1;
			}
			if (spare_add(b, v, line, column) < 0)
				return -1;
		} else if (farm_node_pair_add(out, k, v) < 0) {
			return farm_node_fail(b, line, column, "out of memory");
		}
	}
	return 0;
}

/* Resolves the "<<" keys of a finished mapping: each is replaced, where it
 * stood, by the pairs of the mapping (or list of mappings) it names, less
 * the keys the mapping sets itself or an earlier merge already gave. */
int farm_node_merge(struct farm_node_build *b, struct farm_node *map, int end_line, int end_column)
{
	struct farm_node out = {.kind = FARM_NODE_MAP};
	const char **own = calloc(map->n_pairs, sizeof(*own));
	size_t n_own = 0;
	int rc = -1;
	if (!own)
		return farm_node_fail(b, end_line, end_column, "out of memory");
	for (size_t i = 0; i < map->n_pairs; i++) {
		const struct farm_node_pair *p = &map->pairs[i];
		const struct farm_node *v = p->value;
		if (!p->key->merge_key) {
			own[n_own++] = p->key->scalar;
			continue;
		}
		int ok = v->kind == FARM_NODE_MAP || (v->kind == FARM_NODE_SEQ && v->n_items > 0);
		for (size_t k = 0; v->kind == FARM_NODE_SEQ && k < v->n_items; k++)
			ok &= v->items[k]->kind == FARM_NODE_MAP;
		if (!ok) {
			farm_node_fail(b, p->key->line, p->key->column,
			               "a merge key (<<) takes a mapping or a list of mappings");
			goto out;
		}
	}
	/* Key and value nodes move from map to out (or to spare) one by one, so
	 * that each is owned by exactly one of them at every step. */
	for (size_t i = 0; i < map->n_pairs; i++) {
		struct farm_node_pair *p = &map->pairs[i];
		struct farm_node *k = p->key, *v = p->value;
		if (!k->merge_key) {
			p->key = p->value = NULL;
			if (farm_node_pair_add(&out, k, v) < 0) {
				farm_node_fail(b, end_line, end_column, "out of memory");
				goto out;
			}
			continue;
		}
		/* A node an anchor names is copied from, so that later aliases
		 * still find it whole. */
		if (v->kind == FARM_NODE_MAP &&
		    merge_from(b, own, n_own, &out, v, v->anchored, end_line, end_column) < 0)
			goto out;
		for (size_t j = 0; v->kind == FARM_NODE_SEQ && j < v->n_items; j++)
			if (merge_from(b, own, n_own, &out, v->items[j],
			               v->anchored || v->items[j]->anchored, end_line,
			               end_column) < 0)
				goto out;
		p->key = p->value = NULL;
		if (spare_add(b, k, end_line, end_column) < 0) {
			farm_node_free(v);
			goto out;
		}
		if (spare_add(b, v, end_line, end_column) < 0)
			goto out;
	}
	rc = 0;
out:
	/* After a failure, what is still in map goes with what moved to out. */
	for (size_t i = 0; i < map->n_pairs; i++)
		if (map->pairs[i].key &&
		    farm_node_pair_add(&out, map->pairs[i].key, map->pairs[i].value) < 0)
			rc = -1;
	free(map->pairs);
	map->pairs = out.pairs;
	map->n_pairs = out.n_pairs;
	free(own);
	return rc;
}
