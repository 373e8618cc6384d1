/* status_split.c — the status file on disk in one file or split: a big
 * status keeps its header in the file the user names and its targets in
 * part files in "<name>.d/" beside it, one per image (an image of very many
 * tags in buckets), each part a document in the status file's own layout,
 * so an unchanged night changes only the header's last_run and a changed
 * target only its part: the layout, the parts' names, a status rendered
 * as those files, and parts merged into one document. The files on disk
 * are status_store.c's. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "split_internal.h"
#include "status_internal.h"

static const char PARTS_KEY[] = "\n  \"parts\": \"";
static const char NO_TARGETS[] = "\n  \"targets\": []";

int status_layout_parse(const char *s, enum status_layout *out)
{
	if (strcmp(s, "auto") == 0)
		*out = STATUS_LAYOUT_AUTO;
	else if (strcmp(s, "one-file") == 0)
		*out = STATUS_LAYOUT_ONE_FILE;
	else if (strcmp(s, "split") == 0)
		*out = STATUS_LAYOUT_SPLIT;
	else
		return -1;
	return 0;
}

const char *status_layout_str(enum status_layout l)
{
	switch (l) {
	case STATUS_LAYOUT_ONE_FILE:
		return "one-file";
	case STATUS_LAYOUT_SPLIT:
		return "split";
	case STATUS_LAYOUT_AUTO:
		return "auto";
	default:
		return "keep";
	}
}

int status_layout_decide(enum status_layout layout, size_t n, int cur_split)
{
	switch (layout) {
	case STATUS_LAYOUT_ONE_FILE:
		return 0;
	case STATUS_LAYOUT_SPLIT:
		return 1;
	case STATUS_LAYOUT_AUTO:
		if (n > STATUS_SPLIT_ABOVE)
			return 1;
		if (n <= STATUS_JOIN_AT)
			return 0;
		return cur_split;
	default:
		return cur_split;
	}
}

/* ---- names ---------------------------------------------------------------- */

char *status_split_dir_name(const char *base)
{
	size_t n = strlen(base);
	char *d;

	if (n > 5 && strcmp(base + n - 5, ".json") == 0)
		n -= 5;
	d = malloc(n + 3);
	if (d) {
		memcpy(d, base, n);
		memcpy(d + n, ".d", 3);
	}
	return d;
}

int status_split_dir_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 255 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == '\\' || (unsigned char)s[i] < 0x20)
			return 0;
	return 1;
}

int status_split_dir_of(const char *name, const char *data, size_t len, char **dir,
                        struct base_error *err)
{
	const char *at = memmem(data, len, PARTS_KEY, sizeof(PARTS_KEY) - 1), *v, *end;

	*dir = NULL;
	if (!at)
		return 0;
	v = at + sizeof(PARTS_KEY) - 1;
	end = memchr(v, '"', len - (size_t)(v - data));
	if (!end || !status_split_dir_name_ok(v, (size_t)(end - v))) {
		base_error_set(err, "%s: parts: want the name of a directory beside the file",
		               name);
		return -1;
	}
	if (!(*dir = strndup(v, (size_t)(end - v)))) {
		base_error_set(err, "out of memory");
		return -1;
	}
	return 1;
}

/* FNV-1a: which bucket a tag of a big image goes to. */
static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Where a target's tag starts in its reference ("reg/img:tag" -> ":tag",
 * "reg/img@sha256:…" -> "@…"), or its end. */
static const char *tag_of(const char *ref)
{
	const char *at = strchr(ref, '@'), *slash, *colon;
	if (at)
		return at;
	slash = strrchr(ref, '/');
	colon = strrchr(slash ? slash : ref, ':');
	return colon ? colon : ref + strlen(ref);
}

/* The image's path in the parts directory: each segment of the name with
 * bytes outside [A-Za-z0-9._-] as '_' ("localhost:5000" ->
 * "localhost_5000"), "." and ".." as "_". Two names that come out the same
 * share a part, which is harmless: a part is a set of records. */
static void image_path(struct base_buf *b, const char *ref, const char *end)
{
	const char *seg = ref;
	while (seg <= end) {
		const char *e = memchr(seg, '/', (size_t)(end - seg));
		size_t n;
		if (!e)
			e = end;
		n = (size_t)(e - seg);
		if (seg != ref)
			base_buf_str(b, "/");
		if (n == 0 || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.')) {
			base_buf_str(b, "_");
		} else {
			for (size_t i = 0; i < n; i++) {
				char c = seg[i];
				int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
				base_buf_put(b, ok ? &c : "_", 1);
			}
		}
		seg = e + 1;
	}
}

/* ---- rendering -------------------------------------------------------------- */

struct status_render_slot {
	const char *rel; /* its part's name (one of render_keys'), while the parts are made */
	size_t i;        /* target index */
};

/* The parts' names while a render is made: one string for each image (and
 * bucket) that the slots of its targets point to, not one a target. */
struct render_keys {
	char **v;
	size_t n, cap;
};

static void render_keys_free(struct render_keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i]);
	free(k->v);
	memset(k, 0, sizeof(*k));
}

static char *render_key_add(struct render_keys *k, const struct base_buf *b)
{
	char *s;

	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 16;
		char **v = realloc(k->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		k->v = v;
		k->cap = cap;
	}
	if (b->oom || !b->data || !(s = strndup((const char *)b->data, b->len)))
		return NULL;
	k->v[k->n++] = s;
	return s;
}

static int slot_cmp(const void *a, const void *b)
{
	const struct status_render_slot *x = a, *y = b;
	int c = strcmp(x->rel, y->rel);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int target_cmp(const void *a, const void *b)
{
	const struct status_target_status *x = a, *y = b;
	return strcmp(x->target ? x->target : "", y->target ? y->target : "");
}

/* Which part each target goes to: its image's, or with more than
 * STATUS_PART_MAX targets of that image, a bucket of it by tag. The
 * names are keys's (one an image or bucket). */
static int assign_parts(const struct status_target_status *t, size_t n,
                        struct status_render_slot *slots, struct render_keys *keys)
{
	struct base_buf b = {0};
	char **bucket_key = NULL;
	size_t i = 0;
	while (i < n) {
		const char *ref = t[i].target ? t[i].target : "";
		size_t ilen = (size_t)(tag_of(ref) - ref), j = i + 1;
		unsigned buckets = 1;
		/* the targets are sorted, so an image's tags are next to each other */
		while (j < n && t[j].target && strncmp(t[j].target, ref, ilen) == 0 &&
		       tag_of(t[j].target) == t[j].target + ilen)
			j++;
		while ((j - i) / buckets > STATUS_PART_MAX / 2 && buckets < 4096 &&
		       j - i > STATUS_PART_MAX)
			buckets *= 2;
		free(bucket_key);
		if (!(bucket_key = calloc(buckets, sizeof(*bucket_key))))
			goto oom;
		for (size_t k = i; k < j; k++) {
			const char *kr = t[k].target ? t[k].target : "";
			unsigned bucket = buckets > 1 ? fnv1a(kr + ilen) & (buckets - 1) : 0;
			slots[k].i = k;
			if (!bucket_key[bucket]) {
				b.len = 0;
				image_path(&b, kr, kr + ilen);
				if (buckets > 1)
					base_buf_fmt(&b, ".%0*x", buckets > 256 ? 3 : 2, bucket);
				base_buf_str(&b, ".json");
				if (!(bucket_key[bucket] = render_key_add(keys, &b)))
					goto oom;
			}
			slots[k].rel = bucket_key[bucket];
		}
		i = j;
	}
	free(bucket_key);
	free(b.data);
	return 0;
oom:
	free(bucket_key);
	free(b.data);
	return -1;
}

/* One part: the document the status file would be with only these
 * targets, without anything but schema and targets. */
static char *part_text(const struct status_target_status *t, const struct status_render_slot *s,
                       size_t n, size_t *len)
{
	struct base_buf b = {0};
	struct status_obj top = {&b, 1, 1};
	char *text;

	base_buf_str(&b, "{");
	status_obj_int(&top, "schema", 1);
	status_obj_key(&top, "targets");
	base_buf_str(&b, "[");
	for (size_t k = 0; k < n; k++) {
		base_buf_str(&b, k ? ",\n" : "\n");
		status_sb_indent(&b, 2);
		status_target_serialize(&b, &t[s[k].i], 2);
	}
	base_buf_str(&b, "\n  ]");
	status_obj_close(&top);
	base_buf_str(&b, "\n");
	*len = b.len;
	text = base_buf_take(&b);
	return text;
}

void status_render_free(struct status_render *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_parts; i++) {
		free(r->parts[i].rel);
		free(r->parts[i].text);
	}
	free(r->parts);
	free(r->slots);
	free(r->sorted);
	free(r->header);
	free(r->dir);
	memset(r, 0, sizeof(*r));
}

/* The header: the document without targets, "parts": DIR in their place. */
static char *header_text(const struct status_status *st, const char *dir, size_t *len)
{
	struct status_status h = *st;
	struct base_buf b = {0};
	char *whole, *at;

	h.targets = NULL;
	h.n_targets = 0;
	/* schema 2: a reader that knows no parts refuses the header rather
	 * than take it for a status of no targets (and write one). */
	h.schema = 2;
	if (!(whole = status_serialize(&h)))
		return NULL;
	at = strstr(whole, NO_TARGETS);
	if (!at) {
		free(whole);
		return NULL;
	}
	base_buf_put(&b, whole, (size_t)(at - whole));
	base_buf_put(&b, PARTS_KEY, sizeof(PARTS_KEY) - 2); /* without its opening quote */
	base_json_str(&b, dir, BASE_JSON_PLAIN);
	base_buf_str(&b, at + sizeof(NO_TARGETS) - 1);
	free(whole);
	*len = b.len;
	return base_buf_take(&b);
}

static int render_make(const struct status_status *st, const char *header_base, int split, int lazy,
                       struct status_render *out, struct base_error *err)
{
	const struct status_target_status *t = st->targets;
	size_t n = st->n_targets, n_parts = 0;
	struct render_keys keys = {NULL, 0, 0};

	memset(out, 0, sizeof(*out));
	out->split = split;
	if (!(out->dir = status_split_dir_name(header_base)))
		goto oom;
	if (!split) {
		if (!(out->header = status_serialize(st)))
			goto oom;
		out->header_len = strlen(out->header);
		return 0;
	}
	/* a sorted view (shallow copies), as status_serialize sorts one */
	for (size_t i = 1; i < n; i++) {
		if (target_cmp(&t[i - 1], &t[i]) > 0) {
			if (!(out->sorted = malloc(n * sizeof(*out->sorted))))
				goto oom;
			memcpy(out->sorted, t, n * sizeof(*out->sorted));
			qsort(out->sorted, n, sizeof(*out->sorted), target_cmp);
			t = out->sorted;
			break;
		}
	}
	out->targets = t;
	if (n && !(out->slots = calloc(n, sizeof(*out->slots))))
		goto oom;
	if (assign_parts(t, n, out->slots, &keys) < 0)
		goto oom;
	qsort(out->slots, n, sizeof(*out->slots), slot_cmp);
	/* as many parts as names, not as targets (two images may share one) */
	for (size_t i = 0; i < n; i++)
		n_parts += !i || strcmp(out->slots[i].rel, out->slots[i - 1].rel) != 0;
	if (n && !(out->parts = calloc(n_parts, sizeof(*out->parts))))
		goto oom;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		struct status_part *p = &out->parts[out->n_parts];
		while (j < n && strcmp(out->slots[j].rel, out->slots[i].rel) == 0)
			j++;
		if (!(p->rel = strdup(out->slots[i].rel)))
			goto oom;
		p->first = i;
		p->count = j - i;
		out->n_parts++;
		if (!lazy && status_render_part(out, out->n_parts - 1, err) < 0)
			goto fail;
		i = j;
	}
	for (size_t i = 0; i < n; i++)
		out->slots[i].rel = NULL; /* the names are the parts' now */
	render_keys_free(&keys);
	if (!(out->header = header_text(st, out->dir, &out->header_len)))
		goto oom;
	return 0;
oom:
	base_error_set(err, "out of memory");
fail:
	render_keys_free(&keys);
	status_render_free(out);
	return -1;
}

int status_render_make(const struct status_status *st, const char *header_base, int split,
                       struct status_render *out, struct base_error *err)
{
	return render_make(st, header_base, split, 0, out, err);
}

int status_render_plan(const struct status_status *st, const char *header_base,
                       struct status_render *out, struct base_error *err)
{
	return render_make(st, header_base, 1, 1, out, err);
}

int status_render_part(struct status_render *r, size_t i, struct base_error *err)
{
	struct status_part *p = &r->parts[i];

	if (p->text)
		return 0;
	if (!(p->text = part_text(r->targets, r->slots + p->first, p->count, &p->len))) {
		base_error_set(err, "out of memory");
		return -1;
	}
	return 0;
}

void status_render_part_drop(struct status_render *r, size_t i)
{
	free(r->parts[i].text);
	r->parts[i].text = NULL;
}

/* ---- merging parts ------------------------------------------------------------ */

int status_split_add(struct status_status *head, struct status_status *part, struct base_error *err)
{
	struct status_target_status *nt;

	if (!part->n_targets)
		return 0;
	nt = realloc(head->targets, (head->n_targets + part->n_targets) * sizeof(*nt));
	if (!nt) {
		base_error_set(err, "out of memory");
		return -1;
	}
	memcpy(nt + head->n_targets, part->targets, part->n_targets * sizeof(*nt));
	head->targets = nt;
	head->n_targets += part->n_targets;
	free(part->targets);
	part->targets = NULL;
	part->n_targets = 0;
	return 0;
}

void status_split_finish(struct status_status *head)
{
	size_t w = 0;

	status_sort(head);
	for (size_t i = 0; i < head->n_targets; i++) {
		struct status_target_status *t = &head->targets[i];
		if (w && strcmp(head->targets[w - 1].target, t->target) == 0) {
			/* in two parts: a write cut short between them; the newer wins */
			if (status_since_newer(t->since, head->targets[w - 1].since)) {
				status_target_status_free(&head->targets[w - 1]);
				head->targets[w - 1] = *t;
			} else {
				status_target_status_free(t);
			}
			memset(t, 0, sizeof(*t));
			continue;
		}
		if (w != i) {
			head->targets[w] = *t;
			memset(t, 0, sizeof(*t));
		}
		w++;
	}
	head->n_targets = w;
}
