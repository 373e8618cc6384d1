/* node_load.c — libyaml's document loader (yaml_parser_load) reads the
 * YAML into a graph of nodes with start and end marks, where an alias is
 * one more edge to the node its anchor names; this walks that graph in
 * document order into farm's tree of positioned nodes (node.c), so that
 * validation can name file:line:column for every value. An alias becomes a
 * copy of its node, counted against FARM_MAX_NODES so that nested aliases
 * ("billion laughs") stop at the cap. The document keeps no place or name
 * for an alias: both are read from the text after the node before it.
 * Tags are ignored. */
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "farm_internal.h"
#include "node_text.h"

/* ---- the document into the tree ------------------------------------------ */

/* What the walk knows of one node of the document. */
struct slot {
	struct farm_node *node; /* built; the tree owns it */
	unsigned refs;          /* edges to it: more than one when aliases name it */
	unsigned char state;    /* 0 not reached, 1 being built, 2 built */
};

struct loader {
	struct farm_node_build b;
	yaml_document_t *doc;
	struct slot *slots;
	struct farm_text text;
	yaml_mark_t last; /* where the last node read ends */
};

#define fail_at(l, m, ...)                                                                         \
	farm_node_fail(&(l)->b, (int)(m)->line + 1, (int)(m)->column + 1, __VA_ARGS__)

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

static int count_node(struct loader *l, const yaml_mark_t *m)
{
	if (l->b.n_nodes >= FARM_MAX_NODES)
		return fail_at(l, m, "more than %d nodes", FARM_MAX_NODES);
	l->b.n_nodes++;
	return 0;
}

/* A second edge to a node: the alias after the last node read, copied
 * from the node its anchor names. */
static int read_alias(struct loader *l, const struct slot *s, size_t depth, int key,
                      struct farm_node **out)
{
	char name[FARM_EMSG / 2];
	yaml_mark_t m = l->last;
	farm_text_gap(&l->text, &m, 1);
	yaml_mark_t at = m;
	farm_text_name(&l->text, &m, name, sizeof(name));
	l->last = m;
	if (s->state == 1)
		return fail_at(l, &at, "alias *%s is inside the node it names", name);
	size_t height, room = FARM_MAX_NODES - l->b.n_nodes;
	size_t count = farm_node_count(s->node, room, &height);
	if (count > room)
		return fail_at(l, &at, "alias *%s: more than %d nodes with aliases expanded", name,
		               FARM_MAX_NODES);
	if (depth + height > FARM_MAX_DEPTH)
		return fail_at(l, &at, "alias *%s: nesting deeper than %d levels", name,
		               FARM_MAX_DEPTH);
	struct farm_node via = {.line = (int)at.line + 1, .column = (int)at.column + 1};
	struct farm_node *c = farm_node_copy(s->node, &via);
	if (!c)
		return fail_at(l, &at, "out of memory");
	l->b.n_nodes += count;
	if (key && c->kind != FARM_NODE_SCALAR) {
		farm_node_free(c);
		return fail_at(l, &at, "a mapping key must be a string");
	}
	*out = c;
	return 0;
}

static int read_scalar(struct loader *l, yaml_node_t *y, struct farm_node **out)
{
	const yaml_mark_t *m = &y->start_mark;
	const char *v = (const char *)y->data.scalar.value;
	size_t len = y->data.scalar.length;
	if (memchr(v, '\0', len))
		return fail_at(l, m, "a string cannot contain a NUL character");
	struct farm_node *n = node_new(FARM_NODE_SCALAR, m);
	if (!n)
		return fail_at(l, m, "out of memory");
	/* The text moves to the tree (see release). */
	n->scalar = (char *)y->data.scalar.value;
	y->data.scalar.value = NULL;
	int plain = y->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	n->is_null = plain && (len == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	                       strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0);
	n->merge_key = plain && strcmp(v, "<<") == 0;
	if (count_node(l, m) < 0) {
		farm_node_free(n);
		return -1;
	}
	l->last = y->end_mark;
	*out = n;
	return 0;
}

/* Frees what the walk no longer needs of a node it has read (a second
 * edge to it copies the tree's node instead), so that the document shrinks
 * while the tree grows: its tag and its list of items or pairs; a scalar's
 * text was moved to the tree. libyaml allocates with malloc and
 * NUL-terminates every scalar, and yaml_document_delete passes over what is
 * NULL here. */
static void release(yaml_node_t *y)
{
	free(y->tag);
	y->tag = NULL;
	if (y->type == YAML_SEQUENCE_NODE) {
		free(y->data.sequence.items.start);
		y->data.sequence.items.start = y->data.sequence.items.end = NULL;
		y->data.sequence.items.top = NULL;
	} else if (y->type == YAML_MAPPING_NODE) {
		free(y->data.mapping.pairs.start);
		y->data.mapping.pairs.start = y->data.mapping.pairs.end = NULL;
		y->data.mapping.pairs.top = NULL;
	}
}

static int read_node(struct loader *l, int idx, size_t depth, int key, struct farm_node **out);

static int read_items(struct loader *l, yaml_node_t *y, struct farm_node *n, size_t depth)
{
	yaml_node_item_t *it = y->data.sequence.items.start;
	size_t count = (size_t)(y->data.sequence.items.top - it);
	if (count && !(n->items = calloc(count, sizeof(*n->items))))
		return fail_at(l, &y->start_mark, "out of memory");
	for (size_t i = 0; i < count; i++) {
		if (read_node(l, it[i], depth + 1, 0, &n->items[i]) < 0)
			return -1;
		n->n_items++;
	}
	return 0;
}

/* Sets *has_merge when a key is the plain "<<". */
static int read_pairs(struct loader *l, yaml_node_t *y, struct farm_node *n, size_t depth,
                      int *has_merge)
{
	yaml_node_pair_t *p = y->data.mapping.pairs.start;
	size_t count = (size_t)(y->data.mapping.pairs.top - p);
	if (count && !(n->pairs = calloc(count, sizeof(*n->pairs))))
		return fail_at(l, &y->start_mark, "out of memory");
	for (size_t i = 0; i < count; i++) {
		struct farm_node_pair *pair = &n->pairs[i];
		if (read_node(l, p[i].key, depth + 1, 1, &pair->key) < 0)
			return -1;
		*has_merge |= pair->key->merge_key;
		if (read_node(l, p[i].value, depth + 1, 0, &pair->value) < 0) {
			farm_node_free(pair->key);
			pair->key = NULL;
			return -1;
		}
		n->n_pairs++;
	}
	return 0;
}

/* 1 when the collection's end mark is after its closing bracket: where
 * '[' or '{' opens it (a flow mapping may also be one "key: value" pair
 * inside a flow list, which ends where the next token starts). */
static int ends_after_bracket(struct loader *l, const yaml_node_t *y)
{
	if (y->type == YAML_SEQUENCE_NODE)
		return y->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE;
	if (y->data.mapping.style != YAML_FLOW_MAPPING_STYLE)
		return 0;
	yaml_mark_t m = y->start_mark;
	return farm_text_gap(&l->text, &m, 0) == '{';
}

static int read_collection(struct loader *l, yaml_node_t *y, struct slot *s, size_t depth, int key,
                           struct farm_node **out)
{
	const yaml_mark_t *m = &y->start_mark;
	enum farm_node_kind kind = y->type == YAML_SEQUENCE_NODE ? FARM_NODE_SEQ : FARM_NODE_MAP;
	int has_merge = 0, rc;
	if (depth == FARM_MAX_DEPTH)
		return fail_at(l, m, "nesting deeper than %d levels", FARM_MAX_DEPTH);
	if (count_node(l, m) < 0)
		return -1;
	if (key)
		return fail_at(l, m, "a mapping key must be a string");
	struct farm_node *n = node_new(kind, m);
	if (!n)
		return fail_at(l, m, "out of memory");
	/* the old parser's end: where the end token starts */
	int bracket = ends_after_bracket(l, y);
	s->state = 1;
	l->last = *m;
	if (kind == FARM_NODE_SEQ)
		rc = read_items(l, y, n, depth);
	else
		rc = read_pairs(l, y, n, depth, &has_merge);
	n->end_line = (int)y->end_mark.line + 1;
	n->end_column = (int)y->end_mark.column + 1 - bracket;
	if (rc == 0 && has_merge)
		rc = farm_node_merge(&l->b, n, n->end_line, n->end_column);
	if (rc < 0) {
		farm_node_free(n);
		return -1;
	}
	l->last = y->end_mark;
	*out = n;
	return 0;
}

/* The node at index idx of the document, reached with depth collections
 * open around it (key: as a mapping key), into *out. */
static int read_node(struct loader *l, int idx, size_t depth, int key, struct farm_node **out)
{
	yaml_node_t *y = yaml_document_get_node(l->doc, idx);
	if (!y)
		return fail_at(l, &l->last, "a node the YAML document does not have");
	struct slot *s = &l->slots[idx - 1];
	if (s->state)
		return read_alias(l, s, depth, key, out);
	int rc = y->type == YAML_SCALAR_NODE ? read_scalar(l, y, out)
	                                     : read_collection(l, y, s, depth, key, out);
	if (rc < 0)
		return -1;
	(*out)->anchored = s->refs > 1;
	s->node = *out;
	s->state = 2;
	release(y);
	return 0;
}

/* Counts the edges to every node, then reads the tree from the root. */
static int read_document(struct loader *l, yaml_document_t *doc, struct farm_node **out)
{
	size_t n = (size_t)(doc->nodes.top - doc->nodes.start);
	l->doc = doc;
	if (!(l->slots = calloc(n, sizeof(*l->slots))))
		return farm_node_fail(&l->b, 1, 1, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *y = &doc->nodes.start[i];
		if (y->type == YAML_SEQUENCE_NODE) {
			for (const yaml_node_item_t *it = y->data.sequence.items.start;
			     it < y->data.sequence.items.top; it++)
				if (*it >= 1 && (size_t)*it <= n)
					l->slots[*it - 1].refs++;
		} else if (y->type == YAML_MAPPING_NODE) {
			for (const yaml_node_pair_t *p = y->data.mapping.pairs.start;
			     p < y->data.mapping.pairs.top; p++) {
				if (p->key >= 1 && (size_t)p->key <= n)
					l->slots[p->key - 1].refs++;
				if (p->value >= 1 && (size_t)p->value <= n)
					l->slots[p->value - 1].refs++;
			}
		}
	}
	l->last = doc->nodes.start[0].start_mark;
	return read_node(l, 1, 0, 0, out);
}

/* ---- errors ---------------------------------------------------------------- */

static void yaml_fail(struct loader *l, const yaml_parser_t *p)
{
	const char *name = l->b.name;
	const yaml_mark_t *m = &p->problem_mark;
	if (p->error == YAML_READER_ERROR)
		m = &p->mark;
	if (p->error == YAML_MEMORY_ERROR) {
		farm_err_set(l->b.err, "%s: out of memory", name);
		return;
	}
	const char *problem = p->problem ? p->problem : "unknown error";
	/* libyaml's context names the construct being read and where it began,
	 * which is often where the mistake is. */
	if (p->context)
		farm_err_set(l->b.err,
		             "%s:%zu:%zu: YAML syntax error: %s (%s that started at %zu:%zu)", name,
		             m->line + 1, m->column + 1, problem, p->context,
		             p->context_mark.line + 1, p->context_mark.column + 1);
	else
		farm_err_set(l->b.err, "%s:%zu:%zu: YAML syntax error: %s", name, m->line + 1,
		             m->column + 1, problem);
}

/* The loader's own errors (an alias with no anchor before it, an anchor
 * named twice) said as farm says them: with the name, read from the text. */
static void load_fail(struct loader *l, const yaml_parser_t *p)
{
	char name[FARM_EMSG / 2];
	yaml_mark_t m = p->problem_mark;
	if (p->error != YAML_COMPOSER_ERROR || !p->problem) {
		yaml_fail(l, p);
	} else if (strcmp(p->problem, "found undefined alias") == 0) {
		farm_text_name(&l->text, &m, name, sizeof(name));
		fail_at(l, &p->problem_mark, "alias *%s: no anchor &%s before it", name, name);
	} else if (p->context && strstr(p->context, "duplicate anchor")) {
		yaml_mark_t first = p->context_mark;
		farm_text_anchor(&l->text, &first);
		farm_text_anchor(&l->text, &m);
		yaml_mark_t at = m;
		farm_text_name(&l->text, &m, name, sizeof(name));
		fail_at(l, &at, "anchor &%s is already used at %zu:%zu (an anchor names one node)",
		        name, first.line + 1, first.column + 1);
	} else {
		yaml_fail(l, p);
	}
}

/* 0 when the stream ends after the document read. */
static int only_document(struct loader *l, yaml_parser_t *parser)
{
	yaml_event_t ev;
	if (!yaml_parser_parse(parser, &ev)) {
		yaml_fail(l, parser);
		return -1;
	}
	int more = ev.type == YAML_DOCUMENT_START_EVENT;
	yaml_mark_t m = ev.start_mark;
	yaml_event_delete(&ev);
	return more ? fail_at(l, &m, "more than one YAML document (only one is read)") : 0;
}

/* ---- feeding libyaml -------------------------------------------------------
 * libyaml's scanner spends time in proportion to the nesting of flow
 * collections on every token, and the loader reads the whole file before
 * the walk can count anything: a file of '[' would take hours. So the text
 * goes in FEED_CHUNK bytes at a time, and the load stops once the nesting
 * passes the cap (a small pass over the events then names the place, as the
 * walk would have) or the nodes pass theirs (the walk of what is loaded names
 * it), so that what a wrong file costs stays near what the caps allow. */

#define FEED_CHUNK 256

struct feed {
	yaml_parser_t parser;
	const unsigned char *p;
	size_t len, at;
	size_t chunk; /* bytes a read gives at most */
	int loading;  /* the nesting is watched while the document loads */
	int deep;     /* the load stopped there */
	int many;     /* the load stopped past FARM_MAX_NODES, the error set */
	struct loader *l;
};

static int feed_read(void *data, unsigned char *buf, size_t size, size_t *size_read)
{
	struct feed *f = data;
	if (f->loading && f->parser.flow_level > FARM_MAX_DEPTH) {
		f->deep = 1;
		return 0;
	}
	yaml_document_t *doc = f->parser.document;
	if (f->loading && doc && (size_t)(doc->nodes.top - doc->nodes.start) > FARM_MAX_NODES) {
		/* The walk of what is loaded (in document order, as the whole
		 * would be walked) fails at the node past the cap, or before. */
		struct farm_node *root = NULL;
		if (read_document(f->l, doc, &root) == 0)
			farm_node_fail(&f->l->b, 1, 1, "more than %d nodes", FARM_MAX_NODES);
		farm_node_free(root);
		f->many = 1;
		return 0;
	}
	size_t n = f->len - f->at;
	n = n < size ? n : size;
	n = n < f->chunk ? n : f->chunk;
	memcpy(buf, f->p + f->at, n);
	f->at += n;
	*size_read = n;
	return 1;
}

/* A fresh parser on the text, chunk bytes a read, and the document loaded. */
static int feed_load(struct feed *f, const char *data, size_t len, size_t chunk,
                     yaml_document_t *doc)
{
	if (!yaml_parser_initialize(&f->parser))
		return -2;
	f->p = (const unsigned char *)data;
	f->len = len;
	f->at = 0;
	f->chunk = chunk;
	f->deep = f->many = 0;
	f->loading = 1;
	yaml_parser_set_input(&f->parser, feed_read, f);
	int ok = yaml_parser_load(&f->parser, doc);
	f->loading = 0;
	return ok ? 0 : -1;
}

/* The first collection nested past the cap, from the events (which stop
 * there); or what comes before it: a syntax error, a second document. */
static void deep_fail(struct loader *l, const char *data, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	size_t depth = 0;
	int documents = 0;
	if (!yaml_parser_initialize(&p)) {
		farm_err_set(l->b.err, "%s: out of memory", l->b.name);
		return;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			yaml_fail(l, &p);
			break;
		}
		yaml_event_type_t type = ev.type;
		yaml_mark_t m = ev.start_mark;
		yaml_event_delete(&ev);
		if (type == YAML_DOCUMENT_START_EVENT && ++documents > 1) {
			fail_at(l, &m, "more than one YAML document (only one is read)");
			break;
		}
		if ((type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT) &&
		    depth++ == FARM_MAX_DEPTH) {
			fail_at(l, &m, "nesting deeper than %d levels", FARM_MAX_DEPTH);
			break;
		}
		if (type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT)
			depth--;
		if (type == YAML_STREAM_END_EVENT) {
			fail_at(l, &m, "nesting deeper than %d levels", FARM_MAX_DEPTH);
			break;
		}
	}
	yaml_parser_delete(&p);
}

int farm_node_parse(const char *name, const char *data, size_t len, struct farm_node **out,
                    struct farm_error *err)
{
	struct feed f;
	yaml_document_t doc;
	struct loader l = {.b = {.name = name, .err = err}};
	int rc = -1, r;

	*out = NULL;
	farm_text_init(&l.text, data, len);
	f.l = &l;
	r = feed_load(&f, data, len, FEED_CHUNK, &doc);
	/* an error met while nested past the cap: the nesting is named first */
	if (r == -1 && !f.many && f.parser.flow_level > FARM_MAX_DEPTH)
		f.deep = 1;
	if (r == -1 && !f.deep && !f.many) {
		/* A file libyaml refuses is read again as one string, so that a
		 * bad byte is met where it always was (the reader decodes what
		 * it is given before the scanner goes on). */
		yaml_parser_delete(&f.parser);
		r = feed_load(&f, data, len, (size_t)-1, &doc);
	}
	if (r == -2) {
		farm_err_set(err, "%s: out of memory", name);
		return -1;
	}
	if (r < 0) {
		if (f.deep)
			deep_fail(&l, data, len);
		else if (!f.many)
			load_fail(&l, &f.parser);
		goto out;
	}
	/* no root: the stream ended before any document */
	rc = yaml_document_get_root_node(&doc) ? read_document(&l, &doc, out) : 0;
	yaml_document_delete(&doc);
	if (rc == 0 && *out && only_document(&l, &f.parser) < 0)
		rc = -1;
	if (rc < 0) {
		farm_node_free(*out);
		*out = NULL;
	}
out:
	free(l.slots);
	farm_node_build_clear(&l.b);
	yaml_parser_delete(&f.parser);
	return rc;
}
