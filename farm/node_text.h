/* node_text.h — the text under libyaml's marks, for what the document
 * libyaml loads does not keep: an alias's place and name, an anchor's
 * place, where a flow collection opens. Only node_load.c and node_text.c
 * include this. */
#ifndef MANIFOLD_FARM_NODE_TEXT_H
#define MANIFOLD_FARM_NODE_TEXT_H

#include <stddef.h>

#include <yaml.h>

/* The bytes libyaml read, walked forward a character at a time: its marks
 * count characters (UTF-8, or UTF-16 after a byte-order mark), not bytes. */
struct farm_text {
	const unsigned char *p;
	size_t len;
	int utf16;    /* 0, 'l' (little-endian) or 'b' (big-endian) */
	size_t begin; /* after the byte-order mark */
	size_t at;    /* byte offset of character number index */
	size_t index;
};

void farm_text_init(struct farm_text *t, const char *data, size_t len);
/* From mark m, passes what may stand between nodes: blanks, line breaks,
 * comments, anchors and tags, and (any) every other character but '*'.
 * Returns the character it stops at (0 at the end) with m at it. */
unsigned farm_text_gap(struct farm_text *t, yaml_mark_t *m, int any);
/* The name after the '*' or '&' at mark m into name (cut to cap - 1);
 * m moves past it. */
void farm_text_name(struct farm_text *t, yaml_mark_t *m, char *name, size_t cap);
/* m, a node's start, moved to its anchor (a tag may come first). */
void farm_text_anchor(struct farm_text *t, yaml_mark_t *m);

#endif
