/* node_text.c — the text under libyaml's marks: libyaml counts characters
 * (UTF-8, or UTF-16 after a byte-order mark), lines and columns; this walks
 * the bytes the same way, forward (and a few characters back), to read what
 * the loaded document does not keep. */
#include <string.h>

#include "node_text.h"

void farm_text_init(struct farm_text *t, const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	memset(t, 0, sizeof(*t));
	t->p = p;
	t->len = len;
	/* as libyaml's yaml_parser_determine_encoding */
	if (len >= 2 && p[0] == 0xFF && p[1] == 0xFE)
		t->utf16 = 'l', t->begin = 2;
	else if (len >= 2 && p[0] == 0xFE && p[1] == 0xFF)
		t->utf16 = 'b', t->begin = 2;
	else if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		t->begin = 3;
	t->at = t->begin;
}

/* The character at t->at (its code point where it is below U+10000) and
 * its width in bytes; width 0 at the end of the text. */
static unsigned text_char(const struct farm_text *t, size_t *width)
{
	size_t left = t->len - t->at;
	const unsigned char *s = t->p + t->at;
	*width = 0;
	if (t->utf16) {
		if (left < 2)
			return 0;
		unsigned u =
		    t->utf16 == 'l' ? (unsigned)(s[0] | s[1] << 8) : (unsigned)(s[0] << 8 | s[1]);
		*width = u >= 0xD800 && u < 0xDC00 && left >= 4 ? 4 : 2;
		return u;
	}
	if (!left)
		return 0;
	unsigned c = s[0];
	size_t w = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
	*width = w < left ? w : left;
	if (*width == 2)
		return (c & 0x1Fu) << 6 | (s[1] & 0x3Fu);
	if (*width == 3)
		return (c & 0x0Fu) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu);
	return *width == 1 ? c : 0x10000;
}

static void text_step(struct farm_text *t, size_t width)
{
	t->at += width;
	t->index++;
}

/* Moves t to character number index. The walk reads the text forward, and
 * goes back at most a few characters (to an alias after a bracket). */
static void text_seek(struct farm_text *t, size_t index)
{
	size_t w = 1;
	while (t->index > index && t->at > t->begin) {
		if (t->utf16) {
			t->at -= 2;
			unsigned u = t->utf16 == 'l'
			                 ? (unsigned)(t->p[t->at] | t->p[t->at + 1] << 8)
			                 : (unsigned)(t->p[t->at] << 8 | t->p[t->at + 1]);
			if (u >= 0xDC00 && u < 0xE000 && t->at >= t->begin + 2)
				t->at -= 2;
		} else {
			do
				t->at--;
			while (t->at > t->begin && (t->p[t->at] & 0xC0) == 0x80);
		}
		t->index--;
	}
	if (!t->utf16) /* ASCII, a byte a character */
		for (; t->index < index && t->at < t->len && t->p[t->at] < 0x80; t->at++)
			t->index++;
	while (t->index < index && w) {
		text_char(t, &w);
		if (w)
			text_step(t, w);
	}
}

static int is_break(unsigned c)
{
	return c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029;
}

/* libyaml's anchor characters */
static int is_name(unsigned c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       c == '_' || c == '-';
}

/* From mark m, passes what may stand between nodes: blanks, line breaks,
 * comments, anchors and tags, and (any) every other character but '*'.
 * Returns the character it stops at (0 at the end) with m at it. */
unsigned farm_text_gap(struct farm_text *t, yaml_mark_t *m, int any)
{
	text_seek(t, m->index);
	for (;;) {
		size_t w;
		unsigned c = text_char(t, &w);
		if (!w)
			break;
		if (c == '#' || c == '&' || c == '!') {
			/* a comment runs to the line's end; a property to a blank */
			int comment = c == '#';
			while (w && !is_break(c) && (comment || (c != ' ' && c != '\t'))) {
				text_step(t, w);
				m->column++;
				c = text_char(t, &w);
			}
			continue;
		}
		if (is_break(c)) {
			text_step(t, w);
			if (c == '\r' && text_char(t, &w) == '\n')
				text_step(t, w);
			m->line++;
			m->column = 0;
			continue;
		}
		if (c != ' ' && c != '\t' && !(any && c != '*')) {
			m->index = t->index;
			return c;
		}
		text_step(t, w);
		m->column++;
	}
	m->index = t->index;
	return 0;
}

/* The name after the '*' or '&' at mark m into name (cut to cap - 1);
 * m moves past it. */
void farm_text_name(struct farm_text *t, yaml_mark_t *m, char *name, size_t cap)
{
	size_t n = 0, w;
	text_seek(t, m->index);
	text_char(t, &w); /* the '*' or '&' */
	if (w) {
		text_step(t, w);
		m->column++;
	}
	while (w) {
		unsigned c = text_char(t, &w);
		if (!w || !is_name(c))
			break;
		if (n + 1 < cap)
			name[n++] = (char)c;
		text_step(t, w);
		m->column++;
	}
	name[n] = '\0';
	m->index = t->index;
}

/* m, a node's start, moved to its anchor (a tag may come first). */
void farm_text_anchor(struct farm_text *t, yaml_mark_t *m)
{
	text_seek(t, m->index);
	for (size_t w = 1; w;) {
		unsigned c = text_char(t, &w);
		if (!w || c == '&' || is_break(c))
			break;
		text_step(t, w);
		m->column++;
	}
	m->index = t->index;
}
