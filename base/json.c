/* json.c — the one JSON string writer (every JSON producer escapes here). */
#include <string.h>

#include "base.h"

static void put_u00(struct base_buf *b, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

	base_buf_put(b, esc, sizeof(esc));
}

/* The two-character escape of c in this style, or NULL. */
static const char *short_escape(unsigned char c, enum base_json_style style)
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	case '\b':
		return style == BASE_JSON_PLAIN ? "\\b" : NULL;
	case '\f':
		return style == BASE_JSON_PLAIN ? "\\f" : NULL;
	default:
		return NULL;
	}
}

void base_json_str(struct base_buf *b, const char *s, enum base_json_style style)
{
	const unsigned char *p = (const unsigned char *)s;
	int go = style == BASE_JSON_GO;

	base_buf_put(b, "\"", 1);
	for (; *p; p++) {
		const unsigned char *run = p;
		unsigned char c;
		const char *e;
		/* bytes that stay as they are go in one put (a status file of
		 * 100,000 targets is some 100 MB of them) */
		while (*p >= 0x20 && *p != '"' && *p != '\\' && *p != 0x7f && *p != 0xe2 &&
		       (!go || (*p != '<' && *p != '>' && *p != '&')))
			p++;
		if (p > run)
			base_buf_put(b, run, (size_t)(p - run));
		if (!*p)
			break;
		c = *p;
		e = short_escape(c, style);
		if (e)
			base_buf_put(b, e, 2);
		else if (c < 0x20 || (go && (c == '<' || c == '>' || c == '&')) ||
		         (!go && c == 0x7f))
			put_u00(b, c);
		else if (go && c == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
			base_buf_str(b, p[2] == 0xa8 ? "\\u2028" : "\\u2029");
			p += 2;
		} else
			base_buf_put(b, p, 1);
	}
	base_buf_put(b, "\"", 1);
}
