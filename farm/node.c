/* node.c — libyaml's event stream turned into a small tree of positioned
 * nodes (as h2o's yoml does), so that validation can name file:line:column
 * for every value. An alias becomes a copy of its anchor's node, counted
 * against FARM_MAX_NODES so that nested aliases ("billion laughs") stop
 * at the cap; merge keys (`<<`, YAML 1.1's merge type) are resolved when
 * their mapping ends. Tags are ignored. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

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

/* One open collection while events arrive. A mapping alternates between
 * waiting for a key and waiting for its value. */
struct frame {
	struct farm_node *node;
	struct farm_node *pending_key; /* MAP: key read, value not yet */
	size_t anchor;                 /* index in anchors + 1, or 0 */
	int has_merge;                 /* MAP: a "<<" key was read */
	int streamed;                  /* SEQ: the streamed `images` list */
	size_t item_anchors;           /* streamed: n_anchors when its open item began */
	size_t item_spare;             /* streamed: n_spare when its open item began */
};

/* An anchor seen so far; node is NULL while its collection is still open
 * (an alias inside it would copy itself). The tree owns node. */
struct anchor {
	char *name;
	struct farm_node *node;
};

struct builder {
	const char *name;
	struct farm_error *err;
	struct frame stack[FARM_MAX_DEPTH];
	size_t depth;
	struct farm_node *root;
	size_t n_nodes;
	struct anchor *anchors;
	size_t n_anchors;
	/* Nodes a merge took apart. Freed only at the end (or with their
	 * streamed item): an anchor may still point at them or into them. */
	struct farm_node **spare;
	size_t n_spare;
	/* Streaming (farm_node_parse_stream): s NULL when the tree is built
	 * whole. kept: copies of the anchored nodes of items already handed
	 * over, which later aliases copy from. */
	struct farm_node_stream *s;
	int stream_seen; /* the root's first "images" value has begun */
	int stopped;     /* s->stop_after and the streamed list ended */
	struct farm_node **kept;
	size_t n_kept;
};

static int fail_at(struct builder *b, const yaml_mark_t *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_at(struct builder *b, const yaml_mark_t *m, const char *fmt, ...)
{
	char msg[FARM_EMSG / 2];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	farm_err_set(b->err, "%s:%zu:%zu: %s", b->name, m->line + 1, m->column + 1, msg);
	return -1;
}

static int spare_add(struct builder *b, struct farm_node *n, const yaml_mark_t *m)
{
	if (!n)
		return 0;
	struct farm_node **v = realloc(b->spare, (b->n_spare + 1) * sizeof(*v));
	if (!v) {
		farm_node_free(n);
		return fail_at(b, m, "out of memory");
	}
	b->spare = v;
	v[b->n_spare++] = n;
	return 0;
}

/* Appends the pair to map; takes key and value (freed on failure). */
static int pair_add(struct farm_node *map, struct farm_node *key, struct farm_node *value)
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

/* Adds n (which stands for `count` nodes) to the open collection or as the
 * root; takes n. */
static int push_child(struct builder *b, struct farm_node *n, size_t count, const yaml_mark_t *m)
{
	if (count > FARM_MAX_NODES - b->n_nodes) {
		farm_node_free(n);
		return fail_at(b, m, "more than %d nodes", FARM_MAX_NODES);
	}
	b->n_nodes += count;
	if (b->depth == 0) {
		if (b->root) {
			farm_node_free(n);
			return fail_at(b, m, "more than one value at the top level");
		}
		b->root = n;
		return 0;
	}
	struct frame *f = &b->stack[b->depth - 1];
	if (f->node->kind == FARM_NODE_SEQ) {
		struct farm_node **items =
		    realloc(f->node->items, (f->node->n_items + 1) * sizeof(*items));
		if (!items) {
			farm_node_free(n);
			return fail_at(b, m, "out of memory");
		}
		f->node->items = items;
		items[f->node->n_items++] = n;
		return 0;
	}
	if (!f->pending_key) {
		if (n->kind != FARM_NODE_SCALAR) {
			farm_node_free(n);
			return fail_at(b, m, "a mapping key must be a string");
		}
		f->pending_key = n;
		f->has_merge |= n->merge_key;
		return 0;
	}
	struct farm_node *key = f->pending_key;
	f->pending_key = NULL;
	if (pair_add(f->node, key, n) < 0)
		return fail_at(b, m, "out of memory");
	return 0;
}

static struct farm_node *node_new(enum farm_node_kind kind, const yaml_mark_t *m)
{
	struct farm_node *n = calloc(1, sizeof(*n));
	if (n) {
		n->kind = kind;
		n->line = (int)m->line + 1;
		n->column = (int)m->column + 1;
	}
	return n;
}

/* Registers an anchor for n (NULL while its collection is open); returns
 * its index + 1, or 0 with the error set. */
static size_t anchor_add(struct builder *b, const yaml_char_t *name, struct farm_node *n,
                         const yaml_mark_t *m)
{
	struct anchor *v = realloc(b->anchors, (b->n_anchors + 1) * sizeof(*v));
	if (!v) {
		fail_at(b, m, "out of memory");
		return 0;
	}
	b->anchors = v;
	if (!(v[b->n_anchors].name = farm_strdup((const char *)name))) {
		fail_at(b, m, "out of memory");
		return 0;
	}
	v[b->n_anchors].node = n;
	return ++b->n_anchors;
}

/* Nodes in n and its height, counting no further than limit + 1. */
static size_t node_count(const struct farm_node *n, size_t limit, size_t *height)
{
	size_t count = 1, h = 0, sub;
	for (size_t i = 0; i < n->n_items && count <= limit; i++) {
		count += node_count(n->items[i], limit - count, &sub);
		h = sub > h ? sub : h;
	}
	for (size_t i = 0; i < n->n_pairs && count <= limit; i++) {
		count += 1 + node_count(n->pairs[i].value, limit - count, &sub);
		h = sub > h ? sub : h;
	}
	*height = h + (n->kind != FARM_NODE_SCALAR);
	return count;
}

/* A deep copy of n; via (when set) becomes the place of every copied
 * node. NULL when out of memory. */
static struct farm_node *node_copy(const struct farm_node *n, const struct farm_node *via)
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
		if (!(c->items[c->n_items] = node_copy(n->items[c->n_items], via)))
			goto fail;
	if (n->n_pairs && !(c->pairs = calloc(n->n_pairs, sizeof(*c->pairs))))
		goto fail;
	for (; c->n_pairs < n->n_pairs; c->n_pairs++) {
		struct farm_node_pair *p = &c->pairs[c->n_pairs];
		p->key = node_copy(n->pairs[c->n_pairs].key, via);
		p->value = p->key ? node_copy(n->pairs[c->n_pairs].value, via) : NULL;
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

/* The open mapping at the root, waiting for the value of its first
 * "images" key: that value is the list a stream hands over item by item. */
static int images_value_next(struct builder *b)
{
	const struct frame *f = &b->stack[0];
	return b->s && !b->stream_seen && b->depth == 1 && f->node->kind == FARM_NODE_MAP &&
	       f->pending_key && strcmp(f->pending_key->scalar, "images") == 0;
}

/* The streamed list is the open collection: what is pushed next is an item. */
static struct frame *stream_parent(struct builder *b)
{
	struct frame *f = b->depth ? &b->stack[b->depth - 1] : NULL;
	return f && f->streamed ? f : NULL;
}

/* The streamed list's last item is complete: the anchors made inside it
 * are copied (later aliases still find them), the nodes its merges took
 * apart are freed, and the item is handed to the stream, then freed. */
static int deliver(struct builder *b, struct frame *f, const yaml_mark_t *m)
{
	struct farm_node *item = f->node->items[--f->node->n_items];
	int rc = 0;

	for (size_t i = f->item_anchors; i < b->n_anchors && rc == 0; i++) {
		struct farm_node *c, **v;
		if (!b->anchors[i].node)
			continue;
		if (!(v = realloc(b->kept, (b->n_kept + 1) * sizeof(*v))) ||
		    !(c = node_copy(b->anchors[i].node, NULL))) {
			if (v)
				b->kept = v;
			rc = fail_at(b, m, "out of memory");
			break;
		}
		b->kept = v;
		v[b->n_kept++] = c;
		b->anchors[i].node = c;
	}
	for (size_t i = f->item_spare; i < b->n_spare; i++)
		farm_node_free(b->spare[i]);
	b->n_spare = f->item_spare;
	if (rc == 0 && b->s->item(b->s->ctx, b->root, item, b->s->n_items) < 0)
		rc = -1;
	b->s->n_items++;
	farm_node_free(item);
	return rc;
}

/* Marks where the next item of the streamed list begins. */
static void item_begins(struct builder *b)
{
	struct frame *f = stream_parent(b);
	if (f) {
		f->item_anchors = b->n_anchors;
		f->item_spare = b->n_spare;
	}
}

static int on_alias(struct builder *b, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	const char *name = (const char *)ev->data.alias.anchor;
	const struct anchor *a = NULL;
	for (size_t i = b->n_anchors; i > 0 && !a; i--)
		if (strcmp(b->anchors[i - 1].name, name) == 0)
			a = &b->anchors[i - 1];
	if (!a)
		return fail_at(b, m, "alias *%s: no anchor &%s before it", name, name);
	if (!a->node)
		return fail_at(b, m, "alias *%s is inside the node it names", name);
	size_t height, room = FARM_MAX_NODES - b->n_nodes;
	size_t count = node_count(a->node, room, &height);
	if (count > room)
		return fail_at(b, m, "alias *%s: more than %d nodes with aliases expanded", name,
		               FARM_MAX_NODES);
	if (b->depth + height > FARM_MAX_DEPTH)
		return fail_at(b, m, "alias *%s: nesting deeper than %d levels", name,
		               FARM_MAX_DEPTH);
	struct farm_node via = {.line = (int)m->line + 1, .column = (int)m->column + 1};
	struct farm_node *c = node_copy(a->node, &via);
	if (!c)
		return fail_at(b, m, "out of memory");
	if (images_value_next(b))
		b->stream_seen = 1; /* an alias: the list is held whole */
	item_begins(b);
	if (push_child(b, c, count, m) < 0)
		return -1;
	struct frame *f = stream_parent(b);
	return f ? deliver(b, f, m) : 0;
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	const char *v = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	if (memchr(v, '\0', len))
		return fail_at(b, m, "a string cannot contain a NUL character");
	struct farm_node *n = node_new(FARM_NODE_SCALAR, m);
	if (!n || !(n->scalar = farm_strndup(v, len))) {
		farm_node_free(n);
		return fail_at(b, m, "out of memory");
	}
	if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (len == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	     strcmp(v, "NULL") == 0))
		n->is_null = 1;
	n->merge_key = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && strcmp(v, "<<") == 0;
	n->anchored = ev->data.scalar.anchor != NULL;
	if (images_value_next(b))
		b->stream_seen = 1; /* not a list: read whole, as an error */
	item_begins(b);
	if (push_child(b, n, 1, m) < 0)
		return -1;
	/* push_child made n owned by its parent (or the root) */
	if (ev->data.scalar.anchor && !anchor_add(b, ev->data.scalar.anchor, n, m))
		return -1;
	struct frame *f = stream_parent(b);
	return f ? deliver(b, f, m) : 0;
}

static int on_start(struct builder *b, const yaml_event_t *ev, enum farm_node_kind kind)
{
	const yaml_mark_t *m = &ev->start_mark;
	const yaml_char_t *anchor =
	    kind == FARM_NODE_SEQ ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;
	if (b->depth == FARM_MAX_DEPTH)
		return fail_at(b, m, "nesting deeper than %d levels", FARM_MAX_DEPTH);
	struct farm_node *n = node_new(kind, m);
	if (!n)
		return fail_at(b, m, "out of memory");
	n->anchored = anchor != NULL;
	/* An anchored list is named by aliases: it is held whole. */
	int streamed = images_value_next(b) && kind == FARM_NODE_SEQ && !anchor;
	if (images_value_next(b))
		b->stream_seen = 1;
	item_begins(b);
	if (push_child(b, n, 1, m) < 0)
		return -1;
	/* push_child made n owned by its parent (or the root) */
	struct frame *f = &b->stack[b->depth];
	memset(f, 0, sizeof(*f));
	f->node = n;
	f->streamed = streamed;
	if (streamed)
		b->s->seq = n;
	if (anchor && !(f->anchor = anchor_add(b, anchor, NULL, m)))
		return -1;
	b->depth++;
	return 0;
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
static int merge_from(struct builder *b, const char *const *own, size_t n_own,
                      struct farm_node *out, struct farm_node *src, int copy, const yaml_mark_t *m)
{
	for (size_t i = 0; i < src->n_pairs; i++) {
		struct farm_node_pair *p = &src->pairs[i];
		int skip = has_key(own, n_own, p->key->scalar) || out_has_key(out, p->key->scalar);
		if (copy) {
			if (skip)
				continue;
			size_t height, room = FARM_MAX_NODES - b->n_nodes;
			size_t count = 1 + node_count(p->value, room, &height);
			if (count > room)
				return fail_at(b, m, "more than %d nodes with merges expanded",
				               FARM_MAX_NODES);
			b->n_nodes += count;
			struct farm_node *k = node_copy(p->key, NULL);
			struct farm_node *v = k ? node_copy(p->value, NULL) : NULL;
			if (!v) {
				farm_node_free(k);
				return fail_at(b, m, "out of memory");
			}
			if (pair_add(out, k, v) < 0)
				return fail_at(b, m, "out of memory");
			continue;
		}
		struct farm_node *k = p->key, *v = p->value;
		p->key = p->value = NULL;
		if (skip) {
			if (spare_add(b, k, m) < 0) {
				farm_node_free(v);
				return -1;
			}
			if (spare_add(b, v, m) < 0)
				return -1;
		} else if (pair_add(out, k, v) < 0) {
			return fail_at(b, m, "out of memory");
		}
	}
	return 0;
}

/* Resolves the "<<" keys of a finished mapping: each is replaced, where it
 * stood, by the pairs of the mapping (or list of mappings) it names, less
 * the keys the mapping sets itself or an earlier merge already gave. */
static int resolve_merges(struct builder *b, struct farm_node *map, const yaml_mark_t *end)
{
	struct farm_node out = {.kind = FARM_NODE_MAP};
	const char **own = calloc(map->n_pairs, sizeof(*own));
	size_t n_own = 0;
	int rc = -1;
	if (!own)
		return fail_at(b, end, "out of memory");
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
			yaml_mark_t at = {.line = (size_t)p->key->line - 1,
			                  .column = (size_t)p->key->column - 1};
			fail_at(b, &at, "a merge key (<<) takes a mapping or a list of mappings");
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
			if (pair_add(&out, k, v) < 0) {
				fail_at(b, end, "out of memory");
				goto out;
			}
			continue;
		}
		/* A node an anchor names is copied from, so that later aliases
		 * still find it whole. */
		if (v->kind == FARM_NODE_MAP &&
		    merge_from(b, own, n_own, &out, v, v->anchored, end) < 0)
			goto out;
		for (size_t j = 0; v->kind == FARM_NODE_SEQ && j < v->n_items; j++)
			if (merge_from(b, own, n_own, &out, v->items[j],
			               v->anchored || v->items[j]->anchored, end) < 0)
				goto out;
		p->key = p->value = NULL;
		if (spare_add(b, k, end) < 0) {
			farm_node_free(v);
			goto out;
		}
		if (spare_add(b, v, end) < 0)
			goto out;
	}
	rc = 0;
out:
	/* After a failure, what is still in map goes with what moved to out. */
	for (size_t i = 0; i < map->n_pairs; i++)
		if (map->pairs[i].key && pair_add(&out, map->pairs[i].key, map->pairs[i].value) < 0)
			rc = -1;
	free(map->pairs);
	map->pairs = out.pairs;
	map->n_pairs = out.n_pairs;
	free(own);
	return rc;
}

static int on_end(struct builder *b, const yaml_event_t *ev)
{
	if (b->depth == 0)
		return 0;
	struct frame *f = &b->stack[--b->depth];
	f->node->end_line = (int)ev->start_mark.line + 1;
	f->node->end_column = (int)ev->start_mark.column + 1;
	if (f->has_merge && resolve_merges(b, f->node, &ev->start_mark) < 0)
		return -1;
	if (f->anchor)
		b->anchors[f->anchor - 1].node = f->node;
	if (f->streamed) {
		b->stopped = b->s->stop_after;
		return 0;
	}
	struct frame *parent = stream_parent(b);
	return parent ? deliver(b, parent, &ev->start_mark) : 0;
}

static void yaml_fail(struct builder *b, const yaml_parser_t *p)
{
	const yaml_mark_t *m = &p->problem_mark;
	if (p->error == YAML_READER_ERROR)
		m = &p->mark;
	if (p->error == YAML_MEMORY_ERROR) {
		farm_err_set(b->err, "%s: out of memory", b->name);
		return;
	}
	const char *problem = p->problem ? p->problem : "unknown error";
	/* libyaml's context names the construct being read and where it began,
	 * which is often where the mistake is. */
	if (p->context)
		farm_err_set(b->err,
		             "%s:%zu:%zu: YAML syntax error: %s (%s that started at %zu:%zu)",
		             b->name, m->line + 1, m->column + 1, problem, p->context,
		             p->context_mark.line + 1, p->context_mark.column + 1);
	else
		farm_err_set(b->err, "%s:%zu:%zu: YAML syntax error: %s", b->name, m->line + 1,
		             m->column + 1, problem);
}

int farm_node_parse(const char *name, const char *data, size_t len, struct farm_node **out,
                    struct farm_error *err)
{
	return farm_node_parse_stream(name, data, len, NULL, out, err);
}

int farm_node_parse_stream(const char *name, const char *data, size_t len,
                           struct farm_node_stream *s, struct farm_node **out,
                           struct farm_error *err)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct builder b = {.name = name, .err = err, .s = s};
	int rc = -1, documents = 0, done = 0;

	*out = NULL;
	if (!yaml_parser_initialize(&parser)) {
		farm_err_set(err, "%s: out of memory", name);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			yaml_fail(&b, &parser);
			goto out;
		}
		int r = 0;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++documents > 1)
				r = fail_at(&b, &ev.start_mark,
				            "more than one YAML document (only one is read)");
			break;
		case YAML_ALIAS_EVENT:
			r = on_alias(&b, &ev);
			break;
		case YAML_SCALAR_EVENT:
			r = on_scalar(&b, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			r = on_start(&b, &ev, FARM_NODE_SEQ);
			break;
		case YAML_MAPPING_START_EVENT:
			r = on_start(&b, &ev, FARM_NODE_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			r = on_end(&b, &ev);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (r < 0)
			goto out;
		if (b.stopped) {
			rc = 0; /* the rest of the file is not read: no tree */
			goto out;
		}
	}
	*out = b.root;
	b.root = NULL;
	rc = 0;
out:
	for (size_t i = 0; i < b.depth; i++)
		farm_node_free(b.stack[i].pending_key);
	farm_node_free(b.root);
	for (size_t i = 0; i < b.n_spare; i++)
		farm_node_free(b.spare[i]);
	free(b.spare);
	for (size_t i = 0; i < b.n_anchors; i++)
		free(b.anchors[i].name);
	free(b.anchors);
	for (size_t i = 0; i < b.n_kept; i++)
		farm_node_free(b.kept[i]);
	free(b.kept);
	yaml_parser_delete(&parser);
	return rc;
}
