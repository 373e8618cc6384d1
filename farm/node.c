/* node.c — libyaml's event stream turned into a small tree of positioned
 * nodes (as h2o's yoml does), so that validation can name file:line:column
 * for every value. Aliases are rejected; anchors and tags are ignored. */
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
};

struct builder {
	const char *name;
	struct farm_error *err;
	struct frame stack[FARM_MAX_DEPTH];
	size_t depth;
	struct farm_node *root;
	size_t n_nodes;
};

static int fail_at(struct builder *b, const yaml_mark_t *m, const char *fmt, const char *arg)
{
	char msg[FARM_EMSG / 2];
	snprintf(msg, sizeof(msg), fmt, arg);
	farm_err_set(b->err, "%s:%zu:%zu: %s", b->name, m->line + 1, m->column + 1, msg);
	return -1;
}

static int push_child(struct builder *b, struct farm_node *n, const yaml_mark_t *m)
{
	if (++b->n_nodes > FARM_MAX_NODES) {
		farm_node_free(n);
		return fail_at(b, m, "more than %s nodes", "1000000");
	}
	if (b->depth == 0) {
		if (b->root) {
			farm_node_free(n);
			return fail_at(b, m, "%s", "more than one value at the top level");
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
			return fail_at(b, m, "%s", "out of memory");
		}
		f->node->items = items;
		items[f->node->n_items++] = n;
		return 0;
	}
	if (!f->pending_key) {
		if (n->kind != FARM_NODE_SCALAR) {
			farm_node_free(n);
			return fail_at(b, m, "%s", "a mapping key must be a string");
		}
		f->pending_key = n;
		return 0;
	}
	struct farm_node_pair *pairs =
	    realloc(f->node->pairs, (f->node->n_pairs + 1) * sizeof(*pairs));
	if (!pairs) {
		farm_node_free(n);
		return fail_at(b, m, "%s", "out of memory");
	}
	f->node->pairs = pairs;
	pairs[f->node->n_pairs].key = f->pending_key;
	pairs[f->node->n_pairs].value = n;
	f->node->n_pairs++;
	f->pending_key = NULL;
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

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	const char *v = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	if (memchr(v, '\0', len))
		return fail_at(b, m, "%s", "a string cannot contain a NUL character");
	struct farm_node *n = node_new(FARM_NODE_SCALAR, m);
	if (!n || !(n->scalar = farm_strndup(v, len))) {
		farm_node_free(n);
		return fail_at(b, m, "%s", "out of memory");
	}
	if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (len == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	     strcmp(v, "NULL") == 0))
		n->is_null = 1;
	return push_child(b, n, m);
}

static int on_start(struct builder *b, const yaml_event_t *ev, enum farm_node_kind kind)
{
	const yaml_mark_t *m = &ev->start_mark;
	if (b->depth == FARM_MAX_DEPTH)
		return fail_at(b, m, "nesting deeper than %s levels", "64");
	struct farm_node *n = node_new(kind, m);
	if (!n)
		return fail_at(b, m, "%s", "out of memory");
	if (push_child(b, n, m) < 0)
		return -1;
	/* push_child made n owned by its parent (or the root) */
	b->stack[b->depth].node = n;
	b->stack[b->depth].pending_key = NULL;
	b->depth++;
	return 0;
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
	yaml_parser_t parser;
	yaml_event_t ev;
	struct builder b = {.name = name, .err = err};
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
				r = fail_at(&b, &ev.start_mark, "%s",
				            "more than one YAML document (only one is read)");
			break;
		case YAML_ALIAS_EVENT:
			r = fail_at(&b, &ev.start_mark, "aliases are not supported (*%s)",
			            (const char *)ev.data.alias.anchor);
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
			if (b.depth > 0)
				b.depth--;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (r < 0)
			goto out;
	}
	*out = b.root;
	b.root = NULL;
	rc = 0;
out:
	for (size_t i = 0; i < b.depth; i++)
		farm_node_free(b.stack[i].pending_key);
	farm_node_free(b.root);
	yaml_parser_delete(&parser);
	return rc;
}
