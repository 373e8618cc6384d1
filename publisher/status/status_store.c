/* status_store.c — the status file on disk in either layout
 * (status_split.c): reading merges a split file's parts into one document
 * (each part read whole, a header a window at a time); writing decides the
 * layout, writes the parts whose bytes changed, removes those no target
 * uses, and writes the header last. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "split_internal.h"
#include "status_internal.h"

#define PART_MAX_BYTES (256u * 1024u * 1024u)
#define DIR_MAX_DEPTH  32

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
	if (!status_split_dir_name_ok((*out)->parts, strlen((*out)->parts))) {
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
	if (base_file_make_parents(full, 0777, err) < 0 ||
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
	if (base_file_make_parents(path, 0777, err) < 0 ||
	    base_file_write_atomic(path, r.header, r.header_len, 0644, err) < 0)
		goto out;
	rc = 0;
out:
	free(dpath);
	status_render_free(&r);
	return rc;
}
