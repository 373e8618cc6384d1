/* status_split.c — the status file on disk in one file or split: a big
 * status keeps its header in the file the user names and its targets in
 * part files in "<name>.d/" beside it, one per image (an image of very many
 * tags in buckets), each part a document in the status file's own layout,
 * so an unchanged night changes only the header's last_run and a changed
 * target only its part. Reading merges the parts into one document;
 * writing decides the layout, writes the parts that changed, removes those
 * no target uses, and writes the header last. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "split_internal.h"
#include "status_internal.h"

#define PART_MAX_BYTES (256u * 1024u * 1024u)
#define DIR_MAX_DEPTH  32

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

static int dir_name_ok(const char *s, size_t n)
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
	if (!end || !dir_name_ok(v, (size_t)(end - v))) {
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
	char *rel;
	size_t i; /* target index */
};

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
 * STATUS_PART_MAX targets of that image, a bucket of it by tag. */
static int assign_parts(const struct status_target_status *t, size_t n,
                        struct status_render_slot *slots)
{
	struct base_buf b = {0};
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
		for (size_t k = i; k < j; k++) {
			const char *kr = t[k].target ? t[k].target : "";
			b.len = 0;
			image_path(&b, kr, kr + ilen);
			if (buckets > 1)
				base_buf_fmt(&b, ".%0*x", buckets > 256 ? 3 : 2,
				             fnv1a(kr + ilen) & (buckets - 1));
			base_buf_str(&b, ".json");
			slots[k].i = k;
			/* its own copy, not the buffer (a KiB): one a target */
			if (b.oom || !b.data ||
			    !(slots[k].rel = strndup((const char *)b.data, b.len)))
				goto oom;
		}
		i = j;
	}
	free(b.data);
	return 0;
oom:
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
	size_t n = st->n_targets;

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
	if (assign_parts(t, n, out->slots) < 0)
		goto oom;
	qsort(out->slots, n, sizeof(*out->slots), slot_cmp);
	if (n && !(out->parts = calloc(n, sizeof(*out->parts))))
		goto oom;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		struct status_part *p = &out->parts[out->n_parts];
		while (j < n && strcmp(out->slots[j].rel, out->slots[i].rel) == 0) {
			free(out->slots[j].rel); /* the part's name is its first's */
			out->slots[j].rel = NULL;
			j++;
		}
		p->rel = out->slots[i].rel;
		out->slots[i].rel = NULL;
		p->first = i;
		p->count = j - i;
		out->n_parts++;
		if (!lazy && status_render_part(out, out->n_parts - 1, err) < 0)
			goto fail;
		i = j;
	}
	if (!(out->header = header_text(st, out->dir, &out->header_len)))
		goto oom;
	return 0;
oom:
	base_error_set(err, "out of memory");
fail:
	for (size_t i = 0; out->slots && i < n; i++)
		free(out->slots[i].rel);
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

/* ---- the disk ------------------------------------------------------------------ */

static int read_all(const char *path, char **data, size_t *len, struct base_error *err)
{
	struct stat sb;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;

	*data = NULL;
	*len = 0;
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		base_error_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		base_error_set(err, "%s: not a regular file", path);
		goto out;
	}
	if ((unsigned long long)sb.st_size > PART_MAX_BYTES) {
		base_error_set(err, "%s: larger than %u bytes", path, PART_MAX_BYTES);
		goto out;
	}
	if (!(*data = malloc((size_t)sb.st_size + 1))) {
		base_error_set(err, "out of memory");
		goto out;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, *data + got, (size_t)sb.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			base_error_set(err, "%s: read: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	(*data)[got] = '\0';
	*len = got;
	rc = 0;
out:
	if (rc < 0) {
		free(*data);
		*data = NULL;
	}
	close(fd);
	return rc;
}

static int ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

/* Each file under dir (recursively, as "a/b.json" relative to top):
 * fn(ctx, full path, relative path); a stop at a negative return. */
typedef int (*visit_fn)(void *ctx, const char *full, const char *rel, struct base_error *err);

static int walk_dir(const char *top, const char *sub, int depth, visit_fn fn, void *ctx,
                    struct base_error *err)
{
	char path[4096];
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s%s%s", top, *sub ? "/" : "", sub) >=
	    sizeof(path)) {
		base_error_set(err, "%s/%s: path too long", top, sub);
		return -1;
	}
	if (!(d = opendir(path))) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		base_error_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && (e = readdir(d))) {
		char rel[4096], full[4096];
		struct stat sb;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(rel, sizeof(rel), "%s%s%s", sub, *sub ? "/" : "", e->d_name) >=
		        sizeof(rel) ||
		    (size_t)snprintf(full, sizeof(full), "%s/%s", top, rel) >= sizeof(full)) {
			base_error_set(err, "%s/%s: path too long", path, e->d_name);
			rc = -1;
			break;
		}
		if (lstat(full, &sb) < 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			if (depth < DIR_MAX_DEPTH)
				rc = walk_dir(top, rel, depth + 1, fn, ctx, err);
		} else if (S_ISREG(sb.st_mode)) {
			rc = fn(ctx, full, rel, err);
		}
	}
	closedir(d);
	return rc;
}

struct load_ctx {
	struct status_status *head;
	const struct status_share *share;
};

static int load_part(void *ctx, const char *full, const char *rel, struct base_error *err)
{
	const struct load_ctx *lc = ctx;
	struct status_status *head = lc->head, *part = NULL;
	char *data;
	size_t len;
	int rc;

	(void)rel;
	if (!ends_with(full, ".json"))
		return 0; /* a temporary file of a write cut short, or not ours */
	rc = read_all(full, &data, &len, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	rc = status_parse_sharing(full, data, len, lc->share, &part, err);
	free(data);
	if (rc == 0)
		rc = status_split_add(head, part, err);
	status_free(part);
	return rc;
}

/* "status/release.json" -> "status/release.d" (the header names its base). */
static char *dir_path(const char *path, const char *dir)
{
	const char *slash = strrchr(path, '/');
	char *out = NULL;
	if (asprintf(&out, "%.*s%s", slash ? (int)(slash - path + 1) : 0, path, dir) < 0)
		return NULL;
	return out;
}

static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* The header's "parts" comes before any target or copy record, in the
 * file's first bytes: a big one-file status is not read whole to know. */
#define HEAD_PEEK (64u * 1024u)

int status_store_is_split(const char *path)
{
	struct base_error err;
	char *buf, *dir = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return 0;
	if (!(buf = malloc(HEAD_PEEK))) {
		close(fd);
		return 0;
	}
	while (got < HEAD_PEEK) {
		ssize_t n = read(fd, buf + got, HEAD_PEEK - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	base_error_clear(&err);
	r = status_split_dir_of(path, buf, got, &dir, &err);
	free(dir);
	free(buf);
	return r == 1;
}

/* The file as status_load reads it (a window at a time, never whole;
 * the header's "parts" from the same read), then, for a header, its parts
 * merged in. */
int status_store_load(const char *path, struct status_status **out, struct base_error *err)
{
	return status_store_load_sharing(path, NULL, out, err);
}

int status_store_load_sharing(const char *path, const struct status_share *share,
                              struct status_status **out, struct base_error *err)
{
	struct load_ctx lc = {NULL, share};
	char *dpath = NULL;
	int rc = -1;

	*out = NULL;
	if (status_load_sharing(path, share, out, err) < 0) /* missing: empty */
		return -1;
	if (!(*out)->parts)
		return 0;
	if (!dir_name_ok((*out)->parts, strlen((*out)->parts))) {
		base_error_set(err, "%s: parts: want the name of a directory beside the file",
		               path);
		goto out;
	}
	if (!(dpath = dir_path(path, (*out)->parts))) {
		base_error_set(err, "out of memory");
		goto out;
	}
	lc.head = *out;
	if (walk_dir(dpath, "", 0, load_part, &lc, err) < 0)
		goto out;
	status_split_finish(*out);
	rc = 0;
out:
	if (rc < 0) {
		status_free(*out);
		*out = NULL;
	}
	free(dpath);
	return rc;
}

/* Write a part when its bytes are not already the file's. */
static int put_part(const char *dpath, const struct status_part *p, struct base_error *err)
{
	char *full = NULL, *data = NULL;
	size_t len;
	int rc = -1, r;

	if (asprintf(&full, "%s/%s", dpath, p->rel) < 0) {
		full = NULL;
		base_error_set(err, "out of memory");
		goto out;
	}
	r = read_all(full, &data, &len, err);
	if (r < 0)
		goto out;
	if (r == 0 && len == p->len && memcmp(data, p->text, len) == 0) {
		rc = 0;
		goto out;
	}
	if (status_make_parents(full, err) < 0 ||
	    base_file_write_atomic(full, p->text, p->len, 0644, err) < 0)
		goto out;
	rc = 0;
out:
	free(data);
	free(full);
	return rc;
}

struct sweep {
	const struct status_render *r; /* NULL: remove every part */
};

static int part_cmp(const void *key, const void *e)
{
	return strcmp(key, ((const struct status_part *)e)->rel);
}

/* Remove a file the new set of parts does not have (a part no target uses
 * now, a temporary file of a write cut short). */
static int sweep_one(void *ctx, const char *full, const char *rel, struct base_error *err)
{
	const struct sweep *s = ctx;
	(void)err;
	if (!ends_with(full, ".json") && !strstr(base_of(full), ".json.tmp."))
		return 0; /* not ours */
	if (s->r && bsearch(rel, s->r->parts, s->r->n_parts, sizeof(*s->r->parts), part_cmp))
		return 0;
	if (unlink(full) < 0 && errno != ENOENT) {
		base_error_set(err, "%s: remove: %s", full, strerror(errno));
		return -1;
	}
	return 0;
}

/* Directories left empty under dpath (and dpath itself when empty). */
static void prune_dirs(const char *dpath, int depth)
{
	DIR *d;
	struct dirent *e;

	if (depth > DIR_MAX_DEPTH || !(d = opendir(dpath)))
		return;
	while ((e = readdir(d))) {
		char sub[4096];
		struct stat sb;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dpath, e->d_name) >= sizeof(sub))
			continue;
		if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode))
			prune_dirs(sub, depth + 1);
	}
	closedir(d);
	rmdir(dpath); /* fails while not empty, as it should */
}

int status_store_write(const char *path, const struct status_status *st, enum status_layout layout,
                       int *split_out, struct base_error *err)
{
	struct status_render r;
	struct sweep sw;
	char *dpath = NULL;
	int was_split = status_store_is_split(path), split, rc = -1;

	memset(&r, 0, sizeof(r));
	split = status_layout_decide(layout, st->n_targets, was_split);
	if (split_out)
		*split_out = split;
	if (!split) {
		/* the one file first: until it is renamed, the parts are the file */
		if (status_write(path, st, err) < 0)
			return -1;
		if (was_split) {
			char *name = status_split_dir_name(base_of(path));
			dpath = name ? dir_path(path, name) : NULL;
			free(name);
			if (!dpath) {
				base_error_set(err, "out of memory");
				return -1;
			}
			sw.r = NULL;
			rc = walk_dir(dpath, "", 0, sweep_one, &sw, err);
			prune_dirs(dpath, 0);
			free(dpath);
			return rc;
		}
		return 0;
	}
	if (status_render_plan(st, base_of(path), &r, err) < 0)
		return -1;
	if (!(dpath = dir_path(path, r.dir))) {
		base_error_set(err, "out of memory");
		goto out;
	}
	/* Every part before any removal and before the header: cut short at
	 * any point, each target's record is in its new part or its old one
	 * (status_store_load keeps the newer of two), and the journal that
	 * made the run's records is removed only once this returns. */
	for (size_t i = 0; i < r.n_parts; i++) {
		if (status_render_part(&r, i, err) < 0 || put_part(dpath, &r.parts[i], err) < 0)
			goto out;
		status_render_part_drop(&r, i); /* one part's text at a time */
	}
	sw.r = &r;
	if (walk_dir(dpath, "", 0, sweep_one, &sw, err) < 0)
		goto out;
	prune_dirs(dpath, 0);
	if (status_make_parents(path, err) < 0 ||
	    base_file_write_atomic(path, r.header, r.header_len, 0644, err) < 0)
		goto out;
	rc = 0;
out:
	free(dpath);
	status_render_free(&r);
	return rc;
}
