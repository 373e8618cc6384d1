/* report_json.c — `manifold status -o json`: the status file's records
 * written one target at a time through the status file's own record writer,
 * laid out as cJSON_Print lays a document out (tabs, "key":<TAB>value, arrays
 * on one line), then the summary and what changed since a revision. The
 * report is never whole in memory, as text or as a tree. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "status_internal.h"
#include "status_report.h"
#include "report_internal.h"

/* ---- JSON text laid out as cJSON_Print does ------------------------------- */

#define CJ_DEPTH 32
#define CJ_OUT   (64u * 1024u)

/* A JSON text read token by token and written with cJSON's formatted
 * layout: "{" and a newline, each member on its own line indented by one
 * tab per enclosing container, `"key":<TAB>value`, members ended by ",\n"
 * or "\n", "}" indented one tab less; "[" and elements joined by ", " on one
 * line; strings re-escaped as cJSON escapes them (\" \\ \b \f \n \r \t, other
 * controls as \u00xx, everything else as it is); numbers as cJSON prints a
 * double ("%d" when it is an int, else "%1.15g", or "%1.17g" when that
 * does not read back). Text is fed in pieces that each end between tokens. */
struct cj_writer {
	FILE *f;
	int depth;
	struct {
		char kind; /* '{' or '[' */
		char any;  /* an object has had a member */
		char key;  /* an object expects a key next */
	} lv[CJ_DEPTH];
	int bad; /* not JSON, too deep, or a write failed */
	size_t n;
	char out[CJ_OUT];
};

static void cj_flush(struct cj_writer *w)
{
	if (w->n && fwrite(w->out, 1, w->n, w->f) != w->n)
		w->bad = 1;
	w->n = 0;
}

static void cj_put(struct cj_writer *w, const char *s, size_t n)
{
	if (n > CJ_OUT - w->n) {
		cj_flush(w);
		if (n > CJ_OUT) {
			if (fwrite(s, 1, n, w->f) != n)
				w->bad = 1;
			return;
		}
	}
	memcpy(w->out + w->n, s, n);
	w->n += n;
}

static void cj_putc(struct cj_writer *w, char c)
{
	if (w->n == CJ_OUT)
		cj_flush(w);
	w->out[w->n++] = c;
}

static void cj_tabs(struct cj_writer *w, int n)
{
	static const char tabs[CJ_DEPTH] =
	    "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
	cj_put(w, tabs, (size_t)(n < CJ_DEPTH ? n : CJ_DEPTH));
}

/* One byte of a string's value, escaped as cJSON's print_string_ptr does. */
static void cj_str_byte(struct cj_writer *w, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

	switch (c) {
	case '"':
		cj_put(w, "\\\"", 2);
		return;
	case '\\':
		cj_put(w, "\\\\", 2);
		return;
	case '\b':
		cj_put(w, "\\b", 2);
		return;
	case '\f':
		cj_put(w, "\\f", 2);
		return;
	case '\n':
		cj_put(w, "\\n", 2);
		return;
	case '\r':
		cj_put(w, "\\r", 2);
		return;
	case '\t':
		cj_put(w, "\\t", 2);
		return;
	default:
		if (c < 32)
			cj_put(w, esc, sizeof(esc));
		else
			cj_putc(w, (char)c);
	}
}

static int hex4(const char *s, const char *end, unsigned *out)
{
	*out = 0;
	if (end - s < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		unsigned v = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
		             : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
		             : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
		                                    : 16u;
		if (v > 15)
			return -1;
		*out = *out << 4 | v;
	}
	return 0;
}

/* The string at s ('"') decoded as cJSON_Parse decodes it and written
 * again; the end of its text, or NULL when it is not a JSON string. */
static const char *cj_string(struct cj_writer *w, const char *s, const char *end)
{
	int cut = 0; /* a \u0000 ends the C string cJSON holds */

	cj_putc(w, '"');
	for (s++; s < end && *s != '"';) {
		const char *run = s;
		unsigned cp, lo;
		unsigned char u[4];
		size_t n = 0;

		while (s < end && *s != '"' && *s != '\\' && (unsigned char)*s >= 32)
			s++;
		if (s > run && !cut)
			cj_put(w, run, (size_t)(s - run));
		if (s >= end || *s == '"')
			break;
		if (*s != '\\') {
			if (!cut)
				cj_str_byte(w, (unsigned char)*s);
			s++;
			continue;
		}
		if (++s >= end)
			return NULL;
		switch (*s) {
		case 'b':
			u[n++] = '\b';
			break;
		case 'f':
			u[n++] = '\f';
			break;
		case 'n':
			u[n++] = '\n';
			break;
		case 'r':
			u[n++] = '\r';
			break;
		case 't':
			u[n++] = '\t';
			break;
		case '"':
		case '\\':
		case '/':
			u[n++] = (unsigned char)*s;
			break;
		case 'u':
			if (hex4(s + 1, end, &cp) < 0 || (cp >= 0xdc00 && cp <= 0xdfff))
				return NULL;
			s += 4;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (end - s < 7 || s[1] != '\\' || s[2] != 'u' ||
				    hex4(s + 3, end, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
					return NULL;
				cp = 0x10000 + ((cp & 0x3ff) << 10 | (lo & 0x3ff));
				s += 6;
			}
			if (cp < 0x80) {
				u[n++] = (unsigned char)cp;
			} else if (cp < 0x800) {
				u[n++] = (unsigned char)(0xc0 | cp >> 6);
				u[n++] = (unsigned char)(0x80 | (cp & 0x3f));
			} else if (cp < 0x10000) {
				u[n++] = (unsigned char)(0xe0 | cp >> 12);
				u[n++] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
				u[n++] = (unsigned char)(0x80 | (cp & 0x3f));
			} else {
				u[n++] = (unsigned char)(0xf0 | cp >> 18);
				u[n++] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
				u[n++] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
				u[n++] = (unsigned char)(0x80 | (cp & 0x3f));
			}
			break;
		default:
			return NULL;
		}
		s++;
		for (size_t i = 0; i < n && !cut; i++) {
			if (!u[i])
				cut = 1;
			else
				cj_str_byte(w, u[i]);
		}
	}
	if (s >= end)
		return NULL;
	cj_putc(w, '"');
	return s + 1;
}

static double dabs(double d)
{
	return d < 0 ? -d : d;
}

/* A number as cJSON prints the double it parses (print_number). */
static int cj_number(struct cj_writer *w, const char *s, size_t n)
{
	char in[64], out[64], *e;
	double d, back, m;
	int vi, len;

	if (n >= sizeof(in))
		return -1;
	memcpy(in, s, n);
	in[n] = '\0';
	d = strtod(in, &e);
	if (e != in + n)
		return -1;
	vi = d >= (double)INT_MAX ? INT_MAX : d <= (double)INT_MIN ? INT_MIN : (int)d;
	if (isnan(d) || isinf(d)) {
		len = snprintf(out, sizeof(out), "null");
	} else if (d == (double)vi) {
		len = snprintf(out, sizeof(out), "%d", vi);
	} else {
		len = snprintf(out, sizeof(out), "%1.15g", d);
		back = strtod(out, NULL);
		m = dabs(back) > dabs(d) ? dabs(back) : dabs(d);
		if (!(dabs(back - d) <= m * DBL_EPSILON))
			len = snprintf(out, sizeof(out), "%1.17g", d);
	}
	cj_put(w, out, (size_t)len);
	return 0;
}

static int cj_delim(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':' ||
	       c == '}' || c == ']' || c == '{' || c == '[' || c == '"';
}

/* Feed text (whole tokens); 0, or -1 once anything was wrong. */
static int cj_feed(struct cj_writer *w, const char *s, size_t len)
{
	const char *end = s + len;

	while (!w->bad && s < end) {
		char c = *s;
		int top = w->depth - 1;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			s++;
		} else if (c == '{' || c == '[') {
			if (w->depth == CJ_DEPTH) {
				w->bad = 1;
				break;
			}
			w->lv[w->depth].kind = c;
			w->lv[w->depth].any = 0;
			w->lv[w->depth].key = 1;
			w->depth++;
			cj_put(w, c == '{' ? "{\n" : "[", c == '{' ? 2 : 1);
			s++;
		} else if (c == '}' || c == ']') {
			if (top < 0 || w->lv[top].kind != (c == '}' ? '{' : '[')) {
				w->bad = 1;
				break;
			}
			w->depth--;
			if (c == '}') {
				if (w->lv[top].any)
					cj_putc(w, '\n');
				cj_tabs(w, w->depth);
			}
			cj_putc(w, c);
			s++;
		} else if (c == ',') {
			if (top < 0) {
				w->bad = 1;
				break;
			}
			if (w->lv[top].kind == '{') {
				cj_put(w, ",\n", 2);
				w->lv[top].key = 1;
			} else {
				cj_put(w, ", ", 2);
			}
			s++;
		} else if (c == ':') {
			if (top < 0 || w->lv[top].kind != '{') {
				w->bad = 1;
				break;
			}
			cj_put(w, ":\t", 2);
			w->lv[top].key = 0;
			s++;
		} else if (c == '"') {
			if (top >= 0 && w->lv[top].kind == '{' && w->lv[top].key) {
				cj_tabs(w, w->depth);
				w->lv[top].any = 1;
			}
			if (!(s = cj_string(w, s, end)))
				w->bad = 1;
		} else {
			const char *t = s;
			while (s < end && !cj_delim(*s))
				s++;
			if ((size_t)(s - t) == 4 && !memcmp(t, "true", 4))
				cj_put(w, "true", 4);
			else if ((size_t)(s - t) == 5 && !memcmp(t, "false", 5))
				cj_put(w, "false", 5);
			else if ((size_t)(s - t) == 4 && !memcmp(t, "null", 4))
				cj_put(w, "null", 4);
			else if (cj_number(w, t, (size_t)(s - t)) < 0)
				w->bad = 1;
		}
	}
	return w->bad ? -1 : 0;
}

/* ---- the report ------------------------------------------------------------ */

static void ref_list(struct base_buf *b, const char *key, const struct status_target_status **v,
                     size_t n, const char *now, int first)
{
	base_buf_fmt(b, "%s\"%s\":[", first ? "" : ",", key);
	for (size_t i = 0; i < n; i++) {
		long long s = status_age_seconds(v[i]->since, now);
		char age[32];

		base_buf_str(b, i ? ",{\"target\":" : "{\"target\":");
		base_json_str(b, v[i]->target, BASE_JSON_PLAIN);
		base_buf_str(b, ",\"state\":");
		base_json_str(b, status_target_state_str(v[i]->state), BASE_JSON_PLAIN);
		if (v[i]->since) {
			base_buf_str(b, ",\"since\":");
			base_json_str(b, v[i]->since, BASE_JSON_PLAIN);
		}
		if (s >= 0) {
			status_age_format(v[i]->since, now, age, sizeof(age));
			base_buf_fmt(b, ",\"age_seconds\":%lld,\"age\":", s);
			base_json_str(b, age, BASE_JSON_PLAIN);
		}
		base_buf_str(b, "}");
	}
	base_buf_str(b, "]");
}

/* The members after the records: "summary" and, with a revision, "since". */
static void tail_members(struct base_buf *b, const struct status_status *st,
                         const struct status_since *since, const char *now)
{
	int counts[STATUS_T__COUNT];
	size_t unconfirmed = 0;

	status_report_counts(st, counts);
	for (size_t i = 0; i < st->n_targets; i++)
		unconfirmed += st->targets[i].unconfirmed != 0;
	base_buf_fmt(b, ",\"summary\":{\"targets\":%zu", st->n_targets);
	for (int s = 0; s < STATUS_T__COUNT; s++) {
		if ((s == STATUS_T_READY || s == STATUS_T_HELD) && !counts[s])
			continue; /* shown only when a file has it */
		base_buf_fmt(b, ",\"%s\":%d", status_target_state_str((enum status_target_state)s),
		             counts[s]);
	}
	if (unconfirmed) /* shown only when a file has one */
		base_buf_fmt(b, ",\"unconfirmed\":%zu", unconfirmed);
	base_buf_str(b, "}");
	if (!since)
		return;
	base_buf_str(b, ",\"since\":{");
	if (since->rev) {
		base_buf_str(b, "\"rev\":");
		base_json_str(b, since->rev, BASE_JSON_PLAIN);
	}
	ref_list(b, "newly_published", since->published, since->n_published, now, !since->rev);
	ref_list(b, "newly_broken", since->broken, since->n_broken, now, 0);
	ref_list(b, "still_broken", since->still, since->n_still, now, 0);
	base_buf_str(b, "}");
}

static int target_cmp(const void *a, const void *b)
{
	const struct status_target_status *x = *(const struct status_target_status *const *)a;
	const struct status_target_status *y = *(const struct status_target_status *const *)b;
	return strcmp(x->target ? x->target : "", y->target ? y->target : "");
}

int status_report_json(FILE *f, const struct status_status *st, const struct status_since *since,
                       const char *now)
{
	static const char at[] = "\n  \"targets\": [";
	struct status_status head = *st;
	struct base_buf b = {0};
	const struct status_target_status **order = NULL;
	struct cj_writer *w = calloc(1, sizeof(*w));
	char *text, *mid, *last;
	int rc = -1;

	/* The document without its records: schema, config, shard, last_run,
	 * "targets": [] and the copies after it, as the status file has them. */
	head.targets = NULL;
	head.n_targets = 0;
	text = status_serialize(&head);
	if (!w || !text || !(mid = strstr(text, at)) || !(last = strrchr(text, '}')))
		goto out;
	mid += sizeof(at) - 1;
	if (st->n_targets && !(order = malloc(st->n_targets * sizeof(*order))))
		goto out;
	for (size_t i = 0; i < st->n_targets; i++)
		order[i] = &st->targets[i];
	for (size_t i = 1; i < st->n_targets; i++) {
		if (target_cmp(&order[i - 1], &order[i]) > 0) {
			qsort(order, st->n_targets, sizeof(*order), target_cmp);
			break;
		}
	}
	w->f = f;
	cj_feed(w, text, (size_t)(mid - text));
	for (size_t i = 0; i < st->n_targets && !w->bad; i++) {
		b.len = 0;
		if (i)
			base_buf_put(&b, ",", 1);
		status_target_serialize(&b, order[i], 2);
		if (b.oom)
			goto out;
		cj_feed(w, (const char *)b.data, b.len);
	}
	cj_feed(w, mid, (size_t)(last - mid));
	b.len = 0;
	tail_members(&b, st, since, now);
	if (b.oom)
		goto out;
	cj_feed(w, (const char *)b.data, b.len);
	cj_feed(w, "}", 1);
	cj_putc(w, '\n');
	cj_flush(w);
	rc = w->bad || w->depth || ferror(f) ? -1 : 0;
out:
	free(order);
	free(text);
	base_buf_free(&b);
	free(w);
	return rc;
}
